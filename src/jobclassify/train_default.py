"""Rebuild the bundled default model from the corpus: ``python -m jobclassify.train_default``.

Trains on the corpus ``train`` split (fixed seed), measures on the corpus ``test`` split and, when
``shared/realworld`` is present, on real postings (read at run time, never stored), then writes
``models/default/model.skops``, ``metrics.json`` and ``MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import sklearn

from ._version import __version__
from .compiled import save_compiled
from .corpus import default_corpus_dir, frame_sha256, load_corpus
from .evalsets import load_content_sample, load_realworld
from .keyword_classifier import KeywordClassifier
from .metrics import format_confusion, format_per_class
from .persistence import atomic_write_bytes, save_model
from .pipeline import SEED, taxonomy_step
from .rule_blend import RuleBlend
from .training import (
    DENSITY_COPIES,
    DENSITY_DROP,
    corpus_training_texts,
    evaluate_texts,
    training_texts,
)

KEYWORD_DROP = 0.5
RULES_WEIGHT = 0.6
"""The keyword rules' share of the default model's probabilities. First chosen on dev_weak among 0 /
0.2 / 0.3 / 0.4 / 0.5 / 0.6 / 0.8 (macro-F1 0.418 / 0.421 / 0.422 / 0.428 / 0.431 / 0.446 / 0.427).
Checked again with windowed role scores, mean of four thinning seeds at 0.4 / 0.5 / 0.6 / 0.7: content-
labelled sample 0.660 / 0.676 / 0.680 / 0.646, dev_weak 0.427 / 0.434 / 0.448 / 0.444."""
KEYWORD_HYBRID_RATIO = 0.8
"""The keyword baseline's hybrid threshold. Tuned on the corpus it comes out at 0.4, but real
postings mix the two roles' vocabularies far more than written ones (see datasets/README.md), so
the weaker side must reach 80% of the stronger before the rules call a posting hybrid: chosen on
dev_weak (macro-F1 0.380 at 0.4, 0.402 at 0.6, 0.411 at 0.7, 0.413 at 0.8, 0.411 at 0.9)."""


def keyword_baseline(train_df: Any) -> KeywordClassifier:
    """The keyword rules as shipped in the benchmarks: ``min_score`` and ``other_weight`` tuned on
    the thinned corpus train split (p = KEYWORD_DROP), ``hybrid_ratio`` fixed at KEYWORD_HYBRID_RATIO."""
    X, y = corpus_training_texts(train_df, drop=KEYWORD_DROP, copies=1, seed=SEED)
    return KeywordClassifier(hybrid_ratio=KEYWORD_HYBRID_RATIO, tune=("min_score", "other_weight")).fit(X, y)


def realworld_metrics(model: Any) -> dict[str, Any]:
    """Metrics on devgold (description alone; title + description; confident rows), on dev_weak's
    title labels and on the dev_weak sample we labelled by content."""
    out: dict[str, Any] = {}
    gold = load_realworld("devgold")
    if gold is not None:
        X, y = training_texts(gold, title_column=None, augment=False)
        out["devgold_description"] = evaluate_texts(model, X, y)
        X, y = training_texts(gold, augment=False)
        out["devgold_title_description"] = evaluate_texts(model, X, y)
        sure = gold[gold["confidence"] != "low"]
        X, y = training_texts(sure, title_column=None, augment=False)
        out["devgold_description_confident"] = evaluate_texts(model, X, y)
    weak = load_realworld("dev_weak")
    if weak is not None:
        X, y = training_texts(weak, title_column=None, label_column="title_label", augment=False)
        out["dev_weak_description_vs_title_label"] = evaluate_texts(model, X, y)
    sample = load_content_sample()
    if sample is not None:
        X, y = training_texts(sample, title_column=None, augment=False)
        out["dev_weak_content_description"] = evaluate_texts(model, X, y)
    return out


def _section(title: str, m: dict[str, Any]) -> str:
    return f"### {title}\n\n{format_per_class(m)}\n\n{format_confusion(m)}\n"


def model_card(meta: dict[str, Any], metrics: dict[str, Any]) -> str:
    """The Markdown model card."""
    parts = [
        "# jobclassify default model\n",
        "Labels a job posting as `devops`, `cloud`, `hybrid` or `other` (see the project's LABELS.md).\n",
        "## How it was made\n",
        f"- Data: the project corpus (`datasets/postings/`, written by the team), train split only: "
        f"{meta['training_postings']} postings. Each is used {DENSITY_COPIES} times (without and with its "
        f"title) with every devops/cloud taxonomy mention deleted at random with p={DENSITY_DROP}: corpus "
        "postings name role terms about 2.5 times as densely as real ones, and thinning them teaches the "
        "model what sparser real evidence looks like. "
        f"Label counts: {meta['label_counts']}.",
        f"- Training data SHA-256: `{meta['training_data_sha256']}`; taxonomy SHA-256: `{meta['taxonomy_sha256']}`.",
        "- Method: the posting without its company sections (below) -> TF-IDF word 1-2-grams + taxonomy "
        "features (`TaxonomyFeatures`), one tokenization for both "
        "-> `FactorisedClassifier`: two binary logistic regressions (C=4, balanced class weights), 'has "
        "devops (delivery) duties' and 'has cloud-infrastructure duties', each calibrated by "
        "`CalibratedClassifierCV` (sigmoid, 5 folds); P(hybrid) = P(devops duties) x P(cloud duties), "
        "P(other) = the product of the two complements, and so on. This head was chosen over one "
        "multinomial regression because LABELS.md defines `hybrid` as both duties at once; in 9 thinning "
        "seeds each it scored 0.61 vs 0.58 macro-F1 on devgold and the same on dev_weak (0.40), but 0.92 "
        "vs 0.95 on the corpus test split. Thinning rate 0.6 was chosen among 0.6 / 0.75 / 0.85 on dev_weak.",
        f"- Blend (`RuleBlend`): the final probabilities are {1 - RULES_WEIGHT:.1f} x the model above + "
        f"{RULES_WEIGHT:.1f} x the keyword rules (`KeywordClassifier`, fitted on the same texts, hybrid ratio "
        "0.8). The rules hold on to sparse role evidence that the model, trained on written postings, "
        "discounts. The weight was chosen on dev_weak (0.418 with the model alone, 0.446 blended) and "
        "checked again with the windowed role scores below (mean of four thinning seeds, weights 0.4 / 0.5 / "
        "0.6 / 0.7: 0.660 / 0.676 / 0.680 / 0.646 on the content-labelled sample, 0.427 / 0.434 / 0.448 / "
        "0.444 on dev_weak).",
        "- Role evidence over windows: the rules, and the role, mix and share columns of the taxonomy "
        "features, add up role evidence over windows of 20 tokens, each window's score s counting as "
        "2 x s^0.7, so a skills list crowded into one line weighs less than duties spread over the "
        "posting. This was chosen on the first 400 dev_weak postings we labelled by content "
        "(`benchmarks/labels`). For the rules, windows of 15-30 tokens with powers 0.5-0.8 all beat "
        "whole-text scores: blend 0.649-0.668 vs 0.648 on that sample, 0.441-0.449 vs 0.446 on "
        "dev_weak's title labels and 0.651-0.686 vs 0.642 on devgold. For the features, over four "
        "thinning seeds: 0.680 vs 0.669 on the sample (higher for every seed), 0.448 vs 0.448 on "
        "dev_weak and 0.676 vs 0.669 on devgold.",
        '- Sections: the rules weigh matches under a requirements header ("Requirements:", "What you\'ll '
        'bring:", ...; `data/sections.toml`) at 0.5, and windows do not cross headers, because LABELS.md '
        "decides by duties and a requirements list of tools says less about what the role is for. The rule "
        "to adopt it was written down before a second content-labelled sample came in (751 postings in "
        "all): a rise of at least 0.005 on the sample with dev_weak not falling by more than 0.003, mean "
        "of four thinning seeds. It gave 0.665 vs 0.656 on the sample (higher for every seed), 0.451 vs "
        "0.448 on dev_weak and 0.696 vs 0.676 on devgold.",
        "- Checked again on second readings: after 456 rows of the sample were read by a second reader and "
        "48 disagreements by a third (the `label` column is now the majority), the design above, over four "
        "thinning seeds, scores 0.679 on the sample against 0.671-0.675 for four variants set aside earlier "
        "(sharper role shares per window at two strengths, section weights in the taxonomy features, and "
        "384 more corpus postings whose titles disagree with their duties). The figures above it were "
        "measured on the first readers' labels.",
        "- Company sections: the learned model reads each posting without its company sections (a "
        "`SectionFilter` step cuts out each 'About us:', 'Benefits:', 'What we offer:', 'Equal opportunity:', "
        "pay or location header and the text up to the next header); the rules still read the whole "
        "posting. Real postings carry more such text than the corpus, and it dilutes the word features. "
        "Adopted under a rule written before it was measured (four thinning seeds, sample up by at least "
        "0.005, dev_weak not down by more than 0.003): 0.685 vs 0.679 on the sample, 0.456 vs 0.451 on "
        "dev_weak and 0.703 vs 0.696 on devgold. Headers after a markdown '#' are not found ('#' is a "
        "token character, as in C#).",
        "- Known limit, calibration of the learned model alone: the training copies come in blocks (all "
        "postings without title, then all with it), so a head's calibration folds hold other copies of "
        "postings it was fitted on, and the learned model alone is overconfident on real postings. With "
        "each posting's copies side by side its log-loss on the content sample falls from 1.23 to 0.95 "
        "(devgold 1.62 to 1.19, four seeds), but the blend scores less (0.669 at weight 0.6, 0.680 at "
        "its best weight 0.5, vs 0.685), so the default keeps the block order. The blend's own "
        "probabilities are calibrated on real postings (see the benchmark: ECE 0.04 on devgold).",
        f"- Seed {meta['seed']}; jobclassify {meta['jobclassify_version']}, scikit-learn {meta['sklearn_version']}; "
        f"training took {meta['train_seconds']:.1f} s.",
        "- Files: `model.skops` (the scikit-learn pipeline, safe skops format) and `model.npz` (the same "
        "model compiled to NumPy arrays for fast start-up; `classify()` and `jobclassify label` use it).",
        "- Rebuild: `python -m jobclassify.train_default` from a source checkout.\n",
        "## Scores\n",
        "Real postings (`shared/realworld`) are read at run time for these figures only; none of their "
        "text is in the training data or this repository.\n",
    ]
    names = {
        "corpus_test_description": "Corpus test split, description alone",
        "corpus_test_title_description": "Corpus test split, title + description",
        "devgold_description": "devgold (real, careful labels), description alone — the main figure",
        "devgold_title_description": "devgold, title + description",
        "devgold_description_confident": "devgold, description alone, confidence != low",
        "dev_weak_description_vs_title_label": "dev_weak (real) vs noisy title labels, description alone",
        "dev_weak_content_description": (
            "dev_weak sample labelled by content (`benchmarks/labels`, the set variants are chosen on), "
            "description alone"
        ),
        "keyword_devgold_description": (
            "Keyword baseline (`KeywordClassifier`, thresholds tuned on the thinned corpus train split, hybrid "
            "ratio 0.8 chosen on dev_weak), devgold description alone"
        ),
    }
    rows = ["| evaluation set | n | macro-F1 | accuracy | hybrid F1 |", "|---|---|---|---|---|"]
    for key, title in names.items():
        if key in metrics:
            m = metrics[key]
            rows.append(
                f"| {title} | {m['n']} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} "
                f"| {m['per_class']['hybrid']['f1']:.3f} |"
            )
    parts.append("\n".join(rows) + "\n")
    for key, title in names.items():
        if key in metrics:
            parts.append(_section(title, metrics[key]))
    parts.append(
        "## Limits\n\n"
        "- The corpus test split flatters: postings written to the same briefs are far easier than real "
        "ones. Judge the model by the real-postings rows above (devgold), not by the corpus rows.\n"
        "- Trained on team-written postings in English; real postings differ in vocabulary and noise.\n"
        "- The most common real-posting errors: cloud postings called `other` (their visible text is "
        "often mostly company introduction — scraped postings cut at about 600 characters) or `hybrid` "
        "(real cloud-engineer postings name pipelines and Terraform often enough for the devops-duties "
        "head to fire); cloud recall on devgold is the weakest figure. Devops postings go to `other` for "
        "the same thin-text reason.\n"
        "- `hybrid` is the hardest label: postings that do some cloud and some CI/CD work are common, "
        "and readers disagree on where the balance tips.\n"
        "- Postings cut short before their duties carry little evidence; confidence is lower there.\n"
    )
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m jobclassify.train_default", description=__doc__)
    ap.add_argument("--corpus", default=None, help="corpus folder (default: datasets/postings)")
    ap.add_argument("--out", default=None, help="output folder (default: models/default of the checkout)")
    args = ap.parse_args(argv)
    corpus_dir = Path(args.corpus) if args.corpus else default_corpus_dir()
    out = Path(args.out) if args.out else corpus_dir.parent.parent / "models" / "default"
    df = load_corpus(corpus_dir)
    train_df, test_df = df[df["split"] == "train"], df[df["split"] == "test"]
    t0 = time.perf_counter()
    X, y = corpus_training_texts(train_df, seed=SEED)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one BLAS thread: the fit is then the same bit for bit on any machine
        model = RuleBlend(rules_weight=RULES_WEIGHT).fit(X, y)
    seconds = time.perf_counter() - t0
    metrics: dict[str, Any] = {}
    Xd, yd = training_texts(test_df, title_column=None, augment=False)
    metrics["corpus_test_description"] = evaluate_texts(model, Xd, yd)
    Xt, yt = training_texts(test_df, augment=False)
    metrics["corpus_test_title_description"] = evaluate_texts(model, Xt, yt)
    metrics.update(realworld_metrics(model))
    gold = load_realworld("devgold")
    if gold is not None:
        kw = keyword_baseline(train_df)
        Xg, yg = training_texts(gold, title_column=None, augment=False)
        metrics["keyword_devgold_description"] = evaluate_texts(kw, Xg, yg)
    feats = taxonomy_step(model)
    meta = {
        "jobclassify_version": __version__,
        "sklearn_version": sklearn.__version__,
        "training_postings": int(len(train_df)),
        "label_counts": {k: int(v) for k, v in train_df["label"].value_counts().sort_index().items()},
        "training_data_sha256": frame_sha256(train_df),
        "taxonomy_sha256": feats.taxonomy_sha256_,
        "seed": SEED,
        "density_drop": DENSITY_DROP,
        "density_copies": DENSITY_COPIES,
        "train_seconds": seconds,
        "metrics": {k: {"macro_f1": v["macro_f1"], "n": v["n"]} for k, v in metrics.items()},
    }
    out.mkdir(parents=True, exist_ok=True)
    save_model(model, out / "model.skops", metadata=meta)
    save_compiled(model, out / "model.npz")
    atomic_write_bytes(out / "metrics.json", json.dumps(metrics, indent=2).encode())
    atomic_write_bytes(out / "MODEL_CARD.md", model_card(meta, metrics).encode())
    for k, v in metrics.items():
        print(f"{k:45s} n={v['n']:5d} macro-F1={v['macro_f1']:.3f} hybrid-F1={v['per_class']['hybrid']['f1']:.3f}")
    print(f"wrote {out}/model.skops, model.npz, MODEL_CARD.md, metrics.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
