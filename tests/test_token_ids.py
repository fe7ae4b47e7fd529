"""The array-based tokenizer and matcher give exactly what the regex tokenizer and TermMatcher give."""

from __future__ import annotations

import numpy as np
import pytest

from jobclassify.batch_matcher import BatchMatcher
from jobclassify.matcher import TermMatcher
from jobclassify.text import TOKEN_RE
from jobclassify.token_ids import TokenIds

KNOWN = ["aws", "ci", "cd", "node.js", "c#", "c++", "café", "日本", "x_y", "1.2", "a" * 30, "ünïcode", "k8s"]
ODD = [
    "Own CI/CD for node.js & C# apps. café, CAFÉ; 日本 日本語 k8s.",
    "İstanbul ΣΑΣ straße … “quoted” — dash – ’apostrophe’ • bullet",
    "a..b .net net. 1.2.3 1.2 x_y x__y c++ c+++ #c# +c",
    "aws\x00ci\tcd\r\nnode.js\u00a0aws",
    "",
    "...",
    "a" * 30 + " " + "a" * 31 + " " + "a" * 29,
    "emoji 🚀aws🚀 and lone \ud800 surrogate ci",
    "ünïcode Ünïcode ünïcodes",
]


def _reference(texts: list[str], known: list[str]) -> tuple[list[int], list[int]]:
    ids = {t: i for i, t in enumerate(known, 1)}
    tokens = [TOKEN_RE.findall(t) for t in texts]
    return [ids.get(t, 0) for toks in tokens for t in toks], [len(toks) for toks in tokens]


def _random_texts(rng: np.random.Generator, n: int) -> list[str]:
    alphabet = list("abcdekos8#+_.  ./-\n") + ["é", "’", "日", "ü", "🚀", "ß"]
    pieces = KNOWN + alphabet
    return ["".join(rng.choice(pieces, size=int(rng.integers(0, 60)))) for _ in range(n)]


@pytest.mark.parametrize("batch", [ODD, _random_texts(np.random.default_rng(7), 300)])
def test_token_ids_equal_regex_tokens_and_lookup(batch):
    lows = [t.lower() for t in batch]
    ids, counts = TokenIds(KNOWN).ids(lows)
    ref_ids, ref_counts = _reference(lows, KNOWN)
    assert counts.tolist() == ref_counts
    assert ids.tolist() == ref_ids


def test_token_ids_of_empty_batch_and_bad_known_tokens():
    ids, counts = TokenIds(KNOWN).ids([])
    assert ids.tolist() == [] and counts.tolist() == []
    with pytest.raises(ValueError, match="one word token"):
        TokenIds(["two words"])


def test_batch_matcher_equals_term_matcher_on_dense_overlapping_variants():
    m = TermMatcher()
    words = sorted({t for key in m.variant_tokens for t in key})
    token_id = {t: i for i, t in enumerate(words, 1)}
    bm = BatchMatcher(m, token_id, len(words) + 1)
    rng = np.random.default_rng(3)
    # texts built from pieces of real variants, so that long, nested and overlapping matches abound
    keys = [k for k in m.variant_tokens if len(k) > 1]
    docs = []
    for _ in range(200):
        toks: list[str] = []
        for _ in range(int(rng.integers(0, 12))):
            key = keys[int(rng.integers(len(keys)))]
            cut = int(rng.integers(1, len(key) + 1))
            toks += list(key[-cut:] if rng.random() < 0.3 else key[:cut]) + (["the"] if rng.random() < 0.2 else [])
        docs.append(toks)
    ids = np.asarray([token_id.get(t, 0) for toks in docs for t in toks], dtype=np.int64)
    doc_of = np.repeat(np.arange(len(docs)), [len(toks) for toks in docs])
    doc, term, at = bm.match(ids, doc_of)
    first = np.cumsum([len(toks) for toks in docs]) - [len(toks) for toks in docs]
    expected = [(i, idx, first[i] + a) for i, toks in enumerate(docs) for idx, a, _ in m.match_tokens(toks)]
    assert list(zip(doc.tolist(), term.tolist(), at.tolist())) == expected
    assert len(expected) > 500


@pytest.mark.parametrize("batch", [ODD, _random_texts(np.random.default_rng(11), 300)])
def test_lower_casing_in_bytes_equals_str_lower(batch):
    texts = [t.upper() if i % 2 else t.title() for i, t in enumerate(batch)] + ["ÉCOLE Über ÖL Ħ Ǆ Ω", "AWS CI/CD"]
    tid = TokenIds(KNOWN)
    got = tid.ids(texts, lower=True)
    lows = [t.lower() for t in texts]
    if any(len(a) != len(b) for a, b in zip(lows, texts)) or any("Σ" in t for t in texts):
        assert got is None  # such texts are lower-cased by str.lower
        texts = [t for t in texts if len(t.lower()) == len(t) and "Σ" not in t]
        lows = [t.lower() for t in texts]
        got = tid.ids(texts, lower=True)
    assert got is not None
    ref_ids, ref_counts = _reference(lows, KNOWN)
    assert got[1].tolist() == ref_counts
    assert got[0].tolist() == ref_ids


@pytest.mark.parametrize("text", ["İstanbul", "ΣΑΣ", "Ⱥ letter", "\u212a kelvin"])
def test_lower_casing_that_is_not_byte_for_byte_is_left_to_str_lower(text):
    assert TokenIds(KNOWN).ids(["plain text", text], lower=True) is None
    assert TokenIds(KNOWN).ids(["plain text", text.lower()]) is not None


def test_evidence_matches_of_the_batch_path_equal_the_matcher_on_each_text():
    from jobclassify.matcher import matcher_for
    from jobclassify.predict import get_default_model, predict_texts

    model = get_default_model()
    texts = [t for t in ODD if t] + ["İSTANBUL: CI/CD on AWS/Azure/GCP", "Google Cloud Platform and GCP, GKE"] * 2
    _, ev = predict_texts(model, texts, evidence=True, top=0)
    m = matcher_for(model.taxonomy)
    assert [e["matched"] for e in ev] == [m.summarize(t) for t in texts]
    assert any(e["matched"] for e in ev)
