"""Streaming batch labelling of CSV files (the engine behind ``jobclassify label``).

Plain CSV (see :mod:`jobclassify.record_blocks`) is cut into blocks of whole records with array
operations; worker processes decode, parse, classify and format each block, and the parent
writes the results in input order. A UTF-8 block's well-formed records go out as their own bytes
plus the new columns. Anything else — other encodings, quoting that is not plain — is read with
Python's ``csv`` module line by line and only its texts go to the workers. Either way memory is
bounded, and output goes to a temporary file renamed over the output only when everything
succeeded.

Documented outcomes:

* bad lines (wrong field count, broken quoting) follow ``on_bad_line``: ``error`` stops with the
  line number; ``skip`` drops the line and reports it; ``keep`` keeps it (short rows padded, extra
  fields joined into the last column, an unparseable line put whole into the first column) with
  ``status=bad_line``;
* NUL bytes are removed (and counted); a UTF-8 byte-order mark is ignored;
* empty / missing text gets an empty label and ``status=empty`` (never a guess);
* text over 100,000 characters is classified on its start (``status=truncated``); the output
  keeps the full field.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .labels import LABELS
from .persistence import temp_file_beside
from .record_blocks import Prepend, RecordBlocks, block_encoding, read_header

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

TEXT_CANDIDATES = (
    "description",
    "job_description",
    "jobdescription",
    "job description",
    "text",
    "body",
    "content",
    "posting",
    "job_text",
    "details",
    "desc",
    "summary",
)
TITLE_CANDIDATES = ("title", "job_title", "jobtitle", "job title", "position", "role", "job_name", "name")


class LabelError(Exception):
    """A problem with the input or options that stops a run, with a message for the user."""


@dataclass
class Summary:
    rows_in: int = 0
    rows_out: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    skipped: int = 0
    nul_bytes: int = 0
    labels: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        rate = self.rows_in / self.seconds if self.seconds else 0.0
        lines = [
            f"rows in: {self.rows_in}, rows out: {self.rows_out}, skipped bad lines: {self.skipped}",
            "labels: " + ", ".join(f"{k or 'none'}={self.labels.get(k, 0)}" for k in (*LABELS, "")),
            "status: " + (", ".join(f"{k}={v}" for k, v in sorted(self.statuses.items())) or "-"),
            f"bad lines: {len(self.bad_lines)}" + (f", NUL bytes removed: {self.nul_bytes}" if self.nul_bytes else ""),
            f"time: {self.seconds:.1f} s, {rate:,.0f} rows/s",
        ]
        for n, why in self.bad_lines[:20]:
            lines.append(f"  line {n}: {why}")
        if len(self.bad_lines) > 20:
            lines.append(f"  ... and {len(self.bad_lines) - 20} more")
        lines += self.notes
        return "\n".join(lines)


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def find_column(
    header: list[str], wanted: str | None, candidates: tuple[str, ...], what: str, required: bool
) -> int | None:
    """Index of the column ``wanted`` (exact, then case/space-insensitive) or of the first candidate."""
    if wanted is not None:
        if wanted in header:
            return header.index(wanted)
        normed = [_norm(h) for h in header]
        if _norm(wanted) in normed:
            return normed.index(_norm(wanted))
        raise LabelError(f"{what} column {wanted!r} not found; the columns are: {header}")
    normed = [_norm(h) for h in header]
    for cand in candidates:
        if _norm(cand) in normed:
            return normed.index(_norm(cand))
    if required:
        raise LabelError(
            f"no {what} column found (looked for {', '.join(candidates[:6])}, ...); "
            f"the columns are: {header}. Name one with --{what}-column."
        )
    return None


def _decode_error(encoding: str, at: int, line: int, reason: str) -> LabelError:
    return LabelError(
        f"cannot decode the input as {encoding} at byte {at} (line {line}): {reason}. "
        "Pass --encoding (e.g. latin-1 or cp1252)."
    )


class _Lines:
    """Lines handed out in order (numbered from ``first``), held until :meth:`take` claims them, so
    that a caller can recover the raw text of the CSV record just parsed (passed through unchanged
    to CSV output)."""

    def __init__(self, lines: list[str], first: int = 0) -> None:
        self._window = lines  # lines from number self._base on
        self._base = first
        self._mark = first  # lines before this number have been taken

    def take(self, upto: int) -> str:
        """The raw text of lines from the last :meth:`take` up to (not including) line ``upto``."""
        out = "".join(self._window[self._mark - self._base : upto - self._base])
        self._mark = max(self._mark, upto)
        return out

    @property
    def next_line(self) -> int:
        """The number of the first line not yet taken."""
        return self._mark

    def line_text(self, number: int) -> str:
        """The text of line ``number`` if it is still held (the last line handed out always is)."""
        i = number - self._base
        return self._window[i] if 0 <= i < len(self._window) else ""


class _LineSource(_Lines):
    """Decoded lines from a binary stream, read in blocks, tracking byte offsets.

    ``line`` and ``offset`` say where in the file the stream begins; ``name`` names the encoding
    in messages.
    """

    BLOCK = 1 << 20

    def __init__(self, raw: Any, encoding: str, line: int = 0, offset: int = 0, name: str | None = None) -> None:
        super().__init__([], line)
        self.raw = raw
        try:
            self.decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        except LookupError:
            raise LabelError(f"unknown encoding {encoding!r}") from None
        self.encoding = name or encoding  # as the user named it, for messages
        self.line = line  # physical lines split off so far
        self.offset = offset  # bytes read so far
        self.nul = 0

    def _decode(self, block: bytes, final: bool) -> str:
        try:
            return self.decoder.decode(block, final)
        except UnicodeDecodeError as exc:
            # exc.object ends with this block; it may start with bytes held over from the last one,
            # or lack a byte-order mark the decoder took off
            at = self.offset + len(block) - len(exc.object) + exc.start
            line = self.line + block[: max(at - self.offset, 0)].count(b"\n") + 1
            raise _decode_error(self.encoding, at, line, exc.reason) from None

    def __iter__(self) -> Iterator[str]:
        # the csv reader pulls lines through C-level iterators; Python runs once per block
        return itertools.chain.from_iterable(self._blocks())

    def _blocks(self) -> Iterator[list[str]]:
        carry = ""
        read = getattr(self.raw, "read1", self.raw.read)  # read1: what a pipe has now, no waiting for more
        while True:
            block = read(self.BLOCK)
            final = not block
            text = carry + self._decode(block, final)
            self.offset += len(block)
            if "\x00" in text:
                self.nul += text.count("\x00")
                text = text.replace("\x00", "")
            parts = text.split("\n")
            carry = parts.pop()
            lines = [p + "\n" for p in parts]
            if final and carry:
                lines.append(carry)
            # drop lines already taken, keep the rest (a record may span blocks)
            keep = max(0, self._mark - self._base)
            self._window = self._window[keep:] + lines
            self._base += keep
            self.line += len(lines)
            yield lines
            if final:
                return


def open_input(path: str) -> io.BufferedIOBase:
    """A binary stream for a path, ``.gz`` path, or ``-`` (stdin)."""
    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    if not p.exists():
        raise LabelError(f"input file not found: {path}")
    if p.is_dir():
        raise LabelError(f"input is a folder, not a file: {path}")
    f = open(p, "rb")
    magic = f.peek(2)[:2] if hasattr(f, "peek") else b""
    if path.endswith(".gz") or magic == b"\x1f\x8b":
        f = gzip.GzipFile(fileobj=f)  # type: ignore[assignment]
    return f


def iter_rows(
    lines: Iterable[str], src: _LineSource, width: int, on_bad_line: str, summary: Summary, header_line: int
) -> Iterator[tuple[list[str], bool, str]]:
    """Yield ``(fields, is_bad, raw_record)`` for data rows from ``lines``, applying the bad-line
    policy; ``raw_record`` is the record's text as read, without its line ending."""
    reader = csv.reader(lines, strict=True)
    start = header_line
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = start + 1
            why = f"unparseable CSV ({exc})"
            start = header_line + reader.line_num
            summary.bad_lines.append((where, why))
            last = src.line_text(start - 1)
            src.take(start)
            if on_bad_line == "error":
                raise LabelError(f"line {where}: {why}. Use --on-bad-line skip or keep to go on.") from None
            summary.rows_in += 1
            if on_bad_line == "skip":
                summary.skipped += 1
                continue
            yield [last.rstrip("\r\n")] + [""] * (width - 1), True, ""
            continue
        where = start + 1
        start = header_line + reader.line_num
        raw = src.take(start)
        if not row or row == [""]:  # blank line: not a row
            continue
        summary.rows_in += 1
        if len(row) == width:
            yield row, False, _strip_line_end(raw)
            continue
        mended = _bad_row(row, where, width, on_bad_line, summary)
        if mended is not None:
            yield mended, True, ""


