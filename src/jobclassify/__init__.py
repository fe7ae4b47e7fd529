"""jobclassify: is a job posting DevOps, Cloud, hybrid (Cloud DevOps) or other?

>>> from jobclassify import classify
>>> classify("Own our AWS landing zones, VPC design, IAM guardrails and disaster recovery.").label
'cloud'
"""

from ._version import __version__
from .keyword_classifier import KeywordClassifier
from .labels import LABELS
from .persistence import ModelFileError, ModelVersionWarning, load_model, save_model
from .pipeline import build_pipeline
from .predict import Prediction, classify
from .taxonomy import TaxonomyError, load_taxonomy
from .taxonomy_features import TaxonomyFeatures

__all__ = [
    "LABELS",
    "KeywordClassifier",
    "ModelFileError",
    "ModelVersionWarning",
    "Prediction",
    "TaxonomyError",
    "TaxonomyFeatures",
    "__version__",
    "build_pipeline",
    "classify",
    "load_model",
    "load_taxonomy",
    "save_model",
]
