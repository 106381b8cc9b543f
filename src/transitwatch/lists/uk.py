"""Parser for the UK FCDO Sanctions List, as five normalised tables (source ``gb_fcdo_sanctions``).

Input format (see ``shared/data/uk_sanctions_list/PROVENANCE.md``): the relational tables that
``covyr/uk-sanctions-list`` derives from the FCDO ``UK-Sanctions-List.csv``, UTF-8 CSV with a
header, each keyed by ``unique_id`` (the FCDO "Unique ID", e.g. ``RUS0001``):

=======================  ===================================================================
``subjects``             unique_id, subject_type (individual/entity/ship), un_reference_number,
                         ofsi_group_id, date_designated, last_updated (``DD/MM/YYYY``)
``subject_names``        name_id, unique_id, name_type (primary/primary_variation/alias),
                         alias_strength (good_quality_aka/low_quality_aka/blank), full_name,
                         name_6 (surname or whole name), name_1 .. name_5 (given names)
``subject_dobs``         dob_id, unique_id, year, month, day, precision
                         (exact/month_year/year_only), parse_issues
``subject_identifiers``  id, unique_id, ofsi_group_id, raw_value, identifier_type
                         (passport/national/business_registration_numbers/imo), additional_info
``subject_countries``    id, unique_id, raw_value, country_type (address/birth/nationality), iso,
                         resolution_method, iso_available
=======================  ===================================================================

Files may come in any order, plain or gzip, under any name: each is recognised by its header.
``subjects`` and ``subject_names`` are required.

Mapping decisions:

* names: ``primary`` -> primary; ``primary_variation`` (official alternative transliterations)
  and ``alias`` -> alias; any name marked ``low_quality_aka`` -> weak_alias. Whitespace is
  collapsed and exact duplicates per subject dropped (the first, strongest kind wins).
* identifiers: ``imo`` -> imo (7 digits, "IMO" prefix dropped); ``passport`` -> passport;
  ``national`` -> national_id, except that INN/TIN/tax wording in additional_info gives inn or
  tax_id and driving licences, birth certificates, ration and residence cards give other;
  ``business_registration_numbers`` is free text ("INN: ... OGRN: ...") read by
  :func:`transitwatch.lists.idtext.extract_codes` (inn/ogrn/kpp/okpo/tax_id/registration).
* countries: nationality rows -> nationalities; address rows -> countries (``iso`` upper-cased,
  else :func:`country_code` of the raw text); birth countries are not kept (a birthplace is
  neither a nationality nor a location of the subject).
* programs: the regime prefix of unique_id, as "UK-<prefix> (<regime>)", e.g. "UK-RUS (Russia)".
* file_date: the latest ``last_updated``.

A missing or unexpected column raises ParseError naming it; a row with the wrong number of
fields, an empty or repeated unique_id or an unknown subject_type/name_type/country_type raises
ParseError with its line. Rows pointing at unknown subjects, unreadable dates and unknown
identifier types (kept as ``other``) are warnings.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from transitwatch.countries import country_code
from transitwatch.errors import ParseError
from transitwatch.lists.dates import parse_date
from transitwatch.lists.idtext import extract_codes, label_category
from transitwatch.lists.io import checked_records, content_hash, decode_text, read_bytes
from transitwatch.lists.model import (
    EntityName,
    Identifier,
    ListedEntity,
    NameKind,
    ParsedList,
    Schema,
)
from transitwatch.names.scripts import detect_script

SOURCE = "gb_fcdo_sanctions"

_NAME_PARTS = ("name_6", "name_1", "name_2", "name_3", "name_4", "name_5")
# role -> (column that identifies the table, its columns; all are required)
_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "subjects": (
        "subject_type",
        (
            "unique_id",
            "subject_type",
            "un_reference_number",
            "ofsi_group_id",
            "date_designated",
            "last_updated",
        ),
    ),
    "subject_names": (
        "name_type",
        ("name_id", "unique_id", "name_type", "alias_strength", "full_name", *_NAME_PARTS),
    ),
    "subject_dobs": (
        "precision",
        ("dob_id", "unique_id", "year", "month", "day", "precision", "parse_issues"),
    ),
    "subject_identifiers": (
        "identifier_type",
        ("id", "unique_id", "ofsi_group_id", "raw_value", "identifier_type", "additional_info"),
    ),
    "subject_countries": (
        "country_type",
        (
            "id",
            "unique_id",
            "raw_value",
            "country_type",
            "iso",
            "resolution_method",
            "iso_available",
        ),
    ),
}
_ROLES = tuple(_TABLES)
_REQUIRED_ROLES = ("subjects", "subject_names")

_SCHEMAS: dict[str, Schema] = {"individual": "person", "entity": "organization", "ship": "vessel"}
_NAME_TYPES = ("primary", "primary_variation", "alias")
_KIND_RANK = {"primary": 0, "alias": 1, "weak_alias": 2, "previous": 3}
_COUNTRY_TYPES = ("address", "birth", "nationality")

# UK sanctions regimes by the 3-letter prefix FCDO uses in the Unique ID.
REGIMES = dict(
    item.split("=")
    for item in re.split(
        r";\s*",
        "AFG=Afghanistan; AQD=ISIL (Da'esh) and Al-Qaida; BEL=Belarus; "
        "BIH=Bosnia and Herzegovina; CAF=Central African Republic; CHW=Chemical Weapons; "
        "CTD=Counter-Terrorism (Domestic); CTI=Counter-Terrorism (International); CYB=Cyber; "
        "DPR=Democratic People's Republic of Korea; DRC=Democratic Republic of the Congo; "
        "GAC=Global Anti-Corruption; GHR=Global Human Rights; GIM=Global Irregular Migration; "
        "GUB=Guinea-Bissau; GUC=Guinea; HAI=Haiti; INU=Iran (Nuclear); IRN=Iran; IRQ=Iraq; "
        "LIB=Libya; MAL=Mali; MYA=Myanmar; NIC=Nicaragua; RUS=Russia; SOM=Somalia; "
        "SSU=South Sudan; SUD=Sudan; SYR=Syria; VEN=Venezuela; YEM=Yemen",
    )
)
_OTHER_DOCUMENT = re.compile(
    r"driv|birth certificate|ration card|residen|alien registration|servicem", re.I
)
_SPACES = re.compile(r"\s+")
_EDGE = " '\"\xa0"


def program_name(unique_id: str) -> str:
    """The regime of a Unique ID as a programme name: ``RUS0001`` -> "UK-RUS (Russia)"."""
    prefix = re.match(r"[A-Z]+", unique_id)
    code = prefix[0] if prefix else unique_id
    regime = REGIMES.get(code)
    return f"UK-{code} ({regime})" if regime else f"UK-{code}"


@dataclass(slots=True)
class _Table:
    role: str
    path: str
    data: bytes
    rows: list[tuple[int, dict[str, str]]]


_Row = tuple[_Table, int, dict[str, str]]  # table, line number, row


def _read_table(path: Path) -> _Table:
    data = read_bytes(path)
    text = decode_text(data, path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not any(header):
        raise ParseError("empty file, expected a CSV header", path=str(path))
    role = next((r for r, (key, _) in _TABLES.items() if key in header), None)
    if role is None:
        raise ParseError(
            f"header not recognised as any UK sanctions table: {', '.join(header)}",
            path=str(path),
            field=header[0],
        )
    columns = _TABLES[role][1]
    for col in columns:
        if col not in header:
            raise ParseError(f"{role} table lacks required column", path=str(path), field=col)
    for col in header:
        if col not in columns:
            raise ParseError(f"unexpected column in {role} table", path=str(path), field=col)
    rows = [
        (line, dict(zip(header, record, strict=True)))
        for line, record in checked_records(reader, len(header), path)
    ]
    return _Table(role, str(path), data, rows)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\xa0", " ")).strip()


def _leading_country(info: str) -> str | None:
    """Country at the start of an additional_info text: "CAR passport" -> CF, "South Sudan"."""
    words = re.split(r"[,.;(:]", info, maxsplit=1)[0].split()[:4]
    for n in range(len(words), 0, -1):
        code = country_code(" ".join(words[:n]))
        if code is not None:
            return code
    return None


def _dob(row: dict[str, str]) -> str | None:
    year, month, day = row["year"].strip(), row["month"].strip(), row["day"].strip()
    precision = row["precision"].strip()
    if precision == "year_only" or not month:
        text = year
    elif precision == "month_year" or not day:
        text = f"{year}-{month}"
    else:
        text = f"{year}-{month}-{day}"
    found = parse_date(text)
    return found[0] if found else None


def _identifiers(
    row: dict[str, str], home: frozenset[str], russian: bool, odd_types: set[str]
) -> list[Identifier]:
    raw = _clean(row["raw_value"]).strip(_EDGE)
    info = _clean(row["additional_info"])
    id_type = row["identifier_type"].strip()
    if not raw:
        return []
    if id_type == "imo":
        digits = re.sub(r"^IMO\s*", "", raw, flags=re.I)
        if digits.isdigit() and len(digits) == 7:
            return [Identifier("imo", digits)]
        return [Identifier("other", raw, None, "IMO number as printed")]
    if id_type == "business_registration_numbers":
        return extract_codes(raw, default="registration", home=home, russian=russian)
    if id_type == "national":
        if label_category(info) in ("inn", "tax"):
            return extract_codes(raw, default="tax_id", home=home, russian=russian, hint=info)
        kind = "other" if _OTHER_DOCUMENT.search(info) else "national_id"
        return [Identifier(kind, raw, _leading_country(info), info or None)]
    if id_type != "passport":
        odd_types.add(id_type)
        return [Identifier("other", raw, None, f"{id_type}: {info}" if info else id_type)]
    return [Identifier("passport", raw, _leading_country(info), info or None)]


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _unique_ids(idents: list[Identifier]) -> tuple[Identifier, ...]:
    """One identifier per (type, value, country): the first row's note is kept."""
    seen: dict[tuple[str, str, str | None], Identifier] = {}
    for ident in idents:
        seen.setdefault((ident.type, ident.value, ident.country), ident)
    return tuple(seen.values())


