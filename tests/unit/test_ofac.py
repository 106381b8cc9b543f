"""Unit tests for the OFAC legacy-CSV parser (transitwatch.lists.ofac / ofac_remarks).

Every fixture is written here, in OFAC's own layout: no header, CRLF, ``-0- `` nulls and a
final ``\\x1a`` byte; the remarks strings are copied from sdn.csv of 2024-07-02.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest

from transitwatch.errors import ParseError
from transitwatch.lists.model import Address, Identifier, Link, ListedEntity
from transitwatch.lists.ofac import parse_cons, parse_sdn
from transitwatch.lists.ofac_remarks import parse_dob, parse_identifier, parse_remarks
from transitwatch.lists.sources import get_source

NULL = "-0- "

KOLBAYEV_REMARKS = (
    "DOB 03 Aug 1974; alt. DOB 01 Jan 1973; POB Cholpon-Ata, Kyrgyzstan; nationality Kyrgyzstan; "
    "Gender Male; Passport AC2499982 (Kyrgyzstan); alt. Passport AC732709 (Kyrgyzstan); "
    "Identification Number 20308197410028 (Kyrgyzstan); alt. Identification Number 1002001 "
    "(Kyrgyzstan); a.k.a. 'KAMCHI BISHKEKSKIY'; a.k.a. 'KOLYA-KYRGYZ'; Linked To: THIEVES-IN-LAW."
)
RM_DESIGN_REMARKS = (
    "Organization Established Date 17 Mar 2022; Tax ID No. 01703202210110 (Kyrgyzstan)."
)
MIB_REMARKS = (
    "SWIFT/BIC MINNRUMM; BIK (RU) 044525600; Organization Established Date 22 Nov 1990; "
    "Target Type Financial Institution; Tax ID No. 7725039953 (Russia); Government Gazette "
    "Number 09317135 (Russia); Legal Entity Number 2534006SJ05GGKETEY75 (Russia); Registration "
    "Number 1027739179160 (Russia)."
)
TANGO_REMARKS = (
    "Vessel Registration Identification IMO 1010703; MMSI 518100626; "
    "Linked To: VEKSELBERG, Viktor Feliksovich."
)
P4_MIS_REMARKS = (
    "Aircraft Manufacture Date 31 May 2007; Aircraft Model Airbus A319-115; Aircraft "
    "Manufacturer's Serial Number (MSN) 3133; Aircraft Tail Number P4-MIS; "
    "Linked To: VEKSELBERG, Viktor Feliksovich."
)


def _q(value: str | None) -> str:
    return NULL if value is None else '"' + value.replace('"', '""') + '"'


def prim(
    ent: int,
    name: str,
    sdn_type: str | None = None,
    program: str | None = "SDGT",
    remarks: str | None = None,
    *,
    flag: str | None = None,
) -> str:
    """One sdn.csv row: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
    Tonnage, GRT, Vess_flag, Vess_owner, Remarks."""
    cells = [str(ent), _q(name), _q(sdn_type), _q(program)] + [NULL] * 5
    return ",".join([*cells, _q(flag), NULL, _q(remarks)])


def alt(ent: int, alt_num: int, alt_type: str, name: str, alt_remarks: str | None = None) -> str:
    return f"{ent},{alt_num},{_q(alt_type)},{_q(name)},{_q(alt_remarks)}"


def add(ent: int, add_num: int, street: str | None, city: str | None, country: str | None) -> str:
    return f"{ent},{add_num},{_q(street)},{_q(city)},{_q(country)},{NULL}"


def comment(ent: int, text: str) -> str:
    return f"{ent},{_q(text)}"


def write(
    folder: Path,
    name: str,
    lines: list[str],
    *,
    gz: bool = False,
    crlf: bool = True,
    eof: str | None = "\x1a",
) -> Path:
    """Write lines as OFAC does: CRLF, a final DOS end-of-file byte, optionally gzip."""
    newline = "\r\n" if crlf else "\n"
    text = "".join(line + newline for line in lines) + (eof or "")
    data = text.encode("utf-8")
    path = folder / name
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


PRIMARY_ROWS = [
    prim(12625, "KOLBAYEV, Kamchybek Asanbekovich", "individual", "SDNTK] [TCO", KOLBAYEV_REMARKS),
    prim(23223, "THIEVES-IN-LAW", None, "TCO"),
    prim(44000, "LLC RM DESIGN AND DEVELOPMENT", None, "RUSSIA-EO14024", RM_DESIGN_REMARKS),
    prim(37000, "JOINT STOCK COMPANY MOSCOW INDUSTRIAL BANK", None, "RUSSIA-EO14024", MIB_REMARKS),
    prim(35740, "TANGO", "vessel", "RUSSIA-EO14024", TANGO_REMARKS, flag="Cook Islands"),
    prim(35280, "P4-MIS", "aircraft", "RUSSIA-EO14024", P4_MIS_REMARKS),
    prim(35000, "VEKSELBERG, Viktor Feliksovich", "individual", "RUSSIA-EO14024] [CYBER2"),
]
ALT_ROWS = [
    alt(44000, 68034, "aka", "RM DESIGN&DEVELOPMENT"),
    alt(44000, 68035, "aka", "OSOO RM DIZAYN AND DEVELOPMENT"),
    alt(12625, 9001, "fka", "KOLBAEV, Kamchibek"),
    alt(12625, 9002, "aka", "kolbayev, kamchybek asanbekovich"),  # a case variant: dropped
    alt(37000, 9003, "nka", "MOSCOW INDUSTRIAL BANK PJSC"),
    alt(37000, 9004, "aka", "MIB", "low quality a.k.a."),
]
ADD_ROWS = [
    add(44000, 65493, "Chyngyza Atymatova Str., 303", "Bishkek 720016", "Kyrgyzstan"),
    add(37000, 1, "Ul. Ordzhonikidze, D. 5", "Moscow 115419", "Russia"),
    add(37000, 2, None, None, "Cyprus"),  # country only: a country, not an address
    add(12625, 3, None, None, None),
]


@pytest.fixture
def sdn_files(tmp_path: Path) -> dict[str, Path]:
    return {
        "primary": write(tmp_path, "sdn_2024-07-02.csv", PRIMARY_ROWS),
        "alt": write(tmp_path, "alt.csv", ALT_ROWS),
        "add": write(tmp_path, "add.csv", ADD_ROWS),
    }


def by_id(entities: tuple[ListedEntity, ...]) -> dict[str, ListedEntity]:
    return {e.source_id: e for e in entities}


# --- file roles, formats --------------------------------------------------------------------


@pytest.mark.parametrize("order", list(itertools.permutations(["primary", "alt", "add"])))
def test_roles_are_recognised_by_content_in_any_order(
    sdn_files: dict[str, Path], order: tuple[str, ...]
) -> None:
    parsed = parse_sdn([sdn_files[role] for role in order])
    assert parsed.source == "us_ofac_sdn"
    assert len(parsed.entities) == len(PRIMARY_ROWS)
    assert parsed.files == tuple(str(sdn_files[r]) for r in ("primary", "alt", "add"))
    assert parsed.warnings == ()
    rm = by_id(parsed.entities)["44000"]
    assert [n.value for n in rm.names][1:] == [
        "RM DESIGN&DEVELOPMENT",
        "OSOO RM DIZAYN AND DEVELOPMENT",
    ]


def test_misleading_names_and_gzip_do_not_matter(tmp_path: Path) -> None:
    # The primary file is called alt.csv.gz but is plain text; the aliases are gzip in "sdn.csv".
    primary = write(tmp_path, "alt.csv.gz", PRIMARY_ROWS)
    aliases = write(tmp_path, "sdn.csv", ALT_ROWS, gz=True)
    addresses = write(tmp_path, "comments.txt", ADD_ROWS, gz=True)
    parsed = parse_sdn([aliases, addresses, primary])
    assert parsed.files == (str(primary), str(aliases), str(addresses))
    assert len(by_id(parsed.entities)["44000"].names) == 3
    assert parsed.file_date is None  # no YYYY-MM-DD in the primary file's name


def test_content_hash_is_independent_of_order_and_compression(tmp_path: Path) -> None:
    plain = [
        write(tmp_path, "p.csv", PRIMARY_ROWS),
        write(tmp_path, "a.csv", ALT_ROWS),
    ]
    packed = [
        write(tmp_path, "a.csv.gz", ALT_ROWS, gz=True),
        write(tmp_path, "p.csv.gz", PRIMARY_ROWS, gz=True),
    ]
    first, second = parse_sdn(plain), parse_sdn(packed)
    assert first.content_hash == second.content_hash
    assert first.entities == second.entities
    assert parse_sdn(plain[:1]).content_hash != first.content_hash


@pytest.mark.parametrize(
    ("header", "crlf", "eof"),
    [
        (None, True, "\x1a"),
        ("ent_num,alt_num,alt_type,alt_name,alt_remarks", True, "\x1a,,,,"),  # alt_2024-09-25
        ("ent_num,alt_num,alt_type,alt_name,alt_remarks", False, None),
        (None, False, "\x1a\r\n"),
    ],
)
def test_header_line_endings_and_dos_eof(
    tmp_path: Path, header: str | None, crlf: bool, eof: str | None
) -> None:
    # Like the re-saved alt file of 2024-09-25: quotes only where needed.
    rows = [
        "44000,68034,aka,RM DESIGN&DEVELOPMENT,-0- ",
        '12625,9001,fka,"KOLBAEV, Kamchibek",-0- ',
    ]
    aliases = write(tmp_path, "alt.csv", ([header] if header else []) + rows, crlf=crlf, eof=eof)
    primary = write(tmp_path, "sdn.csv", PRIMARY_ROWS, crlf=crlf, eof=eof)
    parsed = parse_sdn([aliases, primary])
    assert parsed.warnings == ()
    ents = by_id(parsed.entities)
    assert ents["44000"].names[1].value == "RM DESIGN&DEVELOPMENT"
    assert ents["12625"].names[2].value == "KOLBAEV, Kamchibek"


def test_content_after_dos_eof_is_reported(tmp_path: Path) -> None:
    primary = write(tmp_path, "sdn.csv", PRIMARY_ROWS, eof='\x1a99999,"LOST"')
    parsed = parse_sdn([primary])
    assert len(parsed.entities) == len(PRIMARY_ROWS)
    assert len(parsed.warnings) == 1
    assert "after the DOS end-of-file byte" in parsed.warnings[0]


def test_empty_optional_file_is_ignored_with_a_warning(tmp_path: Path) -> None:
    primary = write(tmp_path, "sdn.csv", PRIMARY_ROWS)
    empty = write(tmp_path, "add.csv", [])
    parsed = parse_sdn([empty, primary])
    assert parsed.files == (str(primary), str(empty))
    assert parsed.warnings == (f"{empty}: no data rows; file ignored",)


def test_file_date_comes_from_the_primary_file_name(sdn_files: dict[str, Path]) -> None:
    assert parse_sdn(list(sdn_files.values())).file_date == "2024-07-02"


def test_parse_cons_uses_the_same_layout(tmp_path: Path) -> None:
    primary = write(
        tmp_path,
        "cons_prim.csv",
        [prim(9639, "HANIYA, Ismail Abdul Salah", "individual", "NS-PLC", "DOB 1962; POB Shati.")],
    )
    aliases = write(tmp_path, "cons_alt.csv", [alt(9639, 9150, "aka", "HANIYA, Ismail")])
    parsed = parse_cons([aliases, primary])
    assert parsed.source == "us_ofac_cons"
    (entity,) = parsed.entities
    assert entity.source == "us_ofac_cons"
    assert entity.birth_dates == ("1962",)
    assert [n.value for n in entity.names] == [
        "HANIYA, Ismail Abdul Salah",
        "Ismail Abdul Salah HANIYA",
        "HANIYA, Ismail",
        "Ismail HANIYA",
    ]


def test_registry_points_at_these_parsers() -> None:
    assert get_source("us_ofac_sdn").parser() is parse_sdn
    assert get_source("us_ofac_cons").parser() is parse_cons


# --- primary fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sdn_type", "schema"),
    [
        ("individual", "person"),
        ("vessel", "vessel"),
        ("aircraft", "aircraft"),
        (None, "organization"),
    ],
)
def test_sdn_type_to_schema(tmp_path: Path, sdn_type: str | None, schema: str) -> None:
    parsed = parse_sdn([write(tmp_path, "sdn.csv", [prim(1, "X, Y", sdn_type)])])
    assert parsed.entities[0].schema == schema


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("SDNTK] [TCO", ("SDNTK", "TCO")),
        ("RUSSIA-EO14024", ("RUSSIA-EO14024",)),
        ("UKRAINE-EO13662] [RUSSIA-EO14024", ("UKRAINE-EO13662", "RUSSIA-EO14024")),
        ("[SDGT] [IRGC]", ("SDGT", "IRGC")),
        ("CAATSA - RUSSIA", ("CAATSA - RUSSIA",)),
        (None, ()),
    ],
)
def test_program_split(tmp_path: Path, program: str | None, expected: tuple[str, ...]) -> None:
    parsed = parse_sdn([write(tmp_path, "sdn.csv", [prim(1, "ACME", None, program)])])
    assert parsed.entities[0].programs == expected


def test_nulls_are_read_as_absent(tmp_path: Path) -> None:
    # "-0- " with its trailing space, and a bare "-0-", in every optional column.
    row = '7,"ACME LTD",-0- ,-0-,-0- ,-0- ,-0-,-0- ,-0- ,-0- ,-0- ,-0- '
    (entity,) = parse_sdn([write(tmp_path, "sdn.csv", [row])]).entities
    assert entity.schema == "organization"
    assert entity.programs == ()
    assert entity.remarks is None
    assert entity.names[0].value == "ACME LTD"


def test_person_names_natural_order_aliases_and_dedup(sdn_files: dict[str, Path]) -> None:
    ents = by_id(parse_sdn(list(sdn_files.values())).entities)
    assert [(n.value, n.kind) for n in ents["12625"].names] == [
        ("KOLBAYEV, Kamchybek Asanbekovich", "primary"),
        ("Kamchybek Asanbekovich KOLBAYEV", "primary"),
        ("KOLBAEV, Kamchibek", "previous"),  # fka
        ("Kamchibek KOLBAEV", "previous"),
        ("KAMCHI BISHKEKSKIY", "alias"),  # a.k.a. in remarks
        ("KOLYA-KYRGYZ", "alias"),
    ]
    assert ents["12625"].caption == "KOLBAYEV, Kamchybek Asanbekovich"
    # Organisations are not reordered; nka (now known as) -> alias; low-quality alias -> weak_alias.
    assert [(n.value, n.kind) for n in ents["37000"].names] == [
        ("JOINT STOCK COMPANY MOSCOW INDUSTRIAL BANK", "primary"),
        ("MOSCOW INDUSTRIAL BANK PJSC", "alias"),
        ("MIB", "weak_alias"),
    ]
    assert all(n.script == "latin" for e in ents.values() for n in e.names)


# --- remarks ---------------------------------------------------------------------------------

_FACTS = [
    # (remarks, attribute of RemarkFacts, expected value)
    (KOLBAYEV_REMARKS, "birth_dates", ["1974-08-03", "1973-01-01"]),
    (KOLBAYEV_REMARKS, "nationalities", ["KG"]),
    (
        KOLBAYEV_REMARKS,
        "identifiers",
        [
            Identifier("passport", "AC2499982", "KG"),
            Identifier("passport", "AC732709", "KG"),
            Identifier("national_id", "20308197410028", "KG"),
            Identifier("national_id", "1002001", "KG"),
        ],
    ),
    (KOLBAYEV_REMARKS, "aliases", [("KAMCHI BISHKEKSKIY", "alias"), ("KOLYA-KYRGYZ", "alias")]),
    (KOLBAYEV_REMARKS, "links", ["THIEVES-IN-LAW."]),
    (RM_DESIGN_REMARKS, "birth_dates", []),  # Organization Established Date is not a DOB
    (RM_DESIGN_REMARKS, "identifiers", [Identifier("tax_id", "01703202210110", "KG")]),
    (
        MIB_REMARKS,
        "identifiers",
        [
            Identifier("swift", "MINNRUMM"),
            Identifier("inn", "7725039953", "RU"),
            Identifier("okpo", "09317135", "RU"),
            Identifier("lei", "2534006SJ05GGKETEY75", "RU"),
            Identifier("ogrn", "1027739179160", "RU"),
        ],
    ),
    (
        TANGO_REMARKS,
        "identifiers",
        [Identifier("imo", "1010703"), Identifier("mmsi", "518100626")],
    ),
    (TANGO_REMARKS, "links", ["VEKSELBERG, Viktor Feliksovich."]),
    (
        P4_MIS_REMARKS,
        "identifiers",
        [
            Identifier("aircraft_serial", "3133"),
            Identifier("registration", "P4-MIS", None, "aircraft tail number"),
        ],
    ),
    (
        "DOB circa 1979-1982; alt. DOB 1982; nationality Somalia",
        "birth_dates",
        ["1979", "1980", "1981", "1982"],
    ),
    ("DOB 1951 to 1953; alt. DOB Apr 1961", "birth_dates", ["1951", "1952", "1953", "1961-04"]),
    ("DOB circa 07 Jul 1966", "birth_dates", ["1966-07-07"]),
    ("DOB 01 Jan 1970 to 31 Dec 1970", "birth_dates", ["1970"]),
    ("DOB Mar 1962 to Feb 1963; POB Isfahan Province", "birth_dates", ["1962", "1963"]),
    ("citizen Saudi Arabia.", "nationalities", ["SA"]),
    ("nationality Egypt; alt. nationality Germany.", "nationalities", ["EG", "DE"]),
    ("nationality possibly Palestinian", "nationalities", ["PS"]),
    ("nationality Korea, North", "nationalities", ["KP"]),
    ("Citizen's Card Number 211226197812154256 (China)", "nationalities", []),
    ("Tax ID No. 773407989940 (Russia).", "identifiers", [Identifier("inn", "773407989940", "RU")]),
    ("Tax ID No. 770501001 (Russia)", "identifiers", [Identifier("tax_id", "770501001", "RU")]),
    (
        "Tax ID No. 52-1943868 (United States)",
        "identifiers",
        [Identifier("tax_id", "52-1943868", "US")],
    ),
    (
        "Registration Number 318774600466561 (Russia)",
        "identifiers",
        [Identifier("ogrn", "318774600466561", "RU")],
    ),
    (
        "Registration Number 02696754 (United Kingdom)",
        "identifiers",
        [Identifier("registration", "02696754", "GB")],
    ),
    (
        "Registration ID 0505535000804 (Thailand) issued 28 Feb 1992.",
        "identifiers",
        [Identifier("registration", "0505535000804", "TH")],
    ),
    (
        "National ID No. D489833(9) (Hong Kong)",
        "identifiers",
        [Identifier("national_id", "D489833(9)", "HK")],
    ),
    (
        "National ID No. 3603251708570001",
        "identifiers",
        [Identifier("national_id", "3603251708570001")],
    ),
    (
        "alt. Passport G 649385 issued 08 Sep 2006 expires 17 Jul 2011.",
        "identifiers",
        [Identifier("passport", "G 649385")],
    ),
    (
        "Vessel Registration Identification IMO  8730455",
        "identifiers",
        [Identifier("imo", "8730455")],
    ),
    ("Identification Number IMO 5342883.", "identifiers", [Identifier("imo", "5342883")]),
    (
        "Company Number IMO 5055293.",
        "identifiers",
        [Identifier("imo", "5055293", None, "IMO company number")],
    ),
    ("Passport issued in Sarajevo, Bosnia-Herzegovina", "identifiers", []),
    ("a.k.a. 'BNC'.", "aliases", [("BNC", "alias")]),
    ("f.k.a. 'ANA I'; n.k.a. 'ANA II'", "aliases", [("ANA I", "previous"), ("ANA II", "alias")]),
    (
        "a.k.a. 'LORD'S RESISTANCE ARMY'; Gender Male",
        "aliases",
        [("LORD'S RESISTANCE ARMY", "alias")],
    ),
    ("Gender Male; a.k.a. 'WHOIS HACKIN", "aliases", []),  # cut by the 1,000-character limit
    ("Linked To: SAAVEDRA Y CIA. S. EN C.", "links", ["SAAVEDRA Y CIA. S. EN C."]),
    (None, "identifiers", []),
]


@pytest.mark.parametrize(("remarks", "attr", "expected"), _FACTS)
def test_remarks_facts(remarks: str | None, attr: str, expected: object) -> None:
    assert getattr(parse_remarks(remarks), attr) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03 Aug 1974", ["1974-08-03"]),
        ("1946.", ["1946"]),
        ("Sep 1938", ["1938-09"]),
        ("circa 1951", ["1951"]),
        ("1960 to 1962", ["1960", "1961", "1962"]),
        ("26 Sep 1946 to 07 Dec 1946", ["1946"]),
        ("1900 to 1990", []),  # not a plausible range
        ("unknown", []),
    ],
)
def test_parse_dob(text: str, expected: list[str]) -> None:
    assert parse_dob(text) == expected


def test_unknown_label_is_not_an_identifier() -> None:
    assert parse_identifier("Website www.example.com") is None
    assert parse_identifier("POB Cholpon-Ata, Kyrgyzstan") is None


def test_entity_facts_end_to_end(sdn_files: dict[str, Path]) -> None:
    ents = by_id(parse_sdn(list(sdn_files.values())).entities)
    kolbayev = ents["12625"]
    assert kolbayev.birth_dates == ("1974-08-03", "1973-01-01")
    assert kolbayev.nationalities == ("KG",)
    assert kolbayev.countries == ("KG",)
    assert kolbayev.programs == ("SDNTK", "TCO")
    assert kolbayev.links == (Link("linked_to", "THIEVES-IN-LAW", "23223"),)
    assert kolbayev.remarks == KOLBAYEV_REMARKS
    assert kolbayev.addresses == ()  # the add row is all nulls

    rm = ents["44000"]
    assert rm.birth_dates == ()
    assert rm.identifiers == (Identifier("tax_id", "01703202210110", "KG"),)
    assert rm.countries == ("KG",)
    assert rm.addresses == (
        Address("Chyngyza Atymatova Str., 303, Bishkek 720016, Kyrgyzstan", "KG"),
    )

    # Identifier countries (RU here) are issuers, not residences; add.csv gives the countries.
    mib = ents["37000"]
    assert mib.countries == ("RU", "CY")
    assert mib.addresses == (Address("Ul. Ordzhonikidze, D. 5, Moscow 115419, Russia", "RU"),)

    tango = ents["35740"]
    assert tango.schema == "vessel"
    assert tango.countries == ("CK",)  # Vess_flag
    assert tango.links == (Link("linked_to", "VEKSELBERG, Viktor Feliksovich", "35000"),)
    assert ents["35280"].identifiers[0] == Identifier("aircraft_serial", "3133")


@pytest.mark.parametrize(
    ("linked_to", "other_rows", "expected"),
    [
        # OFAC's closing period is dropped to find the name...
        ("THIEVES-IN-LAW.", [prim(2, "THIEVES-IN-LAW")], Link("linked_to", "THIEVES-IN-LAW", "2")),
        # ...but kept when the listed name itself ends with it.
        (
            "SAAVEDRA Y CIA. S. EN C.",
            [prim(2, "SAAVEDRA Y CIA. S. EN C.")],
            Link("linked_to", "SAAVEDRA Y CIA. S. EN C.", "2"),
        ),
        # Case-insensitive.
        ("HIZBALLAH.", [prim(2, "Hizballah")], Link("linked_to", "HIZBALLAH", "2")),
        # Not on the list: kept by name.
        ("HIZBALLAH.", [], Link("linked_to", "HIZBALLAH")),
        # Two entities of that name: ambiguous, not resolved.
        (
            "HIZBALLAH.",
            [prim(2, "HIZBALLAH"), prim(3, "HIZBALLAH")],
            Link("linked_to", "HIZBALLAH"),
        ),
        # Only an alias matches: not resolved (primary names only).
        ("SHOPS LTD.", [prim(2, "SHOPS LIMITED")], Link("linked_to", "SHOPS LTD")),
    ],
)
def test_linked_to_resolution(
    tmp_path: Path, linked_to: str, other_rows: list[str], expected: Link
) -> None:
    rows = [prim(1, "ACME", None, "SDGT", f"Gender Male; Linked To: {linked_to}"), *other_rows]
    entity = parse_sdn([write(tmp_path, "sdn.csv", rows)]).entities[0]
    assert entity.links == (expected,)


# --- comments continuation and orphans ----------------------------------------------------


def cut_at_1000(ending: str) -> str:
    """A Remarks value OFAC cut at 1,000 characters, ending with ``ending``."""
    filler = "Website www." + "x" * (1000 - len(ending) - len("Website www..ru; ")) + ".ru; "
    text = filler + ending
    assert len(text) == 1000
    return text


def test_comments_continue_truncated_remarks(tmp_path: Path) -> None:
    # cons_prim 17014 ends "... Registration Numbe", cons_comments continues "r 1027700342890 ...".
    bank_head = cut_at_1000("Government Gazette Number 52750822 (Russia); Registration Numbe")
    bank_rest = "r 1027700342890 (Russia); a.k.a. 'RUSAG'."
    # sdn 44718 is cut just after a space ("By U.S. " + "Financial ..."): the space stays.
    group_head = cut_at_1000("Gender Male; a.k.a. 'WHOIS HACKIN ")
    rows = [
        prim(17014, "JOINT STOCK COMPANY RUSSIAN AGRICULTURAL BANK", None, "UKRAINE-EO13662"),
        prim(27307, "LAZARUS GROUP", None, "DPRK3", group_head),
    ]
    rows[0] = rows[0].rsplit(",", 1)[0] + "," + _q(bank_head)
    primary = write(tmp_path, "cons_prim.csv", rows)
    comments = write(
        tmp_path,
        "cons_comments.csv",
        [comment(17014, bank_rest), comment(27307, "TEAM'; Gender Male.")],
    )
    parsed = parse_cons([comments, primary])
    assert parsed.warnings == ()
    ents = by_id(parsed.entities)
    bank = ents["17014"]
    assert bank.remarks == bank_head + bank_rest
    assert Identifier("ogrn", "1027700342890", "RU") in bank.identifiers
    assert Identifier("okpo", "52750822", "RU") in bank.identifiers
    assert bank.names[-1].value == "RUSAG"
    assert ents["27307"].names[-1].value == "WHOIS HACKIN TEAM"


def test_continuation_of_uncut_remarks_is_ignored(tmp_path: Path) -> None:
    # sdn 34682 of 2024-07-02 has complete 947-character remarks; sdn_comments of 2025-02-27
    # continues a longer, later version of them: joining would garble the last identifier.
    remarks = "Registration Number 1027700067328 (Russia)."
    primary = write(tmp_path, "sdn.csv", [prim(34682, "ACME", None, "RUSSIA-EO14024", remarks)])
    comments = write(tmp_path, "sdn_comments.csv", [comment(34682, "67328 (Russia).")])
    parsed = parse_sdn([primary, comments])
    (entity,) = parsed.entities
    assert entity.remarks == remarks
    assert entity.identifiers == (Identifier("ogrn", "1027700067328", "RU"),)
    assert len(parsed.warnings) == 1
    assert "1 continuations ignored" in parsed.warnings[0]
    assert "34682" in parsed.warnings[0]


def test_orphans_give_one_summary_warning(tmp_path: Path) -> None:
    primary = write(tmp_path, "sdn.csv", PRIMARY_ROWS)
    aliases = write(
        tmp_path, "alt.csv", [*ALT_ROWS, alt(50001, 1, "aka", "X"), alt(50002, 2, "aka", "Y")]
    )
    addresses = write(tmp_path, "add.csv", [*ADD_ROWS, add(50001, 1, "Street", "City", "Russia")])
    comments = write(tmp_path, "comments.csv", [comment(50003, "continued")])
    parsed = parse_sdn([primary, aliases, addresses, comments])
    assert len(parsed.entities) == len(PRIMARY_ROWS)
    assert len(parsed.warnings) == 1
    warning = parsed.warnings[0]
    assert warning.startswith("3 ent_nums referenced by the alias/address/comments files")
    assert "alt.csv: 2 ent_nums, 2 rows" in warning
    assert "add.csv: 1 ent_nums, 1 rows" in warning
    assert "50001, 50002, 50003" in warning


# --- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lines", "row", "field", "message"),
    [
        # Row 2 of the primary file lost its Remarks column.
        (
            "sdn.csv",
            [PRIMARY_ROWS[0], PRIMARY_ROWS[1].rsplit(",", 1)[0]],
            2,
            "Remarks",
            "11 columns",
        ),
        ("sdn.csv", [PRIMARY_ROWS[0], PRIMARY_ROWS[1] + ",-0- "], 2, "Remarks", "13 columns"),
        ("sdn.csv", [PRIMARY_ROWS[0], "12x" + PRIMARY_ROWS[1]], 2, "ent_num", "whole number"),
        ("sdn.csv", [",".join(["1", '"X"', '"entity"'] + [NULL] * 9)], 1, "SDN_Type", "entity"),
        ("sdn.csv", [",".join(["1", NULL, NULL] + [NULL] * 9)], 1, "SDN_Name", "empty"),
        ("sdn.csv", [PRIMARY_ROWS[0], PRIMARY_ROWS[0]], 2, "ent_num", "listed twice"),
        ("alt.csv", [ALT_ROWS[0], alt(1, 2, "xyz", "NAME")], 2, "alt_type", "xyz"),
        (
            "add.csv",
            ["ent_num,add_num,a,b,c,d", "44000,1,-0- ,-0- ,-0- ,-0- ", "44000,2,-0- ,-0- ,-0- "],
            3,
            "add_remarks",
            "5 columns",
        ),
        ("sdn.csv", ["1,2,3,4"], 1, None, "not an OFAC CSV file"),
    ],
)
def test_malformed_files_raise_parse_error(
    tmp_path: Path, name: str, lines: list[str], row: int, field: str | None, message: str
) -> None:
    broken = write(tmp_path, name, lines)
    files = [broken] if name == "sdn.csv" else [write(tmp_path, "p.csv", PRIMARY_ROWS), broken]
    with pytest.raises(ParseError) as info:
        parse_sdn(files)
    err = info.value
    assert err.path == str(broken)
    assert err.row == row
    assert err.field == field
    assert message in err.reason
    assert str(broken) in str(err)


def test_a_primary_file_is_required(tmp_path: Path) -> None:
    aliases = write(tmp_path, "alt.csv", ALT_ROWS)
    with pytest.raises(ParseError, match="no primary us_ofac_sdn file"):
        parse_sdn([aliases])
    with pytest.raises(ParseError, match="no primary"):
        parse_sdn([])


def test_two_files_of_one_role_are_refused(tmp_path: Path) -> None:
    one = write(tmp_path, "sdn1.csv", PRIMARY_ROWS)
    two = write(tmp_path, "sdn2.csv", PRIMARY_ROWS)
    with pytest.raises(ParseError, match="two primary"):
        parse_sdn([one, two])


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    from transitwatch.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        parse_sdn([tmp_path / "nope.csv"])
