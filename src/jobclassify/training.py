"""Train models on labelled postings and compare them with the default model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from .corpus import frame_sha256, load_corpus
from .labels import LABELS
from .metrics import compute_metrics
from .pipeline import SEED, build_pipeline, taxonomy_step
from .text import CLASSIFIABLE, prepare


def training_texts(
    df: pd.DataFrame,
    text_column: str = "description",
    title_column: str | None = "title",
    label_column: str = "label",
    augment: bool = True,
) -> tuple[list[str], np.ndarray]:
    """Texts and labels to fit on; rows without usable text or label are dropped.

    With ``augment`` and a title column each posting is used twice, with and without its title,
    so that the model works on descriptions alone as well as on title + description.
    """
    labels = df[label_column].astype(str).str.strip().str.lower()
    keep = labels.isin(LABELS).to_numpy()
    sub = df.loc[keep]
    y_all = labels[keep].to_numpy(dtype=object)
    has_title = title_column is not None and title_column in sub.columns
    texts, statuses = prepare(sub[text_column].tolist(), sub[title_column].tolist() if has_title else None)
    ok = np.asarray([s in CLASSIFIABLE for s in statuses])
    out_texts = [t for t, k in zip(texts, ok) if k]
    y = y_all[ok]
    if augment and has_title:
        bare, st2 = prepare(sub[text_column].tolist(), None)
        out_texts = _interleave([out_texts, [t for t, k in zip(bare, ok) if k]])
        y = np.repeat(y, 2)
    return out_texts, y


def _interleave(copies: list[list[str]]) -> list[str]:
    """The copies of each posting next to each other: a[0], b[0], a[1], b[1], ...

    The models calibrate on unshuffled stratified folds, which take runs of neighbouring rows, so
    this keeps a posting's copies in one fold (but for at most one posting per class at a fold's
    edge): a head is not calibrated on copies of postings it was fitted on.
    """
    return [t for group in zip(*copies) for t in group]


DENSITY_DROP = 0.6
DENSITY_COPIES = 2


def thin_evidence(text: str, drop: float, rng: np.random.Generator, taxonomy: str | None = None) -> str:
    """Delete each devops/cloud taxonomy mention from ``text`` with probability ``drop``.

    Postings written for the corpus name role-specific terms about 2.5 times as densely as real
    postings do (median devops/cloud taxonomy score per posting); thinning them teaches the model
    what real, sparser evidence looks like. Shared and other-role terms are kept.
    """
    from .matcher import matcher_for

    m = matcher_for(taxonomy)
    out, last = [], 0
    for idx, start, end in m.iter_matches(text):
        if m.terms[idx].role in ("devops", "cloud") and rng.random() < drop:
            out.append(text[last:start])
            last = end
    out.append(text[last:])
    return "".join(out)


def corpus_training_texts(
    df: pd.DataFrame, drop: float = DENSITY_DROP, copies: int = DENSITY_COPIES, seed: int = 0
) -> tuple[list[str], np.ndarray]:
    """Training texts for corpus postings: ``copies`` thinned copies of each (see
    :func:`thin_evidence`), alternately without and with the title, one block of postings per copy.

    The block order lets a head's calibration folds hold other copies of postings it was fitted
    on, which makes the learned model alone overconfident on real postings. The default blend was
    chosen with it and scores better so (see the model card); :func:`training_texts` keeps a
    posting's copies side by side instead."""
    if drop <= 0:
        return training_texts(df)
    rng = np.random.default_rng(seed)
    bare, yb = training_texts(df, title_column=None, augment=False)
    titled, _ = training_texts(df, augment=False)
    texts: list[str] = []
    ys: list[np.ndarray] = []
    for c in range(copies):
        src = bare if c % 2 == 0 else titled
        texts += [thin_evidence(t, drop, rng) for t in src]
        ys.append(yb)
    return texts, np.concatenate(ys)


def fit_pipeline(texts: list[str], y: np.ndarray, **params: Any) -> Any:
    """Fit :func:`~jobclassify.pipeline.build_pipeline` on texts and labels."""
    return build_pipeline(**params).fit(texts, y)


