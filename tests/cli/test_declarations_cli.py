"""`transitwatch declarations generate|screen` through typer's CliRunner, with a tmp store."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from transitwatch.cli import main
from transitwatch.declarations.profiles import load_profiles
from transitwatch.store.declarations import DeclarationStore
from transitwatch.store.duck import DuckStore

if "declarations" not in main.COMMAND_MODULES:  # until the lead registers the module
    from transitwatch.cli import declarations

    declarations.register(main.app)

LISTED = {
    "id": "C1",
    "schema": "Company",
    "caption": "Profflab LLC",
    "properties": {
        "name": ["LIMITED LIABILITY COMPANY PROFFLAB"],
        "alias": ["OSOO PROFFLAB", "Profflab LLC"],
        "country": ["kg"],
        "program": ["RUSSIA-EO14024"],
    },
    "datasets": ["test"],
    "last_change": "2024-01-31T00:00:00",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TRANSITWATCH_DB", "TRANSITWATCH_THRESHOLD", "TRANSITWATCH_WORKERS"):
        monkeypatch.delenv(var, raising=False)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main.app, ["--db", str(db), *args])


def ok(db: Path, *args: str) -> Result:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    db = tmp_path / "store" / "tw.duckdb"
    lst = tmp_path / "list.ftm.json"
    lst.write_text(json.dumps(LISTED) + "\n", encoding="utf-8")
    ok(db, "lists", "load", "ftm", str(lst))
    return db


def test_generate_screen_decisions_rejects_audit(loaded: Path, tmp_path: Path) -> None:
    data = tmp_path / "decl.csv"
    ok(
        loaded,
        "declarations",
        "generate",
        "--n",
        "400",
        "--seed",
        "3",
        "--output",
        str(data),
        "--planted-rate",
        "0.2",
    )
    with data.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 400 and "label" in rows[0]
    # one listed exporter in a spelling variant, and one row that breaks the schema
    rows[0].update(exporter_name="ОсОО «Профлаб»", exporter_country="KG")
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        fh.write("BAD1,2024-02-30,export,,X,KG,,Y,KZ,,,KZ,,8542,ic,,,,1,USD,,,\n")
    out = tmp_path / "decisions.jsonl"
    result = ok(
        loaded,
        "declarations",
        "screen",
        str(data),
        "--output",
        str(out),
        "--random-rate",
        "0.01",
        "--seed",
        "1",
    )
    assert "Lanes" in result.stdout and "Top reasons" in result.stdout
    assert "physical inspection" in result.stdout
    decisions = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [d["declaration_id"] for d in decisions] == [r["declaration_id"] for r in rows]
    for d in decisions:
        assert set(d) == {"declaration_id", "lane", "score", "reasons", "parties"}
        assert d["lane"] in ("red", "yellow", "green", "blue")
        for r in d["reasons"]:
            assert set(r) == {"rule", "message", "evidence"}
    first = decisions[0]
    assert first["lane"] == "red"
    assert "TW-PARTY-001" in [r["rule"] for r in first["reasons"]]
    exporter = first["parties"][0]
    assert exporter["role"] == "exporter" and exporter["hits"][0]["source_id"] == "C1"
    assert any(r["rule"] == "TW-RANDOM-INSPECTION" for d in decisions for r in d["reasons"])
    rejects = [
        json.loads(line)
        for line in (tmp_path / "decisions.jsonl.rejects.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(rejects) == 1 and rejects[0]["row"] == 402
    assert {e["field"] for e in rejects[0]["errors"]} >= {"date", "hs_code"}
    with DuckStore(loaded) as st:
        ds = DeclarationStore.of(st)
        stored = ds.decisions()
        assert len(stored) == 400 and ds.history_count() == 400
    audit: dict[str, Any] = stored[0]
    # the audit names the version of each profile the run used (the shipped ones here)
    assert audit["profile_versions"] == {p.id: p.version for p in load_profiles()}
    assert set(audit["profile_versions"]) == {"tw-core", "tw-redflags"}
    assert list(audit["list_versions"]) == ["ftm"]
    assert audit["decision"] == decisions[0]
    # screening again appends to the audit record and does not duplicate history
    ok(loaded, "declarations", "screen", str(data), "--output", str(out))
    with DuckStore(loaded) as st:
        ds = DeclarationStore.of(st)
        assert len(ds.decisions()) == 800 and ds.history_count() == 400


def test_jsonl_input_and_missing_column(loaded: Path, tmp_path: Path) -> None:
    data = tmp_path / "decl.jsonl"
    ok(loaded, "declarations", "generate", "--n", "50", "--output", str(data))
    out = tmp_path / "d.jsonl"
    ok(loaded, "declarations", "screen", str(data), "--output", str(out))
    assert len(out.read_text("utf-8").splitlines()) == 50
    bad = tmp_path / "bad.csv"
    bad.write_text("declaration_id,date\nD1,2024-01-01\n", encoding="utf-8")
    result = run(loaded, "declarations", "screen", str(bad), "--output", str(out))
    assert result.exit_code == 2 and "required columns missing" in result.stderr


def test_cp1251_generated_file(loaded: Path, tmp_path: Path) -> None:
    data = tmp_path / "decl.csv"
    ok(
        loaded,
        "declarations",
        "generate",
        "--n",
        "30",
        "--output",
        str(data),
        "--encoding",
        "cp1251",
    )
    out = tmp_path / "d.jsonl"
    result = ok(loaded, "declarations", "screen", str(data), "--output", str(out))
    assert "cp1251" in result.stderr


DECL_HEADER = (
    "declaration_id,date,flow,exporter_name,exporter_country,consignee_name,consignee_country,"
    "destination_country,hs_code,description,quantity,unit,value,currency"
)


def test_user_control_list_and_drone_ban_start(loaded: Path, tmp_path: Path) -> None:
    """Issue 3: a user adds their own list without code, and the drone ban's start date is a
    parameter of the rule."""
    user_list = tmp_path / "licensing.yml"
    user_list.write_text(
        "id: kz_licensing\nname: Kazakh licensing list (test)\nversion: '1'\n"
        "valid_from: 2020-01-01\nsource: test fixture\ncodes:\n  - code: '8526'\n",
        encoding="utf-8",
    )
    data = tmp_path / "d.csv"
    data.write_text(
        DECL_HEADER + "\n"
        "A1,2024-03-01,export,Ordo Agro,KG,Some Buyer LLC,KZ,KZ,85269120,GNSS receiver,"
        "10,pcs,5000,USD\n"
        "A2,2023-06-01,export,Ordo Agro,KG,Agro Buyer LLC,KZ,KZ,880621,agricultural drone,"
        "2,pcs,9000,USD\n",
        encoding="utf-8",
    )

    def reasons(*extra: str) -> dict[str, set[str]]:
        out = tmp_path / "out.jsonl"
        ok(loaded, "declarations", "screen", str(data), "-o", str(out), *extra)
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        return {r["declaration_id"]: {x["rule"] for x in r["reasons"]} for r in rows}

    plain = reasons()
    assert "TW-LIST-001" not in plain["A1"]
    with_list = reasons("--control-list", str(user_list))
    assert "TW-LIST-001" in with_list["A1"]
    # The drone (HS 8806) was exported on 2023-06-01: banned only if the ban started earlier.
    assert "TW-BAN-001" in reasons("--drone-ban-start", "2023-01-01")["A2"]
    assert "TW-BAN-001" not in reasons("--drone-ban-start", "2023-12-01")["A2"]
    bad = run(
        loaded,
        "declarations",
        "screen",
        str(data),
        "-o",
        str(tmp_path / "x"),
        "--drone-ban-start",
        "June 2023",
    )
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_parquet_input(loaded: Path, tmp_path: Path) -> None:
    """Issue 3: declarations may come as Parquet; a bad row is still quarantined."""
    import duckdb

    csv_path = tmp_path / "d.csv"
    csv_path.write_text(
        DECL_HEADER + "\n"
        "P1,2024-03-01,export,Ordo Agro,KG,Profflab LLC,KG,RU,854231,микроконтроллеры,"
        "100,pcs,5000,USD\n"
        "P2,2024-13-01,export,Ordo Agro,KG,Buyer,KZ,KZ,847130,ноутбук,1,pcs,900,USD\n",
        encoding="utf-8",
    )
    parquet = tmp_path / "d.parquet"
    con = duckdb.connect()
    con.read_csv(str(csv_path), header=True, all_varchar=True).write_parquet(str(parquet))
    con.close()
    out = tmp_path / "out.jsonl"
    ok(loaded, "declarations", "screen", str(parquet), "-o", str(out))
    (decision,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert decision["declaration_id"] == "P1" and decision["lane"] == "red"
    rejects = (tmp_path / "out.jsonl.rejects.jsonl").read_text(encoding="utf-8")
    assert "P2" in rejects and "date" in rejects
