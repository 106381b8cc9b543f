"""What earlier declarations say: first-seen dates, shipments per exporter and HS-6, unit-value
bands. Every question takes the declaration date and answers from rows dated strictly before
it, so a batch screened in any order never learns from its own future.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from transitwatch.declarations.model import Declaration

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


class BandsLike(Protocol):
    def check(self, hs6: str, unit: str, unit_value: float) -> Any: ...


BandsFit = Callable[[list[tuple[str, str, float]]], BandsLike]


def party_key(name: str, party_id: str | None, country: str | None) -> str:
    """A party's identity across declarations: its id if declared, else its folded name."""
    if party_id:
        return f"id:{country or ''}:{party_id.strip().casefold()}"
    return f"name:{country or ''}:{_NOT_ALNUM.sub('', name.casefold())}"


@dataclass(frozen=True, slots=True)
class HistoryRow:
    declaration_id: str
    date: date
    exporter_key: str
    consignee_key: str
    hs6: str
    unit: str | None
    unit_value: float | None

    @classmethod
    def of(cls, d: Declaration) -> HistoryRow:
        uv = d.unit_value()
        return cls(
            d.declaration_id,
            d.date,
            party_key(d.exporter_name, d.exporter_id, d.exporter_country),
            party_key(d.consignee_name, d.consignee_id, d.consignee_country),
            d.hs6,
            uv[0] if uv else None,
            uv[1] if uv else None,
        )


class History:
    """In-memory index of earlier declarations (from the store plus the batch itself)."""

    def __init__(self, rows: Iterable[HistoryRow] = (), *, fit: BandsFit | None = None) -> None:
        self._ids: set[str] = set()
        self._exporter: dict[str, list[date]] = {}
        self._exporter_hs: dict[tuple[str, str], list[date]] = {}
        self._consignee: dict[str, date] = {}
        self._values: list[tuple[date, str, str, float]] = []
        self._fit = fit
        self._bands: dict[tuple[int, int], BandsLike | None] = {}
        self._sorted = True
        self.extend(rows)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, declaration_id: object) -> bool:
        return declaration_id in self._ids

    def extend(self, rows: Iterable[HistoryRow]) -> None:
        for r in rows:
            if r.declaration_id in self._ids:
                continue  # a declaration counts once, however often it is screened
            self._ids.add(r.declaration_id)
            self._exporter.setdefault(r.exporter_key, []).append(r.date)
            self._exporter_hs.setdefault((r.exporter_key, r.hs6), []).append(r.date)
            first = self._consignee.get(r.consignee_key)
            if first is None or r.date < first:
                self._consignee[r.consignee_key] = r.date
            if r.unit and r.unit_value is not None:
                self._values.append((r.date, r.hs6, r.unit, r.unit_value))
        self._sorted = False
        self._bands.clear()

    def _sort(self) -> None:
        if not self._sorted:
            for dates in self._exporter.values():
                dates.sort()
            for dates in self._exporter_hs.values():
                dates.sort()
            self._values.sort(key=lambda v: v[0])
            self._sorted = True

    def exporter_prior(self, key: str, before: date) -> int:
        self._sort()
        return bisect_left(self._exporter.get(key, []), before)

    def exporter_hs_prior(self, key: str, hs6: str, before: date) -> int:
        self._sort()
        return bisect_left(self._exporter_hs.get((key, hs6), []), before)

    def consignee_first_seen(self, key: str, before: date) -> date | None:
        first = self._consignee.get(key)
        return first if first is not None and first < before else None

    def bands(self, on: date) -> BandsLike | None:
        """Unit-value bands fitted on the rows dated before the first day of ``on``'s quarter
        (refitted once a quarter: bands move slowly, and this keeps a big batch fast)."""
        if self._fit is None:
            return None
        month = (on.year, (on.month - 1) // 3 * 3 + 1)
        if month not in self._bands:
            self._sort()
            cut = date(month[0], month[1], 1)
            rows = [(hs6, unit, uv) for d, hs6, unit, uv in self._values if d < cut]
            self._bands[month] = self._fit(rows) if rows else None
        return self._bands[month]
