"""EU Official Journal annex CSV parser (transitwatch.lists.eu), on small files written here."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from transitwatch.errors import ParseError
from transitwatch.lists.eu import (
    COLUMNS,
    birth_dates,
    documents,
    name_variants,
    nationalities,
    parse,
    split_cell,
)
from transitwatch.lists.model import Address, EntityName, Identifier, ListedEntity, ParsedList

AKSYONOV = {
    "celex": "32014R0269",
    "recordId": "1",
    "programKey": "EU-UKR",
    "annex": "I.PERSONS",
    "measure": "Asset freeze",
    "startDate": "17.3.2014",
    "reason": "Aksyonov was elected 'Prime Minister of Crimea'.",
    "schema": "Person",
    "name": "Sergey Valeryevich AKSYONOV",
    "alias": "Sergei Valerievich AKSENOV (Сергей Валерьевич АКСЁНОВ); "
    "Serhiy Valeriyovych AKSYONOV (Сергiй Валерiйович АКСЬОНОВ)",
    "nationality": "Ukrainian, Russian",
    "birthDate": "26.11.1972",
    "taxNumber": "910200012345; 9102006047",
}
MULLER = {
    "celex": "32014R0833",
    "recordId": "642",
    "programKey": "EU-RUS",
    "annex": "IV",
    "measure": "Export control",
    "startDate": "25.6.2024",
    "schema": "LegalEntity",
    "name": "Muller Markt LLC",
    "alias": "Общество с Ограниченной Ответственностью «Мюллер Маркт» (ООО «Мюллер Маркт»); "
    "Müller Markt",
    "registrationNumber": "01805202210181 (Tax ID/INN)",
    "address": '"Bishkek, Leninsky District; 3rd Floor, Kyrgyz Republic"; '
    "720005, Bishkek, Fatyanova Str., 43, Kyrgyz Republic",
}
# The same designation again, from another file: rows sharing celex/annex/recordId merge.
MULLER_AGAIN = {
    **MULLER,
    "startDate": "23.2.2024",
    "alias": '"OOO ""Myuller; Markt"""',  # a value with ";" and '"' is quoted in the cell
    "weakAlias": "Muller",
    "previousName": "Muller Market LLC",
    "address": "",
}
VESSEL = {
    "celex": "32014R0833",
    "recordId": "1",
    "programKey": "EU-RUS",
    "annex": "XLII",
    "measure": "Transportation restrictions",
    "startDate": "24 May 2026",
    "schema": "Vessel",
    "name": "SIG",
    "imoNumber": "9281669",
    "flag": "Panama",
}
BANK = {
    "celex": "32014R0833",
    "recordId": "",
    "programKey": "EU-RUS",
    "annex": "XIV",
    "measure": "Transaction ban",
    "schema": "Company",
    "name": "Central Bank of Russia",
    "ogrnCode": "1037700013020",
    "innCode": "7702235133, KPP 770201001",
    "country": "Russia",
}


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def write(path: Path, rows: list[dict[str, str]], *, gz: bool = False) -> Path:
    data = csv_text(rows).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def by_id(parsed: ParsedList) -> dict[str, ListedEntity]:
    return {e.source_id: e for e in parsed.entities}


@pytest.fixture
def parsed(tmp_path: Path) -> ParsedList:
    return parse(
        [
            write(tmp_path / "a.csv.gz", [AKSYONOV, MULLER], gz=True),
            write(tmp_path / "b.csv", [VESSEL, MULLER_AGAIN, BANK]),
        ]
    )


def test_keys_schemas_and_programs(parsed: ParsedList) -> None:
    ents = by_id(parsed)
    assert {k: e.schema for k, e in ents.items()} == {
        "32014R0269/I.PERSONS/1": "person",
        "32014R0833/IV/642": "organization",
        "32014R0833/XLII/1": "vessel",
        "32014R0833/XIV/central-bank-of-russia": "organization",
    }
    assert ents["32014R0833/IV/642"].programs == ("EU-RUS Annex IV",)
    assert parsed.file_date is None
    assert parsed.source == "eu_journal_sanctions"
    assert parsed.warnings == ()


