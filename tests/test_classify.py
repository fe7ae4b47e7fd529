import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from jobclassify import LABELS, Prediction, classify
from jobclassify.predict import get_default_model

DEVOPS = (
    "We are hiring a DevOps Engineer to own our CI/CD: Jenkins and GitHub Actions pipelines that build, "
    "test and deploy on every commit, canary and blue-green releases with Argo CD and Helm, "
    "rollbacks, and Prometheus/Grafana monitoring of application performance with the dev teams."
)
CLOUD = (
    "As Cloud Engineer you design our AWS architecture: multi-account landing zone, VPC networking, "
    "Transit Gateway, IAM least privilege, KMS encryption, RDS vs self-managed databases, backup and "
    "disaster recovery across regions, and cost optimisation with savings plans."
)


def test_single_posting_returns_prediction_with_evidence():
    p = classify(DEVOPS)
    assert isinstance(p, Prediction)
    assert p.label in LABELS and p.status == "ok"
    assert set(p.probabilities) == set(LABELS)
    assert math.isclose(sum(p.probabilities.values()), 1.0, rel_tol=1e-6)
    assert p.confidence == max(p.probabilities.values())
    assert "jenkins" in p.evidence["matched"]["devops"]["cicd_tools"]
    assert p.evidence["top_features"], "the model features that weighed should be listed"
    assert p.label == "devops"
    assert classify(CLOUD).label == "cloud"


def test_title_is_optional_extra_input():
    text = "You will keep our platform healthy and automate what you can."
    a, b = classify(text), classify(text, title="Cloud DevOps Engineer (AWS)")
    assert a.probabilities != b.probabilities
    assert "devops_titles" in b.evidence["matched"].get("devops", {})


def test_list_matches_single_calls_and_keeps_order():
    texts = [CLOUD, DEVOPS, "Registered nurse for night shifts in a busy ward."]
    batch = classify(texts)
    assert [p.label for p in batch] == [classify(t).label for t in texts]
    for p, t in zip(batch, texts):
        assert p.probabilities == pytest.approx(classify(t).probabilities)


@pytest.mark.parametrize("bad", [None, float("nan"), "", "   \n\t", 42, ["x"][0:0]])
def test_bad_single_input_raises_clear_value_error(bad):
    if isinstance(bad, list):
        assert classify(bad) == []
        return
    with pytest.raises(ValueError, match="cannot classify"):
        classify(bad)


def test_bad_rows_in_a_batch_get_a_status_not_a_crash():
    rows = [DEVOPS, None, float("nan"), "", "  ", 3.5, {"a": 1}, "<p>Jenkins&nbsp;<b>CI/CD</b> pipelines</p>"]
    out = classify(rows)
    assert len(out) == len(rows)
    assert [p.status for p in out] == ["ok", "empty", "empty", "empty", "empty", "not_text", "not_text", "ok"]
    for p in out[1:7]:
        assert p.label is None and math.isnan(p.confidence)
    assert out[7].evidence["matched"]["devops"]["cicd"] == {"build pipeline": 1}  # "CI/CD pipelines"


