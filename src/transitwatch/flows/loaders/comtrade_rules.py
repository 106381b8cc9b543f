"""What a UN Comtrade CSV row means: the rules both Comtrade loaders share (pure).

The Python loader (:func:`transitwatch.flows.loaders.comtrade.parse`) applies them row by row.
The DuckDB loader (:mod:`~transitwatch.flows.loaders.comtrade_sql`) applies the per-row tests in
SQL and calls the functions here once per *distinct* value: partner and reporter names (the
mapping is data, ``partners.yml``), flow codes, classifications, and the text of every skip
reason (:func:`reason`). So the two paths cannot disagree on a name or on a message's wording.

A row is skipped for the first of these reasons, in this order (``kind`` of :func:`reason`):

1. ``number``: year, month, value, quantity or net mass is not a number (``no_year``: no year);
2. ``breakdown``: a customs-procedure, mode-of-supply or second-partner breakdown row;
3. ``text``: the flow is not loaded (:func:`flow_of`), ``no_value``: no trade value;
4. ``text``: reporter, then partner, cannot be resolved (:func:`resolve`);
5. ``text``: the classification is not HS; ``no_edition``: no classification and no HS edition
   in force in the row's year;
6. ``year_range``, ``month`` (a monthly row without a month 1..12), ``product`` (not ``TOTAL``
   and not an HS code of 2, 4 or 6 ASCII digits; a shorter code is left-padded with zeros to
   the aggregate level, as Comtrade drops leading zeros).

Numbers: surrounding white space (what :meth:`str.strip` removes), spaces and no-break spaces
are dropped; ``NA``, ``..`` and the like are missing; a decimal comma is read as a point; then
the text must match :data:`NUMBER` and be finite.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from transitwatch.flows.loaders import MISSING
from transitwatch.flows.partners import Resolution, partner_table

ALIASES: dict[str, tuple[str, ...]] = {
    "year": ("year", "refyear"),
    "month": ("month", "refmonth"),
    "period": ("perioddesc", "period", "refperiodid"),
    "freq": ("freqcode",),
    "flow": ("tradecode", "flowcode", "tradeflowcode"),
    "flow_desc": ("tradeflow", "flowdesc"),
    "reporter_iso": ("reporteriso",),
    "reporter": ("reporter", "reporterdesc"),
    "partner_code": ("partnercode",),
    "partner_iso": ("partneriso",),
    "partner": ("partner", "partnerdesc"),
    "partner2": ("partner2code",),
    "cmd": ("commoditycode", "cmdcode"),
    "level": ("aggregatelevel", "aggrlevel"),
    "classification": ("classificationcode", "classification"),
    "mot": ("motcode",),
    "customs": ("customscode",),
    "mos": ("moscode",),
    "qty": ("qty",),
    "qty_unit": ("qtyunitabbr", "qtyunit"),
    "net_mass": ("netweightkg", "netwgt"),
    "value": ("tradevalueus", "primaryvalue"),
}
FLOW_CODES = {
    "X": "export",
    "M": "import",
    "RX": "re-export",
    "RM": "re-import",
    "2": "export",
    "1": "import",
    "3": "re-export",
    "4": "re-import",
}
FLOW_NAMES = {
    "export": "export",
    "import": "import",
    "re-export": "re-export",
    "re-import": "re-import",
}
EDITIONS = {
    "H0": "HS1992",
    "H1": "HS1996",
    "H2": "HS2002",
    "H3": "HS2007",
    "H4": "HS2012",
    "H5": "HS2017",
    "H6": "HS2022",
}
#: first year each HS edition was in force (for files that do not name their classification)
EDITION_YEARS = ((2022, "HS2022"), (2017, "HS2017"), (2012, "HS2012"), (2007, "HS2007"),
                 (2002, "HS2002"), (1996, "HS1996"), (1988, "HS1992"))  # fmt: skip
WORLD_CODES = frozenset({"0", "W00", "WLD"})
#: breakdown columns, in the order they are tested; their total rows carry one of NOT_BROKEN_DOWN
BREAKDOWNS = ("customs", "mos", "partner2")
NOT_BROKEN_DOWN = ("", "0", "C00")
#: mode-of-transport codes of the TOTAL MOT row (an empty code: the file has no MOT split)
TOTAL_MOT = ("", "0")
NUMBER_FIELDS = ("year", "month", "value", "qty", "net_mass")
HS_LEVELS = (2, 4, 6)
YEAR_RANGE = (1900, 2100)

#: every character str.strip() removes (the DuckDB path trims exactly these), written out: working
#: it out over all of Unicode cost 130 ms at every start of the CLI (tests/unit checks the set)
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: a number, once spaces are dropped and a decimal comma is a point (ASCII digits only)
NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
DIGITS = r"[0-9]+"
_NUMBER = re.compile(NUMBER)

ROW_MOT = "mode-of-transport row; the TOTAL MOT row is used"
SUMMED_NOTE = "rows split by mode of transport were summed into per-period totals"
NO_CLASSIFICATION_NOTE = (
    "no classification column: hs_edition is the HS edition in force in each row's year "
    "(Comtrade 'as reported' data)"
)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def columns(header: Sequence[str]) -> dict[str, str]:
    """Canonical field -> the header's column for it (case, spaces and punctuation ignored)."""
    by_key = {_key(h): h for h in header}
    found: dict[str, str] = {}
    for field, keys in ALIASES.items():
        for k in keys:
            if k in by_key:
                found[field] = by_key[k]
                break
    return found


