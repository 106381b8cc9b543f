"""The UK FCDO tables parser over the real files in ../shared/data/uk_sanctions_list.

Counts are those of its PROVENANCE.md (6,046 subjects: 3,883 individual, 1,531 entity, 632 ship;
3,252 with the RUS prefix; max last_updated 29/04/2026, max date_designated 28/04/2026); the
entity facts were checked by hand against the CSV rows.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from transitwatch.lists.model import Identifier, ListedEntity, ParsedList
from transitwatch.lists.uk import parse

pytestmark = pytest.mark.integration

FOLDER = "uk_sanctions_list"


@pytest.fixture(scope="module")
def uk_files(shared_data_dir: Path) -> list[Path]:
    files = sorted((shared_data_dir / FOLDER).glob("*.csv.gz"))
    if len(files) != 5:
        pytest.skip(f"{shared_data_dir / FOLDER} not found: integration tests need ../shared/data")
    return files


@pytest.fixture(scope="module")
def uk_list(uk_files: list[Path]) -> ParsedList:
    return parse(uk_files)


@pytest.fixture(scope="module")
def uk(uk_list: ParsedList) -> dict[str, ListedEntity]:
    return {e.source_id: e for e in uk_list.entities}


def test_counts_and_dates(uk_list: ParsedList) -> None:
    assert Counter(e.schema for e in uk_list.entities) == {
        "person": 3883,
        "organization": 1531,
        "vessel": 632,
    }
    assert len({e.source_id for e in uk_list.entities}) == 6046
    assert sum("UK-RUS (Russia)" in e.programs for e in uk_list.entities) == 3252
    assert uk_list.file_date == "2026-04-29"
    assert max(e.listed_on or "" for e in uk_list.entities) == "2026-04-28"
    assert uk_list.warnings == ()


def test_names(uk_list: ParsedList) -> None:
    kinds = Counter(n.kind for e in uk_list.entities for n in e.names)
    assert kinds["primary"] == 6051  # five subjects carry two primary names
    assert all(e.names and e.names[0].kind == "primary" for e in uk_list.entities)
    # the transformer dropped the non-Latin name field (PROVENANCE.md)
    assert all(n.script == "latin" for e in uk_list.entities for n in e.names)


def test_kiselyov(uk: dict[str, ListedEntity]) -> None:
    person = uk["RUS0001"]
    assert person.schema == "person"
    assert person.caption == "Dmitry Konstantinovich Kiselyov"
    assert {n.value for n in person.names if n.kind == "alias"} == {
        "Dmitrii Konstantinovich Kiselev",
        "Dmitry Konstantinovich Kiselev",
        "Dmitrii Konstantinovich Kiselyov",
    }
    assert person.nationalities == ("RU",)
    assert person.listed_on == "2020-12-31"


def test_russian_company_codes(uk: dict[str, ListedEntity]) -> None:
    # raw value "BIN: 1027800000931INN: 7831001704PPC: 784101001"
    assert uk["RUS2723"].identifiers == (
        Identifier("ogrn", "1027800000931", "RU", "BIN"),
        Identifier("inn", "7831001704", "RU", "INN"),
        Identifier("kpp", "784101001", "RU", "PPC"),
    )
    # raw value "(УНН/ИНН): 190950894 (Belarus),  7704734000/770301001 (Russia) "
    assert uk["BEL0065"].identifiers == (
        Identifier("tax_id", "190950894", "BY", "(УНН/ИНН)"),
        Identifier("inn", "7704734000", "RU", None),
        Identifier("kpp", "770301001", "RU", None),
    )


def test_vessels_have_imo_numbers(uk: dict[str, ListedEntity]) -> None:
    assert uk["DPR0075"].identifiers == (Identifier("imo", "9562233"),)
    vessels = [e for e in uk.values() if e.schema == "vessel"]
    without = [e.source_id for e in vessels if not any(i.type == "imo" for i in e.identifiers)]
    assert without == ["DPR0120"]  # the only ship without an IMO row


def test_input_order_does_not_matter(uk_files: list[Path], uk_list: ParsedList) -> None:
    started = time.perf_counter()
    again = parse(list(reversed(uk_files)))
    assert time.perf_counter() - started < 20  # a few seconds; generous for loaded CI hosts
    assert again.content_hash == uk_list.content_hash
    assert again.entities == uk_list.entities
