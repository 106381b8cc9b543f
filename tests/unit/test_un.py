"""UN Security Council consolidated list XML parser (transitwatch.lists.un)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from transitwatch.errors import InputError, ParseError
from transitwatch.lists.model import Identifier, ListedEntity, ParsedList
from transitwatch.lists.un import parse

HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'dateGenerated="2026-02-27T00:00:09.554Z">\n'
)

PERSON = """
<INDIVIDUAL>
  <DATAID>6908555</DATAID>
  <FIRST_NAME>RI</FIRST_NAME>
  <SECOND_NAME>WON </SECOND_NAME>
  <THIRD_NAME>HO</THIRD_NAME>
  <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
  <REFERENCE_NUMBER>KPi.081</REFERENCE_NUMBER>
  <LISTED_ON>2016-11-30</LISTED_ON>
  <NAME_ORIGINAL_SCRIPT>리원호</NAME_ORIGINAL_SCRIPT>
  <COMMENTS1>Ri Won Ho is a DPRK Ministry of State Security official.</COMMENTS1>
  <NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE><VALUE>na</VALUE></NATIONALITY>
  <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>RI WON-HO</ALIAS_NAME></INDIVIDUAL_ALIAS>
  <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Ri; Ri Abu</ALIAS_NAME></INDIVIDUAL_ALIAS>
  <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
  <INDIVIDUAL_ADDRESS><CITY>Damascus</CITY><COUNTRY>Syrian Arab Republic</COUNTRY>
  </INDIVIDUAL_ADDRESS>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1964-07-17</DATE>
  </INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1965</YEAR>
  </INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR>
    <TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>Nov. 1973 </NOTE>
  </INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>381310014</NUMBER>
    <ISSUING_COUNTRY>Democratic People's Republic of Korea</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
  <INDIVIDUAL_DOCUMENT/>
</INDIVIDUAL>
"""

ENTITY = """
<ENTITY>
  <DATAID>110431</DATAID>
  <FIRST_NAME>COMPAGNIE AERIENNE (CAGL) ; GREAT LAKES BUSINESS COMPANY (GLBC)</FIRST_NAME>
  <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
  <REFERENCE_NUMBER>CDe.003</REFERENCE_NUMBER>
  <LISTED_ON>2007-03-29</LISTED_ON>
  <NAME_ORIGINAL_SCRIPT>شركة البحيرات
      العظمى</NAME_ORIGINAL_SCRIPT>
  <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>CAGL</ALIAS_NAME></ENTITY_ALIAS>
  <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>GLBC</ALIAS_NAME></ENTITY_ALIAS>
  <ENTITY_ADDRESS><STREET>Avenue Président Mobutu</STREET><CITY>Goma</CITY>
    <COUNTRY>Democratic Republic of the Congo</COUNTRY></ENTITY_ADDRESS>
  <ENTITY_ADDRESS><CITY>Gisenyi</CITY><COUNTRY>Rwanda</COUNTRY></ENTITY_ADDRESS>
