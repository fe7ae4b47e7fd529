"""A fast, word-boundary aware matcher for taxonomy terms.

Texts and term variants are split into the same word tokens (:data:`~jobclassify.text.TOKEN_PATTERN`,
lower-cased), and a term matches where its variant's tokens stand in a row — so ``aws`` does not
fire inside ``laws``, ``CI/CD``, ``ci-cd`` and ``CI / CD`` are one term, and ``C#`` and
``node.js`` stay whole. Matches are leftmost-longest and do not overlap ("google cloud platform" is
one match, not three). Because the word features use the same tokens, one tokenization serves both.

>>> from jobclassify.matcher import TermMatcher
>>> m = TermMatcher()
>>> [hit.term for hit in m.find("We build CI/CD on AWS, not laws.")]
['ci/cd', 'aws']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .taxonomy import Taxonomy, TaxonomyError, Term, default_taxonomy_text, load_taxonomy, parse_taxonomy
from .text import TOKEN_RE, lower_same_length


def normalize_variant(text: str) -> str:
    """The token form of a variant: lower-cased word tokens joined by one space.

    >>> normalize_variant("CI / CD")
    'ci cd'
    """
    return " ".join(TOKEN_RE.findall(text.lower()))


@dataclass(frozen=True)
class Hit:
    """One match: the canonical term, its group and role, and where it stood in the text."""

    term: str
    group: str
    role: str
    start: int
    end: int
    text: str


class TermMatcher:
    """Find taxonomy terms in text.

    Parameters
    ----------
    taxonomy : Taxonomy, optional
        The taxonomy whose terms to find; the bundled one by default.
    """

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.terms: list[Term] = self.taxonomy.terms
        self._by_tokens: dict[tuple[str, ...], int] = {}
        for i, term in enumerate(self.terms):
            for v in term.variants:
                key = tuple(TOKEN_RE.findall(v.lower()))
                if not key:
                    raise TaxonomyError(f"term {term.name!r} has a variant without word characters: {v!r}")
                other = self._by_tokens.get(key)
                if other is not None and other != i:
                    raise TaxonomyError(
                        f"variant {v!r} belongs to two terms: {self.terms[other].name!r} "
                        f"(group {self.terms[other].group}) and {term.name!r} (group {term.group})"
                    )
                self._by_tokens[key] = i
        # first token -> {second token -> lengths of the longer variants, longest first}
        longer: dict[str, dict[str, list[int]]] = {}
        for key in self._by_tokens:
            if len(key) > 1:
                longer.setdefault(key[0], {}).setdefault(key[1], []).append(len(key))
        self._longer = {t: {s: tuple(sorted(set(ls), reverse=True)) for s, ls in d.items()} for t, d in longer.items()}
        self.single: dict[str, int] = {k[0]: i for k, i in self._by_tokens.items() if len(k) == 1}
        self.starts: frozenset[str] = frozenset(self.single) | frozenset(self._longer)
        """Tokens that begin some variant."""

    @property
    def variant_tokens(self) -> dict[tuple[str, ...], int]:
        """Token tuple of every variant -> index of its term."""
        return self._by_tokens

    def match_tokens(self, tokens: list[str], candidates: Iterable[int] | None = None) -> list[tuple[int, int, int]]:
        """``(term_index, first_token, end_token)`` of each match in a token list.

        ``candidates`` may list, in order, the positions whose token starts some variant (computed
        here when omitted).
        """
        if candidates is None:
            starts = self.starts
            candidates = [i for i, t in enumerate(tokens) if t in starts]
        by_tokens, single, longer = self._by_tokens, self.single, self._longer
        out: list[tuple[int, int, int]] = []
        free = 0  # first position not covered by an earlier match
        n = len(tokens)
        last = n - 1
        for i in candidates:
            if i < free:
                continue
            t = tokens[i]
            if i < last:
                nxt = longer.get(t)
                if nxt is not None:
                    lengths = nxt.get(tokens[i + 1])
                    if lengths is not None:
                        for k in lengths:
                            idx = by_tokens.get(tuple(tokens[i : i + k])) if i + k <= n else None
                            if idx is not None:
                                out.append((idx, i, i + k))
                                free = i + k
                                break
                        if free > i:
                            continue
            idx = single.get(t)
            if idx is not None:
                out.append((idx, i, i + 1))
                free = i + 1
        return out

    def iter_matches(self, text: str) -> Iterable[tuple[int, int, int]]:
        """Yield ``(term_index, start, end)`` character spans of each match in ``text``."""
        low = lower_same_length(text)
        spans = [(m.start(), m.end()) for m in TOKEN_RE.finditer(low)]
        tokens = [low[a:b] for a, b in spans]
        for idx, i, j in self.match_tokens(tokens):
            yield idx, spans[i][0], spans[j - 1][1]

    def term_indices(self, text: str) -> list[int]:
        """The term index of each match in ``text``, in order."""
        return [idx for idx, _, _ in self.match_tokens(TOKEN_RE.findall(lower_same_length(text)))]

    def term_counts(self, text: str) -> Counter[int]:
        """Counts of each matched term index."""
        return Counter(self.term_indices(text))

    def find(self, text: str) -> list[Hit]:
        """All matches in ``text``, in order, with their spans."""
        hits = []
        for idx, start, end in self.iter_matches(text):
            t = self.terms[idx]
            hits.append(Hit(t.name, t.group, t.role, start, end, text[start:end]))
        return hits

    def summarize(self, text: str) -> dict[str, dict[str, dict[str, int]]]:
        """Matched terms by role and group: ``{role: {group: {term: count}}}``."""
        return self.summarize_counts(self.term_counts(text))

    def summarize_counts(self, counts: dict[int, int]) -> dict[str, dict[str, dict[str, int]]]:
        """:meth:`summarize` for counts of term indices."""
        out: dict[str, dict[str, dict[str, int]]] = {}
        for idx, n in sorted(counts.items()):
            t = self.terms[idx]
            out.setdefault(t.role, {}).setdefault(t.group, {})[t.name] = n
        return out


_MATCHERS: dict[str, TermMatcher] = {}


def matcher_for(taxonomy: str | None) -> TermMatcher:
    """A cached :class:`TermMatcher` for taxonomy TOML text (``None``: the bundled taxonomy)."""
    text = default_taxonomy_text() if taxonomy is None else taxonomy
    m = _MATCHERS.get(text)
    if m is None:
        m = _MATCHERS[text] = TermMatcher(parse_taxonomy(text))
    return m
