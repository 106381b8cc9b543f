"""Parser for OFAC's legacy CSV files: the SDN list and the non-SDN Consolidated list.

Field spec: ``https://www.treasury.gov/resource-center/sanctions/SDN-List/Documents/dat_spec.txt``.
Both lists share one layout of up to four files, none with a header row:

* primary (``sdn.csv`` / ``cons_prim.csv``), 12 columns: ``ent_num, SDN_Name, SDN_Type, Program,
  Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks``;
* alias (``alt.csv``), 5 columns: ``ent_num, alt_num, alt_type, alt_name, alt_remarks`` with
  ``alt_type`` one of ``aka``, ``fka``, ``nka``;
* address (``add.csv``), 6 columns: ``ent_num, add_num, address, "city, state/province, postal
  code", country, add_remarks``;
* comments (``sdn_comments.csv``), 2 columns: ``ent_num, remarks_extended`` - the continuation of
  a ``Remarks`` value cut at 1,000 characters. The cut falls mid-word or just after a space, so
  the two are joined as is; a continuation of a Remarks value that is *not* 1,000 characters
  long comes from another list version and is ignored with a warning.

Per the spec, null is the literal ``-0-`` (written ``-0- `` with a trailing space), lines end
in CRLF and the file ends with a DOS end-of-file byte ``\\x1a``. Which file is which is decided
by content (column count and value shapes), never by file name; files may be gzip or plain and
may carry a header row.

Mapping choices:

* ``SDN_Type`` ``individual`` -> person, ``vessel`` -> vessel, ``aircraft`` -> aircraft, null ->
  organization. ``Program`` holds ``PROG1] [PROG2``: split on ``] [``.
* Names: ``SDN_Name`` is the primary name. A person's ``"SURNAME, Given Names"`` is kept as
  listed and its natural order ``"Given Names SURNAME"`` is added with the *same* kind (both
  ``primary`` for the SDN name; the same goes for a person's aliases): it is the same name
  written the other way round, not an alias, and screening must weigh it as the listed name.
  alt.csv ``aka`` -> ``alias``; ``fka`` -> ``previous``; ``nka`` (now known as: the current
  name) -> ``alias``; an ``alt_remarks`` mentioning a
  weak or low-quality alias -> ``weak_alias``. Quoted ``a.k.a.``/``f.k.a.``/``n.k.a.`` names in
  Remarks are added after them. Names are deduplicated case-insensitively (first kind wins).
* Remarks facts: see :mod:`transitwatch.lists.ofac_remarks`. ``Linked To: NAME`` gets
  ``target_source_id`` when NAME equals the primary name of exactly one other entity.
* ``countries``: add.csv countries, then nationalities, then ``Vess_flag`` of vessels. The
  "(Country)" of an identifier is its issuer, not a residence, and is not included.
* Addresses: one per add.csv row that has a street or a city part: ``full`` is the non-null
  parts joined with ", " (country included). A row with only a country adds to ``countries``.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from transitwatch.errors import ParseError
from transitwatch.lists.io import content_hash, decode_text, read_bytes
from transitwatch.lists.model import (
    Address,
    EntityName,
    Link,
    ListedEntity,
    NameKind,
    ParsedList,
    Schema,
)
from transitwatch.lists.ofac_remarks import iso2, parse_remarks
from transitwatch.names.scripts import detect_script

Role = Literal["primary", "alt", "add", "comments"]
ROLES: tuple[Role, ...] = ("primary", "alt", "add", "comments")

COLUMNS: dict[Role, tuple[str, ...]] = {
    "primary": (
        "ent_num",
        "SDN_Name",
        "SDN_Type",
        "Program",
        "Title",
        "Call_Sign",
        "Vess_type",
        "Tonnage",
        "GRT",
        "Vess_flag",
        "Vess_owner",
        "Remarks",
    ),
    "alt": ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"),
    "add": ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks"),
    "comments": ("ent_num", "remarks_extended"),
}
_ROLE_BY_WIDTH: dict[int, Role] = {len(cols): role for role, cols in COLUMNS.items()}
_ROLE_TITLE: dict[Role, str] = {
    "primary": "primary (sdn.csv)",
    "alt": "alias (alt.csv)",
    "add": "address (add.csv)",
    "comments": "comments (sdn_comments.csv)",
}

_SCHEMAS: dict[str, Schema] = {
    "individual": "person",
    "vessel": "vessel",
    "aircraft": "aircraft",
    "": "organization",
}
_ALT_KINDS: dict[str, NameKind] = {"aka": "alias", "fka": "previous", "nka": "alias"}
_WEAK = re.compile(r"\b(?:weak|low[ -]quality)\b", re.IGNORECASE)
_FILE_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
_EOF = "\x1a"
_NULL = "-0- "
_HEADER_FIELD = re.compile(r"^\s*[A-Za-z_][A-Za-z_ ]*$")
_EXAMPLES = 5
REMARKS_LIMIT = 1000  # dat_spec.txt: Remarks is cut at 1,000 characters, the rest is in comments


def _value(text: str) -> str:
    """A field's value, with OFAC's null ``-0-`` (any surrounding spaces) read as ''."""
    if text == _NULL:
        return ""
    stripped = text.strip()
    return "" if stripped == "-0-" else stripped


# A data row: (line number in the file, ent_num normalised, the fields as read).
_Row = tuple[int, str, list[str]]


@dataclass(slots=True)
class _File:
    """One input file: its role, decompressed bytes and data rows, in file order and by ent_num."""

    path: Path
    role: Role
    data: bytes
    rows: list[_Row]
    by_ent: dict[str, list[_Row]]


def _is_header(record: list[str]) -> bool:
    """A header row: its first field is a column name ("ent_num", "Ent Num"), not a number."""
    return _HEADER_FIELD.match(record[0]) is not None


def _read_file(path: Path, warnings: list[str]) -> _File | None:
    """Read one file and recognise its role from the width of its first data row.

    Returns None (with a warning) for a file without a single data row: its role cannot be told.
    """
    data = read_bytes(path)
    text = decode_text(data, path, ("utf-8", "cp1252"))
    if _EOF in text:
        text, after = text.split(_EOF, 1)
        if after.strip(" ,\r\n\t" + _EOF):
            warnings.append(
                f"{path}: ignored {len(after)} characters after the DOS end-of-file byte"
            )
    reader = csv.reader(io.StringIO(text))
    rows: list[_Row] = []
    by_ent: dict[str, list[_Row]] = {}
    role: Role | None = None
    first_record = True
    try:
        for record in reader:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            line = reader.line_num
            if role is None:
                if first_record and _is_header(record):
                    first_record = False
                    continue
                first_record = False
                width = _ROLE_BY_WIDTH.get(len(record))
                if width is None:
                    widths = ", ".join(f"{len(c)} ({_ROLE_TITLE[r]})" for r, c in COLUMNS.items())
                    raise ParseError(
                        f"not an OFAC CSV file: first record has {len(record)} columns, "
                        f"expected one of {widths}",
                        path=str(path),
                        row=line,
                    )
                role = width
            row = (line, _check_row(record, role, path, line), record)
            rows.append(row)
            by_ent.setdefault(row[1], []).append(row)
    except csv.Error as exc:
        raise ParseError(f"malformed CSV ({exc})", path=str(path), row=reader.line_num) from exc
    if role is None:
        warnings.append(f"{path}: no data rows; file ignored")
        return None
    return _File(path, role, data, rows, by_ent)


def _check_row(record: list[str], role: Role, path: Path, line: int) -> str:
    """The row's ent_num; ParseError when the row does not have the shape its role requires."""
    columns = COLUMNS[role]
    if len(record) != len(columns):
        if len(record) < len(columns):
            missing = columns[len(record)]
            message = f"{len(record)} columns where a {_ROLE_TITLE[role]} row has {len(columns)}"
            raise ParseError(
                f"{message}; {missing} and after are missing",
                path=str(path),
                row=line,
                field=missing,
            )
        raise ParseError(
            f"{len(record)} columns where a {_ROLE_TITLE[role]} row has {len(columns)} "
            f"(an unquoted comma in {columns[-1]}?)",
            path=str(path),
            row=line,
            field=columns[-1],
        )
    ent = record[0].strip()
    if not ent.isdigit():
        raise ParseError(
            f"ent_num must be a whole number, found {record[0]!r}",
            path=str(path),
            row=line,
            field="ent_num",
        )
    if ent[0] == "0":
        ent = str(int(ent))
    if role == "primary":
        if not _value(record[1]):
            raise ParseError("the name is empty", path=str(path), row=line, field="SDN_Name")
        if _value(record[2]).lower() not in _SCHEMAS:
            raise ParseError(
                f"unknown SDN_Type {record[2]!r} (expected individual, vessel, aircraft or -0-)",
                path=str(path),
                row=line,
                field="SDN_Type",
            )
    elif role == "alt" and _value(record[2]).lower() not in _ALT_KINDS:
        raise ParseError(
            f"unknown alt_type {record[2]!r} (expected aka, fka or nka)",
            path=str(path),
            row=line,
            field="alt_type",
        )
    return ent


