"""train / evaluate / weak-label / suggest, from Python and the command line."""

import csv
import json

import pandas as pd
import pytest

from jobclassify import evaluate, train, weak_label
from jobclassify.cli import main
from jobclassify.corpus import load_corpus


@pytest.fixture(scope="module")
def small():
    c = load_corpus()
    parts = [
        c[(c["label"] == lab) & (c["split"] == "train")].head(12) for lab in ("cloud", "devops", "hybrid", "other")
    ]
    return pd.concat(parts, ignore_index=True)[["id", "title", "description", "label"]]


@pytest.fixture(scope="module")
def small_csv(small, tmp_path_factory):
    p = tmp_path_factory.mktemp("data") / "mine.csv"
    small.to_csv(p, index=False)
    return p


def test_train_python_reports_cv_heldout_and_comparison(small):
    res = train(small, cv=2)
    assert res.cross_validation["folds"] == 2 and 0 <= res.cross_validation["macro_f1_mean"] <= 1
    assert res.heldout["n"] >= 8 and res.baseline is not None
    assert isinstance(res.better_than_default, bool)
    assert res.metadata["user_rows"] == len(small) and len(res.metadata["training_data_sha256"]) == 64
    assert set(res.model.predict(["Jenkins CI/CD pipelines and canary releases"])) <= {
        "cloud",
        "devops",
        "hybrid",
        "other",
    }


def test_train_rejects_too_little_data(small):
    with pytest.raises(ValueError, match="need at least 8 labelled rows"):
        train(small.head(3))


def test_train_counts_the_rows_it_leaves_out(small):
    bad = small.copy()
    bad.loc[bad.index[0], "label"] = "dev-ops"
    bad.loc[bad.index[1], "label"] = ""
    bad.loc[bad.index[2], "description"] = "   "
    res = train(bad, cv=2, compare_default=False)
    assert res.metadata["rows_left_out"] == 3 and res.metadata["user_rows"] == len(small) - 3


