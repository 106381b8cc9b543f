"""What keeps `POST /screen` fast under concurrent load without losing or duplicating cases.

Party cases are opened off the request path (derived ids, heads in memory, a background
writer) and read back through the case store, which writes what is queued first; verified
API keys are remembered; the screening log keeps what it could not write. The speed itself is
measured by benchmarks/api_load.py, not here.
"""

from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from api_support import make_key
from fastapi.testclient import TestClient

from transitwatch.api import create_app
from transitwatch.api.case_hooks import case_store
from transitwatch.api.deps import BackgroundWriter, ServiceState
from transitwatch.cases.model import Case, party_case, subject_key
from transitwatch.errors import StoreError
from transitwatch.store import cases as cases_module
from transitwatch.store import open_store
from transitwatch.store.cases import CaseStore, case_id_for
from transitwatch.store.keys import KeyStore

SPELLINGS = ["Profflab LLC", "PROFFLAB LLC", "profflab llc", "  Profflab LLC  ", "ОсОО Профлаб"]


def service(client: TestClient) -> ServiceState:
    state: ServiceState = client.app.state.service  # type: ignore[attr-defined]
    return state


def c1_case(client: TestClient, name: str, kind: str | None = None) -> str:
    """The case the screening of ``name`` names for the listed company C1."""
    r = client.post("/screen", json={"name": name, "type": kind})
    assert r.status_code == 200, r.text
    (hit,) = [h for h in r.json()["hits"] if h["source_id"] == "C1"]
    case_id: str = hit["case_id"]
    return case_id


def a_party_case(name: str, source_id: str, case_id: str | None = None) -> Case:
    """A party case of ``name`` and the listed entity ``source_id``; its derived id unless
    ``case_id`` is given."""
    case = party_case(
        case_id or "",
        datetime.now(UTC),
        query_name=name,
        source="ftm",
        source_id=source_id,
        caption=name,
        schema="organization",
        score=0.9,
    )
    return case if case_id else replace(case, case_id=case_id_for(subject_key(case)))


def stored(state: ServiceState, sql: str, params: list[Any]) -> list[Any]:
    """Rows read straight from the tables (past the case store, which would write its queue)."""
    with state.lock:
        return state.store.connection.execute(sql, params).fetchall()  # type: ignore[attr-defined]


# -- derived ids -----------------------------------------------------------------------------


def test_a_case_id_is_derived_from_name_and_entity(client: TestClient) -> None:
    case_id = c1_case(client, "Profflab LLC")
    subject = subject_key(a_party_case("Profflab LLC", "C1"))
    assert case_id == case_id_for(subject)
    assert case_id == c1_case(client, "ОсОО Профлаб")  # same normalised name
    assert case_id_for(subject) != case_id_for(subject.replace("|C1", "|V1"))
    vessel = client.post("/screen", json={"name": "PROFFLAB", "type": "vessel"}).json()["hits"]
    assert vessel[0]["source_id"] == "V1" and vessel[0]["case_id"] != case_id


def test_concurrent_screenings_of_one_name_open_one_case(client: TestClient) -> None:
    state = service(client)

    def screen(i: int) -> set[str]:
        name = SPELLINGS[i % len(SPELLINGS)]
        if i % 3 == 0:  # the batch endpoint runs in worker threads
            body = {"queries": [{"name": name}, {"name": SPELLINGS[0]}]}
            results = client.post("/screen/batch", json=body).json()["results"]
            hits = [h for r in results for h in r["hits"]]
        else:
            hits = client.post("/screen", json={"name": name}).json()["hits"]
        return {h["case_id"] for h in hits if h["source_id"] == "C1"}

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(screen, range(60)))
    named = set().union(*answers)
    assert len(named) == 1 and all(answers)
    (case_id,) = named
    listed = client.get("/cases", params={"kind": "party_hit"}).json()["cases"]
    assert [c["case_id"] for c in listed if c["source_id"] == "C1"] == [case_id]
    rows = stored(state, "SELECT case_id FROM cases WHERE source_id = ?", ["C1"])
    assert rows == [(case_id,)]


