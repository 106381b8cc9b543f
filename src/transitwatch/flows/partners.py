"""Partner and reporter names (Russian, Kyrgyz, Uzbek, English, French) to codes (pure).

The mapping is data, in ``transitwatch/data/partners.yml``; this module loads it and answers
lookups. A name the table does not know may be resolved with
:func:`transitwatch.countries.country_code` (English names and ISO codes) when the caller allows
it; such resolutions are reported (:attr:`Resolution.via`) so a loader can note them. A name in
neither is unknown: the loader skips the row and says so, nothing is guessed silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from transitwatch.countries import country_code
from transitwatch.errors import ConfigError
from transitwatch.flows.model import AGGREGATES, SPECIAL, valid_code

_FOOTNOTE = re.compile(r"\s*\(incl\.[^()]*\)\s*$")


def normalize(name: str) -> str:
    """The key a name is looked up by: NFC, plain apostrophes, one space, case folded, and a
    trailing Eurostat footnote ``(incl. ...)`` dropped."""
    text = unicodedata.normalize("NFC", name).replace("\u2019", "'").replace("\xa0", " ")
    text = " ".join(text.split())
    text = _FOOTNOTE.sub("", text)
    return text.casefold()


@dataclass(frozen=True, slots=True)
class Resolution:
    code: str
    via: str  # "table" or "country_code"

    @property
    def is_aggregate(self) -> bool:
        return self.code in AGGREGATES


@dataclass(frozen=True, slots=True)
class PartnerTable:
    names: dict[str, str]  # normalized name -> code
    not_countries: dict[str, str]  # normalized name -> reason

    def lookup(self, *names: str | None, fallback: bool = True) -> Resolution | str:
        """The code of the first known name; else, with ``fallback``, what country_code makes
        of them; else a reason (str) saying why none could be resolved."""
        given = [n for n in names if n and n.strip()]
        if not given:
            return "no partner name"
        for name in given:
            code = self.names.get(normalize(name))
            if code is not None:
                return Resolution(code, "table")
        for name in given:
            reason = self.not_countries.get(normalize(name))
            if reason is not None:
                return f"partner {name.strip()!r} not mapped: {reason}"
        if fallback:
            for name in given:
                found = country_code(name)
                if found is not None:
                    return Resolution(found, "country_code")
        return f"unknown partner name {given[0].strip()!r}"


def _load(text: str) -> PartnerTable:
    data = yaml.safe_load(text)
    names: dict[str, str] = {}
    for section in ("aggregates", "special", "countries"):
        for code, values in (data.get(section) or {}).items():
            code = str(code)
            if section == "aggregates" and code not in AGGREGATES:
                raise ConfigError(f"partners.yml: aggregate {code!r} unknown to flows.model")
            if section == "special" and code not in SPECIAL:
                raise ConfigError(f"partners.yml: special code {code!r} unknown to flows.model")
            if not valid_code(code):
                raise ConfigError(f"partners.yml: {code!r} is not a valid code")
            for value in values:
                key = normalize(str(value))
                if names.setdefault(key, code) != code:
                    raise ConfigError(
                        f"partners.yml: {value!r} maps to both {names[key]} and {code}"
                    )
    not_countries = {
        normalize(str(k)): str(v) for k, v in (data.get("not_countries") or {}).items()
    }
    return PartnerTable(names, not_countries)


@lru_cache(maxsize=1)
def partner_table() -> PartnerTable:
    """The packaged table (read once)."""
    raw = resources.files("transitwatch.data").joinpath("partners.yml").read_text("utf-8")
    return _load(raw)


def table_from_text(text: str) -> PartnerTable:
    """A table from YAML text (tests, user-supplied extensions)."""
    return _load(text)
