"""A NumPy-only form of the default pipeline, for fast start-up and small workers.

:func:`compile_pipeline` turns a fitted :func:`~jobclassify.pipeline.build_pipeline` model into
plain arrays (vocabulary, idf, coefficients, calibration), saved with ``numpy.savez`` and read back
with ``allow_pickle=False`` — so loading one runs no code and needs neither scikit-learn nor
pandas. :class:`CompiledModel` computes the same probabilities as the pipeline (a test checks it
to 1e-9); ``classify`` and ``jobclassify label`` use it for the bundled model.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np

from .text import word_ngrams

FORMAT = "jobclassify-compiled-1"


class CompiledModelError(ValueError):
    """A compiled model file is damaged or of another format."""


def compile_pipeline(model: Any) -> dict[str, np.ndarray]:
    """Arrays that describe a fitted ``build_pipeline()`` model."""
    from .pipeline import taxonomy_step

    steps = getattr(model, "named_steps", {})
    feats, clf = steps.get("features"), steps.get("clf")
    tax = taxonomy_step(model)
    if feats is None or clf is None or tax is None or len(feats.transformer_list) not in (1, 2):
        raise CompiledModelError("only models made by build_pipeline() can be compiled")
    cal = clf.calibrated_classifiers_
    if len(cal) != 1 or cal[0].method != "sigmoid":
        raise CompiledModelError("compiling needs CalibratedClassifierCV(method='sigmoid', ensemble=False)")
    base = cal[0].estimator
    arrays: dict[str, np.ndarray] = {
        "format": np.asarray(FORMAT),
        "classes": np.asarray([str(c) for c in clf.classes_]),
        "coef": np.asarray(base.coef_, dtype=np.float64),
        "intercept": np.asarray(base.intercept_, dtype=np.float64),
        "cal_a": np.asarray([c.a_ for c in cal[0].calibrators], dtype=np.float64),
        "cal_b": np.asarray([c.b_ for c in cal[0].calibrators], dtype=np.float64),
        "taxonomy": np.asarray(tax.taxonomy_text_),
        "taxonomy_terms": np.asarray(bool(tax.terms)),
        "taxonomy_scale": np.asarray(float(tax.scale)),
        "n_taxonomy": np.asarray(len(tax.feature_names_)),
    }
    words = [tr for name, tr in feats.transformer_list if name == "words"]
    if words:
        v = words[0]
        if v.analyzer != "word" or v.stop_words is not None or v.norm != "l2" or v.preprocessor or v.tokenizer:
            raise CompiledModelError("only the default word analyzer with l2 norm can be compiled")
        terms = sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)
        arrays.update(
            {
                "vocab_blob": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
                "idf": np.asarray(v.idf_, dtype=np.float64) if v.use_idf else np.ones(len(terms)),
                "token_pattern": np.asarray(v.token_pattern),
                "ngram_range": np.asarray(v.ngram_range),
                "lowercase": np.asarray(bool(v.lowercase)),
                "sublinear_tf": np.asarray(bool(v.sublinear_tf)),
                "binary": np.asarray(bool(v.binary)),
            }
        )
    return arrays


def save_compiled(model: Any, path: str | Path) -> None:
    """Compile a pipeline and write it atomically as ``.npz``."""
    from .persistence import atomic_write_bytes

    buf = io.BytesIO()
    np.savez_compressed(buf, **compile_pipeline(model))
    atomic_write_bytes(path, buf.getvalue())


class CompiledModel:
    """Predict with the arrays of a compiled pipeline (NumPy only).

    >>> from jobclassify.predict import default_model_path
    >>> m = CompiledModel.load(default_model_path().with_name("model.npz"))
    >>> list(m.classes_)
    ['cloud', 'devops', 'hybrid', 'other']
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        if str(arrays.get("format", "")) != FORMAT:
            raise CompiledModelError(f"not a compiled jobclassify model ({FORMAT} expected)")
        self.classes_ = np.asarray([str(c) for c in arrays["classes"]], dtype=object)
        self.coef = arrays["coef"]
        self.intercept = arrays["intercept"]
        self.cal_a, self.cal_b = arrays["cal_a"], arrays["cal_b"]
        tax = str(arrays["taxonomy"])
        self.taxonomy: str | None = tax or None
        self.taxonomy_terms = bool(arrays["taxonomy_terms"])
        self.taxonomy_scale = float(arrays["taxonomy_scale"])
        self.n_taxonomy = int(arrays["n_taxonomy"])
        self.has_words = "vocab_blob" in arrays
        self.n_words = 0
        if self.has_words:
            terms = bytes(arrays["vocab_blob"]).decode("utf-8").split("\n") if len(arrays["idf"]) else []
            self.vocab = {t: i for i, t in enumerate(terms)}
            self.n_words = len(terms)
            self.idf = arrays["idf"]
            self.token_re = re.compile(str(arrays["token_pattern"]))
            self.ngram_range = tuple(int(x) for x in arrays["ngram_range"])
            self.lowercase = bool(arrays["lowercase"])
            self.sublinear_tf = bool(arrays["sublinear_tf"])
            self.binary = bool(arrays["binary"])
        if self.coef.shape != (len(self.classes_), self.n_words + self.n_taxonomy):
            raise CompiledModelError("compiled model arrays do not fit together (damaged file?)")
        self._names: np.ndarray | None = None

    @classmethod
    def load(cls, path: str | Path) -> CompiledModel:
        """Read a compiled model; no code runs (``allow_pickle=False``)."""
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError) as exc:
            raise CompiledModelError(f"cannot read compiled model {path}: {exc}") from None
        return cls(arrays)

    # -- features -------------------------------------------------------------------------------
    def _ngrams(self, doc: str) -> list[str]:
        return word_ngrams(self.token_re.findall(doc.lower() if self.lowercase else doc), self.ngram_range)

    def _features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR-style (indptr, indices, values) of the full feature rows."""
        from .matcher import matcher_for
        from .taxonomy_scores import taxonomy_coo

        n = len(texts)
        rows_w: list[np.ndarray] = []
        if self.has_words:
            get = self.vocab.get
            V = self.n_words
            ids: list[int] = []
            lens: list[int] = []
            for doc in texts:
                found = [i for i in map(get, self._ngrams(doc)) if i is not None]
                ids += found
                lens.append(len(found))
            keys = np.repeat(np.arange(n, dtype=np.int64) * V, lens) + np.asarray(ids, dtype=np.int64)
            uniq, counts = np.unique(keys, return_counts=True)
            doc_w, col_w = np.divmod(uniq, V)
            tf = np.ones(len(counts)) if self.binary else counts.astype(np.float64)
            if self.sublinear_tf and not self.binary:
                tf = 1.0 + np.log(tf)
            val_w = tf * self.idf[col_w]
            norms = np.sqrt(np.bincount(doc_w, weights=val_w * val_w, minlength=n))
            val_w = val_w / np.where(norms > 0, norms, 1.0)[doc_w]
            rows_w = [doc_w, col_w, val_w]
        r, c, v = taxonomy_coo(texts, matcher_for(self.taxonomy), self.taxonomy_terms)
        doc_t = np.asarray(r, dtype=np.int64)
        col_t = np.asarray(c, dtype=np.int64) + self.n_words
        val_t = np.asarray(v, dtype=np.float64) * self.taxonomy_scale
        if rows_w:
            doc = np.concatenate([rows_w[0], doc_t])
            col = np.concatenate([rows_w[1], col_t])
            val = np.concatenate([rows_w[2], val_t])
        else:
            doc, col, val = doc_t, col_t, val_t
        order = np.argsort(doc, kind="stable")
        doc, col, val = doc[order], col[order], val[order]
        indptr = np.searchsorted(doc, np.arange(n + 1))
        return indptr, col, val

    # -- prediction -----------------------------------------------------------------------------
    def _decision(self, indptr: np.ndarray, col: np.ndarray, val: np.ndarray) -> np.ndarray:
        contrib = self.coef[:, col] * val  # (classes, nnz)
        n = len(indptr) - 1
        out = np.zeros((len(self.classes_), n))
        if len(col):
            doc = np.repeat(np.arange(n), np.diff(indptr))
            for k in range(len(self.classes_)):
                out[k] = np.bincount(doc, weights=contrib[k], minlength=n)
        return out.T + self.intercept

    def _calibrate(self, dec: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(self.cal_a * dec + self.cal_b))
        total = p.sum(axis=1, keepdims=True)
        uniform = np.full_like(p, 1.0 / p.shape[1])
        return np.divide(p, total, out=uniform, where=total != 0)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, columns in ``classes_`` order."""
        if isinstance(texts, str):
            raise ValueError("Expected a sequence of texts, got a single string; wrap it in a list.")
        texts = list(texts)
        return self._calibrate(self._decision(*self._features(texts)))

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def feature_names(self) -> np.ndarray:
        """Names of all feature columns (word n-grams, then taxonomy features)."""
        if self._names is None:
            from .matcher import matcher_for
            from .taxonomy_scores import feature_names

            names = feature_names(matcher_for(self.taxonomy), self.taxonomy_terms)
            words = sorted(self.vocab, key=self.vocab.__getitem__) if self.has_words else []
            self._names = np.asarray(words + names, dtype=object)
        return self._names

    def explain_top(
        self, texts: list[str], proba: np.ndarray, top: int = 8, features: Any = None
    ) -> list[list[tuple[str, float]]]:
        """For each text, the features that pushed hardest towards its predicted label.

        ``features`` may pass the rows already computed by :meth:`_features` for these texts."""
        indptr, col, val = features if features is not None else self._features(list(texts))
        names = self.feature_names()
        out = []
        for i in range(len(texts)):
            k = int(proba[i].argmax())
            c, v = col[indptr[i] : indptr[i + 1]], val[indptr[i] : indptr[i + 1]]
            rel = self.coef[:, c]
            contrib = v * (rel[k] - rel.mean(axis=0))
            best = np.argsort(-contrib)[:top]
            out.append([(str(names[c[j]]), round(float(contrib[j]), 4)) for j in best if contrib[j] > 0])
        return out
