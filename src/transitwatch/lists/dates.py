"""Dates as lists write them, to ISO prefixes (YYYY, YYYY-MM, YYYY-MM-DD)."""

from __future__ import annotations

import re

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY_NUM = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_MDY_NUM = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_D_MON_Y = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]{3,9})\.?\s+(\d{4})$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*(?:to|-|–)\s*(\d{4})$")
_YEAR = re.compile(r"^(?:circa|c\.|approximately|about)?\s*(\d{4})$", re.IGNORECASE)


def _fmt(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1000 <= year <= 2100:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(text: str | None, *, day_first: bool = True) -> list[str]:
    """Every date the text states, as ISO prefixes; a year range gives each year.

    Accepts "03 Aug 1974", "Aug 1974", "1974", "circa 1974", "1960 to 1962", "1974-08-03",
    "3.8.1974" / "03/08/1974" (day first unless ``day_first`` is False). Unknown wording gives [].
    """
    if not text:
        return []
    s = text.strip().strip(".").strip()
    if not s:
        return []
    m = _ISO.match(s)
    if m:
        out = _fmt(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
        return [out] if out else []
    m = _DMY_NUM.match(s)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        out = _fmt(y, b, a) if day_first else _fmt(y, a, b)
        return [out] if out else []
    m = _D_MON_Y.match(s)
    if m and m[2].lower() in _MONTHS:
        out = _fmt(int(m[3]), _MONTHS[m[2].lower()], int(m[1]) if m[1] else None)
        return [out] if out else []
    m = _YEAR_RANGE.match(s)
    if m:
        start, end = int(m[1]), int(m[2])
        if start <= end <= start + 20:
            return [y for y in (_fmt(v) for v in range(start, end + 1)) if y]
        return []
    m = _YEAR.match(s)
    if m:
        out = _fmt(int(m[1]))
        return [out] if out else []
    return []
