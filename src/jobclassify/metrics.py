"""Classification metrics over the four labels, as plain JSON-friendly dicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from .labels import LABELS


def compute_metrics(y_true: Sequence[str], y_pred: Sequence[str], proba: np.ndarray | None = None) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class precision/recall/F1/support and the confusion matrix.

    >>> m = compute_metrics(["devops", "cloud"], ["devops", "other"])
    >>> m["accuracy"], m["per_class"]["devops"]["f1"]
    (0.5, 1.0)
    """
    y_true = [str(v) for v in y_true]
    y_pred = [str(v) for v in y_pred]
    labels = list(LABELS)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = [i for i, n in enumerate(s) if n > 0] or list(range(len(labels)))
    out: dict[str, Any] = {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)) if y_true else float("nan"),
        "macro_f1": float(np.mean(f[present])),
        "per_class": {
            c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, c in enumerate(labels)
        },
        "labels": labels,
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }
    if proba is not None and len(y_true):
        idx = np.asarray([labels.index(t) for t in y_true])
        pt = np.clip(np.asarray(proba)[np.arange(len(idx)), idx], 1e-12, 1.0)
        out["log_loss"] = float(-np.mean(np.log(pt)))
        onehot = np.eye(len(labels))[idx]
        out["brier"] = float(np.mean(np.sum((np.asarray(proba) - onehot) ** 2, axis=1)))
        conf = np.asarray(proba).max(axis=1)
        right = np.asarray(proba).argmax(axis=1) == idx
        out["mean_confidence"] = float(conf.mean())
        out["ece"] = expected_calibration_error(conf, right)
    return out


def confidence_bins(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Reliability bins of the top label: for each non-empty equal-width confidence bin
    (``(low, high]``, the first also holding 0), its rows, mean confidence and accuracy."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (confidence > lo) & (confidence <= hi) if lo > 0 else (confidence >= lo) & (confidence <= hi)
        if sel.any():
            out.append(
                {
                    "low": float(lo),
                    "high": float(hi),
                    "n": int(sel.sum()),
                    "confidence": float(confidence[sel].mean()),
                    "accuracy": float(correct[sel].mean()),
                }
            )
    return out


def calibration_table(y_true: Sequence[str], proba: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """:func:`confidence_bins` of the top label of ``proba`` (columns in LABELS order)."""
    proba = np.asarray(proba)
    right = np.asarray(LABELS, dtype=object)[proba.argmax(axis=1)] == np.asarray(y_true, dtype=object)
    return confidence_bins(proba.max(axis=1), right, bins)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top label: the mean over the :func:`confidence_bins` of
    ``|accuracy - mean confidence|``, weighted by each bin's share of the rows.

    >>> expected_calibration_error(np.array([0.9, 0.9, 0.6, 0.6]), np.array([True, True, True, False]))
    0.1
    """
    n = len(confidence)
    if not n:
        return float("nan")
    table = confidence_bins(confidence, correct, bins)
    return round(sum(b["n"] * abs(b["accuracy"] - b["confidence"]) for b in table) / n, 12)


def format_confusion(m: dict[str, Any]) -> str:
    """The confusion matrix as a Markdown table (rows: true label, columns: predicted)."""
    labels = m["labels"]
    lines = ["| true \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for lab, row in zip(labels, m["confusion"]):
        lines.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def format_per_class(m: dict[str, Any]) -> str:
    """Per-class precision/recall/F1 as a Markdown table."""
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for lab, v in m["per_class"].items():
        lines.append(f"| {lab} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |")
    lines.append(f"| **macro** | | | **{m['macro_f1']:.3f}** | {m['n']} |")
    return "\n".join(lines)
