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
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file (.csv, .jsonl, .parquet) or - for standard output; default: IN with .labelled.csv",
    )
    p.add_argument("--format", choices=("csv", "jsonl", "parquet"), help="output format (default: by extension)")
    p.add_argument("--text-column", help="column with the posting text (default: detected)")
    p.add_argument("--title-column", help="column with the job title (default: detected; '' for none)")
    p.add_argument("--model", metavar="PATH", help="model file (default: the bundled model)")
    p.add_argument(
        "--trust-model",
        action="store_true",
        help="load a model file even if it holds types outside the safe allow-list (only for files you trust)",
    )
    p.add_argument("--evidence", action="store_true", help="add an evidence column (matched taxonomy terms)")
    p.add_argument("--min-confidence", type=float, metavar="X", help="add needs_review=true for rows below X")
    p.add_argument(
        "--on-bad-line",
        choices=("error", "skip", "keep"),
        default="error",
        help="malformed CSV lines: stop (default), skip and report, or keep (status=bad_line)",
    )
    p.add_argument("--encoding", default="utf-8-sig", help="input encoding (default: UTF-8, BOM allowed)")
    p.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--chunk-rows", type=int, default=250, help=argparse.SUPPRESS)
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
    bar = tqdm(total=total_bytes, unit="B", unit_scale=True, file=sys.stderr, dynamic_ncols=True, desc="labelling")
    state = {"last": 0}

    def update(rows: int, offset: int) -> None:
        bar.update(offset - state["last"])
        state["last"] = offset
        rate = rows / max(bar.format_dict.get("elapsed", 0) or 1e-9, 1e-9)
        bar.set_postfix_str(f"{rows:,} rows, {rate:,.0f} rows/s", refresh=False)

    return update, bar.close


