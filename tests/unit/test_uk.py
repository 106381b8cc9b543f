"""UK FCDO sanctions tables parser (transitwatch.lists.uk) and the free-text identifier reader
it uses (transitwatch.lists.idtext), on small tables written here."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from transitwatch.errors import ParseError
from transitwatch.lists.idtext import extract_codes, valid_inn, valid_ogrn
from transitwatch.lists.model import EntityName, Identifier, ListedEntity, ParsedList
from transitwatch.lists.uk import parse, program_name

SUBJECTS = """unique_id,subject_type,un_reference_number,ofsi_group_id,date_designated,last_updated
RUS0001,individual,,12944,31/12/2020,09/04/2025
RUS2723,entity,,16956,20/05/2025,03/09/2025
DPR0075,ship,,,03/10/2017,18/12/2021
BEL0065,entity,,14039,31/12/2020,29/04/2026
"""
NAMES = (
    "name_id,unique_id,name_type,alias_strength,full_name,name_6,name_1,name_2,name_3,name_4,"
    "name_5\n"
    """07652,RUS0001,primary_variation,,Dmitrii Konstantinovich Kiselev,Kiselev,Dmitrii,,,,
07651,RUS0001,primary,,Dmitry  Konstantinovich Kiselyov,Kiselyov,Dmitry,Konstantinovich,,,
07653,RUS0001,alias,low_quality_aka,Dima Kiselyov,Kiselyov,Dima,,,,
07654,RUS0001,alias,good_quality_aka,Dmitrii Konstantinovich Kiselev,Kiselev,,,,,
11691,RUS2723,primary,,Petersburg Settlement Center,Petersburg Settlement Center,,,,,
11692,RUS2723,alias,,JSC PSC,JSC PSC,,,,,
19000,DPR0075,primary,,,RYE SONG GANG 1,,,,,
12000,BEL0065,primary,,LLC Synesis,LLC Synesis,,,,,
99999,XXX0001,primary,,Nobody,Nobody,,,,,
"""
)
DOBS = """dob_id,unique_id,year,month,day,precision,parse_issues
0001,RUS0001,1954,04,26,exact,
0002,RUS0001,1955,,,year_only,"non_numeric_month, non_numeric_day"
0003,RUS0001,1956,07,,month_year,non_numeric_day
"""
IDENTIFIERS = """id,unique_id,ofsi_group_id,raw_value,identifier_type,additional_info
1,DPR0075,,IMO9562233,imo,
2,DPR0075,,IMO9562233,imo,
3,RUS2723,16956,BIN: 1027800000931INN: 7831001704PPC: 784101001,business_registration_numbers,
4,BEL0065,14039,"(УНН/ИНН): 190950894 (Belarus),  7704734000/770301001 (Russia) ",{BRN},
5,RUS0001,12944,'0801 547363,passport,Russia number
6,RUS0001,12944,771401746465,national,Russia INN
7,RUS0001,12944,20645897,national,Counterfeit Danish driving licence.
""".replace("{BRN}", "business_registration_numbers")
COUNTRIES = """id,unique_id,raw_value,country_type,iso,resolution_method,iso_available
1,RUS0001,Russia,nationality,ru,direct,True
2,RUS0001,Russia,nationality,RU,direct,True
3,RUS0001,Ukraine,birth,UA,direct,True
4,RUS2723,Russia,address,RU,direct,True
5,BEL0065,Belarus,address,BY,direct,True
6,BEL0065,Russia,address,,unmapped,False
"""
TABLES = {
    "subjects": SUBJECTS,
    "subject_names": NAMES,
    "subject_dobs": DOBS,
    "subject_identifiers": IDENTIFIERS,
    "subject_countries": COUNTRIES,
}


def write(path: Path, text: str, *, gz: bool = False) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_all(folder: Path, *, gz: bool, names: dict[str, str] | None = None) -> list[Path]:
    """The five tables under arbitrary names (the parser must go by their headers)."""
    names = names or {}
    return [
        write(folder / names.get(role, f"{role}.csv"), text, gz=gz) for role, text in TABLES.items()
    ]


def by_id(parsed: ParsedList) -> dict[str, ListedEntity]:
    return {e.source_id: e for e in parsed.entities}


@pytest.fixture
def parsed(tmp_path: Path) -> ParsedList:
    return parse(write_all(tmp_path, gz=False))


def test_entities_schemas_programs_and_dates(parsed: ParsedList) -> None:
    ents = by_id(parsed)
    assert [e.source_id for e in parsed.entities] == ["RUS0001", "RUS2723", "DPR0075", "BEL0065"]
    assert {k: e.schema for k, e in ents.items()} == {
        "RUS0001": "person",
        "RUS2723": "organization",
        "DPR0075": "vessel",
        "BEL0065": "organization",
    }
    assert ents["RUS0001"].programs == ("UK-RUS (Russia)",)
    assert ents["BEL0065"].programs == ("UK-BEL (Belarus)",)
    assert ents["RUS0001"].listed_on == "2020-12-31"
    assert parsed.file_date == "2026-04-29"
    assert parsed.source == "gb_fcdo_sanctions"


def test_names_kinds_order_and_duplicates(parsed: ParsedList) -> None:
    names = by_id(parsed)["RUS0001"].names
    assert names == (
        EntityName("Dmitry Konstantinovich Kiselyov", "primary", "latin"),
        EntityName("Dmitrii Konstantinovich Kiselev", "alias", "latin"),
        EntityName("Dima Kiselyov", "weak_alias", "latin"),
    )
    # an empty full_name is rebuilt from the name parts
    assert by_id(parsed)["DPR0075"].caption == "RYE SONG GANG 1"


def test_dobs_by_precision(parsed: ParsedList) -> None:
    assert by_id(parsed)["RUS0001"].birth_dates == ("1954-04-26", "1955", "1956-07")


def test_countries_nationality_address_and_birth(parsed: ParsedList) -> None:
    ents = by_id(parsed)
    assert ents["RUS0001"].nationalities == ("RU",)
    assert ents["RUS0001"].countries == ()  # the birth country is not kept
    assert ents["BEL0065"].countries == ("BY", "RU")  # blank iso -> country_code(raw_value)


def test_identifiers(parsed: ParsedList) -> None:
    ents = by_id(parsed)
    assert ents["DPR0075"].identifiers == (Identifier("imo", "9562233"),)
    assert ents["RUS2723"].identifiers == (
        Identifier("ogrn", "1027800000931", "RU", "BIN"),
        Identifier("inn", "7831001704", "RU", "INN"),
        Identifier("kpp", "784101001", "RU", "PPC"),
    )
    assert ents["BEL0065"].identifiers == (
        Identifier("tax_id", "190950894", "BY", "(УНН/ИНН)"),
        Identifier("inn", "7704734000", "RU", None),
        Identifier("kpp", "770301001", "RU", None),
    )
    assert ents["RUS0001"].identifiers == (
        Identifier("passport", "0801 547363", "RU", "Russia number"),
        Identifier("inn", "771401746465", "RU", "Russia INN"),
        Identifier("other", "20645897", None, "Counterfeit Danish driving licence."),
    )


def test_dangling_rows_are_warnings(parsed: ParsedList) -> None:
    assert parsed.warnings == ("subject_names: 1 unique_id(s) not in subjects: XXX0001",)


def test_order_and_compression_do_not_matter(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = parse(write_all(tmp_path / "a", gz=False))
    odd_names = {"subjects": "x.bin", "subject_names": "subjects.csv", "subject_dobs": "y"}
    gz = parse(list(reversed(write_all(tmp_path / "b", gz=True, names=odd_names))))
    assert gz.entities == plain.entities
    assert gz.content_hash == plain.content_hash
    assert gz.files != plain.files


def test_optional_tables_may_be_absent(tmp_path: Path) -> None:
    parsed = parse(
        [
            write(tmp_path / "n.csv", NAMES),
            write(tmp_path / "s.csv.gz", SUBJECTS, gz=True),
        ]
    )
    assert len(parsed.entities) == 4
    assert all(not e.identifiers and not e.birth_dates for e in parsed.entities)


def test_required_table_missing(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="subject_names"):
        parse([write(tmp_path / "s.csv", SUBJECTS)])


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (
            "unique_id,subject_type,ofsi_group_id,date_designated,last_updated",
            "un_reference_number",
        ),
        (
            "unique_id,subject_type,un_reference_number,ofsi_group_id,date_designated,"
            "last_updated,regime",
            "regime",
        ),
        ("uid,kind,designated", "uid"),
    ],
)
def test_bad_header_names_the_field(tmp_path: Path, header: str, field: str) -> None:
    path = write(tmp_path / "s.csv", header + "\n")
    with pytest.raises(ParseError) as err:
        parse([path, write(tmp_path / "n.csv", NAMES)])
    assert err.value.field == field
    assert err.value.path == str(path)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("RUS0009,company,,1,01/01/2020,01/01/2020", "subject_type"),
        (",entity,,1,01/01/2020,01/01/2020", "unique_id"),
        ("RUS0001,entity,,1,01/01/2020,01/01/2020", "unique_id"),  # duplicate
        ("RUS0009,entity,,1,01/01/2020", None),  # a field short
    ],
)
def test_bad_row_gives_row_number(tmp_path: Path, row: str, field: str | None) -> None:
    subjects = write(tmp_path / "s.csv", SUBJECTS + row + "\n")
    with pytest.raises(ParseError) as err:
        parse([subjects, write(tmp_path / "n.csv", NAMES)])
    assert err.value.row == 6
    assert err.value.field == field


def test_unknown_name_type(tmp_path: Path) -> None:
    names = write(tmp_path / "n.csv", NAMES + "1,RUS0001,nickname,,Dimka,,,,,,\n")
    with pytest.raises(ParseError) as err:
        parse([write(tmp_path / "s.csv", SUBJECTS), names])
    assert (err.value.row, err.value.field) == (11, "name_type")


@pytest.mark.parametrize(
    ("unique_id", "program"),
    [
        ("RUS0001", "UK-RUS (Russia)"),
        ("INU0300", "UK-INU (Iran (Nuclear))"),
        ("GHR0186", "UK-GHR (Global Human Rights)"),
        ("ZZZ0001", "UK-ZZZ"),
    ],
)
def test_program_name(unique_id: str, program: str) -> None:
    assert program_name(unique_id) == program


# --- free-text identifiers (transitwatch.lists.idtext) ---------------------------------------

RU = frozenset({"RU"})


@pytest.mark.parametrize(
    ("text", "home", "expected"),
    [
        ("INN: 3849055365", RU, [("inn", "3849055365", "RU")]),
        (
            "OGRN 1027700035769INN 7708004767 OKPO 00044434 ",
            RU,
            [
                ("ogrn", "1027700035769", "RU"),
                ("inn", "7708004767", "RU"),
                ("okpo", "00044434", "RU"),
            ],
        ),
        (
            "Tax ID No. 7735007358 (Russia); Registration Number 1027700073466 (Russia)",
            frozenset(),
            [("inn", "7735007358", "RU"), ("ogrn", "1027700073466", "RU")],
        ),
        (
            "1026604933475 (OGRN), 6660017837 (TIN)",
            RU,
            [("ogrn", "1026604933475", "RU"), ("inn", "6660017837", "RU")],
        ),
        ("1 121 402 000 213", RU, [("ogrn", "1121402000213", "RU")]),  # grouped digits
        ("1027739646164", RU, [("ogrn", "1027739646164", "RU")]),  # valid OGRN checksum
        ("1027739646164", frozenset({"TR"}), [("registration", "1027739646164", None)]),
        ("7725824287 / 772201001 ", RU, [("inn", "7725824287", "RU"), ("kpp", "772201001", "RU")]),
        ("01805202210181 (Tax ID/INN)", frozenset({"KG"}), [("tax_id", "01805202210181", "KG")]),
        ("220340015717 (BIN)", frozenset({"KZ"}), [("tax_id", "220340015717", "KZ")]),
        ("1067746244026 dated 27/07/1992", RU, [("ogrn", "1067746244026", "RU")]),
        ("1360/1995-1996", frozenset({"MM"}), [("registration", "1360/1995-1996", None)]),
        ("'00021503 (KH) ", frozenset(), [("registration", "00021503", "KH")]),
        ("Cr. No. 3203355", frozenset({"AE"}), [("registration", "3203355", None)]),
        (
            "Legal Entity Identifier: 5299008ONRYZRO61SY92",
            frozenset({"DE"}),
            [("lei", "5299008ONRYZRO61SY92", None)],
        ),
        (
            "Unified Social Credit Code - 91320505MA1WT5KL9D",
            frozenset(),
            [("registration", "91320505MA1WT5KL9D", None)],
        ),
        ("GZYRFN8ZAFH9", frozenset(), [("registration", "GZYRFN8ZAFH9", None)]),
        ("no number at all", frozenset(), [("registration", "no number at all", None)]),
    ],
)
def test_extract_codes(
    text: str, home: frozenset[str], expected: list[tuple[str, str, str | None]]
) -> None:
    found = extract_codes(text, default="registration", home=home)
    assert [(i.type, i.value, i.country) for i in found] == expected


def test_extract_codes_occupied_ukraine() -> None:
    ua = frozenset({"UA"})
    # Crimean company (INN region 91): a Russian INN although the address resolves to UA
    assert extract_codes("9102006047", default="tax_id", home=ua)[0].type == "inn"
    # a Ukrainian personal tax number stays a tax_id
    assert extract_codes("1938008353 (Ukraine)", default="tax_id", home=ua)[0] == Identifier(
        "tax_id", "1938008353", "UA", None
    )


def test_checksums() -> None:
    assert valid_inn("7707083893") and valid_inn("500100732259")
    assert not valid_inn("7707083894") and not valid_inn("123")
    assert valid_ogrn("1027700132195") and valid_ogrn("304500116000157")
    assert not valid_ogrn("1027700132196")
