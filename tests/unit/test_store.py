"""The DuckDB list store: versions, atomic saves, references, diffs, the screening log."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from transitwatch.errors import InputError, NotFoundError, StoreError
from transitwatch.lists.model import (
    Address,
    EntityName,
    Identifier,
    Link,
    ListedEntity,
    ParsedList,
)
from transitwatch.lists.versions import diff_entities
from transitwatch.screening.types import Hit, PartyQuery
from transitwatch.store import ListStore, open_store
from transitwatch.store.duck import DuckStore
from transitwatch.store.rows import entity_json


def person(source_id: str, name: str, *, source: str = "test_list", **kw: object) -> ListedEntity:
    return ListedEntity(
        source=source,
        source_id=source_id,
        schema="person",
        names=(EntityName(name),),
        **kw,  # type: ignore[arg-type]
    )


def parsed(
    entities: Sequence[ListedEntity],
    content: str,
    *,
    source: str = "test_list",
    date: str | None = None,
) -> ParsedList:
    return ParsedList(
        source=source,
        entities=tuple(entities),
        file_date=date,
        content_hash=f"hash-{content}",
        files=(f"{content}.csv",),
        warnings=(f"warning about {content}",),
    )


V1 = [
    person("1", "Ivan Petrov", programs=("RUSSIA-EO14024",)),
    person("2", "Anna Sidorova", birth_dates=("1970",)),
    person("10", "Oleg Ivanov"),
]
V2 = [
    person("1", "Ivan Petrov", programs=("RUSSIA-EO14024", "UKRAINE-EO13662")),
    person("2", "Anna Sidorova", birth_dates=("1970",)),
    person("3", "Boris Kuznetsov", nationalities=("ru",)),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckStore]:
    with DuckStore(tmp_path / "sub" / "store.duckdb") as st:
        yield st


def test_open_creates_parent_folders_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "tw.duckdb"
    with open_store(path) as st:
        assert st.versions() == []
    assert path.is_file()
    with DuckStore(path) as st:  # reopening an existing store keeps it
        assert st.versions() == []


def test_open_errors_are_store_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the folder"):
        DuckStore(blocker / "tw.duckdb")
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"this is not a duckdb file" * 200)
    with pytest.raises(StoreError, match="cannot open the store"):
        DuckStore(garbage)
    with pytest.raises(StoreError, match="no store at"):
        DuckStore(tmp_path / "missing.duckdb", read_only=True)


def test_store_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "locked.duckdb"
    DuckStore(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
            "time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(StoreError, match="in use by another process"):
            DuckStore(path)
    finally:
        holder.kill()
        holder.wait()


def test_save_and_load_round_trip(store: DuckStore) -> None:
    rich_entity = ListedEntity(
        source="test_list",
        source_id="42",
        schema="organization",
        names=(EntityName("OOO Romashka"), EntityName("ООО Ромашка", "alias", "cyrillic", "ru")),
        countries=("ru", "kg"),
        identifiers=(Identifier("inn", "7701234567", "ru", "tax"),),
        addresses=(Address("Bishkek, Chui 1", "kg"),),
        programs=("RUSSIA-EO14024",),
        links=(Link("linked_to", "Ivan Petrov", "1"),),
        listed_on="2023-06-23",
        remarks='quotes " and [brackets]',
    )
    entities = [*V1, rich_entity]
    info = store.save_list(parsed(entities, "a", date="2024-01-31"))
    assert not info.unchanged
    assert (info.source, info.seq, info.file_date, info.entity_count) == (
        "test_list",
        1,
        "2024-01-31",
        4,
    )
    assert info.version_id.startswith("test_list-v1-")
    assert info.warnings == ("warning about a",)
    assert info.files == ("a.csv",)
    assert store.load_entities(info.version_id) == entities  # same content, same order
    assert store.versions() == [info]


def test_entity_json_matches_model(store: DuckStore) -> None:
    for e in V1 + V2:
        assert entity_json(e) == e.to_json()


def test_identical_content_is_not_stored_again(store: DuckStore) -> None:
    first = store.save_list(parsed(V1, "a"))
    again = store.save_list(parsed(V1, "a"))
    assert again.unchanged
    assert again.version_id == first.version_id
    assert len(store.versions("test_list")) == 1
    # a different content is a new version; the old content again is recognised as stored
    second = store.save_list(parsed(V2, "b"))
    third = store.save_list(parsed(V1, "a"))
    assert [v.seq for v in store.versions("test_list")] == [1, 2]
    assert not second.unchanged and third.unchanged and third.seq == 1


def test_save_is_atomic_when_it_fails_midway(
    store: DuckStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.save_list(parsed(V1, "a"))
    store.chunk_size = 1
    calls = {"n": 0}
    original = DuckStore._insert_chunk

    def failing(self: DuckStore, version_id: str, start: int, ents: Sequence[ListedEntity]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        original(self, version_id, start, ents)

    monkeypatch.setattr(DuckStore, "_insert_chunk", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.save_list(parsed(V2, "b"))
    assert calls["n"] == 2  # the first chunk of the new version was written, then rolled back
    assert store.versions() == [before]
    assert store.load_entities(before.version_id) == V1
    assert [v for _, v in store.current_entities()] == [before.version_id] * len(V1)
    count = store._con.execute("SELECT count(*) FROM entities").fetchone()
    assert count == (len(V1),)

    monkeypatch.setattr(DuckStore, "_insert_chunk", original)  # the store still works
    after = store.save_list(parsed(V2, "b"))
    assert after.seq == 2
    assert store.load_entities(after.version_id) == V2


def test_empty_or_duplicate_lists_are_refused(store: DuckStore) -> None:
    with pytest.raises(InputError, match="no entities"):
        store.save_list(parsed([], "empty"))
    with pytest.raises(InputError, match="repeated: '1'"):
        store.save_list(parsed([*V1, person("1", "Someone Else")], "dupe"))
    assert store.versions() == []


def test_resolve_version_references(store: DuckStore) -> None:
    v1 = store.save_list(parsed(V1, "a", date="2024-01-31"))
    v2 = store.save_list(parsed(V2, "b", date="2024-03-01"))
    assert store.resolve_version("test_list", "latest") == v2
    assert store.resolve_version("test_list", "LATEST") == v2
    assert store.resolve_version("test_list", "previous") == v1
    assert store.resolve_version("test_list", v1.version_id) == v1
    assert store.resolve_version("test_list", "1") == v1
    assert store.resolve_version("test_list", "v2") == v2
    assert store.resolve_version("test_list", "2024-01-31") == v1
    with pytest.raises(NotFoundError) as err:
        store.resolve_version("test_list", "2020-01-01")
    assert v1.version_id in err.value.message and v2.version_id in err.value.message
    assert "'latest'" in err.value.message
    with pytest.raises(NotFoundError, match="no version of other_list is stored"):
        store.resolve_version("other_list", "latest")
    with pytest.raises(NotFoundError, match="no list version"):
        store.load_entities("nope")


def test_previous_needs_two_versions(store: DuckStore) -> None:
    store.save_list(parsed(V1, "a"))
    with pytest.raises(NotFoundError, match="no previous one"):
        store.resolve_version("test_list", "previous")


def test_diff_added_removed_changed_with_fields(store: DuckStore) -> None:
    v1 = store.save_list(parsed(V1, "a"))
    v2 = store.save_list(parsed(V2, "b"))
    d = store.diff("test_list", "previous", "latest")
    assert (d.old, d.new) == (v1, v2)
    assert [e.source_id for e in d.added] == ["3"]
    assert [e.source_id for e in d.removed] == ["10"]
    assert [(c.source_id, c.fields) for c in d.changed] == [("1", ("programs",))]
    assert d.changed[0].field_changes() == {
        "programs": {
            "old": ("RUSSIA-EO14024",),
            "new": ("RUSSIA-EO14024", "UKRAINE-EO13662"),
        }
    }
    assert d.counts == {"added": 1, "removed": 1, "changed": 1}
    # the SQL diff agrees with the in-memory reference implementation
    assert d == diff_entities(v1, v2, V1, V2)
    reverse = store.diff("test_list", "2", "1")
    assert [e.source_id for e in reverse.added] == ["10"]
    same = store.diff("test_list", "1", "1")
    assert same.is_empty
    as_json = d.to_json_dict(limit=0)
    assert as_json["counts"] == {"added": 1, "removed": 1, "changed": 1}
    assert as_json["truncated"] and as_json["added"] == []


def test_diff_sorts_source_ids_naturally(store: DuckStore) -> None:
    store.save_list(parsed([person("1", "A")], "a"))
    store.save_list(
        parsed([person("1", "A"), *(person(str(i), f"N{i}") for i in (10, 9, 100))], "b")
    )
    d = store.diff("test_list", "1", "2")
    assert [e.source_id for e in d.added] == ["9", "10", "100"]


def test_current_entities_takes_latest_version_of_each_source(store: DuckStore) -> None:
    store.save_list(parsed(V1, "a"))
    latest = store.save_list(parsed(V2, "b"))
    other = store.save_list(
        parsed([person("X1", "Zed", source="other_list")], "o", source="other_list")
    )
    current = store.current_entities()
    assert sorted((e.source, e.source_id, v) for e, v in current) == sorted(
        [("test_list", e.source_id, latest.version_id) for e in V2]
        + [("other_list", "X1", other.version_id)]
    )
    assert {s: v.version_id for s, v in store.current_versions().items()} == {
        "test_list": latest.version_id,
        "other_list": other.version_id,
    }


def test_record_and_list_screenings(store: DuckStore) -> None:
    info = store.save_list(parsed(V1, "a"))
    versions = {"test_list": info.version_id}
    query = PartyQuery(name="Ivan Petrov", schema="person", country="ru", id="row-1")
    hit = Hit(
        entity=V1[0],
        list_version=info.version_id,
        score=0.93,
        matched_name="Ivan Petrov",
        matched_kind="primary",
        explanation=("exact name match",),
    )
    first = store.record_screening(query, [hit], versions)
    batch = store.record_screenings(
        [(PartyQuery(name="Nobody"), []), (PartyQuery(name="Anna Sidorova"), [])], versions
    )
    assert store.record_screenings([], versions) == []
    records = store.screenings()
    assert [r.screening_id for r in records] == [first, *batch]
    assert records[0].query == query
    assert records[0].list_versions == versions
    assert records[0].hits == (hit.to_json_dict(),)
    assert records[1].hits == ()
    assert records[0].screened_at.tzinfo is not None
    assert [r.query.name for r in store.screenings(limit=2)] == ["Nobody", "Anna Sidorova"]
    assert records[0].to_json_dict()["query"]["name"] == "Ivan Petrov"


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "tw.duckdb"
    with DuckStore(path) as st:
        info = st.save_list(parsed(V1, "a"))
    with DuckStore(path, read_only=True) as st:
        assert st.versions() == [info]
        assert st.load_entities(info.version_id) == V1


def test_duckstore_satisfies_the_protocol(store: DuckStore) -> None:
    as_protocol: ListStore = store
    assert as_protocol.versions() == []


def test_bulk_load_is_fast_enough(store: DuckStore) -> None:
    entities = [
        person(str(i), f"Person Number {i}", programs=("P",), remarks="x" * 200)
        for i in range(20_000)
    ]
    started = time.monotonic()
    info = store.save_list(parsed(entities, "big"))
    loaded = store.load_entities(info.version_id)
    elapsed = time.monotonic() - started
    assert len(loaded) == 20_000
    assert elapsed < 30  # ~2-3 s on a laptop; generous for loaded CI machines


def test_reloading_an_older_version_stores_nothing(tmp_path: Path) -> None:
    """`lists load-all` run twice must not append the old versions again (seen in the demo)."""
    with DuckStore(tmp_path / "s.duckdb") as store:
        v1 = store.save_list(parsed(V1, "a"))
        v2 = store.save_list(parsed(V2, "b"))
        again = store.save_list(parsed(V1, "a"))
        assert again.unchanged and again.version_id == v1.version_id
        assert [v.version_id for v in store.versions("test_list")] == [v1.version_id, v2.version_id]
        assert store.current_versions()["test_list"].version_id == v2.version_id
