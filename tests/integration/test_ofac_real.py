"""The OFAC parser on the real files in ../shared/data/ofac_sdn (see its PROVENANCE.md).

Every number asserted here was checked by hand against the raw CSV (zcat | grep / csv module).
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from transitwatch.countries import country_code
from transitwatch.lists.io import read_bytes
from transitwatch.lists.model import Address, Identifier, Link, ListedEntity, ParsedList
from transitwatch.lists.ofac import parse_cons, parse_sdn

pytestmark = pytest.mark.integration

# PROVENANCE.md: parsed CSV records per sdn.csv version.
SDN_ROWS = {
    "2021-04-25": 8_890,
    "2022-02-23": 9_121,
    "2023-12-28": 13_821,
    "2024-05-03": 14_965,
    "2024-07-02": 15_443,
}
# PROVENANCE.md counts rows whose Program *contains* RUSSIA-EO14024, which includes a few
# BPI-RUSSIA-EO14024 (blocked pending investigation) rows: 4 in 2023-12-28, 1 in 2024-05-03.
RUSSIA_EO14024 = {
    "2022-02-23": (69, 69),
    "2023-12-28": (3_527, 3_523),
    "2024-05-03": (4_440, 4_439),
    "2024-07-02": (4_813, 4_813),
}


@pytest.fixture(scope="module")
def ofac_dir(shared_data_dir: Path) -> Path:
    folder = shared_data_dir / "ofac_sdn"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found: integration tests need ../shared/data")
    return folder


@pytest.fixture(scope="module")
def latest(ofac_dir: Path) -> ParsedList:
    """sdn_2024-07-02 with the newest alias/address files and the 2025 comments file."""
    return parse_sdn(
        [
            ofac_dir / "add_2026-06-02.csv.gz",
            ofac_dir / "sdn_comments_2025-02-27.csv",
            ofac_dir / "alt_2026-06-02.csv.gz",
            ofac_dir / "sdn_2024-07-02.csv.gz",
        ]
    )


@cache
def parse_version(path: Path) -> ParsedList:
    """sdn_<version>.csv.gz alone, parsed once for all the tests of this module."""
    return parse_sdn([path])


def by_id(parsed: ParsedList) -> dict[str, ListedEntity]:
    return {e.source_id: e for e in parsed.entities}


def raw_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(read_bytes(path).decode("utf-8"))))


@pytest.mark.parametrize("version", sorted(SDN_ROWS))
def test_entity_count_per_version(ofac_dir: Path, version: str) -> None:
    parsed = parse_version(ofac_dir / f"sdn_{version}.csv.gz")
    assert len(parsed.entities) == SDN_ROWS[version]
    assert parsed.file_date == version
    assert len({e.source_id for e in parsed.entities}) == SDN_ROWS[version]


@pytest.mark.parametrize("version", sorted(RUSSIA_EO14024))
def test_russia_eo14024_counts(ofac_dir: Path, version: str) -> None:
    containing, exact = RUSSIA_EO14024[version]
    parsed = parse_version(ofac_dir / f"sdn_{version}.csv.gz")
    programs = [e.programs for e in parsed.entities]
    assert sum(1 for p in programs if any("RUSSIA-EO14024" in x for x in p)) == containing
    assert sum(1 for p in programs if "RUSSIA-EO14024" in p) == exact


def test_schema_counts_2024_07_02(latest: ParsedList) -> None:
    # SDN_Type column of sdn_2024-07-02: -0- 7,270 / individual 6,927 / vessel 872 / aircraft 374.
    assert Counter(e.schema for e in latest.entities) == {
        "organization": 7_270,
        "person": 6_927,
        "vessel": 872,
        "aircraft": 374,
    }


def test_kolbayev_12625(latest: ParsedList) -> None:
    e = by_id(latest)["12625"]
    assert e.schema == "person"
    assert e.birth_dates == ("1974-08-03", "1973-01-01")
    assert e.nationalities == ("KG",)
    assert "KG" in e.countries
    assert e.programs == ("SDNTK", "TCO")
    assert e.names[0].value == "KOLBAYEV, Kamchybek Asanbekovich"
    assert "Kamchybek Asanbekovich KOLBAYEV" in [n.value for n in e.names]
    assert {"KAMCHI BISHKEKSKIY", "KOLYA-KYRGYZ"} <= {n.value for n in e.names}
    assert Identifier("passport", "AC2499982", "KG") in e.identifiers
    assert Identifier("national_id", "20308197410028", "KG") in e.identifiers
    assert e.links == (Link("linked_to", "THIEVES-IN-LAW", "23223"),)


def test_rm_design_44000_kyrgyz_tax_id(latest: ParsedList) -> None:
    e = by_id(latest)["44000"]
    assert e.schema == "organization"
    assert e.programs == ("RUSSIA-EO14024",)
    assert e.identifiers == (Identifier("tax_id", "01703202210110", "KG"),)
    assert e.birth_dates == ()  # "Organization Established Date 17 Mar 2022" is no DOB
    assert e.countries == ("KG",)
    assert e.addresses == (
        Address("Chyngyza Atymatova Str., 303, Bishkek 720016, Kyrgyzstan", "KG"),
    )
    assert {n.value for n in e.names} >= {"RM DESIGN&DEVELOPMENT", "OSOO RM DIZAYN AND DEVELOPMENT"}


def test_russian_bank_identifiers(latest: ParsedList) -> None:
    e = by_id(latest)["37000"]  # JOINT STOCK COMPANY MOSCOW INDUSTRIAL BANK
    assert Identifier("inn", "7725039953", "RU") in e.identifiers
    assert Identifier("ogrn", "1027739179160", "RU") in e.identifiers
    assert Identifier("swift", "MINNRUMM") in e.identifiers
    assert Identifier("lei", "2534006SJ05GGKETEY75", "RU") in e.identifiers


def test_vessel_flag_and_imo(latest: ParsedList) -> None:
    tango = by_id(latest)["35740"]
    assert tango.schema == "vessel"
    assert "CK" in tango.countries  # Vess_flag "Cook Islands"
    assert Identifier("imo", "1010703") in tango.identifiers
    assert Identifier("mmsi", "518100626") in tango.identifiers
    assert tango.links[0].target_name == "VEKSELBERG, Viktor Feliksovich"
    assert tango.links[0].target_source_id is not None
    imos = [i.value for e in latest.entities for i in e.identifiers if i.type == "imo"]
    assert imos and all(len(v) == 7 and v.isdigit() for v in imos)


def test_comments_continue_truncated_remarks(latest: ParsedList) -> None:
    ents = by_id(latest)
    # 27307 ends "a.k.a. 'WHOIS HACKIN" in sdn.csv; sdn_comments.csv goes on "G TEAM'; ...".
    lazarus = ents["27307"]
    assert "WHOIS HACKING TEAM" in [n.value for n in lazarus.names]
    assert lazarus.remarks is not None and len(lazarus.remarks) > 1000
    # 28263 "a.k.a. 'snowsjo" + "hn'; Linked To: LAZARUS GROUP."
    assert "snowsjohn" in [n.value for n in ents["28263"].names]
    assert [lk.target_name for lk in ents["28263"].links] == ["LAZARUS GROUP"]


def test_orphans_are_one_warning_with_provenance_counts(latest: ParsedList) -> None:
    orphan = [w for w in latest.warnings if "absent from the primary file" in w]
    assert len(orphan) == 1
    assert "alt_2026-06-02.csv.gz: 1,487 ent_nums" in orphan[0]
    assert "add_2026-06-02.csv.gz: 4,374 ent_nums" in orphan[0]
    # sdn 34682 has complete remarks in 2024-07-02; the 2025 comments continue a later version.
    stray = [w for w in latest.warnings if "continuations ignored" in w]
    assert len(stray) == 1 and "34682" in stray[0]


def test_alt_file_with_header_and_junk_row(ofac_dir: Path) -> None:
    parsed = parse_sdn(
        [ofac_dir / "alt_2024-09-25_with_header.csv.gz", ofac_dir / "sdn_2024-07-02.csv.gz"]
    )
    assert len(parsed.entities) == SDN_ROWS["2024-07-02"]
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith("319 ent_nums")  # PROVENANCE: 319 orphans


def test_2021_triple_is_consistent_and_every_alias_is_kept(ofac_dir: Path) -> None:
    alt_path = ofac_dir / "alt_2021-04-25.csv.gz"
    parsed = parse_sdn(
        [ofac_dir / "add_2021-04-25.csv.gz", alt_path, ofac_dir / "sdn_2021-04-25.csv.gz"]
    )
    assert not [w for w in parsed.warnings if "absent from the primary file" in w]
    ents = by_id(parsed)
    rows = [r for r in raw_rows(alt_path) if len(r) == 5]
    assert len(rows) == 11_742
    for ent_num, _, alt_type, alt_name, _ in rows:
        names = {n.value.casefold(): n.kind for n in ents[ent_num].names}
        kind = names.get(" ".join(alt_name.split()).casefold())
        assert kind is not None, (ent_num, alt_name)
        if kind != "primary":  # an alias equal to the primary name is kept as the primary
            assert kind == {"aka": "alias", "fka": "previous", "nka": "alias"}[alt_type]


def test_consolidated_list(ofac_dir: Path) -> None:
    files = sorted(ofac_dir.glob("ofac_nonsdn_cons_*_2025-12-19.csv.gz"), reverse=True)
    parsed = parse_cons(files)
    assert parsed.source == "us_ofac_cons"
    assert parsed.file_date == "2025-12-19"
    assert len(parsed.entities) == 442
    programs = Counter(" + ".join(e.programs) for e in parsed.entities)
    assert programs["UKRAINE-EO13662"] == 197
    assert programs["UKRAINE-EO13662 + RUSSIA-EO14024"] == 86
    assert programs["NS-PLC"] == 76
    assert programs["CMIC-EO13959"] == 68
    bank = by_id(parsed)["17014"]  # remarks cut at "Registration Numbe", continued "r 1027..."
    assert Identifier("ogrn", "1027700342890", "RU") in bank.identifiers
    assert "RUSAG" in [n.value for n in bank.names]


def test_parse_time(ofac_dir: Path) -> None:
    country_code("Kyrgyzstan")  # rigour loads its territory tables once per process
    paths = [
        ofac_dir / "sdn_2024-07-02.csv.gz",
        ofac_dir / "alt_2026-06-02.csv.gz",
        ofac_dir / "add_2026-06-02.csv.gz",
    ]
    start = time.perf_counter()
    parsed = parse_sdn(paths)
    elapsed = time.perf_counter() - start
    assert len(parsed.entities) == SDN_ROWS["2024-07-02"]
    # About 0.85 s on one core; the bound leaves room for a busy CI machine.
    assert elapsed < 5.0
