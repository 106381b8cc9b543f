"""FollowTheMoney entity JSON lines (the OpenSanctions export format) to listed entities.

Format (``entities.ftm.json``, plain or gzip), one JSON object per line::

    {"id": "NK-...", "schema": "Company", "caption": "...",
     "properties": {"name": ["..."], "innCode": ["7701..."], "country": ["ru"], ...},
     "datasets": ["ru_rupep"], "first_seen": "...", "last_seen": "...", "last_change": "..."}

Read without the ``followthemoney`` package (not a core dependency). Mapping:

* Schemata Person -> person; Organization, Company, LegalEntity, PublicBody -> organization;
  Vessel -> vessel; Airplane -> aircraft. Other schemata are not listed entities but are used:
  ``Sanction`` (``entity`` -> target id) adds ``programId`` (else ``program``) to the
  target's programs and its earliest ``startDate``/``listingDate`` as ``listed_on``;
  ``Address`` entities resolve ``addressEntity``; relation schemata (Ownership, Directorship,
  Family, Associate, UnknownLink, Employment, Membership, Representation, Succession) become
  a ``Link`` on each listed endpoint, e.g. ``owner_of`` / ``owned_by``, with the other
  side's caption and id.
* Names: every ``name`` is primary (the ``caption`` first), ``alias`` -> alias, ``weakAlias``
  -> weak_alias, ``previousName`` -> previous; firstName + lastName when there is no name.
* ``source_id`` is the FtM id. ``datasets`` and ``topics`` go into ``remarks``
  ("FtM datasets: ...; topics: ..."), not programs: they name sources and tags, not
  sanction programmes. ``program`` properties and Sanction programs are ``programs``.
* ``file_date`` is the latest ``last_change``/``last_seen`` date (YYYY-MM-DD), else None.
* A line that is not a JSON object with a string ``id`` and ``schema`` and string-valued
  properties raises ``ParseError`` with the path and line number.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transitwatch.countries import country_code, country_in_text
from transitwatch.errors import InputError, ParseError
from transitwatch.lists.dates import parse_date
from transitwatch.lists.io import content_hash, decode_text, read_bytes
from transitwatch.lists.model import (
    Address,
    EntityName,
    Identifier,
    Link,
    ListedEntity,
    NameKind,
    ParsedList,
    ParseReport,
    Schema,
)
from transitwatch.names.scripts import detect_script

SOURCE = "ftm"

SCHEMATA: dict[str, Schema] = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "LegalEntity": "organization",
    "PublicBody": "organization",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
NAME_PROPS: tuple[tuple[str, NameKind], ...] = (
    ("name", "primary"),
    ("alias", "alias"),
    ("weakAlias", "weak_alias"),
    ("previousName", "previous"),
)
COUNTRY_PROPS = ("country", "jurisdiction", "flag", "mainCountry")
NATIONALITY_PROPS = ("nationality", "citizenship")
# FtM property -> (identifier type, issuing country when the property implies one)
IDENTIFIER_PROPS: dict[str, tuple[str, str | None]] = {
    "innCode": ("inn", "RU"),
    "ogrnCode": ("ogrn", "RU"),
    "kppCode": ("kpp", "RU"),
    "okpoCode": ("okpo", "RU"),
    "imoNumber": ("imo", None),
    "mmsi": ("mmsi", None),
    "leiCode": ("lei", None),
    "swiftBic": ("swift", None),
    "passportNumber": ("passport", None),
    "idNumber": ("national_id", None),
    "registrationNumber": ("registration", None),
    "taxNumber": ("tax_id", None),
    "vatCode": ("tax_id", None),
    "serialNumber": ("aircraft_serial", None),
}
# Relation schema -> (source property, relation seen from it, target property, seen from it)
RELATIONS: dict[str, tuple[str, str, str, str]] = {
    "Ownership": ("owner", "owner_of", "asset", "owned_by"),
    "Directorship": ("director", "director_of", "organization", "directed_by"),
    "Family": ("person", "relative", "relative", "relative"),
    "Associate": ("person", "associate", "associate", "associate"),
    "UnknownLink": ("subject", "linked_to", "object", "linked_to"),
    "Employment": ("employee", "employee_of", "employer", "employer_of"),
    "Membership": ("member", "member_of", "organization", "has_member"),
    "Representation": ("agent", "agent_of", "client", "represented_by"),
    "Succession": ("predecessor", "succeeded_by", "successor", "successor_of"),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class _Raw:
    """One validated line."""

    id: str
    schema: str
    caption: str | None
    props: dict[str, list[str]]
    datasets: tuple[str, ...]
    row: int


def _validate(obj: Any, path: str, row: int) -> _Raw:
    if not isinstance(obj, dict):
        raise ParseError(f"expected a JSON object, got {type(obj).__name__}", path=path, row=row)
    ent_id, schema = obj.get("id"), obj.get("schema")
    if not isinstance(ent_id, str) or not ent_id.strip():
        raise ParseError("missing or non-string id", path=path, row=row, field="id")
    if not isinstance(schema, str) or not schema:
        raise ParseError("missing or non-string schema", path=path, row=row, field="schema")
    raw_props = obj.get("properties", {})
    if not isinstance(raw_props, dict):
        raise ParseError("properties is not an object", path=path, row=row, field="properties")
    props: dict[str, list[str]] = {}
    for key, value in raw_props.items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list):
            raise ParseError("property values must be strings", path=path, row=row, field=key)
        kept: list[str] = []
        for v in values:
            if not isinstance(v, str):
                raise ParseError("property values must be strings", path=path, row=row, field=key)
            v = v.strip()
            if v:
                kept.append(v)
        props[key] = kept
    datasets = obj.get("datasets", [])
    if not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets):
        raise ParseError("datasets must be a list of strings", path=path, row=row, field="datasets")
    caption = obj.get("caption")
    return _Raw(
        id=ent_id.strip(),
        schema=schema,
        caption=(caption.strip() or None) if isinstance(caption, str) else None,
        props=props,
        datasets=tuple(datasets),
        row=row,
    )


def _lines(data: bytes, path: str) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON value) for each non-blank line."""
    text = decode_text(data, path)
    # split("\n"), not splitlines(): U+2028 and friends may stand unescaped inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            yield number, json.loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
            raise ParseError(f"invalid JSON ({reason})", path=path, row=number) from exc


