"""``TaxonomyFeatures``: taxonomy evidence as sparse features for a linear model."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._estimator_input import texts_for_fit, texts_for_predict
from .matcher import TermMatcher
from .taxonomy import default_taxonomy_text, parse_taxonomy

_MATCHERS: dict[str, TermMatcher] = {}
SHARE_SMOOTHING = 3.0


def matcher_for(taxonomy: str | None) -> TermMatcher:
    """A cached :class:`TermMatcher` for taxonomy TOML text (``None``: the bundled taxonomy)."""
    text = default_taxonomy_text() if taxonomy is None else taxonomy
    m = _MATCHERS.get(text)
    if m is None:
        m = _MATCHERS[text] = TermMatcher(parse_taxonomy(text))
    return m


class TaxonomyFeatures(TransformerMixin, BaseEstimator):
    """Turn posting text into taxonomy features (sparse, non-negative).

    For every text: one column per term (``log1p`` of its count), one per group and one per role
    (``log1p`` of the weighted, damped term scores), and two that describe the devops/cloud balance
    (``mix:both`` = geometric mean of the two role scores, ``mix:balance`` = smaller / larger), and
    three shares that do not grow with the density of evidence (``share:devops|cloud|other`` = role
    score / (devops + cloud + other + 3)).

    Parameters
    ----------
    taxonomy : str or None, default=None
        Taxonomy TOML text; ``None`` uses the bundled taxonomy. Text (not a path) keeps the fitted
        estimator self-contained when saved.
    terms : bool, default=True
        Include one column per term (otherwise groups, roles and balance only).
    scale : float, default=1.0
        Multiplier for every column, to weigh these features against word n-grams.

    Examples
    --------
    >>> tf = TaxonomyFeatures().fit(["x"])
    >>> X = tf.transform(["Own the Jenkins CI/CD pipelines", "Design AWS landing zones"])
    >>> names = list(tf.get_feature_names_out())
    >>> bool(X[0, names.index("role:devops")] > 0), bool(X[1, names.index("role:cloud")] > 0)
    (True, True)
    """

    def __init__(self, taxonomy: str | None = None, terms: bool = True, scale: float = 1.0) -> None:
        self.taxonomy = taxonomy
        self.terms = terms
        self.scale = scale

    def fit(self, X: Any, y: Any = None) -> TaxonomyFeatures:
        """Check the taxonomy and lay out the feature columns (no learning from ``X``)."""
        texts_for_fit(self, X)
        if not (isinstance(self.scale, (int, float)) and self.scale > 0):
            raise ValueError(f"scale must be a number > 0, got {self.scale!r}")
        m = matcher_for(self.taxonomy)
        self.taxonomy_sha256_ = m.taxonomy.sha256
        groups = list(m.taxonomy.groups)
        roles = sorted(m.taxonomy.roles)
        names = [f"role:{r}" for r in roles] + ["mix:both", "mix:balance"]
        names += ["share:devops", "share:cloud", "share:other"]
        names += [f"group:{g}" for g in groups]
        if self.terms:
            names += [f"term:{t.group}:{t.name}" for t in m.terms]
        self.feature_names_ = np.asarray(names, dtype=object)
        return self

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "feature_names_")
        return self.feature_names_.copy()

    def transform(self, X: Any) -> sp.csr_matrix:
        """Sparse ``(n_texts, n_features)`` matrix of taxonomy evidence."""
        check_is_fitted(self, "feature_names_")
        texts = texts_for_predict(self, X)
        m = matcher_for(self.taxonomy)
        roles, groups = sorted(m.taxonomy.roles), list(m.taxonomy.groups)
        role_col = {r: i for i, r in enumerate(roles)}
        n_fixed = len(roles) + 5
        group_col = {g: n_fixed + i for i, g in enumerate(groups)}
        term_base = n_fixed + len(groups)
        terms = m.terms
        rows, cols, vals = [], [], []
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
                if self.terms:
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
        out = sp.csr_matrix(
            (np.asarray(vals, dtype=np.float64) * float(self.scale), (rows, cols)),
            shape=(len(texts), len(self.feature_names_)),
        )
        return out