def test_huge_text_is_truncated_not_fatal():
    big = (DEVOPS + " ") * (5_000_000 // len(DEVOPS))
    p = classify([big])[0]
    assert p.status == "truncated" and p.label in LABELS


def test_dataframe_in_dataframe_out():
    df = pd.DataFrame(
        {"title": ["DevOps Engineer", None, "Cloud Engineer", "x"], "description": [DEVOPS, "", CLOUD, None]},
        index=[10, 20, 30, 40],
    )
    out = classify(df, text="description", title="title")
    assert list(out.index) == [10, 20, 30, 40]
    assert list(out.columns[:2]) == ["title", "description"]
    pd.testing.assert_frame_equal(out[["title", "description"]], df)
    for col in ("label", "confidence", *(f"p_{c}" for c in LABELS), "status"):
        assert col in out.columns
    assert out.loc[10, "label"] == "devops" and out.loc[30, "label"] == "cloud"
    assert out.loc[20, "status"] == "empty" and pd.isna(out.loc[20, "label"]) and np.isnan(out.loc[40, "p_cloud"])
    probs = out.loc[[10, 30], [f"p_{c}" for c in LABELS]].sum(axis=1)
    assert np.allclose(probs, 1.0)


def test_dataframe_with_label_column_is_not_overwritten():
    df = pd.DataFrame({"description": [DEVOPS], "label": ["mine"]})
    out = classify(df)
    assert out["label"].tolist() == ["mine"] and out["jc_label"].tolist() == ["devops"]


def test_dataframe_missing_column_is_clear():
    with pytest.raises(KeyError, match="text column 'body' not in the DataFrame"):
        classify(pd.DataFrame({"description": ["x"]}), text="body")


def test_model_argument_takes_object_or_path(tmp_path):
    from jobclassify import load_model, save_model
    from jobclassify.predict import default_model_path

    pipeline = load_model(default_model_path())  # the scikit-learn form of the bundled model
    assert classify(DEVOPS, model=pipeline).label == classify(DEVOPS).label
    path = tmp_path / "m.skops"
    save_model(pipeline, path)
    assert classify(DEVOPS, model=str(path)).probabilities == pytest.approx(classify(DEVOPS).probabilities)
    assert classify(DEVOPS, model=str(default_model_path().with_name("model.npz"))).label == "devops"


def test_compiled_model_matches_the_pipeline():
    from jobclassify import load_model
    from jobclassify.corpus import load_corpus
    from jobclassify.predict import default_model_path
    from jobclassify.text import prepare

    pipeline = load_model(default_model_path())
    texts, _ = prepare(load_corpus()["description"].tolist()[:300] + [DEVOPS, CLOUD, "x"], None)
    a = pipeline.predict_proba(texts)
    b = get_default_model().predict_proba(texts)
    assert np.abs(a - b).max() < 1e-6


def test_default_model_is_loaded_once():
    assert get_default_model() is get_default_model()


@pytest.mark.parametrize("head", ["multinomial", "factorised"])
def test_compiled_model_matches_other_heads_and_odd_text(head):
    """Both heads compile; the batch path equals the pipeline on odd text (lower-casing that
    changes length, slashes, one text at a time and many at once)."""
    from jobclassify.compiled import CompiledModel, compile_pipeline
    from jobclassify.corpus import load_corpus
    from jobclassify.pipeline import build_pipeline

    df = load_corpus().groupby("label").head(40)
    pipe = build_pipeline(head=head, cv=3).fit(df["description"].tolist(), df["label"].tolist())
    compiled = CompiledModel(compile_pipeline(pipe))
    texts = [DEVOPS, CLOUD, "İSTANBUL team: CI/CD on AWS/Azure/GCP", "blue/green", "", "aws " * 50]
    texts.append("ÉCOLE ΣΑΣ Ⱥ KUBERNETES")
    texts += df["description"].tolist()[:40]
    a = pipe.predict_proba(texts)
    assert np.abs(a - compiled.predict_proba(texts)).max() < 1e-6
    one_by_one = np.vstack([compiled.predict_proba([t]) for t in texts[:7]])
    assert np.abs(a[:7] - one_by_one).max() < 1e-6


@pytest.mark.parametrize(
    "rules_window,features_window,requirements_weight,drop",
    [
        (5, 20, None, ("company",)),
        (None, 20, 0.5, ("company",)),
        (5, None, 0.5, None),
        (20, 20, None, None),
        (20, 20, 0.3, ("company", "requirements")),
    ],
)
def test_compiled_rule_blend_with_windowed_rules_and_odd_text(rules_window, features_window, requirements_weight, drop):
    """The compiled model scores the rules and the taxonomy features over the same token windows
    and sections as KeywordClassifier and TaxonomyFeatures, and leaves out of the model's text the
    same sections as SectionFilter, in the batch path and for texts lower-cased one at a time."""
    from jobclassify import KeywordClassifier
    from jobclassify.compiled import CompiledModel, compile_pipeline
    from jobclassify.corpus import load_corpus
    from jobclassify.pipeline import build_pipeline
    from jobclassify.rule_blend import RuleBlend

    df = load_corpus().groupby("label").head(40)
    rules = KeywordClassifier(window=rules_window, window_power=0.6, requirements_weight=requirements_weight)
    model = build_pipeline(cv=3, taxonomy_window=features_window, drop_sections=drop)
    blend = RuleBlend(model=model, rules=rules, rules_weight=0.7)
    blend.fit(df["description"].tolist(), df["label"].tolist())
    compiled = CompiledModel(compile_pipeline(blend))
    assert compiled.rules_window == (None if rules_window is None else (rules_window, 0.6, 2.0))
    assert compiled.taxonomy_window == (None if features_window is None else (features_window, 0.7, 2.0))
    with_sections = "Build CI/CD pipelines.\nRequirements:\n- AWS, Azure, VPC and IAM\nBenefits:\n- Jenkins gym"
    texts = [DEVOPS, CLOUD, "İSTANBUL team: CI/CD on AWS/Azure/GCP " * 3, "ÉCOLE ΣΑΣ Ⱥ\nSkills:\nKUBERNETES jenkins"]
    texts += ["", with_sections, "İ\n" + with_sections] + df["description"].tolist()[:30]
    texts += ["About us:\nWe run ÇOK big AWS estates\nResponsibilities:\nJenkins pipelines\nPay:\nAWS VPC IAM"]
    if requirements_weight is not None and rules_window is not None:
        assert compiled.rules_sections == (1.0, requirements_weight, 1.0)
    assert compiled.model_drop == (list(drop) if drop else None)
    a = blend.predict_proba(texts)
    assert np.abs(a - compiled.predict_proba(texts)).max() < 1e-6
    one_by_one = np.vstack([compiled.predict_proba([t]) for t in texts[:7]])
    assert np.abs(a[:7] - one_by_one).max() < 1e-6
    slow = CompiledModel(compile_pipeline(blend))
    slow._features = slow._features_slow  # the general path gives the same
    assert np.abs(a - slow.predict_proba(texts)).max() < 1e-6


def test_compiled_model_drops_sections_whose_headers_differ_from_the_rules():
    """When the model's section headers are not the rules', the compiled model looks for them in
    every text; a damaged list of kinds is refused."""
    from jobclassify.compiled import CompiledModel, CompiledModelError, compile_pipeline
    from jobclassify.corpus import load_corpus
    from jobclassify.pipeline import build_pipeline
    from jobclassify.rule_blend import RuleBlend

    df = load_corpus().groupby("label").head(30)
    blend = RuleBlend(model=build_pipeline(cv=3)).fit(df["description"].tolist(), df["label"].tolist())
    cut = blend.model_.named_steps["sections"]
    cut.section_phrases_ = {"duties": [], "requirements": [], "company": ["perks", "about us"]}
    arrays = compile_pipeline(blend)
    compiled = CompiledModel(arrays)
    texts = ["Run AWS.\nPerks:\nJenkins CI/CD\nBenefits:\nCanary releases", "About us:\nAzure VNets", "x"]
    texts += df["description"].tolist()[:20]
    assert compiled.predict_proba(texts[:1]).shape == (1, 4) and compiled._tables["model_filter_all"]
    assert np.abs(blend.predict_proba(texts) - compiled.predict_proba(texts)).max() < 1e-6
    for bad in (np.asarray(["company", "perks"]), np.asarray(["duties"])):
        broken = dict(arrays, model_drop_kinds=bad)
        if bad.tolist() == ["duties"]:
            broken.pop("model_section_phrases")
        with pytest.raises(CompiledModelError):
            CompiledModel(broken)


def test_the_default_model_classifies_without_importing_scikit_learn(tmp_path):
    """Start-up time: the compiled default model needs NumPy only (importing scikit-learn costs
    about a second and 150 MB). A check that imported it for every posting slipped in once."""
    csv_in = tmp_path / "in.csv"
    csv_in.write_text("description\nBuild Jenkins pipelines and canary releases\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from jobclassify import classify\n"
        "from jobclassify.cli import main\n"
        "p = classify('Design AWS VPC networking and IAM')\n"
        "assert p.label and p.evidence, p\n"
        f"assert main(['label', {str(csv_in)!r}, '-o', {str(tmp_path / 'out.csv')!r}, '--quiet']) == 0\n"
        "assert main(['classify', 'Own CI/CD pipelines']) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
