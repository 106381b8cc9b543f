"""The UN consolidated list parser over the real file in ../shared/data (see its PROVENANCE.md)."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from transitwatch.lists.model import ParsedList
from transitwatch.lists.un import parse

pytestmark = pytest.mark.integration

FILE = Path("un_sc_consolidated") / "un_consolidated_2026-02-27.xml.gz"


@pytest.fixture(scope="module")
def un_file(shared_data_dir: Path) -> Path:
    path = shared_data_dir / FILE
    if not path.is_file():
        pytest.skip(f"{path} not found: integration tests need ../shared/data")
    return path


@pytest.fixture(scope="module")
def un_list(un_file: Path) -> ParsedList:
    return parse([un_file])


def test_counts_and_date(un_list: ParsedList) -> None:
    schemas = Counter(e.schema for e in un_list.entities)
    assert schemas == {"person": 730, "organization": 273}
    assert un_list.file_date == "2026-02-27"
    assert un_list.warnings == ()
    assert len({e.source_id for e in un_list.entities}) == 1003


def test_programs_match_provenance(un_list: ParsedList) -> None:
    programs = Counter(p for e in un_list.entities for p in e.programs)
    assert programs == {
        "UN-Al-Qaida": 341, "UN-DPRK": 155, "UN-Taliban": 140, "UN-Iran": 121, "UN-Iraq": 75,
        "UN-DRC": 53, "UN-Libya": 30, "UN-Somalia": 24, "UN-CAR": 15, "UN-Haiti": 11,
        "UN-Yemen": 11, "UN-GB": 10, "UN-Sudan": 9, "UN-SouthSudan": 8,
    }  # fmt: skip
    assert "UN-Russia" not in programs  # PROVENANCE: there is no Russia regime in the UN list


def test_every_original_script_name_is_kept(un_file: Path, un_list: ParsedList) -> None:
    root = ET.fromstring(gzip.decompress(un_file.read_bytes()))
    by_ref = {e.source_id: e for e in un_list.entities}
    originals = []
    for record in [*root.iter("INDIVIDUAL"), *root.iter("ENTITY")]:
        for element in record.findall("NAME_ORIGINAL_SCRIPT"):
            value = " ".join((element.text or "").split())
            originals.append(value)
            entity = by_ref[record.findtext("REFERENCE_NUMBER", "")]
            assert value in {n.value for n in entity.names}
    assert len(originals) == 378
    scripts = Counter(n.script for e in un_list.entities for n in e.names if n.script != "latin")
    assert scripts["arabic"] >= 360 and scripts["cyrillic"] >= 11 and scripts["han"] >= 4


def test_alias_qualities(un_list: ParsedList) -> None:
    kinds = Counter(n.kind for e in un_list.entities for n in e.names)
    # PROVENANCE: Low 615 (some hold several names, split on ';'), f.k.a. 19
    assert kinds["weak_alias"] >= 615
    assert kinds["previous"] == 19
    assert kinds["primary"] == 1003


def test_fields_are_filled(un_list: ParsedList) -> None:
    people = [e for e in un_list.entities if e.schema == "person"]
    assert sum(bool(e.birth_dates) for e in people) > 600
    assert sum(bool(e.nationalities) for e in people) > 600
    assert sum(len(e.identifiers) for e in people) > 400
    assert all(e.listed_on and len(e.listed_on) == 10 for e in un_list.entities)
    assert all(len(c) == 2 for e in un_list.entities for c in (*e.countries, *e.nationalities))
    komid = next(e for e in un_list.entities if e.source_id == "KPe.001")
    assert komid.caption == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert komid.countries == ("KP",)
