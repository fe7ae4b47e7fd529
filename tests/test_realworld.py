"""Optional: real postings from ../shared/realworld (evaluation only; skipped when absent).

Only correctness is checked here (every row labelled, nothing lost, nothing crashes); the accuracy
figures live in benchmarks/accuracy.py and the model card."""

import csv

import pytest

from jobclassify.cli import main
from jobclassify.evalsets import realworld_dir

RW = realworld_dir()
pytestmark = pytest.mark.skipif(RW is None, reason="../shared/realworld not present")


def test_label_devgold_keeps_every_row(tmp_path):
    out = tmp_path / "gold_labelled.csv"
    assert main(["label", str(RW / "devgold.csv"), "-o", str(out), "-q", "--evidence"]) == 0
    with open(RW / "devgold.csv", newline="", encoding="utf-8") as f:
        rows_in = list(csv.DictReader(f))
    with open(out, newline="", encoding="utf-8") as f:
        rows_out = list(csv.DictReader(f))
    assert [r["uid"] for r in rows_out] == [r["uid"] for r in rows_in]
    assert all(r["jc_label"] in ("cloud", "devops", "hybrid", "other") for r in rows_out)


def test_evaluate_devgold_runs(capsys):
    assert main(["evaluate", str(RW / "devgold.csv"), "--title-column", ""]) == 0
    assert "| **macro** |" in capsys.readouterr().out


def test_content_sample_joins_our_labels_to_dev_weak():
    from jobclassify.evalsets import load_content_sample

    sample = load_content_sample()
    assert sample is not None and len(sample) == 751
    assert set(sample["label"]) == {"cloud", "devops", "hybrid", "other"}
    assert sample["uid"].is_unique and (sample["description"].str.len() > 0).all()
