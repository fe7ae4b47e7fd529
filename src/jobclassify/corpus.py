"""The project's labelled corpus: loading, the fixed train/test split, and its hash.

The corpus is a folder of JSON Lines files (one per writing brief) with the columns
``id, title, company, location, description, label, note``. In a source checkout it is
``datasets/postings/``; installed wheels carry a copy as ``jobclassify._corpus``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from .labels import LABELS

COLUMNS = ("id", "title", "company", "location", "description", "label", "note")
TEST_FRACTION_BUCKETS = 5  # 1 bucket in 5 -> 20 % test


def default_corpus_dir() -> Path:
    """The corpus folder: the source checkout's ``datasets/postings`` or the installed copy."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "datasets" / "postings"
        if cand.is_dir() and any(cand.glob("*.jsonl")):
            return cand
    return Path(__file__).resolve().parent / "_corpus"  # the copy inside an installed wheel


def load_corpus(path: str | Path | None = None) -> pd.DataFrame:
    """All labelled postings, with ``source`` (the file they came from) and ``split`` columns."""
    folder = Path(path) if path is not None else default_corpus_dir()
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else [folder]
    if not files:
        raise FileNotFoundError(f"no *.jsonl corpus files in {folder}")
    frames = []
    for f in files:
        df = pd.read_json(f, lines=True, dtype=False)
        missing = [c for c in COLUMNS if c not in df.columns]
        if missing:
            raise ValueError(f"{f}: missing columns {missing}")
        df = df[list(COLUMNS)].astype(str)
        df["source"] = f.stem
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    bad = sorted(set(out["label"]) - set(LABELS))
    if bad:
        raise ValueError(f"corpus has labels outside {LABELS}: {bad}")
    out["split"] = [split_of(i) for i in out["id"]]
    return out


def split_of(posting_id: str) -> str:
    """``"test"`` for one posting id in five (by a stable hash), else ``"train"``."""
    h = int(hashlib.sha256(posting_id.encode("utf-8")).hexdigest()[:8], 16)
    return "test" if h % TEST_FRACTION_BUCKETS == 0 else "train"


def frame_sha256(df: pd.DataFrame, columns: tuple[str, ...] = ("title", "description", "label")) -> str:
    """A hash of the training rows, recorded in model metadata."""
    h = hashlib.sha256()
    for row in df[list(columns)].astype(str).itertuples(index=False):
        h.update("\x1f".join(row).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()
