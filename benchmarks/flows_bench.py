"""Trade-flow indicators at scale: 100 million synthetic Comtrade-shaped monthly HS-6 rows.

    .venv/bin/python benchmarks/flows_bench.py                    # 100,000,000 rows
    .venv/bin/python benchmarks/flows_bench.py --rows 1_000_000   # smoke run, seconds

Steps (each timed; peak RSS per step through ``/proc/self/clear_refs``):

1. generate: a synthetic ``trade_flows``-shaped data set written as Parquet files in chunks by
   DuckDB SQL (``COPY (SELECT ... FROM series JOIN range(96)) TO ... (FORMAT parquet)``):
   40 reporters (the EU-27 members, KG KZ AM UZ GE RU TJ AZ BY TR CN US GB), 60 partners,
   5,000 HS-6 codes (the 50 CHPL codes among them), monthly 2017-01..2024-12, exports and
   imports. A series (reporter, partner, flow, product) is drawn by weighted sampling without
   replacement (big economies and common products more often); its monthly values are
   log-normal around a log-normal series level, with a trend, seasonality and the 2022 shift
   of trade with Russia (EU exports to RU down, transit exports to RU up). Planted: 8 CHPL
   codes that KG and AM start exporting to RU in 2022-03 (zero-to-positive) and 12 whose exports
   to RU surge tenfold, with KG/AM imports of those codes from the coalition rising and
   sharing their monthly movements (re-export signature). TOTAL rows (per reporter, partner,
   flow, month) are added on top, summed from the HS-6 rows, as Comtrade files carry them.
2. load: ``INSERT INTO trade_flows SELECT ... FROM read_parquet(...)`` of every row into a fresh
   ``FlowStore`` file, then ``CHECKPOINT``. (The Comtrade CSV loaders, Python and DuckDB, are
   measured by ``benchmarks/comtrade_load_bench.py``.)
3. indicators: each runner of :mod:`transitwatch.flows.indicators`, :mod:`~.hotspots` and
   :mod:`~.chpl` over the loaded table, with the arguments the report uses, ``--repeat`` times
   (median reported), and whole-table growth over every HS-6 series the way the CLI runs it:
   streamed to Parquet by DuckDB (``flows growth --output``) with the first 50 rows read back,
   and as a bounded view with the row count (``flows growth`` without ``--output``).

Prints a JSON summary and writes it to ``benchmarks/out/flows_bench.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from transitwatch.flows.chpl import chpl_growth, load_chpl, load_correlation
from transitwatch.flows.growth import GROWTH_COLUMNS, ORDERS, growth_top
from transitwatch.flows.hotspots import hotspots
from transitwatch.flows.indicators import (
    growth,
    growth_query,
    mirror,
    reexport,
    zero_to_positive,
)
from transitwatch.flows.model import COLUMNS
from transitwatch.flows.report import TRANSITS
from transitwatch.flows.sql import Filters
from transitwatch.store.flow_output import read_top, write_query
from transitwatch.store.flows import FlowStore

MONTHS = 96  # 2017-01 .. 2024-12
FIRST_YEAR = 2017
SHIFT = 62  # month index of 2022-03, after the invasion
TARGET_S = 30.0

# code, ISO3, sampling weight, group
EU = (
    ("AT", "AUT", 1.5), ("BE", "BEL", 2.0), ("BG", "BGR", 0.6), ("CY", "CYP", 0.3),
    ("CZ", "CZE", 1.5), ("DE", "DEU", 4.0), ("DK", "DNK", 1.0), ("EE", "EST", 0.4),
    ("ES", "ESP", 2.0), ("FI", "FIN", 0.9), ("FR", "FRA", 3.0), ("GR", "GRC", 0.7),
    ("HR", "HRV", 0.5), ("HU", "HUN", 1.0), ("IE", "IRL", 1.0), ("IT", "ITA", 3.0),
    ("LT", "LTU", 0.6), ("LU", "LUX", 0.3), ("LV", "LVA", 0.5), ("MT", "MLT", 0.2),
    ("NL", "NLD", 3.0), ("PL", "POL", 2.0), ("PT", "PRT", 0.9), ("RO", "ROU", 0.9),
    ("SE", "SWE", 1.3), ("SI", "SVN", 0.5), ("SK", "SVK", 0.8),
)  # fmt: skip
TRANSIT = (
    ("KG", "KGZ", 0.8), ("KZ", "KAZ", 1.3), ("AM", "ARM", 0.8), ("UZ", "UZB", 0.9),
    ("GE", "GEO", 0.8), ("TJ", "TJK", 0.4), ("AZ", "AZE", 0.6), ("BY", "BLR", 0.9),
)  # fmt: skip
OTHER_REPORTERS = (
    ("RU", "RUS", 2.5), ("TR", "TUR", 2.0), ("CN", "CHN", 5.0), ("US", "USA", 5.0),
    ("GB", "GBR", 2.5),
)  # fmt: skip
OTHER_PARTNERS = (
    ("JP", "JPN", 3.0), ("KR", "KOR", 2.5), ("IN", "IND", 2.0), ("AE", "ARE", 1.8),
    ("CA", "CAN", 1.8), ("CH", "CHE", 2.0), ("NO", "NOR", 1.2), ("TW", "TWN", 2.0),
    ("IL", "ISR", 1.0), ("SG", "SGP", 1.5), ("HK", "HKG", 1.8), ("MY", "MYS", 1.2),
    ("TH", "THA", 1.2), ("VN", "VNM", 1.5), ("BR", "BRA", 1.2), ("MX", "MEX", 1.2),
    ("SA", "SAU", 1.0), ("IR", "IRN", 0.7), ("MN", "MNG", 0.4), ("AF", "AFG", 0.3),
)  # fmt: skip
COALITION_CODES = frozenset(
    {c for c, _, _ in EU} | {"US", "GB", "JP", "KR", "CA", "CH", "NO", "TW"}
)
PLANTED_TRANSITS = ("KG", "AM")
N_PRODUCTS = 5000

DEFAULT_CORRELATION = Path("../shared/data/hs_nomenclature/hs2022_hs2017_correlation.csv")


# ---------------------------------------------------------------------------------- helpers


def peak_rss_mb() -> float:
    """Peak resident memory of this process since the last :func:`reset_peak` (VmHWM), MiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not permitted."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