def _caption(raw: _Raw) -> str:
    return raw.caption or next(iter(raw.props.get("name", [])), None) or raw.id


def _country(value: str) -> str | None:
    code = country_code(value)
    return code if code is not None and len(code) == 2 and code != "ZZ" else None


def _address_country(full: str) -> str | None:
    """Country named at the end of a free-text address; per-part lookups are cached."""
    parts = [p for p in (x.strip() for x in full.split(",")) if p]
    if len(parts) < 2:
        return country_in_text(full)
    return _country(", ".join(parts[-2:])) or _country(parts[-1]) or country_in_text(full)


def _names(raw: _Raw) -> list[EntityName]:
    found: list[tuple[str, NameKind]] = []
    for prop, kind in NAME_PROPS:
        found.extend((v, kind) for v in raw.props.get(prop, []))
    if not any(k == "primary" for _, k in found):
        parts = [raw.props.get(p, [""])[0] for p in ("firstName", "middleName", "lastName")]
        joined = " ".join(p for p in parts if p)
        if joined:
            found.insert(0, (joined, "primary"))
    if raw.caption:  # the caption first, so that ListedEntity.caption agrees with the source
        found.sort(key=lambda nk: not (nk[1] == "primary" and nk[0] == raw.caption))
    seen: set[str] = set()
    out: list[EntityName] = []
    for value, kind in found:
        if value not in seen:
            seen.add(value)
            out.append(EntityName(value, kind, detect_script(value)))
    return out


def _identifiers(raw: _Raw) -> list[Identifier]:
    out: list[Identifier] = []
    for prop, (id_type, country) in IDENTIFIER_PROPS.items():
        for value in raw.props.get(prop, []):
            if id_type == "imo":
                value = re.sub(r"(?i)^imo\s*", "", value)
            out.append(Identifier(type=id_type, value=value, country=country))
    return out


