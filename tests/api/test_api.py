"""The HTTP API through FastAPI's TestClient, over a tmp store holding a tiny FtM list.

Also the `keys` commands through CliRunner, and that keys are stored hashed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import assert_error, make_key, ok, run
from fastapi.testclient import TestClient

from ftm_fixtures import ftm
from transitwatch.api import create_app
from transitwatch.lists.ftm import parse as parse_ftm
from transitwatch.store.keys import KeyStore

# -- meta ----------------------------------------------------------------------------------


def test_health_and_version(client: TestClient) -> None:
    health = client.get("/health").json()
    assert health == {"status": "ok", "lists_loaded": 1, "entities_indexed": 4}
    version = client.get("/version").json()
    assert version["name"] == "transitwatch" and version["version"]


def test_lists_names_versions(client: TestClient) -> None:
    body = client.get("/lists").json()
    assert list(body["current"]) == ["ftm"]
    assert body["current"]["ftm"].startswith("ftm-v1-")
    (version,) = body["versions"]
    assert version["entity_count"] == 4 and version["current"] is True


def test_openapi_describes_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/health", "/version", "/lists", "/screen", "/screen/batch", "/match/{dataset}"):
        assert path in paths


# -- screening -----------------------------------------------------------------------------


def test_screen_hit_with_explanation(client: TestClient) -> None:
    r = client.post("/screen", json={"name": "ОсОО Профлаб", "country": "KG"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"name", "threshold", "hits", "list_versions"}  # the CLI's JSON
    top = body["hits"][0]
    assert top["source_id"] == "C1" and top["schema"] == "organization"
    assert top["list_version"].startswith("ftm-v1-")
    assert any("name matches listed primary 'Profflab LLC'" in line for line in top["explanation"])
    assert body["list_versions"] == {"ftm": top["list_version"]}


def test_screen_is_logged_like_the_cli(client: TestClient) -> None:
    client.post("/screen", json={"name": "Profflab LLC"})
    state = client.app.state.service  # type: ignore[attr-defined]
    state.log.flush()
    with state.lock:
        logged = state.store.screenings()
    assert [s.query.name for s in logged] == ["Profflab LLC"]
    assert logged[0].hits[0]["source_id"] == "C1"


def test_screen_bad_country_is_422(client: TestClient) -> None:
    err = assert_error(client.post("/screen", json={"name": "X Y", "country": "KGZ"}), 422)
    assert err["code"] == "invalid_input" and "ISO 3166-1" in err["message"]


def test_batch_order_and_per_item_errors(client: TestClient) -> None:
    queries = [
        {"id": "a", "name": "Колбаев Камчыбек", "type": "person", "birth_date": "1974-08-03"},
        {"id": "b", "name": "", "type": "person"},
        {"id": "c", "name": "Nobody Atall Whatsoever"},
        {"id": "d", "name": "Profflab", "country": "Kyrgyzstan"},
        {"id": "e", "name": "Any name", "identifier": "7736303529"},
    ]
    r = client.post("/screen/batch", json={"queries": queries})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["id"] for x in results] == ["a", "b", "c", "d", "e"]
    assert [x["row"] for x in results] == [1, 2, 3, 4, 5]
    assert results[0]["hits"][0]["source_id"] == "P1" and results[0]["error"] is None
    assert results[1]["error"] == "the name is empty" and results[1]["hits"] == []
    assert results[2]["hits"] == [] and results[2]["error"] is None
    assert "ISO 3166-1" in results[3]["error"]
    assert results[4]["hits"][0]["source_id"] == "O1"


def test_batch_limit(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSITWATCH_MAX_BATCH", "3")
    with TestClient(create_app(db)) as c:
        r = c.post("/screen/batch", json={"queries": [{"name": "A B"}] * 4})
        err = assert_error(r, 413, "payload_too_large")
        assert "limit is 3" in err["message"]
        assert c.post("/screen/batch", json={"queries": [{"name": "A B"}] * 3}).status_code == 200


def test_body_over_the_size_limit_is_413(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSITWATCH_MAX_BODY_BYTES", "1000")
    with TestClient(create_app(db)) as c:
        big = {"name": "x" * 2000}
        assert_error(c.post("/screen", json=big), 413, "payload_too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"name": "'
            yield b"y" * 2000
            yield b'"}'

        r = c.post("/screen", content=chunks(), headers={"content-type": "application/json"})
        assert_error(r, 413, "payload_too_large")
        assert c.post("/screen", json={"name": "Profflab"}).status_code == 200


# -- yente-compatible /match ------------------------------------------------------------


def match_body() -> dict[str, Any]:
    return {
        "queries": {
            "q1": {
                "schema": "Person",
                "properties": {
                    "name": ["Колбаев Камчыбек Асанбек уулу"],
                    "birthDate": ["1974-08-03"],
                    "nationality": ["kg"],
                },
            },
            "q2": {
                "schema": "Company",
                "properties": {"name": "Some Trading", "innCode": ["7736303529"]},
            },
        }
    }


def test_match_yente_shape(client: TestClient) -> None:
    r = client.post("/match/default", json=match_body())
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"responses", "matcher", "limit"}
    q1 = body["responses"]["q1"]
    assert q1["status"] == 200
    assert q1["total"] == {"value": len(q1["results"]), "relation": "eq"}
    assert q1["query"]["schema"] == "Person"
    top = q1["results"][0]
    assert top["id"] == "P1" and top["schema"] == "Person"
    assert top["caption"] == "Kamchybek Asanbekovich KOLBAYEV"
    assert top["match"] is True and 0.0 <= top["score"] <= 1.0
    assert top["datasets"] == ["ftm"] and top["target"] is True
    assert "1974-08-03" in top["properties"]["birthDate"]
    assert top["features"]["name"] > 0 and top["explanation"]
    q2 = body["responses"]["q2"]["results"][0]
    assert q2["id"] == "O1" and q2["match"] is True and q2["features"]["identifier"] == 1.0
    assert r.headers["x-batch-size"] == "2"


def test_match_dataset_filter_and_unknown_dataset(client: TestClient) -> None:
    assert client.post("/match/ftm", json=match_body()).json()["responses"]["q1"]["results"]
    err = assert_error(client.post("/match/us_ofac_sdn", json=match_body()), 404, "not_found")
    assert "default" in err["message"] and "ftm" in err["message"]


def test_match_threshold_and_limit(client: TestClient) -> None:
    body = {"queries": {"q": {"schema": "LegalEntity", "properties": {"name": ["Profflab"]}}}}
    r = client.post("/match/default", params={"limit": 1, "threshold": 1.0}, json=body).json()
    assert r["limit"] == 1
    (only,) = r["responses"]["q"]["results"]
    assert only["match"] is (only["score"] >= 1.0)


def test_match_unknown_schema_is_422(client: TestClient) -> None:
    body = {"queries": {"q": {"schema": "Banana", "properties": {"name": ["X"]}}}}
    assert_error(client.post("/match/default", json=body), 422, "invalid_input")


# -- auth ------------------------------------------------------------------------------------


def test_reads_are_open_by_default(client: TestClient) -> None:
    assert client.post("/screen", json={"name": "Profflab"}).status_code == 200


def test_keys_required_for_reads(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSITWATCH_API_KEYS_REQUIRED", "true")
    _, secret = make_key(db)
    revoked_id, revoked = make_key(db)
    with KeyStore(db) as keys:
        keys.revoke(revoked_id)
    with TestClient(create_app(db)) as c:
        assert_error(c.post("/screen", json={"name": "Profflab"}), 401, "unauthorized")
        assert_error(c.get("/lists"), 401, "unauthorized")
        r = c.post("/screen", json={"name": "Profflab"}, headers={"X-API-Key": revoked})
        assert_error(r, 401, "unauthorized")
        r = c.post("/screen", json={"name": "Profflab"}, headers={"X-API-Key": secret + "x"})
        assert_error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"]
        r = c.post("/screen", json={"name": "Profflab"}, headers={"X-API-Key": secret})
        assert r.status_code == 200
        bearer = {"Authorization": f"Bearer {secret}"}
        assert c.get("/lists", headers=bearer).status_code == 200
        assert c.get("/health").status_code == 200  # monitoring stays open


def test_writes_need_a_role(client: TestClient, db: Path) -> None:
    _, analyst = make_key(db, "analyst")
    _, supervisor = make_key(db, "supervisor")
    assert_error(client.post("/lists/reload"), 401, "unauthorized")
    assert client.post("/lists/reload", headers={"X-API-Key": analyst}).status_code == 200
    assert_error(client.get("/keys", headers={"X-API-Key": analyst}), 403, "forbidden")
    made = client.post("/keys", json={"role": "analyst"}, headers={"X-API-Key": supervisor})
    assert made.status_code == 201 and made.json()["key"].startswith("tw_")
    new_id, new_key = made.json()["key_id"], made.json()["key"]
    assert client.get("/lists", headers={"X-API-Key": new_key}).status_code == 200
    r = client.post(f"/keys/{new_id}/revoke", headers={"X-API-Key": supervisor})
    assert r.json()["revoked_at"]
    assert_error(client.get("/lists", headers={"X-API-Key": new_key}), 401, "unauthorized")


# -- the one error shape -------------------------------------------------------------------


FAILING = [
    ("post", "/screen", {"json": {"country": "KG"}}, 422),  # no name
    (
        "post",
        "/screen",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        422,
    ),
    ("post", "/screen", {"json": {"name": "ООО"}}, 422),  # only a legal form
    ("post", "/screen", {"json": {"name": "A", "threshold": 2}}, 422),
    ("post", "/screen", {"json": {"name": "A", "color": "red"}}, 422),  # unknown field
    ("get", "/screen", {}, 405),
    ("get", "/nowhere", {}, 404),
    ("post", "/screen/batch", {"json": {"queries": "nope"}}, 422),
    ("post", "/match/default", {"json": {"queries": {}}}, 422),
    ("post", "/match/nonexistent", {"json": match_body()}, 404),
    ("post", "/keys/abc/revoke", {}, 401),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), FAILING)
def test_every_error_has_one_shape(
    client: TestClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    assert_error(getattr(client, method)(path, **kwargs), status)


def test_unexpected_error_is_500_without_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = client.app.state.service  # type: ignore[attr-defined]

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(state.current.screener, "screen", boom)
    err = assert_error(client.post("/screen", json={"name": "Profflab"}), 500, "internal_error")
    assert "secret internals" not in err["message"]


def test_no_lists_loaded_is_503(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "empty.duckdb")) as c:
        assert c.get("/health").json()["status"] == "no_lists_loaded"
        assert_error(c.post("/screen", json={"name": "Profflab"}), 503, "no_lists_loaded")


def test_screener_rebuilt_when_versions_change(db: Path, tmp_path: Path) -> None:
    with TestClient(create_app(db)) as c:
        state = c.app.state.service  # type: ignore[attr-defined]
        state.check_interval = 0.0
        extra = tmp_path / "more.ftm.json"
        extra.write_text(json.dumps(ftm("N1", "Company", "Zarya Novaya LLC")) + "\n", "utf-8")
        with state.lock:
            state.store.save_list(parse_ftm([extra]))
        hits = c.post("/screen", json={"name": "Zarya Novaya"}).json()["hits"]
        assert [h["source_id"] for h in hits] == ["N1"]
        assert c.get("/health").json()["entities_indexed"] == 1


# -- keys CLI and storage --------------------------------------------------------------------


def test_keys_cli_create_list_revoke(db: Path) -> None:
    created = json.loads(ok(db, "keys", "create", "--role", "supervisor", "--json").stdout)
    assert created["key"].startswith("tw_") and created["role"] == "supervisor"
    plain = ok(db, "keys", "create", "--role", "analyst", "--label", "bank A")
    assert plain.stdout.strip().startswith("tw_")
    listed = [json.loads(line) for line in ok(db, "keys", "list", "--json").stdout.splitlines()]
    assert {k["role"] for k in listed} == {"supervisor", "analyst"}
    assert all("key" not in k for k in listed)
    assert "bank A" in ok(db, "keys", "list").stdout
    ok(db, "keys", "revoke", created["key_id"])
    listed = [json.loads(line) for line in ok(db, "keys", "list", "--json").stdout.splitlines()]
    assert [k["revoked_at"] is not None for k in listed].count(True) == 1
    bad = run(db, "keys", "create", "--role", "admin")
    assert bad.exit_code == 2 and "analyst, supervisor" in bad.stderr
    missing = run(db, "keys", "revoke", "nope")
    assert missing.exit_code == 3 and "no API key" in missing.stderr


def test_keys_are_stored_hashed(db: Path) -> None:
    with KeyStore(db) as keys:
        _, secret = keys.create("analyst")
        assert keys.verify(secret) is not None
        assert keys.verify(secret[:-1]) is None
        assert keys.verify("garbage") is None
    for file in db.parent.iterdir():  # the store and any write-ahead log
        raw = file.read_bytes()
        assert secret.encode() not in raw
        assert secret.split("_", 2)[2].encode() not in raw
