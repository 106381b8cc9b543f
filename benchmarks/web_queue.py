"""Time to render a declaration queue page of a large screened batch (the web app).

    .venv/bin/python -m benchmarks.web_queue [--n 100000] [--screened 2000] [--repeat 5]

Builds a temporary store: a three-entity FtM list, ``--screened`` generated declarations
screened with `transitwatch declarations screen` (real decisions, with reasons and party hits),
then one batch of ``--n`` decisions made by copying those (new declaration ids, same JSON)
into ``declaration_decisions``. Times ``GET /ui/declarations/{run}`` through TestClient (the
whole request: store queries and the HTML), ``--repeat`` times after one warm-up, for page 1
and for filtered and later pages, and prints the median of each. Writes
benchmarks/out/web_queue.json. Nothing is sent over the network.

Measured on the shared 2-core machine (load average about 3.5), 100,000 decisions, median of
the repeats: page 1 of all lanes took 6.9 s (and 930 MB of memory) when the page loaded the
whole batch into Python and filtered it there (commit db6e94b, which also had no paging); it
takes 0.04 s (375 MB for the whole benchmark) with the filters, counts and page in SQL. A
filter that reads every decision's JSON costs one pass over the batch: rule 0.17 s, party hits
0.27 s, text 0.8 s (they were 17.5 s, 9.5 s and 9.6 s).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from transitwatch.api import create_app
from transitwatch.cli.main import app as cli
from transitwatch.declarations.generate import HEADER, generate
from transitwatch.store import open_store
from transitwatch.store.declarations import DeclarationStore

ENTITIES = [
    {"id": "C1", "schema": "Company", "properties": {"name": ["Profflab LLC"], "country": ["kg"]}},
    {"id": "O1", "schema": "Company", "properties": {"name": ["RM Design and Development LLC"]}},
    {"id": "P1", "schema": "Person", "properties": {"name": ["Kamchybek KOLBAYEV"]}},
]


def _run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    if result.exit_code != 0:
        raise SystemExit(f"transitwatch {' '.join(args)} failed: {result.output}")


def build(tmp: Path, n: int, screened: int) -> tuple[Path, str]:
    """A store holding one batch of ``n`` decisions; (its path, the run id)."""
    db = tmp / "queue.duckdb"
    lst = tmp / "list.ftm.json"
    lst.write_text("".join(json.dumps(e) + "\n" for e in ENTITIES), "utf-8")
    _run("--db", str(db), "lists", "load", "ftm", str(lst))
    rows = list(generate(screened, 7, 0.1))
    rows[0].update(exporter_name="ОсОО «Профлаб»", exporter_country="KG")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(HEADER))
    writer.writeheader()
    writer.writerows(rows)
    source = tmp / "seed.csv"
    source.write_text(buf.getvalue(), "utf-8")
    _run("--db", str(db), "declarations", "screen", str(source), "--output", str(tmp / "d.jsonl"))
    with open_store(db) as st:
        con = DeclarationStore.of(st)._con
        (seed_run,) = con.execute("SELECT any_value(run_id) FROM declaration_decisions").fetchone()
        run_id = "b" * 32
        copies = -(-n // screened)
        con.execute(
            "INSERT INTO declaration_decisions SELECT ?, c.i * ? + d.seq, "
            "d.declaration_id || '-' || c.i, d.lane, d.score, d.random, d.decision, "
            "d.profile_versions, d.list_versions, 'big.csv', d.screened_at "
            "FROM declaration_decisions d CROSS JOIN range(?) c(i) "
            "WHERE d.run_id = ? AND c.i * ? + d.seq <= ?",
            [run_id, screened, copies, seed_run, screened, n],
        )
        (count,) = con.execute(
            "SELECT count(*) FROM declaration_decisions WHERE run_id = ?", [run_id]
        ).fetchone()
    assert count == n, count
    return db, run_id


def timed(client: TestClient, url: str, params: dict[str, str], repeat: int) -> dict[str, Any]:
    first = client.get(url, params=params)
    assert first.status_code == 200, first.text[:500]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        r = client.get(url, params=params)
        times.append(time.perf_counter() - started)
        assert r.status_code == 200
    return {
        "params": params,
        "median_s": round(statistics.median(times), 4),
        "max_s": round(max(times), 4),
        "html_kb": round(len(r.content) / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--screened", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--label", default="", help="Recorded with the figures (e.g. before/after).")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/web_queue.json"))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tw-web-queue-") as tmp:
        started = time.perf_counter()
        db, run_id = build(Path(tmp), args.n, args.screened)
        built = time.perf_counter() - started
        url = f"/ui/declarations/{run_id}"
        cases = {
            "page 1, all lanes": {},
            "page 1, red lane": {"lane": "red"},
            "page 1, rule TW-PARTY-001": {"rule": "TW-PARTY-001"},
            "page 1, text 'profl'": {"q": "profl"},
            "page 1, with party hits": {"hits": "1"},
            "page 100, green lane": {"lane": "green", "page": "100"},
        }
        results = {}
        with TestClient(create_app(db)) as client:
            for name, params in cases.items():
                results[name] = timed(client, url, params, args.repeat)
                r = results[name]
                timing = f"{r['median_s']:8.3f} s (max {r['max_s']:.3f})"
                print(f"{name:32} {timing}, {r['html_kb']} KiB")
    report = {
        "label": args.label,
        "decisions": args.n,
        "build_s": round(built, 1),
        "repeat": args.repeat,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