def _dedup(values: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


class _Graph:
    """Every line of the input, indexed for the second pass."""

    def __init__(self) -> None:
        self.listed: dict[str, _Raw] = {}
        self.captions: dict[str, str] = {}
        self.addresses: dict[str, _Raw] = {}
        self.programs: defaultdict[str, list[str]] = defaultdict(list)
        self.starts: defaultdict[str, list[str]] = defaultdict(list)
        self.links: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        self.skipped: defaultdict[str, int] = defaultdict(int)

    def add(self, raw: _Raw, path: str, report: ParseReport) -> None:
        self.captions[raw.id] = _caption(raw)
        if raw.schema in SCHEMATA:
            if raw.id in self.listed:
                report.warn(f"{path}, row {raw.row}: id {raw.id!r} seen before; last one kept")
            self.listed[raw.id] = raw
        elif raw.schema == "Address":
            self.addresses[raw.id] = raw
        elif raw.schema == "Sanction":
            programs = raw.props.get("programId", []) or raw.props.get("program", [])
            dates = [*raw.props.get("startDate", []), *raw.props.get("listingDate", [])]
            starts = [d for v in dates for d in parse_date(v[:10])]
            for target in raw.props.get("entity", []):
                self.programs[target].extend(programs)
                self.starts[target].extend(d for d in starts if len(d) == 10)
        elif raw.schema in RELATIONS:
            src_prop, src_rel, dst_prop, dst_rel = RELATIONS[raw.schema]
            for src in raw.props.get(src_prop, []):
                for dst in raw.props.get(dst_prop, []):
                    self.links[src].append((src_rel, dst))
                    self.links[dst].append((dst_rel, src))
        else:
            self.skipped[raw.schema] += 1

    def entity(self, raw: _Raw) -> ListedEntity | None:
        names = _names(raw)
        if not names:
            return None
        p = raw.props
        addresses = [Address(full=a, country=_address_country(a)) for a in p.get("address", [])]
        for ref in p.get("addressEntity", []):
            if ref in self.addresses:
                addr = self.addresses[ref].props
                full = next(iter(addr.get("full", [])), None) or self.captions[ref]
                codes = [_country(c) for c in addr.get("country", [])]
                addresses.append(Address(full=full, country=next((c for c in codes if c), None)))
        countries = [_country(v) for prop in COUNTRY_PROPS for v in p.get(prop, [])]
        countries += [a.country for a in addresses]
        links = [
            Link(relation=rel, target_name=self.captions.get(other, other), target_source_id=other)
            for rel, other in self.links.get(raw.id, [])
            if other != raw.id
        ]
        remarks = [f"FtM datasets: {', '.join(raw.datasets)}" if raw.datasets else ""]
        topics = p.get("topics", [])
        remarks.append(f"topics: {', '.join(topics)}" if topics else "")
        starts = self.starts.get(raw.id, [])
        return ListedEntity(
            source=SOURCE,
            source_id=raw.id,
            schema=SCHEMATA[raw.schema],
            names=tuple(names),
            birth_dates=_dedup([d for v in p.get("birthDate", []) for d in parse_date(v[:10])]),
            countries=_dedup(countries),
            nationalities=_dedup([_country(v) for n in NATIONALITY_PROPS for v in p.get(n, [])]),
            identifiers=tuple(dict.fromkeys(_identifiers(raw))),
            addresses=tuple(dict.fromkeys(addresses)),
            programs=_dedup([*p.get("program", []), *self.programs.get(raw.id, [])]),
            links=tuple(dict.fromkeys(links)),
            listed_on=min(starts) if starts else None,
            remarks="; ".join(r for r in remarks if r) or None,
        )


def parse(paths: Sequence[Path]) -> ParsedList:
    """Parse FtM entity JSON-lines file(s) (plain or gzip) into listed entities."""
    if not paths:
        raise InputError("ftm: no file given (expected entities.ftm.json)")
    ordered = sorted((Path(p) for p in paths), key=str)
    report = ParseReport()
    graph = _Graph()
    blobs: list[bytes] = []
    dates: list[str] = []
    for path in ordered:
        data = read_bytes(path)
        blobs.append(data)
        for row, obj in _lines(data, str(path)):
            report.rows_read += 1
            raw = _validate(obj, str(path), row)
            for key in ("last_change", "last_seen"):
                stamp = obj.get(key)
                if isinstance(stamp, str) and _DAY.match(stamp) and parse_date(stamp[:10]):
                    dates.append(stamp[:10])
            graph.add(raw, str(path), report)
    entities = []
    for raw in graph.listed.values():
        entity = graph.entity(raw)
        if entity is None:
            report.warn(f"row {raw.row}: {raw.schema} {raw.id!r} has no name; skipped")
        else:
            entities.append(entity)
    if graph.skipped:
        counts = ", ".join(f"{s} {n}" for s, n in sorted(graph.skipped.items()))
        report.warn(f"entities of schemata that are not screened were skipped: {counts}")
    return ParsedList(
        source=SOURCE,
        entities=tuple(entities),
        file_date=max(dates) if dates else None,
        content_hash=content_hash(blobs),
        files=tuple(str(p) for p in ordered),
        warnings=tuple(report.warnings),
    )
