"""The BIS DPL and MIEU parsers over the real files in ../shared/data (see PROVENANCE.md)."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from transitwatch.lists.bis import parse_dpl, parse_mieu
from transitwatch.lists.model import ParsedList

pytestmark = pytest.mark.integration

FOLDER = Path("bis_party_lists")


def _file(shared_data_dir: Path, name: str) -> Path:
    path = shared_data_dir / FOLDER / name
    if not path.is_file():
        pytest.skip(f"{path} not found: integration tests need ../shared/data")
    return path


@pytest.fixture(scope="module")
def dpl_file(shared_data_dir: Path) -> Path:
    return _file(shared_data_dir, "dpl_2022-09.txt.gz")


@pytest.fixture(scope="module")
def dpl(dpl_file: Path) -> ParsedList:
    return parse_dpl([dpl_file])


@pytest.fixture(scope="module")
def mieu(shared_data_dir: Path) -> ParsedList:
    return parse_mieu([_file(shared_data_dir, "bis_mieu_list.csv")])


def test_dpl_rows_merge_into_parties(dpl_file: Path, dpl: ParsedList) -> None:
    lines = gzip.decompress(dpl_file.read_bytes()).decode("utf-8").splitlines()
    assert len(lines) == 582  # PROVENANCE: 581 records + header
    # 460 distinct Name cells; " I. ASH" = "I. ASH", "AL NASER" = "AL-NASER AIRLINES"
    assert len(dpl.entities) == 458
    assert len({e.source_id for e in dpl.entities}) == 458
    assert sum(len(e.addresses) for e in dpl.entities) >= 540
    assert all(e.programs == ("US-BIS-DPL",) for e in dpl.entities)
    assert all(e.listed_on and len(e.listed_on) == 10 for e in dpl.entities)


def test_dpl_schema_heuristic(dpl: ParsedList) -> None:
    schemas = Counter(e.schema for e in dpl.entities)
    # Checked by hand: 110 companies; "AVIASTAR - TU" and "KZ RESULTS" are read as people.
    assert schemas == {"person": 350, "organization": 108}
    by = {e.caption: e for e in dpl.entities}
    assert by["AIR FREIGHT LTD"].schema == "organization"
    assert len(by["AIR FREIGHT LTD"].addresses) == 4
    assert by["ABDULAH AL NASSER"].schema == "person"
    assert by["SIBERIAN AIRLINES"].names[1].value == "S7 AIRLINES"


def test_dpl_file_date_and_typos(dpl: ParsedList) -> None:
    assert dpl.file_date == "2022-09-02"
    typos = [w for w in dpl.warnings if "implausible Last_Update" in w]
    assert len(typos) == 3  # 3017-08-22, 2922-09-01, 0222-05-18
    assert Counter(c for e in dpl.entities for c in e.countries)["RU"] >= 1


def test_mieu(mieu: ParsedList) -> None:
    assert len(mieu.entities) == 13
    assert mieu.warnings == ()
    assert mieu.file_date == "2022-03-02"
    countries = Counter(c for e in mieu.entities for c in e.countries)
    assert countries == {"CU": 2, "IR": 2, "MM": 2, "CN": 1, "KP": 1, "RU": 1, "SY": 1, "VE": 1,
                         "KH": 1, "BY": 1}  # fmt: skip
    gru = next(e for e in mieu.entities if "RU" in e.countries)
    assert [n.value for n in gru.names] == ["Main Intelligence Directorate", "GRU"]
    assert gru.programs == ("US-BIS-MIEU",)
    assert all(e.schema == "organization" for e in mieu.entities)
