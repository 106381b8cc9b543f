"""Parser for EU Official Journal sanctions annexes (source ``eu_journal_sanctions``).

Input format: the consolidated annex CSVs that OpenSanctions transcribes from EUR-Lex
(``datasets/eu/journal_sanctions/data/FORMAT.md`` in ``opensanctions/opensanctions``; summary in
``shared/data/eu_official_journal_russia/PROVENANCE.md``). UTF-8, comma-delimited, a header of
45 columns (``celex, recordId, programKey, annex, measure, startDate, reason, schema, name,
alias, weakAlias, previousName, country, nationality, ..., imoNumber, mmsi, flag, address,
phone, email, website, notes``). One or more files, plain or gzip, recognised by the header.

* One row is one designation (an entry of one annex). Every column except ``name`` is
  multi-valued, values separated by ``; `` and CSV-quoted inside the cell when they contain
  ``;`` or ``"``, so each cell is decoded with a second CSV reader (delimiter ``;``).
* ``recordId`` is the entry number *within its annex* ("1", "2", ... "174a", restarting in
  every annex, empty in some annexes), not an entity id: on the mid-2026 files 5,161 rows carry
  only 2,031 distinct recordIds. The entity key is therefore ``<celex>/<annex>/<recordId>``
  (``<celex>/<annex>/<name-slug>`` when recordId is empty), e.g. ``32014R0833/IV/642``;
  rows sharing a key are merged (union of names, programmes, identifiers, ...). The same
  company listed in two annexes stays two entities: the files give no common id to join on.
* names: ``name`` primary (``A / B`` gives B as alias), ``alias`` alias, ``weakAlias``
  weak_alias, ``previousName`` previous. A trailing parenthesis is split off: "Latin
  (Кириллица)" gives both parts; "Full name (ABBR)" gives both; "Name SURNAME (VARIANT)" for a
  person gives the name with the surname variant.
* schema: Person -> person; Organization/Company/LegalEntity/PublicBody -> organization;
  Vessel -> vessel; Airplane -> aircraft; Asset (ports, airports, economic zones, crypto
  tokens of the transport/investment-ban annexes) -> organization, with a warning.
* countries: ``country``, ``jurisdiction``, ``flag`` and the country at the end of each
  ``address`` (Annex IV gives the country only there); ``nationality`` (adjectives, often
  several per value: "Ukrainian, Russian") -> nationalities.
* identifiers: innCode inn, ogrnCode ogrn, kppCode kpp, okpoCode okpo, imoNumber imo, mmsi,
  leiCode lei, swiftBic swift, passportNumber passport, idNumber national_id,
  registrationNumber registration, taxNumber tax_id; labelled free text inside these cells
  ("1026604933475 (OGRN), 6660017837 (TIN)") is read by :mod:`transitwatch.lists.idtext`.
* listed_on: ``startDate`` (``D.M.YYYY`` or "24 May 2026"), the earliest when merged.
* file_date: None. The CSVs do not carry the consolidation date (it is only in the source
  repo's dataset metadata), and the latest startDate is not a publication date.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from transitwatch.countries import country_code, country_in_text
from transitwatch.errors import ParseError
from transitwatch.lists.dates import parse_date
from transitwatch.lists.idtext import extract_codes, has_code_label
from transitwatch.lists.io import checked_records, content_hash, decode_text, read_bytes
from transitwatch.lists.model import (
    Address,
    EntityName,
    Identifier,
    ListedEntity,
    NameKind,
    ParsedList,
    Schema,
)
from transitwatch.names.scripts import detect_script

SOURCE = "eu_journal_sanctions"
_T = TypeVar("_T")

COLUMNS = tuple(
    re.split(
        r"[,\s]+",
        """celex recordId programKey annex measure startDate reason schema name alias weakAlias
        previousName country nationality jurisdiction birthDate birthPlace position
        passportNumber gender appearance ethnicity fatherName motherName incorporationDate
        legalForm sector registrationNumber taxNumber idNumber innCode ogrnCode kppCode okpoCode
        leiCode swiftBic ticker imoNumber mmsi flag address phone email website notes""",
    )
)
REQUIRED = ("celex", "recordId", "programKey", "annex", "schema", "name")

_SCHEMAS: dict[str, Schema] = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "LegalEntity": "organization",
    "PublicBody": "organization",
    "Asset": "organization",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
_NAME_COLUMNS: tuple[tuple[str, NameKind], ...] = (
    ("alias", "alias"),
    ("weakAlias", "weak_alias"),
    ("previousName", "previous"),
)
_CODE_COLUMNS = (
    ("innCode", "inn"),
    ("ogrnCode", "ogrn"),
    ("kppCode", "kpp"),
    ("okpoCode", "okpo"),
    ("registrationNumber", "registration"),
    ("taxNumber", "tax_id"),
)
_PLAIN_COLUMNS = (("mmsi", "mmsi"), ("leiCode", "lei"), ("swiftBic", "swift"))
_DOC_COLUMNS = (("passportNumber", "passport"), ("idNumber", "national_id"))
_MULTI_COLUMNS = (
    *(c for c, _ in _NAME_COLUMNS),
    *(c for c, _ in _CODE_COLUMNS),
    *(c for c, _ in _PLAIN_COLUMNS),
    *(c for c, _ in _DOC_COLUMNS),
    *("birthDate", "country", "jurisdiction", "flag", "address", "nationality", "imoNumber"),
)
_RUSSIAN_PROGRAMS = ("EU-RUS", "EU-UKR")
_NATIONALITY_FIXES = {"belarussian": "BY", "moldovian": "MD"}
_DOC_LABEL = re.compile(
    r"^(?P<label>passport(?: number)?|national id(?: no\.?)?|travel document|ukrainian passport"
    r"(?: number)?)\s*:?\s*",
    re.I,
)
_EMBEDDED_DATE = re.compile(
    r"(?<![\d.])(\d{1,2}\.\s?\d{1,2}[.\s]\s?\d{4})(?!\d)|(?<!\d)(\d{4})(?!\d)"
)
_SPACES = re.compile(r"\s+")
_LEGAL_FORMS = frozenset(
    {"JSC", "PJSC", "OJSC", "CJSC", "AO", "PAO", "OAO", "ZAO", "OOO", "LLC", "LLP", "LTD", "TOO"}
    | {"АО", "ПАО", "ОАО", "ЗАО", "ООО", "ТОО"}
)


def split_cell(cell: str) -> list[str]:
    """The values of a multi-valued cell: ``a; "b; c"; d`` -> ["a", "b; c", "d"]."""
    if not cell or not cell.strip():
        return []
    if '"' not in cell:
        parts = cell.split(";")
    else:
        parts = next(csv.reader([cell], delimiter=";", skipinitialspace=True), [])
    return [v for v in (" ".join(p.split()) for p in parts) if v]


def trailing_group(text: str) -> tuple[str, str] | None:
    """Split "A (B)" into (A, B) when the text ends with a balanced parenthesis group."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                head, inner = text[:i].strip(), text[i + 1 : -1].strip()
                return (head, inner) if head and inner else None
    return None