def test_train_cli_writes_model_card_and_refuses_overwrite(small, small_csv, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["train", str(small_csv), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "held-out macro-F1" in printed and ("better" in printed)
    assert f"rows used: {len(small)}; left out (no text or no valid label): 0" in printed
    for name in ("model.skops", "MODEL_CARD.md", "metrics.json"):
        assert (out / name).exists()
    card = (out / "MODEL_CARD.md").read_text()
    assert "Held-out rows" in card and "0 rows left out (no text or no valid label)" in card
    assert main(["train", str(small_csv), "--out", str(out)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["evaluate", str(small_csv), "--model", str(out / "model.skops")]) == 0
    assert "| **macro** |" in capsys.readouterr().out


def test_evaluate_report_folder(small, tmp_path):
    pytest.importorskip("matplotlib")
    m = evaluate(small, report=tmp_path / "rep")
    assert m["n"] == len(small) and 0 <= m["macro_f1"] <= 1 and m["calibration"]
    names = {p.name for p in (tmp_path / "rep").iterdir()}
    assert {
        "index.md",
        "confusion.png",
        "per_class.png",
        "confidence.png",
        "calibration.png",
        "metrics.json",
        "misclassified.csv",
    } <= names
    assert json.loads((tmp_path / "rep" / "metrics.json").read_text())["n"] == len(small)
    assert all((tmp_path / "rep" / n).read_bytes().startswith(b"\x89PNG") for n in names if n.endswith(".png"))
    assert not [n for n in names if n.endswith(".tmp")]
    assert "![confusion matrix](confusion.png)" in (tmp_path / "rep" / "index.md").read_text()


def test_evaluate_errors_are_clear(small_csv, capsys):
    assert main(["evaluate", str(small_csv), "--label-column", "nope"]) == 1
    assert "'nope' not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    "title, label",
    [
        ("Senior DevOps Engineer", "devops"),
        ("Site Reliability Engineer", "devops"),
        ("AWS DevOps Engineer", "hybrid"),
        ("Cloud DevOps Engineer (Azure)", "hybrid"),
        ("Azure Cloud Engineer", "cloud"),
        ("Cloud Architect", "cloud"),
        ("Cloud Sales Executive", "other"),
        ("DevOps Recruiter", "other"),
        ("Java Software Developer (AWS)", "other"),
        ("Engineer II", None),
        ("Google Cloud", None),
        (None, None),
    ],
)
def test_weak_label_rules(title, label):
    got, cue = weak_label(title)
    assert got == label, cue
    assert cue


def test_weak_label_and_suggest_cli(small_csv, tmp_path, capsys):
    out = tmp_path / "weak.csv"
    assert main(["weak-label", str(small_csv), "-o", str(out)]) == 0
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert len(rows) == 48 and {"weak_label", "weak_cue"} <= set(rows[0])
    assert "weak labels for 48 titles" in capsys.readouterr().err
    sug = tmp_path / "next.csv"
    assert main(["suggest", str(small_csv), "-n", "5", "-o", str(sug)]) == 0
    got = list(csv.DictReader(open(sug, encoding="utf-8")))
    assert len(got) == 5 and all(r["reason"] for r in got)
    scores = [float(r["score"]) for r in got]
    assert scores == sorted(scores, reverse=True)


def test_train_cli_head_choice_and_labels_missing_from_data(small, tmp_path, capsys):
    """--head multinomial trains the four-way head; the factorised head copes with data that has
    no hybrid rows (its two duty heads still learn), and the model card names the head."""
    p = tmp_path / "nohybrid.csv"
    small[small["label"] != "hybrid"].to_csv(p, index=False)
    assert main(["train", str(p), "--out", str(tmp_path / "f")]) == 0
    assert "FactorisedClassifier" in (tmp_path / "f" / "MODEL_CARD.md").read_text()
    assert main(["train", str(p), "--out", str(tmp_path / "mn"), "--head", "multinomial"]) == 0
    assert "multinomial" in (tmp_path / "mn" / "MODEL_CARD.md").read_text()
    capsys.readouterr()
    for name in ("f", "mn"):
        assert (
            main(
                ["label", str(p), "-o", str(tmp_path / f"{name}.csv"), "--model", str(tmp_path / name / "model.skops")]
            )
            == 0
        )
        with open(tmp_path / f"{name}.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == len(small) - (small["label"] == "hybrid").sum()
        assert {r["label"] for r in rows} <= {"cloud", "devops", "hybrid", "other"}


def test_copies_of_a_posting_sit_side_by_side_so_calibration_folds_keep_them_together():
    """With and without its title, each posting's two texts are neighbours; the heads calibrate on
    unshuffled stratified folds (runs of neighbouring rows of a class), so a fold's postings are not
    also in the rows its head was fitted on (but for at most one pair per class at a fold's edge)."""
    from sklearn.model_selection import StratifiedKFold

    from jobclassify.training import training_texts

    df = load_corpus().groupby("label").head(25).reset_index(drop=True)
    texts, y = training_texts(df)
    assert len(texts) == 2 * len(df)
    for i in range(len(df)):
        titled, bare = texts[2 * i], texts[2 * i + 1]
        assert titled.endswith(bare) and titled != bare and y[2 * i] == y[2 * i + 1]
    posting = [i // 2 for i in range(len(texts))]
    split = 0
    for fit, held in StratifiedKFold(n_splits=5).split(texts, y):
        shared = {posting[i] for i in fit} & {posting[i] for i in held}
        split += len(shared)
    assert split <= 5 * 4  # at most one pair per class (4) at each fold's edge


def test_evaluate_cli_says_how_many_rows_it_left_out(small, tmp_path, capsys):
    bad = small.copy()
    bad.loc[bad.index[:3], "label"] = "dev-ops"  # not a label: left out, and said so
    p = tmp_path / "bad.csv"
    bad.to_csv(p, index=False)
    assert main(["evaluate", str(p)]) == 0
    assert f"rows evaluated: {len(small) - 3}; left out (no text or no valid label): 3" in capsys.readouterr().out