def _strip_line_end(raw: str) -> str:
    if raw.endswith("\r\n"):
        return raw[:-2]
    if raw.endswith(("\n", "\r")):
        return raw[:-1]
    return raw


# ------------------------------------------------------------------------- workers
_WORKER_MODEL: Any = None


def keep_freed_memory() -> None:
    """Ask glibc's allocator to keep freed memory for reuse (a no-op elsewhere).

    Labelling allocates and frees arrays of a few MB per chunk. By default glibc hands such
    blocks back to the kernel and takes them again, and the page faults cost about a sixth of
    the run time (measured on 12,000 postings: 0.74 s of system time in a 4.3 s run; 0.11 s with
    this). Peak memory stays the same; only its reuse changes. The CLI and the worker processes
    call this; ``label_csv`` called from a user's program leaves that process's allocator alone.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 64 << 20)
    mallopt(m_trim_threshold, 256 << 20)


def _init_worker(model_path: str | None, trusted: bool) -> None:
    global _WORKER_MODEL
    keep_freed_memory()
    from .predict import resolve_model

    _WORKER_MODEL = resolve_model(model_path, trusted=trusted)


def _classify_chunk(
    texts: list[Any], titles: list[Any] | None, evidence: bool, model: Any = None
) -> tuple[np.ndarray, list[str], list[str]]:
    from .predict import predict_texts
    from .text import CLASSIFIABLE, prepare

    model = model if model is not None else _WORKER_MODEL
    clean, statuses = prepare(texts, titles)
    ok = [i for i, s in enumerate(statuses) if s in CLASSIFIABLE]
    proba = np.full((len(texts), len(LABELS)), np.nan)
    ev_col = [""] * len(texts)
    if ok:
        p, ev = predict_texts(model, [clean[i] for i in ok], evidence=evidence, top=0)
        proba[ok] = p
        if ev is not None:
            for j, i in enumerate(ok):
                ev_col[i] = json.dumps(ev[j]["matched"], sort_keys=True)
    return proba, statuses, ev_col


def _output_rows(
    rows: list[tuple[list[str], bool, str]],
    result: tuple[np.ndarray, list[str], list[str]],
    summary: Summary,
    fmt: str,
    evidence: bool,
    min_confidence: float | None,
) -> list[list[Any]]:
    """Output rows for parsed input rows and their predictions (counted in ``summary``)."""
    proba, statuses, ev = result
    out_rows: list[list[Any]] = []
    has = ~np.isnan(proba[:, 0])
    safe = np.where(has[:, None], proba, -1.0)
    best = safe.argmax(axis=1)
    confs = safe[np.arange(len(rows)), best]
    # one pass in plain Python values (NumPy scalars are slow one at a time)
    per_row = zip(rows, has.tolist(), best.tolist(), confs.tolist(), proba.tolist(), statuses, ev)
    for (fields, bad, raw), ok, k, conf, p, st, e in per_row:
        if bad:
            st = "bad_line"
        lab = LABELS[k] if ok else ""
        summary.labels[lab] += 1
        summary.statuses[st] += 1
        if fmt == "csv":
            vals: list[Any] = [lab, _fmt(conf), *map(_fmt, p), st] if ok else [lab, *[""] * (len(p) + 1), st]
        else:
            vals = [lab, conf if ok else None, *(p if ok else [None] * len(p)), st]
        if evidence:
            vals.append(e)
        if min_confidence is not None:
            nr = (not ok) or conf < min_confidence
            vals.append(("true" if nr else "false") if fmt == "csv" else nr)
        if raw and fmt == "csv":
            # a well-formed record goes out as it came in, plus the new columns
            out_rows.append([raw, vals])
        else:
            out_rows.append(list(fields) + vals)
    return out_rows


@dataclass
class _BlockJob:
    """What a worker needs to label a block of whole CSV records."""

    encoding: str  # the codec for the block's bytes
    user_encoding: str  # as the user named it, for messages
    header: list[str]  # the output header
    width: int
    text_col: int
    title_col: int | None
    on_bad_line: str
    fmt: str
    evidence: bool
    min_confidence: float | None


def _predict_rows(rows: list[tuple[list[str], bool, str]], job: _BlockJob, model: Any, part: Summary) -> list:
    """Classify parsed rows and turn them into output rows (counted in ``part``)."""
    texts = [r[0][job.text_col] for r in rows]
    titles = [r[0][job.title_col] for r in rows] if job.title_col is not None else None
    result = _classify_chunk(texts, titles, job.evidence, model=model)
    out_rows = _output_rows(rows, result, part, job.fmt, job.evidence, job.min_confidence)
    part.rows_out = len(out_rows)
    return out_rows


def _bad_row(fields: list[str], line: int, width: int, policy: str, part: Summary) -> list[str] | None:
    """A row with the wrong number of fields: reported, then kept (mended) or skipped (``None``)."""
    why = f"expected {width} fields, found {len(fields)}"
    part.bad_lines.append((line, why))
    if policy == "error":
        raise LabelError(f"line {line}: {why}. Use --on-bad-line skip or keep to go on.")
    if policy == "skip":
        part.skipped += 1
        return None
    if len(fields) < width:
        return fields + [""] * (width - len(fields))
    return fields[: width - 1] + [",".join(fields[width - 1 :])]


def _label_utf8_records(
    data: bytes, first_line: int, offset: int, ends: np.ndarray, job: _BlockJob, model: Any
) -> tuple[bytes, Summary]:
    """The CSV-to-CSV path for UTF-8 blocks without NUL bytes: each record is parsed on its own,
    and a well-formed one goes out as its own bytes plus the new columns."""
    part = Summary()
    starts = [0, *ends[:-1].tolist()]
    stops = ends.tolist()
    records: list[str] = []
    for a, b in zip(starts, stops):
        try:
            records.append(data[a:b].decode("utf-8"))
        except UnicodeDecodeError as exc:
            at = a + exc.start
            line = first_line + data[:at].count(b"\n") + 1
            raise _decode_error(job.user_encoding, offset + at, line, exc.reason) from None
    rows: list[tuple[list[str], bool, str]] = []
    keep: list[int] = []  # the record of each row
    for i, fields in enumerate(csv.reader(records, strict=True)):
        if not fields or fields == [""]:  # a blank line: not a row
            continue
        part.rows_in += 1
        if len(fields) == job.width:
            rows.append((fields, False, "x"))  # "x": pass the record through (its own bytes, below)
        else:
            line = first_line + data[: starts[i]].count(b"\n") + 1
            mended = _bad_row(fields, line, job.width, job.on_bad_line, part)
            if mended is None:
                continue
            rows.append((mended, True, ""))
        keep.append(i)
    out_rows = _predict_rows(rows, job, model, part)
    lines = _CsvLines(quote_new=job.evidence)
    out: list[bytes] = []
    for i, row in zip(keep, out_rows):
        if len(row) == 2 and isinstance(row[1], list):  # well-formed: the record's own bytes
            raw = data[starts[i] : stops[i]]
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
            out.append(raw + lines.tail(row[1]).encode("utf-8"))
        else:
            out.append(lines.row(row).encode("utf-8"))
    return b"".join(out), part


def _label_block(
    data: bytes, first_line: int, offset: int, job: _BlockJob, model: Any = None, ends: np.ndarray | None = None
) -> tuple[Any, Summary]:
    """Parse, classify and format one block of whole records (in a worker, or in-process).

    Returns the output (CSV bytes, CSV or JSON Lines text, or rows for Parquet) and the block's
    counts. ``ends`` may give where its records end (see :class:`RecordBlocks`)."""
    if ends is not None and job.fmt == "csv" and job.encoding in ("utf-8", "ascii") and b"\x00" not in data:
        return _label_utf8_records(data, first_line, offset, ends, job, model)
    try:
        text = data.decode(job.encoding)
    except UnicodeDecodeError as exc:
        line = first_line + data[: exc.start].count(b"\n") + 1
        raise _decode_error(job.user_encoding, offset + exc.start, line, exc.reason) from None
    part = Summary()
    if "\x00" in text:
        part.nul_bytes = text.count("\x00")
        text = text.replace("\x00", "")
    pieces = text.split("\n")
    lines = [p + "\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    rows = list(iter_rows(lines, _Lines(lines, first_line), job.width, job.on_bad_line, part, first_line))
    out_rows = _predict_rows(rows, job, model, part)
    if job.fmt == "parquet":
        return out_rows, part
    buf = io.StringIO()
    _Writer(job.fmt, buf, job.header, write_header=False).write(out_rows, quote_new=job.evidence)
    return buf.getvalue(), part


def _absorb(summary: Summary, part: Summary) -> None:
    summary.rows_in += part.rows_in
    summary.rows_out += part.rows_out
    summary.skipped += part.skipped
    summary.nul_bytes += part.nul_bytes
    summary.bad_lines += part.bad_lines
    summary.labels.update(part.labels)
    summary.statuses.update(part.statuses)


# ------------------------------------------------------------------------- writers
class _CsvLines:
    """CSV text for one output line: a whole row, or the new columns after a record kept as it came.

    ``quote_new=False`` says the new values need no quoting (labels, numbers, statuses)."""

    def __init__(self, quote_new: bool = True) -> None:
        self.quote_new = quote_new
        self._buf = io.StringIO()
        self._w = csv.writer(self._buf, lineterminator="\n")

    def row(self, values: list[Any]) -> str:
        self._buf.seek(0)
        self._buf.truncate()
        self._w.writerow(values)
        return self._buf.getvalue()

    def tail(self, values: list[Any]) -> str:
        """``,`` and the new values, ending the line."""
        return "," + (self.row(values) if self.quote_new else ",".join(values) + "\n")


class _Writer:
    def __init__(self, fmt: str, stream: Any, header: list[str], write_header: bool = True) -> None:
        self.fmt, self.stream, self.header = fmt, stream, header
        if fmt == "csv":
            self.w = csv.writer(stream, lineterminator="\n")
            if write_header:
                self.w.writerow(header)
        elif fmt == "parquet":
            self.pq_writer = None

    def write(self, rows: list[list[Any]], quote_new: bool = True) -> None:
        """Write rows; in CSV, a row ``[raw_record, new_values]`` is the input record's own text
        followed by the new columns (no re-quoting of long fields). ``quote_new=False`` says the
        new values need no CSV quoting (labels, numbers, statuses)."""
        if self.fmt == "csv":
            lines = _CsvLines(quote_new)
            kept = [len(r) == 2 and isinstance(r[1], list) for r in rows]  # [raw record, new values]
            self.stream.write("".join(r[0] + lines.tail(r[1]) if k else lines.row(r) for r, k in zip(rows, kept)))
        elif self.fmt == "jsonl":
            keys = _unique_keys(self.header)
            for r in rows:
                self.stream.write(
                    json.dumps(dict(zip(keys, r)), ensure_ascii=False, allow_nan=False, default=str) + "\n"
                )
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            keys = _unique_keys(self.header)
            cols = list(zip(*rows)) if rows else [[] for _ in keys]
            table = pa.table({k: list(c) for k, c in zip(keys, cols)})
            if self.pq_writer is None:
                self.pq_writer = pq.ParquetWriter(self.stream, table.schema)
            self.pq_writer.write_table(table.cast(self.pq_writer.schema))

    def close(self) -> None:
        if self.fmt == "parquet":
            if self.pq_writer is None:
                import pyarrow as pa
                import pyarrow.parquet as pq

                keys = _unique_keys(self.header)
                pq.write_table(pa.table({k: pa.array([], pa.string()) for k in keys}), self.stream)
            else:
                self.pq_writer.close()


def _unique_keys(header: list[str]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for h in header:
        seen[h] += 1
        out.append(h if seen[h] == 1 else f"{h}.{seen[h] - 1}")
    return out


def detect_format(out: str | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if out and out != "-":
        low = out.lower()
        if low.endswith((".jsonl", ".ndjson", ".json")):
            return "jsonl"
        if low.endswith((".parquet", ".pq")):
            return "parquet"
    return "csv"


def label_csv(
    inp: str,
    out: str | None,
    *,
    text_column: str | None = None,
    title_column: str | None = None,
    model: str | None = None,
    trusted: bool = False,
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
    on_bad_line: str = "error",
    evidence: bool = False,
    min_confidence: float | None = None,
    jobs: int | None = None,
    chunk_rows: int = 250,
    progress: Callable[[int, int], None] | None = None,
    input_size: int | None = None,
) -> Summary:
    """Label every row of the CSV ``inp`` and write ``out``; see the module docstring."""
    t0 = time.perf_counter()
    summary = Summary()
    fmt = detect_format(out, fmt)
    if fmt not in ("csv", "jsonl", "parquet"):
        raise LabelError(f"unknown output format {fmt!r} (csv, jsonl, parquet)")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise LabelError("Parquet output needs pyarrow: pip install 'jobclassify[parquet]'") from None
    if out is None:
        out = "-" if inp == "-" else _default_out(inp, fmt)
    if (
        out != "-"
        and inp != "-"
        and Path(out).exists()
        and Path(inp).exists()
        and Path(out).resolve() == Path(inp).resolve()
    ):
        raise LabelError("refusing to write the output over the input file; choose another -o")
    if on_bad_line not in ("error", "skip", "keep"):
        raise LabelError("--on-bad-line must be error, skip or keep")

    # the model is checked up front, in this process, so that a bad path fails fast and clearly
    from .persistence import ModelFileError
    from .predict import resolve_model

    try:
        local_model = resolve_model(model, trusted=trusted)
    except (ModelFileError, TypeError) as exc:
        raise LabelError(str(exc)) from None

    raw = open_input(inp)
    # plain CSV (see record_blocks) goes to the workers in blocks of whole records; the header,
    # and anything after a line that is not plain, is read here line by line
    head, after, plain = read_header(raw, encoding)
    src = _LineSource(io.BytesIO(head) if plain else Prepend(head, raw), encoding)
    lines = iter(src)
    header_reader = csv.reader(lines, strict=False)
    try:
        header = next(header_reader)
    except StopIteration:
        raise LabelError("the input is empty: no header row") from None
    except csv.Error as exc:
        raise LabelError(f"cannot read the header row: {exc}") from None
    header = [h.lstrip("\ufeff") for h in header]
    if not any(h.strip() for h in header):
        raise LabelError("the header row is empty")
    dup = [h for h, n in Counter(header).items() if n > 1]
    if dup:
        summary.notes.append(f"note: duplicate column names {dup}; the first of each is used")
    ti = find_column(header, text_column, TEXT_CANDIDATES, "text", True)
    tt = find_column(header, title_column, TITLE_CANDIDATES, "title", False) if title_column != "" else None
    if tt == ti:
        tt = None
    from .predict import output_names

    names = output_names(header)
    extra = [names["label"], names["confidence"], *(names[f"p_{c}"] for c in LABELS), names["status"]]
    if evidence:
        extra.append(names["evidence"])
    if min_confidence is not None:
        extra.append("needs_review")
    out_header = header + extra
    width = len(header)
    header_lines = header_reader.line_num
    src.take(header_lines)

    def chunks(lines: Iterator[str], src: _LineSource) -> Iterator[list[tuple[list[str], bool, str]]]:
        buf: list[tuple[list[str], bool, str]] = []
        for item in iter_rows(lines, src, width, on_bad_line, summary, src.next_line):
            buf.append(item)
            if len(buf) >= chunk_rows:
                yield buf
                buf = []
        if buf:
            yield buf

    jobs = max(1, jobs or os.cpu_count() or 1)
    tmp_path = None
    if out == "-":
        stream: Any = sys.stdout.buffer if fmt == "parquet" else sys.stdout
    else:
        fd, tmp_path = temp_file_beside(out)
        stream = os.fdopen(
            fd,
            "wb" if fmt == "parquet" else "w",
            **({} if fmt == "parquet" else {"encoding": "utf-8", "newline": ""}),
        )
    writer = _Writer(fmt, stream, out_header)
    pool: ProcessPoolExecutor | None = None
    cleanup: list[str] = []
    done_bytes = 0

    def get_pool() -> ProcessPoolExecutor:
        nonlocal pool
        if pool is None:
            worker_model = _worker_model_file(model, local_model, cleanup)
            pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(worker_model, trusted))
        return pool

    def finish(rows: list[tuple[list[str], bool, str]], result: tuple[np.ndarray, list[str], list[str]]) -> None:
        out_rows = _output_rows(rows, result, summary, fmt, evidence, min_confidence)
        writer.write(out_rows, quote_new=evidence)
        summary.rows_out += len(out_rows)
        if progress is not None:
            progress(summary.rows_out, done_bytes)

    def finish_block(result: tuple[Any, Summary], end: int) -> None:
        nonlocal done_bytes
        payload, part = result
        if fmt == "parquet":
            writer.write(payload)
        elif isinstance(payload, bytes) and hasattr(stream, "buffer"):
            stream.flush()
            stream.buffer.write(payload)
        else:
            stream.write(payload.decode("utf-8") if isinstance(payload, bytes) else payload)
        _absorb(summary, part)
        done_bytes = end
        if progress is not None:
            progress(summary.rows_out, done_bytes)

    def texts_of(rows: list[tuple[list[str], bool, str]]) -> tuple[list[str], list[str] | None]:
        return [r[0][ti] for r in rows], ([r[0][tt] for r in rows] if tt is not None else None)

    try:
        if plain:
            summary.nul_bytes += src.nul  # in the header
            job = _BlockJob(
                block_encoding(encoding) or encoding,
                encoding,
                out_header,
                width,
                ti,
                tt,
                on_bad_line,
                fmt,
                evidence,
                min_confidence,
            )
            blocks = RecordBlocks(raw, after, header_lines, len(head), chunk_rows)
            gen = iter(blocks)
            first = next(gen, None)
            second = next(gen, None) if first is not None else None
            if second is None or jobs == 1:  # small input or one job: no worker processes
                for data, line, offset, ends in (
                    ([first] if first else []) if second is None else _chain(first, second, gen)
                ):
                    finish_block(_label_block(data, line, offset, job, local_model, ends), offset + len(data))
            else:
                pending_blocks: list[tuple[int, Future]] = []
                for data, line, offset, ends in _chain(first, second, gen):
                    fut = get_pool().submit(_label_block, data, line, offset, job, None, ends)
                    pending_blocks.append((offset + len(data), fut))
                    while len(pending_blocks) >= 2 * jobs:
                        end, fut = pending_blocks.pop(0)
                        finish_block(fut.result(), end)
                for end, fut in pending_blocks:
                    finish_block(fut.result(), end)
            if not blocks.plain:  # the rest, line by line
                src = _LineSource(Prepend(blocks.rest, raw), job.encoding, blocks.line, blocks.offset, encoding)
                lines = iter(src)
                plain = False
        if not plain:
            gen_rows = chunks(lines, src)
            first_rows = next(gen_rows, None)
            if first_rows is not None:
                second_rows = next(gen_rows, None)
                if second_rows is None or jobs == 1:
                    for rows in [first_rows] if second_rows is None else _chain(first_rows, second_rows, gen_rows):
                        done_bytes = src.offset
                        finish(rows, _classify_chunk(*texts_of(rows), evidence, model=local_model))
                else:
                    pending: list[tuple[list, Future]] = []
                    for rows in _chain(first_rows, second_rows, gen_rows):
                        pending.append((rows, get_pool().submit(_classify_chunk, *texts_of(rows), evidence)))
                        while len(pending) >= 2 * jobs:
                            r, fut = pending.pop(0)
                            done_bytes = src.offset
                            finish(r, fut.result())
                    for r, fut in pending:
                        done_bytes = src.offset
                        finish(r, fut.result())
            summary.nul_bytes += src.nul
        writer.close()
        if out != "-":
            stream.close()
            os.replace(tmp_path, out)  # type: ignore[arg-type]
            tmp_path = None
        else:
            stream.flush()
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if tmp_path is not None:
            try:
                stream.close()
            except Exception:
                pass
            Path(tmp_path).unlink(missing_ok=True)
        if raw is not sys.stdin.buffer:
            raw.close()
        for path in cleanup:
            Path(path).unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - t0
    return summary


def _worker_model_file(model: str | None, loaded: Any, cleanup: list[str]) -> str | None:
    """The model file workers load: a compiled ``.npz`` where the model compiles (light workers
    that need no scikit-learn), else the model path itself."""
    if model is None or str(model).endswith(".npz"):
        return model
    from .compiled import CompiledModelError, save_compiled

    fd, tmp = tempfile.mkstemp(prefix="jobclassify-", suffix=".npz")
    os.close(fd)
    cleanup.append(tmp)
    try:
        save_compiled(loaded, tmp)
    except CompiledModelError:
        return model
    return tmp


def _chain(first: Any, second: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield second
    yield from rest


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.4f}"


def _default_out(inp: str, fmt: str) -> str:
    base = inp[:-3] if inp.endswith(".gz") else inp
    stem = base[:-4] if base.lower().endswith(".csv") else base
    return f"{stem}.labelled.{'csv' if fmt == 'csv' else fmt}"
