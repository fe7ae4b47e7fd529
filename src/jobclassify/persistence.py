"""Save and load models safely (skops format, no code runs on load).

A model file is a skops archive holding ``{"format", "format_version", "metadata", "estimator"}``.
``load_model`` first lists every type the file would create and refuses the file unless all of
them are on an allow-list: this library's estimators and the classes of scikit-learn, NumPy and
SciPy. Pass ``trusted=True`` only for a file you made or trust: it lifts the allow-list.

>>> import tempfile, os
>>> from jobclassify.keyword_classifier import KeywordClassifier
>>> clf = KeywordClassifier(tune=False).fit(["Jenkins pipelines", "AWS VPC design"], ["devops", "cloud"])
>>> path = os.path.join(tempfile.mkdtemp(), "kw.skops")
>>> save_model(clf, path, metadata={"note": "doctest"})
>>> model, meta = load_model(path, with_metadata=True)
>>> meta["note"], type(model).__name__
('doctest', 'KeywordClassifier')
"""

from __future__ import annotations

import datetime as _dt
import os
import stat
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ._version import __version__
from .labels import LABELS

FORMAT = "jobclassify-model"
FORMAT_VERSION = 1
_ALLOWED_PREFIXES = ("jobclassify.", "sklearn.", "numpy.", "scipy.")
_ALLOWED_EXACT = {"builtins.slice", "re.Pattern"}


class ModelFileError(ValueError):
    """A model file is missing, damaged, foreign or holds types that are not trusted."""


class ModelVersionWarning(UserWarning):
    """A model was saved under another scikit-learn version than the one installed."""


def _skops_io():  # imported lazily: skops is heavy and only needed for files
    import skops.io as sio

    return sio


def temp_file_beside(path: str | Path) -> tuple[int, str]:
    """Open a new temporary file in ``path``'s folder (made if missing), to be renamed over
    ``path``: ``(fd, temp path)``. It gets the permissions ``path`` would get anyway: those of the
    file it replaces, else the usual ones for a new file under the process's umask (a bare
    temporary file would be readable by its owner alone)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, mode)
    except OSError:  # pragma: no cover - e.g. a file system without permissions
        pass
    return fd, tmp


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    fd, tmp = temp_file_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(estimator: Any, path: str | Path, metadata: dict[str, Any] | None = None) -> None:
    """Save a fitted estimator with metadata, atomically, in the skops format."""
    import sklearn

    meta = {
        "jobclassify_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "labels": [str(c) for c in getattr(estimator, "classes_", LABELS)],
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    meta.update(metadata or {})
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, "metadata": meta, "estimator": estimator}
    atomic_write_bytes(path, _skops_io().dumps(payload))


def _allowed(type_name: str) -> bool:
    return type_name in _ALLOWED_EXACT or type_name.startswith(_ALLOWED_PREFIXES)


def load_model(path: str | Path, *, trusted: bool = False, with_metadata: bool = False) -> Any:
    """Load a model file without running code from it.

    Raises :class:`ModelFileError` for a missing, damaged or foreign file, or one that holds types
    outside the allow-list (unless ``trusted=True``). Warns with :class:`ModelVersionWarning` when
    the file was saved under another scikit-learn version.
    """
    import sklearn

    sio = _skops_io()
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    try:
        data = path.read_bytes()
        untrusted = sio.get_untrusted_types(data=data)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise ModelFileError(f"{path} is not a jobclassify model file (skops archive expected): {exc}") from None
    if not trusted:
        bad = sorted(t for t in untrusted if not _allowed(t))
        if bad:
            raise ModelFileError(
                f"{path} holds types that are not on the allow-list, so it was not loaded: {bad}. "
                "If you made this file or trust its source, load it with trusted=True "
                "(CLI: --trust-model)."
            )
    try:
        payload = sio.loads(data, trusted=list(untrusted))
    except Exception as exc:  # a damaged archive can fail in many ways inside skops
        raise ModelFileError(f"{path} could not be read as a model file: {exc}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(f"{path} is a skops file but not a jobclassify model ({FORMAT} expected)")
    if payload.get("format_version", 0) > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses model format {payload.get('format_version')}, newer than this jobclassify "
            f"({__version__}) reads; upgrade jobclassify."
        )
    meta = dict(payload.get("metadata") or {})
    saved = meta.get("sklearn_version")
    if saved and saved.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        warnings.warn(
            f"{path} was saved with scikit-learn {saved}, but {sklearn.__version__} is installed; "
            "predictions may differ or fail. Retrain it (`jobclassify train`) or install "
            f"scikit-learn=={saved}.",
            ModelVersionWarning,
            stacklevel=2,
        )
    model = payload["estimator"]
    return (model, meta) if with_metadata else model
