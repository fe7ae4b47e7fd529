"""jobclassify: is a job posting DevOps, Cloud, hybrid (Cloud DevOps) or other?

>>> from jobclassify import classify
>>> classify("Own our AWS landing zones, VPC design, IAM guardrails and disaster recovery.").label
'cloud'

Names are imported on first use, so ``from jobclassify import classify`` stays light (no
scikit-learn or pandas until they are needed).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._version import __version__

_EXPORTS = {
    "LABELS": "labels",
    "KeywordClassifier": "keyword_classifier",
    "TaxonomyFeatures": "taxonomy_features",
    "SectionFilter": "section_filter",
    "CompactTfidfVectorizer": "vectorizer",
    "build_pipeline": "pipeline",
    "classify": "predict",
    "Prediction": "predict",
    "load_model": "persistence",
    "save_model": "persistence",
    "ModelFileError": "persistence",
    "ModelVersionWarning": "persistence",
    "load_taxonomy": "taxonomy",
    "TaxonomyError": "taxonomy",
    "train": "training",
    "evaluate": "evaluation",
    "weak_label": "weak",
    "suggest": "suggest",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jobclassify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
