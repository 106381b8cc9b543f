"""`POST /declarations/screen` through TestClient: JSON body and file upload."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_api import ENTITIES, ENV, assert_error, make_key, ok

from transitwatch.api import create_app
from transitwatch.cli.main import app as main_app
from transitwatch.declarations.generate import HEADER, generate
from transitwatch.store.declarations import DeclarationStore


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store" / "tw.duckdb"
    lst = tmp_path / "list.ftm.json"
    lst.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in ENTITIES), "utf-8")
    ok(path, "lists", "load", "ftm", str(lst), app=main_app)
    return path


@pytest.fixture
def analyst(db: Path) -> dict[str, str]:
    return {"X-API-Key": make_key(db, "analyst")[1]}


@pytest.fixture
def client(db: Path, analyst: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as c:
        yield c


def rows(n: int = 60) -> list[dict[str, Any]]:
    out = [dict(r) for r in generate(n, 3, 0.2)]
    out[0].update(exporter_name="ОсОО «Профлаб»", exporter_country="KG")
    return out


BAD = {"declaration_id": "BAD1", "date": "2024-02-30", "flow": "export", "hs_code": "8542"}


def test_json_body_decisions_in_order_with_rejects_and_cases(
    client: TestClient, analyst: dict[str, str]
) -> None:
    data = rows()
    body = {"declarations": [*data, BAD], "red_rate": 0.1, "seed": 1}
    r = client.post("/declarations/screen", json=body, headers=analyst)
    assert r.status_code == 200, r.text
    out = r.json()
    ids = [d["declaration_id"] for d in out["decisions"]]
    assert ids == [d["declaration_id"] for d in data]
    assert [d["row"] for d in out["decisions"]] == list(range(1, len(data) + 1))
    (reject,) = out["rejects"]
    assert reject["row"] == len(data) + 1 and reject["declaration_id"] == "BAD1"
    assert {e["field"] for e in reject["errors"]} >= {"date"}
    first = out["decisions"][0]
    assert first["lane"] == "red" and "TW-PARTY-001" in [x["rule"] for x in first["reasons"]]
    assert out["summary"]["screened"] == len(data) and out["summary"]["rejected"] == 1
    assert sum(out["summary"]["lanes"].values()) == len(data)
    for d in out["decisions"]:
        assert (d["case_id"] is not None) == (d["lane"] in ("red", "yellow"))
    case = client.get(f"/cases/{first['case_id']}").json()
    assert case["kind"] == "declaration" and case["declaration_id"] == first["declaration_id"]
    assert case["lane"] == "red" and "TW-PARTY-001" in case["reasons"]
    assert case["run_id"] == out["run_id"]
    # the audit record, as the CLI writes it
    state = client.app.state.service  # type: ignore[attr-defined]
    with state.lock:
        stored = DeclarationStore.of(state.store).decisions(out["run_id"])
    assert len(stored) == len(data) and stored[0]["source_file"] == "api:json"
    # again: appended to the audit record; cases are not duplicated
    again = client.post("/declarations/screen", json=body, headers=analyst).json()
    assert again["run_id"] != out["run_id"]
    assert again["decisions"][0]["case_id"] == first["case_id"]


def csv_bytes(data: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(HEADER))
    writer.writeheader()
    writer.writerows(data)
    return buf.getvalue().encode("utf-8")


def test_file_upload_csv_and_jsonl(client: TestClient, analyst: dict[str, str]) -> None:
    data = rows(40)
    raw = csv_bytes(data) + b"BAD1,2024-02-30,export,,X,KG,,Y,KZ,,,KZ,,8542,ic,,,,1,USD,,,,\n"
    files = {"file": ("decl.csv", raw, "text/csv")}
    r = client.post("/declarations/screen", files=files, data={"seed": "2"}, headers=analyst)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [d["declaration_id"] for d in out["decisions"]] == [d["declaration_id"] for d in data]
    assert out["summary"]["format"] == "csv" and len(out["rejects"]) == 1
    assert out["rejects"][0]["row"] == len(data) + 2  # CSV: the header is line 1
    lines = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in data[:10]).encode()
    files = {"file": ("decl.jsonl", lines, "application/x-ndjson")}
    r = client.post("/declarations/screen", files=files, headers=analyst)
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["format"] == "jsonl"
    assert [d["row"] for d in r.json()["decisions"]] == list(range(1, 11))


def test_errors_and_auth(client: TestClient, analyst: dict[str, str]) -> None:
    body = {"declarations": rows(5)}
    assert_error(client.post("/declarations/screen", json=body), 401, "unauthorized")
    bad_rate = {**body, "red_rate": 2}
    assert_error(
        client.post("/declarations/screen", json=bad_rate, headers=analyst), 422, "validation_error"
    )
    assert_error(
        client.post("/declarations/screen", json={"declarations": "x"}, headers=analyst), 422
    )
    r = client.post(
        "/declarations/screen", content=b"x", headers={**analyst, "content-type": "text/plain"}
    )
    assert_error(r, 422, "invalid_input")
    r = client.post("/declarations/screen", data={"seed": "1"}, files={"other": ("a", b"b")},
                    headers=analyst)  # fmt: skip
    assert_error(r, 422, "invalid_input")
    files = {"file": ("d.csv", b"declaration_id,date\n1,2024-01-01\n", "text/csv")}
    err = assert_error(client.post("/declarations/screen", files=files, headers=analyst), 422)
    assert "required columns missing" in err["message"]
