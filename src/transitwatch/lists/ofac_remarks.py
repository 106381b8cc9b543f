"""Typed facts inside the ``Remarks`` field of OFAC's legacy CSV files.

OFAC field spec (``dat_spec.txt``, "SDN.CSV"): column 12, ``Remarks``, is free text of up to
1,000 characters; longer remarks are truncated there and continued in ``sdn_comments.csv``
(``ent_num, remarks_extended``). In practice it is a ``;``-separated bag of typed facts, each
optionally prefixed by ``alt.`` for an alternative value::

    DOB 03 Aug 1974; alt. DOB 01 Jan 1973; POB Cholpon-Ata, Kyrgyzstan; nationality Kyrgyzstan;
    Passport AC2499982 (Kyrgyzstan); Identification Number 20308197410028 (Kyrgyzstan);
    a.k.a. 'KAMCHI BISHKEKSKIY'; Linked To: THIEVES-IN-LAW.

This module turns such a string into :class:`RemarkFacts`; :mod:`transitwatch.lists.ofac` maps
them onto :class:`~transitwatch.lists.model.ListedEntity`. Facts it does not know (``POB``,
``Gender``, ``Website``, ``Organization Established Date``, sanctions-risk notes, ...) are left
in the raw remarks string, which the entity keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transitwatch.countries import country_code
from transitwatch.lists.dates import parse_date
from transitwatch.lists.model import Identifier, NameKind

# Quoted aliases: a.k.a. 'X' / f.k.a. 'X' / n.k.a. 'X'. The closing quote must be followed by
# ';', '.', ',' or the end, so names with apostrophes (LORD'S RESISTANCE ARMY) survive and an
# alias cut off by the 1,000-character truncation (a.k.a. 'WHOIS HACKIN) is not taken.
_QUOTED_ALIAS = re.compile(r"\b([afn])\.k\.a\.,?\s*'(.+?)'(?=\s*(?:[;.,]|$))", re.IGNORECASE)
_ALIAS_KIND: dict[str, NameKind] = {"a": "alias", "f": "previous", "n": "alias"}

_NATIONALITY = re.compile(r"^(?:nationality|citizen)\s+(?:possibly\s+)?(.+)$")
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.|about|c\.)\s*", re.IGNORECASE)
_RANGE = re.compile(r"^(.+?)\s+to\s+(.+)$|^(\d{4})\s*-\s*(\d{4})$")
# What follows an identifier label: the value, then optionally "(Country)", then optionally
# "issued <date>" / "expires <date>".
_ID_TAIL = re.compile(
    r"^(?P<value>.+?)(?:\s+\((?P<paren>[^()]+)\))?(?:,?\s+(?:issued|expires)\b.*)?$"
)
_IMO = re.compile(r"^IMO\s*(\d{7})\b")
_DIGITS = re.compile(r"^\d+$")

# Identifier labels as OFAC writes them -> (identifier type, special rule, note).
# Rules: "ru_inn" (inn for 10/12-digit Russian numbers), "ru_ogrn" (ogrn for 13/15 digits),
# "ru_okpo" (okpo for 8/10 digits), "imo" (value "IMO 1234567" -> imo, digits only).
_ID_LABELS: dict[str, tuple[str, str | None, str | None]] = {
    "Passport": ("passport", None, None),
    "Diplomatic Passport": ("passport", None, "diplomatic"),
    "Tax ID No.": ("tax_id", "ru_inn", None),
    "Registration Number": ("registration", "ru_ogrn", None),
    "Registration ID": ("registration", "ru_ogrn", None),
    "Identification Number": ("national_id", "imo", None),
    "National ID No.": ("national_id", None, None),
    "Vessel Registration Identification": ("registration", "imo", "vessel registration"),
    "Company Number": ("registration", "imo", None),
    "MMSI": ("mmsi", None, None),
    "Legal Entity Number": ("lei", None, None),
    "SWIFT/BIC": ("swift", None, None),
    "Aircraft Manufacturer's Serial Number (MSN)": ("aircraft_serial", None, None),
    "Aircraft Tail Number": ("registration", None, "aircraft tail number"),
    "Previous Aircraft Tail Number": ("registration", None, "previous aircraft tail number"),
    # Russian entities: OFAC's "Government Gazette Number" is the OKPO statistical code.
    "Government Gazette Number": ("registration", "ru_okpo", "government gazette number"),
    "Unified Social Credit Code (USCC)": ("registration", None, "USCC"),
    "United Social Credit Code Certificate (USCCC)": ("registration", None, "USCC"),
    "Business Registration Document #": ("registration", None, None),
    "Commercial Registry Number": ("registration", None, None),
    "Chamber of Commerce Number": ("registration", None, None),
    "Certificate of Incorporation Number": ("registration", None, None),
    "Central Registration System Number": ("registration", None, None),
    "Trade License No.": ("registration", None, "trade license"),
    "UK Company Number": ("registration", None, None),
    "Cedula No.": ("national_id", None, "cedula"),
    "C.U.R.P.": ("national_id", None, "CURP"),
    "D.N.I.": ("national_id", None, "DNI"),
    "Personal ID Card": ("national_id", None, None),
    "Citizen's Card Number": ("national_id", None, None),
    "Turkish Identification Number": ("national_id", None, None),
    "SSN": ("national_id", None, "SSN"),
    "R.F.C.": ("tax_id", None, "RFC"),
    "RFC": ("tax_id", None, "RFC"),
    "V.A.T. Number": ("tax_id", None, "VAT"),
    "US FEIN": ("tax_id", None, "FEIN"),
    "C.U.I.T.": ("tax_id", None, "CUIT"),
    "Italian Fiscal Code": ("tax_id", None, None),
}
# Longest label first, so "Diplomatic Passport" wins over "Passport" and "UK Company Number"
# over "Company Number"; the label must be followed by whitespace.
_ID_LABEL = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_ID_LABELS, key=len, reverse=True))
    + r")\s+(?P<rest>\S.*)$"
)


@dataclass(slots=True)
class RemarkFacts:
    """What :func:`parse_remarks` found; every list keeps the order of the remarks."""

    birth_dates: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO2
    identifiers: list[Identifier] = field(default_factory=list)
    aliases: list[tuple[str, NameKind]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # "Linked To:" names, as written


def iso2(text: str | None) -> str | None:
    """ISO2 code for an OFAC country wording ("Kyrgyzstan", "Region: Crimea"), or None.

    Codes that are not two letters (historic ones such as "SUHH" for the Soviet Union) are
    refused: the model stores ISO 3166-1 alpha-2.
    """
    if not text:
        return None
    cleaned = text.strip()
    if cleaned.startswith("Region:"):
        cleaned = cleaned[len("Region:") :].strip()
    code = country_code(cleaned)
    return code if code is not None and len(code) == 2 else None


def parse_dob(text: str) -> list[str]:
    """ISO prefixes for an OFAC DOB value: "03 Aug 1974", "circa 1951", "1960 to 1962",
    "circa 1979-1982", "01 Jan 1961 to 31 Dec 1962", "Mar 1962 to Feb 1963".

    A range gives every year it spans (at most 21), or the common year when both ends are in
    the same year: screening compares years, and a range is a statement about years.
    """
    value = _CIRCA.sub("", text.strip().rstrip(".").strip())
    m = _RANGE.match(value)
    if m is None:
        return parse_date(value)
    start_text, end_text = (m[1], m[2]) if m[1] is not None else (m[3], m[4])
    starts, ends = parse_date(start_text), parse_date(end_text)
    if len(starts) != 1 or len(ends) != 1:
        return []
    if starts[0] == ends[0]:
        return starts
    start_year, end_year = int(starts[0][:4]), int(ends[0][:4])
    if not start_year <= end_year <= start_year + 20:
        return []
    return [f"{year:04d}" for year in range(start_year, end_year + 1)]


def parse_identifier(text: str) -> Identifier | None:
    """An :class:`Identifier` for one remarks item ("Passport AC2499982 (Kyrgyzstan)"), or None.

    The "(Country)" after the value gives the issuing country; it is not a residence. Russian
    numbers are typed by their length: Tax ID No. with 10/12 digits -> ``inn``, Registration
    Number/ID with 13/15 digits -> ``ogrn``, Government Gazette Number with 8/10 digits -> ``okpo``.
    """
    m = _ID_LABEL.match(text)
    if m is None:
        return None
    id_type, rule, note = _ID_LABELS[m["label"]]
    tail = _ID_TAIL.match(m["rest"].strip())
    if tail is None:  # pragma: no cover - the pattern matches any non-empty text
        return None
    value = tail["value"].strip().rstrip(",").strip()
    paren = tail["paren"]
    country = iso2(paren) if paren else None
    if paren and country is None:
        # Not a country: part of the value ("D489833(9)" style) or a qualifier; keep it.
        value = f"{value} ({paren})"
    if not any(ch.isdigit() for ch in value) and id_type != "swift":
        return None  # prose such as "Passport issued in Sarajevo", not a number
    if rule == "imo":
        imo = _IMO.match(value)
        if imo is not None:
            company = m["label"] == "Company Number"
            return Identifier("imo", imo[1], country, "IMO company number" if company else None)
    elif country == "RU" and _DIGITS.match(value):
        if rule == "ru_inn" and len(value) in (10, 12):
            id_type = "inn"
        elif rule == "ru_ogrn" and len(value) in (13, 15):
            id_type = "ogrn"
        elif rule == "ru_okpo" and len(value) in (8, 10):
            id_type, note = "okpo", None
    return Identifier(id_type, value, country, note)


def parse_remarks(remarks: str | None) -> RemarkFacts:
    """Split OFAC ``Remarks`` on ``;`` and collect DOBs, nationalities, identifiers,
    quoted a.k.a./f.k.a./n.k.a. aliases and "Linked To:" names."""
    facts = RemarkFacts()
    if not remarks:
        return facts
    if ".k.a." in remarks.lower():
        for alias in _QUOTED_ALIAS.finditer(remarks):
            name = alias[2].strip()
            if name:
                facts.aliases.append((name, _ALIAS_KIND[alias[1].lower()]))
    for raw in remarks.split(";"):
        item = raw.strip()
        if item[:4].lower() == "alt.":
            item = item[4:].lstrip()
        if not item or ".k.a." in item.lower():
            continue
        if item.startswith("Linked To:"):
            # The period ending each "Linked To:" item is OFAC's punctuation, but it may also
            # end the name ("... S.A."): keep it here, the loader resolves both spellings.
            target = item[len("Linked To:") :].strip()
            if target:
                facts.links.append(target)
            continue
        if item.endswith("."):
            item = item[:-1].rstrip()
        if item.startswith("DOB "):
            facts.birth_dates.extend(d for d in parse_dob(item[4:]) if d not in facts.birth_dates)
            continue
        m = _NATIONALITY.match(item) if item[:1] in ("n", "c") else None
        if m is not None:
            code = iso2(m[1])
            if code is not None and code not in facts.nationalities:
                facts.nationalities.append(code)
            continue
        ident = parse_identifier(item)
        if ident is not None and ident not in facts.identifiers:
            facts.identifiers.append(ident)
    return facts
