"""US BIS party lists: the Denied Persons List (DPL) and the Military-Intelligence End User list.

**DPL** (``dpl.txt``, historically ``https://www.bis.doc.gov/dpl/dpl.txt``): tab-separated, every
field double-quoted, one header row ``Name, Street_Address, City, State, Country, Postal_Code,
Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation``. Dates are
``MM/DD/YYYY`` except ``Last_Update`` (``YYYY-MM-DD``, with typos such as ``3017-08-22``).
One row per (party, address): rows are merged by normalised name (``name_key``) into one
entity whose addresses are the union of the rows'. Aliases are separate rows in the DPL
("I. ASH" / "ABDULLAH AL NASSER"); they stay separate entities, since merging on shared
addresses would also merge family members denied under one order. Inline "A/K/A", "D/B/A"
and "(A.K.A. ...)" become aliases, "F/K/A" previous names.

* ``source_id`` = ``"dpl-"`` + first 12 hex digits of sha1(``name_key``): the file has no id,
  so the id is stable as long as BIS spells the name the same way.
* Schema: the DPL mixes people and companies; ``guess_schema`` says organisation when the
  name has a legal form (INC, LLC, LTD, CORP, CO., GMBH, S.A., JSC, ...; short forms such as
  AG/AB/SA only as the last word or with dots), a business word (AIRLINES, TRADING, SYSTEMS,
  ...), a TECH/TRONIC stem or a web domain; otherwise person.
* Country: the ``Country`` column (ISO2, "PRC" tolerated); blank with a US ``State`` -> US;
  blank with a non-US ``State`` (e.g. "CY", "RS") -> unknown, with a warning.
* ``file_date`` = latest plausible ``Last_Update`` (years after next year are typos, ignored).

**MIEU** (``mieu.csv``, OpenSanctions' transcription): comma-separated with header
``Type, Name, Alias, Country, Topics, Program, Date, End date, Source URL``; aliases and
countries split on ';'. ``source_id`` = ``"mieu-"`` + sha1(``name_key``)[:12];
``file_date`` = the latest designation ``Date`` (the file has no publication date).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from transitwatch.countries import country_code
from transitwatch.errors import InputError, ParseError
from transitwatch.lists.dates import parse_date
from transitwatch.lists.io import content_hash, decode_text, read_bytes
from transitwatch.lists.model import (
    Address,
    EntityName,
    ListedEntity,
    NameKind,
    ParsedList,
    ParseReport,
    Schema,
)
from transitwatch.names.scripts import detect_script

SOURCE_DPL = "us_bis_denied"
SOURCE_MIEU = "us_bis_mieu"
DPL_PROGRAM = "US-BIS-DPL"
DPL_COLUMNS = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code",
               "Effective_Date", "Expiration_Date", "Last_Update", "FR_Citation")  # fmt: skip
MIEU_COLUMNS = ("Type", "Name", "Alias", "Country", "Program", "Date")
_ENCODINGS = ("utf-8", "cp1252")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Legal forms that mark an organisation wherever they stand in the name.
_LEGAL_FORMS = _words(
    "INC INCORPORATED LLC LLP LTD LIMITED CORP CORPORATION COMPANY GMBH PLC PTE PVT PTY BHD "
    "JSC PJSC OJSC CJSC OAO ZAO OOO FZC FZE FZCO ANSTALT SARL SRL SPA GIE"
)
# Short legal forms that are also name syllables ("SA", "AB"): only as the last word, or dotted.
_SHORT_FORMS = _words("CO SA SL AG AB KG BV NV OY AS LP SAS")
_ORG_WORDS = _words(
    "AIR AIRLINE AIRLINES AIRWAYS AVIATION TECHNOLOGY TECHNOLOGIES TECHNIK SOLUTIONS SYSTEMS "
    "ELECTRONIC ELECTRONICS ENGINEERING INTERNATIONAL INTERNACIONAL GROUP ENTERPRISE "
    "ENTERPRISES INDUSTRIE INDUSTRIES INDUSTRIAL TRADE TRADING EXPORT IMPORT COMPUTER COMPUTERS "
    "METALS SERVICE SERVICES MANUFACTURING SUPPLY SUPPLIES EQUIPMENT PRODUCTS CONSTRUCTION "
    "CONTRACTING TRANSPORT TRANSPORTATION MARITIME SHIPPING FREIGHT CARGO LOGISTICS EMPRESA "
    "COMMERCIO INVEST INVESTMENT INVESTMENTS HANDEL VERTRIEBS BAUELEMENTE REFINING BANK "
    "ASSOCIATES FIBERS MANAGEMENT MICROWAVE MICROCIRCUIT PROTOTYPE NONWOVENS DATA CHEMICAL "
    "CHEMICALS PHARMA LABORATORIES INSTITUTE UNIVERSITY BUREAU AGENCY MINISTRY DIRECTORATE "
    "CENTER CENTRE FOUNDATION ACADEMY"
)
_ORG_STEMS = ("TECH", "TRONIC")
_DOMAIN = re.compile(r"\w\.(?:NET|COM|ORG|BIZ)\b", re.IGNORECASE)
_INLINE_ALIAS = re.compile(r"\s*\((A\.?K\.?A\.?|F\.?K\.?A\.?|D/B/A)\s+([^)]*)\)", re.IGNORECASE)
_ALIAS_SEP = re.compile(r"\s+(A/K/A|AKA|D/B/A|DBA|F/K/A|FKA)\s+", re.IGNORECASE)
_US_STATES = _words(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
)
_SPACES = re.compile(r"\s+")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def name_key(name: str) -> str:
    """Normalised name for grouping rows: accents and punctuation dropped, case folded, upper."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", letters).upper().split())


