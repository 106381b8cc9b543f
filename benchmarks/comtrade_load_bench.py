"""Comtrade CSV loading: the Python reference loader vs the DuckDB path, rows per second.

    .venv/bin/python -m benchmarks.comtrade_load_bench                      # 3,000,000 rows
    .venv/bin/python -m benchmarks.comtrade_load_bench --rows 200_000 --python-rows 50_000

1. generate: a Comtrade API-layout CSV (the columns of a bulk download: ``freqCode, refYear,
   refMonth, reporterISO, flowCode, partnerCode, partnerISO, partnerDesc, partner2Code,
   classificationCode, cmdCode, aggrLevel, customsCode, mosCode, motCode, qtyUnitAbbr, qty,
   netWgt, primaryValue``) of ``--rows`` monthly HS-6 rows, written by DuckDB SQL: 8 reporters,
   the 60 partners of ``flows_bench`` plus the World (an aggregate partner), 5,000 HS-6 codes,
   2017–2024. About 1 % of rows are customs-procedure breakdowns (skipped), 0.2 % have
   ``NA`` values (skipped), and every 50th key is split by mode of transport into two rows
   (summed). Plain CSV, and gzip with ``--gzip``.
2. load, each in a child process (its own peak RSS, read from ``VmHWM``), into a fresh store:
   * ``python``: :func:`transitwatch.flows.loaders.comtrade.parse` +
     :meth:`~transitwatch.store.flows.FlowStore.replace_file`, on the first ``--python-rows``
     rows (the reference path reads a file whole, about 1.4 GiB per million rows);
   * ``duckdb``: :func:`transitwatch.store.comtrade_bulk.load_comtrade` on the same prefix, and
     on the whole file.
3. check: the two stores of the prefix hold the same rows (``EXCEPT`` both ways) and the same
   skip counts.

Prints a JSON summary and writes it to ``benchmarks/out/comtrade_load_bench.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.flows_bench import countries, peak_rss_mb, products

ROOT = Path(__file__).resolve().parent.parent

REPORTERS = ("KGZ", "KAZ", "ARM", "GEO", "DEU", "POL", "CHN", "TUR")


def generate(path: Path, rows: int, *, gz: bool) -> dict[str, Any]:
    """Write the Comtrade CSV (``rows`` data rows, mode-of-transport pairs counted as 2)."""
    con = duckdb.connect()
    _, par = countries()
    con.execute("CREATE TABLE par (i INTEGER, code INTEGER, iso3 VARCHAR, name VARCHAR)")
    con.executemany(
        "INSERT INTO par VALUES (?, ?, ?, ?)",
        [(i, 100 + i, i3, f"Country {c}") for i, c, i3, *_ in par]
        + [(len(par), 0, "W00", "World")],
    )
    con.execute("CREATE TABLE prod (i INTEGER, code VARCHAR, unit VARCHAR)")
    con.executemany("INSERT INTO prod VALUES (?, ?, ?)", [(p[0], p[1], p[4]) for p in products()])
    con.execute("CREATE TABLE rep (i INTEGER, iso3 VARCHAR)")
    con.executemany("INSERT INTO rep VALUES (?, ?)", list(enumerate(REPORTERS)))
    n_par = len(par) + 1
    target = str(path.with_suffix("")) if gz else str(path)
    con.execute(
        f"""COPY (
        WITH k AS (
          SELECT range AS i, hash(range, 'x') AS h FROM range({rows})
        ), r AS (
          SELECT i, h, CAST(i // 96 AS BIGINT) AS series, i % 96 AS m,
            (h % 50 = 0) AS split, (h % 100 = 1) AS breakdown, (h % 500 = 2) AS missing
          FROM k
        )
        SELECT 'M' AS freqCode, 2017 + m // 12 AS refYear, m % 12 + 1 AS refMonth,
          rep.iso3 AS reporterISO,
          CASE WHEN series % 2 = 0 THEN 'X' ELSE 'M' END AS flowCode,
          par.code AS partnerCode, par.iso3 AS partnerISO, par.name AS partnerDesc,
          0 AS partner2Code,
          CASE WHEN 2017 + m // 12 < 2022 THEN 'H5' ELSE 'H6' END AS classificationCode,
          prod.code AS cmdCode, 6 AS aggrLevel,
          CASE WHEN breakdown THEN 'C01' ELSE 'C00' END AS customsCode, 0 AS mosCode,
          unnest(CASE WHEN split THEN [1000, 2000] ELSE [0] END) AS motCode,
          prod.unit AS qtyUnitAbbr, round((h % 100000) / 7.0, 1) AS qty,
          round((h % 1000000) / 3.0, 1) AS netWgt,
          CASE WHEN missing THEN 'NA' ELSE CAST(round((h % 10000000) / 1.3, 2) AS VARCHAR) END
            AS primaryValue
        FROM r
        JOIN rep ON rep.i = (series // 200000) % {len(REPORTERS)}
        JOIN par ON par.i = (series // 5000) % {n_par}
        JOIN prod ON prod.i = series % 5000
        ORDER BY r.i, motCode
        ) TO '{target}' (HEADER, DELIMITER ',')"""
    )
    con.close()
    if gz:
        with open(target, "rb") as src, gzip.open(path, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.unlink(target)
    with open(path, "rb") as fh:
        data = gzip.GzipFile(fileobj=fh) if gz else fh
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: data.read(1 << 20), b""))
    return {"path": str(path), "bytes": path.stat().st_size, "data_rows": lines - 1}


def prefix(src: Path, dst: Path, rows: int) -> Path:
    """The header and the first ``rows`` data rows of a plain CSV."""
    with src.open("rb") as fin, dst.open("wb") as fout:
        for i, line in enumerate(fin):
            if i > rows:
                break
            fout.write(line)
    return dst


def child(engine: str, csv_path: Path, db_path: Path, memory_limit: str) -> dict[str, Any]:
    """One load in this (child) process."""
    from transitwatch.store.flows import FlowStore

    t = time.perf_counter()
    with FlowStore(db_path) as store:
        if memory_limit:
            store.connection.execute(f"SET memory_limit = '{memory_limit}'")
        if engine == "python":
            from transitwatch.flows.loaders.comtrade import parse

            parsed = parse(csv_path)
            t_parse = time.perf_counter() - t
            info = store.replace_file(parsed)
            extra = {"parse_s": round(t_parse, 2)}
        else:
            from transitwatch.store.comtrade_bulk import load_comtrade

            info = load_comtrade(store, csv_path).info
            extra = {}
    total = time.perf_counter() - t
    return {
        "engine": engine,
        "rows_stored": info.rows,
        "rows_skipped": info.skipped,
        "s": round(total, 2),
        "rows_per_s": round((info.rows + info.skipped) / total),
        "peak_rss_mb": round(peak_rss_mb()),
        **extra,
    }


def run_child(engine: str, csv_path: Path, db_path: Path, memory_limit: str) -> dict[str, Any]:
    db_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "benchmarks.comtrade_load_bench"]
    command += ["--memory-limit", memory_limit, "--child", engine]
    out = subprocess.run(
        [*command, str(csv_path), str(db_path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {engine} {csv_path.name}: {result}", file=sys.stderr, flush=True)
    return result


def same_rows(a: Path, b: Path) -> dict[str, int]:
    """Rows of trade_flows in one store and not the other, both ways."""
    con = duckdb.connect()
    for alias, path in (("a", a), ("b", b)):  # ATTACH takes no parameters; our own paths
        con.execute(f"ATTACH '{path}' AS {alias} (READ_ONLY)")
    cols = "*"
    only = {}
    for x, y in (("a", "b"), ("b", "a")):
        (n,) = con.execute(
            f"SELECT count(*) FROM (SELECT {cols} FROM {x}.trade_flows "
            f"EXCEPT ALL SELECT {cols} FROM {y}.trade_flows)"
        ).fetchone()  # type: ignore[misc]
        only[f"only_in_{x}"] = int(n)
    con.close()
    return only


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    num = lambda s: int(s.replace("_", ""))  # noqa: E731
    ap.add_argument("--rows", type=num, default=3_000_000)
    ap.add_argument("--python-rows", type=num, default=500_000)
    ap.add_argument("--gzip", action="store_true", help="also load the whole file gzip-compressed")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/transitwatch-comtrade-bench"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/comtrade_load_bench.json"))
    ap.add_argument(
        "--memory-limit",
        default="",
        help="DuckDB memory_limit of the loading connection (default: DuckDB's, 80%% of RAM)",
    )
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        engine, csv_path, db_path = args.child
        print(json.dumps(child(engine, Path(csv_path), Path(db_path), args.memory_limit)))
        return 0

    work: Path = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    summary: dict[str, Any] = {
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
    }
    t = time.perf_counter()
    full = work / "comtrade_api.csv"
    summary["data"] = generate(full, args.rows, gz=False)
    summary["data"]["generate_s"] = round(time.perf_counter() - t, 2)
    print(f"generated {summary['data']}", file=sys.stderr, flush=True)
    small = prefix(full, work / "comtrade_prefix.csv", args.python_rows)
    limit = args.memory_limit
    summary["memory_limit"] = limit or "DuckDB default (80% of RAM)"
    runs = {
        "python_prefix": run_child("python", small, work / "python.duckdb", limit),
        "duckdb_prefix": run_child("duckdb", small, work / "duckdb_prefix.duckdb", limit),
        "duckdb_full": run_child("duckdb", full, work / "duckdb_full.duckdb", limit),
    }
    if args.gzip:
        gz = work / "comtrade_api.csv.gz"
        with full.open("rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        runs["duckdb_full_gzip"] = run_child("duckdb", gz, work / "duckdb_gz.duckdb", limit)
        runs["duckdb_full_gzip"]["bytes"] = gz.stat().st_size
    summary["runs"] = runs
    summary["prefix_agreement"] = same_rows(work / "python.duckdb", work / "duckdb_prefix.duckdb")
    summary["prefix_skips_equal"] = (
        runs["python_prefix"]["rows_skipped"] == runs["duckdb_prefix"]["rows_skipped"]
    )
    summary["speedup_same_prefix"] = round(
        runs["duckdb_prefix"]["rows_per_s"] / runs["python_prefix"]["rows_per_s"], 1
    )
    summary["loadavg_end"] = os.getloadavg()
    shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