def is_comtrade_header(header: Sequence[str]) -> bool:
    cols = columns(header)
    return {"year", "cmd", "value"} <= cols.keys() and ("flow" in cols or "flow_desc" in cols)


def edition_for(year: int) -> str | None:
    """The HS edition in force in ``year`` (None before 1988)."""
    return next((ed for first, ed in EDITION_YEARS if year >= first), None)


def to_number(text: str | None) -> float | None:
    """A finite number, or None when missing; ValueError when the text is not a number."""
    if text is None:
        return None
    cleaned = text.strip().replace("\xa0", "").replace(" ", "")
    if cleaned.lower() in MISSING:
        return None
    normal = cleaned.replace(",", ".")
    if _ascii_digits(normal.replace(".", "", 1)) or _NUMBER.fullmatch(normal):
        value = float(normal)
        if math.isfinite(value):
            return value
    raise ValueError(text)


def _ascii_digits(text: str) -> bool:
    """``text`` matches :data:`DIGITS` (the fast test of the common case)."""
    return text.isascii() and text.isdigit()


def whole(text: str | None) -> int | None:
    """The integer part of a (valid) number text, or None when missing."""
    value = to_number(text)
    return None if value is None else int(value)


def flow_of(code: str | None, desc: str | None) -> str | None:
    """The canonical flow of a flow code (``X``, ``M``, ``RX``...) or description, or None."""
    return FLOW_CODES.get((code or "").upper()) or FLOW_NAMES.get((desc or "").lower())


def classification_edition(cls: str) -> str | None:
    """The HS edition of a Comtrade classification code (``H5`` -> ``HS2017``), or None."""
    return EDITIONS.get(cls.upper())


def resolve(codes: Sequence[str | None], names: Sequence[str | None]) -> Resolution | str:
    """A reporter or partner from its codes and names (``partners.yml``), or why not."""
    if any(c and c.strip().upper() in WORLD_CODES for c in codes):
        return Resolution("WORLD", "table")
    return partner_table().lookup(*codes, *names)


def hs_product(cmd: str, level_text: str | None) -> tuple[str, int] | None:
    """(product, level) of an HS commodity code, or None when it is not one. The level is the
    aggregate level column where it holds digits, else the code's length."""
    level = int(level_text) if level_text and _ascii_digits(level_text) else len(cmd)
    if _ascii_digits(cmd) and level in HS_LEVELS and len(cmd) <= level:
        return cmd.zfill(level), level
    return None


def reason(kind: str, a: str | None, b: str | None, names: dict[str, str]) -> str:
    """The text of a skip reason (see the module docstring); ``names``: field -> column name."""
    if kind == "number":
        assert a is not None
        return f"not a number in {names.get(a, a)}: {b!r}"
    if kind == "no_year":
        return f"no year in {names.get('year', 'year')}"
    if kind == "breakdown":
        assert a is not None
        return f"{names.get(a, a)} breakdown row ({b}); totals are used"
    if kind == "no_value":
        return "no trade value"
    if kind == "no_edition":
        return f"no classification and no HS edition in force in {whole(a)}"
    if kind == "year_range":
        return f"year {whole(a)} out of range"
    if kind == "month":
        return f"monthly row with month {whole(a)!r}"
    if kind == "product":
        level = f" (aggregate level {b!r})" if b else ""
        return f"commodity code {a!r}{level} is not TOTAL or an HS code of 2, 4 or 6 digits"
    if kind == "text":
        return a or ""
    raise ValueError(f"unknown skip kind {kind!r}")


def flow_reason(code: str | None, desc: str | None) -> str:
    return f"flow {(code or '').upper() or desc!r} not loaded"


def classification_reason(cls: str) -> str:
    return f"classification {cls.upper()!r} is not HS"
