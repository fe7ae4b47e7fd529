"""Calibration figures in compute_metrics agree with the report's reliability table."""

import numpy as np

from jobclassify.evaluation import calibration_table
from jobclassify.labels import LABELS
from jobclassify.metrics import compute_metrics, expected_calibration_error


def _random_case(seed: int, n: int = 300) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(len(LABELS)) * 0.7, size=n)
    y = [LABELS[i] for i in rng.integers(0, len(LABELS), size=n)]
    return y, proba


def test_ece_matches_the_reliability_table():
    for seed in range(5):
        y, proba = _random_case(seed)
        table = calibration_table(y, proba)
        from_table = sum(b["n"] * abs(b["accuracy"] - b["confidence"]) for b in table) / len(y)
        m = compute_metrics(y, [LABELS[i] for i in proba.argmax(1)], proba)
        assert abs(m["ece"] - from_table) < 1e-9
        assert abs(m["mean_confidence"] - proba.max(1).mean()) < 1e-12


def test_ece_is_zero_when_confidence_equals_accuracy_per_bin():
    conf = np.array([0.75] * 4 + [0.5] * 2)
    right = np.array([True, True, True, False, True, False])
    assert expected_calibration_error(conf, right) == 0.0
    assert expected_calibration_error(np.ones(3), np.zeros(3, dtype=bool)) == 1.0
    assert np.isnan(expected_calibration_error(np.array([]), np.array([], dtype=bool)))
