"""Weak labels from job titles, using the taxonomy's title cues.

Rules, in order (the cue that fired is returned with each label):

1. the title names another role (``sales``, ``recruiter``, ``developer``, ``data engineer`` ...) -> ``other``
2. it names DevOps (DevOps, SRE, platform, release/build engineer ...) and a cloud -> ``hybrid``
3. it names DevOps -> ``devops``
4. it names a cloud (a platform or a cloud role name) with an engineering word -> ``cloud``
5. otherwise: no label (abstain) — the title says nothing either way.

>>> weak_label("Senior AWS DevOps Engineer")
('hybrid', 'devops: aws devops engineer; cloud: aws')
>>> weak_label("Cloud Sales Executive")
('other', 'other: sales')
>>> weak_label("Engineer II")
(None, 'no cue')
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .matcher import matcher_for
from .text import CLASSIFIABLE, check_text

_DEVOPS_WORD = re.compile(r"(?<![a-z0-9])dev[\s\-]?(?:sec[\s\-]?)?ops(?![a-z0-9])")
CLOUD_GROUPS = ("cloud_platforms", "cloud_titles", "cloud_certs")
DEVOPS_GROUPS = ("devops_titles", "devops_certs")


@lru_cache(maxsize=8)
def _platforms(taxonomy: str | None) -> Any:
    """A matcher for the cloud platform names alone (found inside longer terms too)."""
    from .matcher import TermMatcher
    from .taxonomy import Taxonomy

    full = matcher_for(taxonomy).taxonomy
    groups = {k: g for k, g in full.groups.items() if k == "cloud_platforms"}
    return TermMatcher(Taxonomy(full.name, full.version, groups, source=""))


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = tomllib.loads(resources.files("jobclassify").joinpath("data/title_cues.toml").read_text("utf-8"))

    def rx(words: list[str]) -> re.Pattern[str]:
        alts = "|".join(re.escape(w).replace(r"\ ", r"[\s\-_]+") for w in sorted(words, key=len, reverse=True))
        return re.compile(rf"(?<![a-z0-9])(?:{alts})(?![a-z0-9])")

    return rx(data["engineering"]), rx(data["other"])


def weak_label(title: Any, taxonomy: str | None = None) -> tuple[str | None, str]:
    """``(label or None, cue)`` for one job title."""
    text, status = check_text(title)
    if status not in CLASSIFIABLE:
        return None, "no title"
    low = text.lower()
    engineering, other = _cues()
    m = other.search(low)
    if m:
        return "other", f"other: {m.group()}"
    hits = matcher_for(taxonomy).find(text)
    dev = [h.term for h in hits if h.group in DEVOPS_GROUPS]
    if not dev and _DEVOPS_WORD.search(low):  # e.g. inside the product name "Azure DevOps"
        dev = ["devops"]
    cloud = [h.term for h in hits if h.group in CLOUD_GROUPS]
    cloud += [h.term for h in _platforms(taxonomy).find(text) if h.term not in cloud]
    if dev and cloud:
        return "hybrid", f"devops: {dev[0]}; cloud: {cloud[0]}"
    if dev:
        return "devops", f"devops: {dev[0]}"
    if cloud:
        e = engineering.search(low)
        if e:
            return "cloud", f"cloud: {cloud[0]} + {e.group()}"
        return None, f"cloud without an engineering word: {cloud[0]}"
    return None, "no cue"


def weak_labels(titles: list[Any], taxonomy: str | None = None) -> tuple[list[str | None], list[str]]:
    """Weak labels and cues for many titles."""
    out = [weak_label(t, taxonomy) for t in titles]
    return [o[0] for o in out], [o[1] for o in out]
