"""Company and tax identifiers written as free text, as the UK and EU lists print them.

Both the UK FCDO list (``subject_identifiers.raw_value`` of type
``business_registration_numbers``) and the EU Official Journal annexes (``registrationNumber``,
``taxNumber``, ``innCode``, ...) write numbers with their labels inline, in any order and
often several per cell::

    INN: 7731018133 OGRN: 1027739090708
    Tax ID No. 7703226533 (Russia); Registration Number 1157746244017 (Russia)
    1026604933475 (OGRN), 6660017837 (TIN)
    (УНН/ИНН): 190950894 (Belarus),  7704734000/770301001 (Russia)
    01805202210181 (Tax ID/INN)            <- a Kyrgyz company: a Kyrgyz tax number
    BIN: 1027800000931INN: 7831001704PPC: 784101001

:func:`extract_codes` cuts such text into values, reads the label before each value or in the
parenthesis after it, and maps it to our identifier types:

* an INN/ИНН label gives ``inn``, unless the number is stated (or the entity is known) to be
  non-Russian and fails the INN checksum, then ``tax_id`` with that country (Belarusian УНН,
  Kyrgyz or Uzbek "INN");
* a generic tax label (TIN, Tax ID, BIN, VAT, ...) gives ``inn`` for a Russian 10/12-digit
  number (stated Russian, or in a Russian context with a valid INN checksum), else ``tax_id``;
* OGRN/PSRN gives ``ogrn``, KPP/PPC ``kpp``, OKPO ``okpo``, LEI ``lei``;
* a registration label or none at all gives ``registration`` (or the caller's default), except
  that a number with a valid OGRN/INN checksum in a Russian context becomes ``ogrn``/``inn``;
* a 9-digit number right after ``<INN>/`` is the KPP of that INN.

"Russian context": the text says Russia, or the entity's countries include RU, or (no country
known) the caller says the list context is Russian. Entities in occupied Ukraine resolve to UA
but hold Russian-issued numbers: there a checksum-valid number with an occupied-region code
(90-95) or a 12-digit INN counts as Russian. Dates in the text ("... on 25.11.2002") are
skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transitwatch.countries import country_code
from transitwatch.lists.model import Identifier

RU = "RU"
_RUSSIAN_TYPES = frozenset({"inn", "ogrn", "kpp", "okpo"})
# Label words, checked in this order (so "Tax ID/INN" is an INN, "Registration Number (OGRN)"
# an OGRN).
# Abbreviations match in upper case only ("bin Udin" is not a BIN), words in any case.
_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kpp", re.compile(r"\b(?:KPP|PPC)\b|КПП")),
    ("okpo", re.compile(r"\bOKPO\b|ОКПО")),
    ("ogrn", re.compile(r"\b(?:OGRN|OGRNIP|PSRN|SRN)\b|ОГРН|(?i:state registration)")),
    ("inn", re.compile(r"\bI?INN\b|ИНН")),
    ("lei", re.compile(r"\bLEI\b|(?i:legal entity identifier)")),
    ("tax", re.compile(r"\b(?:I?TIN|BIN|VAT|NIP|TRN|UNP|GSTIN|PAN)\b|УНН|УНП|(?i:\btax)")),
    (
        "registration",
        re.compile(
            r"\b(?:CR|BRN?|CBLS|USCC|USREOU|EDRPOU|ID|CIN|UID)\b|ЕГРПОУ"
            r"|(?i:regist|compan|chamber|credit code|licen[cs]e|identification|number)"
            r"|(?i:\bno\b|\bcr\b)"
        ),
    ),
)
_ANY_CODE_LABEL = re.compile(r"\b(?:I?INN|OGRN|KPP|PPC|OKPO|TIN)\b|ИНН|ОГРН|КПП")
# Russian region codes of occupied Ukraine (Zaporizhzhia 90, Crimea 91, Sevastopol 92, Donetsk
# 93, Luhansk 94, Kherson 95): places country lookups resolve to UA, whose companies and
# residents hold Russian-issued INN/OGRN numbers (INN digits 1-2, OGRN digits 4-5).
_OCCUPIED_REGIONS = frozenset({"90", "91", "92", "93", "94", "95"})
_STOP_COUNTRY = frozenset({"ID", "NO", "CR", "BR", "TIN", "INN", "KPP", "BIN", "VAT", "TRN"})
_RUSSIA_WORD = re.compile(r"\bRussia(?:n)?\b|\bRF\b|Росси", re.I)
# Tokens: runs without spaces, commas, colons or parentheses; "A/B" is cut in two when both
# halves are long enough to be codes ("7704734000/770301001", not "1360/1995-1996").
_TOKEN = re.compile(r"[^\s,;:()\[\]]+")
_SLASHED_DATE = re.compile(r"(?<!\d)\d{1,2}[./]\d{1,2}[./]\d{4}(?!\d)")
_PAREN_AFTER = re.compile(r"\s*\(((?:[^()]|\([^()]*\))*)\)")
_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$")
_GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?: \d{3})+(?![\d.])")
_GLUED_LABEL = re.compile(r"(?<=\d)(?=[A-Z]{3,}\b|[A-Z][a-z])")
_EDGE = "'\"‘’“”.,-–—#№*"


def valid_inn(value: str) -> bool:
    """Whether a 10- or 12-digit string carries valid Russian INN check digits."""
    if not value.isdigit() or len(value) not in (10, 12):
        return False
    d = [int(c) for c in value]

    def check(weights: tuple[int, ...]) -> int:
        return sum(w * x for w, x in zip(weights, d, strict=False)) % 11 % 10

    if len(d) == 10:
        return check((2, 4, 10, 3, 5, 9, 4, 6, 8)) == d[9]
    return (
        check((7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == d[10]
        and check((3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == d[11]
    )


def valid_ogrn(value: str) -> bool:
    """Whether a 13-digit OGRN or 15-digit OGRNIP string carries a valid check digit."""
    if not value.isdigit():
        return False
    if len(value) == 13:
        return int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


def label_category(text: str) -> str | None:
    """The kind of number a label announces: kpp, okpo, ogrn, inn, lei, tax, registration, None."""
    for category, pattern in _LABELS:
        if pattern.search(text):
            return category
    return None


def has_code_label(text: str) -> bool:
    """Whether text names a Russian company code or a TIN (and so needs :func:`extract_codes`)."""
    return _ANY_CODE_LABEL.search(text) is not None


def country_in_label(text: str) -> str | None:
    """A country named in label text: "(Russia)", "(KH)", "Iran Registration No.", "..., DE"."""
    if _RUSSIA_WORD.search(text):
        return RU
    for part in re.split(r"[,/();:]|\s[-–]\s", text):
        words = part.strip(" .-–").split()
        # the whole part, else its first words before a label ("Iran Registration No.")
        for n in range(min(len(words), 4), 0, -1):
            candidate = " ".join(words[:n]).strip(" .-–")
            if candidate.upper() in _STOP_COUNTRY or label_category(candidate) is not None:
                continue
            if len(candidate) == 2 and (n < len(words) or not candidate.isupper()):
                continue
            code = country_code(candidate)
            if code is not None:
                return "GB" if code == "UK" else code
    return None


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    label: str  # label text that applies to it (before it, or in the parenthesis after it)
    country: str | None  # country the text states for it
    after_inn_slash: bool


def _tokens(text: str, hint: str) -> list[_Token]:
    text = text.replace("\xa0", " ")
    text = _GROUPED.sub(lambda m: m[0].replace(" ", ""), text)
    text = _GLUED_LABEL.sub(" ", text)
    text = _SLASHED_DATE.sub(" ", text)
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        parts = m[0].split("/")
        if len(parts) > 1 and all(len(p.strip(_EDGE)) >= 5 for p in parts):
            start = m.start()
            for part in parts:
                spans.append((start, start + len(part)))
                start += len(part) + 1
        elif any(c.isdigit() for c in m[0]):
            spans.append((m.start(), m.end()))
    out: list[_Token] = []
    consumed = 0
    prev_end = -1
    for start, end in spans:
        value = text[start:end].strip(_EDGE)
        if start < consumed or not any(c.isdigit() for c in value) or _DATE.match(value):
            continue
        before = text[consumed:start]
        paren = _PAREN_AFTER.match(text, end)
        after = paren[1] if paren else ""
        consumed = paren.end() if paren else end
        label = after if label_category(after) else before
        if not label_category(label) and hint:
            label = hint
        country = country_in_label(after) or country_in_label(before) or country_in_label(hint)
        slash = prev_end >= 0 and text[prev_end:start].strip() == "/"
        label = label.strip(" :;-–,/")
        if label.count("(") != label.count(")"):
            label = label.strip("() ")
        out.append(_Token(value, label, country, slash))
        prev_end = end
    return out


def _classify(
    tok: _Token, default: str, home: frozenset[str], russian: bool, prev: Identifier | None
) -> tuple[str, str | None]:
    """Our identifier type and issuing country for one value."""
    value, stated = tok.value, tok.country
    category = label_category(tok.label)
    ru_context = stated == RU or (stated is None and (RU in home or (not home and russian)))
    occupied = not ru_context and stated is None and "UA" in home

    def ru_inn(v: str) -> bool:
        # Ukraine issues no 12-digit numbers: a valid 12-digit INN there is Russian
        return valid_inn(v) and (
            ru_context or (occupied and (len(v) == 12 or v[:2] in _OCCUPIED_REGIONS))
        )

    def ru_ogrn(v: str) -> bool:
        return valid_ogrn(v) and (ru_context or (occupied and v[3:5] in _OCCUPIED_REGIONS))

    foreign = stated if stated not in (None, RU) else None
    if foreign is None and stated is None and home and RU not in home:
        foreign = next(iter(home)) if len(home) == 1 else ""
    digits = value.isdigit()
    if category is None and default in _RUSSIAN_TYPES:
        category = default
    if (
        prev is not None
        and prev.type == "inn"
        and tok.after_inn_slash
        and digits
        and len(value) == 9
        and category in (None, "inn", "tax", "registration")
    ):
        return "kpp", RU
    if category == "inn":
        if foreign is None or ru_inn(value):
            return "inn", RU
        return "tax_id", foreign or None
    if category in ("kpp", "okpo"):
        return category, stated or RU
    if category == "lei":
        return "lei", None
    if category == "ogrn":
        if foreign is None or ru_ogrn(value):
            return "ogrn", RU
        return "registration", foreign or None
    if category == "tax":
        if ru_ogrn(value):  # "BIN: 1027800000931" is an OGRN
            return "ogrn", RU
        if digits and len(value) in (10, 12) and (stated == RU or ru_inn(value)):
            return "inn", RU
        return "tax_id", stated or _sole(home)
    if digits and default in ("registration", "tax_id"):
        if ru_ogrn(value):
            return "ogrn", RU
        if category is None and ru_inn(value):
            return "inn", RU
    if category == "registration" and default not in ("passport", "national_id", "other"):
        return "registration", stated
    return default, stated or (_sole(home) if default == "tax_id" else None)


def _sole(home: frozenset[str]) -> str | None:
    return next(iter(home)) if len(home) == 1 else None


def extract_codes(
    text: str,
    *,
    default: str,
    home: frozenset[str] = frozenset(),
    russian: bool = False,
    hint: str = "",
) -> list[Identifier]:
    """The identifiers in one free-text cell.

    ``default`` is the type for a value without a telling label (the column's meaning);
    ``home`` the entity's known countries (ISO2); ``russian`` whether the list context is
    Russian when the entity's countries are unknown (e.g. UK regime RUS); ``hint`` label text
    kept outside the value (the UK ``additional_info``). A cell without any number is kept
    whole as one ``default`` identifier.
    """
    out: list[Identifier] = []
    prev: Identifier | None = None
    for tok in _tokens(text, hint):
        id_type, country = _classify(tok, default, home, russian, prev)
        note = tok.label or None
        ident = Identifier(id_type, tok.value, country, note)
        if ident not in out:
            out.append(ident)
        prev = ident
    if not out:
        value = text.replace("\xa0", " ").strip(" " + _EDGE)
        if value:
            out.append(Identifier(default, value, None, hint or None))
    return out