def _natural_order(name: str) -> str | None:
    """A person's "SURNAME, Given Names" in natural order, or None when not of that shape.

    "KOLBAYEV, Kamchybek Asanbekovich" -> "Kamchybek Asanbekovich KOLBAYEV";
    "DELOS REYES, Feliciano Semborio, Jr." -> "Feliciano Semborio DELOS REYES Jr.".
    """
    parts = [p.strip() for p in name.split(",")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    rest = " ".join(p for p in parts[2:] if p)
    return " ".join(p for p in (parts[1], parts[0], rest) if p)


@dataclass(slots=True)
class _Names:
    """Names of one entity in order, deduplicated case-insensitively (first kind wins)."""

    person: bool
    names: list[EntityName] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def add(self, value: str, kind: NameKind) -> None:
        forms = [value]
        if self.person:
            natural = _natural_order(value)
            if natural is not None:
                forms.append(natural)
        for form in forms:
            form = " ".join(form.split())
            key = form.casefold()
            if not form or key in self.seen:
                continue
            self.seen.add(key)
            script = "latin" if form.isascii() else detect_script(form)
            self.names.append(EntityName(form, kind, script))


_NO_ROWS: dict[str, list[_Row]] = {}


def _orphan_warning(files: dict[Role, _File]) -> str | None:
    """One warning summarising rows of alt/add/comments whose ent_num the primary file lacks."""
    known = files["primary"].by_ent
    orphans: set[str] = set()
    details = []
    for role in ("alt", "add", "comments"):
        file = files.get(role)
        if file is None:
            continue
        missing = [ent for ent in file.by_ent if ent not in known]
        if missing:
            rows = sum(len(file.by_ent[ent]) for ent in missing)
            details.append(f"{file.path.name}: {len(missing):,} ent_nums, {rows:,} rows")
            orphans.update(missing)
    if not orphans:
        return None
    examples = ", ".join(sorted(orphans, key=int)[:_EXAMPLES])
    return (
        f"{len(orphans):,} ent_nums referenced by the alias/address/comments files are absent "
        f"from the primary file {files['primary'].path.name}; their rows were ignored "
        f"({'; '.join(details)}); e.g. ent_num {examples}. The files are probably from "
        f"different list versions."
    )


def _read_all(
    paths: Sequence[Path], source: str, warnings: list[str]
) -> tuple[dict[Role, _File], list[Path]]:
    """Read every file and key it by role; exactly one primary file, at most one of each other."""
    files: dict[Role, _File] = {}
    ignored: list[Path] = []
    for raw_path in paths:
        path = Path(raw_path)
        file = _read_file(path, warnings)
        if file is None:
            ignored.append(path)
            continue
        if file.role in files:
            raise ParseError(
                f"two {_ROLE_TITLE[file.role]} files given: {files[file.role].path} and {path}",
                path=str(path),
            )
        files[file.role] = file
    if "primary" not in files:
        given = ", ".join(str(p) for p in paths) or "none"
        raise ParseError(
            f"no primary {source} file (12 columns: {', '.join(COLUMNS['primary'])}) "
            f"among the files given: {given}"
        )
    primary = files["primary"]
    for ent, rows in primary.by_ent.items():
        if len(rows) > 1:
            raise ParseError(
                f"ent_num {ent} is listed twice (first on row {rows[0][0]})",
                path=str(primary.path),
                row=rows[1][0],
                field="ent_num",
            )
    return files, ignored


class _Builder:
    """Turns the primary rows plus their alt/add/comments rows into ListedEntity objects."""

    def __init__(self, files: dict[Role, _File], source: str) -> None:
        self.source = source
        self.alt = files["alt"].by_ent if "alt" in files else _NO_ROWS
        self.add = files["add"].by_ent if "add" in files else _NO_ROWS
        self.comments = files["comments"].by_ent if "comments" in files else _NO_ROWS
        self.by_name: dict[str, list[str]] = {}
        for _, ent, record in files["primary"].rows:
            self.by_name.setdefault(_value(record[1]).casefold(), []).append(ent)
        self.unknown_countries: dict[str, int] = {}
        self.stray_comments: list[str] = []  # ent_nums whose Remarks were not cut

    def country(self, text: str) -> str | None:
        code = iso2(text)
        if code is None and text.lower() not in ("undetermined", "none identified"):
            self.unknown_countries[text] = self.unknown_countries.get(text, 0) + 1
        return code

    def link(self, ent: str, target: str) -> Link:
        """Resolve "Linked To: NAME" against the other entities' primary names."""
        candidates = [target]
        if target.endswith("."):  # OFAC's closing period, unless it belongs to the name
            candidates.append(target[:-1].rstrip())
        for cand in candidates:
            matches = [e for e in self.by_name.get(cand.casefold(), ()) if e != ent]
            if len(matches) == 1:
                return Link("linked_to", cand, matches[0])
        return Link("linked_to", candidates[-1])

    def entity(self, ent: str, record: list[str]) -> ListedEntity:
        schema = _SCHEMAS[_value(record[2]).lower()]
        remarks = _value(record[11])
        continued = self.comments.get(ent)
        if continued:
            if len(record[11]) >= REMARKS_LIMIT - 1:  # allow for a trimmed trailing space
                # The cut falls anywhere, mid-word or after a space: join the raw texts as is.
                remarks = record[11].lstrip()
                for _, _, comment in continued:
                    remarks += comment[1]
                remarks = remarks.strip()
            else:
                self.stray_comments.append(ent)
        facts = parse_remarks(remarks)

        names = _Names(person=schema == "person")
        names.add(_value(record[1]), "primary")
        for _, _, alt in self.alt.get(ent, ()):
            alt_name = _value(alt[3])
            if alt_name:
                kind = _ALT_KINDS[_value(alt[2]).lower()]
                names.add(alt_name, "weak_alias" if _WEAK.search(alt[4]) else kind)
        for alias, kind in facts.aliases:
            names.add(alias, kind)

        countries: list[str] = []
        addresses: list[Address] = []
        for _, _, add in self.add.get(ent, ()):
            street, city, country_name = _value(add[2]), _value(add[3]), _value(add[4])
            code = self.country(country_name) if country_name else None
            if code is not None and code not in countries:
                countries.append(code)
            if street or city:
                address = Address(", ".join(p for p in (street, city, country_name) if p), code)
                if address not in addresses:
                    addresses.append(address)
        for code in facts.nationalities:
            if code not in countries:
                countries.append(code)
        flag = _value(record[9])
        if schema == "vessel" and flag:
            code = self.country(flag)
            if code is not None and code not in countries:
                countries.append(code)

        links: list[Link] = []
        for target in facts.links:
            link = self.link(ent, target)
            if link not in links:
                links.append(link)
        program = _value(record[3]).strip("[]")
        return ListedEntity(
            source=self.source,
            source_id=ent,
            schema=schema,
            names=tuple(names.names),
            birth_dates=tuple(facts.birth_dates),
            countries=tuple(countries),
            nationalities=tuple(facts.nationalities),
            identifiers=tuple(facts.identifiers),
            addresses=tuple(addresses),
            programs=tuple(p.strip() for p in program.split("] [") if p.strip()),
            links=tuple(links),
            remarks=remarks or None,
        )


def _parse(paths: Sequence[Path], source: str) -> ParsedList:
    # Some 100,000 small objects and no reference cycles: the cyclic garbage collector would
    # only rescan them again and again (a third of the parse time), so it is paused meanwhile.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_files(paths, source)
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse_files(paths: Sequence[Path], source: str) -> ParsedList:
    warnings: list[str] = []
    files, ignored = _read_all(paths, source, warnings)
    primary = files["primary"]
    builder = _Builder(files, source)
    entities = tuple(builder.entity(ent, record) for _, ent, record in primary.rows)
    orphan = _orphan_warning(files)
    if orphan is not None:
        warnings.append(orphan)
    if builder.stray_comments:
        warnings.append(
            f"{files['comments'].path.name}: {len(builder.stray_comments):,} continuations "
            f"ignored: the Remarks they would continue are not cut at {REMARKS_LIMIT:,} "
            f"characters in {primary.path.name} (files from different list versions?); "
            "e.g. ent_num " + ", ".join(builder.stray_comments[:_EXAMPLES])
        )
    if builder.unknown_countries:
        top = sorted(builder.unknown_countries.items(), key=lambda kv: -kv[1])[:_EXAMPLES]
        warnings.append(
            "country names not recognised (no ISO2 code recorded): "
            + ", ".join(f"{name!r} x{count}" for name, count in top)
        )
    ordered = [files[role] for role in ROLES if role in files]
    date = _FILE_DATE.search(primary.path.name)
    return ParsedList(
        source=source,
        entities=entities,
        file_date=date[1] if date else None,
        content_hash=content_hash(f.data for f in ordered),
        files=tuple(str(f.path) for f in ordered) + tuple(str(p) for p in ignored),
        warnings=tuple(warnings),
    )


def parse_sdn(paths: Sequence[Path]) -> ParsedList:
    """Parse OFAC's SDN list from sdn.csv plus optional alt.csv, add.csv and sdn_comments.csv,
    given in any order (see the module docstring for the layout and the mapping)."""
    return _parse(paths, "us_ofac_sdn")


def parse_cons(paths: Sequence[Path]) -> ParsedList:
    """Parse OFAC's non-SDN Consolidated list: cons_prim.csv plus optional cons_alt.csv,
    cons_add.csv and cons_comments.csv - the same layout as the SDN files."""
    return _parse(paths, "us_ofac_cons")