# Tables that repeat the same fact on many rows (88,029 country rows hold ~13,000 facts):
# rows equal in these columns are read once.
_FACT_COLUMNS = {
    "subject_identifiers": ("raw_value", "identifier_type", "additional_info"),
    "subject_countries": ("raw_value", "country_type", "iso"),
}


def _group(tables: list[_Table], role: str) -> dict[str, list[_Row]]:
    grouped: dict[str, list[_Row]] = defaultdict(list)
    facts = _FACT_COLUMNS.get(role)
    seen: set[tuple[str, ...]] = set()
    for table in tables:
        if table.role != role:
            continue
        for line, row in table.rows:
            uid = row["unique_id"].strip()
            if facts is not None:
                fact = (uid, *(row[c] for c in facts))
                if fact in seen:
                    continue
                seen.add(fact)
            grouped[uid].append((table, line, row))
    return grouped


def _bad(row: _Row, field: str, message: str) -> ParseError:
    return ParseError(message, path=row[0].path, row=row[1], field=field)


def _subjects(tables: list[_Table]) -> tuple[dict[str, _Row], str | None]:
    """Subjects by unique_id, and the latest last_updated (ISO)."""
    subjects: dict[str, _Row] = {}
    latest: str | None = None
    for table in tables:
        if table.role != "subjects":
            continue
        for line, row in table.rows:
            entry = (table, line, row)
            uid = row["unique_id"].strip()
            if not uid:
                raise _bad(entry, "unique_id", "empty unique_id")
            if uid in subjects:
                first = subjects[uid]
                where = f"{first[0].path} row {first[1]}"
                raise _bad(entry, "unique_id", f"duplicate unique_id {uid} (first at {where})")
            if row["subject_type"].strip() not in _SCHEMAS:
                raise _bad(entry, "subject_type", f"unknown subject_type {row['subject_type']!r}")
            subjects[uid] = entry
            updated = parse_date(row["last_updated"])
            if updated and len(updated[0]) == 10 and (latest is None or updated[0] > latest):
                latest = updated[0]
    return subjects, latest


