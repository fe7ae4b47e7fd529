"""Find the real-world evaluation postings (``shared/realworld``) at run time, if present.

They are read only at run time, for measurement: never copied into the project or a model.
Set ``JOBCLASSIFY_REALWORLD`` to point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd


def realworld_dir() -> Path | None:
    """The folder holding ``devgold.csv`` / ``dev_weak.csv``, or ``None`` when absent."""
    env = os.environ.get("JOBCLASSIFY_REALWORLD")
    if env:
        p = Path(env)
        return p if p.is_dir() else None
    for base in (Path.cwd(), Path(__file__).resolve()):
        for parent in [base, *base.parents]:
            cand = parent / "shared" / "realworld"
            if (cand / "devgold.csv").is_file():
                return cand
            cand = parent.parent / "shared" / "realworld"
            if (cand / "devgold.csv").is_file():
                return cand
    return None


def load_realworld(name: str) -> pd.DataFrame | None:
    """``devgold`` or ``dev_weak`` as a DataFrame, or ``None`` when the files are absent."""
    d = realworld_dir()
    if d is None or not (d / f"{name}.csv").is_file():
        return None
    return pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False)


CONTENT_LABELS = Path("benchmarks") / "labels" / "dev_weak_content.csv"


def load_content_sample() -> pd.DataFrame | None:
    """The dev_weak postings that we labelled by content (``benchmarks/labels``), with a ``label``
    column; ``None`` when dev_weak or the labels file (found from a source checkout) is absent."""
    weak = load_realworld("dev_weak")
    if weak is None:
        return None
    for base in (Path.cwd(), Path(__file__).resolve()):
        for parent in [base, *base.parents]:
            path = parent / CONTENT_LABELS
            if path.is_file():
                labels = pd.read_csv(path, dtype=str, keep_default_na=False)
                return weak.drop(columns=["label"], errors="ignore").merge(labels, on="uid")
    return None