def name_variants(value: str, is_person: bool) -> list[str]:
    """The names one printed name stands for (see the module docstring)."""
    group = trailing_group(value)
    if group is None:
        return [value]
    head, inner = group
    if inner.upper() in _LEGAL_FORMS or country_code(inner) is not None:
        return name_variants(head, is_person)  # "X (JSC)", "X (Kyrgyzstan)": a qualifier
    if detect_script(head) != detect_script(inner) or len(inner.split()) >= 2 or not is_person:
        # "A (B) (C)": A may carry a group of its own
        return [*name_variants(head, is_person), inner]
    head_words = head.split()
    if inner.isupper() and len(head_words) >= 2 and head_words[-1].isupper():
        return [head, " ".join([*head_words[:-1], inner])]
    return [value]


def birth_dates(text: str) -> list[str]:
    """ISO prefixes from a birthDate value: "7.2.1956", "1966", "18.1.1970 or 29.3.1965"."""
    found = parse_date(text)
    if found:
        return found
    out: list[str] = []
    for m in _EMBEDDED_DATE.finditer(text):
        out.extend(parse_date((m[1] or m[2]).replace(" ", ".").replace("..", ".")))
    return out


def nationalities(text: str) -> list[str]:
    """ISO2 codes of a nationality value: "Ukrainian, Russian (the Union does not ...)"."""
    text = re.sub(r"\([^)]*\)", " ", text)
    out: list[str] = []
    for part in re.split(r",|/|\band/or\b|\band\b|\bor\b", text):
        part = re.sub(r"^\s*of the\s+", "", part).strip(" .")
        code = country_code(part) or _NATIONALITY_FIXES.get(part.lower())
        if code is not None:
            out.append(code)
    return out