def stable_id(prefix: str, name: str) -> str:
    """``prefix-<12 hex>`` from the normalised name: the same name always gives the same id."""
    return f"{prefix}-{hashlib.sha1(name_key(name).encode()).hexdigest()[:12]}"


def guess_schema(name: str) -> Schema:
    """Person or organisation for a DPL name (which does not say); see the module docstring."""
    upper = name.upper()
    if _DOMAIN.search(upper):
        return "organization"
    raw_tokens = [t for t in re.split(r"[\s,()/]+", upper) if t.strip(".&-")]
    for i, raw in enumerate(raw_tokens):
        compact = raw.replace(".", "").strip("&-\"'")
        if compact in _LEGAL_FORMS:
            return "organization"
        if compact in _SHORT_FORMS and (i == len(raw_tokens) - 1 or raw.endswith(".")):
            return "organization"
        for part in compact.split("-"):
            if part in _ORG_WORDS or any(stem in part for stem in _ORG_STEMS):
                return "organization"
    return "person"


def split_dpl_name(raw: str) -> list[tuple[str, NameKind]]:
    """A DPL Name cell as (name, kind) pairs: "X A/K/A Y", "X D/B/A Y", "P (A.K.A. Y) L"."""
    text = _clean(raw).replace(" ,", ",").rstrip(",").strip()
    extra: list[tuple[str, NameKind]] = []
    for m in _INLINE_ALIAS.finditer(text):
        extra.append((_clean(m[2]), "previous" if "F" in m[1].upper() else "alias"))
    text = _clean(_INLINE_ALIAS.sub("", text))
    parts = _ALIAS_SEP.split(text)
    names: list[tuple[str, NameKind]] = [(parts[0], "primary")]
    for marker, value in zip(parts[1::2], parts[2::2], strict=True):
        names.append((value.strip(), "previous" if marker.upper().startswith("F") else "alias"))
    return [(n, k) for n, k in [*names, *extra] if n]


@dataclass
class _Party:
    """DPL rows of one party, merged."""

    names: dict[str, NameKind]
    addresses: dict[Address, None] = field(default_factory=dict)
    effective: set[str] = field(default_factory=set)
    expires: set[str] = field(default_factory=set)
    citations: dict[str, None] = field(default_factory=dict)


def _rows(
    text: str, path: Path, delimiter: str, required: Sequence[str], optional: Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row keyed by column name) per data row; absent optional columns are ""."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ParseError("empty file, expected a header row", path=str(path), row=1)
        index = {h.strip().lower(): i for i, h in enumerate(header)}
        for col in required:
            if col.lower() not in index:
                raise ParseError("missing column in header", path=str(path), row=1, field=col)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ParseError(
                    f"{len(row)} fields, header has {len(header)}",
                    path=str(path),
                    row=reader.line_num,
                )
            cells = {c: row[index[c.lower()]] for c in required}
            cells.update({c: row[index[c.lower()]] if c.lower() in index else "" for c in optional})
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ParseError(f"malformed CSV ({exc})", path=str(path), row=reader.line_num) from exc


def _dpl_country(row: dict[str, str], where: str, report: ParseReport) -> str | None:
    raw, state = _clean(row["Country"]), _clean(row["State"]).upper()
    if raw:
        code = country_code(raw)
        if code is None and raw.upper() in _US_STATES and not state:
            return "US"  # a US state in the Country column ("NM" is no ISO code)
        if code is None or len(code) != 2:
            report.warn(f"{where}: unknown Country {raw!r}")
            return None
        return code
    if not state or state in _US_STATES:
        return "US" if state else None
    report.warn(f"{where}: State {state!r} is not a US state and Country is blank; country unknown")
    return None


def _read(paths: Sequence[Path], what: str) -> tuple[list[tuple[Path, str]], list[bytes]]:
    if not paths:
        raise InputError(f"{what}: no file given")
    ordered = sorted((Path(p) for p in paths), key=str)
    blobs = [read_bytes(p) for p in ordered]
    return [(p, decode_text(b, p, _ENCODINGS)) for p, b in zip(ordered, blobs, strict=True)], blobs


def _iso(text: str) -> str | None:
    found = parse_date(_clean(text), day_first=False)
    return found[0] if found else None


