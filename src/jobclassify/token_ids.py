"""Token ids of many texts at once, computed with array operations instead of one Python object per token.

:class:`TokenIds` finds the tokens of :data:`~jobclassify.text.TOKEN_PATTERN` in the UTF-8 bytes of
a batch of lower-cased texts, hashes each token from its bytes, and looks the hashes up in a table
of the tokens a model knows (:class:`IntTable`). Tokens and ids are the same as those of
``TOKEN_RE.findall`` followed by a dictionary look-up (tests check this on odd text); only the
speed differs. Hashes are 63-bit and include the token's length; a token the model does not know
could in principle share the hash of one it knows, with odds of about one in 10^14 per distinct
token for a vocabulary of 100,000 tokens.

>>> t = TokenIds(["ci", "cd", "node.js"])
>>> ids, counts = t.ids(["own ci/cd for node.js.", "", "cd"])
>>> ids.tolist(), counts.tolist()
([0, 1, 2, 0, 3, 2], [5, 0, 1])
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_WORD_CHAR = re.compile(r"[\w#+]")
_NON_ASCII: dict[int, tuple[bool, bytes | bool | None]] = {}  # code point -> see _char_info
_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xBF58476D1CE4E5B9)
_K3 = np.uint64(0x94D049BB133111EB)
_ALL = np.uint64(2**64 - 1)


class IntTable:
    """A read-only hash table from int64 keys to int64 values, queried with array operations.

    >>> t = IntTable(np.array([5, 10**12, 7]), np.array([0, 1, 2]))
    >>> t.get(np.array([7, 8, 10**12])).tolist()
    [2, -1, 1]
    """

    _MULT = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.mask = (1 << bits) - 1
        self.shift = np.uint64(64 - bits)
        self.keys = np.full(self.mask + 1, -1, dtype=np.int64)
        self.values = np.full(self.mask + 1, -1, dtype=np.int64)
        slots = self._slot(np.asarray(keys, dtype=np.int64)).tolist()
        for key, value, slot in zip(np.asarray(keys).tolist(), np.asarray(values).tolist(), slots):
            while self.keys[slot] not in (-1, key):
                slot = (slot + 1) & self.mask
            self.keys[slot], self.values[slot] = key, value

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys.astype(np.uint64) * self._MULT) >> self.shift).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """Values of ``keys`` (non-negative), ``-1`` where absent."""
        keys = np.asarray(keys, dtype=np.int64)
        slot = self._slot(keys)
        found = self.keys[slot]
        out = np.where(found == keys, self.values[slot], -1)
        todo = np.flatnonzero((found != keys) & (found != -1))  # collided on the first probe: walk on
        slot = (slot[todo] + 1) & self.mask
        while len(todo):
            k = self.keys[slot]
            hit = k == keys[todo]
            out[todo[hit]] = self.values[slot[hit]]
            more = ~hit & (k != -1)
            todo, slot = todo[more], (slot[more] + 1) & self.mask
        return out


class _NotByteForByte(Exception):
    """Some character lower-cases to other bytes than its own number of them (or by context)."""


def _char_info(code: int) -> tuple[bool, bytes | bool | None]:
    """Whether a non-ASCII character is a word character once lower-cased, and its lower-case bytes
    if they differ (``None`` if they do not, ``False`` where no byte swap can do)."""
    info = _NON_ASCII.get(code)
    if info is None:
        ch = chr(code)
        low = ch.lower()
        swap: bytes | bool | None = None
        if low != ch:
            new = low.encode("utf-8", "surrogatepass")
            # final sigma depends on its neighbours; some letters change length when lower-cased
            ok = code != 0x3A3 and len(low) == 1 and len(new) == len(ch.encode("utf-8", "surrogatepass"))
            swap = new if ok else False
        info = _NON_ASCII[code] = (_WORD_CHAR.match(low[:1]) is not None, swap)
    return info


def _word_bytes(c: np.ndarray, b: np.ndarray, lower: bool) -> np.ndarray:
    """Whether each byte of the UTF-8 text ``c`` belongs to a word character (``b``: ``c`` padded).

    With ``lower``, first lower-case ``c`` in place as ``str.lower`` would (or raise
    :class:`_NotByteForByte`)."""
    with np.errstate(over="ignore"):
        if lower:
            c += ((c - 65) < 26).view(np.uint8) << 5
        w = ((c | 32) - 97 < 26) | (c - 48 < 10) | (c == 95) | (c == 35) | (c == 43)
    hi = np.flatnonzero(c >= 128)
    if len(hi):  # a multi-byte character: decode it once, and give all its bytes its class
        lead = c[hi] >= 0xC0
        at = hi[lead]
        b0 = b[at].astype(np.int64)
        b1, b2, b3 = ((b[at + k] & 0x3F).astype(np.int64) for k in (1, 2, 3))
        three = ((b0 & 0x0F) << 12) | (b1 << 6) | b2
        four = ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3
        code = np.where(b0 < 0xE0, ((b0 & 0x1F) << 6) | b1, np.where(b0 < 0xF0, three, four))
        uniq, inv = np.unique(code, return_inverse=True)
        infos = [_char_info(u) for u in uniq.tolist()]
        w[hi] = np.asarray([word for word, _ in infos], dtype=bool)[inv][np.cumsum(lead) - 1]
        if lower:
            for j, (_, swap) in enumerate(infos):
                if swap is False:
                    raise _NotByteForByte
                if swap:
                    where = at[inv == j]
                    for k, byte in enumerate(swap):
                        c[where + k] = byte
    dots = np.flatnonzero(c == 46)
    dots = dots[(dots > 0) & (dots < len(c) - 1)]
    if len(dots):  # a dot between word characters joins them ("node.js")
        w[dots] = w[dots - 1] & w[dots + 1]
    return w


def _hash(view: np.ndarray, starts: np.ndarray, lengths: np.ndarray, max_bytes: int) -> np.ndarray:
    """63-bit hashes of the byte strings ``view[start : start + length]`` (``view``: 8-byte windows)."""
    with np.errstate(over="ignore"):
        size = lengths.astype(np.uint64)
        first = np.minimum(size, np.uint64(8))
        h = ((size * _K1) ^ (view[starts] & (_ALL >> (np.uint64(64) - first * np.uint64(8))))) * _K2
        for k in range(8, max_bytes, 8):  # the rest, 8 bytes at a time, for the longer tokens
            sel = np.flatnonzero(lengths > k)
            rest = np.minimum(size[sel] - np.uint64(k), np.uint64(8))
            word = view[starts[sel] + k] & (_ALL >> (np.uint64(64) - rest * np.uint64(8)))
            h[sel] = (h[sel] ^ word) * _K2
        h ^= h >> np.uint64(31)
        h *= _K3
        h ^= h >> np.uint64(29)
    return (h >> np.uint64(1)).astype(np.int64)


def _spans(encoded: list[bytes], lower: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Byte buffer (padded), token starts and lengths, and the first token of each text (plus the end)."""
    buf = b"\n" + b"\n".join(encoded) + bytes(8)  # the first and last byte of `c` are not word bytes
    b = np.frombuffer(bytearray(buf) if lower else buf, dtype=np.uint8)
    c = b[: len(buf) - 7]
    w = _word_bytes(c, b, lower)
    edges = np.flatnonzero(w[1:] != w[:-1]) + 1
    starts = edges[0::2]  # a token begins and ends at alternate edges
    lengths = edges[1::2] - starts
    lens = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)) + 1
    text_start = np.concatenate([[1], 1 + np.cumsum(lens)])
    first = np.searchsorted(starts, text_start)
    return b, starts, lengths, first