def test_claims_racing_in_threads_agree_and_are_written_once(tmp_path: Path) -> None:
    with open_store(tmp_path / "tw.duckdb") as st:
        store = CaseStore.of(st)
        store.load_heads()
        wanted = [a_party_case(n, f"E{n[-1]}") for n in ("Alpha 1", "Beta 2", "Gamma 3")]
        start = threading.Barrier(16)

        def claim(i: int) -> list[str]:
            start.wait()
            order = wanted[i % 3 :] + wanted[: i % 3]
            heads = store.claim(order)
            return sorted(h.case_id for h in heads)

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(claim, range(16)))
        assert all(a == answers[0] for a in answers)
        assert answers[0] == sorted(c.case_id for c in wanted)
        assert store.pending == 3
        other = CaseStore.of(st)  # another CaseStore on the connection shares queue and heads
        assert [h.case_id for h in other.claim(wanted[:1])] == [wanted[0].case_id]
        assert store.flush() == 3 and store.flush() == 0 and other.pending == 0
        assert store.count() == 3
        assert store.claim(wanted)[0].status == "open" and store.pending == 0


def test_a_case_opened_before_derived_ids_keeps_its_id(db: Path) -> None:
    legacy = a_party_case("Profflab LLC", "C1", "case_0123456789abcdef")
    with open_store(db) as st:
        CaseStore.of(st).open_cases([legacy])
    with TestClient(create_app(db)) as client:
        assert c1_case(client, "PROFFLAB LLC") == "case_0123456789abcdef"
        rows = stored(service(client), "SELECT case_id FROM cases", [])
    assert rows == [("case_0123456789abcdef",)]


# -- off the request path, read back at once -------------------------------------------------


def test_screening_takes_no_store_lock_and_reads_see_the_case(client: TestClient) -> None:
    state = service(client)
    state.check_interval = 3600.0  # no list-version check (which queries) in this test
    with ThreadPoolExecutor(max_workers=1) as pool, state.lock:  # the writer cannot write now
        answer = pool.submit(c1_case, client, "Profflab LLC", "organization")
        case_id = answer.result(timeout=30)  # answered while the store is locked
        store = case_store(state)
        assert store.pending == 1
        assert stored(state, "SELECT count(*) FROM cases", []) == [(0,)]
        assert store.get(case_id).status == "open"  # a read writes the queue first
        assert store.pending == 0
        assert stored(state, "SELECT case_id FROM cases", []) == [(case_id,)]
    r = client.get(f"/cases/{case_id}")
    assert r.status_code == 200 and r.json()["source_id"] == "C1"


def test_a_screening_answer_is_followed_by_its_case_over_http(client: TestClient) -> None:
    for name in ("Profflab LLC", "Kamchybek Kolbayev", "RM Design and Development"):
        r = client.post("/screen", json={"name": name})
        for hit in r.json()["hits"]:
            if hit["case_id"]:
                case = client.get(f"/cases/{hit['case_id']}")  # no wait, no flush
                assert case.status_code == 200 and case.json()["source_id"] == hit["source_id"]


def test_queued_cases_are_written_when_the_service_stops(db: Path) -> None:
    with TestClient(create_app(db)) as client:
        state = service(client)
        state.check_interval = 3600.0
        with ThreadPoolExecutor(max_workers=1) as pool, state.lock:
            answer = pool.submit(c1_case, client, "Profflab LLC", "organization")
            case_id = answer.result(timeout=30)
            assert case_store(state).pending == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT case_id FROM cases").fetchall() == [(case_id,)]


def test_the_writer_flushes_on_close_and_a_failed_flush_keeps_the_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    writer = BackgroundWriter(interval=3600.0)
    writer.add("job", lambda: ran.append("flushed"))
    writer.close()
    assert ran == ["flushed"]

    with open_store(tmp_path / "tw.duckdb") as st:
        store = CaseStore.of(st)
        store.load_heads()
        store.claim([a_party_case("Delta 4", "E4")])
        real = cases_module._insert_absent

        def broken(con: duckdb.DuckDBPyConnection, rows: Any) -> int:
            raise duckdb.IOException("disk full")

        monkeypatch.setattr(cases_module, "_insert_absent", broken)
        with pytest.raises(StoreError, match="disk full"):
            store.flush()
        assert store.pending == 1
        monkeypatch.setattr(cases_module, "_insert_absent", real)
        assert store.flush() == 1 and store.count() == 1


