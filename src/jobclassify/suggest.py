"""Which postings to label next: the ones the model is least sure of, or where the keyword
baseline and the model disagree."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .keyword_classifier import KeywordClassifier
from .labels import LABELS
from .predict import predict_texts, resolve_model
from .text import CLASSIFIABLE, prepare


def suggest(
    df: pd.DataFrame,
    *,
    n: int = 50,
    text_column: str = "description",
    title_column: str | None = None,
    model: Any = None,
    keyword_model: KeywordClassifier | None = None,
    trusted: bool = False,
) -> pd.DataFrame:
    """The ``n`` rows whose labels would teach the model most, most useful first.

    Score = margin uncertainty (1 - (p_top - p_second)) + 0.5 if the keyword baseline disagrees
    with the model. Returns the chosen rows with ``predicted``, ``confidence``, ``keyword_label``,
    ``reason`` and ``score`` columns; rows without usable text are never suggested.
    """
    if text_column not in df.columns:
        raise KeyError(f"text column {text_column!r} not found; columns: {list(df.columns)}")
    mdl = resolve_model(model, trusted=trusted)
    texts, statuses = prepare(df[text_column].tolist(), df[title_column].tolist() if title_column else None)
    ok = np.flatnonzero([s in CLASSIFIABLE for s in statuses])
    if len(ok) == 0:
        return df.iloc[0:0].assign(predicted=[], confidence=[], keyword_label=[], reason=[], score=[])
    clean = [texts[i] for i in ok]
    proba, _ = predict_texts(mdl, clean)
    if keyword_model is None:
        keyword_model = KeywordClassifier(tune=False).fit(["x"], ["other"])
    kw = keyword_model.predict(clean)
    srt = np.sort(proba, axis=1)
    margin = srt[:, -1] - srt[:, -2]
    pred = np.asarray(LABELS, dtype=object)[proba.argmax(axis=1)]
    disagree = kw.astype(object) != pred
    score = (1.0 - margin) + 0.5 * disagree
    order = np.argsort(-score, kind="stable")[:n]
    rows = df.iloc[ok[order]].copy()
    rows["predicted"] = pred[order]
    rows["confidence"] = proba.max(axis=1)[order]
    rows["keyword_label"] = kw[order]
    rows["reason"] = [
        f"model unsure (margin {margin[i]:.2f})" + (f"; keyword rules say {kw[i]}" if disagree[i] else "")
        for i in order
    ]
    rows["score"] = score[order]
    return rows
