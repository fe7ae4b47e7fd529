"""Throughput and memory of `jobclassify label`, against the tokenize floor.

    python benchmarks/throughput.py [--rows 200000] [--jobs 1 2]

Builds a CSV of N real postings (../shared/realworld/dev_weak.csv replicated; the corpus
replicated when that is absent) in a temporary folder, labels it with the CLI for each --jobs
value, and reports rows/s, MB/s and peak RSS (the CLI and its workers, summed). In the same run it
measures the *tokenize floor*: lower-casing plus a regex word split of the same texts with the same
number of processes, just before and just after labelling (the ratio uses their mean, since a
shared machine's speed drifts), and prints the ratio labelling / floor. Also times a cold `jobclassify
classify "..."`.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

_WORD = re.compile(r"\w+")


def _floor_chunk(texts: list[str]) -> int:
    return sum(len(_WORD.findall(t.lower())) for t in texts)


def tokenize_floor(texts: list[str], jobs: int) -> float:
    """Seconds to lower-case and regex-split ``texts`` on ``jobs`` processes."""
    chunks = [texts[i : i + 2000] for i in range(0, len(texts), 2000)]
    t0 = time.perf_counter()
    if jobs == 1:
        for c in chunks:
            _floor_chunk(c)
    else:
        with Pool(jobs) as pool:
            pool.map(_floor_chunk, chunks, chunksize=1)
    return time.perf_counter() - t0


def _tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, in kB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        p = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(p)
        rss[p] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def run_label(path: Path, jobs: int, model: str | None = None) -> tuple[float, int]:
    out = path.with_suffix(f".out{jobs}.csv")
    cmd = [
        sys.executable,
        "-m",
        "jobclassify.cli",
        "label",
        str(path),
        "-o",
        str(out),
        "--jobs",
        str(jobs),
        "-q",
    ]
    if model:
        cmd += ["--model", model]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.2)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"label failed with exit code {proc.returncode}")
    out.unlink(missing_ok=True)
    return secs, peak


def source_texts() -> tuple[list[list[str]], str]:
    from jobclassify.evalsets import load_realworld

    weak = load_realworld("dev_weak")
    if weak is not None:
        return weak[["uid", "title", "description"]].values.tolist(), "dev_weak.csv (real postings)"
    from jobclassify.corpus import load_corpus

    c = load_corpus()
    return c[["id", "title", "description"]].values.tolist(), "corpus (fallback: shared/ absent)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--model", help="model file to label with (default: the bundled model)")
    args = ap.parse_args()
    rows, name = source_texts()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "title", "description"])
            for i in range(args.rows):
                r = rows[i % len(rows)]
                w.writerow([f"{r[0]}-{i}", r[1], r[2]])
        mb = path.stat().st_size / 1e6
        texts = [rows[i % len(rows)][2] for i in range(args.rows)]
        print(f"input: {args.rows:,} rows from {name}, {mb:,.0f} MB; {os.cpu_count()} cores")
        print(
            f"{'jobs':>4} | {'label s':>8} | {'rows/s':>8} | {'MB/s':>6} | {'peak RSS MB':>11} | "
            f"{'floor rows/s':>12} | {'label/floor':>11}"
        )
        for jobs in args.jobs:
            # the floor just before and just after labelling: the machine's speed may drift
            before = tokenize_floor(texts, jobs)
            secs, peak = run_label(path, jobs, args.model)
            after = tokenize_floor(texts, jobs)
            floor = (before + after) / 2
            print(
                f"{jobs:>4} | {secs:8.1f} | {args.rows / secs:8,.0f} | {mb / secs:6.1f} | {peak / 1024:11.0f} | "
                f"{args.rows / floor:12,.0f} | {floor / secs:10.1%}   (floor {args.rows / before:,.0f} before, "
                f"{args.rows / after:,.0f} after)"
            )
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jobclassify.cli",
            "classify",
            "Own our Jenkins CI/CD pipelines and canary releases on AWS.",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f'cold `jobclassify classify "..."`: {time.perf_counter() - t0:.2f} s')
    return 0


if __name__ == "__main__":
    sys.exit(main())