def test_decisions_change_what_the_next_screening_shows(db: Path) -> None:
    _, analyst = make_key(db, "analyst")
    with TestClient(create_app(db)) as client:
        case_id = c1_case(client, "Profflab LLC")
        r = client.post(
            f"/cases/{case_id}/decisions",
            json={"action": "dismiss", "note": "a bakery"},
            headers={"X-API-Key": analyst},
        )
        assert r.status_code == 201, r.text
        hits = client.post("/screen", json={"name": "ОсОО Профлаб"}).json()["hits"]
        (hit,) = [h for h in hits if h["source_id"] == "C1"]
        assert hit["case_id"] == case_id and hit["case_status"] == "dismissed"
        assert hit["previously_dismissed"]["note"] == "a bakery"
    with TestClient(create_app(db)) as client:  # the heads are read back from the store
        hits = client.post("/screen", json={"name": "Profflab"}).json()["hits"]
        (hit,) = [h for h in hits if h["source_id"] == "C1"]
        assert hit["case_id"] == case_id and hit["case_status"] == "dismissed"
        assert hit["previously_dismissed"]["by"] == "test"


def test_batch_items_keep_the_response_shape(client: TestClient) -> None:
    body = {"queries": [{"id": "a", "name": "Profflab LLC"}, {"id": "b", "name": "LLC"}]}
    results = client.post("/screen/batch", json=body).json()["results"]
    assert [set(r) for r in results] == [{"id", "name", "row", "hits", "error"}] * 2
    assert results[0]["error"] is None and results[1]["error"] and results[1]["hits"] == []
    assert set(results[0]["hits"][0]) >= {"case_id", "case_status", "previously_dismissed"}


# -- keys, the screening log, the heap -------------------------------------------------------


def test_verified_keys_are_remembered_and_revocation_is_immediate(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_id, analyst = make_key(db, "analyst")
    _, supervisor = make_key(db, "supervisor")
    checked: list[str] = []
    real = KeyStore.verify

    def counting(self: KeyStore, key: str) -> Any:
        checked.append(key)
        return real(self, key)

    monkeypatch.setattr(KeyStore, "verify", counting)
    with TestClient(create_app(db)) as client:
        for _ in range(3):
            assert client.get("/cases", headers={"X-API-Key": analyst}).status_code == 200
        assert checked.count(analyst) == 1
        bad = analyst[:-2] + "xx"
        for _ in range(2):
            assert client.get("/cases", headers={"X-API-Key": bad}).status_code == 401
        assert checked.count(bad) == 2  # failures are never remembered
        r = client.post(f"/keys/{key_id}/revoke", headers={"X-API-Key": supervisor})
        assert r.status_code == 200 and r.json()["revoked_at"]
        assert client.get("/cases", headers={"X-API-Key": analyst}).status_code == 401


def test_the_screening_log_keeps_what_it_could_not_write(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = service(client)
    state.log.flush()
    real = state.store.record_screenings

    def broken(*args: Any, **kwargs: Any) -> None:
        raise StoreError("the disk is full")

    monkeypatch.setattr(state.store, "record_screenings", broken)
    client.post("/screen", json={"name": "Profflab LLC"})
    client.post("/screen", json={"name": "Kamchybek Kolbayev"})
    with pytest.raises(StoreError):
        state.log.flush()
    monkeypatch.setattr(state.store, "record_screenings", real)
    state.log.flush()
    with state.lock:
        logged = state.store.screenings()
    assert sorted(s.query.name for s in logged) == ["Kamchybek Kolbayev", "Profflab LLC"]


def test_the_index_is_kept_out_of_the_garbage_collector(client: TestClient) -> None:
    loaded = service(client).current
    assert loaded is not None and gc.get_freeze_count() > 0
    watched = {id(o) for o in gc.get_objects(generation=2)}
    assert id(loaded.screener.index) not in watched and id(loaded) not in watched
