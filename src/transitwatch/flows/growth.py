"""Growth of every series against the previous period and a baseline window (pure SQL builder).

``yoy = v(y) / v(y-1) - 1`` (same month of the previous year for monthly data) and
``vs_baseline = v(y) / B - 1`` with ``B`` the mean of the values in the baseline window (default
2019–2021; years without a value are left out, and ``baseline_years`` says how many were there).
NULL when the denominator is missing or 0. See :mod:`transitwatch.flows.indicators`.

The previous value is a join of the series to itself (shifted by a year) and the baseline a
join to its per-series mean; DuckDB computes the ``series`` CTE once for both (window functions,
``LAG``/``AVG OVER``, were measured at twice the time on 100 million rows).

A whole-table result can have millions of rows. :func:`growth_top` returns a bounded, ordered
view (the first ``limit`` rows in :data:`ORDERS` order) and the total row count, in one query;
the CLI streams the full result to a file (``COPY``) instead of building Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from transitwatch.flows.sql import (
    TABLE,
    Builder,
    Connection,
    Filters,
    Grain,
    Query,
    fetch,
    fetch_top,
    series_ctes,
)

DEFAULT_BASELINE = (2019, 2021)
SERIES_KEYS = ("source", "reporter", "partner", "product", "flow")
KEY_ORDER = "source, reporter, partner, product, flow, year, month"
#: orderings of a growth result: name -> ORDER BY (largest first; NULLs last; ties by key)
ORDERS: dict[str, str] = {
    "key": KEY_ORDER,
    "value": f"value_usd DESC NULLS LAST, {KEY_ORDER}",
    "yoy": f"yoy DESC NULLS LAST, {KEY_ORDER}",
    "vs_baseline": f"vs_baseline DESC NULLS LAST, {KEY_ORDER}",
}


@dataclass(frozen=True, slots=True)
class GrowthRow:
    source: str
    reporter: str
    partner: str
    product: str
    flow: str
    year: int
    month: int | None
    value_usd: float | None
    previous_usd: float | None
    yoy: float | None
    baseline_usd: float | None
    baseline_years: int
    vs_baseline: float | None
    basis: str


#: result columns and their SQL types (for reading a result file back)
GROWTH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "VARCHAR"), ("reporter", "VARCHAR"), ("partner", "VARCHAR"),
    ("product", "VARCHAR"), ("flow", "VARCHAR"), ("year", "INTEGER"), ("month", "INTEGER"),
    ("value_usd", "DOUBLE"), ("previous_usd", "DOUBLE"), ("yoy", "DOUBLE"),
    ("baseline_usd", "DOUBLE"), ("baseline_years", "BIGINT"), ("vs_baseline", "DOUBLE"),
    ("basis", "VARCHAR"),
)  # fmt: skip
assert tuple(c for c, _ in GROWTH_COLUMNS) == tuple(f.name for f in fields(GrowthRow))


def growth_query(
    filters: Filters,
    *,
    grain: Grain = "A",
    baseline: tuple[int, int] = DEFAULT_BASELINE,
    table: str = TABLE,
    mapping: Sequence[tuple[str, str]] = (),
    groups: Sequence[tuple[str, str]] = (),
    order: str | None = "key",
) -> Query:
    """Growth against the previous period and against the baseline window's mean.

    ``order``: a key of :data:`ORDERS`, or None for no ORDER BY (a result streamed to a file,
    or wrapped by :func:`~transitwatch.flows.sql.top_query`)."""
    if order is not None and order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}")
    b = Builder()
    series_ctes(b, filters, grain=grain, table=table, mapping=mapping, groups=groups)
    on = " AND ".join(f"{{a}}.{k} = s.{k}" for k in (*SERIES_KEYS, "month"))
    b.add(
        ",\nbase AS (\n  SELECT source, reporter, partner, product, flow, month,\n"
        "    AVG(value_usd) AS baseline_usd, COUNT(*) AS baseline_years\n"
        "  FROM series WHERE value_usd IS NOT NULL AND year BETWEEN ? AND ?\n"
        "  GROUP BY source, reporter, partner, product, flow, month\n)",
        *baseline,
    )
    b.add(
        "SELECT s.source, s.reporter, s.partner, s.product, s.flow, s.year,\n"
        "  NULLIF(s.month, 0) AS month, s.value_usd, p.value_usd AS previous_usd,\n"
        "  CASE WHEN p.value_usd <> 0 THEN s.value_usd / p.value_usd - 1 END AS yoy,\n"
        "  bl.baseline_usd, COALESCE(bl.baseline_years, 0) AS baseline_years,\n"
        "  CASE WHEN bl.baseline_usd <> 0 THEN s.value_usd / bl.baseline_usd - 1 END"
        " AS vs_baseline,\n"
        "  s.basis\n"
        "FROM series s\n"
        f"LEFT JOIN series p ON {on.format(a='p')} AND p.year = s.year - 1\n"
        f"LEFT JOIN base bl ON {on.format(a='bl')}"
        + (f"\nORDER BY {ORDERS[order]}" if order else "")
    )
    return b.query()


def growth_row(r: Sequence[Any]) -> GrowthRow:
    return GrowthRow(
        r[0], r[1], r[2], r[3], r[4], int(r[5]), r[6] or None, r[7], r[8], r[9], r[10],
        int(r[11]), r[12], r[13],
    )  # fmt: skip


def growth(
    con: Connection, filters: Filters, *, order: str | None = "key", **kwargs: Any
) -> list[GrowthRow]:
    """Run :func:`growth_query` (same keyword arguments); every row as a :class:`GrowthRow`.
    For results that may have millions of rows, use :func:`growth_top` or stream to a file."""
    return [growth_row(r) for r in fetch(con, growth_query(filters, order=order, **kwargs))]


def growth_top(
    con: Connection, filters: Filters, *, order: str = "key", limit: int = 50, **kwargs: Any
) -> tuple[list[GrowthRow], int]:
    """The first ``limit`` rows in ``order`` (see :data:`ORDERS`) and how many rows there are."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}")
    query = growth_query(filters, order=None, **kwargs)
    rows, total = fetch_top(con, query, ORDERS[order], limit)
    return [growth_row(r) for r in rows], total