def predict_labels(model: Any, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities (columns in LABELS order) for clean texts."""
    from .predict import predict_texts

    proba, _ = predict_texts(model, texts)
    return np.asarray(LABELS, dtype=object)[proba.argmax(axis=1)], proba


def evaluate_texts(model: Any, texts: list[str], y: Any) -> dict[str, Any]:
    """Metrics of ``model`` on clean texts with true labels ``y``."""
    pred, proba = predict_labels(model, texts)
    return compute_metrics(list(y), list(pred), proba)


@dataclass
class TrainResult:
    """What :func:`train` produced: the fitted model, its metrics and the comparison."""

    model: Any
    metadata: dict[str, Any]
    heldout: dict[str, Any]
    cross_validation: dict[str, Any]
    baseline: dict[str, Any] | None = None
    out: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def better_than_default(self) -> bool | None:
        if self.baseline is None:
            return None
        return self.heldout["macro_f1"] > self.baseline["macro_f1"]


def _label_frame(df: pd.DataFrame, text_column: str, title_column: str | None, label_column: str) -> pd.DataFrame:
    """The rows to learn from: a posting text and a valid label (the others are counted as left out)."""
    for col in (text_column, label_column):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not found; columns: {list(df.columns)}")
    out = pd.DataFrame(
        {
            "description": df[text_column],
            "title": df[title_column] if title_column and title_column in df.columns else "",
            "label": df[label_column].astype(str).str.strip().str.lower(),
        }
    )
    out = out[out["label"].isin(LABELS)]
    _, status = prepare(out["description"].tolist(), None)
    return out[[st in CLASSIFIABLE for st in status]].reset_index(drop=True)


def train(
    data: pd.DataFrame | str | Path,
    *,
    text_column: str = "description",
    title_column: str | None = "title",
    label_column: str = "label",
    with_corpus: bool = False,
    heldout_fraction: float = 0.2,
    cv: int = 5,
    compare_default: bool = True,
    **pipeline_params: Any,
) -> TrainResult:
    """Train a model on labelled postings; report cross-validated and held-out metrics.

    The held-out rows (``heldout_fraction``, stratified, fixed seed) are scored by the new model
    and, if ``compare_default``, by the bundled default model, so the two can be compared on the
    same rows. The returned model is refitted on all rows (held-out included).
    """
    df = pd.read_csv(data, dtype=str, keep_default_na=False) if isinstance(data, (str, Path)) else data
    user = _label_frame(df, text_column, title_column, label_column)
    if len(user) < 8 or user["label"].nunique() < 2:
        raise ValueError(
            f"need at least 8 labelled rows and 2 labels to train; got {len(user)} rows with labels "
            f"{sorted(user['label'].unique())} (allowed labels: {list(LABELS)})"
        )
    rng = np.random.default_rng(SEED)
    test_mask = np.zeros(len(user), dtype=bool)
    for lab in user["label"].unique():
        idx = np.flatnonzero(user["label"].to_numpy() == lab)
        n_test = int(round(len(idx) * heldout_fraction))
        if len(idx) > 1 and n_test:
            test_mask[rng.choice(idx, size=min(n_test, len(idx) - 1), replace=False)] = True
    train_df, test_df = user[~test_mask], user[test_mask]
    extra = load_corpus()[["title", "description", "label"]] if with_corpus else None
    corpus_X, corpus_y = corpus_training_texts(extra, seed=SEED) if extra is not None else ([], np.asarray([]))

    def fit_on(part: pd.DataFrame) -> Any:
        X, y = training_texts(part)
        return fit_pipeline(X + corpus_X, np.concatenate([y, corpus_y]), **pipeline_params)

    # cross-validation on the user's training rows (corpus rows always stay in the training folds)
    cv_scores: list[float] = []
    n_splits = min(cv, int(train_df["label"].value_counts().min()))
    if n_splits >= 2:
        skf = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
        for tr, te in skf.split(train_df, train_df["label"]):
            m = fit_on(train_df.iloc[tr])
            Xt, yt = training_texts(train_df.iloc[te], augment=False)
            cv_scores.append(evaluate_texts(m, Xt, yt)["macro_f1"])
    cross = {
        "folds": len(cv_scores),
        "macro_f1_mean": float(np.mean(cv_scores)) if cv_scores else None,
        "macro_f1_std": float(np.std(cv_scores)) if cv_scores else None,
    }

    heldout: dict[str, Any] = {"n": 0, "macro_f1": float("nan")}
    baseline = None
    if len(test_df):
        model = fit_on(train_df)
        Xt, yt = training_texts(test_df, augment=False)
        heldout = evaluate_texts(model, Xt, yt)
        if compare_default:
            from .predict import get_default_model

            try:
                baseline = evaluate_texts(get_default_model(), Xt, yt)
            except Exception as exc:  # no bundled model: say so, do not fail the training
                baseline = None
                heldout["default_model_error"] = str(exc)
    # the final model learns from every labelled row
    model = fit_on(user)
    fit_df = pd.concat([user, extra], ignore_index=True) if extra is not None else user
    meta = {
        "training_rows": int(len(user) + (0 if extra is None else len(extra))),
        "user_rows": int(len(user)),
        "rows_left_out": int(len(df) - len(user)),
        "corpus_rows": 0 if extra is None else int(len(extra)),
        "training_data_sha256": frame_sha256(fit_df),
        "label_counts": {k: int(v) for k, v in user["label"].value_counts().items()},
        "pipeline_params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in pipeline_params.items()},
        "heldout_macro_f1": heldout.get("macro_f1"),
        "cv_macro_f1": cross["macro_f1_mean"],
        "seed": SEED,
        "head": pipeline_params.get("head", "factorised"),
    }
    meta["taxonomy_sha256"] = taxonomy_step(model).taxonomy_sha256_
    return TrainResult(model, meta, heldout, cross, baseline)


def write_model_dir(res: TrainResult, out: str | Path, source: str = "") -> None:
    """Write ``model.skops``, ``metrics.json`` and ``MODEL_CARD.md`` for a trained model."""
    import json

    from .metrics import format_confusion, format_per_class
    from .persistence import atomic_write_bytes, save_model

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_model(res.model, out / "model.skops", metadata=res.metadata)
    metrics = {
        "heldout": res.heldout,
        "cross_validation": res.cross_validation,
        "default_model": res.baseline,
    }
    atomic_write_bytes(out / "metrics.json", json.dumps(metrics, indent=2, default=str).encode())
    meta = res.metadata
    lines = [
        f"# Model card: {out.name}\n",
        f"- Trained by `jobclassify train` on {source or 'a DataFrame'}: {meta['user_rows']} labelled rows"
        + (f" + {meta['corpus_rows']} corpus postings" if meta["corpus_rows"] else "")
        + f"; labels {meta['label_counts']}; {meta.get('rows_left_out', 0)} rows left out (no text or no valid label).",
        f"- Training data SHA-256 `{meta['training_data_sha256']}`, taxonomy SHA-256 `{meta['taxonomy_sha256']}`, "
        f"seed {meta['seed']}.",
        "- Method: TF-IDF word 1-2-grams + taxonomy features -> "
        + (
            "two calibrated binary logistic heads, devops duties and cloud duties (`FactorisedClassifier`)"
            if meta.get("head", "factorised") == "factorised"
            else "calibrated multinomial logistic regression"
        )
        + " (`jobclassify.build_pipeline`).",
        "",
        "## Scores",
        "",
    ]
    cv = res.cross_validation
    if cv["macro_f1_mean"] is not None:
        lines.append(
            f"- Cross-validated macro-F1 ({cv['folds']} folds): {cv['macro_f1_mean']:.3f} ± {cv['macro_f1_std']:.3f}"
        )
    if res.heldout.get("n"):
        lines.append(f"- Held-out rows ({res.heldout['n']}): macro-F1 {res.heldout['macro_f1']:.3f}")
        if res.baseline is not None:
            lines.append(
                f"- The bundled default model on the same rows: macro-F1 {res.baseline['macro_f1']:.3f} "
                f"-> the new model is {'better' if res.better_than_default else 'not better'}."
            )
        lines += [
            "",
            "### Held-out rows",
            "",
            format_per_class(res.heldout),
            "",
            format_confusion(res.heldout),
        ]
    atomic_write_bytes(out / "MODEL_CARD.md", ("\n".join(lines) + "\n").encode())
