"""Accuracy on real postings: keyword baseline vs default model vs plain TF-IDF + LR.

    python benchmarks/accuracy.py

Reads ../shared/realworld (or $JOBCLASSIFY_REALWORLD) at run time and prints one table:
macro-F1 (and hybrid F1) on devgold, description alone and title + description, plus the
figures on devgold rows whose confidence is not low, on dev_weak title labels and on the 751
dev_weak postings we labelled by content (``benchmarks/labels/``, the set variants are chosen on);
then how well the default model's probabilities are calibrated on each set, and how it scores on
postings flattened to one line (no line break: scraped text whose lists and headers ran together)
against postings that keep their line breaks.
All three are trained on the same corpus train split (datasets/postings). Skips when absent.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from jobclassify.corpus import load_corpus
from jobclassify.evalsets import load_content_sample, load_realworld
from jobclassify.metrics import compute_metrics
from jobclassify.pipeline import SEED
from jobclassify.predict import get_default_model
from jobclassify.train_default import keyword_baseline
from jobclassify.training import predict_labels, training_texts


def main() -> int:
    gold = load_realworld("devgold")
    if gold is None:
        print("skipped: ../shared/realworld/devgold.csv not found (set JOBCLASSIFY_REALWORLD)")
        return 0
    weak = load_realworld("dev_weak")
    corpus = load_corpus()
    train = corpus[corpus["split"] == "train"]
    t0 = time.perf_counter()
    keyword = keyword_baseline(train)
    Xp, yp = training_texts(train)
    plain = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced", random_state=SEED),
    ).fit(Xp, yp)
    models = {"keyword baseline": keyword, "default model": get_default_model(), "plain TF-IDF + LR": plain}
    sets = {
        "devgold desc": training_texts(gold, title_column=None, augment=False),
        "devgold title+desc": training_texts(gold, augment=False),
        "devgold desc, conf!=low": training_texts(gold[gold["confidence"] != "low"], title_column=None, augment=False),
    }
    if weak is not None:
        sets["dev_weak desc (title labels)"] = training_texts(
            weak, title_column=None, label_column="title_label", augment=False
        )
    sample = load_content_sample()
    if sample is not None:
        sets[f"dev_weak content (n={len(sample)})"] = training_texts(sample, title_column=None, augment=False)
    header = f"{'model':20s}" + "".join(f" | {k:>28s}" for k in sets)
    print(f"macro-F1 (hybrid F1) on real postings; corpus train split: {len(train)} postings")
    print(header)
    print("-" * len(header))
    calibration, predicted = {}, {}
    for name, model in models.items():
        cells = []
        for key, (X, y) in sets.items():
            pred, proba = predict_labels(model, X)
            m = compute_metrics(list(y), list(pred), proba)
            cells.append(f"{m['macro_f1']:.3f} ({m['per_class']['hybrid']['f1']:.2f})")
            if name == "default model":
                calibration[key], predicted[key] = m, pred
        print(f"{name:20s}" + "".join(f" | {c:>28s}" for c in cells))
    print("\ndefault model, top label: mean confidence vs accuracy, expected calibration error (10 bins), log-loss")
    for key, m in calibration.items():
        print(
            f"  {key:30s} confidence {m['mean_confidence']:.3f}  accuracy {m['accuracy']:.3f}"
            f"  ECE {m['ece']:.3f}  log-loss {m['log_loss']:.3f}"
        )
    print("\ndefault model by layout: descriptions on one line (flattened) vs with line breaks, macro-F1 (n)")
    for key, (X, y) in sets.items():
        if "title+desc" in key:
            continue  # the title adds a line break
        flat = np.array(["\n" not in x for x in X])
        cells = []
        for mask in (flat, ~flat):
            m = compute_metrics(list(y[mask]), list(predicted[key][mask]))
            cells.append(f"{m['macro_f1']:.3f} ({int(mask.sum())})")
        print(f"  {key:30s} one line {cells[0]:>13s}   line breaks {cells[1]:>13s}")
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
