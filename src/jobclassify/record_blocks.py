"""Cut a CSV byte stream into blocks of whole records, so that worker processes can parse them.

Where a file's quoting is plain — every quote opens a field, closes one, or is doubled inside
one, and no carriage return stands alone — a newline ends a record exactly when an even number
of quotes comes before it. :func:`record_ends` finds those newlines with array operations, and
:class:`RecordBlocks` hands out blocks of whole records with their first line number and byte
offset. Where the quoting is not plain, it stops and leaves the rest of the stream to the
line-by-line reader, which reports such lines one by one.

>>> record_ends(np.frombuffer(b'a,b\\n"x\\ny",2\\n', dtype=np.uint8)).tolist()
[4, 12]
>>> record_ends(np.frombuffer(b'a,5" screen,6" wide\\nb\\n', dtype=np.uint8)) is None
True
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any

import numpy as np

BLOCK = 1 << 20
HEADER_LIMIT = 8 << 20  # a header record longer than this is left to the line-by-line reader
# encodings in which the bytes of '"', ',', '\r' and '\n' mean only those characters
PLAIN_ENCODINGS = frozenset(
    ["utf-8", "utf-8-sig", "ascii", "iso8859-1", "iso8859-15", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254"]
)
_QUOTE, _COMMA, _CR, _LF = 34, 44, 13, 10


def block_encoding(encoding: str) -> str | None:
    """The codec for blocks after the first (no byte-order mark), or ``None`` if not plain."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if name not in PLAIN_ENCODINGS:
        return None
    return "utf-8" if name == "utf-8-sig" else name


def record_ends(b: np.ndarray) -> np.ndarray | None:
    """Offsets just after each record-ending newline of ``b`` (which begins at a record start),
    or ``None`` if the quoting before the last of them is not plain."""
    quotes = np.flatnonzero(b == _QUOTE)
    newlines = np.flatnonzero(b == _LF)
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0] + 1
    if not len(ends):
        return ends
    last = int(ends[-1])
    quotes = quotes[quotes < last]  # an even number
    opens, closes = quotes[0::2], quotes[1::2]
    before = b[np.maximum(opens - 1, 0)]
    after = b[closes + 1]
    plain = ((opens == 0) | (before == _COMMA) | (before == _LF) | (before == _QUOTE)).all() and (
        (after == _COMMA) | (after == _LF) | (after == _CR) | (after == _QUOTE)
    ).all()
    returns = np.flatnonzero(b[:last] == _CR)
    if not plain or (len(returns) and (b[returns + 1] != _LF).any()):
        return None
    return ends


class RecordBlocks:
    """Blocks of whole records from ``raw`` after the bytes ``head`` (which begin at a record start).

    Iterating yields ``(data, first_line, offset, ends)``: the block's bytes, the number of lines
    before it in the file, its byte offset and where its records end (offsets in ``data``), with
    at most ``rows`` records per block. When the
    quoting stops being plain, or at a last record without a newline, iteration ends with
    ``plain`` false and ``rest`` holding the bytes not yet handed out (the stream goes on after
    them).
    """

    def __init__(self, raw: Any, head: bytes, line: int, offset: int, rows: int) -> None:
        self.raw, self.rest = raw, head
        self.line, self.offset = line, offset
        self.rows = max(1, rows)
        self.plain = True

    def __iter__(self) -> Iterator[tuple[bytes, int, int, np.ndarray]]:
        read = getattr(self.raw, "read1", self.raw.read)
        parts = [self.rest]
        size = len(self.rest)
        final = False
        while not final:
            more = read(BLOCK)
            final = not more
            parts.append(more)
            size += len(more)
            if not final and size < BLOCK:
                continue  # a pipe may hand out little at a time
            buf = b"".join(parts)
            ends = record_ends(np.frombuffer(buf, dtype=np.uint8))
            if ends is None:
                self.rest, self.plain = buf, False
                return
            cuts = ends[self.rows - 1 :: self.rows].tolist()
            if len(ends) and (not cuts or cuts[-1] != ends[-1]):
                cuts.append(int(ends[-1]))
            start = 0
            for cut in cuts:
                data = buf[start:cut]
                within = ends[(ends > start) & (ends <= cut)] - start
                yield data, self.line, self.offset, within
                self.line += data.count(b"\n")
                self.offset += len(data)
                start = cut
            self.rest = buf[start:]
            parts, size = [self.rest], len(self.rest)
        if self.rest:  # a last record without a newline: the line reader takes it
            self.plain = False


class Prepend:
    """A stream that reads ``head`` first, then ``raw`` (for the line reader after a block cut)."""

    def __init__(self, head: bytes, raw: Any) -> None:
        self.head = head
        self._read = getattr(raw, "read1", raw.read)

    def read1(self, n: int = -1) -> bytes:
        if self.head:
            out = self.head if n < 0 else self.head[:n]
            self.head = self.head[len(out) :]
            return out
        return self._read(n)

    read = read1


def read_header(raw: Any, encoding: str) -> tuple[bytes, bytes, bool]:
    """``(header_record, after, plain)``: the bytes of the header record and those read after it,
    if the start of the stream is plain CSV in a plain encoding; else ``(all read, b"", False)``."""
    read = getattr(raw, "read1", raw.read)
    buf = b""
    while len(buf) < HEADER_LIMIT:
        more = read(BLOCK)
        buf += more
        ends = record_ends(np.frombuffer(buf, dtype=np.uint8))
        if ends is None or block_encoding(encoding) is None:
            return buf, b"", False
        if len(ends):
            return buf[: ends[0]], buf[ends[0] :], True
        if not more:
            break
    return buf, b"", False
