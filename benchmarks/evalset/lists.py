"""Read the raw list files in ``../shared/data`` into a small, eval-only record.

Raw csv/gzip/XML reading on purpose (not ``transitwatch.lists``), so the eval does not inherit a
parser bug. Targets (entities a positive case may point at) come from the current versions:
OFAC SDN 2024-07-02, UK list 2026-04, all EU annex files, UN 2026-02. Every *other* file
(older SDN versions, every alt.csv, the OFAC non-SDN list, the BIS Denied Persons and MIEU
lists) only adds names to :attr:`Lists.all_names`, which negatives are checked against.

Source ids follow the project's source names and parsers: ``us_ofac_sdn`` = ent_num,
``gb_fcdo_sanctions`` = unique_id, ``un_sc_sanctions`` = REFERENCE_NUMBER and
``eu_journal_sanctions`` = ``<celex>/<annex>/<recordId>`` (e.g. ``32014R0269/I.PERSONS/1``):
a recordId alone is not an id - it restarts at 1 in every annex (269/2014 numbers its persons
and its entities from 1 each). EU rows without a recordId are not used as targets.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from transitwatch.countries import country_code

_CYR = re.compile(r"[\u0400-\u04FF]")
_MONTHS = {m: i for i, m in enumerate(re.findall("...", "janfebmaraprmayjunjulaugsepoctnovdec"), 1)}
_ADJECTIVES = {
    "russian": "RU", "ukrainian": "UA", "belarusian": "BY", "kyrgyz": "KG", "kazakh": "KZ",
    "kazakhstani": "KZ", "uzbek": "UZ", "uzbekistani": "UZ", "tajik": "TJ", "armenian": "AM",
    "georgian": "GE", "moldovan": "MD", "azerbaijani": "AZ", "british": "GB", "israeli": "IL",
    "cypriot": "CY", "latvian": "LV", "lithuanian": "LT", "estonian": "EE", "turkish": "TR",
}  # fmt: skip


@dataclass
class Entry:
    source: str
    source_id: str
    ref: str
    schema: str  # person | organization | vessel
    primary: str
    names: list[tuple[str, str]] = field(default_factory=list)  # (value, kind)
    given: str = ""  # persons: given names incl. patronymic, as listed
    surname: str = ""
    gender: str = ""  # male | female | ""
    countries: list[str] = field(default_factory=list)  # ISO2, nationality first
    birth_dates: list[str] = field(default_factory=list)  # ISO prefixes
    pob: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.source_id)

    def latin_names(self) -> list[str]:
        return [v for v, _ in self.names if not _CYR.search(v) and v.isascii()]


@dataclass
class Lists:
    entries: list[Entry] = field(default_factory=list)
    all_names: list[tuple[str, str]] = field(default_factory=list)  # (name, schema) incl. old
    files: list[str] = field(default_factory=list)


def _open_text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def _rows(path: Path) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(_open_text(path))) if r and r[0] != "\x1a"]


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value in ("-0-", "") else re.sub(r"\s+", " ", value)


def _iso_country(text: str) -> str | None:
    text = text.strip().rstrip(".")
    return _ADJECTIVES.get(text.lower()) or country_code(text)


def _ofac(data: Path, lists: Lists) -> None:
    folder = data / "ofac_sdn"
    current: dict[str, Entry] = {}
    aliases: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(folder.glob("*.csv.gz")):
        lists.files.append(str(path.relative_to(data)))
        for row in _rows(path):
            if not row[0].strip().isdigit():
                continue
            if len(row) >= 12 and ("sdn_" in path.name or "prim" in path.name):
                kind = _clean(row[2]).lower()
                schema = {"individual": "person", "vessel": "vessel", "": "organization"}.get(kind)
                if schema is None:
                    continue
                name = _clean(row[1])
                lists.all_names.append((name, schema))
                if path.name == "sdn_2024-07-02.csv.gz":
                    current[row[0].strip()] = _ofac_entry(row, name, schema)
            elif len(row) >= 4 and "alt" in path.name:
                lists.all_names.append((_clean(row[3]), "any"))
                if path.name == "alt_2026-06-02.csv.gz":
                    kind = "previous" if _clean(row[2]) in ("fka", "nka") else "alias"
                    aliases.setdefault(row[0].strip(), []).append((_clean(row[3]), kind))
    for ent_num, entry in current.items():
        entry.names.extend(aliases.get(ent_num, []))
        lists.entries.append(entry)


def _ofac_entry(row: list[str], name: str, schema: str) -> Entry:
    remarks = _clean(row[11])
    entry = Entry("us_ofac_sdn", row[0].strip(), row[0].strip(), schema, name, [(name, "primary")])
    if schema == "person":
        surname, _, given = name.partition(",")
        entry.surname, entry.given = surname.strip(), given.strip()
    for m in re.finditer(r"(?:nationality|citizen) ([^;]+?)[;.]", remarks):
        code = _iso_country(m.group(1))
        if code and code not in entry.countries:
            entry.countries.append(code)
    for m in re.finditer(r"DOB (?:(\d{1,2}) )?(?:([A-Z][a-z]{2}) )?(\d{4})", remarks):
        day, month, year = m.groups()
        entry.birth_dates.append(_iso(year, _MONTHS.get((month or "").lower()), day))
    if m := re.search(r"POB ([^;]+)", remarks):
        entry.pob = m.group(1)
    if m := re.search(r"Gender (Male|Female)", remarks):
        entry.gender = m.group(1).lower()
    return entry


def _iso(year: str, month: int | str | None, day: int | str | None) -> str:
    if month and day:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{year}-{int(month):02d}" if month else year


def _uk(data: Path, lists: Lists) -> None:
    folder = data / "uk_sanctions_list"
    tables = {}
    for name in ("subjects", "subject_names", "subject_dobs", "subject_countries"):
        path = folder / f"{name}.csv.gz"
        lists.files.append(str(path.relative_to(data)))
        tables[name] = list(csv.DictReader(io.StringIO(_open_text(path))))
    kinds = {"individual": "person", "entity": "organization", "ship": "vessel"}
    by_id: dict[str, Entry] = {}
    for row in tables["subjects"]:
        uid = row["unique_id"]
        by_id[uid] = Entry("gb_fcdo_sanctions", uid, uid, kinds[row["subject_type"]], "")
    for row in tables["subject_names"]:
        entry = by_id.get(row["unique_id"])
        name = re.sub(r"\s+", " ", row["full_name"]).strip()
        if entry is None or not name:
            continue
        lists.all_names.append((name, entry.schema))
        entry.names.append((name, row["name_type"]))
        if row["name_type"] == "primary" and not entry.primary:
            entry.primary = name
            entry.surname = row["name_6"].strip()
            given = [row[f"name_{i}"].strip() for i in range(1, 6)]
            entry.given = " ".join(g for g in given if g)
    for row in tables["subject_dobs"]:
        entry = by_id.get(row["unique_id"])
        if entry is not None and row["year"].isdigit():
            month = row["month"] if row["month"].isdigit() else None
            day = row["day"] if row["day"].isdigit() and month else None
            entry.birth_dates.append(_iso(row["year"], month, day))
    for row in tables["subject_countries"]:
        entry = by_id.get(row["unique_id"])
        iso = (row["iso"] or "").upper()
        if entry is not None and row["country_type"] == "nationality" and len(iso) == 2:
            if iso not in entry.countries:
                entry.countries.append(iso)
        elif entry is not None and row["country_type"] == "birth" and not entry.pob:
            entry.pob = row["raw_value"]
    lists.entries.extend(e for e in by_id.values() if e.primary)


def split_cell(cell: str) -> list[str]:
    """Decode one multi-valued EU cell (values separated by ``; ``, CSV-quoted inside)."""
    if not cell.strip():
        return []
    reader = csv.reader([cell], delimiter=";", skipinitialspace=True)
    return [re.sub(r"\s+", " ", v).strip() for v in next(reader) if v.strip()]


def cyrillic_parts(alias: str) -> list[str]:
    """Cyrillic spellings inside one EU alias: "Latin (Кириллица)" and "RU / UK" are split."""
    parts = []
    for m in re.finditer(r"\(([^()]*)\)", alias):
        if _CYR.search(m.group(1)):
            parts.append(m.group(1))
    rest = re.sub(r"\([^()]*\)", "", alias) if parts else alias
    parts.extend(p for p in rest.split(" / ") if _CYR.search(p))
    return [p.strip(" ,") for p in parts if p.strip(" ,")]


_EU_NAME_COLUMNS = (("alias", "alias"), ("weakAlias", "weak"), ("previousName", "prev"))


def _eu(data: Path, lists: Lists) -> None:
    kinds = {"Person": "person", "LegalEntity": "organization", "Company": "organization"}
    kinds["Vessel"] = "vessel"
    for path in sorted((data / "eu_official_journal_russia").glob("*.csv.gz")):
        lists.files.append(str(path.relative_to(data)))
        for row in csv.DictReader(io.StringIO(_open_text(path))):
            schema = kinds.get(row["schema"])
            name = re.sub(r"\s+", " ", row["name"]).strip()
            if schema is None or not name:
                continue
            names = [(name, "primary")]
            for column, kind in _EU_NAME_COLUMNS:
                for value in split_cell(row[column]):
                    names.append((value, kind))
                    names.extend((c, "cyrillic") for c in cyrillic_parts(value) if c != value)
            lists.all_names.extend((n, schema) for n, _ in names)
            if not row["recordId"]:
                continue
            key = f"{row['celex'].strip()}/{row['annex'].strip()}/{row['recordId'].strip()}"
            entry = Entry("eu_journal_sanctions", key, key, schema, name, names)
            entry.gender = row["gender"].strip().lower()
            for text in split_cell(row["nationality"]) + split_cell(row["country"]):
                code = _iso_country(text)
                if code and code not in entry.countries:
                    entry.countries.append(code)
            for text in split_cell(row["birthDate"]):
                if m := re.fullmatch(r"(?:(\d{1,2})\.)?(?:(\d{1,2})\.)?(\d{4})", text):
                    day, month, year = m.groups()
                    entry.birth_dates.append(_iso(year, month if day else None, day))
            entry.pob = row["birthPlace"]
            if schema == "person":
                tokens = name.split()
                caps = [t for t in tokens if t.isupper() and len(t.strip(".-")) > 1]
                entry.surname = " ".join(caps)
                entry.given = " ".join(t for t in tokens if t not in caps)
            lists.entries.append(entry)


def _un(data: Path, lists: Lists) -> None:
    path = data / "un_sc_consolidated" / "un_consolidated_2026-02-27.xml.gz"
    lists.files.append(str(path.relative_to(data)))
    root = ET.fromstring(_open_text(path))
    for tag, schema in (("INDIVIDUAL", "person"), ("ENTITY", "organization")):
        for node in root.iter(tag):
            parts = [
                (node.findtext(p) or "").strip()
                for p in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
            ]
            name = re.sub(r"\s+", " ", " ".join(p for p in parts if p))
            ref = (node.findtext("REFERENCE_NUMBER") or "").strip()
            if not name or not ref:
                continue
            entry = Entry("un_sc_sanctions", ref, ref, schema, name, [(name, "primary")])
            for alias in node.iter(f"{tag}_ALIAS"):
                value = (alias.findtext("ALIAS_NAME") or "").strip()
                if value:
                    entry.names.append((re.sub(r"\s+", " ", value), "alias"))
            original = (node.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
            if original:
                entry.names.append((re.sub(r"\s+", " ", original), "original_script"))
            nat = node.find("NATIONALITY")
            if nat is not None:
                for value in nat.iter("VALUE"):
                    code = _iso_country(value.text or "")
                    if code:
                        entry.countries.append(code)
            for dob in node.iter("INDIVIDUAL_DATE_OF_BIRTH"):
                date, year = dob.findtext("DATE"), dob.findtext("YEAR")
                entry.birth_dates.extend(v[:10] for v in (date, year) if v)
            lists.all_names.extend((n, schema) for n, _ in entry.names)
            lists.entries.append(entry)


def _bis(data: Path, lists: Lists) -> None:
    """BIS Denied Persons (tab-separated) and MIEU (csv): names only, for the negatives check."""
    folder = data / "bis_party_lists"
    for path in sorted(folder.glob("dpl_*.txt.gz")):
        lists.files.append(str(path.relative_to(data)))
        for row in csv.DictReader(io.StringIO(_open_text(path)), delimiter="\t"):
            cell = row.get("Name") or ""
            for part in re.split(r"\b[ADF]/K/A\b|\(A\.K\.A\.|[()]", cell):
                if part.strip(" ,."):
                    lists.all_names.append((re.sub(r"\s+", " ", part).strip(" ,."), "any"))
    path = folder / "bis_mieu_list.csv"
    if path.exists():
        lists.files.append(str(path.relative_to(data)))
        for row in csv.DictReader(io.StringIO(_open_text(path))):
            for value in [row.get("Name") or "", *(row.get("Alias") or "").split(";")]:
                if value.strip():
                    lists.all_names.append((value.strip(), "any"))


def load(data: Path) -> Lists:
    """Load every list under ``data``; entries sorted by (source, source_id, ref)."""
    lists = Lists()
    for loader in (_ofac, _uk, _eu, _un, _bis):
        loader(data, lists)
    lists.entries.sort(key=lambda e: (e.source, e.source_id, e.ref))
    lists.all_names = sorted(set(lists.all_names))
    return lists