def parse_dpl(paths: Sequence[Path]) -> ParsedList:
    """Parse the BIS Denied Persons List text file(s) (plain or gzip) into merged entities."""
    texts, blobs = _read(paths, SOURCE_DPL)
    report = ParseReport()
    parties: dict[str, _Party] = {}
    updates: list[str] = []
    latest_year = dt.date.today().year + 1
    for path, text in texts:
        for line, row in _rows(text, path, "\t", DPL_COLUMNS):
            report.rows_read += 1
            where = f"{path}, row {line}"
            names = split_dpl_name(row["Name"])
            if not names:
                report.warn(f"{where}: empty Name; row skipped")
                continue
            party = parties.setdefault(name_key(names[0][0]), _Party(names={}))
            for value, kind in names:
                # A second spelling of the party's name ("AL-NASER" / "AL NASER") is an alias.
                second = kind == "primary" and bool(party.names)
                party.names.setdefault(value, "alias" if second else kind)
            country = _dpl_country(row, where, report)
            parts = [row[c] for c in ("Street_Address", "City", "State", "Postal_Code", "Country")]
            full = ", ".join(p for p in (_clean(x) for x in parts) if p)
            if full:
                party.addresses[Address(full=full, country=country)] = None
            if eff := _iso(row["Effective_Date"]):
                party.effective.add(eff)
            if exp := _iso(row["Expiration_Date"]):
                party.expires.add(exp)
            if cite := _clean(row["FR_Citation"]):
                party.citations[cite] = None
            update = _clean(row["Last_Update"])
            if _DAY.fullmatch(update) and 1990 <= int(update[:4]) <= latest_year:
                updates.append(update)
            elif update:
                report.warn(f"{where}: implausible Last_Update {update!r} ignored")
    entities = []
    for party in parties.values():
        primary = next(iter(party.names))
        remarks = []
        if party.expires:
            remarks.append(f"Denial expires {', '.join(sorted(party.expires))}.")
        if party.citations:
            remarks.append(f"Federal Register: {'; '.join(party.citations)}.")
        entities.append(
            ListedEntity(
                source=SOURCE_DPL,
                source_id=stable_id("dpl", primary),
                schema=guess_schema(primary),
                names=tuple(EntityName(v, k, detect_script(v)) for v, k in party.names.items()),
                countries=tuple(dict.fromkeys(a.country for a in party.addresses if a.country)),
                addresses=tuple(party.addresses),
                programs=(DPL_PROGRAM,),
                listed_on=min(party.effective) if party.effective else None,
                remarks=" ".join(remarks) or None,
            )
        )
    return ParsedList(
        source=SOURCE_DPL,
        entities=tuple(entities),
        file_date=max(updates) if updates else None,
        content_hash=content_hash(blobs),
        files=tuple(str(p) for p, _ in texts),
        warnings=tuple(report.warnings),
    )


_MIEU_SCHEMAS: dict[str, Schema] = {
    "organization": "organization",
    "company": "organization",
    "legalentity": "organization",
    "publicbody": "organization",
    "person": "person",
    "vessel": "vessel",
    "airplane": "aircraft",
}


def _split(cell: str) -> list[str]:
    return [v for v in (_clean(x) for x in cell.split(";")) if v]


def parse_mieu(paths: Sequence[Path]) -> ParsedList:
    """Parse the BIS Military-Intelligence End User CSV (OpenSanctions transcription)."""
    texts, blobs = _read(paths, SOURCE_MIEU)
    report = ParseReport()
    by_id: dict[str, ListedEntity] = {}
    dates: list[str] = []
    for path, text in texts:
        for line, row in _rows(text, path, ",", MIEU_COLUMNS, ("End date", "Source URL")):
            report.rows_read += 1
            name = _clean(row["Name"])
            schema = _MIEU_SCHEMAS.get(_clean(row["Type"]).lower().replace(" ", ""))
            if not name or schema is None:
                report.warn(f"{path}, row {line}: no Name or unknown Type {row['Type']!r}; skipped")
                continue
            names = [EntityName(name, "primary", detect_script(name))]
            names += [EntityName(a, "alias", detect_script(a)) for a in _split(row["Alias"])]
            countries = [c for c in (country_code(v) for v in _split(row["Country"])) if c]
            listed = _iso(row["Date"])
            dates.extend([listed] if listed else [])
            remarks = [f"End date {end}." if (end := _clean(row["End date"])) else "",
                       _clean(row["Source URL"])]  # fmt: skip
            entity = ListedEntity(
                source=SOURCE_MIEU,
                source_id=stable_id("mieu", name),
                schema=schema,
                names=tuple(dict.fromkeys(names)),
                countries=tuple(dict.fromkeys(countries)),
                programs=tuple(_split(row["Program"])) or ("US-BIS-MIEU",),
                listed_on=listed,
                remarks=" ".join(r for r in remarks if r) or None,
            )
            if entity.source_id in by_id:
                report.warn(f"{path}, row {line}: {name!r} listed twice; last row kept")
            by_id[entity.source_id] = entity
    return ParsedList(
        source=SOURCE_MIEU,
        entities=tuple(by_id.values()),
        file_date=max(dates) if dates else None,
        content_hash=content_hash(blobs),
        files=tuple(str(p) for p, _ in texts),
        warnings=tuple(report.warnings),
    )
