"""`transitwatch lists load-all` over the real staged data (../shared/data), into a temporary store.

Needs every list parser (transitwatch.lists.{ofac,uk,un,eu,bis}); see each folder's PROVENANCE.md
for the figures checked here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from transitwatch.cli.main import app
from transitwatch.store.duck import DuckStore

pytestmark = pytest.mark.integration

SOURCES = (
    "us_ofac_sdn",
    "us_ofac_cons",
    "gb_fcdo_sanctions",
    "un_sc_sanctions",
    "eu_journal_sanctions",
    "us_bis_denied",
    "us_bis_mieu",
)


@pytest.fixture(scope="module")
def loaded(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    db = tmp_path_factory.mktemp("load_all") / "tw.duckdb"
    result = CliRunner().invoke(app, ["--db", str(db), "lists", "load-all", str(shared_data)])
    return db, result


def test_load_all_stores_every_source(loaded: tuple[Path, Result]) -> None:
    db, result = loaded
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.stdout
    with DuckStore(db, read_only=True) as st:
        current = st.current_versions()
        assert set(current) == set(SOURCES)
        assert all(v.entity_count > 0 for v in current.values())
        sdn = st.versions("us_ofac_sdn")
        assert [v.file_date for v in sdn] == [
            "2021-04-25",
            "2022-02-23",
            "2023-12-28",
            "2024-05-03",
            "2024-07-02",
        ]
        assert [v.entity_count for v in sdn] == [8_890, 9_121, 13_821, 14_965, 15_443]
        assert current["gb_fcdo_sanctions"].entity_count == 6_046
        assert current["un_sc_sanctions"].entity_count == 1_003


def test_russia_designations_grow_across_sdn_versions(loaded: tuple[Path, Result]) -> None:
    db, _ = loaded
    with DuckStore(db, read_only=True) as st:
        counts = [
            # PROVENANCE.md counts Program cells containing the text, BPI-RUSSIA-EO14024 included
            sum(
                any("RUSSIA-EO14024" in p for p in e.programs)
                for e in st.load_entities(v.version_id)
            )
            for v in st.versions("us_ofac_sdn")[1:]
        ]
        assert counts == [69, 3_527, 4_440, 4_813]
        d = st.diff("us_ofac_sdn", "2022-02-23", "2024-07-02")
        assert d.counts["added"] > 6_000
        assert any("RUSSIA-EO14024" in e.programs for e in d.added)


def test_current_entities_is_fast_and_complete(loaded: tuple[Path, Result]) -> None:
    db, _ = loaded
    with DuckStore(db, read_only=True) as st:
        started = time.monotonic()
        current = st.current_entities()
        elapsed = time.monotonic() - started
        expected = sum(v.entity_count for v in st.current_versions().values())
    assert len(current) == expected
    assert {e.source for e, _ in current} >= {"us_ofac_sdn", "gb_fcdo_sanctions"}
    assert elapsed < 30


def test_second_load_all_changes_nothing(shared_data: Path, loaded: tuple[Path, Result]) -> None:
    db, first = loaded
    assert first.exit_code == 0, first.output
    args = ["--db", str(db), "lists", "load-all", str(shared_data), "-s", "us_bis_mieu"]
    again = CliRunner().invoke(app, [*args, "-s", "un_sc_sanctions"])
    assert again.exit_code == 0, again.output
    assert "0 stored, 2 already stored, 0 failed" in again.stdout


def test_every_identifier_type_is_a_known_one(loaded: tuple[Path, Result]) -> None:
    # The parsers map each source's wording ("Tax ID No.", "Registration ID", "IMO number") onto
    # the shared IDENTIFIER_TYPES; a new wording must not leak through as a type of its own.
    from transitwatch.lists.model import IDENTIFIER_TYPES

    db, _ = loaded
    with DuckStore(db, read_only=True) as st:
        types: dict[str, int] = {}
        for entity, _version in st.current_entities():
            for ident in entity.identifiers:
                types[ident.type] = types.get(ident.type, 0) + 1
    assert set(types) <= set(IDENTIFIER_TYPES), sorted(set(types) - set(IDENTIFIER_TYPES))
    assert types.get("inn", 0) > 100 and types.get("imo", 0) > 100  # Russian INNs, vessel IMOs
