import pytest

from jobclassify.matcher import TermMatcher
from jobclassify.taxonomy import parse_taxonomy

TAX = """
[groups.langs]
role = "other"
terms = [
  { term = "c#", variants = ["c#", "csharp"] },
  { term = ".net", variants = [".net", "dotnet"] },
  { term = "node.js", variants = ["node.js"] },
]
[groups.cicd]
role = "devops"
terms = [
  { term = "ci/cd", variants = ["ci/cd", "ci cd", "continuous integration"] },
  { term = "blue-green", variants = ["blue green"] },
]
[groups.cloud]
role = "cloud"
terms = [
  { term = "aws", variants = ["amazon web services"] },
  { term = "s3" },
  { term = "k8s", variants = ["kubernetes"] },
]
"""


@pytest.fixture(scope="module")
def m():
    return TermMatcher(parse_taxonomy(TAX))


def terms(m, text):
    return [h.term for h in m.find(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("laws and draws, flaws", []),
        ("AWS, aws; (Aws)", ["aws", "aws", "aws"]),
        ("awsome awss saws", []),
        ("Amazon  Web\nServices", ["aws"]),
        ("CI/CD, ci-cd, CI CD, CI / CD", ["ci/cd"] * 4),
        ("ci_cd is one token (snake_case names stay whole)", []),
        ("cicd is not listed", []),
        ("Continuous-Integration", ["ci/cd"]),
        ("C# developer, c#/.NET", ["c#", "c#", ".net"]),
        ("abc# and xc#", []),
        ("ASP.NET core", []),
        ("Node.js and node.jsx", ["node.js"]),
        ("K8S, k8s-native, mk8s", ["k8s", "k8s"]),
        ("s3 buckets, s3:// and ds3", ["s3", "s3"]),
        ("blue-green and blue green and bluegreen", ["blue-green", "blue-green"]),
        ("", []),
    ],
)
def test_boundaries(m, text, expected):
    assert terms(m, text) == expected


def test_spans_and_text(m):
    text = "Deploy to AWS via CI/CD."
    hits = m.find(text)
    assert [(text[h.start : h.end], h.role, h.group) for h in hits] == [
        ("AWS", "cloud", "cloud"),
        ("CI/CD", "devops", "cicd"),
    ]


def test_summary_counts(m):
    s = m.summarize("aws AWS s3 ci/cd")
    assert s == {"cloud": {"cloud": {"aws": 2, "s3": 1}}, "devops": {"cicd": {"ci/cd": 1}}}


def test_unicode_text_keeps_spans(m):
    text = "İstanbul team: ci/cd on aws"
    hits = m.find(text)
    assert [h.term for h in hits] == ["ci/cd", "aws"]
    assert all(text[h.start : h.end].lower() in ("ci/cd", "aws") for h in hits)
