import numpy as np
import pytest

from jobclassify import KeywordClassifier
from jobclassify.sections import KINDS, SectionFinder, gap_flags, load_section_phrases, section_of
from jobclassify.text import TOKEN_RE, lower_same_length
from jobclassify.token_ids import TokenIds

POSTING = (
    "Acme builds payment software.\n"
    "What you'll do:\n- Own Jenkins CI/CD pipelines and canary releases\n- Improve developer experience\n"
    "Preferred qualifications:\n- Experience with AWS, Azure and Terraform\n"
    "Benefits:\n- Pension"
)


def _headers(text):
    finder = SectionFinder(load_section_phrases())
    doc, end, kind = finder.headers_in_texts([text])
    tokens = TOKEN_RE.findall(lower_same_length(text))
    return [(tokens[e - 1], KINDS[k]) for e, k in zip(end.tolist(), kind.tolist())]


def test_headers_begin_a_line_and_end_before_a_colon_or_line_break():
    # "experience" ends a bullet line but does not begin one: not a header; the longest phrase wins
    assert _headers(POSTING) == [("do", "duties"), ("qualifications", "requirements"), ("benefits", "company")]
    assert _headers("We need experience: lots of it") == []  # does not begin a line
    assert _headers("Skills and experience\nAWS") == [("experience", "requirements")]
    assert _headers("") == []


def test_tokens_before_the_first_header_are_duties_and_each_header_opens_a_section():
    doc = np.array([0, 0, 0, 1])
    pos = np.array([0, 5, 9, 2])
    idx, kind = section_of(doc, pos, np.array([0, 0]), np.array([4, 8]), np.array([1, 2]))
    assert idx.tolist() == [-1, 0, 1, -1] and kind.tolist() == [0, 1, 2, 0]


def test_section_phrases_are_checked():
    with pytest.raises(ValueError, match="lists"):
        load_section_phrases('duties = ["a"]')
    with pytest.raises(ValueError, match="two kinds"):
        load_section_phrases('duties = ["skills"]\nrequirements = ["Skills"]\ncompany = []')


def test_line_flags_of_the_byte_path_equal_those_of_the_text_path():
    rng = np.random.default_rng(5)
    pieces = ["Requirements", ":", "\n", " ", "- ", "aws", "Skills", ".", "#", "é", "node.js", "x", "*", "|", ">", ","]
    tid = TokenIds(["requirements", "aws", "skills"])
    for _ in range(400):
        texts = ["".join(rng.choice(pieces, size=int(rng.integers(0, 12)))) for _ in range(int(rng.integers(1, 4)))]
        ids, counts, start, end = tid.ids(texts, lower=True, lines=True)
        want = [gap_flags(low, [m.span() for m in TOKEN_RE.finditer(low)]) for low in map(lower_same_length, texts)]
        assert start.tolist() == [v for s, _ in want for v in s.tolist()]
        assert end.tolist() == [v for _, e in want for v in e.tolist()]


def test_requirements_sections_weigh_less_in_the_rules():
    texts = [POSTING, POSTING.replace("Preferred qualifications:", "Also:")]
    y = ["devops", "cloud"]
    half = KeywordClassifier(tune=False).fit(texts, y)
    full = KeywordClassifier(tune=False, requirements_weight=1.0).fit(texts, y)
    none = KeywordClassifier(tune=False, requirements_weight=None).fit(texts, y)
    r_half, r_full, r_none = (c._role_scores(texts) for c in (half, full, none))
    assert r_half[0, 1] < r_full[0, 1]  # the cloud terms sit in the requirements section
    assert np.allclose(r_half[0, 0], r_full[0, 0])  # the devops duties do not
    assert np.allclose(r_half[1], r_full[1])  # no requirements header in the second text
    with pytest.raises(ValueError, match="requirements_weight"):
        KeywordClassifier(requirements_weight=-1).fit(texts, y)
    old = KeywordClassifier(tune=False, requirements_weight=None).fit(texts, y)
    del old.requirements_weight  # as saved before sections existed
    assert np.allclose(old._role_scores(texts), r_none)


def test_compiled_model_with_damaged_section_headers_is_refused(tmp_path):
    from jobclassify.compiled import CompiledModel, CompiledModelError
    from jobclassify.predict import default_model_path

    with np.load(default_model_path().with_name("model.npz"), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    assert "rules_section_phrases" in arrays
    for bad in ("{not json", '{"duties": [1, 2]}', "[]"):
        arrays["rules_section_phrases"] = np.asarray(bad)
        with pytest.raises(CompiledModelError, match="damaged"):
            CompiledModel(arrays)
