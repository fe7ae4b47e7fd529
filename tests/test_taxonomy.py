import pytest

from jobclassify.matcher import TermMatcher
from jobclassify.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy

GOOD = """
[meta]
name = "mini"
[groups.cicd]
role = "devops"
kind = "duty"
label = "CI/CD"
terms = [{ term = "ci/cd", variants = ["ci-cd", "continuous integration"], weight = 2 }]
[groups.cloud]
role = "cloud"
terms = [{ term = "aws", variants = ["amazon web services"] }]
"""


def test_bundled_taxonomy_covers_the_article_groups():
    tax = load_taxonomy()
    assert {"devops", "cloud", "shared", "other"} <= tax.roles
    for gid in (
        "cicd",
        "release",
        "testing",
        "orchestration",
        "observability",
        "dev_workflow",
        "cloud_platforms",
        "architecture",
        "infra_building_blocks",
        "cloud_security",
        "resilience",
        "cost_performance",
        "multi_region",
        "iac",
        "containers",
        "automation",
        "devops_certs",
        "cloud_certs",
        "devops_titles",
        "cloud_titles",
    ):
        assert gid in tax.groups, gid
    names = {t.name for t in tax.terms}
    for tool in (
        "jenkins",
        "github actions",
        "argo cd",
        "helm",
        "prometheus",
        "ec2",
        "s3",
        "rds",
        "vpc",
        "iam",
        "entra id",
        "terraform",
        "kubernetes",
    ):
        assert tool in names, tool
    TermMatcher(tax)  # no variant belongs to two terms


def test_parse_minimal_and_defaults():
    tax = parse_taxonomy(GOOD)
    assert tax.name == "mini"
    t = tax.groups["cicd"].terms[0]
    assert t.weight == 2.0 and t.variants[0] == "ci/cd"
    assert tax.groups["cloud"].kind == "duty" and tax.groups["cloud"].terms[0].weight == 1.0
    assert len(tax.sha256) == 64


@pytest.mark.parametrize(
    "bad, message",
    [
        ("not = [valid", "not valid TOML"),
        ("[meta]\nname='x'", "at least one [groups"),
        (GOOD.replace('role = "devops"', 'role = "devs"'), "role must be one of"),
        (GOOD.replace('kind = "duty"', 'kind = "verb"'), "kind must be one of"),
        (GOOD.replace("weight = 2", "weight = -1"), "weight must be a number > 0"),
        (GOOD.replace("weight = 2", 'weight = "high"'), "weight must be a number > 0"),
        (GOOD.replace('term = "aws"', 'term = ""'), "must be a non-empty string"),
        (GOOD.replace('variants = ["amazon web services"]', "variants = []"), "non-empty list"),
        (GOOD + "\n[extra]\nx = 1\n", "unknown top-level keys"),
        (GOOD.replace('label = "CI/CD"', 'label = "CI/CD"\ncolour = "red"'), "unknown keys"),
    ],
)
def test_schema_errors_are_clear(bad, message):
    with pytest.raises(TaxonomyError, match=message.replace("[", r"\[")):
        parse_taxonomy(bad)


def test_variant_in_two_terms_is_rejected():
    text = GOOD.replace('variants = ["amazon web services"]', 'variants = ["ci-cd"]')
    with pytest.raises(TaxonomyError, match="belongs to two terms"):
        TermMatcher(parse_taxonomy(text))


def test_load_user_file(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(GOOD, encoding="utf-8")
    assert load_taxonomy(p).groups["cloud"].terms[0].name == "aws"
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.toml")
    p.write_bytes(b"\xff\xfe bad")
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        load_taxonomy(p)
