"""``TaxonomyFeatures``: taxonomy evidence as sparse features for a linear model."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._estimator_input import texts_for_fit, texts_for_predict
from .matcher import matcher_for
from .taxonomy_scores import check_window, feature_names, taxonomy_coo, window_params

__all__ = ["TaxonomyFeatures", "matcher_for"]


class TaxonomyFeatures(TransformerMixin, BaseEstimator):
    """Turn posting text into taxonomy features (sparse, non-negative).

    For every text: one column per term (``log1p`` of its count), one per group and one per role
    (``log1p`` of the weighted, damped term scores), and two that describe the devops/cloud balance
    (``mix:both`` = geometric mean of the two role scores, ``mix:balance`` = smaller / larger), and
    three shares that do not grow with the density of evidence (``share:devops|cloud|other`` = role
    score / (devops + cloud + other + 3)). The role scores behind the role, mix and share columns are
    added up over windows of ``window`` tokens, each window's score ``s`` counting as
    ``window_scale * s ** window_power`` (as in :class:`~jobclassify.KeywordClassifier`).

    Parameters
    ----------
    taxonomy : str or None, default=None
        Taxonomy TOML text; ``None`` uses the bundled taxonomy. Text (not a path) keeps the fitted
        estimator self-contained when saved.
    terms : bool, default=True
        Include one column per term (otherwise groups, roles and balance only).
    scale : float, default=1.0
        Multiplier for every column, to weigh these features against word n-grams.
    window : int or None, default=20
        Window length in tokens for the role scores; ``None`` scores each text as one window,
        without damping.
    window_power, window_scale : float, default=0.7 and 2.0
        Each window's role score ``s`` counts as ``window_scale * s ** window_power``.

    Examples
    --------
    >>> tf = TaxonomyFeatures().fit(["x"])
    >>> X = tf.transform(["Own the Jenkins CI/CD pipelines", "Design AWS landing zones"])
    >>> names = list(tf.get_feature_names_out())
    >>> bool(X[0, names.index("role:devops")] > 0), bool(X[1, names.index("role:cloud")] > 0)
    (True, True)
    """

    def __init__(
        self,
        taxonomy: str | None = None,
        terms: bool = True,
        scale: float = 1.0,
        window: int | None = 20,
        window_power: float = 0.7,
        window_scale: float = 2.0,
    ) -> None:
        self.taxonomy = taxonomy
        self.terms = terms
        self.scale = scale
        self.window = window
        self.window_power = window_power
        self.window_scale = window_scale

    def fit(self, X: Any, y: Any = None) -> TaxonomyFeatures:
        """Check the taxonomy and lay out the feature columns (no learning from ``X``)."""
        texts_for_fit(self, X)
        if not (isinstance(self.scale, (int, float)) and self.scale > 0):
            raise ValueError(f"scale must be a number > 0, got {self.scale!r}")
        check_window(self)
        m = matcher_for(self.taxonomy)
        # the fitted estimator keeps the taxonomy text it was fitted with, so a saved model does
        # not change when the bundled taxonomy file does
        self.taxonomy_text_ = m.taxonomy.source
        self.taxonomy_sha256_ = m.taxonomy.sha256
        self.feature_names_ = np.asarray(feature_names(m, self.terms), dtype=object)
        return self

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "feature_names_")
        return self.feature_names_.copy()

    def transform(self, X: Any) -> sp.csr_matrix:
        """Sparse ``(n_texts, n_features)`` matrix of taxonomy evidence."""
        check_is_fitted(self, ["feature_names_", "taxonomy_text_"])
        texts = texts_for_predict(self, X)
        rows, cols, vals = taxonomy_coo(texts, matcher_for(self.taxonomy_text_), self.terms, window_params(self))
        return sp.csr_matrix(
            (np.asarray(vals, dtype=np.float64) * float(self.scale), (rows, cols)),
            shape=(len(texts), len(self.feature_names_)),
        )
