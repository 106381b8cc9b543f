"""FollowTheMoney JSON-lines parser (transitwatch.lists.ftm)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transitwatch.errors import InputError, ParseError
from transitwatch.lists.ftm import parse
from transitwatch.lists.model import Identifier, Link, ListedEntity, ParsedList

COMPANY = {
    "id": "ru-inn-7701234567",
    "schema": "Company",
    "caption": "ООО «Ромашка»",
    "properties": {
        "name": ["Romashka LLC", "ООО «Ромашка»"],
        "alias": ["Romashka"],
        "previousName": ["Vasilek LLC"],
        "innCode": ["7701234567"],
        "ogrnCode": ["1027700000000"],
        "jurisdiction": ["ru"],
        "address": ["ul. Lenina 1, Moscow, Russia"],
        "addressEntity": ["addr-1"],
        "topics": ["sanction"],
    },
    "datasets": ["us_ofac_sdn", "eu_fsf"],
    "first_seen": "2022-03-01T00:00:00",
    "last_seen": "2024-06-01T12:00:00",
    "last_change": "2024-05-20T09:00:00",
}
PERSON = {
    "id": "Q123",
    "schema": "Person",
    "properties": {
        "name": ["Иван Иванович Петров"],
        "alias": ["Ivan Petrov"],
        "weakAlias": ["Vanya"],
        "birthDate": ["1970-02-03", "1971"],
        "nationality": ["ru"],
        "citizenship": ["cy"],
        "passportNumber": ["751234567"],
        "program": ["RUSSIA-EO14024"],
    },
    "datasets": ["us_ofac_sdn"],
    "last_seen": "2024-06-02T00:00:00",
}
SANCTION = {
    "id": "san-1",
    "schema": "Sanction",
    "properties": {
        "entity": ["ru-inn-7701234567"],
        "programId": ["US-OFAC-RUSSIA"],
        "startDate": ["2022-04-06"],
        "listingDate": ["2022-03-30"],
    },
}
OWNERSHIP = {
    "id": "own-1",
    "schema": "Ownership",
    "properties": {"owner": ["Q123"], "asset": ["ru-inn-7701234567"], "percentage": ["51"]},
}
DIRECTORSHIP = {
    "id": "dir-1",
    "schema": "Directorship",
    "properties": {"director": ["Q123"], "organization": ["not-in-file"]},
}
ADDRESS = {
    "id": "addr-1",
    "schema": "Address",
    "properties": {"full": ["Tverskaya 5, 125009 Moscow"], "country": ["ru"]},
}
VESSEL = {
    "id": "imo-9187629",
    "schema": "Vessel",
    "properties": {"name": ["SEA STAR"], "imoNumber": ["IMO 9187629"], "flag": ["pa"]},
}
AIRPLANE = {
    "id": "ac-1",
    "schema": "Airplane",
    "properties": {"name": ["RA-89047"], "serialNumber": ["95047"]},
}
LINES = [COMPANY, PERSON, SANCTION, OWNERSHIP, DIRECTORSHIP, ADDRESS, VESSEL, AIRPLANE]


def _text(objects: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objects) + "\n"


def _write(tmp_path: Path, text: str, name: str = "entities.ftm.json", gz: bool = False) -> Path:
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _by_id(parsed: ParsedList) -> dict[str, ListedEntity]:
    return {e.source_id: e for e in parsed.entities}


@pytest.fixture
def parsed(tmp_path: Path) -> ParsedList:
    return parse([_write(tmp_path, _text(LINES), gz=True)])


def test_list_metadata(parsed: ParsedList) -> None:
    assert parsed.source == "ftm"
    assert parsed.file_date == "2024-06-02"  # max of last_change / last_seen
    assert [e.source_id for e in parsed.entities] == [
        "ru-inn-7701234567",
        "Q123",
        "imo-9187629",
        "ac-1",
    ]
    assert [e.schema for e in parsed.entities] == ["organization", "person", "vessel", "aircraft"]
    assert parsed.warnings == ()


def test_gzip_and_plain_agree(tmp_path: Path, parsed: ParsedList) -> None:
    plain = parse([_write(tmp_path, _text(LINES), name="plain.json")])
    assert plain.entities == parsed.entities
    assert plain.content_hash == parsed.content_hash


def test_company(parsed: ParsedList) -> None:
    company = _by_id(parsed)["ru-inn-7701234567"]
    assert company.caption == "ООО «Ромашка»"  # the FtM caption comes first
    assert [(n.value, n.kind, n.script) for n in company.names] == [
        ("ООО «Ромашка»", "primary", "cyrillic"),
        ("Romashka LLC", "primary", "latin"),
        ("Romashka", "alias", "latin"),
        ("Vasilek LLC", "previous", "latin"),
    ]
    assert company.identifiers == (
        Identifier("inn", "7701234567", "RU"),
        Identifier("ogrn", "1027700000000", "RU"),
    )
    assert company.countries == ("RU",)
    assert [a.full for a in company.addresses] == [
        "ul. Lenina 1, Moscow, Russia",
        "Tverskaya 5, 125009 Moscow",
    ]
    assert company.programs == ("US-OFAC-RUSSIA",)
    assert company.listed_on == "2022-03-30"  # earliest of startDate / listingDate
    assert company.links == (Link("owned_by", "Иван Иванович Петров", "Q123"),)
    assert company.remarks == "FtM datasets: us_ofac_sdn, eu_fsf; topics: sanction"


def test_person(parsed: ParsedList) -> None:
    person = _by_id(parsed)["Q123"]
    assert person.caption == "Иван Иванович Петров"
    assert person.names[0].script == "cyrillic"
    assert [n.kind for n in person.names] == ["primary", "alias", "weak_alias"]
    assert person.birth_dates == ("1970-02-03", "1971")
    assert person.nationalities == ("RU", "CY")
    assert person.identifiers == (Identifier("passport", "751234567"),)
    assert person.programs == ("RUSSIA-EO14024",)
    assert person.listed_on is None
    assert person.links == (
        Link("owner_of", "ООО «Ромашка»", "ru-inn-7701234567"),
        Link("director_of", "not-in-file", "not-in-file"),  # target unknown: its id stands in
    )


def test_vessel_and_aircraft(parsed: ParsedList) -> None:
    by = _by_id(parsed)
    assert by["imo-9187629"].identifiers == (Identifier("imo", "9187629"),)
    assert by["imo-9187629"].countries == ("PA",)
    assert by["ac-1"].identifiers == (Identifier("aircraft_serial", "95047"),)


def test_person_without_name_uses_name_parts(tmp_path: Path) -> None:
    line = {
        "id": "p2",
        "schema": "Person",
        "properties": {"firstName": ["Anna"], "lastName": ["Kim"]},
    }
    (entity,) = parse([_write(tmp_path, _text([line]))]).entities
    assert entity.caption == "Anna Kim"


def test_unnamed_and_unknown_schemata_are_reported(tmp_path: Path) -> None:
    lines = [
        {"id": "x", "schema": "Company", "properties": {}},
        {"id": "doc", "schema": "Document", "properties": {"title": ["t"]}},
    ]
    result = parse([_write(tmp_path, _text(lines))])
    assert result.entities == ()
    assert any("no name" in w for w in result.warnings)
    assert any("Document 1" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{"id": "a", "schema": "Person", "properties": {"name": ["x"]}', None),  # truncated
        ("[1, 2]", None),
        ('"just a string"', None),
        ('{"schema": "Person", "properties": {}}', "id"),
        ('{"id": 5, "schema": "Person"}', "id"),
        ('{"id": "a", "properties": {}}', "schema"),
        ('{"id": "a", "schema": "Person", "properties": []}', "properties"),
        ('{"id": "a", "schema": "Person", "properties": {"name": [1]}}', "name"),
        ('{"id": "a", "schema": "Person", "properties": {"name": {"x": "y"}}}', "name"),
        ('{"id": "a", "schema": "Person", "datasets": "x"}', "datasets"),
        ("[" * 100_000, None),  # nesting too deep for the decoder
    ],
)
def test_invalid_lines_raise_parse_error_with_line_number(
    tmp_path: Path, line: str, field: str | None
) -> None:
    path = _write(tmp_path, _text([COMPANY, PERSON]) + "\n" + line + "\n")
    with pytest.raises(ParseError) as info:
        parse([path])
    assert info.value.path == str(path)
    assert info.value.row == 4  # the blank line 3 is skipped but counted
    assert info.value.field == field


def test_string_property_value_is_accepted(tmp_path: Path) -> None:
    line = {"id": "a", "schema": "Organization", "properties": {"name": "Solo Org"}}
    (entity,) = parse([_write(tmp_path, _text([line]))]).entities
    assert entity.caption == "Solo Org"


def test_no_paths() -> None:
    with pytest.raises(InputError):
        parse([])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_ENTITYISH = st.fixed_dictionaries(
    {
        "id": st.one_of(st.text(max_size=6), st.integers()),
        "schema": st.sampled_from(["Person", "Company", "Sanction", "Ownership", "Address", "X"]),
        "properties": st.dictionaries(
            st.sampled_from(
                ["name", "entity", "owner", "asset", "birthDate", "country", "innCode"]
            ),
            st.one_of(st.lists(st.text(max_size=12), max_size=3), _JSON),
            max_size=4,
        ),
    }
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=40),
            _JSON.map(json.dumps),
            _ENTITYISH.map(json.dumps),
        ),
        max_size=6,
    )
)
def test_junk_lines_give_parse_error_never_another_exception(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str]
) -> None:
    path = tmp_path_factory.mktemp("ftm") / "junk.json"
    text = "\n".join(lines)
    path.write_bytes(text.encode("utf-8"))
    try:
        result = parse([path])
    except ParseError as exc:
        assert exc.path == str(path)
        assert exc.row is not None and 1 <= exc.row <= text.count("\n") + 1
    else:
        assert all(e.names for e in result.entities)
