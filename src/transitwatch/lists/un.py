"""UN Security Council Consolidated List (XML) to listed entities.

Format: ``https://scsanctions.un.org/resources/xml/en/consolidated.xml`` (schema
``https://www.un.org/sc/resources/sc-sanctions.xsd``), plain or gzip. No namespace on elements::

    <CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
      <INDIVIDUALS><INDIVIDUAL>
        <DATAID/> <FIRST_NAME/>..<FOURTH_NAME/> <UN_LIST_TYPE/> <REFERENCE_NUMBER/> <LISTED_ON/>
        <NAME_ORIGINAL_SCRIPT/> <COMMENTS1/> <NATIONALITY><VALUE/>*</NATIONALITY>
        <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>*
        <INDIVIDUAL_ADDRESS><STREET/><CITY/><STATE_PROVINCE/><ZIP_CODE/><COUNTRY/></...>*
        <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE/> DATE | YEAR | FROM_YEAR+TO_YEAR | NOTE</...>*
        <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT/><TYPE_OF_DOCUMENT2/><NUMBER/>
          <ISSUING_COUNTRY/>|<COUNTRY_OF_ISSUE/><NOTE/></...>*
      </INDIVIDUAL></INDIVIDUALS>
      <ENTITIES><ENTITY> same, with ENTITY_ALIAS / ENTITY_ADDRESS </ENTITY></ENTITIES>
    </CONSOLIDATED_LIST>

Decisions:

* ``source_id`` is ``REFERENCE_NUMBER`` (``CDi.001``, ``QDe.004``): unique, stable across
  versions and the key the list itself uses in cross-references ("Jamil Mukulu (CDi.015)").
  The internal numeric ``DATAID`` is kept in ``remarks`` ("UN DATAID 6907993."), not as an
  Identifier: a 7-digit number there would collide with IMO numbers in identifier screening.
* Alias QUALITY ``Good``/``a.k.a.`` -> alias, ``Low`` -> weak_alias, ``f.k.a.`` -> previous.
  Alias fields and entity names holding several names ("A; B", "A b) B") are split.
* Documents: passport / national_id / tax_id / other from TYPE_OF_DOCUMENT(2) wording; the
  number is cut out of descriptive text ("Libyan passport No. 513519" -> "513519"), the raw
  text stays in the identifier's note.
* Security: parsed with expat directly; a DOCTYPE declaring entities is rejected (no entity
  expansion, no external resources).
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.etree.ElementTree import Element, TreeBuilder

from transitwatch.countries import country_code
from transitwatch.errors import InputError, ParseError
from transitwatch.lists.dates import parse_date
from transitwatch.lists.io import content_hash, read_bytes
from transitwatch.lists.model import (
    Address,
    EntityName,
    Identifier,
    ListedEntity,
    NameKind,
    ParsedList,
    ParseReport,
)
from transitwatch.names.scripts import detect_script

SOURCE = "un_sc_sanctions"

_QUALITY: dict[str, NameKind] = {
    "good": "alias",
    "a.k.a.": "alias",
    "aka": "alias",
    "low": "weak_alias",
    "f.k.a.": "previous",
    "fka": "previous",
}
_SPACES = re.compile(r"\s+")
# Separators between several names in one field: "A; B", "A b) B" (outside parentheses).
_NAME_SEP = re.compile(r";|\s[b-h]\)\s")
_ORIGINAL_LABEL = re.compile(r"\s*\(original script\)|original script:\s*", re.IGNORECASE)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
# "... passport number X", "... No.: X", "Fiscal Code: X", "N° X"
_NUM_LABEL = re.compile(r"(?i)(?:\bnumber\b|\bno\b\.?|\bnr\b\.?|\bssn\b|n°|:)\s*:?\s*")
_NUM_TAIL = re.compile(r"(?i)\s*(?:\(|,|;|\bissued\b|\bexpir|\bunder\b|\bvalid\b).*$", re.S)
_OTHER_DOC = (
    "birth",
    "ration",
    "driv",
    "voter",
    "student",
    "social security",
    "ssn",
    "residen",
    "alien",
    "military",
    "serviceman",
    "certificate",
    "laissez",
    "other id",
)
_NO_COUNTRY = {"na", "n/a", "unknown", "stateless"}


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _country(text: str | None) -> str | None:
    """ISO2 for a UN country wording; "na" means "not available", not Namibia."""
    cleaned = _clean(text)
    if not cleaned or cleaned.lower() in _NO_COUNTRY:
        return None
    code = country_code(cleaned)
    return code if code is not None and len(code) == 2 else None


def _split_names(text: str | None) -> list[str]:
    """Names in a field, split on ';' / 'b)' separators that are not inside parentheses."""
    value = _clean(text)
    if not value:
        return []
    parts: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(value):
        ch = value[i]
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            m = _NAME_SEP.match(value, i)
            if m and (ch == ";" or ch.isspace()):
                parts.append(value[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(value[start:])
    out: list[str] = []
    for raw in parts:
        part = _ORIGINAL_LABEL.sub("", re.sub(r"^a\)\s*", "", raw)).strip(' ,"“”')
        group = _trailing_group(part)
        # "<Arabic name> (<Latin name>; <Latin name>)": the bracket holds further names.
        if group and (";" in group[1] or detect_script(group[0]) != detect_script(group[1])):
            out.append(group[0])
            out.extend(_split_names(group[1]))
        elif part:
            out.append(part)
    return out


def _trailing_group(text: str) -> tuple[str, str] | None:
    """("outer", "inner") for "outer (inner)" with balanced brackets, else None."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            outer = text[:i].strip()
            return (outer, text[i + 1 : -1].strip()) if outer else None
    return None


