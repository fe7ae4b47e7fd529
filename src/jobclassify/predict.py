"""``classify()``: label postings with the bundled (or any) model and say why."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .compiled import CompiledModel
from .labels import LABELS
from .matcher import matcher_for
from .text import CLASSIFIABLE, check_text, prepare

CHUNK = 2000
OUTPUT_COLUMNS = ("label", "confidence", *(f"p_{c}" for c in LABELS), "status")
_lock = threading.Lock()
_default_model: Any = None


def default_model_path() -> Path:
    """Where the bundled default model file (skops) is installed; ``model.npz`` beside it is the
    same model compiled for fast loading."""
    return Path(str(resources.files("jobclassify._bundled").joinpath("default/model.skops")))


def get_default_model() -> Any:
    """The bundled model (its compiled, NumPy-only form), loaded once on first use."""
    global _default_model
    with _lock:
        if _default_model is None:
            _default_model = CompiledModel.load(default_model_path().with_name("model.npz"))
        return _default_model


def resolve_model(model: Any = None, *, trusted: bool = False) -> Any:
    """A model object from ``None`` (bundled default), a path (``.skops`` or compiled ``.npz``),
    or a fitted estimator."""
    if model is None:
        return get_default_model()
    if isinstance(model, (str, Path)):
        if str(model).endswith(".npz"):
            from .compiled import CompiledModelError
            from .persistence import ModelFileError

            try:
                return CompiledModel.load(model)
            except CompiledModelError as exc:
                raise ModelFileError(str(exc)) from None
        from .persistence import load_model

        return load_model(model, trusted=trusted)
    if not hasattr(model, "predict_proba"):
        raise TypeError(f"model must be a fitted classifier with predict_proba or a path, got {type(model).__name__}")
    return model


@dataclass
class Prediction:
    """The label of one posting, its probabilities and the evidence behind it.

    ``label`` is ``None`` when the posting had no usable text (``status`` says why).
    ``evidence["matched"]`` maps role -> group -> term -> count; ``evidence["top_features"]`` lists
    the model features that pushed hardest towards the label, with their contributions.
    """

    label: str | None
    confidence: float
    probabilities: dict[str, float]
    evidence: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "confidence": self.confidence,
            "probabilities": self.probabilities,
            "evidence": self.evidence,
            "status": self.status,
        }


def _taxonomy_of(model: Any) -> str | None:
    if isinstance(model, CompiledModel):
        return model.taxonomy
    from .pipeline import taxonomy_step

    step = taxonomy_step(model)
    if step is not None:
        return step.taxonomy_text_
    return getattr(model, "taxonomy_text_", getattr(model, "taxonomy", None))


def _split_pipeline(model: Any) -> tuple[Any, Any] | None:
    """The feature steps (an optional section filter, then the union) and the classifier of a
    ``build_pipeline`` model."""
    steps = getattr(model, "named_steps", None)
    if steps is None:  # e.g. a compiled model: do not import scikit-learn for it (start-up time)
        return None
    from .pipeline import PIPELINE_STEPS

    if "features" not in steps or "clf" not in steps or set(steps) - PIPELINE_STEPS:
        return None
    return model[:-1], steps["clf"]


def _coefficients(clf: Any) -> np.ndarray | None:
    inner = getattr(clf, "calibrated_classifiers_", None)
    base = inner[0].estimator if inner else clf
    coef = getattr(base, "coef_", None)
    return None if coef is None else np.asarray(coef)


def predict_texts(
    model: Any, texts: list[str], *, evidence: bool = False, top: int = 8
) -> tuple[np.ndarray, list[dict[str, Any]] | None]:
    """Probabilities ``(n, 4)`` over LABELS for clean texts, plus evidence per text if asked
    (``top=0``: the matched taxonomy terms only, without the model's top features)."""
    classes = [str(c) for c in model.classes_]
    # columns in LABELS order; a label the model never saw in training gets probability 0
    order = [classes.index(c) if c in classes else -1 for c in LABELS]
    split = _split_pipeline(model)
    ev: list[dict[str, Any]] | None = [] if evidence else None
    probas = []
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        if isinstance(model, CompiledModel):  # features once, for probabilities and evidence
            X = model._features(chunk)
            p = model.proba_from_features(X)
        elif split is None:
            p = model.predict_proba(chunk)
            X = None
        else:
            features, clf = split
            X = features.transform(chunk)
            p = clf.predict_proba(X)
        p = np.asarray(p)
        p = np.column_stack([p[:, k] if k >= 0 else np.zeros(len(p)) for k in order])
        probas.append(p)
        if ev is not None:
            ev.extend(_evidence(model, chunk, X, p, top))
    return (np.vstack(probas) if probas else np.zeros((0, len(LABELS)))), ev


def _evidence(model: Any, texts: list[str], X: Any, p: np.ndarray, top: int) -> list[dict[str, Any]]:
    matcher = matcher_for(_taxonomy_of(model))
    split = _split_pipeline(model)
    coef = names = None
    if split is not None and X is not None:
        coef = _coefficients(split[1])
        names = split[0].get_feature_names_out()
        classes = [str(c) for c in split[1].classes_]
    top_compiled = None
    if isinstance(model, CompiledModel) and top > 0:  # explain_top reads probabilities in the model's class order
        p_model = p[:, [LABELS.index(str(c)) for c in model.classes_]]
        top_compiled = model.explain_top(texts, p_model, top, features=X)
    counts: list[Counter[int]] | None = None
    if isinstance(model, CompiledModel):  # the matches found for the features, counted per text
        counts = [Counter() for _ in texts]
        for d, t in zip(*(a.tolist() for a in X[4])):
            counts[d][t] += 1
    out = []
    for i, text in enumerate(texts):
        item: dict[str, Any] = {
            "matched": matcher.summarize(text) if counts is None else matcher.summarize_counts(counts[i])
        }
        if top_compiled is not None:
            item["top_features"] = top_compiled[i]
        if coef is not None and coef.shape[0] == len(classes) and top > 0:
            label = LABELS[int(p[i].argmax())]
            k = classes.index(label)
            row = X[i].tocsr()
            rel = coef[:, row.indices]
            contrib = row.data * (rel[k] - rel.mean(axis=0))
            best = np.argsort(-contrib)[:top]
            item["top_features"] = [
                (str(names[row.indices[j]]).split("__", 1)[-1], round(float(contrib[j]), 4))
                for j in best
                if contrib[j] > 0
            ]
        out.append(item)
    return out


def _predictions(texts: list[str], statuses: list[str], model: Any, evidence: bool) -> list[Prediction]:
    ok = [i for i, s in enumerate(statuses) if s in CLASSIFIABLE]
    proba, ev = predict_texts(model, [texts[i] for i in ok], evidence=evidence)
    preds: list[Prediction] = [
        Prediction(None, float("nan"), {c: float("nan") for c in LABELS}, {}, s) for s in statuses
    ]
    for j, i in enumerate(ok):
        k = int(proba[j].argmax())
        preds[i] = Prediction(
            label=LABELS[k],
            confidence=float(proba[j, k]),
            probabilities={c: float(v) for c, v in zip(LABELS, proba[j])},
            evidence=ev[j] if ev is not None else {},
            status=statuses[i],
        )
    return preds


def classify(
    data: Any,
    *,
    title: Any = None,
    text: str = "description",
    model: Any = None,
    evidence: bool = True,
    trusted: bool = False,
) -> Any:
    """Label one posting, a list of postings, or a DataFrame of postings.

    * ``classify("text", title="DevOps Engineer")`` -> :class:`Prediction` (bad text: ``ValueError``)
    * ``classify(["text", ...], title=[...])`` -> list of :class:`Prediction` (bad rows get
      ``label=None`` and a ``status``: ``empty`` or ``not_text``; over-long text is cut and marked
      ``truncated``)
    * ``classify(df, text="description", title="title")`` -> a copy of ``df`` with the columns
      ``label, confidence, p_cloud, p_devops, p_hybrid, p_other, status`` added (prefixed ``jc_``
      if ``df`` already has any of these names); rows and index untouched.

    ``model`` is a fitted estimator, a model file path, or ``None`` for the bundled default.

    >>> p = classify("Build and run CI/CD pipelines with Jenkins and Argo CD; canary releases.")
    >>> p.label
    'devops'
    """
    mdl = resolve_model(model, trusted=trusted)
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(data, pd.DataFrame):
        return _classify_frame(data, text, title, mdl, evidence=False if evidence is True else evidence)
    if isinstance(data, (str, bytes)) or data is None or np.ndim(data) == 0:
        clean, status = check_text(data)
        if status not in CLASSIFIABLE:
            raise ValueError(
                f"cannot classify {type(data).__name__ if status == 'not_text' else 'empty'} input: "
                "a posting must be a non-empty string"
            )
        texts, statuses = prepare([data], None if title is None else [title])
        return _predictions(texts, statuses, mdl, evidence)[0]
    items = list(data)
    titles = None if title is None else list(title)
    if titles is not None and len(titles) != len(items):
        raise ValueError(f"got {len(items)} postings but {len(titles)} titles")
    texts, statuses = prepare(items, titles)
    return _predictions(texts, statuses, mdl, evidence)


def output_names(columns: Sequence[Any]) -> dict[str, str]:
    """Names of the added columns: plain, or all prefixed ``jc_`` if any would clash."""
    clash = any(c in set(map(str, columns)) for c in OUTPUT_COLUMNS)
    return {c: (f"jc_{c}" if clash else c) for c in (*OUTPUT_COLUMNS, "evidence")}


def _classify_frame(df: Any, text: str, title: Any, model: Any, evidence: bool) -> Any:
    if text not in df.columns:
        raise KeyError(f"text column {text!r} not in the DataFrame; columns: {list(df.columns)}")
    if title is not None and title not in df.columns:
        raise KeyError(f"title column {title!r} not in the DataFrame; columns: {list(df.columns)}")
    col = df[text]
    if getattr(col, "ndim", 1) == 2:
        raise ValueError(f"the DataFrame has several columns named {text!r}")
    texts, statuses = prepare(col.tolist(), None if title is None else df[title].tolist())
    return add_prediction_columns(df, texts, statuses, model, evidence)


def add_prediction_columns(df: Any, texts: list[str], statuses: list[str], model: Any, evidence: bool = False) -> Any:
    """Return a copy of ``df`` with prediction columns for the prepared ``texts``."""
    names = output_names(df.columns)
    ok = np.asarray([s in CLASSIFIABLE for s in statuses], dtype=bool)
    idx = np.flatnonzero(ok)
    proba, ev = predict_texts(model, [texts[i] for i in idx], evidence=evidence)
    full = np.full((len(texts), len(LABELS)), np.nan)
    full[idx] = proba
    labels = np.full(len(texts), None, dtype=object)
    if len(idx):
        labels[idx] = np.asarray(LABELS, dtype=object)[proba.argmax(axis=1)]
    out = df.copy()
    out[names["label"]] = labels
    out[names["confidence"]] = np.nanmax(full, axis=1, initial=-np.inf, where=~np.isnan(full))
    out.loc[~ok, names["confidence"]] = np.nan
    for j, c in enumerate(LABELS):
        out[names[f"p_{c}"]] = full[:, j]
    out[names["status"]] = statuses
    if evidence:
        import json

        col = np.full(len(texts), "", dtype=object)
        for j, i in enumerate(idx):
            col[i] = json.dumps(ev[j]["matched"], sort_keys=True) if ev else ""
        out[names["evidence"]] = col
    return out
