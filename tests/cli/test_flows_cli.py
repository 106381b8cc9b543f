"""`transitwatch flows load|growth|zero` through typer's CliRunner: loader engines, bounded
views and whole results streamed to Parquet, CSV or JSON lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner, Result

from transitwatch.cli import flows_indicators, flows_load
from transitwatch.cli.main import app

flows_load.register(app)
flows_indicators.register(app)

PARTNERS = (("RUS", "Russian Federation"), ("GEO", "Georgia"), ("DEU", "Germany"))
PRODUCTS = ("870323", "851713", "854231")


def _csv(path: Path) -> Path:
    """Armenia's annual exports: 3 partners x 3 products x 2019-2023, except HS 854231 to
    Russia, first exported in 2022 (zero-to-positive); values grow by partner and year."""
    lines = ["year,trade_code,reporter,partner_iso,partner,commodity_code,aggregate_level,"
             "trade_value_us"]  # fmt: skip
    for p, (iso, name) in enumerate(PARTNERS):
        for k, product in enumerate(PRODUCTS):
            for year in range(2019, 2024):
                if iso == "RUS" and product == "854231" and year < 2022:
                    continue
                value = 1000 * (p + 1) * (k + 1) * (1 + (year - 2019) * (p + 1))
                lines.append(f'{year},X,Armenia,{iso},"{name}",{product},6,{value}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TRANSITWATCH_DB", "TRANSITWATCH_DATA"):
        monkeypatch.delenv(var, raising=False)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "flows.duckdb"
    result = run(path, "flows", "load", "comtrade", str(_csv(tmp_path / "am.csv")))
    assert result.exit_code == 0, result.output
    return path


def test_load_engines_store_the_same_rows(tmp_path: Path) -> None:
    csv = _csv(tmp_path / "am.csv")
    stored = {}
    for engine in ("python", "duckdb"):
        path = tmp_path / f"{engine}.duckdb"
        result = run(path, "flows", "load", "auto", str(csv), "--engine", engine)
        assert result.exit_code == 0, result.output
        assert "am.csv: 42 rows stored as comtrade" in result.output
        assert ("(DuckDB loader)" in result.output) == (engine == "duckdb")
        with duckdb.connect(str(path), read_only=True) as con:
            stored[engine] = con.execute("SELECT * FROM trade_flows ORDER BY ALL").fetchall()
    assert stored["python"] == stored["duckdb"] and len(stored["python"]) == 42
    again = run(
        tmp_path / "duckdb.duckdb", "flows", "load", "comtrade", str(csv), "--engine", "duckdb"
    )
    assert again.exit_code == 0 and "replacing 42 rows" in again.output


def test_load_engine_errors(tmp_path: Path) -> None:
    kg = tmp_path / "kg.csv"
    kg.write_text(
        "table,flow,label_ky,label_ru,label_en,year,preliminary,value_thousand_usd,value_raw,"
        "row_order\n4.03.00.18,export,Орусия,Россия,Russia,2022,False,10,10,1\n",
        encoding="utf-8",
    )
    db = tmp_path / "x.duckdb"
    result = run(db, "flows", "load", "auto", str(kg), "--engine", "duckdb")
    assert result.exit_code == 2 and "Comtrade files only" in result.output
    result = run(db, "flows", "load", "auto", str(kg), "--engine", "spark")
    assert result.exit_code == 2 and "unknown --engine" in result.output
    assert run(db, "flows", "load", "auto", str(kg)).exit_code == 0  # auto: the Python loader


def _json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.output)
    return doc


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_growth_output_writes_every_row_and_shows_a_bounded_view(
    db: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / "out" / f"growth{suffix}"
    out.parent.mkdir()
    args = ("flows", "growth", "--output", str(out), "--limit", "3", "--sort", "vs_baseline")
    doc = _json(run(db, *args, "--json"))
    reader = {".parquet": "read_parquet", ".csv": "read_csv", ".jsonl": "read_json"}[suffix]
    with duckdb.connect() as con:
        written = con.execute(f"SELECT * FROM {reader}(?)", [str(out)]).fetchall()
        names = [d[0] for d in con.description]
    assert doc["total_rows"] == len(written) == 42 and doc["shown"] == 3
    assert doc["output"] == str(out) and doc["order"] == "vs_baseline"
    assert names[:7] == ["source", "reporter", "partner", "product", "flow", "year", "month"]
    best = max(r[names.index("vs_baseline")] for r in written if r[names.index("vs_baseline")])
    shown = [r["vs_baseline"] for r in doc["rows"]]
    assert shown[0] == pytest.approx(best) and shown == sorted(shown, reverse=True)
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no partial file left
    table = run(db, *args)
    assert table.exit_code == 0, table.output
    assert "42 rows, the first 3 by vs_baseline shown" in table.output and str(out) in table.output


def test_growth_without_output_states_the_row_count(db: Path) -> None:
    doc = _json(run(db, "flows", "growth", "--partner", "RU", "--limit", "2", "--json"))
    assert doc["total_rows"] == 12 and doc["shown"] == 2 and doc["output"] is None
    first = doc["rows"][0]
    assert (first["product"], first["year"]) == ("851713", 2019)  # key order
    result = run(db, "flows", "growth", "--partner", "RU", "--limit", "2")
    assert "12 rows, the first 2 by key shown (--output FILE.parquet writes them all)" in (
        " ".join(result.output.split())
    )
    everything = run(db, "flows", "growth", "--partner", "RU", "--product", "870323")
    assert everything.exit_code == 0 and "growth: 5 rows" in everything.output
    assert _json(run(db, "flows", "growth", "--level", "4", "--json"))["total_rows"] == 0


def test_growth_output_errors(db: Path, tmp_path: Path) -> None:
    bad = run(db, "flows", "growth", "--output", str(tmp_path / "growth.txt"))
    assert bad.exit_code == 2 and "use a file ending in" in bad.output
    missing = run(db, "flows", "growth", "--output", str(tmp_path / "nope" / "g.parquet"))
    assert missing.exit_code == 2 and "no such folder" in missing.output
    sort = run(db, "flows", "growth", "--sort", "size")
    assert sort.exit_code == 2 and "--sort must be one of" in sort.output


def test_zero_output_and_view(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "zero.parquet"
    doc = _json(run(db, "flows", "zero", "--output", str(out), "--json"))
    assert doc["total_rows"] == 1 and doc["rows"][0]["product"] == "854231"
    assert doc["rows"][0]["first_year"] == 2022
    with duckdb.connect() as con:
        assert con.execute("SELECT product FROM read_parquet(?)", [str(out)]).fetchall() == [
            ("854231",)
        ]
    view = _json(run(db, "flows", "zero", "--limit", "0", "--json"))
    assert view["total_rows"] == 1 and view["rows"] == []