def _countries(rows: list[_Row]) -> tuple[list[str], list[str]]:
    """(countries from addresses, nationalities); birth countries are dropped."""
    countries: list[str] = []
    nationalities: list[str] = []
    for entry in rows:
        row = entry[2]
        ctype = row["country_type"].strip()
        if ctype not in _COUNTRY_TYPES:
            raise _bad(entry, "country_type", f"unknown country_type {ctype!r}")
        iso = row["iso"].strip().upper()
        code = iso if re.fullmatch(r"[A-Z]{2}", iso) else country_code(row["raw_value"])
        if code is not None and ctype != "birth":
            (nationalities if ctype == "nationality" else countries).append(code)
    return countries, nationalities


def parse(paths: Sequence[Path]) -> ParsedList:
    """Parse the UK FCDO tables (any order, plain or gzip) into listed entities."""
    tables = sorted(
        (_read_table(Path(p)) for p in paths), key=lambda t: (_ROLES.index(t.role), t.data)
    )
    present = {t.role for t in tables}
    for role in _REQUIRED_ROLES:
        if role not in present:
            raise ParseError(f"the {role} table is required but none of the files has its header")
    warnings: list[str] = []
    subjects, latest = _subjects(tables)
    others = {role: _group(tables, role) for role in _ROLES[1:]}
    for role, grouped in others.items():
        dangling = sorted(set(grouped) - set(subjects))
        if dangling:
            shown = ", ".join(dangling[:5]) + (" ..." if len(dangling) > 5 else "")
            warnings.append(f"{role}: {len(dangling)} unique_id(s) not in subjects: {shown}")

    odd_types: set[str] = set()
    entities: list[ListedEntity] = []
    for uid, (table, line, row) in subjects.items():
        names = _names(uid, others["subject_names"].get(uid, []))
        if not names:
            warnings.append(f"{uid}: no names, subject skipped ({table.path} row {line})")
            continue
        countries, nationalities = _countries(others["subject_countries"].get(uid, []))
        home = frozenset(countries) | frozenset(nationalities)
        idents: list[Identifier] = []
        for _, _, irow in others["subject_identifiers"].get(uid, []):
            idents.extend(_identifiers(irow, home, uid.startswith("RUS"), odd_types))
        dobs: list[str] = []
        for dtable, dline, drow in others["subject_dobs"].get(uid, []):
            dob = _dob(drow)
            if dob is None:
                warnings.append(f"{dtable.path} row {dline}: unreadable date of birth")
            else:
                dobs.append(dob)
        listed = parse_date(row["date_designated"])
        if row["date_designated"].strip() and not listed:
            warnings.append(f"{table.path} row {line}: unreadable date_designated")
        entities.append(
            ListedEntity(
                source=SOURCE,
                source_id=uid,
                schema=_SCHEMAS[row["subject_type"].strip()],
                names=names,
                birth_dates=_unique(dobs),
                countries=_unique(countries),
                nationalities=_unique(nationalities),
                identifiers=_unique_ids(idents),
                programs=(program_name(uid),),
                listed_on=listed[0] if listed else None,
            )
        )
    if odd_types:
        warnings.append(f"identifier_type(s) kept as 'other': {', '.join(sorted(odd_types))}")
    return ParsedList(
        source=SOURCE,
        entities=tuple(entities),
        file_date=latest,
        content_hash=content_hash(t.data for t in tables),
        files=tuple(str(p) for p in paths),
        warnings=tuple(warnings),
    )


def _names(uid: str, rows: list[_Row]) -> tuple[EntityName, ...]:
    found: list[tuple[int, int, str, NameKind]] = []
    for order, (table, line, row) in enumerate(rows):
        name_type = row["name_type"].strip()
        if name_type not in _NAME_TYPES:
            raise _bad((table, line, row), "name_type", f"unknown name_type {name_type!r}")
        value = _clean(row["full_name"]) or _clean(
            " ".join(row[c] for c in (*_NAME_PARTS[1:], _NAME_PARTS[0]))
        )
        if not value:
            continue
        kind: NameKind = "primary" if name_type == "primary" else "alias"
        if kind == "alias" and row["alias_strength"].strip() == "low_quality_aka":
            kind = "weak_alias"
        found.append((_KIND_RANK[kind], order, value, kind))
    names: dict[str, EntityName] = {}
    for _, _, value, kind in sorted(found):
        names.setdefault(value, EntityName(value, kind, detect_script(value)))
    return tuple(names.values())