def documents(value: str, default: str) -> list[Identifier]:
    """Passport / ID numbers: "MP 3413113 and MP 2387911", "22EKO1347 (France)"."""
    out: list[Identifier] = []
    notes: list[str] = []
    for part in re.split(r",\s*|\s+and\s+", value):
        part = part.strip(" .;")
        if not part:
            continue
        if not any(c.isdigit() for c in part) or len(part) > 40 or part[0].islower():
            notes.append(part)
            continue
        id_type, country, note = default, None, None
        label = _DOC_LABEL.match(part)
        if label:
            word = label["label"].lower()
            id_type = "national_id" if word.startswith("national") else "passport"
            note = label["label"]
            part = part[label.end() :]
        group = trailing_group(part)
        if group:
            country = country_code(group[1])
            if country is None:
                note = group[1]
            part = group[0]
        if part:
            out.append(Identifier(id_type, part, country, note))
    if notes and out:
        first = out[0]
        extra = "; ".join(notes)
        out[0] = Identifier(
            first.type, first.value, first.country, f"{first.note or ''} {extra}".strip()
        )
    return out or [Identifier(default, value)]


@dataclass(slots=True)
class _Entity:
    key: str
    schema: Schema
    names: dict[str, NameKind] = field(default_factory=dict)
    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed_on: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def add_name(self, value: str, kind: NameKind) -> None:
        rank = ("primary", "alias", "weak_alias", "previous")
        if value not in self.names or rank.index(kind) < rank.index(self.names[value]):
            self.names[value] = kind

    def build(self) -> ListedEntity:
        names = sorted(self.names.items(), key=lambda kv: kv[1] != "primary")
        return ListedEntity(
            source=SOURCE,
            source_id=self.key,
            schema=self.schema,
            names=tuple(EntityName(v, k, detect_script(v)) for v, k in names),
            birth_dates=_unique(self.birth_dates),
            countries=_unique(self.countries),
            nationalities=_unique(self.nationalities),
            identifiers=_unique(self.identifiers),
            addresses=_unique(self.addresses),
            programs=_unique(self.programs),
            listed_on=min(self.listed_on) if self.listed_on else None,
            remarks="\n".join(_unique(self.remarks)) or None,
        )


