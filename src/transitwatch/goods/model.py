"""The goods vocabulary: control lists and their entries, hits, description signals, mismatches
and unit-value outliers; HS code normalisation. Pure data, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from transitwatch.errors import InputError

FLOWS = ("export", "import", "transit", "any")

_SEPARATORS = re.compile(r"[\s.\-/]")


@dataclass(frozen=True, slots=True)
class ControlHit:
    """One control list entry that applies to a declared HS code (or, for the embargo list, to
    a destination country)."""

    list_id: str
    list_name: str
    version: str
    category: str  # e.g. "CHPL Tier 1", "drone export ban", "embargo destination"
    matched_code: str  # the list's code (prefix) that matched, or the country for embargoes
    message: str
    source: str  # citation
    destination_scope: tuple[str, ...]  # e.g. ("RU", "BY"); () for any destination


@dataclass(frozen=True, slots=True)
class GoodsSignal:
    """What a description says the goods are: one lexicon category and the terms that named it."""

    category: str
    label: str
    hs_prefixes: tuple[str, ...]
    controlled: bool
    terms: tuple[str, ...]  # the words of the description that matched, as written
    vague: bool = False  # "spare parts", "equipment": names no goods at all


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: str  # "controlled_goods_under_other_code" | "controlled_code_vague_description"
    message: str
    evidence: dict[str, str]


@dataclass(frozen=True, slots=True)
class ValueOutlier:
    hs6: str
    unit: str
    unit_value: float
    low: float
    high: float
    median: float
    n: int
    direction: str  # "low" | "high"
    message: str


@dataclass(frozen=True, slots=True)
class ControlEntry:
    """One code (an HS prefix of 2–10 digits) of a goods list, or one country of a country list."""

    code: str
    category: str
    label: str = ""
    destinations: tuple[str, ...] = ()  # () = the list's scope (any destination if that is ())
    valid_from: date | None = None  # narrower than the list's dates, e.g. one embargo country
    source: str = ""


@dataclass(frozen=True, slots=True)
class ControlList:
    """A versioned control list with validity dates.

    ``kind`` "goods": entries are HS prefixes. ``kind`` "countries": entries are ISO2 destination
    countries under embargo for the goods of ``goods_lists`` (ids of goods lists)."""

    id: str
    name: str
    version: str
    valid_from: date
    valid_to: date | None
    source: str
    entries: tuple[ControlEntry, ...]
    kind: str = "goods"
    flow: str = "any"  # the trade flow the list governs: export, import, transit or any
    exporter_countries: tuple[str, ...] = ()  # () = any exporter; ("KG",) = Kyrgyz exports only
    destinations: tuple[str, ...] = ()  # default scope of every entry; () = any destination
    goods_lists: tuple[str, ...] = ()  # countries lists only
    path: str = ""  # where it was loaded from
    # Goods lists only: description categories (goods_lexicon.yml) the list also covers under
    # ANY code, e.g. a drone export ban covers "квадрокоптер" declared as a sprayer (8424).
    described_as: tuple[str, ...] = ()

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def match(self, code: str) -> ControlEntry | None:
        """The most specific entry whose code is a prefix of ``code`` (goods lists)."""
        best: ControlEntry | None = None
        for entry in self.entries:
            if code.startswith(entry.code) and (best is None or len(entry.code) > len(best.code)):
                best = entry
        return best


def normalize_hs_code(code: str, *, min_digits: int = 4) -> str:
    """Digits only: "8542.31.000 0" → "8542310000". National codes (8–10 digits) keep their
    extra digits; matching against lists is by prefix.

    Raises InputError for anything that is not 4 (``min_digits``) to 10 digits."""
    cleaned = _SEPARATORS.sub("", code or "")
    if not cleaned.isascii() or not cleaned.isdigit() or not min_digits <= len(cleaned) <= 10:
        raise InputError(
            f"HS code {code!r} is not {min_digits} to 10 digits (e.g. 854231 or 8542310000)"
        )
    return cleaned


def dotted(code: str) -> str:
    """Display form: 854231 → 8542.31, 8806 → 8806, 85423100 → 8542.31.00."""
    if len(code) <= 4:
        return code
    parts = [code[:4]] + [code[i : i + 2] for i in range(4, len(code), 2)]
    return ".".join(parts)
