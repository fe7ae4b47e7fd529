"""Input handling shared by the text estimators (1-D texts or 2-D text columns)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_array

from .text import as_texts


def _validated(X: Any) -> tuple[Any, int]:
    if isinstance(X, str):
        raise ValueError("Expected a sequence of texts, got a single string; wrap it in a list.")
    if X is None:
        raise ValueError("Expected a sequence of texts, got None.")
    if hasattr(X, "iloc"):  # pandas Series / DataFrame: keep as is (mixed dtypes, names)
        if len(X) == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
        if X.ndim == 2 and X.shape[1] == 0:
            raise ValueError("Found array with 0 feature(s) while a minimum of 1 is required.")
        return X, X.ndim
    arr = check_array(
        X,
        dtype=None,
        ensure_2d=False,
        ensure_all_finite=False,
        accept_sparse=False,
        input_name="X",
    )
    if np.iscomplexobj(arr):
        raise ValueError("Complex data not supported: the estimators read text.")
    return arr, arr.ndim


def texts_for_fit(est: Any, X: Any) -> list[str]:
    """Coerce ``X`` to texts and record ``n_features_in_`` (2-D input) on the estimator."""
    X, ndim = _validated(X)
    texts = as_texts(X)
    for attr in ("n_features_in_", "feature_names_in_"):
        if hasattr(est, attr):
            delattr(est, attr)
    if ndim == 2:
        est.n_features_in_ = int(np.shape(X)[1])
        if hasattr(X, "columns") and all(isinstance(c, str) for c in X.columns):
            est.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
    return texts


def texts_and_labels_for_fit(est: Any, X: Any, y: Any) -> tuple[list[str], np.ndarray]:
    """:func:`texts_for_fit` plus the checks a classifier's ``y`` needs (present, 1-D, class
    labels, one per text)."""
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import column_or_1d

    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    texts = texts_for_fit(est, X)
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    if len(y) != len(texts):
        raise ValueError(f"X has {len(texts)} rows but y has {len(y)} labels.")
    return texts, y


def texts_for_predict(est: Any, X: Any) -> list[str]:
    """Coerce ``X`` to texts, checking its width against what the estimator was fitted on."""
    X, ndim = _validated(X)
    expected = getattr(est, "n_features_in_", None)
    if expected is not None and ndim == 2 and np.shape(X)[1] != expected:
        raise ValueError(
            f"X has {np.shape(X)[1]} features, but {type(est).__name__} is expecting {expected} features as input."
        )
    return as_texts(X)
