"""A NumPy-only form of the default pipeline, for fast start-up and small workers.

:func:`compile_pipeline` turns a fitted :func:`~jobclassify.pipeline.build_pipeline` model into
plain arrays (vocabulary, idf, coefficients, calibration), saved with ``numpy.savez`` and read back
with ``allow_pickle=False`` — so loading one runs no code and needs neither scikit-learn nor
pandas. :class:`CompiledModel` computes the same probabilities as the pipeline (a test checks it
to 1e-9); ``classify`` and ``jobclassify label`` use it for the bundled model.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from .batch_matcher import BatchMatcher
from .sections import KINDS, SectionFinder, section_of
from .text import TOKEN_PATTERN, tokenize, word_ngrams
from .token_ids import IntTable, TokenIds

FORMAT = "jobclassify-compiled-1"
Features = tuple  # CSR-style feature rows (indptr, columns, values), role scores, (doc, term) of each match


def _window(w: np.ndarray | None) -> tuple[int, float, float] | None:
    """Window parameters as saved in a compiled model (absent: whole-text scores)."""
    return None if w is None else (int(w[0]), float(w[1]), float(w[2]))


class CompiledModelError(ValueError):
    """A compiled model file is damaged or of another format."""


def _phrases(blob: np.ndarray | None) -> dict[str, list[str]] | None:
    """Section header phrases as saved in a compiled model (JSON; absent: the rules use no sections)."""
    if blob is None:
        return None
    try:
        phrases = json.loads(str(blob))
    except ValueError:
        phrases = None
    if not isinstance(phrases, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in phrases.values()
    ):
        raise CompiledModelError("compiled model arrays do not fit together (damaged file?)")
    return phrases


def compile_pipeline(model: Any) -> dict[str, np.ndarray]:
    """Arrays that describe a fitted ``build_pipeline()`` model, or a ``RuleBlend`` of one with
    the keyword rules."""
    from .pipeline import PIPELINE_STEPS, taxonomy_step
    from .sections import section_weights
    from .taxonomy_scores import window_params

    if hasattr(model, "rules_") and hasattr(model, "model_"):  # RuleBlend
        arrays = compile_pipeline(model.model_)
        r = model.rules_
        if r.taxonomy_text_ != str(arrays["taxonomy"]):
            raise CompiledModelError("the rules and the model of a RuleBlend must use the same taxonomy")
        if [str(c) for c in r.classes_] != [str(c) for c in arrays["classes"]]:
            raise CompiledModelError("the rules and the model of a RuleBlend must have the same classes")
        arrays.update(
            {
                "rules_weight": np.asarray(float(model.rules_weight)),
                "rules_thresholds": np.asarray(
                    [r.min_score_, r.hybrid_ratio_, r.other_weight_, r.temperature_], dtype=np.float64
                ),
                "rules_to_class": np.asarray(r.rule_to_class_, dtype=np.int64),
            }
        )
        window = window_params(r)
        if window is not None:
            arrays["rules_window"] = np.asarray(window, dtype=np.float64)
        weights = section_weights(r)
        if weights is not None:
            arrays["rules_sections"] = np.asarray(weights, dtype=np.float64)
            arrays["rules_section_phrases"] = np.asarray(json.dumps(r.section_phrases_, sort_keys=True))
        return arrays

    steps = getattr(model, "named_steps", {})
    feats, clf = steps.get("features"), steps.get("clf")
    tax = taxonomy_step(model)
    if (
        feats is None
        or clf is None
        or tax is None
        or len(feats.transformer_list) not in (1, 2)
        or set(steps) - PIPELINE_STEPS
    ):
        raise CompiledModelError("only models made by build_pipeline() can be compiled")
    arrays: dict[str, np.ndarray] = {
        "format": np.asarray(FORMAT),
        "classes": np.asarray([str(c) for c in clf.classes_]),
        **_head_arrays(clf),
        "taxonomy": np.asarray(tax.taxonomy_text_),
        "taxonomy_terms": np.asarray(bool(tax.terms)),
        "taxonomy_scale": np.asarray(float(tax.scale)),
        "n_taxonomy": np.asarray(len(tax.feature_names_)),
    }
    window = window_params(tax)
    if window is not None:
        arrays["taxonomy_window"] = np.asarray(window, dtype=np.float64)
    cut = steps.get("sections")
    if cut is not None and cut.kinds:
        arrays["model_drop_kinds"] = np.asarray([str(k) for k in cut.kinds])
        arrays["model_section_phrases"] = np.asarray(json.dumps(cut.section_phrases_, sort_keys=True))
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


def _sigmoid_head(est: Any) -> tuple[Any, float, float]:
    """The linear model inside a (possibly sigmoid-calibrated) binary head, and its calibration."""
    cal = getattr(est, "calibrated_classifiers_", None)
    if cal is None:
        return est, -1.0, 0.0  # plain logistic regression: p = 1 / (1 + exp(-d))
    if len(cal) != 1 or cal[0].method != "sigmoid" or len(cal[0].calibrators) != 1:
        raise CompiledModelError("compiling needs CalibratedClassifierCV(method='sigmoid', ensemble=False)")
    return cal[0].estimator, float(cal[0].calibrators[0].a_), float(cal[0].calibrators[0].b_)


def _head_arrays(clf: Any) -> dict[str, np.ndarray]:
    """Coefficients and calibration of a multinomial head or of a factorised one's binary heads."""
    if hasattr(clf, "membership_"):  # FactorisedClassifier
        if any(isinstance(h, float) for h in clf.heads_):
            raise CompiledModelError("a factor was constant in the training labels; such a model cannot be compiled")
        parts = [_sigmoid_head(h) for h in clf.heads_]
        return {
            "coef": np.vstack([np.asarray(lr.coef_, dtype=np.float64)[0] for lr, _, _ in parts]),
            "intercept": np.asarray([float(lr.intercept_[0]) for lr, _, _ in parts]),
            "cal_a": np.asarray([a for _, a, _ in parts]),
            "cal_b": np.asarray([b for _, _, b in parts]),
            "membership": np.asarray(clf.membership_, dtype=bool),
        }
    cal = getattr(clf, "calibrated_classifiers_", None)
    if cal is None or len(cal) != 1 or cal[0].method != "sigmoid":
        raise CompiledModelError("compiling needs CalibratedClassifierCV(method='sigmoid', ensemble=False)")
    base = cal[0].estimator
    return {
        "coef": np.asarray(base.coef_, dtype=np.float64),
        "intercept": np.asarray(base.intercept_, dtype=np.float64),
        "cal_a": np.asarray([c.a_ for c in cal[0].calibrators], dtype=np.float64),
        "cal_b": np.asarray([c.b_ for c in cal[0].calibrators], dtype=np.float64),
    }


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
        self.coef = arrays["coef"]  # one row per head: per class, or per factor
        self._coef_t = np.ascontiguousarray(self.coef.T)  # rows gathered per feature
        self.membership: np.ndarray | None = (
            np.asarray(arrays["membership"], dtype=bool) if "membership" in arrays else None
        )
        n_heads = len(self.classes_) if self.membership is None else self.membership.shape[1]
        if self.membership is not None and self.membership.shape[0] != len(self.classes_):
            raise CompiledModelError("compiled model arrays do not fit together (damaged file?)")
        # per class, the direction in which each feature moves its score (for explanations)
        self.class_coef = self.coef if self.membership is None else np.where(self.membership, 1.0, -1.0) @ self.coef
        self.intercept = arrays["intercept"]
        self.cal_a, self.cal_b = arrays["cal_a"], arrays["cal_b"]
        tax = str(arrays["taxonomy"])
        self.taxonomy: str | None = tax or None
        self.taxonomy_terms = bool(arrays["taxonomy_terms"])
        self.taxonomy_scale = float(arrays["taxonomy_scale"])
        self.n_taxonomy = int(arrays["n_taxonomy"])
        self.taxonomy_window = _window(arrays.get("taxonomy_window"))
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
        if self.coef.shape != (n_heads, self.n_words + self.n_taxonomy):
            raise CompiledModelError("compiled model arrays do not fit together (damaged file?)")
        self._names: np.ndarray | None = None
        self._tables: dict[str, Any] | None = None
        self.rules_weight = float(arrays["rules_weight"]) if "rules_weight" in arrays else 0.0
        self.rules_thresholds = arrays.get("rules_thresholds")
        self.rules_to_class = arrays.get("rules_to_class")
        self.rules_window = _window(arrays.get("rules_window"))
        sections = arrays.get("rules_sections")
        self.rules_sections = None if sections is None else tuple(float(w) for w in sections)
        self.section_phrases = _phrases(arrays.get("rules_section_phrases"))
        # sections the learned model does not read (a SectionFilter step), and their headers
        self.model_section_phrases = _phrases(arrays.get("model_section_phrases"))
        drop = arrays.get("model_drop_kinds")
        self.model_drop: list[str] | None = None
        if drop is not None:
            kinds = [str(k) for k in np.atleast_1d(drop)]
            if self.model_section_phrases is None or not all(k in KINDS for k in kinds):
                raise CompiledModelError("compiled model arrays do not fit together (damaged file?)")
            self.model_drop = kinds or None

    def _build_tables(self) -> dict[str, Any]:
        """Integer tables for the fast feature path: one id per token that matters to any feature.

        Tokens of the word vocabulary and of taxonomy variants get ids from 1 (0: any other
        token, see :class:`~jobclassify.token_ids.TokenIds`). Word unigram columns are then array
        look-ups, word bigram columns go through one :class:`IntTable` keyed by the token pair, and
        taxonomy matches through a :class:`~jobclassify.batch_matcher.BatchMatcher`.
        """
        from .matcher import matcher_for

        m = matcher_for(self.taxonomy)
        tok_id: dict[str, int] = {}
        words = sorted(self.vocab, key=self.vocab.__getitem__) if self.has_words else []
        split = [w.split(" ") for w in words]
        for parts in split:
            for t in parts:
                tok_id.setdefault(t, len(tok_id) + 1)
        for key in sorted(m.variant_tokens):
            for t in key:
                tok_id.setdefault(t, len(tok_id) + 1)
        finder = None
        phrases = self.section_phrases or (self.model_section_phrases if self.model_drop else None)
        if phrases is not None:  # section headers' tokens get ids too
            finder = SectionFinder(phrases, tok_id)
            tok_id = finder.token_id
        model_finder = None
        if self.model_drop:
            model_finder = SectionFinder(self.model_section_phrases)  # type: ignore[arg-type]
        nt = len(tok_id) + 1
        uni_col = np.full(nt, -1, dtype=np.int64)
        pairs: dict[int, int] = {}
        for col, parts in enumerate(split):
            if len(parts) == 1:
                uni_col[tok_id[parts[0]]] = col
            else:
                pairs[tok_id[parts[0]] * nt + tok_id[parts[1]]] = col
        codes = np.fromiter(pairs.keys(), dtype=np.int64, count=len(pairs))
        first = np.zeros(nt, dtype=bool)
        second = np.zeros(nt, dtype=bool)
        first[codes // nt] = True
        second[codes % nt] = True
        return {
            "matcher": m,
            "batch_matcher": BatchMatcher(m, tok_id, nt),
            "token_ids": TokenIds(sorted(tok_id, key=tok_id.__getitem__)),
            "nt": nt,
            "uni_col": uni_col,
            "pairs": IntTable(codes, np.fromiter(pairs.values(), dtype=np.int64, count=len(pairs))),
            "first": first,
            "second": second,
            "sections": finder,
            "model_finder": model_finder,
            "model_drop_kinds": np.asarray([KINDS.index(k) for k in self.model_drop or ()], dtype=np.int64),
            # the model's headers differ from the rules': look for them in every text
            "model_filter_all": bool(self.model_drop) and self.model_section_phrases != phrases,
        }

    @property
    def _tb(self) -> dict[str, Any]:
        """The tables of the fast path, built on first use."""
        if self._tables is None:
            self._tables = self._build_tables()
        return self._tables

    @property
    def _fast(self) -> bool:
        """Whether the batch feature path applies (the default word analyzer: 1-2-grams, our tokens)."""
        return (not self.has_words) or (
            self.lowercase
            and self.ngram_range[0] == 1
            and self.ngram_range[1] <= 2
            and self.token_re.pattern == TOKEN_PATTERN
        )

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

    def _features(self, texts: list[str]) -> Features:
        """CSR-style (indptr, indices, values) of the full feature rows, the role scores the rules
        read, and the taxonomy matches as (text index, term index) arrays."""
        if self._fast:
            return self._features_fast(texts)
        return self._features_slow(texts)

    def _features_fast(self, texts: list[str]) -> Features:
        """One tokenization per text feeds the word n-grams, the taxonomy matches and the section
        headers. Where the model leaves out sections, it reads the tokens outside them (the rules
        read all): the same tokens as :class:`~jobclassify.section_filter.SectionFilter` leaves."""
        tb = self._tb
        n = len(texts)
        arr, doc_of, odd, flags = self._token_ids(texts, lines=tb["sections"] is not None)
        headers = None
        if flags is not None:
            headers = self._headers(arr, doc_of, flags, texts, odd)
        td, tt, ta = self._matches(n, arr, doc_of, odd)
        if self.model_drop is None:
            docs, cols, vals, roles = self._model_rows(n, arr, doc_of, td, tt, ta)
            return self._assemble(n, docs, cols, vals, self._rule_roles(td, tt, ta, n, roles, headers), (td, tt))
        roles = self._rule_roles(td, tt, ta, n, None, headers)
        if tb["model_filter_all"]:  # headers of their own: cut every text as SectionFilter does
            redo = np.arange(n)
            keep, mtd, mtt, mta = np.ones(len(arr), dtype=bool), td, tt, ta
        else:
            keep, touched = self._kept_tokens(arr, doc_of, headers)  # type: ignore[arg-type]
            redo = np.asarray([i for i in touched.tolist() if i in odd], dtype=np.int64)
            mtd, mtt, mta = td, tt, ta
            again = np.setdiff1d(touched, redo)
            if len(again):  # match again where tokens were left out, on the tokens kept
                sel = keep & np.isin(doc_of, again)
                a, d = arr[sel], doc_of[sel]
                rtd, rtt, rta = tb["batch_matcher"].match(a, d)
                rta = rta - np.searchsorted(d, rtd)
                mine = ~np.isin(td, again)
                mtd, mtt, mta = (np.concatenate([x[mine], y]) for x, y in ((td, rtd), (tt, rtt), (ta, rta)))
        docs, cols, vals, _ = self._model_rows(n, arr[keep], doc_of[keep], mtd, mtt, mta)
        if len(redo):  # texts whose lower-casing changes length (or all): cut as text, read again
            cut = tb["model_finder"].drop([texts[i] for i in redo], self.model_drop)
            arr2, doc2, odd2, _ = self._token_ids(cut, lines=False)
            parts = self._model_rows(len(cut), arr2, doc2, *self._matches(len(cut), arr2, doc2, odd2))
            mine = [~np.isin(d, redo) for d in docs]
            docs = tuple(d[k] for d, k in zip(docs, mine)) + tuple(redo[d] for d in parts[0])
            cols = tuple(c[k] for c, k in zip(cols, mine)) + parts[1]
            vals = tuple(v[k] for v, k in zip(vals, mine)) + parts[2]
        return self._assemble(n, docs, cols, vals, roles, (td, tt))

    def _kept_tokens(
        self, arr: np.ndarray, doc_of: np.ndarray, headers: tuple[np.ndarray, ...]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Which tokens the model reads (those outside the sections it leaves out: from such a
        header's first token to the next header's first token or the text's end), and the texts
        with any left out."""
        h_doc, _, h_kind, h_start = headers
        cut = np.flatnonzero(np.isin(h_kind, self._tb["model_drop_kinds"]))
        keep = np.ones(len(arr), dtype=bool)
        if not len(cut):
            return keep, np.zeros(0, dtype=np.int64)
        n = int(doc_of[-1]) + 1
        text_start = np.searchsorted(doc_of, np.arange(n + 1))
        last = np.r_[h_doc[1:] != h_doc[:-1], True]  # the last header of its text
        nxt = np.where(last, text_start[h_doc + 1] - text_start[h_doc], np.r_[h_start[1:], 0])
        touched = np.unique(h_doc[cut])
        cut = cut[h_start[cut] >= 0]  # texts read on their own tokens are cut as text instead
        a, b = text_start[h_doc[cut]] + h_start[cut], text_start[h_doc[cut]] + nxt[cut]
        mark = np.zeros(len(arr) + 1, dtype=np.int64)
        np.add.at(mark, a, 1)
        np.add.at(mark, b, -1)
        keep = np.cumsum(mark[:-1]) == 0
        return keep, touched

    def _token_ids(self, texts: list[str], lines: bool) -> tuple[np.ndarray, np.ndarray, dict[int, list[str]], Any]:
        """Token ids of all texts (concatenated) and the text of each; the texts whose lower-casing
        changes length, with their own tokens; the line flags when ``lines``."""
        tb = self._tb
        n = len(texts)
        odd: dict[int, list[str]] = {}
        res = tb["token_ids"].ids(texts, lower=True, lines=lines)
        if res is None:  # some letter lower-cases to another length (or by context): str.lower
            lows = [doc.lower() for doc in texts]
            # texts whose lower-casing changes length are matched on tokens that keep spans
            odd = {i: tokenize(texts[i]) for i in range(n) if len(lows[i]) != len(texts[i])}
            res = tb["token_ids"].ids(lows, lines=lines)
        arr, counts = res[:2]
        doc_of = np.repeat(np.arange(n, dtype=np.int64), counts)
        return arr, doc_of, odd, (res[2:] if lines else None)

    def _headers(
        self, arr: np.ndarray, doc_of: np.ndarray, flags: Any, texts: list[str], odd: dict[int, list[str]]
    ) -> tuple[np.ndarray, ...]:
        """Section headers ``(doc, end, kind, start)``: ``end`` and ``start`` are token positions
        within the text (after the header's last token; of its first token). Texts in ``odd`` find
        theirs on their own tokens, without ``start`` (-1)."""
        finder = self._tb["sections"]
        text_start = np.searchsorted(doc_of, np.arange(len(texts)))
        doc, end, kind, start = finder.headers(arr, doc_of, *flags, with_start=True)
        headers = (doc, end - text_start[doc], kind, start - text_start[doc])
        if odd:  # as their matches: found on their own tokens
            keep = ~np.isin(headers[0], np.fromiter(odd, dtype=np.int64, count=len(odd)))
            parts = [tuple(h[keep] for h in headers)]
            for i in odd:
                d, e, k = finder.headers_in_texts([texts[i]])
                parts.append((d + i, e, k, np.full(len(d), -1, dtype=np.int64)))
            cat = [np.concatenate([p[j] for p in parts]) for j in range(4)]
            order = np.lexsort((cat[1], cat[0]))
            headers = tuple(c[order] for c in cat)
        return headers

    def _matches(
        self, n: int, arr: np.ndarray, doc_of: np.ndarray, odd: dict[int, list[str]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Taxonomy matches (text, term, token position in its text) of ``n`` texts, all at once;
        texts in ``odd`` one at a time on their own tokens."""
        tb = self._tb
        td, tt, ta = tb["batch_matcher"].match(arr, doc_of)
        ta = ta - np.searchsorted(doc_of, np.arange(n))[td]  # position within its text
        if odd:
            mine = ~np.isin(td, np.fromiter(odd, dtype=np.int64, count=len(odd)))
            extra = [(i, idx, a) for i, toks in odd.items() for idx, a, _ in tb["matcher"].match_tokens(toks)]
            td, tt, ta = (
                np.concatenate([mine_part[mine], np.asarray([e[k] for e in extra], dtype=np.int64)])
                for k, mine_part in enumerate((td, tt, ta))
            )
        return td, tt, ta

    def _model_rows(
        self, n: int, arr: np.ndarray, doc_of: np.ndarray, td: np.ndarray, tt: np.ndarray, ta: np.ndarray
    ) -> tuple[tuple, tuple, tuple, np.ndarray]:
        """The model's feature triples (text, column, value) as parts, words then taxonomy, and the
        role scores of the taxonomy features."""
        from .taxonomy_scores import taxonomy_coo_and_roles

        tb = self._tb
        doc_t, col_t, val_t, roles = taxonomy_coo_and_roles(
            td, tt, n, tb["matcher"], self.taxonomy_terms, ta, self.taxonomy_window
        )
        col_t = col_t + self.n_words
        val_t = val_t * self.taxonomy_scale
        if not self.has_words:
            return (doc_t,), (col_t,), (val_t,), roles
        # words: unigram and bigram columns by array look-up
        col1 = tb["uni_col"][arr]
        keep1 = col1 >= 0
        docs = [doc_of[keep1]]
        cols = [col1[keep1]]
        if self.ngram_range[1] == 2 and len(arr) > 1:  # bigrams: token pairs within a text
            a, b = arr[:-1], arr[1:]
            at = np.flatnonzero(tb["first"][a] & tb["second"][b])
            at = at[doc_of[at] == doc_of[at + 1]]
            col2 = tb["pairs"].get(a[at] * tb["nt"] + b[at])
            hit = col2 >= 0
            docs.append(doc_of[at[hit]])
            cols.append(col2[hit])
        doc_w, col_w, val_w = self._tfidf(np.concatenate(docs), np.concatenate(cols), n)
        return (doc_w, doc_t), (col_w, col_t), (val_w, val_t), roles

    def _rule_roles(
        self, td: np.ndarray, tt: np.ndarray, ta: np.ndarray, n: int, roles: np.ndarray | None, headers: Any = None
    ) -> np.ndarray:
        """The role scores the rules read (``roles``: those of the taxonomy features on the same
        text, if at hand), over token windows and weighed by section (``headers``: doc, end, kind
        of each) when the rules use them."""
        if roles is not None and self.rules_sections is None and self.rules_window == self.taxonomy_window:
            return roles
        from .matcher import matcher_for
        from .taxonomy_scores import role_scores, window_role_scores

        m = matcher_for(self.taxonomy)
        if self.rules_window is None:
            return role_scores(td, tt, n, m)
        sections = None
        if self.rules_sections is not None:
            sections = (section_of(td, ta, *headers[:3]), self.rules_sections)
        return window_role_scores(td, tt, ta, n, m, self.rules_window, sections)

    def _tfidf(self, doc: np.ndarray, col: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns and l2-normalised TF-IDF values from one (doc, column) pair per n-gram seen."""
        V = self.n_words
        keys = doc * V + col
        if n * V < 2**31:  # sorting int32 keys is about twice as fast
            keys = keys.astype(np.int32)
        uniq, counts = np.unique(keys, return_counts=True)
        uniq = uniq.astype(np.int64)
        doc_w, col_w = np.divmod(uniq, V)
        tf = np.ones(len(counts)) if self.binary else counts.astype(np.float64)
        if self.sublinear_tf and not self.binary:
            tf = 1.0 + np.log(tf)
        val_w = tf * self.idf[col_w]
        norms = np.sqrt(np.bincount(doc_w, weights=val_w * val_w, minlength=n))
        return doc_w, col_w, val_w / np.where(norms > 0, norms, 1.0)[doc_w]

    @staticmethod
    def _assemble(n: int, docs: tuple, cols: tuple, vals: tuple, roles: np.ndarray, matches: tuple) -> Features:
        """Feature rows from parts of (text, column, value) triples (word and taxonomy features)."""
        doc, col, val = np.concatenate(docs), np.concatenate(cols), np.concatenate(vals)
        order = np.argsort(doc, kind="stable")
        doc, col, val = doc[order], col[order], val[order]
        return np.searchsorted(doc, np.arange(n + 1)), col, val, roles, matches

    def _features_slow(self, texts: list[str]) -> Features:
        """The general path (any n-gram range or token pattern): one n-gram string at a time."""
        from .matcher import matcher_for
        from .taxonomy_scores import matches_at, taxonomy_coo_and_roles

        n = len(texts)
        m = matcher_for(self.taxonomy)
        td, tt, ta = matches_at(texts, m)
        doc_t, col_t, val_t, roles = taxonomy_coo_and_roles(td, tt, n, m, self.taxonomy_terms, ta, self.taxonomy_window)
        full = texts
        if self.model_drop:  # the model reads the texts without some sections; the rules read them whole
            texts = SectionFinder(self.model_section_phrases).drop(texts, self.model_drop)  # type: ignore[arg-type]
            mtd, mtt, mta = matches_at(texts, m)
            doc_t, col_t, val_t, _ = taxonomy_coo_and_roles(
                mtd, mtt, n, m, self.taxonomy_terms, mta, self.taxonomy_window
            )
        headers = None
        if self.section_phrases is not None:
            headers = SectionFinder(self.section_phrases).headers_in_texts(full)
        roles = self._rule_roles(td, tt, ta, n, roles, headers)
        col_t, val_t = col_t + self.n_words, val_t * self.taxonomy_scale
        if not self.has_words:
            return self._assemble(n, (doc_t,), (col_t,), (val_t,), roles, (td, tt))
        get = self.vocab.get
        ids: list[int] = []
        lens: list[int] = []
        for doc in texts:
            found = [i for i in map(get, self._ngrams(doc)) if i is not None]
            ids += found
            lens.append(len(found))
        doc_w, col_w, val_w = self._tfidf(
            np.repeat(np.arange(n, dtype=np.int64), lens), np.asarray(ids, dtype=np.int64), n
        )
        return self._assemble(n, (doc_w, doc_t), (col_w, col_t), (val_w, val_t), roles, (td, tt))

    # -- prediction -----------------------------------------------------------------------------
    def _decision(self, indptr: np.ndarray, col: np.ndarray, val: np.ndarray) -> np.ndarray:
        n = len(indptr) - 1
        out = np.zeros((n, self.coef.shape[0]))
        rows = np.flatnonzero(np.diff(indptr))
        if len(rows):
            contrib = self._coef_t[col] * val[:, None]  # (nnz, classes)
            out[rows] = np.add.reduceat(contrib, indptr[rows], axis=0)
        return out + self.intercept

    def _calibrate(self, dec: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(self.cal_a * dec + self.cal_b))
        if self.membership is not None:  # factor probabilities -> class probabilities
            p = np.where(self.membership[None, :, :], p[:, None, :], 1.0 - p[:, None, :]).prod(axis=2)
        total = p.sum(axis=1, keepdims=True)
        uniform = np.full_like(p, 1.0 / p.shape[1])
        return np.divide(p, total, out=uniform, where=total != 0)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, columns in ``classes_`` order."""
        if isinstance(texts, str):
            raise ValueError("Expected a sequence of texts, got a single string; wrap it in a list.")
        texts = list(texts)
        return self.proba_from_features(self._features(texts))

    def proba_from_features(self, features: Features) -> np.ndarray:
        """Probabilities from the rows of :meth:`_features` (blended with the rules if the model has them)."""
        indptr, col, val, roles = features[:4]
        p = self._calibrate(self._decision(indptr, col, val))
        if self.rules_weight:
            from .rules import rule_proba

            ms, ratio, ow, t = (float(v) for v in self.rules_thresholds)  # type: ignore[union-attr]
            rules = rule_proba(roles, ms, ratio, ow, t, self.rules_to_class, len(self.classes_))
            p = (1.0 - self.rules_weight) * p + self.rules_weight * rules
        return p

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
        indptr, col, val = (features if features is not None else self._features(list(texts)))[:3]
        names = self.feature_names()
        out = []
        for i in range(len(texts)):
            k = int(proba[i].argmax())
            c, v = col[indptr[i] : indptr[i + 1]], val[indptr[i] : indptr[i + 1]]
            rel = self.class_coef[:, c]
            contrib = v * (rel[k] - rel.mean(axis=0))
            best = np.argsort(-contrib)[:top]
            out.append([(str(names[c[j]]), round(float(contrib[j]), 4)) for j in best if contrib[j] > 0])
        return out
