"""`POST /declarations/screen` through TestClient: JSON body and file upload."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import assert_error, make_key
from fastapi.testclient import TestClient

from transitwatch.api import create_app
from transitwatch.declarations.generate import HEADER, generate
from transitwatch.store.declarations import DeclarationStore


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


ROOT = Path(__file__).resolve().parents[2]
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


# -- the CLI's options (issue 5: parity with `transitwatch declarations screen`) ---------------

BASE = {
    "date": "2024-03-01",
    "flow": "export",
    "exporter_name": "Ordo Agro",
    "exporter_country": "KG",
    "consignee_name": "Some Buyer LLC",
    "consignee_country": "KZ",
    "destination_country": "KZ",
    "quantity": "10",
    "unit": "pcs",
    "currency": "USD",
}
GNSS = {**BASE, "declaration_id": "A1", "hs_code": "85269120", "description": "GNSS receiver",
        "value": "5000"}  # fmt: skip
DRONE = {**BASE, "declaration_id": "A2", "date": "2023-06-01", "hs_code": "880621",
         "description": "agricultural drone", "quantity": "2", "value": "9000"}  # fmt: skip
LICENSING_YAML = (
    "id: kz_licensing\nname: Kazakh licensing list (test)\nversion: '1'\n"
    "valid_from: 2020-01-01\nsource: test fixture\ncodes:\n  - code: '8526'\n"
)
LICENSING_CSV = (
    "id,name,version,valid_from,valid_to,source,code,category\n"
    "kz_csv,Kazakh licensing (CSV),2,2020-01-01,,test fixture,8526,radio navigation\n"
)
PROFILE = """id: my-rules
version: "7"
title: GNSS receivers go red
rules:
  - id: MY-GNSS-001
    message: "GNSS receiver under HS {hs6}"
    force_lane: red
    weight: 10
    conditions:
      hs6: {prefix: ["8526"]}
