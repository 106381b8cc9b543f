"""The HTML report renders, is self-contained, captions its charts; the CLI runs on a store file."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
import typer
from test_flows_indicators import Table
from typer.testing import CliRunner

from transitwatch.cli import flows_indicators
from transitwatch.cli.common import CliState
from transitwatch.flows.chpl import load_chpl
from transitwatch.flows.report import collect, render


def staged(table: Table) -> None:
    for year in (2019, 2020, 2021, 2022, 2023):
        for month in range(1, 13):
            table.add("eurostat", "EU27", "KG", "export", year, 20.0 * (year - 2017), month=month)
            table.add("eurostat", "EU27", "RU", "export", year, 7000.0 / (year - 2018), month=month)
        table.add("kg_nsc", "KG", "RU", "export", year, 400.0 * (year - 2018))
        table.add("kg_nsc", "KG", "EU", "import", year, 250.0 * (year - 2018))
        table.add("kg_nsc", "KG", "RU", "export", year, 5.0 * max(year - 2021, 0), product="854231")
        table.add("kg_nsc", "KG", "DE", "import", year, 6.0 * (year - 2018), product="854231")
        table.add("kg_nsc", "KG", "RU", "export", year, 10.0, product="870323")


def test_report_is_self_contained_with_captions() -> None:
    table = Table()
    staged(table)
    html = render(collect(table.con, chpl=load_chpl()))
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 3
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html
    for caption in (
        "Source: eurostat",
        "mirror gap = importer's imports (CIF) / 1.10",
        "Source: kg_nsc (Kyrgyz-reported exports",
        "Data versions: eurostat v1; kg_nsc v1",
        "reported as EU",
    ):
        assert caption in unescape(html)
    assert "854231" in html  # hotspot and zero-to-positive tables


def test_report_with_empty_table_says_so() -> None:
    html = render(collect(Table().con, chpl=load_chpl()))
    assert "No data in the store for the EU-27 / Kyrgyzstan mirror pair" in html


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    table = Table()
    staged(table)
    path = tmp_path / "t.duckdb"
    table.con.execute(f"ATTACH '{path}' AS f")
    table.con.execute("CREATE TABLE f.trade_flows AS SELECT * FROM trade_flows")
    table.con.execute("DETACH f")
    return path


def test_cli_commands(store_file: Path, tmp_path: Path) -> None:
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(db=store_file)

    flows_indicators.register(app)
    flows_indicators.register(app)  # idempotent
    run = CliRunner().invoke
    res = run(app, ["flows", "mirror", "--exporter", "EU27", "--importer", "KG", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows[0]["import_basis"] == "reported as EU" and rows[0]["cif_fob"] == 1.1
    res = run(app, ["flows", "growth", "--reporter", "KG", "--partner", "RU", "--product", "TOTAL"])
    assert res.exit_code == 0 and "vs_baseline" in res.stdout
    for args in (
        ["hotspots", "--json"],
        ["zero", "--json"],
        ["reexport", "--transit", "KG", "--product", "854231", "--annual", "--json"],
        ["chpl", "--reporter", "KG", "--json"],
    ):
        res = run(app, ["flows", *args])
        assert res.exit_code == 0, (args, res.output)
        assert json.loads(res.stdout), args
    out = tmp_path / "r.html"
    res = run(app, ["flows", "report", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "<svg" in out.read_text()
