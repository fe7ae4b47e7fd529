"""The keyword rules as plain NumPy functions, shared by ``KeywordClassifier`` and the compiled
model (no scikit-learn needed here).

Role scores are ``(n, 3)`` arrays of the devops, cloud and other-role evidence of each text (sums of
``weight * (1 + log count)`` over matched taxonomy terms).
"""

from __future__ import annotations

import numpy as np


def rule_scores(role: np.ndarray, min_score: float, ratio: float, other_weight: float) -> np.ndarray:
    """Rule score of each label, ``(n, 4)`` in the order cloud, devops, hybrid, other.

    >>> rule_scores(np.array([[6.0, 1.0, 0.0]]), 4.0, 0.5, 1.0).tolist()
    [[1.0, 6.0, 2.0, 4.0]]
    """
    d, c, o = role[:, 0], role[:, 1], role[:, 2]
    hybrid = np.minimum(d, c) / ratio
    other = np.maximum(min_score, other_weight * o)
    return np.column_stack([c, d, hybrid, other])


def rule_softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax of the log rule scores at ``temperature``."""
    z = np.log1p(scores) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def rule_proba(
    role: np.ndarray,
    min_score: float,
    ratio: float,
    other_weight: float,
    temperature: float,
    rule_to_class: np.ndarray,
    n_classes: int,
) -> np.ndarray:
    """Class probabilities of the rules: the four rule outcomes' softmax, summed per class."""
    p4 = rule_softmax(rule_scores(role, min_score, ratio, other_weight), temperature)
    out = np.zeros((len(role), n_classes))
    for k in range(p4.shape[1]):
        out[:, rule_to_class[k]] += p4[:, k]
    return out
