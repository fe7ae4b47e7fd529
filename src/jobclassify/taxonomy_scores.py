"""Taxonomy evidence as feature rows: the layout shared by ``TaxonomyFeatures`` and the compiled
model (no scikit-learn needed here)."""

from __future__ import annotations

import math

from .matcher import TermMatcher

SHARE_SMOOTHING = 3.0


def feature_names(m: TermMatcher, with_terms: bool) -> list[str]:
    """Column names, in the layout of :func:`taxonomy_coo`."""
    names = [f"role:{r}" for r in sorted(m.taxonomy.roles)] + ["mix:both", "mix:balance"]
    names += ["share:devops", "share:cloud", "share:other"]
    names += [f"group:{g}" for g in m.taxonomy.groups]
    if with_terms:
        names += [f"term:{t.group}:{t.name}" for t in m.terms]
    return names


def taxonomy_coo(texts: list[str], m: TermMatcher, with_terms: bool) -> tuple[list[int], list[int], list[float]]:
    """Row, column and value lists of the taxonomy features of ``texts`` (unscaled).

    Column layout: roles (sorted), ``mix:both``, ``mix:balance``, three shares, groups (file
    order), then terms (file order) when ``with_terms``.
    """
    roles, groups = sorted(m.taxonomy.roles), list(m.taxonomy.groups)
    role_col = {r: i for i, r in enumerate(roles)}
    n_fixed = len(roles) + 5
    group_col = {g: n_fixed + i for i, g in enumerate(groups)}
    term_base = n_fixed + len(groups)
    terms = m.terms
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, text in enumerate(texts):
        counts = m.term_counts(text)
        role_score = dict.fromkeys(roles, 0.0)
        group_score: dict[str, float] = {}
        for idx, n in counts.items():
            if idx is None:
                continue
            t = terms[idx]
            s = t.weight * (1.0 + math.log(n))
            role_score[t.role] += s
            group_score[t.group] = group_score.get(t.group, 0.0) + s
            if with_terms:
                rows.append(i)
                cols.append(term_base + idx)
                vals.append(math.log1p(n))
        for r, s in role_score.items():
            if s:
                rows.append(i)
                cols.append(role_col[r])
                vals.append(math.log1p(s))
        d, c = role_score.get("devops", 0.0), role_score.get("cloud", 0.0)
        o = role_score.get("other", 0.0)
        if d and c:
            rows += [i, i]
            cols += [len(roles), len(roles) + 1]
            vals += [math.log1p(math.sqrt(d * c)), min(d, c) / max(d, c)]
        total = d + c + o + SHARE_SMOOTHING
        for k, v in enumerate((d, c, o)):
            if v:
                rows.append(i)
                cols.append(len(roles) + 2 + k)
                vals.append(v / total)
        for g, s in group_score.items():
            rows.append(i)
            cols.append(group_col[g])
            vals.append(math.log1p(s))
    return rows, cols, vals
