"""UN Comtrade through DuckDB, second half: one record per key, and the skipped rows (pure SQL).

Runs on ``_ct_rows`` (see :mod:`~transitwatch.flows.loaders.comtrade_sql`). Per (reporter,
partner, flow, period, product): the TOTAL MOT row where there is one, else the rows summed in
file order (as :func:`transitwatch.flows.loaders.comtrade.parse` combines them); where a key has
several TOTAL MOT rows, the first with a non-zero value is kept and the others are skipped with
the reasons of :func:`transitwatch.flows.loaders.drop_duplicates`.
"""

from __future__ import annotations

from transitwatch.flows.loaders.comtrade_rules import ROW_MOT
from transitwatch.flows.loaders.comtrade_sql import DIM_TABLES, KEY, lit
from transitwatch.flows.sql import Query

REASON_KINDS_SQL = (
    "SELECT DISTINCT kind, a, b FROM _ct_rows WHERE kind IS NOT NULL AND kind <> 'blank'"
)


def _on(left: str, right: str) -> str:
    """Equal keys (month is NULL on annual rows, where 0 stands for it)."""
    return " AND ".join(
        f"coalesce({left}.{k}, 0) = coalesce({right}.{k}, 0)" if k == "month"
        else f"{left}.{k} = {right}.{k}"
        for k in KEY
    )  # fmt: skip


#: one row per key of the kept rows: TOTAL MOT present?, how many rows, sums (exact for one or
#: two rows; :data:`ORDERED_SQL` redoes them in file order where there are more)
GROUPS_SQL = f"""CREATE TEMP TABLE _ct_groups AS
SELECT {", ".join(KEY)},
  bool_or(total_mot) AS has_total, count(*) AS n, min(line) AS line,
  CASE WHEN count(*) = 1 THEN min(value) ELSE sum(value) END AS value,
  CASE WHEN count(*) = 1 THEN min(quantity) ELSE sum(quantity) END AS quantity,
  CASE WHEN count(*) = 1 THEN min(net_mass_kg) ELSE sum(net_mass_kg) END AS net_mass_kg,
  -- one unit at most among the rows with a quantity (a missing unit counts as one)
  coalesce(min(quantity_unit) FILTER (WHERE quantity IS NOT NULL)
           = max(quantity_unit) FILTER (WHERE quantity IS NOT NULL), true)
    AND NOT (bool_or(quantity IS NOT NULL AND quantity_unit IS NULL)
             AND count(quantity_unit) FILTER (WHERE quantity IS NOT NULL) > 0) AS one_unit,
  arg_min_null(quantity_unit, line) AS quantity_unit,
  arg_min_null(hs_edition, line) AS hs_edition,
  arg_min_null(product_level, line) AS product_level,
  arg_min_null(is_aggregate_partner, line) AS is_aggregate_partner
FROM _ct_rows WHERE kind IS NULL
GROUP BY {", ".join(KEY)}"""

#: floating-point sums depend on their order: the Python loader adds in file order
ORDERED_SQL = f"""UPDATE _ct_groups SET value = o.value, quantity = o.quantity,
  net_mass_kg = o.net_mass_kg
FROM (
  SELECT {", ".join("r." + k for k in KEY)}, sum(r.value ORDER BY r.line) AS value,
    sum(r.quantity ORDER BY r.line) AS quantity, sum(r.net_mass_kg ORDER BY r.line) AS net_mass_kg
  FROM _ct_rows r JOIN _ct_groups g ON {_on("g", "r")}
  WHERE r.kind IS NULL AND g.n > 2 AND NOT g.has_total
  GROUP BY {", ".join("r." + k for k in KEY)}
) o
WHERE {_on("_ct_groups", "o")}"""

#: the rows of keys with a TOTAL MOT row and more than one row: kept, or skipped and why
MULTI_SQL = f"""CREATE TEMP TABLE _ct_multi AS
SELECT r.*,
  row_number() OVER (PARTITION BY {", ".join("r." + k for k in KEY)}
                     ORDER BY r.total_mot DESC, r.value = 0, r.line) AS rk,
  row_number() OVER (PARTITION BY {", ".join("r." + k for k in KEY)}, r.total_mot
                     ORDER BY r.line) AS pos
FROM _ct_rows r JOIN _ct_groups g ON {_on("g", "r")}
WHERE r.kind IS NULL AND g.has_total AND g.n > 1"""

#: skipped rows of _ct_multi with their reason (MOT rows, then repeated keys)
MULTI_SKIPS_SQL = f"""SELECT line, CASE
    WHEN NOT total_mot THEN {lit(ROW_MOT)}
    WHEN value = 0 AND pos > 1 THEN 'zero row for a partner already listed'
    WHEN value = 0 THEN 'zero row for a partner listed again'
    ELSE 'same reporter, partner, flow, period and product as an earlier row' END AS reason
FROM _ct_multi WHERE rk > 1"""

SUMMED_SQL = "SELECT coalesce(sum(n), 0) FROM _ct_groups WHERE NOT has_total AND n > 1"


def insert_query(source: str, file: str, version: str) -> Query:
    """INSERT INTO trade_flows of the records: summed or single keys, and the kept row of the
    keys with a TOTAL MOT row and more rows (the first with a non-zero value)."""
    quantity = "CASE WHEN one_unit THEN quantity END"
    unit = "CASE WHEN one_unit THEN quantity_unit END"
    cols = (
        "?, ?, ?, reporter, partner, flow, freq, year, month, product, product_level, hs_edition,"
        " value, 'USD', value"
    )
    sql = (
        f"INSERT INTO trade_flows\n"
        f"SELECT {cols}, {quantity}, {unit}, net_mass_kg, is_aggregate_partner\n"
        "FROM _ct_groups WHERE NOT has_total OR n = 1\n"
        f"UNION ALL\nSELECT {cols}, quantity, quantity_unit, net_mass_kg, is_aggregate_partner\n"
        "FROM _ct_multi WHERE rk = 1"
    )
    return Query(sql, (source, file, version, source, file, version))


#: every skipped row of the file, with its reason (blank records are not reported)
SKIPS_SQL = f"""CREATE TEMP TABLE _ct_skips AS
SELECT r.line, x.reason FROM _ct_rows r JOIN _ct_reasons x
  ON x.kind = r.kind AND x.a IS NOT DISTINCT FROM r.a AND x.b IS NOT DISTINCT FROM r.b
UNION ALL
{MULTI_SKIPS_SQL}"""

TEMP_TABLES = (
    "_ct_raw", "_ct_rows", "_ct_reasons", "_ct_groups", "_ct_multi", "_ct_skips", "_ct_lines",
    *DIM_TABLES,
)  # fmt: skip
