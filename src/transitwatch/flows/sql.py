"""Dialect-neutral SQL building blocks for the flow indicators, and a DB-API runner.

Everything here produces ANSI SQL text (CTEs, CASE, aggregates, ``CORR``, SQL:2011 window
functions such as ``LAG``, ``LIMIT``, ``NULLS LAST``) with
parameters bound as ``?`` (DB-API ``qmark`` style; :meth:`Query.with_paramstyle` converts to
``format``/``numeric`` for other drivers) and identifiers double-quoted. No database driver
is imported: DuckDB is the default engine, but the same text runs on PostgreSQL, Trino or
Spark SQL (with its ANSI mode) when the data outgrows one machine.

The building block is :func:`series_ctes`: a ``series`` CTE with one row per
``(source, reporter, partner, product, flow, year, month)`` and ``value_usd``, where

* ``grain='A'``: annual values. A year's value is the sum of its annual (``freq='A'``) rows
  when there are any, else the sum of its monthly rows when all 12 months are present (each
  exactly once; where the EU-27 is summed from member states, each in some member's rows),
  else NULL (a partial year is never compared with a full one). ``month`` is 0.
* ``grain='M'``: monthly values from ``freq='M'`` rows; ``month`` is 1..12.
* the EU: a party ``EU27`` in the reporter or partner filter stands for the EU-27 aggregate
  as reported; else a party ``EU`` (the EU in the period's composition, e.g. Kyrgyz
  statistics' "The EU") from 2020 on, when the EU-27 is the EU (``basis`` ``reported as EU``);
  else the EU-27 member states' rows summed (``basis`` ``sum of member states``).
* optional HS2017→HS2022 concordance (``mapping``) applied to HS2017 rows (``hs_edition``
  'HS2017'/'H5', or, when the edition is missing, years before 2022) and optional product
  grouping (``groups``, e.g. CHPL tiers) joined on the HS2022 code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

TABLE = "trade_flows"

#: EU-27 member states (ISO 3166-1 alpha-2; Greece is GR, not Eurostat's EL), since 2020-02-01.
EU27_MEMBERS: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip

#: Countries applying the coordinated export controls on Russia (the CHPL partners and allies);
#: the EU counts once, as ``EU27``.
COALITION: tuple[str, ...] = (
    "EU27", "US", "GB", "JP", "CA", "AU", "NZ", "NO", "CH", "KR", "TW", "IS", "LI",
)  # fmt: skip

#: hs_edition labels read as HS 2017.
HS2017_LABELS: tuple[str, ...] = ("HS2017", "H5", "HS17", "2017")
#: From this year on, a party 'EU' (the EU in the period's composition) is the EU-27.
EU_IS_EU27_FROM = 2020
#: First year reported in HS 2022 where the edition column is empty.
HS2022_FIRST_YEAR = 2022

Grain = Literal["A", "M"]

#: how many of the 12 months have a monthly row: twelve MAX flags, not COUNT(DISTINCT month),
#: which keeps a hash set per group (on 100M rows: 160 s and the whole memory budget)
ALL_MONTHS = " + ".join(
    f"MAX(CASE WHEN freq = 'M' AND month = {m} THEN 1 ELSE 0 END)" for m in range(1, 13)
)
#: every month 1..12 has exactly one monthly row: 12 rows whose 2^month add up to
#: 2 + 4 + ... + 4096 = 8190 (twelve powers of two can only make 8190 as its twelve binary
#: digits, so no month is missing or repeated). Two aggregates instead of twelve; a month
#: reported twice (overlapping files) leaves the year NULL instead of counting it twice.
ONE_PER_MONTH = (
    "COUNT(CASE WHEN freq = 'M' THEN 1 END) = 12"
    " AND SUM(CASE WHEN freq = 'M' THEN POWER(2, month) END) = 8190"
)


class Cursor(Protocol):
    def execute(self, operation: str, parameters: Sequence[Any] = ..., /) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """The part of a DB-API 2.0 connection the runner needs (a DuckDB connection fits)."""

    def cursor(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class Query:
    """SQL text with ``?`` placeholders and the values bound to them, in order."""

    sql: str
    params: tuple[Any, ...] = ()

    def with_paramstyle(self, style: Literal["qmark", "format", "numeric"]) -> Query:
        """The same query for a driver with another DB-API paramstyle (no ``?`` in literals)."""
        if style == "qmark":
            return self
        if style == "format":
            return Query(self.sql.replace("%", "%%").replace("?", "%s"), self.params)
        counter = iter(range(1, len(self.params) + 1))
        return Query(re.sub(r"\?", lambda _m: f":{next(counter)}", self.sql), self.params)


def finite(value: float | None) -> float | None:
    """A SQL float as a number or None: CORR over a constant series gives NaN, which is no
    correlation and not valid JSON."""
    return value if value is None or math.isfinite(value) else None


def fetch(con: Connection, query: Query) -> list[tuple[Any, ...]]:
    """Run ``query`` on any DB-API connection (qmark paramstyle) and return all rows."""
    cur = con.cursor()
    try:
        cur.execute(query.sql, list(query.params))
        return [tuple(row) for row in cur.fetchall()]
    finally:
        close = getattr(cur, "close", None)
        if close is not None:
            close()


def count_query(query: Query) -> Query:
    """How many rows ``query`` returns (computed in the database; nothing is fetched)."""
    return Query(f"SELECT COUNT(*) FROM (\n{query.sql}\n) q", query.params)


def top_query(query: Query, order_by: str, limit: int) -> Query:
    """The first ``limit`` rows of ``query`` (which has no ORDER BY) in ``order_by`` order,
    each with one more column: the number of rows of the whole result (``total_rows``).

    ``order_by`` names result columns and comes from the indicator modules, never from a user.
    """
    return Query(
        f"SELECT q.*, COUNT(*) OVER () AS total_rows FROM (\n{query.sql}\n) q\n"
        f"ORDER BY {order_by}\nLIMIT ?",
        (*query.params, limit),
    )


def fetch_top(
    con: Connection, query: Query, order_by: str, limit: int
) -> tuple[list[tuple[Any, ...]], int]:
    """The first ``limit`` rows of ``query`` in ``order_by`` order (each still ending with the
    ``total_rows`` column) and how many rows the whole result has; just the count below 1."""
    if limit < 1:
        return [], int(fetch(con, count_query(query))[0][0])
    rows = fetch(con, top_query(query, order_by, limit))
    return rows, int(rows[0][-1]) if rows else 0


def ident(name: str) -> str:
    """A double-quoted SQL identifier (``"trade_flows"``; ``a.b`` quotes each part)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


