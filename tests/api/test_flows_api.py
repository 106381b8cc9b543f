"""`GET /flows/...` on a small ``trade_flows`` table built in the store file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from api_support import assert_error, listed_store
from fastapi.testclient import TestClient

from transitwatch.api import create_app
from transitwatch.store.flows import FlowStore


def row(
    source: str, reporter: str, partner: str, flow: str, year: int, usd: float, product: str
) -> list[Any]:
    level = 0 if product == "TOTAL" else len(product)
    return [
        source, f"{source}.csv", "v1", reporter, partner, flow, "A", year, None, product, level,
        None, usd, "USD", usd, None, None, None, partner in {"EU27", "WORLD"},
    ]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = listed_store(tmp_path)
    FlowStore(path).close()  # the tables
    con = duckdb.connect(str(path))
    data = []
    for year, value in [(2019, 100.0), (2020, 200.0), (2021, 300.0), (2022, 600.0), (2023, 900)]:
        data.append(row("kg_nsc", "KG", "RU", "export", year, value, "TOTAL"))
        data.append(row("kg_nsc", "KG", "RU", "export", year, value / 10, "854231"))
        data.append(row("kg_nsc", "KG", "EU27", "import", year, value / 5, "854231"))
        data.append(row("ru_fts", "RU", "KG", "import", year, value * 1.2, "TOTAL"))
    data.append(row("kg_nsc", "KG", "RU", "export", 2023, 50.0, "847130"))
    data.append(row("kg_nsc", "KG", "RU", "export", 2019, 5.0, "010121"))
    con.executemany(f"INSERT INTO trade_flows VALUES ({', '.join('?' * 19)})", data)
    con.close()
    return path


def test_growth(client: TestClient) -> None:
    r = client.get("/flows/growth", params={"reporter": "KG", "partner": "RU", "product": "TOTAL"})
    assert r.status_code == 200, r.text
    by_year = {x["year"]: x for x in r.json()}
    assert by_year[2022]["yoy"] == pytest.approx(1.0)
    assert by_year[2022]["baseline_usd"] == pytest.approx(200.0)
    assert by_year[2022]["vs_baseline"] == pytest.approx(2.0)
    two = client.get("/flows/growth", params=[("reporter", "KG,RU"), ("baseline", "2021")])
    assert {x["reporter"] for x in two.json()} == {"KG", "RU"}


def test_mirror_zero_reexport_hotspots_chpl(client: TestClient) -> None:
    mirror = client.get("/flows/mirror", params={"exporter": "kg", "importer": "RU"}).json()
    m2022 = next(x for x in mirror if x["year"] == 2022)
    assert m2022["export_usd"] == 600.0 and m2022["import_cif_usd"] == pytest.approx(720.0)
    zero = client.get("/flows/zero", params={"reporter": "KG"}).json()
    assert [x["product"] for x in zero] == ["847130"]
    sigs = client.get(
        "/flows/reexport", params={"transit": "KG", "product": "854231", "annual": True}
    ).json()
    assert sigs and sigs[0]["transit"] == "KG" and sigs[0]["points"]
    hot = client.get("/flows/hotspots", params={"transit": "KG", "limit": 5})
    assert hot.status_code == 200 and isinstance(hot.json(), list)
    chpl = client.get("/flows/chpl", params={"reporter": "KG", "partner": "RU"})
    assert chpl.status_code == 200 and isinstance(chpl.json(), list)


def test_report_is_html(client: TestClient) -> None:
    r = client.get("/flows/report", params={"transit": "KG"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text.lower()


def test_errors(client: TestClient, tmp_path: Path) -> None:
    assert_error(client.get("/flows/growth", params={"baseline": "19"}), 422, "invalid_input")
    assert_error(client.get("/flows/mirror", params={"exporter": "KG"}), 422, "validation_error")
    assert_error(client.get("/flows/zero", params={"level": 3}), 422, "invalid_input")
    bare = tmp_path / "bare.duckdb"
    with TestClient(create_app(bare), raise_server_exceptions=False) as c:
        assert_error(c.get("/flows/growth"), 404, "not_found")


def test_keys_required(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSITWATCH_API_KEYS_REQUIRED", "true")
    with TestClient(create_app(db)) as c:
        assert_error(c.get("/flows/growth"), 401, "unauthorized")
