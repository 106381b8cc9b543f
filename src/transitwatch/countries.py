"""Country names (any language the lists use) to ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

from functools import lru_cache

from rigour.territories import get_territories, lookup_territory

# Wordings the lists use that the territory database does not resolve the way we need.
_OVERRIDES: dict[str, str | None] = {
    "kyrgyz republic": "KG",
    "russian federation": "RU",
    "korea, north": "KP",
    "north korea": "KP",
    "korea, south": "KR",
    "burma": "MM",
    "turkiye": "TR",
    "türkiye": "TR",
    "crimea": "UA",
    "region: crimea": "UA",
    "west bank": "PS",
    "gaza": "PS",
    "kosovo": "XK",
    "uae": "AE",
    "uk": "GB",
    "belarussian": "BY",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "turkey": "TR",
    "ivory coast": "CI",
    "na": None,  # "not available" in the UN list, never Namibia in a sanctions list
    "u.a.e.": "AE",
}


@lru_cache(maxsize=1)
def _fast_table() -> dict[str, str]:
    """Exact names and codes of every current country: answers most lookups without
    rigour's fuzzy index, which takes seconds to build on first use."""
    table: dict[str, str] = {}
    for territory in get_territories():
        code = territory.code.split("-")[0]
        if len(code) != 2 or territory.is_historical:
            continue
        for key in (territory.name, territory.full_name, territory.alpha3, code):
            if key:
                table.setdefault(key.lower(), code.upper())
    return table


@lru_cache(maxsize=8192)
def country_code(text: str | None) -> str | None:
    """ISO2 code (upper case) for a country name or code, or None when unknown."""
    if text is None:
        return None
    cleaned = text.strip().strip(".").strip()
    if not cleaned:
        return None
    key = cleaned.lower()
    if key in _OVERRIDES:
        return _OVERRIDES[key]
    fast = _fast_table().get(key)
    if fast is not None:
        return fast
    if len(cleaned) == 2 and cleaned.isalpha():
        return None
    territory = lookup_territory(cleaned)
    if territory is None:
        return None
    code = territory.code
    if not code:
        return None
    # rigour knows sub-national territories (e.g. "ua-cri"): keep the country part. Historic
    # states have four-letter codes ("suhh" for the Soviet Union): no ISO2 for those.
    country = code.split("-")[0]
    return country.upper() if len(country) == 2 else None


def country_in_text(text: str) -> str | None:
    """The country named at the end of a free-text address ("Bishkek, ..., Kyrgyz Republic")."""
    whole = country_code(text)
    if whole is not None:
        return whole
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if len(parts) >= 2:
        tail = country_code(", ".join(parts[-2:]))  # "Korea, North"
        if tail is not None:
            return tail
    for part in reversed(parts):
        code = country_code(part)
        if code is not None:
            return code
    return None
