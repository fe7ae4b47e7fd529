"""Turn raw posting fields into the text the models read.

Outcomes for bad input (documented in the README):

* ``None``, NaN, empty or whitespace-only text -> status ``"empty"`` (no label is guessed);
* a value that is not a string (a number, a dict, ...) -> status ``"not_text"``;
* text longer than ``MAX_CHARS`` -> status ``"truncated"``: classified on its first ``MAX_CHARS``
  characters;
* HTML tags and entities are stripped before classifying.

>>> clean_text("<p>Build &amp; run <b>CI/CD</b></p>")
'Build & run  CI/CD'
>>> prepare(["ok text", None, 3], None)[1]
['ok', 'empty', 'not_text']
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_CHARS = 100_000
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,300}>")

TOKEN_PATTERN = r"[\w#+]+(?:\.[\w#+]+)*"
"""Word tokens, shared by the word features and the taxonomy matcher: ``c#``, ``c++`` and
``node.js`` stay whole; slashes, hyphens and trailing dots split (``CI/CD`` -> ``ci``, ``cd``)."""
TOKEN_RE = re.compile(TOKEN_PATTERN)


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` keeping its length, so that spans in the result index the original."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``.

    >>> tokenize("Own CI/CD for node.js & C# apps.")
    ['own', 'ci', 'cd', 'for', 'node.js', 'c#', 'apps']
    """
    return TOKEN_RE.findall(lower_same_length(text))


def clean_text(text: str) -> str:
    """Strip HTML tags and entities (the models treat any run of whitespace as one space)."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text.strip()


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")  # pandas.NA / NaT, without importing pandas


CLASSIFIABLE = ("ok", "truncated")
"""The statuses of :func:`check_text` whose text is classified (the others get no label)."""


def check_text(value: Any) -> tuple[str, str]:
    """Return ``(text, status)`` for one raw value; ``text`` is ``""`` unless status is ok/truncated."""
    if _is_missing(value):
        return "", "empty"
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return "", "not_text"
    if not isinstance(value, str):
        return "", "not_text"
    status = "ok"
    if len(value) > MAX_CHARS:
        value, status = value[:MAX_CHARS], "truncated"
    text = clean_text(value)
    if not text:
        return "", "empty"
    return text, status


def prepare(texts: Sequence[Any], titles: Sequence[Any] | None) -> tuple[list[str], list[str]]:
    """Combine optional titles with texts; return cleaned texts and a status per row.

    A usable title alone is not enough: rows whose text is empty keep status ``"empty"``.
    """
    out, statuses = [], []
    for i, raw in enumerate(texts):
        text, status = check_text(raw)
        if titles is not None and status in CLASSIFIABLE:
            title, tstatus = check_text(titles[i])
            if tstatus == "ok":
                text = f"{title}\n{text}"
        out.append(text)
        statuses.append(status)
    return out, statuses


def as_texts(X: Any) -> list[str]:
    """Coerce estimator input to a list of strings.

    Accepts a 1-D sequence of strings, or a 2-D array / DataFrame whose cells in a row are joined
    with newlines (e.g. ``df[["title", "description"]]``). Missing cells count as empty text.
    """
    if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2:  # DataFrame
        X = X.to_numpy(dtype=object)
    elif hasattr(X, "to_numpy"):
        X = X.to_numpy(dtype=object)
    arr = X if isinstance(X, np.ndarray) else np.asarray(list(X) if not isinstance(X, str) else [X], dtype=object)
    if isinstance(X, str):
        raise ValueError("Expected a sequence of texts, got a single string; wrap it in a list.")
    if arr.ndim == 1:
        if (
            arr.size
            and not any(isinstance(v, str) for v in arr)
            and all(isinstance(v, (int, float, np.number)) for v in arr)
        ):
            raise ValueError(
                "Expected a 1-D sequence of texts or a 2-D array of text columns, got a 1-D numeric "
                "array. Reshape your data with .reshape(-1, 1) if it is a single column."
            )
        return [v if isinstance(v, str) else ("" if _is_missing(v) else str(v)) for v in arr]
    if arr.ndim == 2:
        return ["\n".join(v if isinstance(v, str) else str(v) for v in row if not _is_missing(v)) for row in arr]
    raise ValueError(f"Expected 1-D or 2-D input, got an array with {arr.ndim} dimensions.")


def word_ngrams(tokens: list[str], ngram_range: tuple[int, int]) -> list[str]:
    """Word n-grams of ``tokens`` joined by spaces, shortest first (as scikit-learn orders them).

    >>> word_ngrams(["ci", "cd", "pipelines"], (1, 2))
    ['ci', 'cd', 'pipelines', 'ci cd', 'cd pipelines']
    """
    min_n, max_n = ngram_range
    if max_n == 1:
        return list(tokens)
    out = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), max_n + 1):
        if n == 2:
            out += [a + " " + b for a, b in zip(tokens, tokens[1:])]
        else:
            out += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return out