@contextlib.contextmanager
def phase(out: dict[str, Any], name: str) -> Iterator[None]:
    """Time a step and record the peak RSS during it."""
    reset_peak()
    t = time.perf_counter()
    yield
    out[name] = {"s": round(time.perf_counter() - t, 2), "peak_rss_mb": round(peak_rss_mb())}


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def countries() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(reporters, partners) as (index, code, iso3, weight, group, coalition) rows."""
    groups = [(EU, "eu"), (TRANSIT, "transit"), (OTHER_REPORTERS, "other")]
    rep = [(c, i3, w, g) for table, g in groups for c, i3, w in table]
    par = rep + [(c, i3, w, "other") for c, i3, w in OTHER_PARTNERS]
    assert len(rep) == 40 and len(par) == 60, (len(rep), len(par))
    return (
        [(i, c, i3, w, g, c in COALITION_CODES) for i, (c, i3, w, g) in enumerate(rep)],
        [(i, c, i3, w, g, c in COALITION_CODES) for i, (c, i3, w, g) in enumerate(par)],
    )


def products() -> list[tuple[Any, ...]]:
    """5,000 HS-6 codes (the 50 CHPL codes first): (index, code, weight, planted, unit, price)."""
    chpl = [c.hs6 for c in load_chpl().codes]
    new, surge = set(chpl[:8]), set(chpl[9:21])
    codes = list(chpl)
    seen = set(codes)
    chapters = [ch for ch in range(1, 98) if ch != 77]
    sub = 0
    while len(codes) < N_PRODUCTS:
        heading, tail = divmod(sub, 9)
        for ch in chapters:
            code = f"{ch:02d}{heading + 1:02d}{(tail + 1) * 10:02d}"
            if code not in seen and len(codes) < N_PRODUCTS:
                codes.append(code)
                seen.add(code)
        sub += 1
    out = []
    for i, code in enumerate(codes):
        # Zipf-like popularity over a fixed pseudo-random rank (CHPL codes: common electronics)
        rank = (i * 7919) % N_PRODUCTS
        weight = 1.0 / (1 + rank) ** 0.5
        planted = "new" if code in new else "surge" if code in surge else None
        technical = code[:2] in {"84", "85", "88", "90"}
        out.append(
            (i, code, weight, planted, "u" if technical else "kg", 5.0 if technical else 1.5)
        )
    return out


def _u(*parts: str) -> str:
    """A uniform (0, 1) from a hash of the SQL expressions ``parts`` (deterministic)."""
    return f"((hash({', '.join(parts)}) % 1000003) + 0.5) / 1000003.0"


def _z(*parts: str) -> str:
    """A standard normal (Box-Muller) from two hashes."""
    a, b = _u(*parts, "'a'"), _u(*parts, "'b'")
    return f"(sqrt(-2 * ln({a})) * cos(2 * pi() * {b}))"


# -------------------------------------------------------------------------------- generator


def build_series(gen: duckdb.DuckDBPyConnection, rows: int, seed: int) -> dict[str, int]:
    """The ``series`` table: one row per (reporter, partner, flow, product) with its month range
    and its row offset, so that exactly ``rows`` HS-6 rows come out."""
    rep, par = countries()
    cols = "(i INTEGER, code VARCHAR, iso3 VARCHAR, w DOUBLE, grp VARCHAR, coalition BOOLEAN)"
    gen.execute(f"CREATE TABLE rep {cols}")
    gen.executemany("INSERT INTO rep VALUES (?, ?, ?, ?, ?, ?)", rep)
    gen.execute(f"CREATE TABLE par {cols}")
    gen.executemany("INSERT INTO par VALUES (?, ?, ?, ?, ?, ?)", par)
    gen.execute(
        "CREATE TABLE prod (i INTEGER, code VARCHAR, w DOUBLE, planted VARCHAR, unit VARCHAR,"
        " price DOUBLE)"
    )
    gen.executemany("INSERT INTO prod VALUES (?, ?, ?, ?, ?, ?)", products())
    gen.execute("CREATE TABLE flows AS SELECT * FROM (VALUES (0, 'export'), (1, 'import')) f(i, f)")
    transits = ", ".join(f"'{c}'" for c in PLANTED_TRANSITS)
    planted = (
        f"r.code IN ({transits}) AND k.planted IS NOT NULL"
        " AND ((f.i = 0 AND p.code = 'RU') OR (f.i = 1 AND p.coalition))"
    )
    gen.execute(
        "CREATE TABLE planted AS SELECT r.i AS ri, p.i AS pi, f.i AS fi, k.i AS ki,"
        " CASE WHEN f.i = 1 THEN 'imp' ELSE k.planted END AS kind,"
        f" CASE WHEN f.i = 0 AND k.planted = 'new' THEN {SHIFT} ELSE 0 END AS start"
        f" FROM rep r, par p, flows f, prod k WHERE {planted}"
    )
    (n_planted,) = gen.execute(f"SELECT SUM({MONTHS} - start) FROM planted").fetchone()  # type: ignore[misc]
    if rows < 2 * n_planted:
        raise SystemExit(f"--rows must be at least {2 * n_planted}")
    n_bg = math.ceil((rows - n_planted) / MONTHS)
    # weighted sampling without replacement (exponential keys), over all 24M candidate series
    gen.execute(
        "CREATE TABLE bg AS SELECT r.i AS ri, p.i AS pi, f.i AS fi, k.i AS ki,"
        " 'bg' AS kind, 0 AS start FROM rep r, par p, flows f, prod k"
        f" WHERE r.code <> p.code AND NOT ({planted})"
        f" ORDER BY -ln({_u(str(seed), 'r.i', 'p.i', 'f.i', 'k.i')}) / (r.w * p.w * k.w)"
        f" LIMIT {n_bg}"
    )
    gen.execute(
        "CREATE TABLE series AS SELECT *, off_end - n AS off FROM ("
        f"  SELECT *, {MONTHS} - start AS n,"
        "   SUM(96 - start) OVER (ORDER BY ri, pi, fi, ki ROWS UNBOUNDED PRECEDING) AS off_end,"
        "   row_number() OVER (ORDER BY ri, pi, fi, ki) - 1 AS sid"
        "  FROM (SELECT * FROM bg UNION ALL SELECT * FROM planted))"
    )
    return {"series": n_bg + gen.execute("SELECT count(*) FROM planted").fetchone()[0]}  # type: ignore[index]


def row_select(rows: int, seed: int, where: str) -> str:
    """SELECT of the HS-6 rows of the series matching ``where`` (trade_flows columns plus the
    ISO3 codes and the quantity unit the Comtrade CSV needs)."""
    s = str(seed)
    exporter = "CASE WHEN s.fi = 0 THEN r.code ELSE p.code END"
    importer = "CASE WHEN s.fi = 0 THEN p.code ELSE r.code END"
    # series level: shared by the exporter's and the importer's record of one trade
    z_level = _z(s, exporter, importer, "k.code")
    level = f"(9.0 + 0.5 * ln(r.w * p.w) + 0.3 * ln(k.w * 30) + 1.7 * {z_level})"
    after = f"m.m >= {SHIFT}"
    shift = (
        f"CASE WHEN NOT {after} THEN 1.0"
        " WHEN s.fi = 0 AND p.code = 'RU' AND r.grp = 'eu' THEN 0.3"
        " WHEN s.fi = 1 AND r.code = 'RU' AND p.coalition THEN 0.35"
        " WHEN s.fi = 0 AND p.code = 'RU' AND r.grp = 'transit' THEN 1.8"
        " WHEN s.fi = 1 AND r.grp = 'transit' AND p.coalition THEN 1.3 ELSE 1.0 END"
    )
    # planted CHPL series share a monthly factor per (transit, product): correlated I and E
    shared = f"exp(0.45 * {_z(s, 'r.code', 'k.code', 'm.m')})"
    monthly = (
        f"exp(0.5 * {_z(s, 's.sid', 'm.m')}) * pow(1.03, m.m / 12.0)"
        " * (1 + 0.1 * sin(2 * pi() * m.m / 12.0))"
    )
    z_new = _z(s, "r.code", "k.code", "'n'")
    z_imp = _z(s, "p.code", "r.code", "k.code")
    value = (
        "CASE s.kind"
        f" WHEN 'bg' THEN exp({level}) * {monthly} * {shift}"
        f" WHEN 'new' THEN exp(12.5 + 0.6 * {z_new}) * {shared}"
        f" WHEN 'surge' THEN exp(9.0 + 0.6 * {z_new}) * {shared}"
        f"   * CASE WHEN {after} THEN 10 ELSE 1 END"
        f" ELSE exp(10.5 + 0.8 * {z_imp}) * {shared}"
        f"   * CASE WHEN {after} THEN 3 ELSE 1 END END"
    )
    z_mass = _z(s, "v.sid", "v.m", "'w'")
    mass = f"v.value / exp(v.price + 0.3 * {z_mass})"
    return f"""
    SELECT 'comtrade' AS source,
      'comtrade_' || v.reporter || '_' || v.year || '_M.csv' AS source_file,
      substr(md5('{s}' || v.reporter || v.year), 1, 12) AS source_version,
      v.reporter, v.partner, v.flow, 'M' AS freq, v.year, v.month, v.product,
      6 AS product_level, CASE WHEN v.year < 2022 THEN 'HS2017' ELSE 'HS2022' END AS hs_edition,
      v.value, 'USD' AS currency, v.value AS value_usd,
      CASE WHEN v.unit = 'kg' THEN round({mass}, 1) ELSE round({mass} / 2.5, 0) END
        AS quantity,
      v.unit AS quantity_unit,
      CASE WHEN hash('{s}', v.sid, v.m, 'x') % 100 < 3 THEN NULL ELSE round({mass}, 1) END
        AS net_mass_kg,
      false AS is_aggregate_partner, v.reporter_iso3, v.partner_iso3
    FROM (
      SELECT s.sid, m.m, r.code AS reporter, p.code AS partner, r.iso3 AS reporter_iso3,
        p.iso3 AS partner_iso3, f.f AS flow, {FIRST_YEAR} + m.m // 12 AS year,
        m.m % 12 + 1 AS month, k.code AS product, k.unit, k.price,
        greatest(1, round(
          {value} * CASE WHEN s.fi = 1 THEN 1.08 ELSE 1.0 END, 0)) AS value
      FROM series s JOIN range({MONTHS}) m(m) ON m.m >= s.start
      JOIN rep r ON r.i = s.ri JOIN par p ON p.i = s.pi JOIN prod k ON k.i = s.ki
      JOIN flows f ON f.i = s.fi
      WHERE {where} AND s.off + (m.m - s.start) < {rows}
    ) v"""


def generate(
    workdir: Path,
    rows: int,
    seed: int,
    chunk_rows: int,
    threads: int,
    memory: str,
) -> dict[str, Any]:
    """Write ``hs6/part-*.parquet`` and ``total.parquet``."""
    gen = duckdb.connect()
    gen.execute(f"SET threads = {threads}")
    gen.execute(f"SET memory_limit = '{memory}'")
    gen.execute("SET preserve_insertion_order = false")
    info: dict[str, Any] = build_series(gen, rows, seed)
    gen.execute("ALTER TABLE series ADD COLUMN chunk BIGINT DEFAULT 0")
    gen.execute(f"UPDATE series SET chunk = off // {chunk_rows}")
    chunks = [c for (c,) in gen.execute("SELECT DISTINCT chunk FROM series ORDER BY 1").fetchall()]
    hs6 = workdir / "hs6"
    hs6.mkdir(parents=True, exist_ok=True)
    keep = ", ".join(COLUMNS)
    for c in chunks:
        sql = row_select(rows, seed, f"s.chunk = {c}")
        gen.execute(
            f"COPY (SELECT {keep} FROM ({sql})) TO '{hs6}/part-{c:04d}.parquet'"
            " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
        )
    # TOTAL rows, summed from the HS-6 rows (as a Comtrade file carries them)
    gen.execute(
        f"COPY (SELECT source, source_file, source_version, reporter, partner, flow, freq, year,"
        " month, 'TOTAL' AS product, 0 AS product_level, NULL::VARCHAR AS hs_edition,"
        " SUM(value) AS value, 'USD' AS currency, SUM(value_usd) AS value_usd,"
        " NULL::DOUBLE AS quantity, NULL::VARCHAR AS quantity_unit,"
        " SUM(net_mass_kg) AS net_mass_kg, false AS is_aggregate_partner"
        f" FROM read_parquet('{hs6}/*.parquet')"
        " GROUP BY ALL) TO '" + str(workdir / "total.parquet") + "' (FORMAT parquet)"
    )
    counts = gen.execute(
        f"SELECT (SELECT count(*) FROM read_parquet('{hs6}/*.parquet')),"
        f" (SELECT count(*) FROM read_parquet('{workdir}/total.parquet'))"
    ).fetchone()
    assert counts is not None
    info.update(hs6_rows=int(counts[0]), total_rows=int(counts[1]), files=len(chunks))
    info["parquet_bytes"] = dir_bytes(workdir)
    gen.close()
    return info


# ------------------------------------------------------------------------------- indicators


def growth_to_parquet(con: duckdb.DuckDBPyConnection, out: Path) -> list[Any]:
    """Whole-table HS-6 growth as ``flows growth --level 6 --output FILE.parquet`` runs it:
    every row written by DuckDB, then the first 50 by vs_baseline read back (``total`` rows)."""
    total = write_query(con, growth_query(Filters(product_level=6), order=None), out)
    read_top(con, out, GROWTH_COLUMNS, ORDERS["vs_baseline"], 50)
    return [None] * total


def indicator_cases(
    chpl_path: Path | None, workdir: Path
) -> list[tuple[str, str, Callable[[duckdb.DuckDBPyConnection], list[Any]]]]:
    chpl = load_chpl()
    correlations = load_correlation(chpl_path) if chpl_path and chpl_path.exists() else []
    transits = TRANSITS
    chpl_codes = [c.hs6 for c in chpl.codes]

    def reexport_all(con: duckdb.DuckDBPyConnection) -> list[Any]:
        return [s for code in chpl_codes for s in reexport(con, "KG", code)]

    return [
        (
            "growth_kg_ru_total",
            "growth, KG exports to RU, TOTAL, annual (report)",
            lambda con: growth(
                con,
                Filters(
                    reporters=("KG",), partners=("RU",), flows=("export",), products=("TOTAL",)
                ),
            ),
        ),
        (
            "growth_kg_ru_hs6",
            "growth, KG exports to RU, every HS-6 code, annual",
            lambda con: growth(
                con,
                Filters(reporters=("KG",), partners=("RU",), flows=("export",), product_level=6),
            ),
        ),
        (
            "growth_eu27_transits_monthly",
            "growth, EU27 exports to KG KZ AM GE RU, TOTAL, monthly (report)",
            lambda con: growth(
                con,
                Filters(
                    reporters=("EU27",),
                    partners=(*transits, "RU"),
                    flows=("export",),
                    products=("TOTAL",),
                ),
                grain="M",
            ),
        ),
        (
            "growth_all_total",
            "growth, every reporter x partner x flow, TOTAL, annual",
            lambda con: growth(con, Filters(products=("TOTAL",))),
        ),
        (
            "growth_all_hs6_parquet",
            "growth, every HS-6 series of the table, annual: every row streamed to Parquet by"
            " DuckDB, first 50 by vs_baseline read back (flows growth --level 6 --output)",
            lambda con: growth_to_parquet(con, workdir / "growth_all.parquet"),
        ),
        (
            "growth_all_hs6_top",
            "growth, every HS-6 series of the table, annual: first 50 by vs_baseline and the"
            " row count, in one query (flows growth --level 6, no --output)",
            lambda con: (
                [None] * growth_top(con, Filters(product_level=6), order="vs_baseline", limit=50)[1]
            ),
        ),
        (
            "mirror_eu27_kg",
            "mirror gap, EU27 exports to KG vs KG imports, TOTAL, annual (report)",
            lambda con: mirror(con, "EU27", "KG"),
        ),
        (
            "mirror_eu27_kg_hs6_chip",
            "mirror gap, EU27 -> KG, HS 854231, monthly",
            lambda con: mirror(con, "EU27", "KG", product="854231", grain="M"),
        ),
        (
            "reexport_kg_one",
            "re-export signature, KG, one CHPL code (854231), monthly",
            lambda con: reexport(con, "KG", "854231"),
        ),
        (
            "reexport_kg_chpl_all",
            "re-export signature, KG, all 50 CHPL codes (50 calls), monthly",
            reexport_all,
        ),
        (
            "zero_to_positive",
            "zero-to-positive, KG AM KZ exports to RU, HS-6",
            lambda con: zero_to_positive(con, reporters=["KG", "AM", "KZ"]),
        ),
        (
            "chpl_view",
            "CHPL tiers, KG KZ AM GE exports to RU, concordance applied (report)",
            lambda con: chpl_growth(
                con,
                Filters(reporters=transits, partners=("RU",), flows=("export",)),
                chpl,
                correlations,
            ),
        ),
        (
            "hotspots",
            "hotspots, KG KZ AM GE, HS-6 (report)",
            lambda con: hotspots(con, chpl, transits=transits, limit=25),
        ),
    ]


def run_indicators(
    con: duckdb.DuckDBPyConnection,
    repeat: int,
    chpl_path: Path | None,
    only: set[str] | None,
    workdir: Path,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, label, fn in indicator_cases(chpl_path, workdir):
        if only and name not in only:
            continue
        runs, n = [], 0
        reset_peak()
        for _ in range(repeat):
            t = time.perf_counter()
            n = len(fn(con))
            runs.append(round(time.perf_counter() - t, 3))
        med = statistics.median(runs)
        out[name] = {
            "label": label,
            "median_s": round(med, 3),
            "runs_s": runs,
            "result_rows": n,
            "peak_rss_mb": round(peak_rss_mb()),
            "under_target": med < TARGET_S,
        }
        print(f"  {name}: median {med:.2f} s {runs} ({n} rows)", file=sys.stderr, flush=True)
    return out


# ------------------------------------------------------------------------------------- main


def prepare(
    args: argparse.Namespace,
    work: Path,
    db_path: Path,
    summary: dict[str, Any],
    steps: dict[str, Any],
) -> None:
    """Generate the Parquet files, or reuse the kept ones (``--reuse``)."""
    if args.reuse and (work / "hs6").is_dir():
        summary["data"] = json.loads((work / "data.json").read_text(encoding="utf-8"))
        db_path.unlink(missing_ok=True)
        shutil.rmtree(work / "flows.duckdb.tmp", ignore_errors=True)
        return
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"generating {args.rows:,} rows in {work}", file=sys.stderr, flush=True)
    with phase(steps, "generate"):
        summary["data"] = generate(
            work, args.rows, args.seed, args.chunk_rows, args.threads, args.memory_limit
        )
    (work / "data.json").write_text(json.dumps(summary["data"]), encoding="utf-8")


def bulk_load(
    args: argparse.Namespace,
    work: Path,
    db_path: Path,
    summary: dict[str, Any],
    steps: dict[str, Any],
) -> None:
    """Every Parquet row into a fresh store, timed."""
    print("bulk load", file=sys.stderr, flush=True)
    with phase(steps, "bulk_load"):
        store = FlowStore(db_path)
        con = store.connection
        con.execute(f"SET threads = {args.threads}")
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
        cols = ", ".join(f'"{c}"' for c in COLUMNS)
        con.execute(
            f"INSERT INTO trade_flows ({cols}) SELECT {cols}"
            f" FROM read_parquet(['{work}/hs6/*.parquet', '{work}/total.parquet'])"
        )
        con.execute("CHECKPOINT")
    store.close()
    loaded = summary["data"]["hs6_rows"] + summary["data"]["total_rows"]
    summary["load_bulk"] = {
        "what": "INSERT INTO trade_flows SELECT ... FROM read_parquet(...) + CHECKPOINT, "
        "fresh FlowStore file",
        "rows": loaded,
        "s": steps["bulk_load"]["s"],
        "rows_per_s": round(loaded / steps["bulk_load"]["s"]),
        "peak_rss_mb": steps["bulk_load"]["peak_rss_mb"],
    }
    if not args.keep:
        shutil.rmtree(work / "hs6")
        (work / "total.parquet").unlink()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=100_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chunk-rows", type=int, default=5_000_000)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--memory-limit", default="8GB")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/transitwatch-flows-bench"))
    ap.add_argument("--keep", action="store_true", help="keep the Parquet files and the store")
    ap.add_argument(
        "--reuse", action="store_true", help="reuse the kept Parquet files (load them again)"
    )
    ap.add_argument(
        "--reuse-store",
        action="store_true",
        help="reuse the loaded store in --workdir as it is (no load; indicator reruns only)",
    )
    ap.add_argument("--only", action="append", help="run only these indicators")
    ap.add_argument("--hs-correlation", type=Path, default=DEFAULT_CORRELATION)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/flows_bench.json"))
    args = ap.parse_args(argv)

    work: Path = args.workdir
    db_path = work / "flows.duckdb"
    summary: dict[str, Any] = {
        "rows_requested": args.rows,
        "seed": args.seed,
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "machine": {
            "cpus": os.cpu_count(),
            "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "loadavg_start": os.getloadavg(),
        },
        "peak_rss_reset": reset_peak(),
    }
    steps: dict[str, Any] = {}
    if args.reuse_store and db_path.is_file():
        summary["data"] = json.loads((work / "data.json").read_text(encoding="utf-8"))
        summary["load_bulk"] = {"what": "reused store (--reuse-store): not loaded in this run"}
    else:
        prepare(args, work, db_path, summary, steps)
        bulk_load(args, work, db_path, summary, steps)
    summary["db_file_bytes"] = db_path.stat().st_size

    print("indicators", file=sys.stderr, flush=True)
    store = FlowStore(db_path, read_only=True)
    con = store.connection
    con.execute(f"SET threads = {args.threads}")
    con.execute(f"SET memory_limit = '{args.memory_limit}'")
    summary["settings"] = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('threads', 'memory_limit',"
            " 'temp_directory', 'preserve_insertion_order', 'max_temp_directory_size')"
        ).fetchall()
    )
    (summary["table_rows"],) = con.execute("SELECT count(*) FROM trade_flows").fetchone()  # type: ignore[misc]
    with phase(steps, "indicators"):
        summary["indicators"] = run_indicators(
            con, args.repeat, args.hs_correlation, set(args.only) if args.only else None, work
        )
    store.close()
    summary["steps"] = steps
    # VmHWM is reset per step, so the process peak is the largest step peak
    summary["peak_rss_mb_process"] = max(v["peak_rss_mb"] for v in steps.values())
    summary["machine"]["loadavg_end"] = os.getloadavg()
    summary["all_under_target"] = all(v["under_target"] for v in summary["indicators"].values())
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
