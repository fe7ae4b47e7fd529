"""``RuleBlend``: the learned model and the keyword rules, their probabilities averaged.

The taxonomy serves twice — as features of the learned pipeline and as the rules of
:class:`~jobclassify.keyword_classifier.KeywordClassifier` — and the two err differently on real
postings: the rules hold on to sparse role evidence that the model, trained on written postings,
discounts; the model reads context the rules cannot. ``RuleBlend`` averages their probabilities.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._estimator_input import texts_and_labels_for_fit, texts_for_predict


class RuleBlend(ClassifierMixin, BaseEstimator):
    """``(1 - rules_weight) * model + rules_weight * rules``, both fitted on the same texts.

    Parameters
    ----------
    model : estimator, optional
        A text classifier with ``predict_proba``; ``build_pipeline()`` by default.
    rules : KeywordClassifier, optional
        The rules; by default ``KeywordClassifier(hybrid_ratio=0.8, tune=("min_score",
        "other_weight"))``, the project's keyword baseline.
    rules_weight : float, default=0.6
        The rules' share of the blended probabilities, in ``[0, 1]``.

    Attributes
    ----------
    model_, rules_ : the fitted parts
    classes_ : ndarray

    Examples
    --------
    >>> from jobclassify.keyword_classifier import KeywordClassifier
    >>> texts = ["Jenkins CI/CD pipelines and canary releases", "AWS VPC, IAM and disaster recovery",
    ...          "Registered nurse, night shifts", "Own AWS landing zones and the GitLab CI pipelines"] * 5
    >>> y = ["devops", "cloud", "other", "hybrid"] * 5
    >>> blend = RuleBlend(model=KeywordClassifier(tune=False), rules_weight=0.5).fit(texts, y)
    >>> blend.predict(["Helm deployments and blue-green releases from Jenkins"]).tolist()
    ['devops']
    """

    def __init__(self, model: Any = None, rules: Any = None, rules_weight: float = 0.6) -> None:
        self.model = model
        self.rules = rules
        self.rules_weight = rules_weight

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any) -> RuleBlend:
        from .keyword_classifier import KeywordClassifier
        from .pipeline import build_pipeline

        texts, y = texts_and_labels_for_fit(self, X, y)
        w = self.rules_weight
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0.0 <= w <= 1.0:
            raise ValueError(f"rules_weight must be a number in [0, 1], got {w!r}")
        if len(texts) < 2:
            raise ValueError("RuleBlend needs at least 2 samples to fit, got 1 sample.")
        model = build_pipeline() if self.model is None else clone(self.model)
        rules = (
            KeywordClassifier(hybrid_ratio=0.8, tune=("min_score", "other_weight"))
            if self.rules is None
            else clone(self.rules)
        )
        self.model_ = model.fit(texts, y)
        self.rules_ = rules.fit(texts, y)
        self.classes_ = np.asarray(self.model_.classes_)
        if [str(c) for c in self.rules_.classes_] != [str(c) for c in self.classes_]:
            raise ValueError("the model and the rules learned different classes")
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Blended class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self, "classes_")
        texts = texts_for_predict(self, X)
        w = float(self.rules_weight)
        return (1.0 - w) * np.asarray(self.model_.predict_proba(texts)) + w * self.rules_.predict_proba(texts)

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]
