"""Batch screening: reading QUERIES.csv (headers, encodings, bad rows) and screening it in order.

The contract (issue): every data row gets exactly one result, in input order; a bad row gets
its own clear error and never stops the batch; cp1251 files (common in Central Asia) are read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transitwatch.errors import InputError
from transitwatch.lists.model import EntityName, Identifier, ListedEntity
from transitwatch.screening.batch import (
    QueryRow,
    decode_queries,
    parse_queries,
    read_queries,
    screen_rows,
)
from transitwatch.screening.screener import Screener
from transitwatch.screening.types import PartyQuery

ENTITIES = [
    ListedEntity(
        "us_ofac_sdn",
        "12625",
        "person",
        (
            EntityName("Kamchybek Asanbekovich KOLBAYEV"),
            EntityName("Колбаев Камчыбек Асанбекович", "alias", "cyrillic"),
        ),
        birth_dates=("1974-08-03",),
        nationalities=("KG",),
        programs=("SDNTK", "TCO"),
    ),
    ListedEntity(
        "us_ofac_sdn",
        "48847",
        "organization",
        (EntityName("LIMITED LIABILITY COMPANY PROFFLAB"), EntityName("OSOO PROFFLAB", "alias")),
        countries=("KG",),
        programs=("RUSSIA-EO14024",),
    ),
    ListedEntity(
        "us_ofac_sdn",
        "44000",
        "organization",
        (EntityName("LLC RM DESIGN AND DEVELOPMENT"),),
        identifiers=(Identifier("inn", "7736303529", "RU"),),
        programs=("RUSSIA-EO14024",),
    ),
    ListedEntity("us_ofac_sdn", "9", "vessel", (EntityName("SUN STAR"),)),
    ListedEntity(
        "eu_journal_sanctions",
        "2",
        "organization",
        (EntityName("TOO Elem Group"),),
        countries=("KZ",),
    ),
]
HEADER = "id,name,type,country,birth_date,identifier"
HIT_FIELDS = {
    "source",
    "source_id",
    "schema",
    "matched_name",
    "score",
    "explanation",
    "programs",
    "list_version",
}


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener([(e, f"{e.source}-v1") for e in ENTITIES])


def rows_of(text: str) -> list[QueryRow]:
    return list(parse_queries(text, "q.csv"))


# -- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("name\nIvan\n", "missing id"),
        ("id\n1\n", "missing name"),
        ("ident,full_name\n1,Ivan\n", "missing id, name"),
        ("type,country\nperson,KG\n", "missing id, name"),
        ("\nid,name\n1,Ivan\n", "missing id, name"),  # the header is the first line
    ],
)
def test_header_without_id_or_name_is_refused_naming_them(text: str, missing: str) -> None:
    with pytest.raises(InputError, match=missing) as info:
        rows_of(text)
    assert "q.csv" in info.value.message
    assert "id, name" in info.value.message  # says what the header must have


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\r\n"])
def test_empty_file_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        rows_of(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id,name\n7,Ivan Petrov\n", ("7", "Ivan Petrov", None, None)),
        ("name,id\nIvan Petrov,7\n", ("7", "Ivan Petrov", None, None)),
        ("country,name,id\nkg,Ivan Petrov,7\n", ("7", "Ivan Petrov", "KG", None)),
        ("ID , Name ,Country\n7,Ivan Petrov,KG\n", ("7", "Ivan Petrov", "KG", None)),
        ("id,notes,name,extra\n7,vip,Ivan Petrov,x\n", ("7", "Ivan Petrov", None, None)),
        (
            "birth_date,identifier,type,country,name,id\n1974-08,123,person,KG,Ivan Petrov,7\n",
            ("7", "Ivan Petrov", "KG", "1974-08"),
        ),
        ("id,name\r\n7,Ivan Petrov\r\n", ("7", "Ivan Petrov", None, None)),
        ('id,name\n7,"Petrov, Ivan"\n', ("7", "Petrov, Ivan", None, None)),
        ("id,name\n 7 ,  Ivan Petrov  \n", ("7", "Ivan Petrov", None, None)),
    ],
)
def test_header_variants(text: str, expected: tuple[str, str, str | None, str | None]) -> None:
    (row,) = rows_of(text)
    assert row.error is None and row.query is not None
    assert (row.id, row.name, row.query.country, row.query.birth_date) == expected
    assert row.query.id == expected[0] and row.query.name == expected[1]
    assert row.row == 2


def test_optional_columns_reach_the_query() -> None:
    (row,) = rows_of(f"{HEADER}\nc-1,Profflab,company,kg,2022-03,01703202210047\n")
    assert row.query == PartyQuery(
        name="Profflab",
        schema="organization",  # "company" is accepted as organization
        country="KG",
        birth_date="2022-03",
        identifier="01703202210047",
        id="c-1",
    )


def test_blank_lines_are_skipped_but_line_numbers_kept() -> None:
    rows = rows_of("id,name\n\n1,Ivan\n,\n   \n2,Petr\n")
    assert [(r.row, r.id) for r in rows] == [(3, "1"), (6, "2")]


def test_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name\n1,Ivan Petrov\n")
    rows, encoding = read_queries(path)
    assert encoding == "utf-8"
    assert [(r.id, r.name, r.error) for r in rows] == [("1", "Ivan Petrov", None)]


# -- encodings -------------------------------------------------------------------------------

CYRILLIC_ROWS = [
    ("1", "Колбаев Камчыбек Асанбекович"),
    ("2", "ОсОО «Профлаб»"),
    ("3", "Ёлкин Пётр"),
    ("4", "ЖШС Элем Груп"),  # Kazakh legal form, letters cp1251 has
]


def cyrillic_csv() -> str:
    return "id,name\n" + "".join(f"{i},{n}\n" for i, n in CYRILLIC_ROWS)


def test_cp1251_file_is_decoded(tmp_path: Path, screener: Screener) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(cyrillic_csv().encode("cp1251"))
    rows, encoding = read_queries(path)
    assert encoding == "cp1251"
    assert [(r.id, r.name) for r in rows] == CYRILLIC_ROWS
    assert all(r.error is None for r in rows)
    results = list(screen_rows(screener, rows))
    assert results[0]["hits"][0]["source_id"] == "12625"
    assert results[1]["hits"][0]["source_id"] == "48847"


def test_utf8_file_is_reported_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(cyrillic_csv().encode("utf-8"))
    rows, encoding = read_queries(path)
    assert encoding == "utf-8"
    assert [(r.id, r.name) for r in rows] == CYRILLIC_ROWS


def test_ascii_file_is_utf8_and_gzip_is_read(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "q.csv.gz"
    path.write_bytes(gzip.compress(b"id,name\n1,Ivan Petrov\n"))
    rows, encoding = read_queries(path)
    assert encoding == "utf-8" and [r.name for r in rows] == ["Ivan Petrov"]


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_queries(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"id,name\n", "utf-8"),
        (b"\xef\xbb\xbfid,name\n", "utf-8"),
        ("id,name\n1,Ivan\n".encode("utf-16"), "cp1251"),  # not UTF-8: decoded, never raises
        (b"\xff\xfe\x00", "cp1251"),
        (b"id,name\n1,\x98\n", "cp1251"),  # 0x98 is the one byte cp1251 leaves undefined
    ],
)
def test_decode_queries_never_raises(data: bytes, encoding: str) -> None:
    text, found = decode_queries(data)
    assert found == encoding
    assert isinstance(text, str) and not text.startswith("\ufeff")


# -- per-row errors --------------------------------------------------------------------------

BAD_ROWS = [
    ("r1,Ivan Petrov", "expected 6 columns, found 2"),
    ("r1,Ivan Petrov,person,KG,1974-08-03,123,extra", "expected 6 columns, found 7"),
    ("r1,,person,,,", "the name is empty"),
    ("r1,   ,,,,", "the name is empty"),
    ("r1," + "x" * 400 + ",,,,", "400 characters long; the limit is 300"),
    ("r1,Ivan\x07Petrov,,,,", "control characters"),
    ("r1,Ivan\x1bPetrov,,,,", "control characters"),
    ("r1,Ivan\x00Petrov,,,,", "control characters"),
    ("r1,Ivan Petrov,,Kyrgyzstan,,", "country 'KYRGYZSTAN' is not an ISO 3166-1 alpha-2 code"),
    ("r1,Ivan Petrov,,K1,,", "is not an ISO 3166-1 alpha-2 code"),
    ("r1,Ivan Petrov,,,03.08.1974,", "birth_date '03.08.1974' is not YYYY, YYYY-MM or YYYY-MM-DD"),
    ("r1,Ivan Petrov,,,1974-8-3,", "is not YYYY, YYYY-MM or YYYY-MM-DD"),
    ("r1,Ivan Petrov,spaceship,,,", "unknown type 'spaceship'"),
    ("r1,ООО,,,,", "only a legal form"),
    ("r1,«» ---,,,,", "nothing to match"),
    ('r1,"Ivan Petrov,,,,', "malformed CSV"),  # unclosed quote
    ('r1,"Ivan" Petrov,,,,', "malformed CSV"),  # text after a closing quote
    ("r1," + "x" * 140_000 + ",,,,", "line longer than 20,000 characters"),
]


@pytest.mark.parametrize(("line", "message"), BAD_ROWS)
def test_bad_row_gets_its_own_error(screener: Screener, line: str, message: str) -> None:
    rows = rows_of(f"{HEADER}\n{line}\n")
    (result,) = screen_rows(screener, rows)
    assert result["hits"] == []
    assert isinstance(result["error"], str)
    assert message in result["error"], result["error"]
    assert result["row"] == 2
    assert result["id"] == "r1"  # the id is kept, even of a malformed line, to match rows up


def test_bad_rows_never_stop_the_batch(screener: Screener) -> None:
    good = "ok,Kamchybek Asanbekovich KOLBAYEV,person,KG,1974-08-03,"
    lines: list[str] = []
    for i, (bad, _) in enumerate(BAD_ROWS):
        lines += [good.replace("ok", f"ok{i}"), bad.replace("r1", f"bad{i}")]
    lines.append(good.replace("ok", "last"))
    rows = rows_of(HEADER + "\n" + "\n".join(lines) + "\n")
    results = list(screen_rows(screener, rows))
    assert [r["id"] for r in results] == [line.split(",", 1)[0].strip('"') for line in lines], (
        "one result per input row, in input order"
    )
    assert [r["row"] for r in results] == list(range(2, len(lines) + 2))
    for r in results:
        if r["id"].startswith("bad"):
            assert r["error"] and r["hits"] == []
        else:
            assert "error" not in r
            assert r["hits"][0]["source_id"] == "12625"


def test_unclosed_quote_spoils_only_its_own_row(screener: Screener) -> None:
    rows = rows_of('id,name\n1,"Kolbayev Kamchybek\n2,Profflab LLC\n3,Sun Star\n')
    assert [(r.row, r.id, r.error is None) for r in rows] == [
        (2, "1", False),
        (3, "2", True),
        (4, "3", True),
    ]


# -- output ----------------------------------------------------------------------------------


def test_result_objects_have_the_documented_fields(screener: Screener) -> None:
    rows = rows_of(
        f"{HEADER}\n"
        "a,Колбаев Камчыбек,person,KG,1974-08-03,\n"
        "b,Acme Trading,,,,7736303529\n"
        "c,Nobody Special,,,,\n"
    )
    a, b, c = screen_rows(screener, rows)
    assert {"id", "name", "hits"} <= a.keys() and "error" not in a
    hit = a["hits"][0]
    assert hit.keys() >= HIT_FIELDS
    assert (hit["source"], hit["source_id"], hit["schema"]) == ("us_ofac_sdn", "12625", "person")
    assert hit["programs"] == ["SDNTK", "TCO"]
    assert hit["list_version"] == "us_ofac_sdn-v1"
    assert any("birth date 1974-08-03 agrees" in line for line in hit["explanation"])
    assert b["hits"][0]["source_id"] == "44000"  # the identifier finds it under another name
    assert b["hits"][0]["explanation"][0].startswith("identifier INN 7736303529")
    assert c["hits"] == [] and "error" not in c


def test_threshold_and_limit(screener: Screener) -> None:
    rows = rows_of("id,name\n1,Kolbayev Kamchybek\n2,Kamchybek Asanbekovich Kolbayev\n")
    low = list(screen_rows(screener, rows, threshold=0.0, limit=3))
    weak, strong = (r["hits"][0]["score"] for r in low)
    cut = (weak + strong) / 2  # between the two, whatever the shipped calibration
    high = list(screen_rows(screener, rows, threshold=cut))
    assert all(0 < len(r["hits"]) <= 3 for r in low)
    for r in low:
        scores = [h["score"] for h in r["hits"]]
        assert scores == sorted(scores, reverse=True)
    assert high[0]["hits"] == []  # the weaker hit (no patronymic) is dropped
    assert [h["source_id"] for h in high[1]["hits"]] == ["12625"]
    assert all(h["score"] >= cut for r in high for h in r["hits"])


def many_rows() -> list[QueryRow]:
    names = [
        "Kamchybek Kolbayev",
        "Nobody In Particular",
        "ОсОО Профлаб",
        "",
        "Sun Star",
        "x" * 301,
        "Elem Group LLP",
        "Acme",
    ]
    lines = [f"id{i},{names[i % len(names)]} ,,,," for i in range(300)]
    lines[17] = "id17,broken"  # wrong column count
    lines[150] = "id150,Ivan,,Kyrgyzstan,,"
    return rows_of(HEADER + "\n" + "\n".join(lines))


def test_order_is_kept_with_worker_processes(screener: Screener) -> None:
    rows = many_rows()
    assert len(rows) == 300
    serial = list(screen_rows(screener, rows, workers=1))
    parallel = list(screen_rows(screener, rows, workers=2))
    assert parallel == serial
    assert [r["id"] for r in parallel] == [f"id{i}" for i in range(300)]
    assert sum(1 for r in serial if r["hits"]) > 100
    assert sum(1 for r in serial if r.get("error")) > 50


# -- properties ------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CSV_CHARS = st.sampled_from([",", '"', "\n", "\r", "\x00", " ", "\t", "\ufeff", "\u2028"])
_TEXTS = st.one_of(
    st.text(),
    st.builds(
        lambda head, body: head + body,
        st.sampled_from(["id,name\n", "name,id,country\r\n", HEADER + "\n", "ID;NAME\n"]),
        st.lists(
            st.one_of(st.characters(exclude_categories=("Cs",)), _CSV_CHARS), max_size=200
        ).map("".join),
    ),
)


def check_rows(text: str, rows: list[QueryRow]) -> None:
    """Each non-empty data line yields one well-formed QueryRow, in order; nothing else."""
    lines = _LINE_BREAK.split(text)
    nonblank = {n for n, line in enumerate(lines[1:], 2) if line.strip()}
    # a line with anything but commas, quotes and blanks is certainly a data row
    content = {
        n for n, line in enumerate(lines[1:], 2) if line.replace(",", "").replace('"', "").strip()
    }
    numbers = [r.row for r in rows]
    assert numbers == sorted(set(numbers)), "one row per line, in order"
    assert content <= set(numbers) <= nonblank
    for r in rows:
        assert isinstance(r, QueryRow)
        assert (r.query is None) == (r.error is not None)
        assert isinstance(r.id, str) and isinstance(r.name, str)
        if r.query is not None:
            assert (r.query.name, r.query.id) == (r.name, r.id)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_any_text_is_rows_or_an_input_error(text: str) -> None:
    try:
        rows = rows_of(text)
    except InputError as exc:
        assert exc.message.startswith("q.csv: ")
        return
    check_rows(text, rows)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.binary(),
        st.builds(lambda body: b"id,name\n" + body, st.binary()),
        _TEXTS.map(lambda t: t.encode("utf-8")),
        _TEXTS.map(lambda t: t.encode("cp1251", errors="ignore")),
    )
)
def test_any_bytes_file_is_rows_or_an_input_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(data)
    try:
        rows, encoding = read_queries(path)
    except InputError:
        return
    assert encoding in ("utf-8", "cp1251")
    check_rows(decode_queries(data)[0], rows)


_CELL = st.text(
    st.characters(blacklist_characters=',"\r\n', blacklist_categories=("Cs",)), max_size=12
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL), max_size=20))
def test_one_query_row_per_data_row(cells: list[tuple[str, str, str]]) -> None:
    text = "id,name,country\n" + "".join(",".join(c) + "\n" for c in cells)
    rows = rows_of(text)
    kept = [(n, c) for n, c in enumerate(cells, 2) if any(x.strip() for x in c)]
    assert [r.row for r in rows] == [n for n, _ in kept]
    assert [(r.id, r.name) for r in rows] == [(c[0].strip(), c[1].strip()) for _, c in kept]


_SCREENER = Screener([(e, f"{e.source}-v1") for e in ENTITIES])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.builds(
            PartyQuery,
            name=st.one_of(
                st.text(max_size=60),
                st.text(st.sampled_from("ООО Kolbayev Камчыбек «»-.,'&\x00\t "), max_size=60),
                st.text(min_size=290, max_size=320),
            ),
            schema=st.sampled_from([None, "person", "organization", "vessel", "aircraft", "x"]),
            country=st.one_of(st.none(), st.text(max_size=3)),
            birth_date=st.one_of(st.none(), st.text(max_size=12), st.just("1974-08")),
            identifier=st.one_of(st.none(), st.text(max_size=12), st.just("7736303529")),
        ),
        max_size=5,
    )
)
def test_screen_rows_never_raises(queries: list[PartyQuery]) -> None:
    rows = [QueryRow(i, str(i), q.name, q, None) for i, q in enumerate(queries, 2)]
    results = list(screen_rows(_SCREENER, rows, threshold=0.0))
    assert len(results) == len(rows)
    for row, result in zip(rows, results, strict=True):
        assert result["id"] == row.id and result["row"] == row.row
        assert isinstance(result["hits"], list)
        if "error" in result:
            assert isinstance(result["error"], str) and result["error"]
            assert result["hits"] == []
        for hit in result["hits"]:
            assert hit.keys() >= HIT_FIELDS
            assert 0.0 <= hit["score"] <= 1.0
