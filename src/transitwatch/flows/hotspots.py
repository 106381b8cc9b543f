"""Hotspot ranking: (transit country, product) pairs ordered by a documented combination of signals.

Signals, per (source, transit country ``T``, product ``p``) on annual values
(:func:`hotspot_query`, one SQL statement):

* ``E``: exports of ``p`` by ``T`` to Russia in the latest year with a value (capped by
  ``year``), and ``E0`` their mean over the baseline window (default 2019–2021);
* ``I``, ``I0``: the same for ``T``'s imports of ``p`` from the coalition (``COALITION``);
* ``corr``: Pearson correlation of the yearly ``I`` and ``E`` series (years with both);

Score (:func:`score`, pure), with ``F`` a damping floor (default USD 100,000) so that tiny
flows do not produce huge ratios::

    g_ru     = ln((E + F) / (E0 + F))          growth of exports to Russia vs the baseline
    g_in     = ln((I + F) / (I0 + F))          growth of imports from the coalition
    coverage = min(E / I, 1)                   share of coalition imports matched by exports to RU
    new      = 1 if E0 is 0 or missing and E > 0 (zero-to-positive) else 0
    tier     = 1.0 (CHPL Tier 1), 0.8 (Tier 2), 0.6 (Tier 3.x), 0.4 (Tier 4.x), 0 otherwise
    score    = g_ru + 0.5 * max(g_in, 0) + 0.5 * max(corr, 0) + 0.5 * coverage + new + tier

Pairs without exports to Russia in the latest year are not ranked. Ties: larger ``E`` first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from transitwatch.flows.chpl import Chpl
from transitwatch.flows.indicators import DEFAULT_BASELINE
from transitwatch.flows.sql import (
    COALITION,
    TABLE,
    Builder,
    Connection,
    Filters,
    Query,
    fetch,
    finite,
    marks,
    series_ctes,
)

DEFAULT_FLOOR_USD = 100_000.0
TIER_WEIGHTS = {"Tier 1": 1.0, "Tier 2": 0.8, "Tier 3": 0.6, "Tier 4": 0.4}


@dataclass(frozen=True, slots=True)
class Signals:
    source: str
    transit: str
    product: str
    year: int
    exports_ru_usd: float
    exports_ru_baseline_usd: float | None
    imports_coalition_usd: float | None
    imports_coalition_baseline_usd: float | None
    correlation: float | None


@dataclass(frozen=True, slots=True)
class Hotspot:
    rank: int
    signals: Signals
    tier: str | None
    g_ru: float
    g_in: float
    coverage: float
    new: bool
    score: float


def hotspot_query(
    *,
    transits: Sequence[str] | None = None,
    product_level: int | None = 6,
    products: Sequence[str] | None = None,
    coalition: Sequence[str] = COALITION,
    baseline: tuple[int, int] = DEFAULT_BASELINE,
    year: int | None = None,
    target: str = "RU",
    table: str = TABLE,
) -> Query:
    """Per-pair signals (see the module docstring)."""
    filters = Filters(
        reporters=tuple(transits) if transits is not None else None,
        partners=(*coalition, target),
        flows=("import", "export"),
        product_level=product_level,
        products=tuple(products) if products is not None else None,
        last_year=year,
    )
    b = Builder()
    series_ctes(b, filters, grain="A", table=table)
    keys = "source, reporter, product, year"
    b.add(
        f",\nru AS (\n  SELECT {keys}, SUM(value_usd) AS v FROM series\n"
        f"  WHERE flow = 'export' AND partner = ? GROUP BY {keys}\n),\n"
        f"co AS (\n  SELECT {keys}, SUM(value_usd) AS v FROM series\n"
        f"  WHERE flow = 'import' AND partner IN ({marks(len(coalition))}) GROUP BY {keys}\n),\n"
        "yrs AS (\n  SELECT ru.source, ru.reporter, ru.product, ru.year, ru.v AS e, co.v AS i\n"
        "  FROM ru LEFT JOIN co ON co.source = ru.source AND co.reporter = ru.reporter\n"
        "    AND co.product = ru.product AND co.year = ru.year\n"
        "  UNION ALL\n"
        "  SELECT co.source, co.reporter, co.product, co.year, NULL, co.v FROM co\n"
        "  WHERE NOT EXISTS (SELECT 1 FROM ru WHERE ru.source = co.source\n"
        "    AND ru.reporter = co.reporter AND ru.product = co.product AND ru.year = co.year)\n"
        "),\n"
        "latest AS (\n  SELECT source, reporter, product, MAX(year) AS year FROM yrs\n"
        "  WHERE e > 0 GROUP BY source, reporter, product\n),\n"
        "sig AS (\n  SELECT source, reporter, product,\n"
        "    AVG(CASE WHEN year BETWEEN ? AND ? THEN e END) AS e0,\n"
        "    AVG(CASE WHEN year BETWEEN ? AND ? THEN i END) AS i0,\n"
        "    CORR(i, e) AS corr\n"
        "  FROM yrs GROUP BY source, reporter, product\n)\n"
        "SELECT l.source, l.reporter, l.product, l.year, y.e, s.e0, y.i, s.i0, s.corr\n"
        "FROM latest l\n"
        "JOIN yrs y ON y.source = l.source AND y.reporter = l.reporter\n"
        "  AND y.product = l.product AND y.year = l.year\n"
        "JOIN sig s ON s.source = l.source AND s.reporter = l.reporter AND s.product = l.product\n"
        "ORDER BY l.source, l.reporter, l.product",
        target,
        *coalition,
        baseline[0],
        baseline[1],
        baseline[0],
        baseline[1],
    )
    return b.query()


def tier_weight(tier: str | None) -> float:
    if tier is None:
        return 0.0
    return next((w for prefix, w in TIER_WEIGHTS.items() if tier.startswith(prefix)), 0.0)


def score(
    signals: Sequence[Signals], chpl: Chpl | None = None, *, floor_usd: float = DEFAULT_FLOOR_USD
) -> list[Hotspot]:
    """Rank pairs by the documented score (pure; see the module docstring)."""
    scored: list[tuple[float, float, Signals, str | None, float, float, float, bool]] = []
    for s in signals:
        if s.exports_ru_usd <= 0:
            continue
        e0 = s.exports_ru_baseline_usd or 0.0
        i, i0 = s.imports_coalition_usd or 0.0, s.imports_coalition_baseline_usd or 0.0
        g_ru = math.log((s.exports_ru_usd + floor_usd) / (e0 + floor_usd))
        g_in = math.log((i + floor_usd) / (i0 + floor_usd))
        coverage = min(s.exports_ru_usd / i, 1.0) if i > 0 else 0.0
        new = e0 <= 0
        tier = chpl.tier_of(s.product) if chpl is not None else None
        corr = s.correlation if s.correlation is not None else 0
        total = (
            g_ru
            + 0.5 * max(g_in, 0.0)
            + 0.5 * max(corr, 0.0)
            + 0.5 * coverage
            + (1.0 if new else 0.0)
            + tier_weight(tier)
        )
        scored.append((total, s.exports_ru_usd, s, tier, g_ru, g_in, coverage, new))
    scored.sort(key=lambda t: (-t[0], -t[1], t[2].transit, t[2].product))
    return [
        Hotspot(rank, s, tier, g_ru, g_in, coverage, new, round(total, 6))
        for rank, (total, _e, s, tier, g_ru, g_in, coverage, new) in enumerate(scored, start=1)
    ]


def hotspots(
    con: Connection,
    chpl: Chpl | None = None,
    *,
    floor_usd: float = DEFAULT_FLOOR_USD,
    limit: int | None = None,
    **kwargs: object,
) -> list[Hotspot]:
    """Run :func:`hotspot_query` (same keyword arguments) and :func:`score`."""
    rows = fetch(con, hotspot_query(**kwargs))  # type: ignore[arg-type]
    signals = [
        Signals(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6], r[7], finite(r[8])) for r in rows
    ]
    ranked = score(signals, chpl, floor_usd=floor_usd)
    return ranked[:limit] if limit is not None else ranked
