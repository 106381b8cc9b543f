"""Cases through the HTTP API: opened from screening hits, decided, audited, remembered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import assert_error, make_key
from fastapi.testclient import TestClient

from transitwatch.api import create_app
from transitwatch.cases.model import check_transition, name_key, required_role
from transitwatch.errors import InputError
from transitwatch.store.cases import CaseStore


@pytest.fixture
def keys(db: Path) -> dict[str, dict[str, str]]:
    _, analyst = make_key(db, "analyst")
    _, supervisor = make_key(db, "supervisor")
    return {"analyst": {"X-API-Key": analyst}, "supervisor": {"X-API-Key": supervisor}}


@pytest.fixture
def client(db: Path, keys: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as c:
        yield c


def top_hit(client: TestClient, name: str = "ОсОО Профлаб") -> dict[str, Any]:
    r = client.post("/screen", json={"name": name, "country": "KG"})
    assert r.status_code == 200, r.text
    hit: dict[str, Any] = r.json()["hits"][0]
    return hit


def decide(
    client: TestClient, case_id: str, headers: dict[str, str], action: str, note: str | None = None
) -> Any:
    return client.post(
        f"/cases/{case_id}/decisions", json={"action": action, "note": note}, headers=headers
    )


# -- the pure core -------------------------------------------------------------------------


def test_transitions_core() -> None:
    assert check_transition("open", "confirm", None) == "confirmed"
    assert check_transition("open", "escalate", None) == "escalated"
    with pytest.raises(InputError, match="note is required"):
        check_transition("open", "dismiss", "  ")
    with pytest.raises(InputError, match="already confirmed"):
        check_transition("confirmed", "confirm", None)
    with pytest.raises(InputError, match="nothing to reopen"):
        check_transition("open", "reopen", "why")
    assert required_role("open", "dismiss") == "analyst"
    assert required_role("escalated", "confirm") == "supervisor"
    assert required_role("dismissed", "confirm") == "supervisor"
    assert name_key("ОсОО Профлаб") == name_key("Profflab")


# -- opening cases -------------------------------------------------------------------------


def test_screen_hit_opens_one_case_per_name_and_entity(client: TestClient) -> None:
    hit = top_hit(client)
    assert hit["source_id"] == "C1" and hit["case_id"].startswith("case_")
    assert hit["case_status"] == "open" and hit["previously_dismissed"] is None
    again = top_hit(client, "Profflab")  # same normalised name, same entity: same case
    assert again["case_id"] == hit["case_id"]
    listed = client.get("/cases", params={"kind": "party_hit"}).json()
    assert hit["case_id"] in {c["case_id"] for c in listed["cases"]}
    case = client.get(f"/cases/{hit['case_id']}").json()
    assert case["source"] == "ftm" and case["source_id"] == "C1" and case["status"] == "open"
    assert case["history"] == [] and case["name_key"] == name_key("ОсОО Профлаб")


def test_low_hits_open_no_case_and_batch_carries_cases(client: TestClient) -> None:
    r = client.post("/screen", json={"name": "Profflab Design", "threshold": 0.0, "limit": 10})
    hits = r.json()["hits"]
    cut = client.app.state.service.config.threshold  # type: ignore[attr-defined]
    assert any(h["score"] < cut for h in hits)
    assert all((h["case_id"] is None) == (h["score"] < cut) for h in hits)
    batch = client.post("/screen/batch", json={"queries": [{"id": "a", "name": "Profflab LLC"}]})
    (item,) = batch.json()["results"]
    assert item["hits"][0]["case_id"] == top_hit(client)["case_id"]
    state = client.app.state.service  # type: ignore[attr-defined]
    state.log.flush()
    with state.lock:
        logged = state.store.screenings()
    assert all("case_id" not in h for s in logged for h in s.hits)  # the log is unchanged


# -- deciding ------------------------------------------------------------------------------


def test_each_action_and_append_only_trail(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    case_id = top_hit(client)["case_id"]
    r = decide(client, case_id, keys["analyst"], "escalate", "not sure, same INN?")
    assert r.status_code == 201, r.text
    assert r.json()["case"]["status"] == "escalated"
    assert r.json()["decision"]["actor_role"] == "analyst"
    assert_error(decide(client, case_id, keys["analyst"], "confirm"), 403, "forbidden")
    r = decide(client, case_id, keys["supervisor"], "confirm", "same entity")
    assert r.status_code == 201 and r.json()["case"]["status"] == "confirmed"
    r = decide(client, case_id, keys["supervisor"], "reopen", "new information")
    assert r.json()["case"]["status"] == "open"
    r = decide(client, case_id, keys["analyst"], "dismiss", "different company, other INN")
    assert r.json()["case"]["status"] == "dismissed"
    case = client.get(f"/cases/{case_id}").json()
    assert [d["action"] for d in case["history"]] == ["escalate", "confirm", "reopen", "dismiss"]
    assert [d["seq"] for d in case["history"]] == [1, 2, 3, 4]
    assert [d["from_status"] for d in case["history"]] == ["open", "escalated", "confirmed", "open"]
    assert case["status"] == "dismissed" and case["decisions"] == 4
    assert all(d["actor"] and d["at"] and d["actor_label"] == "test" for d in case["history"])
    dismissed = client.get("/cases", params={"status": "dismissed"}).json()["cases"]
    assert [c["case_id"] for c in dismissed] == [case_id]
    still_open = client.get("/cases", params={"status": "open", "limit": 5}).json()["cases"]
    assert case_id not in {c["case_id"] for c in still_open}


def test_two_decisions_two_rows_status_is_latest(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    case_id = top_hit(client)["case_id"]
    decide(client, case_id, keys["analyst"], "confirm", "first")
    decide(client, case_id, keys["supervisor"], "dismiss", "overruled: other entity")
    state = client.app.state.service  # type: ignore[attr-defined]
    with state.lock:
        store = CaseStore.of(state.store)
        rows = store.decisions(case_id)
        raw = state.store._con.execute(
            "SELECT count(*) FROM case_decisions WHERE case_id = ?", [case_id]
        ).fetchone()
    assert [d.action for d in rows] == ["confirm", "dismiss"] and raw == (2,)
    assert client.get(f"/cases/{case_id}").json()["status"] == "dismissed"


def test_dismissal_is_remembered_on_the_next_screening(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    case_id = top_hit(client)["case_id"]
    decide(client, case_id, keys["analyst"], "dismiss", "a bakery in Osh, not the listed firm")
    hit = top_hit(client, "OsOO Profflab")
    assert hit["case_id"] == case_id and hit["case_status"] == "dismissed"
    memory = hit["previously_dismissed"]
    assert memory["note"] == "a bakery in Osh, not the listed firm"
    assert memory["by"] == "test" and memory["at"] and memory["case_id"] == case_id
    state = client.app.state.service  # type: ignore[attr-defined]
    with state.lock:
        found = CaseStore.of(state.store).remembered_dismissals(name_key("Profflab"), "ftm", "C1")
    assert found is not None and found.note == memory["note"]
    other = client.post("/screen", json={"name": "PROFFLAB", "type": "vessel"}).json()["hits"]
    assert all(h["previously_dismissed"] is None for h in other if h["source_id"] == "V1")
    decide(client, case_id, keys["supervisor"], "reopen", "checked again")
    assert top_hit(client)["previously_dismissed"] is None  # reopened: forgotten


# -- errors --------------------------------------------------------------------------------


def test_invalid_transitions_and_auth(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    case_id = top_hit(client)["case_id"]
    assert_error(decide(client, case_id, {}, "confirm"), 401, "unauthorized")
    bad = {"X-API-Key": "tw_000000000000_nope"}
    assert_error(decide(client, case_id, bad, "confirm"), 401, "unauthorized")
    err = assert_error(decide(client, case_id, keys["analyst"], "dismiss"), 422)
    assert err["code"] == "invalid_transition" and "note" in err["message"]
    assert_error(decide(client, case_id, keys["analyst"], "reopen", "x"), 403, "forbidden")
    assert_error(decide(client, case_id, keys["analyst"], "approve"), 422, "validation_error")
    assert_error(decide(client, "case_nope", keys["analyst"], "confirm"), 404, "not_found")
    assert_error(client.get("/cases/case_nope"), 404, "not_found")
    assert_error(client.get("/cases", params={"status": "closed"}), 422, "validation_error")
    decide(client, case_id, keys["analyst"], "confirm")
    err = assert_error(decide(client, case_id, keys["supervisor"], "confirm"), 422)
    assert err["code"] == "invalid_transition"
    assert_error(decide(client, case_id, keys["analyst"], "dismiss", "no"), 403, "forbidden")
    assert client.get(f"/cases/{case_id}").json()["decisions"] == 1  # refused: not recorded


def test_reading_cases_needs_a_key_when_required(
    db: Path, monkeypatch: pytest.MonkeyPatch, keys: dict[str, dict[str, str]]
) -> None:
    monkeypatch.setenv("TRANSITWATCH_API_KEYS_REQUIRED", "true")
    with TestClient(create_app(db)) as c:
        assert_error(c.get("/cases"), 401, "unauthorized")
        assert c.get("/cases", headers=keys["analyst"]).status_code == 200