def test_latin_cyrillic_aliases_split(parsed: ParsedList) -> None:
    names = by_id(parsed)["32014R0269/I.PERSONS/1"].names
    assert names == (
        EntityName("Sergey Valeryevich AKSYONOV", "primary", "latin"),
        EntityName("Sergei Valerievich AKSENOV", "alias", "latin"),
        EntityName("Сергей Валерьевич АКСЁНОВ", "alias", "cyrillic"),
        EntityName("Serhiy Valeriyovych AKSYONOV", "alias", "latin"),
        EntityName("Сергiй Валерiйович АКСЬОНОВ", "alias", "cyrillic"),
    )


def test_person_facts(parsed: ParsedList) -> None:
    person = by_id(parsed)["32014R0269/I.PERSONS/1"]
    assert person.birth_dates == ("1972-11-26",)
    assert person.nationalities == ("UA", "RU")
    assert person.listed_on == "2014-03-17"
    assert person.remarks == "Aksyonov was elected 'Prime Minister of Crimea'."
    assert [(i.type, i.value) for i in person.identifiers] == [
        ("tax_id", "910200012345"),  # fails the INN checksum
        ("inn", "9102006047"),
    ]


def test_repeated_record_merges(parsed: ParsedList) -> None:
    muller = by_id(parsed)["32014R0833/IV/642"]
    assert [(n.value, n.kind) for n in muller.names] == [
        ("Muller Markt LLC", "primary"),
        ("Общество с Ограниченной Ответственностью «Мюллер Маркт»", "alias"),
        ("ООО «Мюллер Маркт»", "alias"),
        ("Müller Markt", "alias"),
        ('OOO "Myuller; Markt"', "alias"),  # quoted value with ";" inside the cell
        ("Muller", "weak_alias"),
        ("Muller Market LLC", "previous"),
    ]
    assert muller.listed_on == "2024-02-23"  # the earliest start date
    assert muller.countries == ("KG",)
    assert muller.addresses == (
        Address("Bishkek, Leninsky District; 3rd Floor, Kyrgyz Republic", "KG"),
        Address("720005, Bishkek, Fatyanova Str., 43, Kyrgyz Republic", "KG"),
    )
    assert muller.identifiers == (Identifier("tax_id", "01805202210181", "KG", "Tax ID/INN"),)


def test_vessel_and_russian_codes(parsed: ParsedList) -> None:
    ents = by_id(parsed)
    vessel = ents["32014R0833/XLII/1"]
    assert vessel.identifiers == (Identifier("imo", "9281669"),)
    assert vessel.countries == ("PA",)
    assert vessel.listed_on == "2026-05-24"
    bank = ents["32014R0833/XIV/central-bank-of-russia"]
    assert bank.identifiers == (
        Identifier("inn", "7702235133", "RU", None),
        Identifier("kpp", "770201001", "RU", "KPP"),
        Identifier("ogrn", "1037700013020", "RU", None),
    )
    assert bank.countries == ("RU",)


def test_file_order_and_compression_do_not_matter(tmp_path: Path, parsed: ParsedList) -> None:
    again = parse(
        [
            write(tmp_path / "x", [VESSEL, MULLER_AGAIN, BANK], gz=True),
            write(tmp_path / "y", [AKSYONOV, MULLER]),
        ]
    )
    assert again.content_hash == parsed.content_hash
    assert again.entities == parsed.entities


@pytest.mark.parametrize(
    ("cell", "values"),
    [
        ("", []),
        ("a; b;c", ["a", "b", "c"]),
        ('"Smith; John"; J. Smith', ["Smith; John", "J. Smith"]),
        ('JSC “325 ARP”; "JSC ""Plant""; a"', ["JSC “325 ARP”", 'JSC "Plant"; a']),
        ("  spaced   out ;  ", ["spaced out"]),
    ],
)
def test_split_cell(cell: str, values: list[str]) -> None:
    assert split_cell(cell) == values


