"""Taxonomy evidence as feature rows: the layout shared by ``TaxonomyFeatures`` and the compiled
model (no scikit-learn needed here).

Both compute the features from the same thing — which term matched in which text — with
:func:`taxonomy_coo_from_matches`, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .matcher import TermMatcher
from .text import tokenize

SHARE_SMOOTHING = 3.0


def feature_names(m: TermMatcher, with_terms: bool) -> list[str]:
    """Column names, in the layout of :func:`taxonomy_coo`."""
    names = [f"role:{r}" for r in sorted(m.taxonomy.roles)] + ["mix:both", "mix:balance"]
    names += ["share:devops", "share:cloud", "share:other"]
    names += [f"group:{g}" for g in m.taxonomy.groups]
    if with_terms:
        names += [f"term:{t.group}:{t.name}" for t in m.terms]
    return names


def matches_of(texts: list[str], m: TermMatcher) -> tuple[np.ndarray, np.ndarray]:
    """One ``(doc, term)`` pair per taxonomy match in ``texts``."""
    return matches_at(texts, m)[:2]


def matches_at(texts: list[str], m: TermMatcher) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Text index, term index and first token position of each taxonomy match in ``texts``."""
    docs: list[int] = []
    terms: list[int] = []
    starts: list[int] = []
    for i, text in enumerate(texts):
        found = m.match_tokens(tokenize(text))
        docs += [i] * len(found)
        terms += [idx for idx, _, _ in found]
        starts += [a for _, a, _ in found]
    return np.asarray(docs, dtype=np.int64), np.asarray(terms, dtype=np.int64), np.asarray(starts, dtype=np.int64)


def _scored(doc: np.ndarray, term: np.ndarray, n_docs: int, m: TermMatcher) -> tuple[np.ndarray, ...]:
    """Per (text, term): text index, term index, count and score ``weight * (1 + log count)``;
    and the ``(n_docs, n_roles)`` role scores (roles sorted)."""
    tb = _tables(m)
    n_terms, n_roles = len(m.terms), len(m.taxonomy.roles)
    uniq, counts = np.unique(doc * n_terms + term, return_counts=True)
    d_i, t_i = np.divmod(uniq, n_terms)
    s = tb["weight"][t_i] * (1.0 + np.log(counts))
    role = np.bincount(d_i * n_roles + tb["role"][t_i], weights=s, minlength=n_docs * n_roles)
    return d_i, t_i, counts, s, role.reshape(n_docs, n_roles)


def _devops_cloud_other(role: np.ndarray, m: TermMatcher) -> np.ndarray:
    """The devops, cloud and other columns of a role-score matrix (zeros for a missing role)."""
    roles = sorted(m.taxonomy.roles)
    out = np.zeros((len(role), 3))
    for j, name in enumerate(("devops", "cloud", "other")):
        if name in roles:
            out[:, j] = role[:, roles.index(name)]
    return out


def role_scores(doc: np.ndarray, term: np.ndarray, n_docs: int, m: TermMatcher) -> np.ndarray:
    """``(n_docs, 3)`` devops, cloud and other-role scores: ``sum(weight * (1 + log count))``."""
    return _devops_cloud_other(_scored(doc, term, n_docs, m)[4], m)


WindowParams = tuple[int, float, float]


def window_params(est: Any) -> WindowParams | None:
    """``(window, window_power, window_scale)`` of an estimator, or ``None`` for whole-text scores
    (also for estimators saved before windows existed)."""
    window = getattr(est, "window", None)
    if window is None:
        return None
    return int(window), float(est.window_power), float(est.window_scale)


