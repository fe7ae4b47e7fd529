"""Load and validate keyword taxonomies (TOML data files).

The bundled taxonomy lives in ``jobclassify/data/taxonomy.toml``; its header documents the schema.

>>> from jobclassify.taxonomy import load_taxonomy
>>> tax = load_taxonomy()
>>> sorted(tax.roles)
['cloud', 'devops', 'other', 'shared']
>>> tax.groups["cicd"].role
'devops'
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ROLES = ("devops", "cloud", "shared", "other")
KINDS = ("duty", "tool", "cert", "title")


class TaxonomyError(ValueError):
    """A taxonomy file does not follow the documented schema."""


@dataclass(frozen=True)
class Term:
    """One taxonomy term: a canonical name, the spellings that match it and a weight."""

    name: str
    group: str
    role: str
    kind: str
    weight: float
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """A named group of terms pointing to one role."""

    id: str
    role: str
    kind: str
    label: str
    weight: float
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Taxonomy:
    """A validated taxonomy. ``source`` is the TOML text it was parsed from."""

    name: str
    version: str
    groups: dict[str, Group]
    source: str = field(repr=False)

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.groups.values()}

    @property
    def terms(self) -> list[Term]:
        return [t for g in self.groups.values() for t in g.terms]

    @property
    def sha256(self) -> str:
        """Hash of the taxonomy text, recorded in model metadata."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly view of the taxonomy."""
        return {
            "name": self.name,
            "version": self.version,
            "groups": {
                g.id: {
                    "role": g.role,
                    "kind": g.kind,
                    "label": g.label,
                    "weight": g.weight,
                    "terms": [{"term": t.name, "weight": t.weight, "variants": list(t.variants)} for t in g.terms],
                }
                for g in self.groups.values()
            },
        }


def default_taxonomy_text() -> str:
    """The TOML text of the bundled taxonomy."""
    return resources.files("jobclassify").joinpath("data/taxonomy.toml").read_text("utf-8")


def _positive_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise TaxonomyError(f"{where}: weight must be a number > 0, got {value!r}")
    return float(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: must be a non-empty string, got {value!r}")
    return value.strip()


def parse_taxonomy(text: str) -> Taxonomy:
    """Parse and validate taxonomy TOML text; raise :class:`TaxonomyError` with the place at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"taxonomy is not valid TOML: {exc}") from None
    meta = data.get("meta", {})
    if not isinstance(meta, dict):
        raise TaxonomyError("[meta] must be a table")
    raw_groups = data.get("groups")
    if not isinstance(raw_groups, dict) or not raw_groups:
        raise TaxonomyError("taxonomy needs at least one [groups.<id>] table")
    unknown = set(data) - {"meta", "groups"}
    if unknown:
        raise TaxonomyError(f"unknown top-level keys: {sorted(unknown)} (allowed: meta, groups)")
    groups: dict[str, Group] = {}
    for gid, g in raw_groups.items():
        where = f"groups.{gid}"
        if not isinstance(g, dict):
            raise TaxonomyError(f"{where} must be a table")
        extra = set(g) - {"role", "kind", "label", "weight", "terms"}
        if extra:
            raise TaxonomyError(f"{where}: unknown keys {sorted(extra)}")
        role = g.get("role")
        if role not in ROLES:
            raise TaxonomyError(f"{where}.role must be one of {ROLES}, got {role!r}")
        kind = g.get("kind", "duty")
        if kind not in KINDS:
            raise TaxonomyError(f"{where}.kind must be one of {KINDS}, got {kind!r}")
        gweight = _positive_number(g.get("weight", 1.0), f"{where}.weight")
        raw_terms = g.get("terms")
        if not isinstance(raw_terms, list) or not raw_terms:
            raise TaxonomyError(f"{where}.terms must be a non-empty list of tables")
        terms = []
        for i, t in enumerate(raw_terms):
            tw = f"{where}.terms[{i}]"
            if not isinstance(t, dict):
                raise TaxonomyError(f'{tw} must be a table like {{ term = "...", weight = 1 }}')
            extra = set(t) - {"term", "variants", "weight"}
            if extra:
                raise TaxonomyError(f"{tw}: unknown keys {sorted(extra)}")
            name = _string(t.get("term"), f"{tw}.term")
            variants = t.get("variants", [name])
            if not isinstance(variants, list) or not variants:
                raise TaxonomyError(f"{tw}.variants must be a non-empty list of strings")
            clean = [_string(v, f"{tw}.variants") for v in variants]
            if name.lower() not in {v.lower() for v in clean}:
                clean.insert(0, name)
            weight = _positive_number(t.get("weight", 1.0), f"{tw}.weight")
            terms.append(Term(name, gid, role, kind, weight * gweight, tuple(dict.fromkeys(clean))))
        groups[gid] = Group(gid, role, kind, _string(g.get("label", gid), f"{where}.label"), gweight, tuple(terms))
    return Taxonomy(
        name=str(meta.get("name", "unnamed")),
        version=str(meta.get("version", "0")),
        groups=groups,
        source=text,
    )


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy from a TOML file, or the bundled one when ``path`` is None."""
    if path is None:
        return parse_taxonomy(default_taxonomy_text())
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise TaxonomyError(f"cannot read taxonomy file {p}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"taxonomy file {p} is not UTF-8 (byte {exc.start})") from None
    return parse_taxonomy(text)
