"""A fast, word-boundary aware matcher for taxonomy terms.

All variants of all terms are compiled into one trie-shaped regular expression, so a text is scanned
once. Matching is case-insensitive; a term matches only between non-alphanumeric characters, so
``aws`` does not fire inside ``laws`` while ``CI/CD``, ``C#`` and ``.NET`` style spellings do.

>>> from jobclassify.matcher import TermMatcher
>>> m = TermMatcher()
>>> [hit.term for hit in m.find("We build CI/CD on AWS, not laws.")]
['ci/cd', 'aws']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .taxonomy import Taxonomy, TaxonomyError, Term, default_taxonomy_text, load_taxonomy, parse_taxonomy

_SEP = re.compile(r"[\s_\-]+")
_SEP_PATTERN = r"[\s_\-]+"


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` keeping its length, so that match spans index the original text."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def normalize_variant(text: str) -> str:
    """Lower-case and collapse spaces, hyphens and underscores to one space."""
    return _SEP.sub(" ", text.lower()).strip()


@dataclass(frozen=True)
class Hit:
    """One match: the canonical term, its group and role, and where it stood in the text."""

    term: str
    group: str
    role: str
    start: int
    end: int
    text: str


def _trie_regex(variants: Iterable[str]) -> str:
    trie: dict = {}
    for v in variants:
        node = trie
        for atom in [(_SEP_PATTERN if ch == " " else re.escape(ch)) for ch in v]:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and len(branches[0]) <= 2 else f"(?:{'|'.join(branches)})"
        if len(branches) == 1 and not body.startswith("(?:"):
            body = f"(?:{body})"
        return body + ("?" if end else "")

    return emit(trie)


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
        self._by_variant: dict[str, int] = {}
        for i, term in enumerate(self.terms):
            for v in term.variants:
                key = normalize_variant(v)
                if not key:
                    raise TaxonomyError(f"term {term.name!r} has an empty variant")
                other = self._by_variant.get(key)
                if other is not None and other != i:
                    raise TaxonomyError(
                        f"variant {v!r} belongs to two terms: {self.terms[other].name!r} "
                        f"(group {self.terms[other].group}) and {term.name!r} (group {term.group})"
                    )
                self._by_variant[key] = i
        body = _trie_regex(sorted(self._by_variant))
        self._regex = re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")

    def iter_matches(self, text: str) -> Iterable[tuple[int, int, int]]:
        """Yield ``(term_index, start, end)`` for each match in ``text``."""
        lower = lower_same_length(text)
        by_variant = self._by_variant
        for m in self._regex.finditer(lower):
            idx = by_variant.get(_SEP.sub(" ", m.group()))
            if idx is not None:
                yield idx, m.start(), m.end()

    def term_counts(self, text: str) -> Counter[int]:
        """Counts of each matched term index."""
        lower = text.lower()
        by_variant = self._by_variant
        sub = _SEP.sub
        return Counter(by_variant.get(sub(" ", s)) for s in self._regex.findall(lower))

    def find(self, text: str) -> list[Hit]:
        """All matches in ``text``, in order, with their spans."""
        hits = []
        for idx, start, end in self.iter_matches(text):
            t = self.terms[idx]
            hits.append(Hit(t.name, t.group, t.role, start, end, text[start:end]))
        return hits

    def summarize(self, text: str) -> dict[str, dict[str, dict[str, int]]]:
        """Matched terms by role and group: ``{role: {group: {term: count}}}``."""
        out: dict[str, dict[str, dict[str, int]]] = {}
        for idx, n in sorted(self.term_counts(text).items()):
            if idx is None:
                continue
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
