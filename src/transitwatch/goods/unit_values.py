"""Unit-value bands per HS-6 code and unit, learned from past declarations, to flag implausible
declared values (under-valuation hides controlled goods in cheap codes, over-valuation moves
money).

Unit values are roughly log-normal, so the band is built on log values with robust statistics:
the median and the median absolute deviation (MAD, scaled by 1.4826 to estimate a standard
deviation under normality). The band is ``median ×/÷ exp(k · σ)`` with ``k = 3.5`` by default
(the usual cut-off for MAD-based outlier tests, Iglewicz & Hoaglin 1993), and σ never below
``min_sigma`` so that a history of identical prices does not flag a cent's difference. A code
and unit with fewer than ``min_count`` past declarations gets no band: nothing is flagged.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

from transitwatch.goods.model import ValueOutlier

MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True, slots=True)
class Band:
    hs6: str
    unit: str
    median: float
    low: float
    high: float
    n: int
    sigma: float  # robust standard deviation of the log unit values


def _key(hs6: str, unit: str) -> tuple[str, str]:
    return "".join(ch for ch in hs6 if ch.isdigit())[:6], unit.strip().lower()


class UnitValueBands:
    """Bands per (HS-6, unit); build with ``fit``, query with ``check``."""

    def __init__(self, bands: dict[tuple[str, str], Band], k: float) -> None:
        self.bands = bands
        self.k = k

    @classmethod
    def fit(
        cls,
        rows: Iterable[tuple[str, str, float]],
        *,
        min_count: int = 20,
        k: float = 3.5,
        min_sigma: float = 0.1,
    ) -> UnitValueBands:
        """``rows``: (hs code, unit, unit value) of past declarations. Rows with a value that is
        not a positive finite number are ignored (they say nothing about prices)."""
        logs: dict[tuple[str, str], list[float]] = defaultdict(list)
        for hs, unit, value in rows:
            try:
                v = float(value)
            except (TypeError, ValueError):
                continue
            if not math.isfinite(v) or v <= 0:
                continue
            key = _key(str(hs), str(unit))
            if len(key[0]) == 6:
                logs[key].append(math.log(v))
        bands: dict[tuple[str, str], Band] = {}
        for key, values in logs.items():
            if len(values) < min_count:
                continue
            m = median(values)
            mad = median(abs(x - m) for x in values)
            sigma = max(MAD_TO_SIGMA * mad, min_sigma)
            bands[key] = Band(
                hs6=key[0],
                unit=key[1],
                median=math.exp(m),
                low=math.exp(m - k * sigma),
                high=math.exp(m + k * sigma),
                n=len(values),
                sigma=sigma,
            )
        return cls(bands, k)

    def band(self, hs6: str, unit: str) -> Band | None:
        return self.bands.get(_key(hs6, unit))

    def check(self, hs6: str, unit: str, unit_value: float) -> ValueOutlier | None:
        """An outlier with its explanation when the value falls outside the band; None inside
        it or when there is no band for this code and unit."""
        band = self.band(hs6, unit)
        if band is None:
            return None
        value = float(unit_value)
        if math.isnan(value):
            return None
        if band.low <= value <= band.high:
            return None
        direction = "low" if value < band.low else "high"
        how = "below" if direction == "low" else "above"
        if value <= 0:
            detail = f"not a positive value; median {band.median:,.2f}"
        else:
            ratio = band.median / value if direction == "low" else value / band.median
            less_more = "less" if direction == "low" else "more"
            detail = f"{ratio:,.1f} times {less_more} than the median {band.median:,.2f}"
        message = (
            f"unit value {value:,.2f} per {band.unit} for HS {band.hs6} is {how} the usual band "
            f"{band.low:,.2f}–{band.high:,.2f} ({detail}; band = median ×/÷ "
            f"e^({self.k:g}·{band.sigma:.2f}), robust spread of {band.n} past declarations)"
        )
        return ValueOutlier(
            hs6=band.hs6,
            unit=band.unit,
            unit_value=value,
            low=band.low,
            high=band.high,
            median=band.median,
            n=band.n,
            direction=direction,
            message=message,
        )
