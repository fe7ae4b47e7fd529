"""Section headers in postings ("Requirements:", "What you'll do:") and the section of each token.

Postings list duties, requirements and company text under headers. LABELS.md decides a label by
the duties; a requirements list that names tools ("experience with AWS, Jenkins, Terraform, …")
says less about what the role is for. :class:`~jobclassify.KeywordClassifier` can weigh taxonomy
matches by the kind of section they fall in.

A header is a phrase of ``data/sections.toml`` as whole tokens that begins a line (or follows one
of ``.#*-|>``) and is followed by ``:`` or a line break before the next token; the end of a text
counts as a line break, its start as a line start. A section runs from its header to the next one;
tokens before the first header are ``duties``.

>>> finder = SectionFinder(load_section_phrases())
>>> text = "We run payments.\\nRequirements:\\n- AWS and Terraform\\nBenefits:\\n- Pension"
>>> doc, end, kind = finder.headers_in_texts([text])
>>> [(int(e), KINDS[k]) for e, k in zip(end, kind)]  # token position after each header, and its kind
[(4, 'requirements'), (8, 'company')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources

import numpy as np

from .text import TOKEN_RE, lower_same_length
from .token_ids import IntTable

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

KINDS = ("duties", "requirements", "company")
LINE_START = b"\n.#*-|>"
LINE_END = b":\n"
_MULT = np.int64(1_000_003)


def load_section_phrases(text: str | None = None) -> dict[str, list[str]]:
    """The header phrases of each kind (``text``: TOML like ``data/sections.toml``)."""
    if text is None:
        text = resources.files("jobclassify").joinpath("data/sections.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    if set(data) != set(KINDS) or not all(isinstance(v, list) for v in data.values()):
        raise ValueError(f"a sections file needs the lists {', '.join(KINDS)} and nothing else")
    seen: dict[tuple[str, ...], str] = {}
    for kind in KINDS:
        for phrase in data[kind]:
            key = tuple(TOKEN_RE.findall(lower_same_length(str(phrase))))
            if not key or seen.setdefault(key, kind) != kind:
                raise ValueError(f"section phrase {phrase!r} is empty or belongs to two kinds")
    return {kind: [str(p) for p in data[kind]] for kind in KINDS}


def gap_flags(text: str, spans: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """For each token span of ``text``: whether a line starts before it and ends after it."""
    n = len(spans)
    start, end = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    starts_set, ends_set = set(LINE_START.decode()), set(LINE_END.decode())
    prev = 0
    for i, (a, _) in enumerate(spans):
        gap = text[prev:a]
        start[i] = i == 0 or not starts_set.isdisjoint(gap)
        if i:
            end[i - 1] = not ends_set.isdisjoint(gap)
        prev = spans[i][1]
    if n:
        end[n - 1] = True
    return start, end


class SectionFinder:
    """Find section headers in token-id sequences.

    Parameters
    ----------
    phrases : mapping of kind to list of str
        As :func:`load_section_phrases` returns.
    token_id : mapping of str to int, optional
        Ids for tokens (unknown tokens: 0); every phrase token gets one here if it has none.
    """

    def __init__(self, phrases: Mapping[str, Sequence[str]], token_id: Mapping[str, int] | None = None) -> None:
        self.token_id = dict(token_id or {})
        next_id = max(self.token_id.values(), default=0) + 1
        keys: dict[int, list[tuple[tuple[str, ...], int]]] = {}
        for k, kind in enumerate(KINDS):
            for phrase in phrases.get(kind, ()):
                toks = tuple(TOKEN_RE.findall(lower_same_length(phrase)))
                for t in toks:
                    if t not in self.token_id:
                        self.token_id[t] = next_id
                        next_id += 1
                keys.setdefault(len(toks), []).append((toks, k))
        self.tables = {
            n: IntTable(
                np.asarray([self._hash([[self.token_id[t] for t in toks]])[0] for toks, _ in items], dtype=np.int64),
                np.asarray([k for _, k in items], dtype=np.int64),
            )
            for n, items in keys.items()
        }

    @staticmethod
    def _hash(rows: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
        h = np.zeros(len(rows), dtype=np.int64)
        cols = np.asarray(rows, dtype=np.int64).reshape(len(rows), -1)
        with np.errstate(over="ignore"):
            for j in range(cols.shape[1]):
                h = h * _MULT + cols[:, j]
        return h

    def headers(
        self,
        ids: np.ndarray,
        doc_of: np.ndarray,
        line_start: np.ndarray,
        line_end: np.ndarray,
        with_start: bool = False,
    ) -> tuple[np.ndarray, ...]:
        """``(doc, end, kind)`` of each header in concatenated token ids: ``end`` is the index
        (into ``ids``) just after the header's last token. Where phrases of several lengths end at
        the same token, the longest wins. ``with_start`` adds the index of each header's first token."""
        best = np.full(len(ids), -1, dtype=np.int64)
        size = np.zeros(len(ids), dtype=np.int64)
        last = np.flatnonzero(line_end)
        for n in sorted(self.tables):
            first = last - (n - 1)
            ok = first >= 0
            j, i = last[ok], first[ok]
            ok = (doc_of[i] == doc_of[j]) & line_start[i]
            j, i = j[ok], i[ok]
            if not len(j):
                continue
            rows = ids[i[:, None] + np.arange(n)[None, :]]
            kind = self.tables[n].get(self._hash(rows))
            hit = kind >= 0
            best[j[hit]], size[j[hit]] = kind[hit], n
        at = np.flatnonzero(best >= 0)
        if with_start:
            return doc_of[at], at + 1, best[at], at + 1 - size[at]
        return doc_of[at], at + 1, best[at]

    def drop(self, texts: Sequence[str], kinds: Sequence[str]) -> list[str]:
        """``texts`` without their sections of the given ``kinds``: each such header, and the text
        from it to the next header (or the end), is cut out. Cuts run from the first character of
        a token to the first character of another (or the end), so the text left splits into the
        same tokens as the parts kept.

        >>> finder = SectionFinder(load_section_phrases())
        >>> finder.drop(["Build pipelines.\\nBenefits:\\n- Pension\\nRequirements:\\n- Jenkins"], ["company"])
        ['Build pipelines.\\nRequirements:\\n- Jenkins']
        """
        doc, _, kind, start = self.headers_in_texts(texts, with_start=True)
        out = list(texts)
        cut = np.isin(kind, [KINDS.index(k) for k in kinds])
        for i in np.unique(doc[cut]).tolist():
            text = texts[i]
            spans = [m.start() for m in TOKEN_RE.finditer(lower_same_length(text))]
            mine = doc == i
            h_start = start[mine]
            parts, pos = [], 0
            for h in np.flatnonzero(cut[mine]):
                parts.append(text[pos : spans[h_start[h]]])
                pos = spans[h_start[h + 1]] if h + 1 < len(h_start) else len(text)
            parts.append(text[pos:])
            out[i] = "".join(parts)
        return out

    def headers_in_texts(self, texts: Sequence[str], with_start: bool = False) -> tuple[np.ndarray, ...]:
        """:meth:`headers` of each text on its own tokens (``end``, and ``start`` with
        ``with_start``: token positions in its text)."""
        ids: list[int] = []
        docs: list[int] = []
        starts: list[np.ndarray] = []
        ends: list[np.ndarray] = []
        get = self.token_id.get
        for i, text in enumerate(texts):
            low = lower_same_length(text)
            found = list(TOKEN_RE.finditer(low))
            ids += [get(m.group(), 0) for m in found]
            docs += [i] * len(found)
            a, b = gap_flags(low, [m.span() for m in found])
            starts.append(a)
            ends.append(b)
        doc_of = np.asarray(docs, dtype=np.int64)
        if not len(doc_of):
            return (np.zeros(0, dtype=np.int64),) * (4 if with_start else 3)
        found = self.headers(
            np.asarray(ids, dtype=np.int64), doc_of, np.concatenate(starts), np.concatenate(ends), with_start
        )
        doc = found[0]
        first = np.searchsorted(doc_of, np.arange(len(texts)))[doc]
        return (doc, found[1] - first, found[2]) + ((found[3] - first,) if with_start else ())


def section_of(
    doc: np.ndarray, pos: np.ndarray, h_doc: np.ndarray, h_end: np.ndarray, h_kind: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For tokens at ``(doc, pos)``: the index of the header whose section holds them (-1: before
    any header) and its kind (0, ``duties``, before any header). Headers sorted by (doc, end)."""
    if not len(h_doc):
        return np.full(len(doc), -1, dtype=np.int64), np.zeros(len(doc), dtype=np.int64)
    big = max(int(pos.max(initial=0)), int(h_end.max())) + 1
    at = np.searchsorted(h_doc * big + h_end, doc * big + pos, side="right") - 1
    valid = at >= 0
    valid[valid] = h_doc[at[valid]] == doc[valid]
    idx = np.where(valid, at, -1)
    return idx, np.where(valid, h_kind[np.maximum(at, 0)], 0)


def section_weights(est: object) -> tuple[float, float, float] | None:
    """Weights of the ``duties``, ``requirements`` and ``company`` sections an estimator's rules
    use, or ``None`` (no sections: no ``requirements_weight``, or no windows)."""
    weight = getattr(est, "requirements_weight", None)
    if weight is None or getattr(est, "window", None) is None:
        return None
    return 1.0, float(weight), 1.0