</ENTITY>
"""


def _xml(individuals: str = PERSON, entities: str = ENTITY) -> str:
    return (
        f"{HEAD}<INDIVIDUALS>{individuals}</INDIVIDUALS>"
        f"<ENTITIES>{entities}</ENTITIES></CONSOLIDATED_LIST>\n"
    )


def _write(tmp_path: Path, text: str, *, gz: bool = False, name: str = "un.xml") -> Path:
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _by_id(parsed: ParsedList) -> dict[str, ListedEntity]:
    return {e.source_id: e for e in parsed.entities}


@pytest.fixture
def parsed(tmp_path: Path) -> ParsedList:
    return parse([_write(tmp_path, _xml())])


def test_list_metadata(parsed: ParsedList) -> None:
    assert parsed.source == "un_sc_sanctions"
    assert parsed.file_date == "2026-02-27"
    assert len(parsed.content_hash) == 64
    assert [e.schema for e in parsed.entities] == ["person", "organization"]
    assert parsed.warnings == ()


def test_gzip_and_plain_give_the_same_result(tmp_path: Path) -> None:
    plain = parse([_write(tmp_path, _xml(), name="a.xml")])
    packed = parse([_write(tmp_path, _xml(), gz=True, name="b.xml.gz")])
    assert plain.entities == packed.entities
    assert plain.content_hash == packed.content_hash  # hashed over decompressed bytes


def test_person_fields(parsed: ParsedList) -> None:
    person = _by_id(parsed)["KPi.081"]
    assert person.caption == "RI WON HO"
    assert [(n.value, n.kind, n.script) for n in person.names] == [
        ("RI WON HO", "primary", "latin"),
        ("리원호", "alias", "hangul"),
        ("RI WON-HO", "alias", "latin"),
        ("Abu Ri", "weak_alias", "latin"),
        ("Ri Abu", "weak_alias", "latin"),
    ]
    assert person.birth_dates == ("1964-07-17", "1965", "1960", "1961", "1962", "1973-11")
    assert person.nationalities == ("KP",)  # "na" is "not available", not Namibia
    assert person.countries == ("SY",)
    assert person.identifiers == (Identifier("passport", "381310014", "KP", None),)
    assert person.programs == ("UN-DPRK",)
    assert person.listed_on == "2016-11-30"
    assert person.remarks is not None and person.remarks.startswith("UN DATAID 6908555.")


def test_entity_fields(parsed: ParsedList) -> None:
    entity = _by_id(parsed)["CDe.003"]
    assert [(n.value, n.kind) for n in entity.names] == [
        ("COMPAGNIE AERIENNE (CAGL)", "primary"),
        ("GREAT LAKES BUSINESS COMPANY (GLBC)", "alias"),
        ("شركة البحيرات العظمى", "alias"),
        ("CAGL", "alias"),
        ("GLBC", "previous"),
    ]
    assert entity.names[2].script == "arabic"
    assert entity.countries == ("CD", "RW")
    assert (
        entity.addresses[0].full
        == "Avenue Président Mobutu, Goma, Democratic Republic of the Congo"
    )
    assert entity.birth_dates == ()


PASSPORT = "<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>"


def _doc(body: str) -> str:
    person = PERSON.replace(
        "<INDIVIDUAL_DOCUMENT/>", f"<INDIVIDUAL_DOCUMENT>{body}</INDIVIDUAL_DOCUMENT>"
    )
    return _xml(individuals=person, entities="")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT>"
            "<NUMBER>35202- 4135948-7</NUMBER><ISSUING_COUNTRY>Pakistan</ISSUING_COUNTRY>",
            ("national_id", "35202- 4135948-7", "PK"),
        ),
        (
            PASSPORT + "<NUMBER>Libyan passport No. 513519 </NUMBER>",
            ("passport", "513519", None),
        ),
        (
            PASSPORT + "<NUMBER>Diplomatic Passport D014433</NUMBER>"
            "<COUNTRY_OF_ISSUE>Iran (Islamic Republic of)</COUNTRY_OF_ISSUE>",
            ("passport", "D014433", "IR"),
        ),
        (
            PASSPORT + "<NUMBER>OB 0243318</NUMBER>",
            ("passport", "OB 0243318", None),
        ),
        (
            PASSPORT + "<NUMBER>381110042 (Expired 25 Jan. 2016)</NUMBER>",
            ("passport", "381110042", None),
        ),
        (
            "<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>"
            "<NOTE>Tunisian passport number L 191609 issued on 28 Feb. 1996</NOTE>",
            ("passport", "L 191609", None),
        ),
        (
            "<TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT>"
            "<TYPE_OF_DOCUMENT2>Birth certificate</TYPE_OF_DOCUMENT2><NUMBER>012546</NUMBER>"
            "<ISSUING_COUNTRY>Mali</ISSUING_COUNTRY>",
            ("other", "012546", "ML"),
        ),
        (
            "<TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT>"
            "<NOTE>Italian Fiscal Code: DAOMMD74T11Z352Z</NOTE>",
            ("tax_id", "DAOMMD74T11Z352Z", None),
        ),
    ],
)
def test_documents(tmp_path: Path, body: str, expected: tuple[str, str, str | None]) -> None:
    person = parse([_write(tmp_path, _doc(body))]).entities[0]
    assert [(i.type, i.value, i.country) for i in person.identifiers] == [
        ("passport", "381310014", "KP"),
        expected,
    ]


def test_document_without_number_is_dropped(tmp_path: Path) -> None:
    body = "<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NOTE>issued in 1993, under name X</NOTE>"
    person = parse([_write(tmp_path, _doc(body))]).entities[0]
    assert len(person.identifiers) == 1


def test_mixed_script_alias_is_split(tmp_path: Path) -> None:
    alias = (
        "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>أبو بكر البغدادي "
        "(Abu Bakr al-Baghdadi; Abu Duaa)</ALIAS_NAME></INDIVIDUAL_ALIAS>"
        "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abubakar (original script: Абубакар)"
        "</ALIAS_NAME></INDIVIDUAL_ALIAS>"
    )
    person = PERSON.replace("<INDIVIDUAL_DOCUMENT/>", alias)
    names = parse([_write(tmp_path, _xml(person, ""))]).entities[0].names
    assert [(n.value, n.script) for n in names[-5:]] == [
        ("أبو بكر البغدادي", "arabic"),
        ("Abu Bakr al-Baghdadi", "latin"),
        ("Abu Duaa", "latin"),
        ("Abubakar", "latin"),
        ("Абубакар", "cyrillic"),
    ]


def test_malformed_xml_reports_path_and_line(tmp_path: Path) -> None:
    broken = _xml().replace("</SECOND_NAME>", "</SECOND>")
    path = _write(tmp_path, broken, gz=True)
    with pytest.raises(ParseError) as info:
        parse([path])
    assert info.value.path == str(path)
    assert info.value.row == broken[: broken.index("</SECOND>")].count("\n") + 1


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        "<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>"
    )
    with pytest.raises(ParseError, match="entity"):
        parse([_write(tmp_path, bomb)])


def test_wrong_root_element(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="CONSOLIDATED_LIST"):
        parse([_write(tmp_path, "<sdnList/>")])


def test_record_without_reference_number_is_skipped_with_warning(tmp_path: Path) -> None:
    person = PERSON.replace("<REFERENCE_NUMBER>KPi.081</REFERENCE_NUMBER>", "")
    result = parse([_write(tmp_path, _xml(person))])
    assert [e.source_id for e in result.entities] == ["CDe.003"]
    assert any("REFERENCE_NUMBER" in w for w in result.warnings)


def test_no_paths() -> None:
    with pytest.raises(InputError):
        parse([])
