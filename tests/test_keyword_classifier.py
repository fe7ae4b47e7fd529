import numpy as np
import pytest

from jobclassify import KeywordClassifier

TEXTS = [
    "Own Jenkins and GitHub Actions CI/CD pipelines, canary releases, Helm deployments and rollbacks.",
    "Release engineering: build pipelines, feature flags, automated testing, Argo CD GitOps.",
    "Design AWS landing zones, VPC networking, IAM guardrails, disaster recovery and cost optimisation.",
    "Azure architecture: VNets, ExpressRoute, Entra ID, Azure Policy, backup, multi-region failover.",
    "Design and run our AWS VPC, IAM and DR, and own the Jenkins CI/CD pipelines and canary releases.",
    "Azure landing zones and cost optimisation plus Azure Pipelines CI/CD and blue-green deployments.",
    "Registered nurse for the cardiology ward, night shifts.",
    "Senior Java software engineer building REST APIs and React front ends.",
]
Y = ["devops", "devops", "cloud", "cloud", "hybrid", "hybrid", "other", "other"]


def test_fit_tunes_and_predicts_the_obvious_cases():
    clf = KeywordClassifier().fit(TEXTS, Y)
    assert list(clf.classes_) == ["cloud", "devops", "hybrid", "other"]
    assert (clf.predict(TEXTS) == np.asarray(Y)).mean() >= 0.75
    proba = clf.predict_proba(TEXTS)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (clf.classes_[proba.argmax(axis=1)] == clf.predict(TEXTS)).all()
    assert clf.min_score_ > 0 and 0 < clf.hybrid_ratio_ < 1 and clf.temperature_ > 0


def test_untuned_rules_use_the_given_thresholds():
    clf = KeywordClassifier(min_score=2.0, hybrid_ratio=0.6, other_weight=1.0, tune=False).fit(TEXTS, Y)
    assert (clf.min_score_, clf.hybrid_ratio_, clf.other_weight_) == (2.0, 0.6, 1.0)


def test_tuning_only_some_thresholds_keeps_the_others():
    clf = KeywordClassifier(hybrid_ratio=0.73, other_weight=1.1, tune=("min_score",)).fit(TEXTS, Y)
    assert (clf.hybrid_ratio_, clf.other_weight_) == (0.73, 1.1)
    full = KeywordClassifier().fit(TEXTS, Y)
    assert clf.min_score_ in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 13.0, 16.0, 20.0)
    assert full.hybrid_ratio_ != 0.73
    with pytest.raises(ValueError, match="tune must be"):
        KeywordClassifier(tune=("ratio",)).fit(TEXTS, Y)


def test_explain_lists_the_evidence():
    clf = KeywordClassifier(tune=False).fit(TEXTS, Y)
    ex = clf.explain(TEXTS[2])
    assert ex["label"] == "cloud"
    assert ex["role_scores"]["cloud"] > ex["role_scores"]["devops"]
    assert "vpc" in ex["matched"]["cloud"]["cloud_services"]


def test_two_column_input_is_joined():
    import pandas as pd

    df = pd.DataFrame({"title": ["DevOps Engineer", "Nurse"], "description": ["Jenkins CI/CD pipelines", "ward care"]})
    clf = KeywordClassifier(tune=False).fit(df, ["devops", "other"])
    assert clf.n_features_in_ == 2 and list(clf.feature_names_in_) == ["title", "description"]
    assert list(clf.predict(df)) == ["devops", "other"]


def test_window_scores_add_up_damped_windows():
    from jobclassify.matcher import TermMatcher
    from jobclassify.taxonomy_scores import matches_at, role_scores, window_role_scores

    m = TermMatcher()
    texts = TEXTS + ["", "aws " * 30 + "jenkins ci/cd " * 5]
    d, t, a = matches_at(texts, m)
    whole = role_scores(d, t, len(texts), m)
    # one window longer than any text, undamped: the whole-text scores
    assert np.allclose(window_role_scores(d, t, a, len(texts), m, (10_000, 1.0, 1.0)), whole)
    # windows of one token, undamped: each match scored alone (weight, no count damping)
    single = window_role_scores(d, t, a, len(texts), m, (1, 1.0, 1.0))
    assert single[-1, 1] > whole[-1, 1] and single[-2].sum() == 0
    # the classifier's role scores are the window scores of its parameters
    clf = KeywordClassifier(window=3, window_power=0.5, window_scale=1.5, tune=False).fit(TEXTS, Y)
    assert np.allclose(clf._role_scores(texts), window_role_scores(d, t, a, len(texts), m, (3, 0.5, 1.5)))
    assert np.allclose(KeywordClassifier(window=None, tune=False).fit(TEXTS, Y)._role_scores(texts), whole)


@pytest.mark.parametrize(
    "kwargs", [{"window": 0}, {"window": 2.5}, {"window": True}, {"window_power": 0}, {"window_scale": -1.0}]
)
def test_bad_window_parameters_are_refused(kwargs):
    with pytest.raises(ValueError, match="window"):
        KeywordClassifier(**kwargs).fit(TEXTS, Y)


def test_models_saved_without_window_parameters_score_whole_texts():
    """A KeywordClassifier pickled before windows existed has no ``window`` attribute."""
    from jobclassify.taxonomy_scores import window_params

    clf = KeywordClassifier(window=None, tune=False).fit(TEXTS, Y)
    old = KeywordClassifier(window=None, tune=False).fit(TEXTS, Y)
    for name in ("window", "window_power", "window_scale"):
        delattr(old, name)
    assert window_params(old) is None
    assert np.allclose(old.predict_proba(TEXTS), clf.predict_proba(TEXTS))


def test_taxonomy_features_use_window_role_scores_only_for_role_columns():
    from jobclassify.taxonomy_features import TaxonomyFeatures

    texts = TEXTS + ["aws azure gcp jenkins terraform kubernetes docker ci/cd " * 3]
    whole = TaxonomyFeatures(window=None).fit(texts)
    windowed = TaxonomyFeatures(window=4, window_power=0.5).fit(texts)
    a, b = whole.transform(texts).toarray(), windowed.transform(texts).toarray()
    names = list(whole.get_feature_names_out())
    assert names == list(windowed.get_feature_names_out())
    role_like = [i for i, n in enumerate(names) if n.split(":")[0] in ("role", "mix", "share")]
    rest = [i for i in range(len(names)) if i not in role_like]
    assert np.allclose(a[:, rest], b[:, rest])  # terms and groups do not change
    assert not np.allclose(a[:, role_like], b[:, role_like])
    old = TaxonomyFeatures(window=None).fit(texts)
    for name in ("window", "window_power", "window_scale"):
        delattr(old, name)  # as saved before windows existed
    assert np.allclose(old.transform(texts).toarray(), a)
    with pytest.raises(ValueError, match="window"):
        TaxonomyFeatures(window=0).fit(texts)
