"""``SectionFilter``: cut sections of a kind (about us, benefits, pay, …) out of postings."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._estimator_input import texts_for_fit, texts_for_predict
from .sections import KINDS, SectionFinder, load_section_phrases

__all__ = ["SectionFilter"]


class SectionFilter(TransformerMixin, BaseEstimator):
    """Remove the sections of the given kinds from texts, before the word and taxonomy features.

    Section headers are those of :mod:`jobclassify.sections` (``data/sections.toml``). A
    ``company`` section ("About us:", "Benefits:", "What we offer:", "Equal opportunity:", pay
    and location) says little about what the role is for, and real postings carry much more of it
    than the written corpus; the learned model reads postings without it. Text with no such
    header passes unchanged (an about-us paragraph before the first header stays).

    Parameters
    ----------
    kinds : tuple of str, default=("company",)
        Section kinds to remove, from ``duties``, ``requirements`` and ``company``.

    Examples
    --------
    >>> f = SectionFilter().fit(["x"])
    >>> f.transform(["Run the AWS estate.\\nAbout us:\\nWe sell shoes.\\nSkills:\\nTerraform"]).tolist()
    ['Run the AWS estate.\\nSkills:\\nTerraform']
    """

    def __init__(self, kinds: tuple[str, ...] = ("company",)) -> None:
        self.kinds = kinds

    def fit(self, X: Any, y: Any = None) -> SectionFilter:
        """Check ``kinds`` and keep the header phrases (no learning from ``X``)."""
        texts_for_fit(self, X)
        kinds = self.kinds
        if isinstance(kinds, str) or not all(isinstance(k, str) and k in KINDS for k in kinds):
            raise ValueError(f"kinds must be a tuple of section kinds from {KINDS}, got {kinds!r}")
        # a saved model keeps the headers it was fitted with
        self.section_phrases_ = load_section_phrases()
        return self

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    def transform(self, X: Any) -> np.ndarray:
        """The texts (1-D object array) with the sections of ``kinds`` cut out."""
        check_is_fitted(self, "section_phrases_")
        texts = texts_for_predict(self, X)
        out = SectionFinder(self.section_phrases_).drop(texts, list(self.kinds)) if self.kinds else texts
        return np.asarray(out, dtype=object)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """One output column of text."""
        return np.asarray(["text"], dtype=object)
