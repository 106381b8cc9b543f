"""Trade-flow indicators over the canonical ``trade_flows`` table.

Each indicator is a pure ``*_query(...) -> Query`` that builds dialect-neutral SQL (see
:mod:`transitwatch.flows.sql`) and a runner ``*(con, ...)`` that executes it on any DB-API
connection (DuckDB by default) and returns frozen dataclasses. All values are in USD through
the loaders' ``value_usd`` column (EUR figures, e.g. Eurostat's, are converted by the loader at
its stated rate); values are never mixed across sources: every result row names its source.

Definitions (``v(y)`` is a series value, see :func:`~transitwatch.flows.sql.series_ctes`):

* **growth** (:mod:`transitwatch.flows.growth`): ``yoy = v(y) / v(y-1) - 1`` (same month of
  the previous year for monthly data) and ``vs_baseline = v(y) / B - 1`` with ``B`` the mean of
  the values in the baseline window (default 2019–2021, the three years before the invasion;
  years without a record are left out of the mean, and ``baseline_years`` says how many were
  there). NULL when the denominator is missing or 0.
* **mirror gap**: the exporter's reported exports ``X`` (FOB) against the importer's reported
  imports from the exporter ``M`` (CIF). ``M_fob = M / cif_fob`` with a default CIF/FOB ratio
  of 1.10 (the conventional 10 % freight-and-insurance margin, configurable); ``gap = M_fob -
  X`` and ``gap_share = gap / X``. A negative gap means the importer records less than the
  exporter shipped. ``EU27`` as a party is the EU aggregate, or the sum of member states
  where the source has no aggregate (``*_basis`` says which).
* **re-export signature** (:func:`reexport`): for a transit country ``T`` and product ``p``,
  ``I(t)`` = imports of ``p`` by ``T`` from the coalition (as ``T`` reports them), ``E(t)`` =
  exports of ``p`` by ``T`` to Russia; per period the ratio ``E/I``; over the window the
  Pearson correlation ``CORR(I, E)`` (SQL:2003 aggregate) on periods where both exist, and
  ``sum(E)/sum(I)``.
* **zero-to-positive** (:func:`zero_to_positive`): products with no positive value from the
  reporter to the partner before ``since`` (default 2022), but positive from ``since`` on,
  where the reporter does report other products to that partner before ``since`` (so a
  missing history is not mistaken for a new flow). HS2017 codes are mapped to HS2022 first
  when a concordance is given, so a renumbered code is not a new product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from transitwatch.flows.growth import (
    DEFAULT_BASELINE,
    GrowthRow,
    growth,
    growth_query,
    growth_top,
)
from transitwatch.flows.sql import (
    COALITION,
    TABLE,
    Builder,
    Connection,
    Filters,
    Grain,
    Query,
    fetch,
    fetch_top,
    finite,
    series_ctes,
)

__all__ = [
    "DEFAULT_BASELINE",
    "DEFAULT_CIF_FOB",
    "GrowthRow",
    "MirrorRow",
    "ReexportPoint",
    "ReexportSignature",
    "ZeroRow",
    "growth",
    "growth_query",
    "growth_top",
    "mirror",
    "mirror_query",
    "reexport",
    "reexport_query",
    "zero_query",
    "zero_to_positive",
    "zero_top",
]

DEFAULT_CIF_FOB = 1.10


def _t(values: Sequence[str] | str | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return (values,) if isinstance(values, str) else tuple(values)


def _month(value: int) -> int | None:
    return value or None


# ------------------------------------------------------------------------------ mirror gap


@dataclass(frozen=True, slots=True)
class MirrorRow:
    exporter: str
    importer: str
    product: str
    year: int
    month: int | None
    export_source: str
    import_source: str
    export_usd: float
    import_cif_usd: float
    import_fob_usd: float
    gap_usd: float
    gap_share: float | None
    cif_fob: float
    export_basis: str
    import_basis: str


def mirror_query(
    exporter: str,
    importer: str,
    *,
    product: str = "TOTAL",
    cif_fob: float = DEFAULT_CIF_FOB,
    grain: Grain = "A",
    years: tuple[int, int] | None = None,
    table: str = TABLE,
) -> Query:
    """Exporter-reported exports vs importer-reported imports from the exporter."""
    filters = Filters(
        reporters=(exporter, importer),
        partners=(importer, exporter),
        flows=("export", "import"),
        products=(product,),
        first_year=years[0] if years else None,
        last_year=years[1] if years else None,
    )
    b = Builder()
    series_ctes(b, filters, grain=grain, table=table)
    b.add(
        "SELECT x.reporter, x.partner, x.product, x.year, x.month, x.source, m.source,\n"
        "  x.value_usd, m.value_usd, m.value_usd / ?, m.value_usd / ? - x.value_usd,\n"
        "  CASE WHEN x.value_usd <> 0 THEN (m.value_usd / ? - x.value_usd) / x.value_usd END,\n"
        "  x.basis, m.basis\n"
        "FROM series x JOIN series m\n"
        "  ON m.reporter = x.partner AND m.partner = x.reporter AND m.product = x.product\n"
        "  AND m.year = x.year AND m.month = x.month AND m.flow = 'import'\n"
        "WHERE x.flow = 'export' AND x.reporter = ? AND x.partner = ?\n"
        "  AND x.value_usd IS NOT NULL AND m.value_usd IS NOT NULL\n"
        "ORDER BY x.year, x.month, x.source, m.source",
        cif_fob,
        cif_fob,
        cif_fob,
        exporter,
        importer,
    )
    return b.query()


def mirror(
    con: Connection,
    exporter: str,
    importer: str,
    *,
    cif_fob: float = DEFAULT_CIF_FOB,
    **kwargs: object,
) -> list[MirrorRow]:
    """Run :func:`mirror_query` (same keyword arguments)."""
    rows = fetch(con, mirror_query(exporter, importer, cif_fob=cif_fob, **kwargs))  # type: ignore[arg-type]
    return [
        MirrorRow(
            r[0],
            r[1],
            r[2],
            int(r[3]),
            _month(r[4]),
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
            r[11],
            cif_fob,
            r[12],
            r[13],
        )
        for r in rows
    ]


# ---------------------------------------------------------------------- re-export signature


@dataclass(frozen=True, slots=True)
class ReexportPoint:
    year: int
    month: int | None
    imports_usd: float | None
    exports_ru_usd: float | None
    ratio: float | None


@dataclass(frozen=True, slots=True)
class ReexportSignature:
    transit: str
    product: str
    source: str
    coalition: tuple[str, ...]
    points: tuple[ReexportPoint, ...]
    n_paired: int
    correlation: float | None
    ratio: float | None


def _reexport_ctes(
    b: Builder,
    transit: str,
    product: str,
    coalition: Sequence[str],
    grain: Grain,
    years: tuple[int, int] | None,
    table: str,
    target: str,
) -> None:
    filters = Filters(
        reporters=(transit,),
        partners=(*coalition, target),
        flows=("import", "export"),
        products=(product,),
        first_year=years[0] if years else None,
        last_year=years[1] if years else None,
    )
    series_ctes(b, filters, grain=grain, table=table)
    co = ", ".join("?" for _ in coalition)
    b.add(
        ",\nimp AS (\n  SELECT source, year, month, SUM(value_usd) AS v FROM series\n"
        f"  WHERE flow = 'import' AND partner IN ({co}) GROUP BY source, year, month\n),\n"
        "exp AS (\n  SELECT source, year, month, SUM(value_usd) AS v FROM series\n"
        "  WHERE flow = 'export' AND partner = ? GROUP BY source, year, month\n),\n"
        "pairs AS (\n  SELECT COALESCE(i.source, e.source) AS source,\n"
        "    COALESCE(i.year, e.year) AS year, COALESCE(i.month, e.month) AS month,\n"
        "    i.v AS imports, e.v AS exports\n"
        "  FROM imp i FULL OUTER JOIN exp e\n"
        "    ON e.source = i.source AND e.year = i.year AND e.month = i.month\n)",
        *coalition,
        target,
    )


def reexport_query(
    transit: str,
    product: str,
    *,
    coalition: Sequence[str] = COALITION,
    grain: Grain = "M",
    years: tuple[int, int] | None = None,
    table: str = TABLE,
    target: str = "RU",
) -> tuple[Query, Query]:
    """(points query, summary query) of the re-export signature of ``product`` via ``transit``."""
    args = (transit, product, coalition, grain, years, table, target)
    b = Builder()
    _reexport_ctes(b, *args)
    b.add(
        "SELECT source, year, month, imports, exports,\n"
        "  CASE WHEN imports <> 0 THEN exports / imports END\n"
        "FROM pairs ORDER BY source, year, month"
    )
    s = Builder()
    _reexport_ctes(s, *args)
    s.add(
        "SELECT source, COUNT(*), CORR(imports, exports),\n"
        "  CASE WHEN SUM(imports) <> 0 THEN SUM(exports) / SUM(imports) END\n"
        "FROM pairs WHERE imports IS NOT NULL AND exports IS NOT NULL\n"
        "GROUP BY source ORDER BY source"
    )
    return b.query(), s.query()


def reexport(
    con: Connection,
    transit: str,
    product: str,
    *,
    coalition: Sequence[str] = COALITION,
    **kwargs: object,
) -> list[ReexportSignature]:
    """One signature per source that reports both legs (or either leg)."""
    points_q, summary_q = reexport_query(transit, product, coalition=coalition, **kwargs)  # type: ignore[arg-type]
    points: dict[str, list[ReexportPoint]] = {}
    for r in fetch(con, points_q):
        points.setdefault(r[0], []).append(ReexportPoint(int(r[1]), _month(r[2]), r[3], r[4], r[5]))
    summary = {r[0]: r[1:] for r in fetch(con, summary_q)}
    out = []
    for source, pts in points.items():
        n, corr, ratio = summary.get(source, (0, None, None))
        out.append(
            ReexportSignature(
                transit, product, source, tuple(coalition), tuple(pts), int(n), finite(corr), ratio
            )
        )
    return out


# ------------------------------------------------------------------------- zero-to-positive


#: order of a zero-to-positive result: largest value since ``since`` first
ZERO_ORDER = "value_since_usd DESC, reporter, product, source, partner"
ZERO_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "VARCHAR"), ("reporter", "VARCHAR"), ("partner", "VARCHAR"),
    ("product", "VARCHAR"), ("first_year", "INTEGER"), ("value_since_usd", "DOUBLE"),
    ("latest_year", "INTEGER"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ZeroRow:
    source: str
    reporter: str
    partner: str
    product: str
    first_year: int
    value_since_usd: float
    latest_year: int


def zero_query(
    *,
    reporters: Sequence[str] | None = None,
    partner: str = "RU",
    flow: str = "export",
    since: int = 2022,
    product_level: int = 6,
    min_value_usd: float = 0.0,
    mapping: Sequence[tuple[str, str]] = (),
    table: str = TABLE,
    ordered: bool = True,
) -> Query:
    """Products first exported (``flow``) to ``partner`` in or after ``since`` (largest value
    first: :data:`ZERO_ORDER`; ``ordered=False`` leaves the order to the database)."""
    filters = Filters(
        reporters=_t(reporters),
        partners=(partner,),
        flows=(flow,),
        product_level=product_level,
    )
    b = Builder()
    series_ctes(b, filters, grain="A", table=table, mapping=mapping)
    b.add(
        ",\ncovered AS (\n  SELECT DISTINCT source, reporter FROM series\n"
        "  WHERE year < ? AND value_usd > 0\n),\n"
        "agg AS (\n  SELECT source, reporter, partner, product,\n"
        "    SUM(CASE WHEN year < ? AND value_usd > 0 THEN 1 ELSE 0 END) AS n_before,\n"
        "    MIN(CASE WHEN year >= ? AND value_usd > 0 THEN year END) AS first_year,\n"
        "    SUM(CASE WHEN year >= ? THEN value_usd ELSE 0 END) AS value_since,\n"
        "    MAX(year) AS latest_year\n"
        "  FROM series GROUP BY source, reporter, partner, product\n)\n"
        "SELECT a.source, a.reporter, a.partner, a.product, a.first_year,\n"
        "  a.value_since AS value_since_usd, a.latest_year\n"
        "FROM agg a JOIN covered c ON c.source = a.source AND c.reporter = a.reporter\n"
        "WHERE a.n_before = 0 AND a.first_year IS NOT NULL AND a.value_since > ?"
        + (f"\nORDER BY {ZERO_ORDER}" if ordered else ""),
        since,
        since,
        since,
        since,
        min_value_usd,
    )
    return b.query()


def zero_row(r: Sequence[Any]) -> ZeroRow:
    return ZeroRow(r[0], r[1], r[2], r[3], int(r[4]), r[5], int(r[6]))


def zero_to_positive(con: Connection, **kwargs: Any) -> list[ZeroRow]:
    """Run :func:`zero_query` (same keyword arguments)."""
    return [zero_row(r) for r in fetch(con, zero_query(**kwargs))]


def zero_top(con: Connection, *, limit: int = 50, **kwargs: Any) -> tuple[list[ZeroRow], int]:
    """The first ``limit`` rows of :func:`zero_query` and how many rows there are."""
    rows, total = fetch_top(con, zero_query(ordered=False, **kwargs), ZERO_ORDER, limit)
    return [zero_row(r) for r in rows], total