@dataclass(slots=True)
class Builder:
    """Concatenates SQL fragments and keeps their parameters in textual order."""

    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> Builder:
        assert sql.count("?") == len(params), sql
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def query(self) -> Query:
        return Query("\n".join(self.parts), tuple(self.params))


@dataclass(frozen=True, slots=True)
class Filters:
    """Which rows of the table feed a series (None = no restriction)."""

    reporters: tuple[str, ...] | None = None
    partners: tuple[str, ...] | None = None
    flows: tuple[str, ...] | None = None
    products: tuple[str, ...] | None = None
    product_level: int | None = None
    sources: tuple[str, ...] | None = None
    first_year: int | None = None
    last_year: int | None = None


def _expand(codes: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for code in codes:
        out.append(code)
        if code == "EU27":
            out.extend(("EU", *EU27_MEMBERS))
    return tuple(dict.fromkeys(out))


def _in(b: Builder, column: str, values: Sequence[Any]) -> None:
    b.add(f"  AND {column} IN ({marks(len(values))})", *values)


def _values_cte(
    b: Builder, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    cols = ", ".join(ident(c) for c in columns)
    one = "(" + marks(len(columns)) + ")"
    flat = [v for row in rows for v in row]
    b.add(f"{ident(name)} ({cols}) AS (VALUES {', '.join(one for _ in rows)}),", *flat)


def series_ctes(
    b: Builder,
    filters: Filters,
    *,
    grain: Grain = "A",
    table: str = TABLE,
    mapping: Sequence[tuple[str, str]] = (),
    groups: Sequence[tuple[str, str]] = (),
) -> None:
    """Append ``WITH ... series AS (...)`` to ``b`` (see the module docstring).

    ``mapping``: (hs2017, hs2022) pairs for HS2017 rows; ``groups``: (hs2022 code, group
    label) pairs — when given, only products in a group are kept and ``product`` becomes the
    group label. The caller continues with ``, next_cte AS (...)`` or ``SELECT``.
    """
    b.add("WITH")
    if mapping:
        _values_cte(b, "hs_map", ("hs2017", "hs2022"), mapping)
    if groups:
        _values_cte(b, "prod_group", ("code", "label"), groups)
    labels = marks(len(HS2017_LABELS))
    hs2017_row = f"(t.hs_edition IN ({labels}) OR (t.hs_edition IS NULL AND t.year < ?))"
    product, product_params = "t.product", tuple[Any, ...]()
    if mapping:
        product = (
            f"CASE WHEN {hs2017_row} AND m.hs2022 IS NOT NULL THEN m.hs2022 ELSE t.product END"
        )
        product_params = (*HS2017_LABELS, HS2022_FIRST_YEAR)
    product_out, out_params = (
        ("g.label", tuple[Any, ...]()) if groups else (product, product_params)
    )
    members = marks(len(EU27_MEMBERS))
    eu_rep = "EU27" in (filters.reporters or ())
    eu_par = "EU27" in (filters.partners or ())
    b.add("sel AS (\n  SELECT t.source, t.flow, t.freq, t.year, t.month, t.value_usd,")
    b.add(f"    {product_out} AS product,", *out_params)
    eu_cols = [c for c, eu in (("reporter", eu_rep), ("partner", eu_par)) if eu]
    for col in ("reporter", "partner"):
        if col in eu_cols:
            b.add(
                f"    CASE WHEN t.{col} IN ({members}) OR (t.{col} = 'EU' AND t.year >= ?)\n"
                f"         THEN 'EU27' ELSE t.{col} END AS {col},",
                *EU27_MEMBERS,
                EU_IS_EU27_FROM,
            )
        else:
            b.add(f"    t.{col} AS {col},")
    if eu_cols:
        # 0: as reported (EU27 or not EU), 1: a member state, 2: 'EU' in the period's composition
        b.add("    CASE")
        for col in eu_cols:
            b.add(f"      WHEN t.{col} IN ({members}) THEN 1", *EU27_MEMBERS)
        for col in eu_cols:
            b.add(f"      WHEN t.{col} = 'EU' THEN 2")
        b.add("      ELSE 0 END AS is_member")
    else:
        b.add("    0 AS is_member")
    b.add(f"  FROM {ident(table)} t")
    if mapping:
        b.add("  LEFT JOIN hs_map m ON m.hs2017 = t.product")
    if groups:
        b.add(f"  JOIN prod_group g ON g.code = ({product})", *product_params)
    b.add("  WHERE t.value_usd IS NOT NULL")
    for col, wanted in (("t.reporter", filters.reporters), ("t.partner", filters.partners)):
        if wanted is not None:
            _in(b, col, _expand(wanted))
            if "EU27" in wanted:  # 'EU' rows only where they mean the EU-27
                b.add(f"  AND ({col} <> 'EU' OR t.year >= ?)", EU_IS_EU27_FROM)
    if filters.flows is not None:
        _in(b, "t.flow", filters.flows)
    if filters.products is not None:
        _in(b, "t.product", filters.products)
    if filters.product_level is not None:
        b.add("  AND t.product_level = ?", filters.product_level)
    if filters.sources is not None:
        _in(b, "t.source", filters.sources)
    if filters.first_year is not None:
        b.add("  AND t.year >= ?", filters.first_year)
    if filters.last_year is not None:
        b.add("  AND t.year <= ?", filters.last_year)
    b.add("),")
    keys = "source, reporter, partner, product, flow" + (", is_member" if eu_cols else "")
    if grain == "A":
        # member states' rows share a group (one row per member and month): count months
        complete = f"{ALL_MONTHS} = 12" if eu_cols else ONE_PER_MONTH
        b.add(
            f"per AS (\n  SELECT {keys}, year, 0 AS month,\n"
            "    CASE WHEN SUM(CASE WHEN freq = 'A' THEN value_usd END) IS NOT NULL\n"
            "         THEN SUM(CASE WHEN freq = 'A' THEN value_usd END)\n"
            f"         WHEN {complete}\n"
            "         THEN SUM(CASE WHEN freq = 'M' THEN value_usd END) END AS value_usd\n"
            f"  FROM sel GROUP BY {keys}, year\n),"
        )
    else:
        b.add(
            f"per AS (\n  SELECT {keys}, year, month, SUM(value_usd) AS value_usd\n"
            f"  FROM sel WHERE freq = 'M' GROUP BY {keys}, year, month\n),"
        )
    if not eu_cols:  # every row is as reported: one value per key already
        b.add(
            "series AS (\n  SELECT source, reporter, partner, product, flow, year, month,"
            " value_usd,\n    'reported' AS basis\n  FROM per\n)"
        )
        return
    b.add(
        "series AS (\n"
        "  SELECT source, reporter, partner, product, flow, year, month,\n"
        "    COALESCE(SUM(CASE WHEN is_member = 0 THEN value_usd END),\n"
        "             SUM(CASE WHEN is_member = 2 THEN value_usd END),\n"
        "             SUM(CASE WHEN is_member = 1 THEN value_usd END)) AS value_usd,\n"
        "    CASE WHEN SUM(CASE WHEN is_member = 0 THEN 1 ELSE 0 END) > 0 THEN 'reported'\n"
        "         WHEN SUM(CASE WHEN is_member = 2 THEN 1 ELSE 0 END) > 0 THEN 'reported as EU'\n"
        "         ELSE 'sum of member states' END AS basis\n"
        "  FROM per GROUP BY source, reporter, partner, product, flow, year, month\n)"
    )