def _unique(values: list[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(values))


def _read(path: Path) -> tuple[bytes, list[str], list[tuple[int, list[str]]]]:
    data = read_bytes(path)
    reader = csv.reader(io.StringIO(decode_text(data, path), newline=""))
    header = [h.strip() for h in next(reader, [])]
    for col in REQUIRED:
        if col not in header:
            raise ParseError(
                "not an EU annex CSV: required column missing", path=str(path), field=col
            )
    for col in header:
        if col not in COLUMNS:
            raise ParseError("unexpected column in EU annex CSV", path=str(path), field=col)
    rows = list(checked_records(reader, len(header), path))
    return data, header, rows


def _key(row: dict[str, str]) -> str:
    record = row["recordId"].strip()
    if not record:
        record = re.sub(r"\W+", "-", row["name"].casefold()).strip("-")[:60]
    return f"{row['celex'].strip()}/{row['annex'].strip()}/{record}"


def _add_row(ent: _Entity, row: dict[str, str], where: str, warnings: list[str]) -> None:
    """Fold one designation row into its entity."""
    is_person = ent.schema == "person"
    cells = {col: split_cell(row.get(col, "")) for col in _MULTI_COLUMNS}
    names = [p.strip() for p in _SPACES.sub(" ", row["name"]).split(" / ") if p.strip()]
    for i, printed in enumerate(names):
        for j, variant in enumerate(name_variants(printed, is_person)):
            ent.add_name(variant, "primary" if i == j == 0 else "alias")
    for col, kind in _NAME_COLUMNS:
        for printed in cells[col]:
            for variant in name_variants(printed, is_person):
                ent.add_name(variant, kind)
    for value in cells["birthDate"]:
        found = birth_dates(value)
        if not found:
            warnings.append(f"{where}: birthDate {value!r} not understood")
        ent.birth_dates.extend(found)
    for col in ("country", "jurisdiction", "flag"):
        ent.countries.extend(c for c in map(country_code, cells[col]) if c)
    for value in cells["address"]:
        address = Address(value, country_in_text(value))
        ent.addresses.append(address)
        if address.country:
            ent.countries.append(address.country)
    for value in cells["nationality"]:
        ent.nationalities.extend(nationalities(value))
    home = frozenset(ent.countries) | frozenset(ent.nationalities)
    russian = row["programKey"].strip().startswith(_RUSSIAN_PROGRAMS)
    for col, default in _CODE_COLUMNS:
        for value in cells[col]:
            ent.identifiers.extend(
                extract_codes(value, default=default, home=home, russian=russian)
            )
    for col, default in _DOC_COLUMNS:
        for value in cells[col]:
            if has_code_label(value):
                ent.identifiers.extend(
                    extract_codes(value, default=default, home=home, russian=russian)
                )
            else:
                ent.identifiers.extend(documents(value, default))
    for value in cells["imoNumber"]:
        digits = re.sub(r"^IMO\s*", "", value, flags=re.I)
        ok = digits.isdigit() and len(digits) == 7
        ent.identifiers.append(Identifier("imo", digits) if ok else Identifier("other", value))
    for col, id_type in _PLAIN_COLUMNS:
        ent.identifiers.extend(Identifier(id_type, v.replace(" ", "")) for v in cells[col])
    ent.programs.append(f"{row['programKey'].strip()} Annex {row['annex'].strip()}")
    start = row.get("startDate", "").strip()
    if start:
        listed = parse_date(start)
        if not listed:
            warnings.append(f"{where}: startDate {start!r} not understood")
        ent.listed_on.extend(d for d in listed if len(d) == 10)
    if row.get("reason", "").strip():
        ent.remarks.append(_SPACES.sub(" ", row["reason"]).strip())


def parse(paths: Sequence[Path]) -> ParsedList:
    """Parse one or more EU annex CSVs (plain or gzip) into listed entities."""
    files = sorted(((Path(p), *_read(Path(p))) for p in paths), key=lambda f: f[1])
    warnings: list[str] = []
    entities: dict[str, _Entity] = {}
    assets = 0
    for path, _, header, rows in files:
        for line, record in rows:
            row = dict(zip(header, record, strict=True))
            where = f"{path} row {line}"
            schema = _SCHEMAS.get(row["schema"].strip())
            if schema is None:
                raise ParseError(
                    f"unknown schema {row['schema']!r}", path=str(path), row=line, field="schema"
                )
            if not row["name"].strip():
                raise ParseError("empty name", path=str(path), row=line, field="name")
            assets += row["schema"].strip() == "Asset"
            key = _key(row)
            ent = entities.setdefault(key, _Entity(key, schema))
            if ent.schema != schema:
                warnings.append(f"{where}: {key} is {schema} here, {ent.schema} before; kept")
            _add_row(ent, row, where, warnings)
    if assets:
        warnings.append(
            f"{assets} row(s) of schema Asset (ports, airports, zones, tokens) "
            "loaded as organization"
        )
    return ParsedList(
        source=SOURCE,
        entities=tuple(e.build() for e in entities.values()),
        file_date=None,
        content_hash=content_hash(f[1] for f in files),
        files=tuple(str(p) for p in paths),
        warnings=tuple(warnings),
    )