def cmd_label(a: argparse.Namespace) -> int:
    from .batch import LabelError, keep_freed_memory, label_csv

    keep_freed_memory()  # this process is ours: let its allocator keep freed memory for reuse
    size = None
    if a.input != "-" and os.path.isfile(a.input) and not a.input.endswith(".gz"):
        size = os.path.getsize(a.input)
    progress, close = _progress_bar(size, a.quiet)
    try:
        summary = label_csv(
            a.input,
            a.output,
            text_column=a.text_column,
            title_column=a.title_column,
            model=a.model,
            trusted=a.trust_model,
            fmt=a.format,
            encoding=a.encoding,
            on_bad_line=a.on_bad_line,
            evidence=a.evidence,
            min_confidence=a.min_confidence,
            jobs=a.jobs,
            chunk_rows=a.chunk_rows,
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


# ----------------------------------------------------------------------------- table helpers
def _read_table(path: str) -> Any:
    """Read CSV / CSV.gz / JSON Lines into a DataFrame of strings, with clear errors."""
    import pandas as pd

    if path != "-" and not os.path.isfile(path):
        raise _CliError(f"file not found: {path}")
    try:
        if path.endswith((".jsonl", ".ndjson")):
            return pd.read_json(path, lines=True, dtype=False).astype(str)
        return pd.read_csv(sys.stdin if path == "-" else path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _CliError(f"{path}: not UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise _CliError(f"{path}: cannot read it as a table: {str(exc).strip()}") from None


class _CliError(Exception):
    pass


def _pick(df: Any, wanted: str | None, candidates: tuple[str, ...], what: str, required: bool) -> str | None:
    from .batch import LabelError, find_column

    try:
        i = find_column([str(c) for c in df.columns], wanted, candidates, what, required)
    except LabelError as exc:
        raise _CliError(str(exc)) from None
    return None if i is None else str(df.columns[i])


def _write_table(df: Any, out: str) -> None:
    from .persistence import atomic_write_bytes

    if out == "-":
        df.to_csv(sys.stdout, index=False)
    elif out.endswith((".jsonl", ".ndjson")):
        atomic_write_bytes(out, df.to_json(orient="records", lines=True, force_ascii=False).encode())
    else:
        atomic_write_bytes(out, df.to_csv(index=False).encode("utf-8"))


def _add_columns_args(p: argparse.ArgumentParser, label: bool = False) -> None:
    p.add_argument("--text-column", help="column with the posting text (default: detected)")
    p.add_argument("--title-column", help="column with the job title (default: detected; '' for none)")
    if label:
        p.add_argument("--label-column", default="label", help="column with the true label (default: label)")


def _columns(a: argparse.Namespace, df: Any) -> tuple[str, str | None]:
    from .batch import TEXT_CANDIDATES, TITLE_CANDIDATES

    text = _pick(df, a.text_column, TEXT_CANDIDATES, "text", True)
    title = None if a.title_column == "" else _pick(df, a.title_column, TITLE_CANDIDATES, "title", False)
    return text, title  # type: ignore[return-value]


# ----------------------------------------------------------------------------- train
def _add_train(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", metavar="DATA", help="labelled postings (CSV or JSON Lines)")
    p.add_argument("--out", metavar="DIR", help="model folder to write (default: models/<DATA name>)")
    _add_columns_args(p, label=True)
    p.add_argument("--with-corpus", action="store_true", help="train on DATA plus the bundled corpus")
    p.add_argument("--force", action="store_true", help="overwrite an existing model folder")
    p.add_argument(
        "--head",
        choices=("factorised", "multinomial"),
        default="factorised",
        help="classifier head: two binary duty heads, hybrid = both (default), or one four-way regression",
    )


def cmd_train(a: argparse.Namespace) -> int:
    from pathlib import Path

    from .training import train, write_model_dir

    df = _read_table(a.data)
    text, title = _columns(a, df)
    out = Path(a.out or Path("models") / Path(a.data).name.split(".")[0])
    if (out / "model.skops").exists() and not a.force:
        raise _CliError(f"{out}/model.skops exists; pass --force to overwrite it or choose --out")
    if a.label_column not in df.columns:
        raise _CliError(f"label column {a.label_column!r} not found; columns: {list(df.columns)}")
    print(
        f"training on {len(df)} rows of {a.data}" + (" + the corpus" if a.with_corpus else ""),
        file=sys.stderr,
    )
    try:
        res = train(
            df,
            text_column=text,
            title_column=title,
            label_column=a.label_column,
            with_corpus=a.with_corpus,
            head=a.head,
        )
    except ValueError as exc:
        raise _CliError(str(exc)) from None
    write_model_dir(res, out, source=a.data)
    meta = res.metadata
    print(f"rows used: {meta['user_rows']}; left out (no text or no valid label): {meta['rows_left_out']}")
    cvm = res.cross_validation["macro_f1_mean"]
    print(f"cross-validated macro-F1: {cvm:.3f}" if cvm is not None else "cross-validation: too few rows")
    print(f"held-out macro-F1 ({res.heldout['n']} rows): new model {res.heldout['macro_f1']:.3f}", end="")
    if res.baseline is not None:
        verdict = "better" if res.better_than_default else "not better"
        print(f", default model {res.baseline['macro_f1']:.3f} -> the new model is {verdict}")
    else:
        print()
    print(f"wrote {out}/model.skops, MODEL_CARD.md, metrics.json")
    return EXIT_OK


# ----------------------------------------------------------------------------- evaluate
def _add_evaluate(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", metavar="DATA", help="labelled postings (CSV or JSON Lines)")
    p.add_argument("--model", metavar="PATH", help="model file (default: the bundled model)")
    p.add_argument("--trust-model", action="store_true", help="load a model outside the safe allow-list")
    p.add_argument("--report", metavar="DIR", help="write a report folder (index.md, plots, misclassified.csv)")
    _add_columns_args(p, label=True)


def cmd_evaluate(a: argparse.Namespace) -> int:
    from .evaluation import evaluate
    from .metrics import format_confusion, format_per_class
    from .persistence import ModelFileError

    df = _read_table(a.data)
    text, title = _columns(a, df)
    try:
        m = evaluate(
            df,
            model=a.model,
            text_column=text,
            title_column=title,
            label_column=a.label_column,
            report=a.report,
            trusted=a.trust_model,
        )
    except (KeyError, ValueError, ModelFileError) as exc:
        raise _CliError(str(exc).strip("'\"")) from None
    print(format_per_class(m))
    print()
    print(format_confusion(m))
    print(f"\nrows evaluated: {m['n']}; left out (no text or no valid label): {m['skipped_rows']}")
    if a.report:
        print(f"\nreport: {a.report}/index.md")
    return EXIT_OK


# ----------------------------------------------------------------------------- weak-label
def _add_weak(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="postings with titles (CSV or JSON Lines)")
    p.add_argument("--title-column", help="column with the job title (default: detected)")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: IN with .weak.csv; - for stdout)")


def cmd_weak(a: argparse.Namespace) -> int:
    from .batch import TITLE_CANDIDATES
    from .weak import weak_labels

    df = _read_table(a.input)
    title = _pick(df, a.title_column, TITLE_CANDIDATES, "title", True)
    labels, cues = weak_labels(df[title].tolist())
    out_df = df.copy()
    out_df["weak_label"] = [lab or "" for lab in labels]
    out_df["weak_cue"] = cues
    out = a.output or (a.input.rsplit(".", 1)[0] + ".weak.csv")
    _write_table(out_df, out)
    counts = out_df["weak_label"].replace("", "(abstain)").value_counts().to_dict()
    print(f"weak labels for {len(df)} titles: {counts} -> {out}", file=sys.stderr)
    return EXIT_OK


# ----------------------------------------------------------------------------- suggest
def _add_suggest(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="unlabelled postings (CSV or JSON Lines)")
    p.add_argument("-n", type=int, default=50, help="how many postings to suggest (default 50)")
    p.add_argument("-o", "--output", metavar="OUT", default="-", help="output CSV (default: stdout)")
    p.add_argument("--model", metavar="PATH", help="model file (default: the bundled model)")
    p.add_argument("--trust-model", action="store_true", help="load a model outside the safe allow-list")
    _add_columns_args(p)


def cmd_suggest(a: argparse.Namespace) -> int:
    from .persistence import ModelFileError
    from .suggest import suggest

    df = _read_table(a.input)
    text, title = _columns(a, df)
    try:
        rows = suggest(df, n=a.n, text_column=text, title_column=title, model=a.model, trusted=a.trust_model)
    except ModelFileError as exc:
        raise _CliError(str(exc)) from None
    _write_table(rows, a.output)
    if a.output != "-":
        print(f"{len(rows)} postings to label next -> {a.output}", file=sys.stderr)
    return EXIT_OK


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "label": ("label a CSV of postings (streaming, parallel)", _add_label, cmd_label),
    "classify": ("classify one posting and show the evidence", _add_classify, cmd_classify),
    "taxonomy": ("show or validate the keyword taxonomy", _add_taxonomy, cmd_taxonomy),
    "train": ("train a model on labelled postings and compare it with the default", _add_train, cmd_train),
    "evaluate": (
        "measure a model on labelled postings, with an optional visual report",
        _add_evaluate,
        cmd_evaluate,
    ),
    "weak-label": (
        "label postings from their titles alone (abstains where a title says nothing)",
        _add_weak,
        cmd_weak,
    ),
    "suggest": ("list the postings worth labelling next", _add_suggest, cmd_suggest),
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
    except _CliError as exc:
        _err(str(exc))
        return EXIT_ERROR
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
