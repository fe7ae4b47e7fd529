"""``FactorisedClassifier``: classes as combinations of yes/no duties, one binary model per duty.

The four labels are not four unrelated topics: a ``hybrid`` role has the duties of a ``devops``
role *and* of a ``cloud`` role, and ``other`` has neither. Learning "has delivery duties" and
"has cloud-infrastructure duties" as two binary heads lets every devops and hybrid posting teach
the first head and every cloud and hybrid posting teach the second, instead of asking one
multinomial model to carve ``hybrid`` out as a class of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


class FactorisedClassifier(ClassifierMixin, BaseEstimator):
    """Probabilities of classes built from binary "factor" heads.

    Each factor is a set of classes; its head is a logistic regression (probabilities calibrated
    with ``CalibratedClassifierCV``, sigmoid) that predicts whether a sample's class is in the
    set. A class's score is the product over factors of ``p`` (class in the set) or ``1 - p``
    (not in it); scores are normalised to sum to one. With ``factors=[("devops", "hybrid"),
    ("cloud", "hybrid")]``: ``P(hybrid) ∝ p_devops * p_cloud``, ``P(devops) ∝ p_devops * (1 -
    p_cloud)``, ``P(cloud) ∝ (1 - p_devops) * p_cloud`` and ``P(other) ∝ (1 - p_devops) * (1 -
    p_cloud)``. Without ``factors``, each class is its own factor (one-vs-rest heads).

    Parameters
    ----------
    factors : sequence of sequences of class labels, optional
        The factors. Every class must differ from every other in at least one factor; labels
        that do not occur in ``y`` are ignored (a factor none of whose classes occur is always 0).
    C : float, default=1.0
        Inverse regularisation strength of each head.
    calibrate : bool, default=True
        Calibrate each head's probabilities (sigmoid, ``cv`` folds, ``ensemble=False``).
    cv : int, default=5
        Calibration folds (fewer when a factor has fewer samples on one side).
    max_iter : int, default=2000
    random_state : int or None, default=None

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    membership_ : ndarray of shape (n_classes, n_factors)
        Whether each class is in each factor.
    heads_ : list
        One fitted binary estimator per factor (a float when a factor is constant in ``y``).
    coef_ : ndarray of shape (n_classes, n_features)
        Per class, the sum of the heads' coefficients signed by membership: the direction in
        which each feature moves that class's log-score (used to explain predictions).
    n_iter_ : int
        The most solver iterations any head took.

    Examples
    --------
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 10, dtype=float)
    >>> y = np.array(["other", "cloud", "devops", "hybrid"] * 10)
    >>> clf = FactorisedClassifier(factors=[("devops", "hybrid"), ("cloud", "hybrid")], C=10).fit(X, y)
    >>> clf.predict([[1, 1], [0, 0]]).tolist()
    ['hybrid', 'other']
    """

    def __init__(
        self,
        factors: Any = None,
        C: float = 1.0,
        calibrate: bool = True,
        cv: int = 5,
        max_iter: int = 2000,
        random_state: int | None = None,
    ) -> None:
        self.factors = factors
        self.C = C
        self.calibrate = calibrate
        self.cv = cv
        self.max_iter = max_iter
        self.random_state = random_state

    def _factor_sets(self) -> list[set[Any]]:
        if self.factors is None:
            return [{c} for c in self.classes_]
        if isinstance(self.factors, str) or not all(isinstance(f, (list, tuple, set, frozenset)) for f in self.factors):
            raise ValueError("factors must be a sequence of sequences of class labels")
        return [set(f) for f in self.factors]

    def fit(self, X: Any, y: Any) -> FactorisedClassifier:
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        sets = self._factor_sets()
        self.membership_ = np.array([[c in s for s in sets] for c in self.classes_.tolist()], dtype=bool)
        if len({tuple(row) for row in self.membership_}) < len(self.classes_):
            raise ValueError("two classes have the same membership in every factor; the factors cannot tell them apart")
        base = LogisticRegression(
            C=self.C, max_iter=self.max_iter, class_weight="balanced", random_state=self.random_state
        )
        self.heads_: list[Any] = []
        coefs = []
        iters = [1]
        for j in range(len(sets)):
            t = self.membership_[np.searchsorted(self.classes_, y), j].astype(int)
            n_pos = int(t.sum())
            smaller = min(n_pos, len(t) - n_pos)
            if smaller == 0:
                self.heads_.append(float(t[0]))
                coefs.append(np.zeros(X.shape[1]))
                continue
            folds = min(self.cv, smaller)
            if self.calibrate and folds >= 2:
                head = CalibratedClassifierCV(clone(base), method="sigmoid", cv=folds, ensemble=False).fit(X, t)
                inner = head.calibrated_classifiers_[0].estimator
            else:
                head = inner = clone(base).fit(X, t)
            coefs.append(inner.coef_[0])
            iters.append(int(np.max(inner.n_iter_)))
            self.heads_.append(head)
        signs = np.where(self.membership_, 1.0, -1.0)
        self.coef_ = signs @ np.vstack(coefs)
        self.n_iter_ = max(iters)
        return self

    def factor_proba(self, X: Any) -> np.ndarray:
        """Probability of each factor, shape ``(n_samples, n_factors)``."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        cols = [np.full(X.shape[0], h) if isinstance(h, float) else h.predict_proba(X)[:, 1] for h in self.heads_]
        return np.column_stack(cols) if cols else np.zeros((X.shape[0], 0))

    def combine(self, factor_p: np.ndarray) -> np.ndarray:
        """Class probabilities from factor probabilities."""
        f = factor_p[:, None, :]
        scores = np.where(self.membership_[None, :, :], f, 1.0 - f).prod(axis=2)
        total = scores.sum(axis=1, keepdims=True)
        uniform = np.full_like(scores, 1.0 / scores.shape[1])
        return np.divide(scores, total, out=uniform, where=total > 0)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order."""
        return self.combine(self.factor_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
