"""The corpus in datasets/postings: schema, labels, duplicates, length spread; and a regression
floor for the bundled model on the corpus's own test split."""

import re
from collections import Counter, defaultdict

import pytest

from jobclassify.corpus import COLUMNS, default_corpus_dir, load_corpus, split_of
from jobclassify.labels import LABELS
from jobclassify.training import evaluate_texts, training_texts


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_schema_and_labels(corpus):
    assert default_corpus_dir().name == "postings"
    for col in COLUMNS:
        assert col in corpus.columns
        assert corpus[col].map(lambda v: isinstance(v, str)).all(), col
    assert set(corpus["label"]) == set(LABELS)
    assert corpus["id"].is_unique
    assert (corpus["title"].str.strip() != "").all() and (corpus["description"].str.strip() != "").all()


def test_label_counts(corpus):
    counts = Counter(corpus["label"])
    for lab in ("devops", "cloud", "hybrid"):
        assert counts[lab] >= 300, counts
    assert counts["other"] >= 600, counts


def test_length_spread(corpus):
    n = corpus["description"].str.len()
    assert n.min() >= 250 and n.max() <= 8500
    assert (n < 800).mean() > 0.1, "short, terse or cut-off postings"
    assert (n > 2500).mean() > 0.15, "long postings with boilerplate"
    assert (n > 5000).sum() >= 30


def _shingles(text, k=8):
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + k]) for i in range(max(0, len(words) - k))}


def test_no_duplicates_or_near_duplicates(corpus):
    assert not corpus["description"].duplicated().any()
    sh = [_shingles(t) for t in corpus["description"]]
    index = defaultdict(list)
    for i, s in enumerate(sh):
        for g in s:
            index[g].append(i)
    shared = Counter()
    for ids in index.values():
        if 1 < len(ids) < 40:  # very common 8-grams are boilerplate phrases, not copies
            for a in range(len(ids)):
                for b in range(a + 1, len(ids)):
                    shared[(ids[a], ids[b])] += 1
    near = [
        (corpus["id"].iloc[a], corpus["id"].iloc[b])
        for (a, b), k in shared.items()
        if k / max(1, min(len(sh[a]), len(sh[b]))) > 0.5
    ]
    assert not near, f"near-duplicate postings: {near[:5]}"


def test_split_is_fixed_and_about_a_fifth(corpus):
    assert split_of("ent-0001") == split_of("ent-0001")
    assert (corpus["split"] == corpus["id"].map(split_of)).all()
    share = (corpus["split"] == "test").mean()
    assert 0.15 < share < 0.25
    for lab in LABELS:
        assert (corpus[(corpus["label"] == lab)]["split"] == "test").sum() >= 50


def test_bundled_model_accuracy_floor_on_corpus_test_split(corpus):
    """Regression floor, set below the measured values (see models/default/MODEL_CARD.md)."""
    from jobclassify.predict import get_default_model

    test = corpus[corpus["split"] == "test"]
    X, y = training_texts(test, title_column=None, augment=False)
    m = evaluate_texts(get_default_model(), X, y)
    assert m["macro_f1"] >= 0.85, m["macro_f1"]
    assert m["per_class"]["hybrid"]["f1"] >= 0.80