def _secure_parse(data: bytes, path: str) -> Element:
    """The document's root element; expat with entity declarations refused."""
    builder = TreeBuilder()
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_entity(name: str, *_: object) -> None:
        raise ParseError(
            f"DOCTYPE declares entity {name!r}; entity declarations are refused",
            path=path,
            row=parser.CurrentLineNumber,
        )

    parser.EntityDeclHandler = refuse_entity
    parser.StartElementHandler = lambda tag, attrs: builder.start(tag, attrs)
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ParseError(
            f"malformed XML: {xml.parsers.expat.ErrorString(exc.code)} (column {exc.offset})",
            path=path,
            row=exc.lineno,
        ) from exc
    return builder.close()


def _doc_number(text: str, *, need_label: bool = False) -> str | None:
    """The document number in a descriptive text, or None when none is recognisable."""
    s = _clean(text)
    m = None
    for m in _NUM_LABEL.finditer(s):
        if any(c.isdigit() for c in s[m.end() :]):
            break
    if m is not None and any(c.isdigit() for c in s[m.end() :]):
        s = s[m.end() :]
    elif need_label and not s[:1].isdigit():
        return None
    s = _NUM_TAIL.sub("", s).strip(" .,;")
    words = s.split(" ")
    # Drop leading descriptive words ("Libya 428720", "Diplomatic Passport D014433"),
    # keep short capital prefixes that belong to the number ("OB 0243318", "D 001206").
    while len(words) > 1 and words[0].isalpha() and not (words[0].isupper() and len(words[0]) <= 3):
        words.pop(0)
    s = " ".join(words).strip()
    return s if any(c.isdigit() for c in s) else None


def _doc_type(main: str, second: str, raw_number: str, note: str) -> str:
    wording = f"{second} {raw_number}".lower()
    if any(w in f"{wording} {note}".lower() for w in ("fiscal code", "tax ")):
        return "tax_id"
    if any(marker in wording for marker in _OTHER_DOC):
        return "other"
    kind = f"{main} {second}".lower()
    if any(w in kind for w in ("passport", "pasaporte", "passeport", "travel document")):
        return "passport"
    if any(w in kind for w in ("identification", "identity", "id card", "national id")):
        return "national_id"
    return "other"


def _identifiers(record: Element) -> list[Identifier]:
    out: list[Identifier] = []
    for doc in record.iter("INDIVIDUAL_DOCUMENT"):
        main = _clean(doc.findtext("TYPE_OF_DOCUMENT"))
        second = _clean(doc.findtext("TYPE_OF_DOCUMENT2"))
        raw = _clean(doc.findtext("NUMBER"))
        note = _clean(doc.findtext("NOTE"))
        number = _doc_number(raw) if raw else None
        if number is None:  # the number sometimes sits in TYPE_OF_DOCUMENT2 or NOTE
            number = _doc_number(second, need_label=True) or _doc_number(note, need_label=True)
        if number is None:
            continue
        country = _country(doc.findtext("ISSUING_COUNTRY")) or _country(
            doc.findtext("COUNTRY_OF_ISSUE")
        )
        described = "; ".join(p for p in (second, raw if raw != number else "", note) if p)
        out.append(
            Identifier(
                type=_doc_type(main, second, raw, note),
                value=number,
                country=country,
                note=described or None,
            )
        )
    return out


def _birth_dates(record: Element) -> list[str]:
    out: list[str] = []
    for dob in record.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        date, year = dob.findtext("DATE"), dob.findtext("YEAR")
        start, end = _clean(dob.findtext("FROM_YEAR")), _clean(dob.findtext("TO_YEAR"))
        if date and date.strip():
            out.extend(parse_date(date))
        elif year and year.strip():
            out.extend(parse_date(year))
        elif start and end:
            out.extend(parse_date(f"{start} to {end}"))
        elif start or end:
            out.extend(parse_date(start or end))
        else:
            out.extend(parse_date(_clean(dob.findtext("NOTE"))))  # "Nov. 1973"
    return out


