"""Evaluate a model on labelled postings and write a report a person would rather look at.

The report folder holds ``index.md`` (metrics tables and the plots inline), ``confusion.png``,
``per_class.png``, ``confidence.png`` (confidence of right vs wrong predictions),
``calibration.png`` (reliability diagram), ``metrics.json`` and ``misclassified.csv``.
Plots need matplotlib (``pip install 'jobclassify[report]'``); without it the report has tables only.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .labels import LABELS
from .metrics import calibration_table, compute_metrics, format_confusion, format_per_class
from .persistence import atomic_write_bytes
from .predict import resolve_model
from .training import predict_labels, training_texts


def evaluate(
    data: pd.DataFrame | str | Path,
    *,
    model: Any = None,
    text_column: str = "description",
    title_column: str | None = None,
    label_column: str = "label",
    report: str | Path | None = None,
    trusted: bool = False,
) -> dict[str, Any]:
    """Metrics of ``model`` (default: the bundled one) on labelled postings; optionally a report.

    Rows whose label is not one of the four labels, or whose text is empty, are left out and
    counted in ``skipped_rows``.
    """
    df = pd.read_csv(data, dtype=str, keep_default_na=False) if isinstance(data, (str, Path)) else data
    for col in (text_column, label_column):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not found; columns: {list(df.columns)}")
    if title_column is not None and title_column not in df.columns:
        raise KeyError(f"title column {title_column!r} not found; columns: {list(df.columns)}")
    mdl = resolve_model(model, trusted=trusted)
    texts, y = training_texts(df, text_column, title_column or None, label_column, augment=False)
    if not texts:
        raise ValueError(f"no rows with text and a label in {list(LABELS)} to evaluate")
    pred, proba = predict_labels(mdl, texts)
    m = compute_metrics(list(y), list(pred), proba)
    m["skipped_rows"] = int(len(df) - len(texts))
    m["calibration"] = calibration_table(list(y), proba)
    if report is not None:
        _write_report(Path(report), m, texts, list(y), pred, proba)
    return m


def _write_report(
    folder: Path,
    m: dict[str, Any],
    texts: list[str],
    y: list[str],
    pred: np.ndarray,
    proba: np.ndarray,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    plots = _plots(folder, m, y, pred, proba)
    wrong = [i for i in range(len(y)) if y[i] != pred[i]]
    mis = pd.DataFrame(
        {
            "true": [y[i] for i in wrong],
            "predicted": [pred[i] for i in wrong],
            "confidence": [float(proba[i].max()) for i in wrong],
            **{f"p_{c}": [float(proba[i, k]) for i in wrong] for k, c in enumerate(LABELS)},
            "text": [texts[i][:2000] for i in wrong],
        }
    ).sort_values("confidence", ascending=False)
    atomic_write_bytes(folder / "misclassified.csv", mis.to_csv(index=False).encode("utf-8"))
    atomic_write_bytes(folder / "metrics.json", json.dumps(m, indent=2).encode("utf-8"))
    cal = ["| confidence bin | n | mean confidence | accuracy |", "|---|---|---|---|"]
    cal += [
        f"| {b['low']:.1f}-{b['high']:.1f} | {b['n']} | {b['confidence']:.2f} | {b['accuracy']:.2f} |"
        for b in m["calibration"]
    ]
    lines = [
        "# Evaluation report\n",
        f"**{m['n']} postings, macro-F1 {m['macro_f1']:.3f}, accuracy {m['accuracy']:.3f}**"
        + (f", log-loss {m['log_loss']:.3f}" if "log_loss" in m else "")
        + f" ({m['skipped_rows']} rows left out: no text or no valid label).\n",
    ]
    if "confusion.png" in plots:
        lines.append("![confusion matrix](confusion.png) ![per-class F1](per_class.png)\n")
    lines += [
        "## Per class\n",
        format_per_class(m),
        "\n## Confusion matrix (rows: true)\n",
        format_confusion(m),
    ]
    if "confidence.png" in plots:
        lines.append("\n## Confidence\n\n![confidence](confidence.png) ![calibration](calibration.png)\n")
    lines += ["\n## Calibration (top label)\n", "\n".join(cal)]
    lines.append(f"\n\n{len(wrong)} misclassified postings, most confident first: `misclassified.csv`.\n")
    if not plots:
        lines.append("\n(Install matplotlib — `pip install 'jobclassify[report]'` — for the plots.)\n")
    atomic_write_bytes(folder / "index.md", "\n".join(lines).encode("utf-8"))


def _plots(folder: Path, m: dict[str, Any], y: list[str], pred: np.ndarray, proba: np.ndarray) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    made: list[str] = []

    def save(fig: Any, name: str) -> None:  # atomically, like every other file of the report
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        atomic_write_bytes(folder / name, buf.getvalue())
        made.append(name)

    cm = np.asarray(m["confusion"])
    fig, ax = plt.subplots(figsize=(4.6, 4))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(LABELS)), LABELS)
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                color="white" if cm[i, j] > cm.max() / 2 else "black",
            )
    ax.set_title(f"Confusion matrix (macro-F1 {m['macro_f1']:.2f})")
    save(fig, "confusion.png")

    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    x = np.arange(len(LABELS))
    for key, off in (("precision", -0.27), ("recall", 0), ("f1", 0.27)):
        ax.bar(x + off, [m["per_class"][c][key] for c in LABELS], width=0.27, label=key)
    ax.set_xticks(x, LABELS)
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Per-class precision, recall, F1")
    save(fig, "per_class.png")

    conf = proba.max(axis=1)
    right = np.asarray(pred, dtype=object) == np.asarray(y, dtype=object)
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    bins = np.linspace(0, 1, 21)
    ax.hist(conf[right], bins=bins, alpha=0.7, label="right")
    ax.hist(conf[~right], bins=bins, alpha=0.7, label="wrong")
    ax.set_xlabel("confidence of the predicted label")
    ax.set_ylabel("postings")
    ax.legend()
    ax.set_title("Confidence: right vs wrong")
    save(fig, "confidence.png")

    fig, ax = plt.subplots(figsize=(3.8, 3.6))
    cal = m["calibration"]
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.plot([b["confidence"] for b in cal], [b["accuracy"] for b in cal], "o-")
    ax.set_xlabel("mean confidence")
    ax.set_ylabel("accuracy")
    ax.set_title("Calibration")
    save(fig, "calibration.png")
    return made
