"""``KeywordClassifier``: the taxonomy as a transparent rule-based classifier."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import f1_score
from sklearn.utils.validation import check_is_fitted

from ._estimator_input import texts_and_labels_for_fit, texts_for_predict
from .labels import LABELS
from .matcher import matcher_for
from .rules import rule_proba, rule_scores, rule_softmax
from .sections import SectionFinder, load_section_phrases, section_of, section_weights
from .taxonomy_scores import (
    check_window,
    matches_at,
    matches_of,
    role_scores,
    window_params,
    window_role_scores,
)

_GRID_MIN_SCORE = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 13.0, 16.0, 20.0)
_GRID_RATIO = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
_GRID_OTHER = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
_GRID_TEMPERATURE = (0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0)


class KeywordClassifier(ClassifierMixin, BaseEstimator):
    """Rule baseline: weighted taxonomy evidence decides the label.

    For each text the devops, cloud and other role scores are sums of matched term weights (each
    damped as ``weight * (1 + log(count))``), taken over windows of ``window`` tokens: each
    window's score ``s`` counts as ``window_scale * s ** window_power``, so a list of tools crowded
    into one line weighs less than duties spread over the posting (``window=None`` scores the whole
    text at once). The label with the highest rule score wins:

    * ``devops``: the devops score; ``cloud``: the cloud score;
    * ``hybrid``: ``min(devops, cloud) / hybrid_ratio`` (wins when the weaker side is at least
      ``hybrid_ratio`` of the stronger);
    * ``other``: ``max(min_score, other_weight * other score)`` (wins when neither side reaches
      ``min_score`` or when the other-role evidence outweighs them).

    ``fit`` tunes ``min_score``, ``hybrid_ratio`` and ``other_weight`` on labelled texts by grid
    search for macro-F1 (unless ``tune=False``) and a softmax temperature for ``predict_proba``.

    Parameters
    ----------
    taxonomy : str or None, default=None
        Taxonomy TOML text; ``None`` uses the bundled taxonomy.
    min_score, hybrid_ratio, other_weight : float
        Rule thresholds used as given when ``tune=False``; starting values otherwise.
    tune : bool or collection of str, default=True
        Search the thresholds on the training data in ``fit``: all three (``True``), none
        (``False``), or only those named (e.g. ``("min_score", "other_weight")``, keeping
        ``hybrid_ratio`` as given).
    window : int or None, default=20
        Window length in tokens; ``None`` scores each text as one window, without damping.
    window_power, window_scale : float, default=0.7 and 2.0
        Each window's role score ``s`` counts as ``window_scale * s ** window_power``.
        Chosen on real postings labelled by content (``benchmarks/labels``): windows of 15-30
        tokens with powers 0.5-0.8 all beat whole-text scores there, on dev_weak's title labels
        and on devgold.
    requirements_weight : float or None, default=0.5
        Weight of matches in a posting's requirements sections ("Requirements:", "What you'll
        bring:", see :mod:`jobclassify.sections`); duties and company sections weigh 1. Windows
        do not cross section headers. ``None`` (or ``window=None``) ignores sections.

    Examples
    --------
    >>> clf = KeywordClassifier(tune=False).fit(["a", "b", "c", "d"], ["cloud", "devops", "hybrid", "other"])
    >>> clf.predict(["Build Jenkins CI/CD pipelines, canary releases and Helm deployments."]).tolist()
    ['devops']
    """

    def __init__(
        self,
        taxonomy: str | None = None,
        min_score: float = 4.0,
        hybrid_ratio: float = 0.5,
        other_weight: float = 1.0,
        tune: bool = True,
        window: int | None = 20,
        window_power: float = 0.7,
        window_scale: float = 2.0,
        requirements_weight: float | None = 0.5,
    ) -> None:
        self.taxonomy = taxonomy
        self.min_score = min_score
        self.hybrid_ratio = hybrid_ratio
        self.other_weight = other_weight
        self.tune = tune
        self.window = window
        self.window_power = window_power
        self.window_scale = window_scale
        self.requirements_weight = requirements_weight

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    # -- scoring ---------------------------------------------------------------------------------
    def _role_scores(self, texts: list[str]) -> np.ndarray:
        """``(n, 3)`` array of damped devops, cloud and other scores."""
        m = matcher_for(getattr(self, "taxonomy_text_", self.taxonomy))
        window = window_params(self)
        if window is None:
            return role_scores(*matches_of(texts, m), len(texts), m)
        doc, term, start = matches_at(texts, m)
        weights = section_weights(self)
        sections = None
        if weights is not None:
            headers = SectionFinder(self.section_phrases_).headers_in_texts(texts)
            sections = (section_of(doc, start, *headers), weights)
        return window_role_scores(doc, term, start, len(texts), m, window, sections)

    _rule_scores = staticmethod(rule_scores)
    _softmax = staticmethod(rule_softmax)

    # -- API ---------------------------------------------------------------------------------
    def _tuned_names(self) -> set[str]:
        names = ("min_score", "hybrid_ratio", "other_weight")
        if isinstance(self.tune, bool):
            return set(names) if self.tune else set()
        if isinstance(self.tune, str) or not all(t in names for t in self.tune):
            raise ValueError(f"tune must be True, False or a collection of {names}, got {self.tune!r}")
        return set(self.tune)

    def fit(self, X: Any, y: Any) -> KeywordClassifier:
        """Tune the rule thresholds (and the probability temperature) on labelled texts.

        ``y`` normally holds the four labels. Any other class labels are accepted too: each rule
        outcome then stands for the class most often seen with it in training (see ``rule_to_class_``).
        """
        texts, y = texts_and_labels_for_fit(self, X, y)
        for name in ("min_score", "hybrid_ratio", "other_weight"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise ValueError(f"{name} must be a number > 0, got {v!r}")
        check_window(self)
        rw = self.requirements_weight
        if rw is not None and (isinstance(rw, bool) or not isinstance(rw, (int, float)) or not rw >= 0):
            raise ValueError(f"requirements_weight must be None or a number >= 0, got {rw!r}")
        if rw is not None:
            self.section_phrases_ = load_section_phrases()  # saved models keep the headers they used
        self.classes_ = np.unique(y)
        self.taxonomy_text_ = matcher_for(self.taxonomy).taxonomy.source  # saved models keep their taxonomy
        role = self._role_scores(texts)
        rule_labels = np.asarray(LABELS, dtype=object)
        standard = set(map(str, self.classes_)) <= set(LABELS)
        best = (self.min_score, self.hybrid_ratio, self.other_weight)
        tuned = self._tuned_names()
        if tuned and standard and len(self.classes_) > 1:
            best_f1 = -1.0
            ys = y.astype(object)
            grid_ms = _GRID_MIN_SCORE if "min_score" in tuned else (self.min_score,)
            grid_r = _GRID_RATIO if "hybrid_ratio" in tuned else (self.hybrid_ratio,)
            grid_ow = _GRID_OTHER if "other_weight" in tuned else (self.other_weight,)
            for ms in grid_ms:
                for r in grid_r:
                    for ow in grid_ow:
                        pred = rule_labels[self._rule_scores(role, ms, r, ow).argmax(axis=1)]
                        f1 = f1_score(ys, pred, labels=list(LABELS), average="macro", zero_division=0)
                        if f1 > best_f1 + 1e-12:
                            best, best_f1 = (ms, r, ow), f1
        self.min_score_, self.hybrid_ratio_, self.other_weight_ = (float(v) for v in best)
        scores = self._rule_scores(role, *best)
        rule_pred = scores.argmax(axis=1)
        # which class each of the four rule outcomes stands for
        majority = self.classes_[np.argmax([np.sum(y == c) for c in self.classes_])]
        mapping = []
        for k, name in enumerate(LABELS):
            if name in set(map(str, self.classes_)):
                mapping.append(int(np.flatnonzero(self.classes_.astype(str) == name)[0]))
            else:
                seen = y[rule_pred == k]
                top = majority if len(seen) == 0 else max(self.classes_, key=lambda c: np.sum(seen == c))
                mapping.append(int(np.flatnonzero(self.classes_ == top)[0]))
        self.rule_to_class_ = np.asarray(mapping)
        idx = np.searchsorted(self.classes_, y)
        best_t, best_loss = 1.0, math.inf
        for t in _GRID_TEMPERATURE:
            p = self._class_proba(scores, t)[np.arange(len(y)), idx]
            loss = float(-np.mean(np.log(np.clip(p, 1e-12, None))))
            if loss < best_loss:
                best_t, best_loss = t, loss
        self.temperature_ = best_t
        return self

    def _class_proba(self, scores: np.ndarray, temperature: float) -> np.ndarray:
        p4 = self._softmax(scores, temperature)
        out = np.zeros((len(scores), len(self.classes_)))
        for k in range(len(LABELS)):
            out[:, self.rule_to_class_[k]] += p4[:, k]
        return out

    def role_proba(self, role: np.ndarray) -> np.ndarray:
        """Class probabilities from role scores ``(n, 3)`` (devops, cloud, other)."""
        check_is_fitted(self, "classes_")
        return rule_proba(
            role,
            self.min_score_,
            self.hybrid_ratio_,
            self.other_weight_,
            self.temperature_,
            self.rule_to_class_,
            len(self.classes_),
        )

    def rule_scores(self, X: Any) -> np.ndarray:
        """Rule score of each of the four labels, ``(n, 4)`` in the order cloud, devops, hybrid, other."""
        check_is_fitted(self, "classes_")
        role = self._role_scores(texts_for_predict(self, X))
        return self._rule_scores(role, self.min_score_, self.hybrid_ratio_, self.other_weight_)

    def predict(self, X: Any) -> np.ndarray:
        """The label whose rule score is highest."""
        check_is_fitted(self, "classes_")
        return self.classes_[self.rule_to_class_[self.rule_scores(X).argmax(axis=1)]]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Softmax of the log rule scores with the fitted temperature, per class in ``classes_``."""
        check_is_fitted(self, "classes_")
        return self._class_proba(self.rule_scores(X), self.temperature_)

    def explain(self, text: str) -> dict[str, Any]:
        """The evidence behind one decision: role scores, rule scores and matched terms."""
        check_is_fitted(self, "classes_")
        role = self._role_scores([text])[0]
        rule = self._rule_scores(role[None, :], self.min_score_, self.hybrid_ratio_, self.other_weight_)[0]
        return {
            "label": str(self.classes_[self.rule_to_class_[int(rule.argmax())]]),
            "role_scores": dict(zip(("devops", "cloud", "other"), map(float, role))),
            "rule_scores": dict(zip(map(str, self.classes_), map(float, rule))),
            "matched": matcher_for(self.taxonomy_text_).summarize(text),
        }
