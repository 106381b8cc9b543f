"""BIS Denied Persons List and MIEU parsers (transitwatch.lists.bis)."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transitwatch.errors import InputError, ParseError
from transitwatch.lists.bis import (
    guess_schema,
    name_key,
    parse_dpl,
    parse_mieu,
    split_dpl_name,
    stable_id,
)
from transitwatch.lists.model import ListedEntity, ParsedList

DPL_HEADER = (
    "Name\tStreet_Address\tCity\tState\tCountry\tPostal_Code\tEffective_Date\t"
    "Expiration_Date\tStandard_Order\tLast_Update\tAction\tFR_Citation"
)


def _dpl_row(*cells: str) -> str:
    return "\t".join(f'"{c}"' for c in cells)


DPL_ROWS = [
    _dpl_row("Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date",
             "Expiration_Date", "Standard_Order", "Last_Update", "Action", "FR_Citation"),
    _dpl_row(" I. ASH", "FCI SEAGOVILLE, 2113 NORTH HIGHWAY 175", "SEAGOVILLE", "TX", "US", "75159",
             "06/19/2003", "06/29/2056", "Y", "2007-01-31", "FR NOTICE UPDATED", "68 F.R. 38290"),
    _dpl_row("ABDULAH AL NASSER", "605 TRAIL LAKE DRIVE", "RICHARDSON", "TX", "US", "75081",
             "03/04/2002", "06/29/2056", "Y", "2006-07-11", "50 YEAR DENIAL", "67 F.R. 56530"),
    _dpl_row("ABDULAH AL NASSER ", "908 AUDELIA ROAD", "RICHARDSON", "TX", "", "75081",
             "03/04/2002", "06/29/2056", "Y", "2922-09-01", "50 YEAR DENIAL", "67 F.R. 10890"),
    _dpl_row("QUICKSILVER MANUFACTURING, INC.", "1 MAIN ST", "AUSTIN", "TX", "", "78701",
             "08/24/2022", "", "Y", "2022-09-02", "F.R. NOTICE ADDED", "87 F.R. 52741"),
    _dpl_row("SIBERIAN AIRLINES D/B/A S7 AIRLINES", "633104, G. OB", "", "", "", "",
             "06/24/2022", "12/21/2022", "Y", "2022-06-29", "F.R. NOTICE ADDED", "87 F.R. 38709"),
    _dpl_row("STEPHEN EDWARD SMITH", "FCI LA TUNA, P.O. Box 3000", "ANTHONY", "", "NM", "88021",
             "04/06/2018", "04/13/2027", "Y", "2018-04-16", "FR NOTICE ADDED", "83 F.R. 16286"),
    _dpl_row("MITA ZADEH", "P.O. BOX 23973", "1687 NICOSIA", "CY", "", "",
             "08/10/2017", "12/14/2026", "Y", "3017-08-22", "FR NOTICE ADDED", "82 F.R. 39105"),
]  # fmt: skip
DPL_TEXT = "\n".join(DPL_ROWS) + "\n"


def _write(tmp_path: Path, text: str, name: str, *, gz: bool = False) -> Path:
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _by_caption(parsed: ParsedList) -> dict[str, ListedEntity]:
    return {e.caption: e for e in parsed.entities}


@pytest.fixture
def dpl(tmp_path: Path) -> ParsedList:
    return parse_dpl([_write(tmp_path, DPL_TEXT, "dpl.txt.gz", gz=True)])


def test_header_matches_the_real_file() -> None:
    assert DPL_ROWS[0].replace('"', "") == DPL_HEADER


def test_dpl_merges_rows_of_one_party(dpl: ParsedList) -> None:
    assert dpl.source == "us_bis_denied"
    assert len(dpl.entities) == 6  # 7 rows, ABDULAH AL NASSER twice
    nasser = _by_caption(dpl)["ABDULAH AL NASSER"]
    assert [a.full for a in nasser.addresses] == [
        "605 TRAIL LAKE DRIVE, RICHARDSON, TX, 75081, US",
        "908 AUDELIA ROAD, RICHARDSON, TX, 75081",
    ]
    assert nasser.countries == ("US",)
    assert nasser.programs == ("US-BIS-DPL",)
    assert nasser.listed_on == "2002-03-04"
    assert nasser.source_id == stable_id("dpl", "abdulah al-nasser")
    assert (
        nasser.remarks
        == "Denial expires 2056-06-29. Federal Register: 67 F.R. 56530; 67 F.R. 10890."
    )


def test_dpl_fields(dpl: ParsedList) -> None:
    by = _by_caption(dpl)
    assert "I. ASH" in by  # leading space stripped
    assert by["QUICKSILVER MANUFACTURING, INC."].schema == "organization"
    assert by["QUICKSILVER MANUFACTURING, INC."].countries == ("US",)  # blank Country, US State
    siberian = by["SIBERIAN AIRLINES"]
    assert [(n.value, n.kind) for n in siberian.names] == [
        ("SIBERIAN AIRLINES", "primary"),
        ("S7 AIRLINES", "alias"),
    ]
    assert siberian.countries == ()
    assert by["STEPHEN EDWARD SMITH"].countries == ("US",)  # "NM" in Country is a US state
    assert by["MITA ZADEH"].countries == ()


def test_dpl_file_date_ignores_typo_years(dpl: ParsedList) -> None:
    assert dpl.file_date == "2022-09-02"
    assert sum("implausible Last_Update" in w for w in dpl.warnings) == 2
    assert any("State 'CY'" in w for w in dpl.warnings)


def test_dpl_gzip_and_plain_agree(tmp_path: Path, dpl: ParsedList) -> None:
    plain = parse_dpl([_write(tmp_path, DPL_TEXT, "dpl.txt")])
    assert plain.entities == dpl.entities
    assert plain.content_hash == dpl.content_hash


@pytest.mark.parametrize(
    ("text", "match", "row"),
    [
        (DPL_TEXT + '"SHORT ROW"\t"X"\n', "fields", 9),
        ("\n".join(DPL_ROWS).replace("Last_Update", "Updated"), "missing column", 1),
        ("", "empty file", 1),
    ],
)
def test_dpl_errors(tmp_path: Path, text: str, match: str, row: int) -> None:
    path = _write(tmp_path, text, "dpl.txt")
    with pytest.raises(ParseError, match=match) as info:
        parse_dpl([path])
    assert info.value.path == str(path)
    assert info.value.row == row


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("AARON ABRAHAM VILLA", "person"),
        ("ABEL HERNANDEZ, JR.", "person"),
        ("KIM SONG II", "person"),
        ("SI MONG PARK", "person"),
        ("CAPTAIN ELYAZGI", "person"),
        ("QUICKSILVER MANUFACTURING, INC.", "organization"),
        ("RAPID CUT LLC", "organization"),
        ("ENGINEERING CONSTRUCTION & CONTRACTING CO.", "organization"),
        ("GHARE SABZ CO.", "organization"),
        ("SHUTTLE LONG CO, LTD.", "organization"),
        ("ELMONT AG", "organization"),
        ("YARRA ANSTALT A.G.", "organization"),
        ("COTRICOM S.A.", "organization"),
        ("KOTO COMMERCIO IBERICA, S.L.", "organization"),
        ("TECHMA GMBH", "organization"),
        ("PJSC AEROFLOT", "organization"),
        ("NORDIC MARITIME PTE. LTD.", "organization"),
        ("POBEDA AIRLINES", "organization"),
        ("HASA-INVEST", "organization"),
        ("AW-TRONICS LLC", "organization"),
        ("TECHONWEB", "organization"),
        ("SYNAPTIX.NET", "organization"),
        ("SKY BLUE BIRD FZC", "organization"),
        ("AS SAYED ALI", "person"),  # "AS" is a legal form only as the last word
        ("SA YOUNG HO", "person"),
    ],
)
def test_guess_schema(name: str, schema: str) -> None:
    assert guess_schema(name) == schema


_PERSON_WORD = st.sampled_from(
    ["JOHN", "MARIA", "ALI", "HU", "CHEN", "IVANOV", "O'NEAL", "SMITH-JONES", "J.", "JR.", "II"]
)
_LEGAL_SUFFIX = st.sampled_from(
    [" INC", ", INC.", " LLC", " LTD.", " CORP", " CO.", " GMBH", " COMPANY", " LIMITED", " S.A."]
)


@given(words=st.lists(_PERSON_WORD, min_size=1, max_size=5), suffix=_LEGAL_SUFFIX)
def test_legal_form_suffix_makes_an_organization(words: list[str], suffix: str) -> None:
    name = " ".join(words)
    assert guess_schema(name) == "person"
    assert guess_schema(name + suffix) == "organization"
    assert guess_schema((name + suffix).lower()) == "organization"


@given(st.text(max_size=60))
def test_guess_schema_and_id_accept_any_text(text: str) -> None:
    assert guess_schema(text) in ("person", "organization")
    assert stable_id("dpl", text) == stable_id("dpl", f"  {text.lower()} ")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" I. ASH", [("I. ASH", "primary")]),
        ("ANNEXFIELD , LTD.", [("ANNEXFIELD, LTD.", "primary")]),
        ("UTAIR AVIATION JSC,", [("UTAIR AVIATION JSC", "primary")]),
        ("FUYI SUN A/K/A FRANK SUN", [("FUYI SUN", "primary"), ("FRANK SUN", "alias")]),
        ("PEARL (A.K.A. NEI-CHIEN CHU) LI", [("PEARL LI", "primary"), ("NEI-CHIEN CHU", "alias")]),
        ("ACME F/K/A OLD ACME", [("ACME", "primary"), ("OLD ACME", "previous")]),
    ],
)
def test_split_dpl_name(raw: str, expected: list[tuple[str, str]]) -> None:
    assert split_dpl_name(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (" Abdulah  al-Nasser ", "ABDULAH AL NASSER"),
        ("ANNEXFIELD , LTD.", "annexfield ltd"),
        ("Société Générale", "SOCIETE GENERALE"),
        ("Straße", "STRASSE"),
        ("ООО Ромашка", "ооо  ромашка"),
    ],
)
def test_name_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b) != ""


MIEU_TEXT = """Type,Name,Alias,Country,Topics,Program,Date,End date,Source URL
Organization,Main Intelligence Directorate,GRU,RU,export.control,US-BIS-MIEU,2021-03-16,,https://fr.example/1
Organization,Directorate of Military Intelligence,DIM; DI,CU,,US-BIS-MIEU,2021-03-16,2024-01-01,
Organization,Main Intelligence Directorate of Belarus,,BY,export.control,,2022-03-02,,
Spaceship,Unknown Thing,,,,,,,
"""


def test_mieu(tmp_path: Path) -> None:
    parsed = parse_mieu([_write(tmp_path, MIEU_TEXT, "mieu.csv")])
    assert parsed.source == "us_bis_mieu"
    assert parsed.file_date == "2022-03-02"
    gru, dim, by = parsed.entities
    assert (gru.schema, gru.countries, gru.programs) == ("organization", ("RU",), ("US-BIS-MIEU",))
    assert [(n.value, n.kind) for n in gru.names] == [
        ("Main Intelligence Directorate", "primary"),
        ("GRU", "alias"),
    ]
    assert gru.source_id == stable_id("mieu", "Main Intelligence Directorate")
    assert gru.listed_on == "2021-03-16"
    assert gru.remarks == "https://fr.example/1"
    assert [n.value for n in dim.names] == ["Directorate of Military Intelligence", "DIM", "DI"]
    assert dim.remarks == "End date 2024-01-01."
    assert by.programs == ("US-BIS-MIEU",)  # blank Program falls back to the list's program
    assert len(parsed.warnings) == 1 and "Spaceship" in parsed.warnings[0]


def test_mieu_optional_columns_may_be_absent(tmp_path: Path) -> None:
    text = (
        "Type,Name,Alias,Country,Program,Date\nOrganization,X Bureau,,RU,US-BIS-MIEU,2021-01-01\n"
    )
    (entity,) = parse_mieu([_write(tmp_path, text, "mieu.csv")]).entities
    assert (entity.caption, entity.countries, entity.remarks) == ("X Bureau", ("RU",), None)


def test_mieu_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "Type,Name\nOrganization,X\n", "mieu.csv")
    with pytest.raises(ParseError) as info:
        parse_mieu([path])
    assert info.value.field == "Alias"


@settings(max_examples=50)
@given(st.lists(st.text(alphabet='ab\t",\n\r ', max_size=20), max_size=5))
def test_dpl_junk_gives_parse_error_or_result(tmp_path_factory: pytest.TempPathFactory,
                                              lines: list[str]) -> None:  # fmt: skip
    path = tmp_path_factory.mktemp("junk") / "dpl.txt"
    path.write_text(DPL_HEADER + "\n" + "\n".join(lines), encoding="utf-8")
    with contextlib.suppress(ParseError):
        parse_dpl([path])


def test_no_paths() -> None:
    with pytest.raises(InputError):
        parse_dpl([])
    with pytest.raises(InputError):
        parse_mieu([])
