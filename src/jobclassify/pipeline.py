"""The learned model: word n-grams + taxonomy features -> calibrated linear classifier."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from .factorised_classifier import FactorisedClassifier
from .section_filter import SectionFilter
from .taxonomy_features import TaxonomyFeatures
from .text import TOKEN_PATTERN
from .vectorizer import CompactTfidfVectorizer

SEED = 20261127
DUTY_FACTORS = (("devops", "hybrid"), ("cloud", "hybrid"))
"""The default model's binary heads: has delivery (devops) duties; has cloud-infrastructure duties."""


PIPELINE_STEPS = frozenset({"sections", "features", "clf"})
"""Step names of a :func:`build_pipeline` model (``sections`` only with ``drop_sections``)."""


def build_pipeline(
    *,
    taxonomy: str | None = None,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 2,
    max_features: int | None = 50_000,
    taxonomy_scale: float = 0.5,
    taxonomy_terms: bool = True,
    taxonomy_window: int | None = 20,
    drop_sections: tuple[str, ...] | None = ("company",),
    words: bool = True,
    head: str = "factorised",
    C: float = 4.0,
    calibration: str = "sigmoid",
    cv: int = 5,
) -> Pipeline:
    """Build the default, untrained pipeline.

    * ``sections``: with ``drop_sections`` (default: ``company`` sections, i.e. about us,
      benefits, pay), a :class:`~jobclassify.section_filter.SectionFilter` that cuts those
      sections out of the text the model reads; ``None`` keeps whole texts;
    * ``words``: TF-IDF over word 1-2-grams (sublinear term frequency, English stop words kept so
      that phrases like "in the cloud" stay whole; tokens as :data:`~jobclassify.text.TOKEN_PATTERN`,
      the same the taxonomy matcher uses);
    * ``taxonomy``: :class:`~jobclassify.taxonomy_features.TaxonomyFeatures` scaled by
      ``taxonomy_scale``, role scores over windows of ``taxonomy_window`` tokens;
    * ``clf``: with ``head="factorised"`` (default), a
      :class:`~jobclassify.factorised_classifier.FactorisedClassifier` with two binary logistic
      heads, "has devops duties" and "has cloud duties" (:data:`DUTY_FACTORS`; ``hybrid`` is
      both, ``other`` neither), each calibrated (sigmoid, ``cv`` folds); with
      ``head="multinomial"``, one multinomial logistic regression calibrated with
      ``CalibratedClassifierCV`` (``calibration``, ``cv`` folds). Both use ``C``, balanced class
      weights and ``ensemble=False``, so one model carries the coefficients shown as evidence.

    >>> pipe = build_pipeline()
    >>> [name for name, _ in pipe.steps]
    ['sections', 'features', 'clf']
    """
    vec = CompactTfidfVectorizer(
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        ngram_range=ngram_range,
        min_df=min_df,
        max_df=0.9,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )
    parts = [("words", vec)] if words else []
    parts.append(
        (
            "taxonomy",
            TaxonomyFeatures(taxonomy=taxonomy, terms=taxonomy_terms, scale=taxonomy_scale, window=taxonomy_window),
        )
    )
    features = FeatureUnion(parts)
    clf: Any
    if head == "factorised":
        if calibration != "sigmoid":
            raise ValueError("the factorised head calibrates with sigmoid only")
        clf = FactorisedClassifier(factors=DUTY_FACTORS, C=C, cv=cv, random_state=SEED)
    elif head == "multinomial":
        base = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, random_state=SEED)
        clf = CalibratedClassifierCV(base, method=calibration, cv=cv, ensemble=False)
    else:
        raise ValueError(f"head must be 'factorised' or 'multinomial', not {head!r}")
    steps: list[tuple[str, Any]] = [("features", features), ("clf", clf)]
    if drop_sections:
        steps.insert(0, ("sections", SectionFilter(kinds=tuple(drop_sections))))
    return Pipeline(steps)


def taxonomy_step(model: Pipeline) -> TaxonomyFeatures | None:
    """The fitted :class:`TaxonomyFeatures` inside a pipeline made by :func:`build_pipeline` (or
    inside the model of a fitted :class:`~jobclassify.rule_blend.RuleBlend`)."""
    if hasattr(model, "model_") and hasattr(model, "rules_"):
        model = model.model_
    steps = getattr(model, "named_steps", None)
    if not steps or "features" not in steps:
        return None
    for _, tr in steps["features"].transformer_list:
        if isinstance(tr, TaxonomyFeatures):
            return tr
    return None
