"""SectionFilter and SectionFinder.drop: company sections leave the text the model reads.

SectionFilter returns text, so scikit-learn's numeric transformer checks are replaced here by the
same properties on text (pickling, idempotent fit, order and subset invariance, input types)."""

import pickle
import random

import numpy as np
import pandas as pd
import pytest

from jobclassify.section_filter import SectionFilter
from jobclassify.sections import KINDS, SectionFinder, load_section_phrases
from jobclassify.text import tokenize

PHRASES = load_section_phrases()
BODY_WORDS = "aws vpc jenkins canary pension wage team we build ship node.js c# ci cd terraform the and".split()
# (no word here is a header phrase on its own: a body line "salary" would start a company section)


def _posting(rng: random.Random) -> tuple[str, list[str]]:
    """A posting of sections with known headers, and the tokens left once company sections go."""
    lines, kept = [], []
    kind = "duties"  # text before any header counts as duties
    for _ in range(rng.randint(0, 6)):
        if lines and rng.random() < 0.6:
            kind = rng.choice(KINDS)
            phrase = rng.choice(PHRASES[kind])
            header = rng.choice([phrase.title(), phrase.upper(), phrase]) + rng.choice([":", ""])
            # not "# ": `#` is a token character (C#), so a markdown "# Header" is not found
            lines.append(rng.choice(["", "- ", "* ", "> ", "| "]) + header)
            if kind != "company":
                kept += tokenize(header)
        body = " ".join(rng.choice(BODY_WORDS) for _ in range(rng.randint(1, 12)))
        body = rng.choice(["", "- ", "• "]) + body + rng.choice(["", ".", ","])
        lines.append(body)
        if kind != "company":
            kept += tokenize(body)
    return "\n".join(lines), kept


def test_company_sections_leave_and_the_rest_stays_token_for_token():
    rng = random.Random(5)
    finder = SectionFinder(PHRASES)
    texts, expected = zip(*(_posting(rng) for _ in range(400)))
    out = finder.drop(list(texts), ["company"])
    assert [tokenize(t) for t in out] == list(expected)
    # a text without company headers is returned as it is
    for text, cut in zip(texts, out):
        if tokenize(text) == tokenize(cut):
            assert text == cut


def test_cut_text_splits_into_the_tokens_kept():
    """Cuts run from token start to token start, so no two kept tokens fuse (e.g. across a dot)."""
    finder = SectionFinder(PHRASES)
    text = "Ship node.js apps x.\nBenefits:\n.y pension\nSkills:\n.Net and C#"
    assert tokenize(finder.drop([text], ["company"])[0]) == [
        "ship",
        "node.js",
        "apps",
        "x",
        "skills",
        "net",
        "and",
        "c#",
    ]


def test_filter_is_a_plain_text_transformer():
    texts = ["Own CI/CD.\nAbout us:\nWe sell shoes.\nRequirements:\nJenkins", "Design AWS VPCs", ""]
    f = SectionFilter().fit(texts)
    out = f.transform(texts)
    assert out.dtype == object and out.shape == (3,)
    assert out.tolist() == ["Own CI/CD.\nRequirements:\nJenkins", "Design AWS VPCs", ""]
    assert f.fit_transform(texts).tolist() == out.tolist()
    # input types: list, array, Series; and a 2-D frame of text columns joined by line
    assert f.transform(np.asarray(texts, dtype=object)).tolist() == out.tolist()
    assert f.transform(pd.Series(texts)).tolist() == out.tolist()
    frame = pd.DataFrame({"a": ["Run AWS"], "b": ["Benefits:\nPension"]})
    assert SectionFilter().fit(frame).transform(frame).tolist() == ["Run AWS\n"]
    # pickling, refitting, order and subsets do not change a text's output
    again = pickle.loads(pickle.dumps(f))
    assert again.transform(texts).tolist() == out.tolist()
    assert SectionFilter().fit(texts).fit(texts[:1]).transform(texts).tolist() == out.tolist()
    assert f.transform(texts[::-1]).tolist() == out.tolist()[::-1]
    assert f.transform(texts[1:]).tolist() == out.tolist()[1:]
    # no kinds: texts pass unchanged
    assert SectionFilter(kinds=()).fit(texts).transform(texts).tolist() == texts


@pytest.mark.parametrize("kinds", ["company", ("company", "perks"), (1,)])
def test_bad_kinds_are_refused(kinds):
    with pytest.raises(ValueError, match="kinds"):
        SectionFilter(kinds=kinds).fit(["x"])
