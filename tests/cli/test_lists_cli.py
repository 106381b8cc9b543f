"""`transitwatch lists ...` through typer's CliRunner, on tiny FollowTheMoney files."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from transitwatch import settings
from transitwatch.cli.main import COMMAND_MODULES, app
from transitwatch.store.duck import DuckStore


def person(pid: str, name: str, programs: list[str], country: str = "ru") -> dict[str, Any]:
    return {
        "id": pid,
        "schema": "Person",
        "caption": name,
        "properties": {"name": [name], "program": programs, "country": [country]},
        "datasets": ["test"],
        "last_change": "2024-01-31T00:00:00",
    }


V1 = [
    person("P1", "Ivan Petrov", ["RUSSIA-EO14024"]),
    person("P2", "Anna Sidorova", ["RUSSIA-EO14024"]),
    person("P10", "Oleg Ivanov", ["UKRAINE-EO13662"]),
]
V2 = [
    person("P1", "Ivan Petrov", ["RUSSIA-EO14024", "UKRAINE-EO13662"]),
    person("P2", "Anna Sidorova", ["RUSSIA-EO14024"]),
    person("P3", "Boris Kuznetsov", ["RUSSIA-EO14024"], country="kg"),
]


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TRANSITWATCH_DB", "TRANSITWATCH_DATA"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "tw.duckdb"


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args])


def assert_clean_error(result: Result, code: int, text: str) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"error: {text}" in result.stderr
    assert "Traceback" not in result.output


def test_listing_an_empty_store(db: Path) -> None:
    result = run(db, "lists")
    assert result.exit_code == 0, result.output
    assert "no lists stored yet" in result.stdout


def test_load_unchanged_list_and_diff(db: Path, tmp_path: Path) -> None:
    v1 = write(tmp_path / "v1.ftm.json", V1)
    v2 = write(tmp_path / "v2.ftm.json", V2)

    first = run(db, "lists", "load", "ftm", str(v1))
    assert first.exit_code == 0, first.output
    assert "ftm: stored version ftm-v1-" in first.stdout
    assert "3 entities" in first.stdout

    again = run(db, "lists", "load", "ftm", str(v1))
    assert again.exit_code == 0, again.output
    assert "already stored" in again.stdout and "nothing stored" in again.stdout

    second = run(db, "lists", "load", "ftm", str(v2))
    assert second.exit_code == 0, second.output
    assert "stored version ftm-v2-" in second.stdout

    listing = run(db, "lists")
    assert listing.exit_code == 0, listing.output
    assert "ftm-v1-" in listing.stdout and "ftm-v2-" in listing.stdout
    assert "2024-01-31" in listing.stdout
    with DuckStore(db, read_only=True) as st:
        assert [v.seq for v in st.versions("ftm")] == [1, 2]

    table = run(db, "lists", "diff", "ftm", "1", "latest")
    assert table.exit_code == 0, table.output
    assert "added 1, removed 1, changed 1" in table.stdout
    assert "Boris Kuznetsov" in table.stdout  # added
    assert "Oleg Ivanov" in table.stdout  # removed
    assert "programs" in table.stdout  # the changed field of P1

    as_json = run(db, "lists", "diff", "ftm", "--json")  # previous -> latest by default
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.stdout)
    assert payload["counts"] == {"added": 1, "removed": 1, "changed": 1}
    assert [e["source_id"] for e in payload["added"]] == ["P3"]
    assert [e["source_id"] for e in payload["removed"]] == ["P10"]
    (change,) = payload["changed"]
    assert change["source_id"] == "P1" and "programs" in change["fields"]
    assert change["changes"]["programs"]["new"] == ["RUSSIA-EO14024", "UKRAINE-EO13662"]
    assert payload["old"]["seq"] == 1 and payload["new"]["seq"] == 2

    limited = run(db, "lists", "diff", "ftm", "--json", "--limit", "0")
    assert json.loads(limited.stdout)["truncated"] is False


def test_unknown_source_is_a_clean_usage_error(db: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "x.ftm.json", V1)
    result = run(db, "lists", "load", "no_such_list", str(f))
    assert_clean_error(result, 2, "unknown list source 'no_such_list'")
    assert "us_ofac_sdn" in result.stderr  # the known sources are named
    assert not db.exists()


def test_missing_file_is_a_clean_error(db: Path, tmp_path: Path) -> None:
    result = run(db, "lists", "load", "ftm", str(tmp_path / "nope.ftm.json"))
    assert_clean_error(result, 2, "no such file")
    assert "nope.ftm.json" in result.stderr
    assert not db.exists()


def test_parse_error_names_file_and_row_and_leaves_store_untouched(
    db: Path, tmp_path: Path
) -> None:
    good = write(tmp_path / "good.ftm.json", V1)
    assert run(db, "lists", "load", "ftm", str(good)).exit_code == 0
    bad = tmp_path / "bad.ftm.json"
    bad.write_text(json.dumps(V2[0]) + "\n{not json\n", "utf-8")
    result = run(db, "lists", "load", "ftm", str(bad))
    assert_clean_error(result, 2, str(bad))
    assert "row 2" in result.stderr
    with DuckStore(db, read_only=True) as st:
        assert [v.seq for v in st.versions()] == [1]


def test_unknown_version_reference(db: Path, tmp_path: Path) -> None:
    run(db, "lists", "load", "ftm", str(write(tmp_path / "v1.ftm.json", V1)))
    result = run(db, "lists", "diff", "ftm", "1999-01-01", "latest")
    assert_clean_error(result, 3, "no version '1999-01-01' of ftm")
    assert "Known versions: #1 ftm-v1-" in result.stderr
    result = run(db, "lists", "diff", "ftm")  # previous: there is none
    assert_clean_error(result, 3, "ftm has a single stored version")


def test_bad_setting_is_a_clean_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `db` is a free-form path; give it a strict parser to see a ConfigError rendered
    strict = dataclasses.replace(settings._BY_NAME["db"], parse=int)
    monkeypatch.setitem(settings._BY_NAME, "db", strict)
    monkeypatch.setenv("TRANSITWATCH_DB", "not-a-number")
    result = CliRunner().invoke(app, ["lists"])
    assert_clean_error(result, 2, "TRANSITWATCH_DB='not-a-number' is not valid")


def test_default_data_folder_comes_from_settings(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "staged"
    data.mkdir()
    write(data / "entities.ftm.json", V1)
    monkeypatch.setenv("TRANSITWATCH_DATA", str(data))
    result = run(db, "lists", "load-all")
    assert result.exit_code == 0, result.output
    assert f"from {data}" in result.stdout


def test_load_all_from_a_data_folder(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write(data / "entities.ftm.json", V1)
    first = run(db, "lists", "load-all", str(data))
    assert first.exit_code == 0, first.output
    assert "1 stored, 0 already stored, 0 failed" in first.stdout
    again = run(db, "lists", "load-all", str(data))
    assert "0 stored, 1 already stored, 0 failed" in again.stdout


def test_load_all_goes_on_after_a_failure(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a_broken.ftm.json").write_text("{oops\n", "utf-8")
    write(data / "b_good.ftm.json", V1)
    result = run(db, "lists", "load-all", str(data))
    assert result.exit_code == 2
    assert "error: ftm (a_broken.ftm.json)" in result.stderr
    assert "1 stored, 0 already stored, 1 failed" in result.stdout
    with DuckStore(db, read_only=True) as st:
        assert [v.entity_count for v in st.versions("ftm")] == [3]


def test_load_all_with_nothing_to_load(db: Path, tmp_path: Path) -> None:
    result = run(db, "lists", "load-all", str(tmp_path))
    assert_clean_error(result, 2, f"no list files found in {tmp_path}")
    result = run(db, "lists", "load-all", str(tmp_path / "missing"))
    assert_clean_error(result, 2, "data folder")


def test_locked_or_broken_store_is_a_clean_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"garbage" * 1000)
    result = run(broken, "lists", "load", "ftm", str(write(tmp_path / "v.ftm.json", V1)))
    assert_clean_error(result, 4, "cannot open the store")


def test_lists_module_is_registered() -> None:
    assert "lists" in COMMAND_MODULES
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "lists" in result.stdout
