"""The EU Official Journal annex parser over the real files in
../shared/data/eu_official_journal_russia.

Counts are those of its PROVENANCE.md (269/2014: 2,802 rows, 1,984 persons and 818 entities;
833/2014: 1,746 rows, Annex IV 921, Annex XLII 633 vessels; 765/2006 408; 2024/2642 100;
2024/1485 105); the Annex IV companies and the Aksyonov entry were checked by hand against the
CSV rows.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from transitwatch.lists.eu import parse
from transitwatch.lists.model import EntityName, ListedEntity, ParsedList

pytestmark = pytest.mark.integration

FOLDER = "eu_official_journal_russia"


@pytest.fixture(scope="module")
def eu_files(shared_data_dir: Path) -> list[Path]:
    files = sorted((shared_data_dir / FOLDER).glob("*.csv.gz"))
    if len(files) != 5:
        pytest.skip(f"{shared_data_dir / FOLDER} not found: integration tests need ../shared/data")
    return files


@pytest.fixture(scope="module")
def eu_list(eu_files: list[Path]) -> ParsedList:
    return parse(eu_files)


@pytest.fixture(scope="module")
def by_name(eu_list: ParsedList) -> dict[str, ListedEntity]:
    return {e.caption: e for e in eu_list.entities}


def test_counts(eu_list: ParsedList) -> None:
    # recordId restarts in every annex, so each row is its own designation (no merges)
    assert len(eu_list.entities) == 2802 + 1746 + 408 + 100 + 105
    assert Counter(e.schema for e in eu_list.entities) == {
        "person": 2474,
        "organization": 2054,
        "vessel": 633,
    }
    reg269 = [e for e in eu_list.entities if e.source_id.startswith("32014R0269/")]
    assert Counter(e.schema for e in reg269) == {"person": 1984, "organization": 818}
    programs = Counter(p for e in eu_list.entities for p in e.programs)
    assert programs["EU-RUS Annex IV"] == 921
    assert programs["EU-RUS Annex XLII"] == 633
    assert eu_list.file_date is None  # the CSVs do not state their consolidation date


def test_cyrillic_aliases(eu_list: ParsedList) -> None:
    reg269 = [e for e in eu_list.entities if e.source_id.startswith("32014R0269/")]
    with_cyrillic = [e for e in reg269 if any(n.script == "cyrillic" for n in e.names)]
    assert len(with_cyrillic) >= 2593  # rows with Cyrillic in `alias` (PROVENANCE.md)


def test_aksyonov(by_name: dict[str, ListedEntity]) -> None:
    person = by_name["Sergey Valeryevich AKSYONOV"]
    assert person.source_id == "32014R0269/I.PERSONS/1"
    assert EntityName("Сергей Валерьевич АКСЁНОВ", "alias", "cyrillic") in person.names
    assert EntityName("Sergei Valerievich AKSENOV", "alias", "latin") in person.names
    assert EntityName("Сергiй Валерiйович АКСЬОНОВ", "alias", "cyrillic") in person.names
    assert person.programs == ("EU-UKR Annex I.PERSONS",)


@pytest.mark.parametrize(
    ("name", "country", "listed_on"),
    [
        ("Muller Markt LLC", "KG", "2024-06-25"),
        ("Profflab LLC", "KG", "2024-06-25"),
        ("TOO Elem Group", "KZ", "2024-02-23"),
        ("Tako LLC", "AM", "2023-06-23"),
        ("Mvizion LLC", "UZ", "2023-12-18"),
    ],
)
def test_annex_iv_third_country_companies(
    by_name: dict[str, ListedEntity], name: str, country: str, listed_on: str
) -> None:
    company = by_name[name]
    assert company.schema == "organization"
    assert company.programs == ("EU-RUS Annex IV",)
    assert company.countries == (country,)
    assert company.listed_on == listed_on


def test_annex_iv_countries(eu_list: ParsedList) -> None:
    annex_iv = [e for e in eu_list.entities if "EU-RUS Annex IV" in e.programs]
    first = Counter(e.countries[0] for e in annex_iv if e.countries)
    assert first["RU"] == 743  # PROVENANCE.md: Russia in 743 Annex IV addresses
    assert (first["UZ"], first["KZ"], first["KG"]) == (5, 4, 2)


def test_kyrgyz_tax_number_is_not_a_russian_inn(by_name: dict[str, ListedEntity]) -> None:
    # registrationNumber "01805202210181 (Tax ID/INN)" of a Bishkek company
    ident = by_name["Muller Markt LLC"].identifiers
    assert [(i.type, i.value, i.country) for i in ident] == [("tax_id", "01805202210181", "KG")]


def test_vessels_have_imo_numbers(eu_list: ParsedList) -> None:
    vessels = [e for e in eu_list.entities if e.schema == "vessel"]
    assert all(any(i.type == "imo" and len(i.value) == 7 for i in e.identifiers) for e in vessels)


def test_input_order_does_not_matter(eu_files: list[Path], eu_list: ParsedList) -> None:
    again = parse(list(reversed(eu_files)))
    assert again.content_hash == eu_list.content_hash
    assert again.entities == eu_list.entities