def _addresses(record: Element, tag: str) -> list[Address]:
    out: list[Address] = []
    for addr in record.iter(tag):
        parts = [_clean(addr.findtext(f)) for f in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE")]
        country_text = _clean(addr.findtext("COUNTRY"))
        full = ", ".join(p for p in [*parts, country_text] if p)
        if full:
            out.append(Address(full=full, country=_country(country_text)))
    return out


def _names(record: Element, alias_tag: str, is_person: bool) -> list[EntityName]:
    names: list[EntityName] = []
    if is_person:
        joined = " ".join(
            _clean(record.findtext(t))
            for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
        )
        primaries = [_clean(joined)] if _clean(joined) else []
    else:
        primaries = _split_names(record.findtext("FIRST_NAME"))
    for i, value in enumerate(primaries):
        names.append(EntityName(value, "primary" if i == 0 else "alias", detect_script(value)))
    for el in record.findall("NAME_ORIGINAL_SCRIPT"):
        value = _clean(el.text)
        if value:
            names.append(EntityName(value, "alias", detect_script(value)))
    for alias in record.iter(alias_tag):
        kind = _QUALITY.get(_clean(alias.findtext("QUALITY")).lower(), "alias")
        for value in _split_names(alias.findtext("ALIAS_NAME")):
            names.append(EntityName(value, kind, detect_script(value)))
    seen: set[tuple[str, str]] = set()
    unique: list[EntityName] = []
    for n in names:
        if (n.value, n.kind) not in seen:
            seen.add((n.value, n.kind))
            unique.append(n)
    return unique


def _dedup(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _record(record: Element, path: str, report: ParseReport) -> ListedEntity | None:
    is_person = record.tag == "INDIVIDUAL"
    ref = _clean(record.findtext("REFERENCE_NUMBER"))
    dataid = _clean(record.findtext("DATAID"))
    if not ref:
        report.warn(f"{path}: {record.tag} DATAID {dataid or '?'} has no REFERENCE_NUMBER; skipped")
        return None
    names = _names(record, "INDIVIDUAL_ALIAS" if is_person else "ENTITY_ALIAS", is_person)
    if not names:
        report.warn(f"{path}: {ref} has no name; skipped")
        return None
    addresses = _addresses(record, "INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS")
    listed = _clean(record.findtext("LISTED_ON"))
    list_type = _clean(record.findtext("UN_LIST_TYPE"))
    comments = _clean(record.findtext("COMMENTS1"))
    remarks = " ".join(p for p in (f"UN DATAID {dataid}." if dataid else "", comments) if p)
    return ListedEntity(
        source=SOURCE,
        source_id=ref,
        schema="person" if is_person else "organization",
        names=tuple(names),
        birth_dates=_dedup(_birth_dates(record)) if is_person else (),
        countries=_dedup(a.country for a in addresses),
        nationalities=_dedup(_country(v.text) for v in record.findall("NATIONALITY/VALUE")),
        identifiers=tuple(dict.fromkeys(_identifiers(record))),
        addresses=tuple(dict.fromkeys(addresses)),
        programs=(f"UN-{list_type}",) if list_type else (),
        listed_on=listed[:10] if _ISO_DAY.match(listed) else None,
        remarks=remarks or None,
    )


def parse(paths: Sequence[Path]) -> ParsedList:
    """Parse one or more UN consolidated list XML files (plain or gzip) into entities."""
    if not paths:
        raise InputError("un_sc_sanctions: no file given (expected consolidated.xml)")
    ordered = sorted((Path(p) for p in paths), key=str)
    report = ParseReport()
    blobs: list[bytes] = []
    by_id: dict[str, ListedEntity] = {}
    dates: list[str] = []
    for path in ordered:
        data = read_bytes(path)
        blobs.append(data)
        root = _secure_parse(data, str(path))
        if root.tag != "CONSOLIDATED_LIST":
            raise ParseError(
                f"root element is <{root.tag}>, expected <CONSOLIDATED_LIST>", path=str(path)
            )
        generated = root.get("dateGenerated", "")
        if _ISO_DAY.match(generated):
            dates.append(generated[:10])
        records = [*root.findall("INDIVIDUALS/INDIVIDUAL"), *root.findall("ENTITIES/ENTITY")]
        for record in records:
            report.rows_read += 1
            entity = _record(record, str(path), report)
            if entity is None:
                continue
            if entity.source_id in by_id:
                report.warn(f"{path}: {entity.source_id} appears more than once; last one kept")
            by_id[entity.source_id] = entity
    return ParsedList(
        source=SOURCE,
        entities=tuple(by_id.values()),
        file_date=max(dates) if dates else None,
        content_hash=content_hash(blobs),
        files=tuple(str(p) for p in ordered),
        warnings=tuple(report.warnings),
    )