def check_window(est: Any) -> None:
    """Raise ``ValueError`` unless an estimator's window parameters are valid."""
    window = getattr(est, "window", None)
    if window is None:
        return
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be None or an integer >= 1, got {window!r}")
    for name in ("window_power", "window_scale"):
        v = getattr(est, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
            raise ValueError(f"{name} must be a number > 0, got {v!r}")


Sections = tuple[tuple[np.ndarray, np.ndarray], tuple[float, ...]]
"""Per match, the index of its section's header (-1: none) and the section's kind; and a weight per kind."""


def window_role_scores(
    doc: np.ndarray,
    term: np.ndarray,
    start: np.ndarray,
    n_docs: int,
    m: TermMatcher,
    window: WindowParams,
    sections: Sections | None = None,
    *,
    all_roles: bool = False,
) -> np.ndarray:
    """``(n_docs, 3)`` devops, cloud and other role scores added up over windows of tokens
    (``all_roles``: ``(n_docs, n_roles)``, every role of the taxonomy in sorted order).

    ``window`` is ``(size, power, scale)``. Each window (tokens ``0..size-1`` of a text, then the
    next ``size``, ...) is scored like a text of its own with :func:`role_scores`, and each of its
    scores ``s`` counts as ``scale * s ** power``. With ``power < 1`` a window crowded with terms (a
    skills list) adds less than the same terms spread over the duties of a posting. With
    ``sections`` (see :mod:`jobclassify.sections`), windows do not cross a section header and each
    window's scores are multiplied by its section kind's weight.

    >>> from jobclassify.matcher import TermMatcher
    >>> m = TermMatcher()
    >>> crowded = "jenkins docker terraform aws azure gcp"
    >>> spread = " ".join(t + " and more words here to fill the window" for t in crowded.split())
    >>> d, t, a = matches_at([crowded, spread], m)
    >>> r = window_role_scores(d, t, a, 2, m, (10, 0.5, 2.0))
    >>> bool(r[0, 1] < r[1, 1])  # cloud evidence of the crowded text counts less
    True
    """
    size, power, scale = window
    out = np.zeros((n_docs, len(m.taxonomy.roles)))
    if len(doc):
        stride = int(start.max()) // size + 1
        part = doc  # windows are counted within a part: the text, or with sections the text between headers
        if sections is not None:
            (header, kind), weights = sections
            part = np.where(header >= 0, header + n_docs, doc)  # the text before any header: its own part
        uniq, first, unit = np.unique(part * stride + start // size, return_index=True, return_inverse=True)
        owner = doc[first]
        scores = scale * _scored(unit, term, len(uniq), m)[4] ** power
        if sections is not None:  # each window weighs as its section's kind
            scores *= np.asarray(weights, dtype=np.float64)[kind[first]][:, None]
        for j in range(out.shape[1]):
            out[:, j] = np.bincount(owner, weights=scores[:, j], minlength=n_docs)
    return out if all_roles else _devops_cloud_other(out, m)


def taxonomy_coo(
    texts: list[str], m: TermMatcher, with_terms: bool, window: WindowParams | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and value arrays of the taxonomy features of ``texts`` (unscaled).

    Column layout: roles (sorted), ``mix:both``, ``mix:balance``, three shares, groups (file
    order), then terms (file order) when ``with_terms``. For one text with term counts ``n_t``
    and weights ``w_t``: term features ``log1p(n_t)``; a role's or group's score is
    ``s = sum(w_t * (1 + log n_t))`` over its terms, its feature ``log1p(s)``; ``mix:both`` is
    ``log1p(sqrt(d * c))`` and ``mix:balance`` ``min(d, c) / max(d, c)`` when both the devops
    score ``d`` and the cloud score ``c`` are positive; shares are ``d``, ``c`` and the other-role
    score over their sum plus :data:`SHARE_SMOOTHING`. With ``window``, the role scores behind the
    role, mix and share columns are added up over token windows (:func:`window_role_scores`).
    """
    doc, term, start = matches_at(texts, m)
    return taxonomy_coo_and_roles(doc, term, len(texts), m, with_terms, start, window)[:3]


def _tables(m: TermMatcher) -> dict[str, np.ndarray]:
    cached = getattr(m, "_score_tables", None)
    if cached is None:
        roles, groups = sorted(m.taxonomy.roles), list(m.taxonomy.groups)
        cached = {
            "weight": np.asarray([t.weight for t in m.terms], dtype=np.float64),
            "role": np.asarray([roles.index(t.role) for t in m.terms], dtype=np.int64),
            "group": np.asarray([groups.index(t.group) for t in m.terms], dtype=np.int64),
        }
        m._score_tables = cached  # type: ignore[attr-defined]
    return cached


def taxonomy_coo_from_matches(
    doc: np.ndarray, term: np.ndarray, n_docs: int, m: TermMatcher, with_terms: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`taxonomy_coo` from one ``(doc, term)`` pair per match, for ``n_docs`` texts."""
    return taxonomy_coo_and_roles(doc, term, n_docs, m, with_terms)[:3]


def taxonomy_coo_and_roles(
    doc: np.ndarray,
    term: np.ndarray,
    n_docs: int,
    m: TermMatcher,
    with_terms: bool,
    start: np.ndarray | None = None,
    window: WindowParams | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`taxonomy_coo_from_matches` plus the role scores its role columns come from, computed
    once: :func:`role_scores`, or with ``window`` (and each match's first token ``start``)
    :func:`window_role_scores`."""
    n_roles, n_groups = len(m.taxonomy.roles), len(m.taxonomy.groups)
    n_fixed = n_roles + 5
    term_base = n_fixed + n_groups
    tb = _tables(m)
    d_i, t_i, counts, s, role_score = _scored(doc, term, n_docs, m)
    if window is not None:
        if start is None:
            raise ValueError("window scores need the position of each match (start)")
        role_score = window_role_scores(doc, term, start, n_docs, m, window, all_roles=True)
    rows, cols, vals = [], [], []
    if with_terms:
        rows.append(d_i)
        cols.append(term_base + t_i)
        vals.append(np.log1p(counts.astype(np.float64)))
    nz_d, nz_r = np.nonzero(role_score)
    rows.append(nz_d)
    cols.append(nz_r)
    vals.append(np.log1p(role_score[nz_d, nz_r]))
    three = _devops_cloud_other(role_score, m)
    dv, cl, ot = three[:, 0], three[:, 1], three[:, 2]
    both = np.flatnonzero((dv > 0) & (cl > 0))
    if len(both):
        d, c = dv[both], cl[both]
        rows += [both, both]
        cols += [np.full(len(both), n_roles), np.full(len(both), n_roles + 1)]
        vals += [np.log1p(np.sqrt(d * c)), np.minimum(d, c) / np.maximum(d, c)]
    total = dv + cl + ot + SHARE_SMOOTHING
    for k, v in enumerate((dv, cl, ot)):
        nz = np.flatnonzero(v)
        rows.append(nz)
        cols.append(np.full(len(nz), n_roles + 2 + k))
        vals.append(v[nz] / total[nz])
    gkey = d_i * n_groups + tb["group"][t_i]
    g_uniq, g_inv = np.unique(gkey, return_inverse=True)
    g_score = np.bincount(g_inv.ravel(), weights=s, minlength=len(g_uniq))
    g_d, g_g = np.divmod(g_uniq, n_groups)
    rows.append(g_d)
    cols.append(n_fixed + g_g)
    vals.append(np.log1p(g_score))
    return (
        np.concatenate(rows).astype(np.int64),
        np.concatenate(cols).astype(np.int64),
        np.concatenate(vals).astype(np.float64),
        three,
    )
