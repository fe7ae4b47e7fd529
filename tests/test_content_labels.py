"""Our content labels for a dev_weak sample (benchmarks/labels): labels only, never posting text."""

from pathlib import Path

import pandas as pd

LABELS_CSV = Path(__file__).resolve().parents[1] / "benchmarks" / "labels" / "dev_weak_content.csv"


def test_content_labels_file_holds_ids_and_labels_only():
    """Ids, labels and confidence; a second reader's label on the low-confidence rows."""
    df = pd.read_csv(LABELS_CSV, dtype=str, keep_default_na=False)
    assert list(df.columns) == ["uid", "label", "confidence", "second_label"]
    assert len(df) == 751 and df["uid"].is_unique
    assert df["uid"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert set(df["label"]) == {"cloud", "devops", "hybrid", "other"}
    assert set(df["confidence"]) <= {"high", "medium", "low"}
    second = df[df["second_label"] != ""]
    assert set(second["second_label"]) <= {"cloud", "devops", "hybrid", "other"}
    assert (second["confidence"] == "low").all() and len(second) == 95
