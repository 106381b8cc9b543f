"""Screening queries and results: fast internal objects (the API has its own pydantic models)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from transitwatch.lists.model import ListedEntity

# What every edge (batch file, CLI, API) accepts for a query's optional fields.
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")  # YYYY, YYYY-MM or YYYY-MM-DD
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")  # ISO 3166-1 alpha-2
_SCHEMA_ALIASES = {"company": "organization"}


def normalise_schema(value: str | None) -> str | None:
    """A query type as written ("Company", " person ") in the screener's vocabulary."""
    kind = value.strip().lower() if value and value.strip() else None
    return _SCHEMA_ALIASES.get(kind, kind) if kind is not None else None


@dataclass(frozen=True, slots=True)
class PartyQuery:
    """One party to screen: a name plus whatever else the user knows about it."""

    name: str
    schema: str | None = None  # person | organization | vessel | aircraft
    country: str | None = None  # ISO2
    birth_date: str | None = None  # ISO prefix
    identifier: str | None = None
    id: str | None = None  # the caller's own reference (batch row id)


@dataclass(frozen=True, slots=True)
class Hit:
    """One listed entity that matched a query, with the reasons."""

    entity: ListedEntity
    list_version: str  # version id of the list the entity was loaded from
    score: float  # calibrated, in [0, 1]
    matched_name: str  # the entity's name that matched best
    matched_kind: str  # its kind: primary / alias / weak_alias / previous
    explanation: tuple[str, ...]  # human-readable lines, most important first
    features: dict[str, float] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """The documented HITS.jsonl hit object (keep stable: other tools depend on it)."""
        e = self.entity
        return {
            "source": e.source,
            "source_id": e.source_id,
            "schema": e.schema,
            "caption": e.caption,
            "matched_name": self.matched_name,
            "matched_name_kind": self.matched_kind,
            "score": round(self.score, 4),
            "explanation": list(self.explanation),
            "programs": list(e.programs),
            "list_version": self.list_version,
        }


# What a screening log stores for a hit: the Hit itself, or its JSON object (batch screening
# gets hits back from worker processes as JSON objects).
HitRecord = Hit | Mapping[str, Any]