def _gap_marks(b: np.ndarray, starts: np.ndarray, lengths: np.ndarray, sets: Sequence[bytes]) -> list[np.ndarray]:
    """For each byte set: whether the bytes between each token's end and the next token's start
    hold one of its bytes. Most gaps are one byte; only the longer ones are expanded."""
    lut = np.zeros(256, dtype=np.uint8)
    for bit, chars in enumerate(sets):
        lut[np.frombuffer(chars, dtype=np.uint8)] |= 1 << bit
    ends = starts + lengths
    code = lut[b[ends]]  # the first byte of every gap (the buffer is padded past the last token)
    gaps = np.append(starts[1:], len(b)) - ends
    long = np.flatnonzero(gaps > 1)
    more = gaps[long] - 1
    tok = np.repeat(long, more)  # the rest of the longer gaps, a byte per entry
    rest = lut[b[np.repeat(ends[long] + 1, more) + np.arange(len(tok)) - np.repeat(np.cumsum(more) - more, more)]]
    out = []
    for bit in range(len(sets)):
        flags = (code & (1 << bit)) != 0
        flags[tok[(rest & (1 << bit)) != 0]] = True
        out.append(flags)
    return out


class TokenIds:
    """Map the tokens of many texts to the ids of known tokens (``1 + index`` in ``tokens``; 0: unknown).

    Parameters
    ----------
    tokens : sequence of str
        The known tokens, each one token of ``TOKEN_PATTERN`` in lower case.
    """

    def __init__(self, tokens: Sequence[str]) -> None:
        encoded = [t.encode("utf-8", "surrogatepass") for t in tokens]
        self.max_bytes = max(map(len, encoded), default=0)
        b, starts, lengths, first = _spans(encoded)
        if len(starts) != len(encoded) or np.any(np.diff(first) != 1):
            raise ValueError("each known token must be exactly one word token")
        keys = _hash(self._view(b), starts, lengths, self.max_bytes)
        if len(np.unique(keys)) != len(keys):
            raise ValueError("two known tokens share a hash; use another tokenizer path")
        self.table = IntTable(keys, np.arange(1, len(keys) + 1))

    @staticmethod
    def _view(b: np.ndarray) -> np.ndarray:
        """Overlapping little-endian 8-byte windows of the padded buffer ``b``, one per byte."""
        return np.ndarray((len(b) - 7,), dtype="<u8", buffer=b, strides=(1,))

    def ids(self, texts: Sequence[str], lower: bool = False, lines: bool = False) -> tuple[np.ndarray, ...] | None:
        """Token ids of ``texts``, concatenated, and the number of tokens of each.

        The texts should be lower-cased, or ``lower=True`` lower-cases them here, byte for byte;
        then the result is ``None`` if some text holds a character whose lower-casing changes its
        length or depends on its neighbours (capital sigma): lower-case such texts with ``str.lower``.
        With ``lines``, two more arrays say for each token whether a line starts before it and ends
        after it (see :mod:`jobclassify.sections`).
        """
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        try:
            b, starts, lengths, first = _spans(encoded, lower)
        except _NotByteForByte:
            return None
        ids = np.zeros(len(starts), dtype=np.int64)
        cand = np.flatnonzero(lengths <= self.max_bytes)
        if len(cand):
            ids[cand] = self.table.get(_hash(self._view(b), starts[cand], lengths[cand], self.max_bytes)).clip(0)
        if not lines:
            return ids, np.diff(first)
        from .sections import LINE_END, LINE_START

        after_start, line_end = _gap_marks(b, starts, lengths, (LINE_START, LINE_END))
        line_start = np.ones(len(starts), dtype=bool)
        line_start[1:] = after_start[:-1]
        has = first[1:] > first[:-1]  # texts with tokens: their first token starts a line, their last ends one
        line_start[first[:-1][has]] = True
        line_end[first[1:][has] - 1] = True
        return ids, np.diff(first), line_start, line_end