"""


def screen(client: TestClient, headers: dict[str, str], rows: list[dict[str, Any]],
           **options: Any) -> Any:  # fmt: skip
    return client.post("/declarations/screen", json={"declarations": rows, **options},
                       headers=headers)  # fmt: skip


def rules_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.text
    return {
        d["declaration_id"]: [r["rule"] for r in d["reasons"]] for d in response.json()["decisions"]
    }


def run_count(client: TestClient) -> int:
    return int(client.get("/declarations/runs").json()["count"])


def test_threshold_option(client: TestClient, analyst: dict[str, str]) -> None:
    row = {**GNSS, "exporter_name": "ОсОО «Профлаб»"}
    assert "TW-PARTY-001" in rules_of(screen(client, analyst, [row]))["A1"]
    assert "TW-PARTY-001" not in rules_of(screen(client, analyst, [row], threshold=1.0))["A1"]
    assert_error(screen(client, analyst, [row], threshold=1.5), 422, "validation_error")


def test_min_count_option(client: TestClient, analyst: dict[str, str]) -> None:
    """Unit-value bands need min_count earlier declarations of the HS code and unit."""
    past = [
        {**BASE, "declaration_id": f"H{i}", "date": f"2023-06-{i % 28 + 1:02d}",
         "hs_code": "847130", "description": "ноутбук", "value": str(900 + i)}
        for i in range(30)
    ]  # fmt: skip
    assert screen(client, analyst, past).status_code == 200  # now in the history
    odd = [{**BASE, "declaration_id": "O1", "hs_code": "847130", "description": "ноутбук",
            "value": "90000"}]  # fmt: skip
    assert "TW-VALUE-001" in rules_of(screen(client, analyst, odd, min_count=20))["O1"]
    assert "TW-VALUE-001" not in rules_of(screen(client, analyst, odd, min_count=31))["O1"]
    assert_error(screen(client, analyst, odd, min_count=0), 422, "validation_error")


def test_random_rate_and_seed(client: TestClient, analyst: dict[str, str]) -> None:
    data = rows(80)

    def drawn(seed: int) -> set[str]:
        r = screen(client, analyst, data, random_rate=0.3, seed=seed)
        assert r.status_code == 200, r.text
        return {d["declaration_id"] for d in r.json()["decisions"] if d["random"]}

    first = drawn(1)
    assert len(first) >= 0.25 * len(data)
    assert drawn(1) == first and drawn(2) != first  # reproducible with a seed
    none = screen(client, analyst, data, random_rate=0.0, red_rate=0.0, yellow_rate=0.0)
    assert not any(d["random"] for d in none.json()["decisions"])


def test_drone_ban_start_option(client: TestClient, analyst: dict[str, str]) -> None:
    """The drone (HS 8806) left on 2023-06-01: banned only if the ban started earlier."""
    early = screen(client, analyst, [DRONE], drone_ban_start="2023-01-01")
    assert "TW-BAN-001" in rules_of(early)["A2"]
    assert (
        "TW-BAN-001"
        not in rules_of(screen(client, analyst, [DRONE], drone_ban_start="2023-12-01"))["A2"]
    )
    files = {"file": ("d.csv", csv_bytes([DRONE]), "text/csv")}
    r = client.post("/declarations/screen", files=files, data={"drone_ban_start": "2023-01-01"},
                    headers=analyst)  # fmt: skip
    assert "TW-BAN-001" in rules_of(r)["A2"]
    err = assert_error(screen(client, analyst, [DRONE], drone_ban_start="June 2023"), 422)
    assert err["code"] == "validation_error" and "drone_ban_start" in err["message"]


def test_uploaded_control_lists(client: TestClient, analyst: dict[str, str]) -> None:
    assert "TW-LIST-001" not in rules_of(screen(client, analyst, [GNSS]))["A1"]
    r = screen(
        client, analyst, [GNSS], control_lists=[{"name": "lic.yml", "content": LICENSING_YAML}]
    )
    assert "TW-LIST-001" in rules_of(r)["A1"]
    assert r.json()["control_lists"]["kz_licensing"] == "1"
    # as files in a multipart upload: a CSV list and a YAML one
    files = [
        ("file", ("d.csv", csv_bytes([GNSS]), "text/csv")),
        ("control_list", ("licensing.csv", LICENSING_CSV.encode(), "text/csv")),
        ("control_list", ("other.yaml", LICENSING_YAML.encode(), "application/yaml")),
    ]
    r = client.post("/declarations/screen", files=files, headers=analyst)
    assert "TW-LIST-001" in rules_of(r)["A1"]
    assert {"kz_csv", "kz_licensing"} <= set(r.json()["control_lists"])
    reason = next(x for x in r.json()["decisions"][0]["reasons"] if x["rule"] == "TW-LIST-001")
    assert set(reason["evidence"]["user_control_lists"]) == {"kz_csv", "kz_licensing"}


@pytest.mark.parametrize(
    ("content", "name", "wanted"),
    [
        (LICENSING_YAML.replace("codes:\n  - code: '8526'\n", "codes_file: /etc/passwd\n"),
         "x.yml", "codes_file"),
        ("id: a\nname: &n x\nversion: *n\n", "x.yml", "aliases"),
        ("- just\n- a list\n", "x.yml", "mapping"),
        ("id: [unclosed\n", "x.yml", "not valid YAML"),
        (LICENSING_YAML.replace("kz_licensing", "chpl"), "x.yml", "loaded twice"),
        (LICENSING_YAML.replace("'8526'", "'85x6'"), "x.yml", "x.yml"),
        ("id,name,version,valid_from,source,code\nk,K,1,2020-01-01,s,8526\n", "x.csv", "valid_to"),
        ("[" * 5000 + "]" * 5000, "x.yml", "x.yml"),
    ],
)  # fmt: skip
def test_uploaded_control_list_mistakes(
    client: TestClient, analyst: dict[str, str], content: str, name: str, wanted: str
) -> None:
    before = run_count(client)
    r = screen(client, analyst, [GNSS], control_lists=[{"name": name, "content": content}])
    err = assert_error(r, 422)
    assert err["code"] in ("parse_error", "invalid_input") and wanted in err["message"]
    assert "root:" not in err["message"]  # nothing of a server file comes back
    assert run_count(client) == before  # nothing screened, nothing recorded


def test_uploaded_documents_are_size_limited(client: TestClient, analyst: dict[str, str]) -> None:
    big = LICENSING_YAML + "#" * (256 * 1024)
    assert_error(screen(client, analyst, [GNSS], control_lists=[{"content": big}]), 422,
                 "validation_error")  # fmt: skip
    assert_error(screen(client, analyst, [GNSS], profiles=[big]), 422, "validation_error")
    many = [{"name": f"l{i}.yml", "content": LICENSING_YAML} for i in range(11)]
    assert_error(screen(client, analyst, [GNSS], control_lists=many), 422, "validation_error")
    files = [("file", ("d.csv", csv_bytes([GNSS]), "text/csv")),
             ("control_list", ("big.yml", big.encode(), "application/yaml"))]  # fmt: skip
    r = client.post("/declarations/screen", files=files, headers=analyst)
    assert "256 KiB" in assert_error(r, 413, "payload_too_large")["message"]
    files = [("file", ("d.csv", csv_bytes([GNSS]), "text/csv"))] + [
        ("profile", (f"p{i}.yml", PROFILE.encode(), "application/yaml")) for i in range(11)
    ]
    assert_error(client.post("/declarations/screen", files=files, headers=analyst), 422,
                 "invalid_input")  # fmt: skip
    files = [("file", ("d.csv", csv_bytes([GNSS]), "text/csv")),
             ("seed", ("seed.txt", b"1", "text/plain"))]  # fmt: skip
    assert_error(client.post("/declarations/screen", files=files, headers=analyst), 422,
                 "invalid_input")  # fmt: skip


def test_uploaded_profile_replaces_the_shipped_ones(
    client: TestClient, analyst: dict[str, str]
) -> None:
    r = screen(client, analyst, [GNSS, DRONE], profiles=[PROFILE])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["profile_versions"] == {"my-rules": "7"}
    by_id = {d["declaration_id"]: d for d in out["decisions"]}
    assert by_id["A1"]["lane"] == "red"
    assert [x["rule"] for x in by_id["A1"]["reasons"]] == ["MY-GNSS-001"]
    assert by_id["A1"]["reasons"][0]["message"] == "GNSS receiver under HS 852691"
    assert "TW-BAN-001" not in [x["rule"] for x in by_id["A2"]["reasons"]]  # not shipped now
    state = client.app.state.service  # type: ignore[attr-defined]
    with state.lock:
        stored = DeclarationStore.of(state.store).decisions(out["run_id"])
    assert stored[0]["profile_versions"] == {"my-rules": "7"}  # the audit names it
    files = [("file", ("d.csv", csv_bytes([GNSS]), "text/csv")),
             ("profile", ("mine.yml", PROFILE.encode(), "application/yaml"))]  # fmt: skip
    r = client.post("/declarations/screen", files=files, data={"seed": "3"}, headers=analyst)
    assert rules_of(r)["A1"] == ["MY-GNSS-001"] and r.json()["profile_versions"] == {
        "my-rules": "7"
    }


@pytest.mark.parametrize(
    ("profiles", "wanted"),
    [
        (["id: p\nversion: 1\n"], "rules: required"),
        (["rules: [unclosed\n"], "not valid YAML"),
        ([PROFILE.replace("hs6:", "no_such_fact:")], "no_such_fact"),
        ([PROFILE, PROFILE.replace("my-rules", "other")], "also in profile"),
        (["a: &a [1, 1]\nb: &b [*a, *a]\nc: [*b, *b]\n"], "aliases"),
    ],
)
def test_uploaded_profile_mistakes(
    client: TestClient, analyst: dict[str, str], profiles: list[str], wanted: str
) -> None:
    before = run_count(client)
    err = assert_error(screen(client, analyst, [GNSS], profiles=profiles), 422, "profile_error")
    assert wanted in err["message"] and re.match(r"profile-\d: ", err["message"])
    assert run_count(client) == before


def test_hs_nomenclature_option(
    client: TestClient, analyst: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = Path(os.environ.get("TRANSITWATCH_DATA") or ROOT.parent / "shared" / "data")
    mismatch = {**BASE, "declaration_id": "M1", "hs_code": "940360",
                "description": "микроконтроллеры STM32", "value": "500"}  # fmt: skip

    def described(**options: Any) -> Any:
        r = screen(client, analyst, [mismatch], **options)
        assert r.status_code == 200, r.text
        (reason,) = [
            x for x in r.json()["decisions"][0]["reasons"] if x["rule"] == "TW-MISMATCH-001"
        ]
        return reason["evidence"]["description_mismatch_kinds_detail"][0]["evidence"].get(
            "hs_description"
        )

    assert described() is None
    monkeypatch.setenv("TRANSITWATCH_DATA", str(tmp_path))  # a data folder without HS files
    err = assert_error(screen(client, analyst, [mismatch], hs_nomenclature=True), 422)
    assert "no HS nomenclature" in err["message"] and str(tmp_path) not in err["message"]
    if not (staged / "hs_nomenclature").is_dir():
        pytest.skip("the staged HS nomenclature (../shared/data/hs_nomenclature) is absent")
    monkeypatch.setenv("TRANSITWATCH_DATA", str(staged))
    assert described(hs_nomenclature=True).startswith("Furniture")
