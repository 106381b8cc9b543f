"""The listed-entity model every parser produces and every screener reads.

Plain frozen dataclasses: cheap to build in bulk, easy to serialise to JSON for the store.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal

Schema = Literal["person", "organization", "vessel", "aircraft"]
SCHEMAS: tuple[Schema, ...] = ("person", "organization", "vessel", "aircraft")

NameKind = Literal["primary", "alias", "weak_alias", "previous"]

# Identifier types we recognise. Parsers map their source's wording onto these.
IDENTIFIER_TYPES = (
    "inn",  # Russian taxpayer number (10 digits for companies, 12 for people)
    "ogrn",  # Russian primary state registration number (13/15 digits)
    "kpp",
    "okpo",
    "tax_id",  # any other tax number (Kyrgyz INN, Kazakh BIN/IIN, ...), country says whose
    "registration",  # company registration number
    "passport",
    "national_id",
    "imo",  # vessel IMO number, 7 digits
    "mmsi",
    "lei",
    "swift",
    "aircraft_serial",
    "other",
)


@dataclass(frozen=True, slots=True)
class EntityName:
    """One name of an entity, with its kind and the script it is written in."""

    value: str
    kind: NameKind = "primary"
    script: str = "latin"
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Identifier:
    type: str
    value: str
    country: str | None = None  # ISO2 of the issuing country, when known
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    full: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A relation the list states, e.g. OFAC's "Linked To: NAME"."""

    relation: str
    target_name: str
    target_source_id: str | None = None


@dataclass(frozen=True, slots=True)
class ListedEntity:
    source: str
    source_id: str
    schema: Schema
    names: tuple[EntityName, ...]
    birth_dates: tuple[str, ...] = ()  # ISO prefixes: YYYY, YYYY-MM or YYYY-MM-DD
    countries: tuple[str, ...] = ()  # ISO2: addresses, jurisdiction, flag
    nationalities: tuple[str, ...] = ()  # ISO2
    identifiers: tuple[Identifier, ...] = ()
    addresses: tuple[Address, ...] = ()
    programs: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    listed_on: str | None = None  # ISO date of designation, when the list gives it
    remarks: str | None = None

    @property
    def caption(self) -> str:
        for name in self.names:
            if name.kind == "primary":
                return name.value
        return self.names[0].value if self.names else self.source_id

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts and lists, as ``dataclasses.asdict`` gives but without its deep copies
        (several times faster: every stored entity goes through here)."""
        data: dict[str, Any] = _plain(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListedEntity:
        return cls(
            source=data["source"],
            source_id=data["source_id"],
            schema=data["schema"],
            names=tuple(EntityName(**n) for n in data.get("names", ())),
            birth_dates=tuple(data.get("birth_dates", ())),
            countries=tuple(data.get("countries", ())),
            nationalities=tuple(data.get("nationalities", ())),
            identifiers=tuple(Identifier(**i) for i in data.get("identifiers", ())),
            addresses=tuple(Address(**a) for a in data.get("addresses", ())),
            programs=tuple(data.get("programs", ())),
            links=tuple(Link(**lk) for lk in data.get("links", ())),
            listed_on=data.get("listed_on"),
            remarks=data.get("remarks"),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def fingerprint(self) -> str:
        """Content hash: two versions of an entity differ exactly when this differs."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class ParseReport:
    """What a parser noticed but did not fail on (orphan aliases, skipped rows...)."""

    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)


@dataclass(frozen=True, slots=True)
class ParsedList:
    """The outcome of parsing one list's files: entities plus what was noticed on the way."""

    source: str
    entities: tuple[ListedEntity, ...]
    file_date: str | None  # best-known publication date of the list, ISO
    content_hash: str  # sha256 over the input files' bytes (decompressed), in a stable order
    files: tuple[str, ...]
    warnings: tuple[str, ...] = ()


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is tuple:
        return tuple(_plain(v) for v in value)
    if kind is list:
        return [_plain(v) for v in value]
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES.setdefault(kind, tuple(f.name for f in fields(value)))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
