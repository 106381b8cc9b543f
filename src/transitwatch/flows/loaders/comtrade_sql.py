"""UN Comtrade CSV through DuckDB: the SQL of the large-file path (pure: text, no driver).

DuckDB's ``read_csv`` reads the file (every column typed ``VARCHAR`` explicitly, no sniffing;
gzip by its magic bytes), and SQL maps the rows into ``trade_flows`` with the rules of
:mod:`~transitwatch.flows.loaders.comtrade_rules`, the ones the Python loader applies:

1. :func:`raw_query` numbers the records; :func:`dims_query`: the distinct flow, reporter,
   partner and classification texts of the file.
   :func:`dim_rows` resolves each once in Python (``partners.yml``, the flow and HS tables), and
   the store loads them as small temporary tables (:data:`DIM_TABLES`).
2. :func:`rows_query`: one row per CSV record (``rec``, from 1), with its record fields when it
   is kept, else why not as ``(kind, a, b)``: :func:`~.comtrade_rules.reason` writes the text
   once per distinct triple (table ``_ct_reasons``).
3. :mod:`~transitwatch.flows.loaders.comtrade_combine`: per (reporter, partner, flow, period,
   product), the TOTAL MOT row where there is one, else the rows summed in file order; then one
   record per key, as :func:`transitwatch.flows.loaders.drop_duplicates` keeps it.

This is DuckDB SQL (``read_csv``, ``regexp_full_match``, ordered aggregates), unlike the
dialect-neutral indicator SQL. Constants of the rules (white space, the number pattern) are SQL
literals; the file path, source and version are bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from transitwatch.errors import ParseError
from transitwatch.flows.loaders import MISSING
from transitwatch.flows.loaders.comtrade_rules import (
    BREAKDOWNS,
    DIGITS,
    EDITION_YEARS,
    HS_LEVELS,
    NOT_BROKEN_DOWN,
    NUMBER,
    NUMBER_FIELDS,
    TOTAL_MOT,
    WHITESPACE,
    YEAR_RANGE,
    classification_edition,
    classification_reason,
    columns,
    flow_of,
    flow_reason,
    resolve,
)
from transitwatch.flows.model import TOTAL, is_aggregate
from transitwatch.flows.sql import Query

#: fields tested in SQL (stripped texts); the DIM_FIELDS are joined as read
TEXT_FIELDS = (
    "year", "month", "freq", "partner2", "cmd", "level", "mot", "customs", "mos", "qty",
    "qty_unit", "net_mass", "value",
)  # fmt: skip
DIM_FIELDS = (
    "flow", "flow_desc", "reporter_iso", "reporter", "partner_code", "partner_iso", "partner",
    "classification",
)  # fmt: skip
#: temporary tables of resolved texts: name -> (key columns, value columns)
DIM_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "_ct_flow": (("flow", "flow_desc"), ("flow_out", "flow_why")),
    "_ct_rep": (("reporter_iso", "reporter"), ("reporter_out", "reporter_why")),
    "_ct_par": (
        ("partner_code", "partner_iso", "partner"),
        ("partner_out", "partner_why", "partner_agg"),
    ),
    "_ct_cls": (("classification",), ("has_cls", "cls_edition", "cls_why")),
}
KEY = ("reporter", "partner", "flow", "freq", "year", "month", "product")
#: a white-space class for RE2 (DuckDB's regexes), and a text that starts or ends with one
_WS_CLASS = "[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in WHITESPACE) + "]"
EDGE = f"^{_WS_CLASS}|{_WS_CLASS}$"
#: a record (fields joined by U+0001) with a field that starts or ends with white space
RAGGED = f"(^|\x01){_WS_CLASS}|{_WS_CLASS}(\x01|$)"
RECORD = (
    "reporter", "partner", "flow", "freq", "year", "month", "product", "product_level",
    "hs_edition", "value", "quantity", "quantity_unit", "net_mass_kg", "is_aggregate_partner",
)  # fmt: skip


def lit(text: str) -> str:
    """A SQL string literal of one of this module's constants (never user data)."""
    assert "\x00" not in text
    return "'" + text.replace("'", "''") + "'"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a Comtrade header keeps each field: ``positions`` (0-based) and ``names``."""

    width: int
    positions: dict[str, int]
    names: dict[str, str]

    def raw(self, field: str) -> str:
        """The text of ``field`` as read ('' for an empty field; NULL without the column)."""
        if field not in self.positions:
            return "CAST(NULL AS VARCHAR)"
        return f"coalesce(c{self.positions[field]}, '')"

    def text(self, field: str, *, trim: bool) -> str:
        """The text of ``field`` without the white space ``str.strip`` removes. ``trim=False``
        where no field of the file starts or ends with white space (:func:`dims_query`)."""
        raw = self.raw(field)
        if not trim or field not in self.positions:
            return raw
        stripped = f"trim({raw}, {lit(WHITESPACE)})"
        return f"CASE WHEN regexp_matches({raw}, {lit(EDGE)}) THEN {stripped} ELSE {raw} END"


def layout(header: Sequence[str], path: str) -> Layout:
    """The layout of a Comtrade header (the last column of a repeated name counts, as in the
    Python loader); ParseError when year, commodity code or value is missing."""
    names = [h.strip() for h in header]
    cols = columns(names)
    missing = [cols.get(f, f) for f in ("year", "cmd", "value") if f not in cols]
    if missing:
        raise ParseError(f"missing column(s) {', '.join(missing)}", path=path, row=1)
    positions = {f: max(i for i, h in enumerate(names) if h == name) for f, name in cols.items()}
    return Layout(len(names), positions, dict(cols))


def read_csv(lay: Layout, *, gzip: bool) -> str:
    """``read_csv(?, ...)`` of the file (its path bound), columns c0..cN typed VARCHAR."""
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(lay.width))
    return (
        "read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"columns = {{{cols}}}, auto_detect = false, strict_mode = true, null_padding = false, "
        f"compression = {lit('gzip' if gzip else 'none')}, max_line_size = 16777216)"
    )


def raw_query(lay: Layout, path: str, *, gzip: bool, ordered_insert: bool = True) -> Query:
    """``CREATE TEMP TABLE _ct_raw``: the columns the rules use, as read, and per record
    ``empty`` (all fields empty), ``blank`` (only white space) and ``ragged`` (a field starts or
    ends with white space). With DuckDB's ``preserve_insertion_order`` (the default;
    ``ordered_insert``) the table keeps the file's order and :func:`rec_column` numbers the
    records from its ``rowid`` while the file is read on every thread; without it, a streaming
    ``row_number()`` window numbers them (on one thread)."""
    every = ", ".join(f"coalesce(c{i}, '')" for i in range(lay.width))
    used = ", ".join(f"c{i}" for i in sorted(set(lay.positions.values())))
    numbered = "" if ordered_insert else "row_number() OVER () AS rec, "
    sql = (
        f"CREATE TEMP TABLE _ct_raw AS\nSELECT {numbered}{used},\n"
        f"  concat({every}) = '' AS empty,\n"
        f"  regexp_full_match(concat({every}), {lit(_WS_CLASS + '*')}) AS blank,\n"
        f"  regexp_matches(concat_ws(chr(1), {every}), {lit(RAGGED)}) AS ragged\n"
        f"FROM {read_csv(lay, gzip=gzip)}"
    )
    return Query(sql, (path,))


def rec_column(ordered_insert: bool) -> str:
    """The record number (from 1) of a ``_ct_raw`` row (see :func:`raw_query`)."""
    return "rowid + 1" if ordered_insert else "rec"


def dims_query(lay: Layout) -> str:
    """The distinct texts (as read) of the fields resolved in Python, and whether a record has
    a field with white space at either end (then :func:`rows_query` trims every field)."""
    texts = ", ".join(f"{lay.raw(f)} AS {f}" for f in DIM_FIELDS)
    return f"SELECT DISTINCT {texts}, ragged FROM _ct_raw"


def _strip(text: str | None) -> str | None:
    return None if text is None else text.strip()


def dim_rows(distinct: Iterable[Sequence[Any]]) -> tuple[dict[str, list[tuple[Any, ...]]], bool]:
    """Rows of the :data:`DIM_TABLES` (keyed by the texts as read, resolved from the stripped
    texts) from the rows of :func:`dims_query`, and whether any record needs trimming."""
    seen: dict[str, set[tuple[str | None, ...]]] = {name: set() for name in DIM_TABLES}
    ragged = False
    for row in distinct:
        values = dict(zip(DIM_FIELDS, row[: len(DIM_FIELDS)], strict=True))
        ragged = ragged or bool(row[len(DIM_FIELDS)])
        for name, (keys, _) in DIM_TABLES.items():
            seen[name].add(tuple(values[k] for k in keys))
    out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in DIM_TABLES}
    for raw_code, raw_desc in seen["_ct_flow"]:
        code, desc = _strip(raw_code), _strip(raw_desc)
        flow = flow_of(code, desc)
        why = None if flow else flow_reason(code, desc)
        out["_ct_flow"].append((raw_code, raw_desc, flow, why))
    for raw_iso, raw_name in seen["_ct_rep"]:
        rep = resolve([_strip(raw_iso)], [_strip(raw_name)])
        found = (None, rep) if isinstance(rep, str) else (rep.code, None)
        out["_ct_rep"].append((raw_iso, raw_name, *found))
    for raw_code, raw_iso, raw_name in seen["_ct_par"]:
        par = resolve([_strip(raw_code), _strip(raw_iso)], [_strip(raw_name)])
        if isinstance(par, str):
            out["_ct_par"].append((raw_code, raw_iso, raw_name, None, par, None))
        else:
            agg = is_aggregate(par.code)
            out["_ct_par"].append((raw_code, raw_iso, raw_name, par.code, None, agg))
    for (raw_cls,) in seen["_ct_cls"]:
        cls = _strip(raw_cls) or ""
        edition = classification_edition(cls) if cls else None
        why = classification_reason(cls) if cls and edition is None else None
        out["_ct_cls"].append((raw_cls, cls != "", edition, why))
    return out, ragged


def _numbers() -> tuple[str, str, str]:
    """Three SELECT lists, one per CTE level, ending in ``<f>_v`` (the value or NULL) and
    ``<f>_bad`` (a text that is not a number) for each number field."""
    missing = _in(MISSING)
    one, two, three = [], [], []
    for f in NUMBER_FIELDS:
        cleaned = f"replace(replace({f}_t, chr(160), ''), ' ', '')"
        one.append(f"replace({cleaned}, ',', '.') AS {f}_n")
        one.append(f"({f}_t IS NOT NULL AND lower({cleaned}) NOT IN {missing}) AS {f}_p")
        two.append(
            f"CASE WHEN {f}_p AND regexp_full_match({f}_n, {lit(NUMBER)}) "
            f"THEN TRY_CAST({f}_n AS DOUBLE) END AS {f}_raw"
        )
        three.append(f"CASE WHEN isfinite({f}_raw) THEN {f}_raw END AS {f}_v")
        three.append(f"{f}_p AND NOT coalesce(isfinite({f}_raw), false) AS {f}_bad")
    return ", ".join(one), ", ".join(two), ", ".join(three)


def _kinds(lay: Layout) -> list[tuple[str, str, str, str]]:
    """(condition, kind, a, b) in the order the rules test them."""
    out: list[tuple[str, str, str, str]] = []
    for f in NUMBER_FIELDS:
        out.append((f"{f}_bad", "number", lit(f), f"{f}_t"))
        if f == "year":
            out.append(("year_v IS NULL", "no_year", "NULL", "NULL"))
    for f in BREAKDOWNS:
        cond = f"{f}_t IS NOT NULL AND {f}_t NOT IN {_in(NOT_BROKEN_DOWN)}"
        out.append((cond, "breakdown", lit(f), f"{f}_t"))
    low, high = YEAR_RANGE
    month_ok = "coalesce(trunc(month_v) BETWEEN 1 AND 12, false)"
    out += [
        ("flow_out IS NULL", "text", "flow_why", "NULL"),
        ("value_v IS NULL", "no_value", "NULL", "NULL"),
        ("reporter_out IS NULL", "text", "reporter_why", "NULL"),
        ("partner_out IS NULL", "text", "partner_why", "NULL"),
        ("NOT is_total AND has_cls AND cls_edition IS NULL", "text", "cls_why", "NULL"),
        ("NOT is_total AND NOT has_cls AND year_edition IS NULL", "no_edition", "year_t", "NULL"),
        (f"NOT (trunc(year_v) BETWEEN {low} AND {high})", "year_range", "year_t", "NULL"),
        (f"freq = 'M' AND NOT {month_ok}", "month", "month_t", "NULL"),
        ("NOT is_total AND NOT product_ok", "product", "coalesce(cmd_t, '')", "level_t"),
    ]
    return out


def rows_query(lay: Layout, *, trim: bool, ordered_insert: bool = True) -> str:
    """``CREATE TEMP TABLE _ct_rows``: every record with ``rec``, ``line`` (``rec + 1``, the
    physical line where the file has one record per line) and its record or skip triple.
    ``trim``: some field starts or ends with white space (see :func:`dims_query`)."""
    b: list[str] = []
    texts = ", ".join(f"{lay.text(f, trim=trim)} AS {f}_t" for f in TEXT_FIELDS)
    raws = ", ".join(f"{lay.raw(f)} AS {f}_r" for f in DIM_FIELDS)
    blank = "blank" if trim else "empty"
    b.append("CREATE TEMP TABLE _ct_rows AS\nWITH t AS (")
    b.append(f"  SELECT {rec_column(ordered_insert)} AS rec, {blank} AS blank,")
    b.append(f"    {texts},\n    {raws}\n  FROM _ct_raw\n),")
    one, two, three = _numbers()
    b.append(f"n1 AS (SELECT *, {one} FROM t),\nn2 AS (SELECT *, {two} FROM n1),")
    b.append(f"n AS (SELECT *, {three} FROM n2),")
    year_edition = " ".join(f"WHEN trunc(year_v) >= {y} THEN {lit(ed)}" for y, ed in EDITION_YEARS)
    level = (
        f"CASE WHEN regexp_full_match(coalesce(level_t, ''), {lit(DIGITS)}) "
        "THEN TRY_CAST(level_t AS BIGINT) ELSE length(coalesce(cmd_t, '')) END"
    )
    freq0 = "upper(coalesce(freq_t, ''))"
    b.append(
        "d AS (\n  SELECT n.*, f.flow_out, f.flow_why, r.reporter_out, r.reporter_why,\n"
        "    p.partner_out, p.partner_why, p.partner_agg, c.has_cls, c.cls_edition, c.cls_why,\n"
        f"    upper(coalesce(cmd_t, '')) = {lit(TOTAL)} AS is_total,\n"
        f"    CASE {year_edition} END AS year_edition,\n"
        f"    {level} AS level,\n"
        f"    CASE WHEN {freq0} IN ('A', 'M') THEN {freq0}\n"
        "         WHEN trunc(month_v) BETWEEN 1 AND 12 THEN 'M' ELSE 'A' END AS freq\n"
        "  FROM n"
    )
    for name, (keys, _) in DIM_TABLES.items():
        alias = {"_ct_flow": "f", "_ct_rep": "r", "_ct_par": "p", "_ct_cls": "c"}[name]
        on = " AND ".join(f"{alias}.{k} IS NOT DISTINCT FROM n.{k}_r" for k in keys)
        b.append(f"  LEFT JOIN {name} {alias} ON {on}")
    b.append("),")
    hs = ", ".join(str(x) for x in HS_LEVELS)
    b.append(
        "e AS (\n  SELECT *, regexp_full_match(coalesce(cmd_t, ''), "
        f"{lit(DIGITS)}) AND coalesce(level IN ({hs}) AND length(cmd_t) <= level, false)"
        " AS product_ok\n"
        "  FROM d\n),"
    )
    kinds = _kinds(lay)
    cases = []
    for i, col in ((1, "kind"), (2, "a"), (3, "b")):
        whens = "\n".join(f"      WHEN {k[0]} THEN {lit(k[1]) if i == 1 else k[i]}" for k in kinds)
        cases.append(f"    CASE WHEN blank THEN {lit('blank') if i == 1 else 'NULL'}\n{whens}\n"
                     f"    END AS {col}")  # fmt: skip
    b.append("k AS (\n  SELECT *,\n" + ",\n".join(cases) + "\n  FROM e\n)")
    mot = f"(mot_t IS NULL OR mot_t IN {_in(TOTAL_MOT)})"
    b.append(
        "SELECT rec, rec + 1 AS line, kind, a, b,\n"
        "  CASE WHEN kind IS NULL THEN reporter_out END AS reporter,\n"
        "  CASE WHEN kind IS NULL THEN partner_out END AS partner,\n"
        "  CASE WHEN kind IS NULL THEN flow_out END AS flow,\n"
        "  CASE WHEN kind IS NULL THEN freq END AS freq,\n"
        "  CASE WHEN kind IS NULL THEN CAST(trunc(year_v) AS INTEGER) END AS year,\n"
        "  CASE WHEN kind IS NULL AND freq = 'M' THEN CAST(trunc(month_v) AS INTEGER) END\n"
        "    AS month,\n"
        f"  CASE WHEN kind IS NULL AND is_total THEN {lit(TOTAL)}\n"
        "       WHEN kind IS NULL THEN lpad(cmd_t, CAST(level AS INTEGER), '0') END AS product,\n"
        "  CASE WHEN kind IS NULL AND is_total THEN 0\n"
        "       WHEN kind IS NULL THEN CAST(level AS INTEGER) END AS product_level,\n"
        "  CASE WHEN kind IS NULL AND NOT is_total THEN\n"
        "    CASE WHEN has_cls THEN cls_edition ELSE year_edition END END AS hs_edition,\n"
        "  CASE WHEN kind IS NULL THEN value_v END AS value,\n"
        "  CASE WHEN kind IS NULL THEN qty_v END AS quantity,\n"
        "  CASE WHEN kind IS NULL AND qty_v IS NOT NULL AND qty_unit_t <> '' THEN qty_unit_t END\n"
        "    AS quantity_unit,\n"
        "  CASE WHEN kind IS NULL THEN net_mass_v END AS net_mass_kg,\n"
        "  CASE WHEN kind IS NULL THEN partner_agg END AS is_aggregate_partner,\n"
        f"  {mot} AS total_mot\n"
        "FROM k"
    )
    return "\n".join(b)
