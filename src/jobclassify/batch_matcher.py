"""Taxonomy matches in many token-id sequences at once, with array operations.

:class:`BatchMatcher` finds the same matches as :meth:`TermMatcher.match_tokens
<jobclassify.matcher.TermMatcher.match_tokens>` (leftmost-longest, without overlaps), but for a
whole batch of texts given as token ids (see :mod:`jobclassify.token_ids`). At every token that
begins some variant it looks up ever longer windows in one table of variants and their beginnings
(stopping where a window begins none), keeps the longest that is a variant, then drops matches
that start inside an earlier kept one.

>>> from jobclassify.matcher import TermMatcher
>>> m = TermMatcher()
>>> token_id = {t: i for i, t in enumerate(sorted({t for key in m.variant_tokens for t in key}), 1)}
>>> bm = BatchMatcher(m, token_id, len(token_id) + 1)
>>> ids = np.array([0, token_id["ci"], token_id["cd"], token_id["aws"], token_id["aws"]])
>>> doc, term, at = bm.match(ids, np.array([0, 0, 0, 0, 1]))
>>> doc.tolist(), [m.terms[t].name for t in term]
([0, 0, 1], ['ci/cd', 'aws', 'aws'])
>>> at.tolist()
[1, 3, 4]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .matcher import TermMatcher
from .token_ids import IntTable


class BatchMatcher:
    """Match the variants of ``matcher`` in token-id arrays.

    Parameters
    ----------
    matcher : TermMatcher
    token_id : mapping of str to int
        An id for every token of every variant (ids below ``n_ids``; other tokens may have any id
        that no variant token has).
    n_ids : int
        One more than the largest token id.
    """

    def __init__(self, matcher: TermMatcher, token_id: Mapping[str, int], n_ids: int) -> None:
        variants = matcher.variant_tokens
        words = sorted({t for key in variants for t in key})
        self.base = len(words) + 1  # variant tokens are numbered 1..len(words); 0: any other token
        self.max_len = max(map(len, variants), default=0)
        if self.base**self.max_len * 8 >= 2**63:
            raise ValueError("too many or too long taxonomy variants for the batch matcher")
        self.code = np.zeros(n_ids, dtype=np.int64)
        self.code[[token_id[t] for t in words]] = np.arange(1, len(words) + 1)
        self.begins = np.zeros(n_ids, dtype=bool)
        self.begins[[token_id[key[0]] for key in variants]] = True
        # every variant (value: its term) and every beginning of a longer one (value: -2)
        entries: dict[int, int] = {}
        for key, idx in variants.items():
            code = 0
            for k, t in enumerate(key, 1):
                code = code * self.base + int(self.code[token_id[t]])
                if k == len(key):
                    entries[code * 8 + k] = idx
                else:
                    entries.setdefault(code * 8 + k, -2)
        self.table = IntTable(
            np.fromiter(entries.keys(), dtype=np.int64, count=len(entries)),
            np.fromiter(entries.values(), dtype=np.int64, count=len(entries)),
        )

    def match(self, ids: np.ndarray, doc_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(doc, term index, position in ids)`` of every match in the concatenated token ids, in order.

        ``doc_of`` gives the text of each token (non-decreasing); no match spans two texts.
        """
        n = len(ids)
        pos = np.flatnonzero(self.begins[ids])
        best = np.full(len(pos), -1, dtype=np.int64)
        size = np.zeros(len(pos), dtype=np.int64)
        live = np.arange(len(pos))  # windows that are still the beginning of some variant
        code = np.zeros(len(pos), dtype=np.int64)
        for k in range(1, self.max_len + 1):  # longer windows overwrite shorter ones
            last = pos[live] + (k - 1)
            inside = last < n
            inside[inside] = doc_of[last[inside]] == doc_of[pos[live[inside]]]
            live, code, last = live[inside], code[inside], last[inside]
            code = code * self.base + self.code[ids[last]]
            value = self.table.get(code * 8 + k)
            found = value >= 0
            best[live[found]], size[live[found]] = value[found], k
            go_on = value != -1
            live, code = live[go_on], code[go_on]
            if not len(live):
                break
        hit = best >= 0
        pos, best, end = pos[hit], best[hit], pos[hit] + size[hit]
        keep = np.ones(len(pos), dtype=bool)
        if len(pos) > 1:
            reach = np.maximum.accumulate(end)
            clash = pos[1:] < reach[:-1]  # starts inside some earlier match
            if clash.any():
                new = np.flatnonzero(~clash) + 1  # first match of each run of overlapping ones
                for j in np.unique(np.searchsorted(new, np.flatnonzero(clash) + 1, side="right")).tolist():
                    lo = 0 if j == 0 else int(new[j - 1])
                    hi = int(new[j]) if j < len(new) else len(pos)
                    free = int(end[lo])
                    for i in range(lo + 1, hi):
                        if pos[i] < free:
                            keep[i] = False
                        else:
                            free = int(end[i])
        return doc_of[pos[keep]], best[keep], pos[keep]
