"""Retraining on a user's own postings: weak labels from titles, with and without the corpus.

    python benchmarks/retrain.py

Trains on ../shared/realworld/dev_weak.csv labelled (a) by `jobclassify weak-label` (our title
cues; abstentions dropped) and (b) by its `title_label` column, each with and without the bundled
corpus, and scores every model beside the bundled default on devgold (description alone).
dev_weak and devgold share no postings. Skips when ../shared is absent.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from jobclassify.evalsets import load_realworld
from jobclassify.predict import get_default_model
from jobclassify.training import evaluate_texts, train, training_texts
from jobclassify.weak import weak_labels


def main() -> int:
    weak = load_realworld("dev_weak")
    gold = load_realworld("devgold")
    if weak is None or gold is None:
        print("skipped: ../shared/realworld not found (set JOBCLASSIFY_REALWORLD)")
        return 0
    Xg, yg = training_texts(gold, title_column=None, augment=False)
    ours, cues = weak_labels(weak["title"].tolist())
    weak = weak.assign(weak_label=[lab or "" for lab in ours])
    print(
        f"weak-label on {len(weak)} dev_weak titles: "
        f"{pd.Series(ours, dtype=object).fillna('(abstain)').value_counts().to_dict()}"
    )
    rows = [("bundled default model", None, get_default_model())]
    for label_col in ("weak_label", "title_label"):
        data = weak[weak[label_col] != ""]
        for with_corpus in (False, True):
            t0 = time.perf_counter()
            res = train(
                data,
                text_column="description",
                title_column="title",
                label_column=label_col,
                with_corpus=with_corpus,
                cv=0,
                compare_default=False,
                heldout_fraction=0.0,
            )
            name = f"{label_col} ({len(data)} rows){' + corpus' if with_corpus else ''}"
            rows.append((name, time.perf_counter() - t0, res.model))
    print(f"\n{'training data':42s} | devgold desc macro-F1 | hybrid F1 | train s")
    base = None
    for name, secs, model in rows:
        m = evaluate_texts(model, Xg, yg)
        base = m["macro_f1"] if base is None else base
        delta = "" if secs is None else f" ({m['macro_f1'] - base:+.3f})"
        print(
            f"{name:42s} | {m['macro_f1']:.3f}{delta:>10s}        | {m['per_class']['hybrid']['f1']:.2f}      | "
            f"{'' if secs is None else f'{secs:.0f}'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
