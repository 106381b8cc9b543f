"""Conversion of trade values to US dollars with the packaged reference rates (pure).

Rates live in ``transitwatch/data/fx_rates.yml`` as US dollars per unit of the currency: annual
averages (``source``) and monthly averages where the file states them (``monthly_source``). A
monthly value is converted with its month's average when there is one, else with its year's
annual average; :attr:`Conversion.basis` says which and :attr:`Conversion.source` cites where the
rate comes from. A value whose rate is missing is an error, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from transitwatch.errors import ConfigError, InputError


@dataclass(frozen=True, slots=True)
class Conversion:
    usd_per_unit: float
    basis: str  # "identity", "monthly average", "annual average", "annual average (no monthly)"
    source: str = ""  # short citation of the rate's series, e.g. "ECB annual average"


@dataclass(frozen=True, slots=True)
class RateTable:
    annual: dict[str, dict[int, float]]
    monthly: dict[str, dict[tuple[int, int], float]]
    sources: dict[str, str]
    monthly_sources: dict[str, str]

    def conversion(self, currency: str, year: int, month: int | None = None) -> Conversion:
        cur = currency.upper()
        if cur == "USD":
            return Conversion(1.0, "identity")
        if cur not in self.annual:
            raise InputError(
                f"no exchange rates for {cur} in fx_rates.yml (known: USD, "
                f"{', '.join(sorted(self.annual))}); add a cited block to convert {cur} values"
            )
        if month is not None:
            rate = self.monthly.get(cur, {}).get((year, month))
            if rate is not None:
                return Conversion(rate, "monthly average", self.monthly_sources[cur])
        annual = self.annual[cur].get(year)
        if annual is None:
            years = sorted(self.annual[cur])
            raise InputError(
                f"no {cur} rate for {year} in fx_rates.yml (covers {years[0]}-{years[-1]})"
            )
        basis = "annual average" if month is None else "annual average (no monthly rate)"
        return Conversion(annual, basis, self.sources[cur])

    def to_usd(
        self, value: float | None, currency: str, year: int, month: int | None = None
    ) -> float | None:
        if value is None:
            return None
        return value * self.conversion(currency, year, month).usd_per_unit


def _load(text: str) -> RateTable:
    data = yaml.safe_load(text) or {}
    annual: dict[str, dict[int, float]] = {}
    monthly: dict[str, dict[tuple[int, int], float]] = {}
    sources: dict[str, str] = {}
    monthly_sources: dict[str, str] = {}
    for cur, block in (data.get("currencies") or {}).items():
        if not block.get("source"):
            raise ConfigError(f"fx_rates.yml: {cur} has no source")
        if block.get("quote") != "usd_per_unit":
            raise ConfigError(f"fx_rates.yml: {cur} must be quoted as usd_per_unit")
        sources[cur] = str(block.get("cite") or " ".join(str(block["source"]).split()))
        annual[cur] = {int(y): float(r) for y, r in (block.get("annual") or {}).items()}
        months: dict[tuple[int, int], float] = {}
        for period, rate in (block.get("monthly") or {}).items():
            y, _, m = str(period).partition("-")
            if not (y.isdigit() and m.isdigit() and 1 <= int(m) <= 12):
                raise ConfigError(f"fx_rates.yml: {cur} month {period!r} is not YYYY-MM")
            months[(int(y), int(m))] = float(rate)
        if months and not block.get("monthly_source"):
            raise ConfigError(f"fx_rates.yml: {cur} has monthly rates but no monthly_source")
        monthly_sources[cur] = str(
            block.get("monthly_cite") or " ".join(str(block.get("monthly_source") or "").split())
        )
        monthly[cur] = months
        for r in [*annual[cur].values(), *months.values()]:
            if not 0 < r < 100:
                raise ConfigError(f"fx_rates.yml: {cur} rate {r} is implausible (USD per unit)")
    return RateTable(annual, monthly, sources, monthly_sources)


@lru_cache(maxsize=1)
def rate_table() -> RateTable:
    raw = resources.files("transitwatch.data").joinpath("fx_rates.yml").read_text("utf-8")
    return _load(raw)


def table_from_text(text: str) -> RateTable:
    return _load(text)
