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
    return out


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