@pytest.mark.parametrize(
    ("printed", "is_person", "variants"),
    [
        (
            "Dmitry Nikolayevich KOZAK (Дмитрий Николаевич КОЗАК)",
            True,
            [
                "Dmitry Nikolayevich KOZAK",
                "Дмитрий Николаевич КОЗАК",
            ],
        ),
        ("Viktar SHEIMAN (Viktar SHEYMAN)", True, ["Viktar SHEIMAN", "Viktar SHEYMAN"]),
        (
            "Maxim Aliaksandravich GAMOLA (HAMOLA)",
            True,
            [
                "Maxim Aliaksandravich GAMOLA",
                "Maxim Aliaksandravich HAMOLA",
            ],
        ),
        ("Yanina Okhota (KOZHEMYAKO)", True, ["Yanina Okhota (KOZHEMYAKO)"]),
        (
            "Design and Manufacturing of Aircraft Engines (DAMA)",
            False,
            [
                "Design and Manufacturing of Aircraft Engines",
                "DAMA",
            ],
        ),
        (
            "JSC ‘SPA “Impuls”’ (JSC ‘SPA’) (JSC ‘Impulse’)",
            False,
            [
                "JSC ‘SPA “Impuls”’",
                "JSC ‘SPA’",
                "JSC ‘Impulse’",
            ],
        ),
        ("Iury (Yuri) Leonidovich SIVAKOV", True, ["Iury (Yuri) Leonidovich SIVAKOV"]),
        ("(only a group)", False, ["(only a group)"]),
    ],
)
def test_name_variants(printed: str, is_person: bool, variants: list[str]) -> None:
    assert name_variants(printed, is_person) == variants


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("7.2.1956", ["1956-02-07"]),
        ("1966", ["1966"]),
        ("18.1.1970 or 29.3.1965", ["1970-01-18", "1965-03-29"]),
        ("28.01 1966", ["1966-01-28"]),
        ("7.10.1952 POB: Leningrad", ["1952-10-07"]),
        ("(year unknown)", []),
    ],
)
def test_birth_dates(text: str, dates: list[str]) -> None:
    assert birth_dates(text) == dates


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Russian", ["RU"]),
        ("Ukrainian, Russian (the Union does not recognise passports)", ["UA", "RU"]),
        ("Russian and Belarusian", ["RU", "BY"]),
        ("Belarussian", ["BY"]),
        ("of the Republic of Moldova", ["MD"]),
    ],
)
def test_nationalities(text: str, codes: list[str]) -> None:
    assert nationalities(text) == codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "MP 3413113 and MP 2387911",
            [("passport", "MP 3413113", None, None), ("passport", "MP 2387911", None, None)],
        ),
        ("22EKO1347 (France)", [("passport", "22EKO1347", "FR", None)]),
        (
            "3914864377, issued on 10.4.2015",
            [("passport", "3914864377", None, "issued on 10.4.2015")],
        ),
        (
            "National ID No. 781005202108",
            [("national_id", "781005202108", None, "National ID No.")],
        ),
    ],
)
def test_documents(text: str, expected: list[tuple[str, str, str | None, str | None]]) -> None:
    assert [(i.type, i.value, i.country, i.note) for i in documents(text, "passport")] == expected


def test_bad_header_names_the_field(tmp_path: Path) -> None:
    missing = tmp_path / "m.csv"
    missing.write_text(csv_text([MULLER], tuple(c for c in COLUMNS if c != "recordId")))
    with pytest.raises(ParseError) as err:
        parse([missing])
    assert (err.value.path, err.value.field) == (str(missing), "recordId")
    extra = tmp_path / "e.csv"
    extra.write_text(csv_text([MULLER], (*COLUMNS, "remarks")))
    with pytest.raises(ParseError) as err:
        parse([extra])
    assert err.value.field == "remarks"


@pytest.mark.parametrize(
    ("row", "field"),
    [({**VESSEL, "schema": "Spaceship"}, "schema"), ({**VESSEL, "name": " "}, "name")],
)
def test_bad_row_gives_row_number(tmp_path: Path, row: dict[str, str], field: str) -> None:
    with pytest.raises(ParseError) as err:
        parse([write(tmp_path / "f.csv", [MULLER, row])])
    assert (err.value.row, err.value.field) == (3, field)


def test_short_row(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(csv_text([MULLER]) + "32014R0833,1,EU-RUS\n")
    with pytest.raises(ParseError) as err:
        parse([path])
    assert err.value.row == 3


def test_asset_rows_warn(tmp_path: Path) -> None:
    port = {**VESSEL, "annex": "XLVII.A", "schema": "Asset", "name": "Ust-Luga", "imoNumber": ""}
    parsed = parse([write(tmp_path / "f.csv", [port])])
    assert parsed.entities[0].schema == "organization"
    assert len(parsed.warnings) == 1 and "Asset" in parsed.warnings[0]
