"""The ``jobclassify`` command line: one verb per job, built from a map of sub-commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from ._version import __version__

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _err(msg: str) -> None:
    print(f"jobclassify: error: {msg}", file=sys.stderr)


# ----------------------------------------------------------------------------- label
def _add_label(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="CSV file (.csv or .csv.gz), or - for standard input")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (.csv, .jsonl, .parquet) or - for "
                   "standard output; default: IN with .labelled.csv")
    p.add_argument("--format", choices=("csv", "jsonl", "parquet"), help="output format (default: by extension)")
    p.add_argument("--text-column", help="column with the posting text (default: detected)")
    p.add_argument("--title-column", help="column with the job title (default: detected; '' for none)")
    p.add_argument("--model", metavar="PATH", help="model file (default: the bundled model)")
    p.add_argument("--trust-model", action="store_true", help="load a model file even if it holds types "
                   "outside the safe allow-list (only for files you trust)")
    p.add_argument("--evidence", action="store_true", help="add an evidence column (matched taxonomy terms)")
    p.add_argument("--min-confidence", type=float, metavar="X", help="add needs_review=true for rows below X")
    p.add_argument("--on-bad-line", choices=("error", "skip", "keep"), default="error",
                   help="malformed CSV lines: stop (default), skip and report, or keep (status=bad_line)")
    p.add_argument("--encoding", default="utf-8-sig", help="input encoding (default: UTF-8, BOM allowed)")
    p.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--chunk-rows", type=int, default=1000, help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")


def _progress_bar(total_bytes: int | None, quiet: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    try:
        from tqdm import tqdm
    except ImportError:
        import time

        t0 = time.perf_counter()

        def simple(rows: int, offset: int) -> None:
            rate = rows / max(time.perf_counter() - t0, 1e-9)
            eta = ""
            if total_bytes and offset:
                left = (time.perf_counter() - t0) * (total_bytes - offset) / offset
                eta = f", ETA {left:.0f} s"
            print(f"\r{rows:,} rows, {rate:,.0f} rows/s{eta}   ", end="", file=sys.stderr, flush=True)

        return simple, lambda: print(file=sys.stderr)
    bar = tqdm(total=total_bytes, unit="B", unit_scale=True, file=sys.stderr, dynamic_ncols=True,
               desc="labelling")
    state = {"last": 0}

    def update(rows: int, offset: int) -> None:
        bar.update(offset - state["last"])
        state["last"] = offset
        rate = rows / max(bar.format_dict.get("elapsed", 0) or 1e-9, 1e-9)
        bar.set_postfix_str(f"{rows:,} rows, {rate:,.0f} rows/s", refresh=False)

    return update, bar.close


def cmd_label(a: argparse.Namespace) -> int:
    from .batch import LabelError, label_csv

    size = None
    if a.input != "-" and os.path.isfile(a.input) and not a.input.endswith(".gz"):
        size = os.path.getsize(a.input)
    progress, close = _progress_bar(size, a.quiet)
    try:
        summary = label_csv(
            a.input, a.output, text_column=a.text_column, title_column=a.title_column, model=a.model,
            trusted=a.trust_model, fmt=a.format, encoding=a.encoding, on_bad_line=a.on_bad_line,
            evidence=a.evidence, min_confidence=a.min_confidence, jobs=a.jobs, chunk_rows=a.chunk_rows,
            progress=progress,
        )
    except LabelError as exc:
        close()
        _err(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        close()
        _err("interrupted; no output file was written (any earlier file at OUT is untouched)")
        return EXIT_INTERRUPTED
    close()
    if not a.quiet:
        print(summary.to_text(), file=sys.stderr)
    return EXIT_OK


# ----------------------------------------------------------------------------- classify
def _add_classify(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", help="the posting text (or - to read it from standard input)")
    p.add_argument("--title", help="the job title, if known")
    p.add_argument("--model", metavar="PATH", help="model file (default: the bundled model)")
    p.add_argument("--trust-model", action="store_true", help="load a model outside the safe allow-list")
    p.add_argument("--json", action="store_true", help="print the prediction as JSON")


def cmd_classify(a: argparse.Namespace) -> int:
    from .persistence import ModelFileError
    from .predict import classify

    text = sys.stdin.read() if a.text == "-" else a.text
    try:
        pred = classify(text, title=a.title, model=a.model, trusted=a.trust_model)
    except (ValueError, ModelFileError) as exc:
        _err(str(exc))
        return EXIT_ERROR
    if a.json:
        print(json.dumps(pred.to_dict(), indent=2))
        return EXIT_OK
    print(f"label: {pred.label}   confidence: {pred.confidence:.2f}")
    print("probabilities: " + "  ".join(f"{k}={v:.2f}" for k, v in pred.probabilities.items()))
    matched = pred.evidence.get("matched", {})
    if matched:
        print("taxonomy terms:")
        for role in ("devops", "cloud", "shared", "other"):
            for group, terms in matched.get(role, {}).items():
                print(f"  {role:7s} {group:22s} " + ", ".join(f"{t}×{n}" if n > 1 else t for t, n in terms.items()))
    feats = pred.evidence.get("top_features")
    if feats:
        print(f"model features for {pred.label}: " + ", ".join(f"{n} (+{w:.2f})" for n, w in feats))
    if pred.status != "ok":
        print(f"status: {pred.status}")
    return EXIT_OK


# ----------------------------------------------------------------------------- taxonomy
def _add_taxonomy(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json", "toml"), default="text", help="output format")
    p.add_argument("--file", metavar="TOML", help="show (and validate) this taxonomy file instead")


def cmd_taxonomy(a: argparse.Namespace) -> int:
    from .taxonomy import TaxonomyError, load_taxonomy

    try:
        tax = load_taxonomy(a.file)
        from .matcher import TermMatcher

        TermMatcher(tax)  # validates variants across terms too
    except TaxonomyError as exc:
        _err(str(exc))
        return EXIT_ERROR
    if a.format == "json":
        print(json.dumps(tax.to_dict(), indent=2))
    elif a.format == "toml":
        sys.stdout.write(tax.source)
    else:
        print(f"{tax.name} {tax.version}: {len(tax.groups)} groups, {len(tax.terms)} terms")
        for g in tax.groups.values():
            print(f"\n[{g.role}/{g.kind}] {g.id}: {g.label}")
            for t in g.terms:
                alts = [v for v in t.variants if v.lower() != t.name.lower()]
                more = f"  ({', '.join(alts[:6])}{', ...' if len(alts) > 6 else ''})" if alts else ""
                print(f"  {t.weight:4.1f}  {t.name}{more}")
    return EXIT_OK


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "label": ("label a CSV of postings (streaming, parallel)", _add_label, cmd_label),
    "classify": ("classify one posting and show the evidence", _add_classify, cmd_classify),
    "taxonomy": ("show or validate the keyword taxonomy", _add_taxonomy, cmd_taxonomy),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobclassify",
        description="Label job postings as devops, cloud, hybrid or other, with the evidence.",
    )
    parser.add_argument("--version", action="version", version=f"jobclassify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_, add, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_[0].upper() + help_[1:] + ".")
        add(p)
        p.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    a: Any = parser.parse_args(argv)
    if not getattr(a, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return a.run(a)
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
