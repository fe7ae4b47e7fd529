"""Our content labels for a dev_weak sample (benchmarks/labels): labels only, never posting text."""

from pathlib import Path

import pandas as pd

LABELS_CSV = Path(__file__).resolve().parents[1] / "benchmarks" / "labels" / "dev_weak_content.csv"


def test_content_labels_file_holds_ids_and_labels_only():
    """Ids, labels and the first reader's confidence; the readings behind each label."""
    df = pd.read_csv(LABELS_CSV, dtype=str, keep_default_na=False)
    assert list(df.columns) == ["uid", "label", "confidence", "first_label", "second_label", "third_label"]
    assert len(df) == 751 and df["uid"].is_unique
    assert df["uid"].str.fullmatch(r"[0-9a-f]{16}").all()
    labels = {"cloud", "devops", "hybrid", "other"}
    assert set(df["label"]) == labels and set(df["first_label"]) == labels
    assert set(df["confidence"]) <= {"high", "medium", "low"}
    assert set(df["second_label"]) <= labels | {""} and set(df["third_label"]) <= labels | {""}
    assert (df["second_label"] != "").sum() == 456


def test_each_label_is_the_majority_of_its_readings():
    """One reading: that label. Two that agree: theirs. Two that disagree: a third reading decides
    (majority); where all three differ, the first reader's label stands."""
    df = pd.read_csv(LABELS_CSV, dtype=str, keep_default_na=False)
    for row in df.itertuples():
        readings = [r for r in (row.first_label, row.second_label, row.third_label) if r]
        if row.second_label == "" or row.second_label == row.first_label:
            assert row.third_label == "" and row.label == row.first_label
            continue
        assert row.third_label != "", row.uid  # every disagreement was read a third time
        counts = {r: readings.count(r) for r in readings}
        top = max(counts.values())
        expected = max(counts, key=counts.get) if top >= 2 else row.first_label
        assert row.label == expected, row.uid
    # every role-labelled row, and every `other` row not read with high confidence, has a second reading
    need = (df["first_label"] != "other") | (df["confidence"] != "high")
    assert (df.loc[need, "second_label"] != "").all()
