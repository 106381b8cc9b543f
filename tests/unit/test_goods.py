"""Goods knowledge: control lists with validity dates, description ↔ HS consistency, unit-value
bands. Each case cites why it is there."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transitwatch.errors import InputError, ParseError
from transitwatch.goods import (
    GoodsKnowledge,
    UnitValueBands,
    load_control_list,
    normalize_hs_code,
)


@pytest.fixture(scope="module")
def gk() -> GoodsKnowledge:
    return GoodsKnowledge.default()


# -- CHPL tiers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "tier"),
    [
        ("854231", "1"),  # processors and controllers, Tier 1
        ("8542.31", "1"),  # dotted
        ("85423100", "1"),  # EU CN 8 digits
        ("8542310000", "1"),  # EAEU TN VED 10 digits (KG/KZ declarations)
        ("851762", "2"),  # wireless transmission apparatus
        ("852589", "3.A"),  # other cameras
        ("880730", "3.B"),  # parts of unmanned aircraft
        ("848210", "3.B"),  # ball bearings
        ("847180", "4.A"),
        ("845710", "4.B"),  # machining centres
        ("847130", None),  # laptops are not on the CHPL
        ("8806", None),  # drones themselves are not on the CHPL (their parts are)
        ("8542", None),  # a heading is not a CHPL subheading
    ],
)
def test_chpl_tier(gk: GoodsKnowledge, code: str, tier: str | None) -> None:
    assert gk.chpl_tier(code) == tier


def test_chpl_has_50_codes_in_six_tiers(gk: GoodsKnowledge) -> None:
    chpl = gk.get_list("chpl")
    assert chpl is not None and len(chpl.entries) == 50
    assert {e.category for e in chpl.entries} == {
        f"CHPL Tier {t}" for t in ("1", "2", "3.A", "3.B", "4.A", "4.B")
    }
    assert chpl.valid_from == date(2024, 2, 23) and "bis.gov" in chpl.source


@pytest.mark.parametrize("bad", ["", "85", "abc123", "85423100001", "８５４２３１"])
def test_bad_codes_are_input_errors(gk: GoodsKnowledge, bad: str) -> None:
    with pytest.raises(InputError):
        gk.controls_for(bad, on=date(2024, 5, 1), destination="RU")
    with pytest.raises(InputError):
        normalize_hs_code(bad)


# -- controls_for ---------------------------------------------------------------------------------

ON = date(2024, 5, 1)


def _ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(h.list_id for h in hits)


def test_chpl_to_russia_hits_chpl_and_embargo(gk: GoodsKnowledge) -> None:
    hits = gk.controls_for("8542310000", on=ON, destination="RU")
    assert _ids(hits) == ["chpl", "embargo_destinations"]
    chpl = next(h for h in hits if h.list_id == "chpl")
    assert chpl.category == "CHPL Tier 1" and chpl.destination_scope == ()
    embargo = next(h for h in hits if h.list_id == "embargo_destinations")
    assert embargo.destination_scope == ("RU", "BY") and "RU" in embargo.message


def test_chpl_elsewhere_has_no_embargo_hit(gk: GoodsKnowledge) -> None:
    # CHPL applies to any destination (the lane decides the risk); no embargo for KZ
    assert _ids(gk.controls_for("854231", on=ON, destination="KZ")) == ["chpl"]
    assert _ids(gk.controls_for("854231", on=ON, destination=None)) == ["chpl"]


def test_chpl_not_valid_before_its_version(gk: GoodsKnowledge) -> None:
    assert gk.controls_for("854231", on=date(2024, 2, 22), destination="RU") == []


def test_harmless_code_to_russia_no_hit(gk: GoodsKnowledge) -> None:
    assert gk.controls_for("870323", on=ON, destination="RU") == []


@pytest.mark.parametrize(
    ("country", "on", "embargoed"),
    [
        ("RU", date(2022, 2, 24), True),
        ("ru", date(2024, 1, 1), True),
        ("BY", date(2022, 3, 1), False),  # Belarus measures took effect on 2022-03-02
        ("BY", date(2022, 3, 2), True),
        ("KZ", date(2024, 1, 1), False),
        ("RU", date(2021, 1, 1), False),
    ],
)
def test_embargoed(gk: GoodsKnowledge, country: str, on: date, embargoed: bool) -> None:
    hit = gk.embargoed(country, on)
    assert (hit is not None) is embargoed
    if hit:
        assert hit.list_id == "embargo_destinations" and hit.matched_code == country.upper()


# Kyrgyz drone export ban: KG exporter, flow export, on/after the start date (a parameter)
AFTER = date(2023, 9, 1)
BEFORE = date(2023, 8, 1)


@pytest.mark.parametrize(
    ("code", "on", "kwargs", "banned"),
    [
        ("8806220000", AFTER, {"exporter_country": "KG"}, True),  # agricultural drone ≤7 kg
        ("880699", AFTER, {"origin": "KG"}, True),  # origin KG is enough
        ("8807300000", AFTER, {"exporter_country": "KG"}, True),  # drone parts
        ("8806220000", BEFORE, {"exporter_country": "KG"}, False),  # before the start date
        ("8806220000", AFTER, {"exporter_country": "KZ"}, False),  # not a Kyrgyz exporter
        ("8806220000", AFTER, {"exporter_country": "KG", "flow": "import"}, False),
        ("8424410000", AFTER, {"exporter_country": "KG"}, False),  # sprayers are not drones
    ],
)
def test_kg_drone_export_ban(
    gk: GoodsKnowledge, code: str, on: date, kwargs: dict[str, str], banned: bool
) -> None:
    hits = gk.controls_for(code, on=on, destination="KZ", **kwargs)
    ban = [h for h in hits if h.list_id == "kg_drone_export_ban"]
    assert bool(ban) is banned
    if ban:
        assert ban[0].category == "drone export ban" and ban[0].source


@pytest.mark.parametrize(
    ("described", "on", "exporter", "banned"),
    [
        ({"uav"}, AFTER, "KG", True),  # "квадрокоптер" declared as a sprayer (the 2023 case)
        ({"uav_parts", "agricultural_sprayers"}, AFTER, "KG", True),  # drone frames, FPV parts
        ({"agricultural_sprayers"}, AFTER, "KG", False),  # a real sprayer
        ({"uav"}, BEFORE, "KG", False),  # before the ban's start date
        ({"uav"}, AFTER, "KZ", False),  # the ban binds Kyrgyz exporters only
    ],
)
def test_kg_drone_ban_applies_by_description(
    gk: GoodsKnowledge, described: set[str], on: date, exporter: str, banned: bool
) -> None:
    hits = gk.controls_for(
        "8424410000", on=on, destination="RU", exporter_country=exporter, described=described
    )
    ban = [h for h in hits if h.list_id == "kg_drone_export_ban"]
    assert bool(ban) is banned
    if ban:
        assert ban[0].matched_code.startswith("described as")
        assert ban[0].category == "drone export ban" and "8424.41" in ban[0].message


def test_described_as_is_checked_against_the_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "l.yml"
    path.write_text(USER_YAML + "described_as: [teleporters]\n", encoding="utf-8")
    with pytest.raises(InputError, match="teleporters"):
        GoodsKnowledge([load_control_list(path)])
    path.write_text(USER_YAML + "described_as: uav\n", encoding="utf-8")
    with pytest.raises(ParseError, match="described_as"):
        load_control_list(path)


def test_kg_drone_ban_start_date_is_a_parameter() -> None:
    later = GoodsKnowledge.default(drone_ban_start=date(2024, 1, 1))
    lst = later.get_list("kg_drone_export_ban")
    assert lst is not None and lst.valid_from == date(2024, 1, 1)
    assert later.controls_for("880622", on=AFTER, destination="RU", exporter_country="KG") == []
    hits = later.controls_for("880622", on=date(2024, 2, 1), destination="RU", origin="KG")
    assert _ids(hits) == ["kg_drone_export_ban"]


# -- user lists -----------------------------------------------------------------------------------

USER_YAML = """\
id: eu_annex_demo
name: EU annex (demo extract)
version: "2024-06-24"
valid_from: 2024-06-24
source: Council Regulation (EU) 833/2014, Annex XXIII (demo)
flow: export
destinations: [RU, BY]
codes:
  - code: "8471.30"
    category: computers to Russia
  - code: "9005"
    label: binoculars
    destinations: [RU]
"""

JULY = date(2024, 7, 1)

USER_CSV = """\
id,name,version,valid_from,valid_to,source,code,category,destinations
kg_licensing,KG licensing list,1,2024-01-01,2024-12-31,Resolution No. X (demo),8525,cameras,
,,,,,,8526 91,navigation,RU;BY
"""


def test_user_yaml_list(tmp_path: Path) -> None:
    p = tmp_path / "annex.yml"
    p.write_text(USER_YAML, encoding="utf-8")
    gk = GoodsKnowledge.default(extra_lists=[p])
    hits = gk.controls_for("8471300000", on=JULY, destination="RU")
    assert _ids(hits) == ["eu_annex_demo"] and hits[0].destination_scope == ("RU", "BY")
    assert hits[0].category == "computers to Russia"
    assert gk.controls_for("847130", on=JULY, destination="KZ") == []  # out of scope
    assert gk.controls_for("847130", on=date(2024, 6, 1), destination="RU") == []  # not yet
    assert _ids(gk.controls_for("900510", on=JULY, destination="RU")) == ["eu_annex_demo"]
    assert gk.controls_for("900510", on=JULY, destination="BY") == []  # entry scope is RU only


def test_user_csv_list(tmp_path: Path) -> None:
    p = tmp_path / "lic.csv"
    p.write_bytes(USER_CSV.encode("cp1251"))
    lst = load_control_list(p)
    assert (lst.id, lst.valid_to, [e.code for e in lst.entries]) == (
        "kg_licensing",
        date(2024, 12, 31),
        ["8525", "852691"],
    )
    gk = GoodsKnowledge.default(extra_lists=[p])
    assert _ids(gk.controls_for("852691", on=ON, destination="BY")) == [
        "chpl",
        "embargo_destinations",
        "kg_licensing",
    ]
    assert _ids(gk.controls_for("852691", on=date(2025, 1, 1), destination="KZ")) == ["chpl"]


@pytest.mark.parametrize(
    ("name", "content", "row", "field"),
    [
        ("a.yml", USER_YAML.replace('  - code: "9005"', '  - code: "90x5"'), 2, "code"),
        (
            "b.yml",
            USER_YAML.replace("valid_from: 2024-06-24", "valid_from: 24.06.2024"),
            None,
            "valid_from",
        ),
        ("c.yml", USER_YAML.replace("source: Council", "source_url: Council"), None, "source"),
        ("d.yml", USER_YAML.replace("id: eu_annex_demo", "id: EU Annex!"), None, "id"),
        ("e.yml", USER_YAML.replace("[RU, BY]", "[RUS]"), None, "destinations"),
        ("f.yml", USER_YAML.replace("flow: export", "flow: sideways"), None, "flow"),
        ("g.yml", "id: [unclosed\n", 2, None),
        ("h.csv", USER_CSV.replace("8526 91", "8526x"), 3, "code"),
        ("i.csv", USER_CSV.replace(",,,,,,8526", ",KG list 2,,,,,8526"), 3, "name"),
        ("j.csv", USER_CSV.replace("2024-01-01", "January"), 2, "valid_from"),
        ("k.csv", "id,name,code\nx,y,8806\n", None, "version"),
    ],
)
def test_bad_user_lists(
    tmp_path: Path, name: str, content: str, row: int | None, field: str | None
) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ParseError) as err:
        load_control_list(p)
    assert err.value.path == str(p)
    assert err.value.row == row
    assert err.value.field == field


def test_missing_user_list_and_duplicate_id(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_control_list(tmp_path / "absent.yml")
    p = tmp_path / "chpl_again.yml"
    p.write_text(USER_YAML.replace("id: eu_annex_demo", "id: chpl"), encoding="utf-8")
    with pytest.raises(InputError, match="loaded twice"):
        GoodsKnowledge.default(extra_lists=[p])


# -- descriptions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category", "terms"),
    [
        ("квадрокоптер для опрыскивания полей", "uav", ("квадрокоптер",)),
        ("Квадрокоптеры DJI", "uav", ("Квадрокоптеры",)),
        ("поставка квадрокоптеров", "uav", ("квадрокоптеров",)),
        ("kvadrokopter", "uav", ("kvadrokopter",)),  # Latin spelling of the Russian word
        ("Agricultural DRONES DJI Agras T30", "uav", ("DRONES", "Agras")),
        ("учкучсуз учуучу аппараттар", "uav", ("учкучсуз учуучу аппараттар",)),  # Kyrgyz
        ("ұшқышсыз ұшу аппараты", "uav", ("ұшқышсыз ұшу аппараты",)),  # Kazakh
        ("беспилотных летательных аппаратов", "uav", ("беспилотных летательных аппаратов",)),
        ("Прицелы оптические", "weapon_sights", ("Прицелы",)),
        ("rifle scope 4-16x50", "weapon_sights", ("rifle scope",)),
        ("микросхем интегральных", "integrated_circuits", ("микросхем",)),
        ("Микроконтроллеры STM32F4", "integrated_circuits", ("Микроконтроллеры",)),
        ("FPGA Xilinx", "integrated_circuits", ("FPGA",)),
        ("подшипники шариковые", "bearings", ("подшипники",)),
        ("мойынтіректер", "bearings", ("мойынтіректер",)),  # Kazakh
        ("тепловизор", "thermal_imagers", ("тепловизор",)),
        ("прибор ночного видения", "night_vision", ("ночного видения",)),
        ("станки с ЧПУ", "cnc_machine_tools", ("ЧПУ",)),
        ("полётный контроллер", "uav_parts", ("полётный контроллер",)),
        ("GPS receiver module", "gnss_receivers", ("GPS", "GPS receiver")),
        ("рации портативные", "radio_transceivers", ("рации",)),
        ("li-ion battery", "lithium_batteries", ("li ion",)),
        ("бесколлекторный двигатель 2207", "drone_motors", ("бесколлекторный двигатель",)),
        ("opryskivatel' sadovyy", "agricultural_sprayers", ("opryskivatel",)),
        ("запасные части", "vague", ("запасные части",)),
    ],
)
def test_description_signals(gk: GoodsKnowledge, text: str, category: str, terms: tuple) -> None:  # type: ignore[type-arg]
    found = {s.category: s for s in gk.description_signals(text)}
    assert category in found, found
    assert found[category].terms == terms


@pytest.mark.parametrize(
    "text",
    ["рацион питания", "potato chips", "helicopter", "телескопический", "", "   ", "12345"],
)
def test_no_controlled_signal(gk: GoodsKnowledge, text: str) -> None:
    assert not [s for s in gk.description_signals(text) if s.controlled]


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        # the 2023 Kazakh seizure: agricultural drones declared as sprayers
        ("8424410000", "квадрокоптер для опрыскивания полей", "controlled_goods_under_other_code"),
        ("8424", "agricultural drone for crop spraying", "controlled_goods_under_other_code"),
        ("9005", "rifle scope", "controlled_goods_under_other_code"),  # sight as binoculars
        ("900510", "прицел оптический", "controlled_goods_under_other_code"),
        ("8471", "microcontroller", "controlled_goods_under_other_code"),  # IC as computer
        ("8471300000", "микроконтроллеры STM32", "controlled_goods_under_other_code"),
        ("9503", "квадрокоптер игрушечный", "controlled_goods_under_other_code"),
        ("854231", "запасные части", "controlled_code_vague_description"),
        ("8542310000", "", "controlled_code_vague_description"),
        ("848210", "оборудование", "controlled_code_vague_description"),
        ("854231", "ткань хлопковая", "controlled_code_other_goods"),
    ],
)
def test_description_mismatch_flagged(gk: GoodsKnowledge, code: str, text: str, kind: str) -> None:
    found = gk.description_mismatch(code, text)
    assert [m.kind for m in found] == [kind]
    assert found[0].evidence["hs_code"] == normalize_hs_code(code)
    assert found[0].message


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("8424", "opryskivatel' sadovyy"),  # a garden sprayer is a garden sprayer
        ("8424410000", "садовый опрыскиватель"),
        ("9005", "бинокль 10x50"),
        ("8471300000", "Ноутбук с процессором Intel Core i5"),  # IC named as a component
        ("8806220000", "квадрокоптер DJI Mavic 3"),  # drone declared as a drone
        ("854231", "микросхемы STM32"),  # controlled code, honest description
        ("852589", "камера для дрона"),  # controlled goods under a controlled code
        ("870323", "запасные части"),  # vague but the code is not controlled
        ("6109", "футболки хлопковые"),
    ],
)
def test_description_consistent(gk: GoodsKnowledge, code: str, text: str) -> None:
    assert gk.description_mismatch(code, text) == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_description_signals_never_raise(gk: GoodsKnowledge, text: str) -> None:
    for signal in gk.description_signals(text):
        assert signal.terms
    gk.description_mismatch("854231", text)


# -- unit values ----------------------------------------------------------------------------------


def _history() -> list[tuple[str, str, float]]:
    # 60 declarations of processors at around 50 USD/pc (±20%), one fat-finger 5000
    values = [50 * (0.8 + 0.4 * i / 59) for i in range(60)] + [5000.0]
    return [("8542310000", "pc", v) for v in values] + [("854232", "pc", 3.0)] * 5


def test_unit_value_outlier_low_explained() -> None:
    bands = UnitValueBands.fit(_history())
    out = bands.check("854231", "PC", 0.5)
    assert out is not None and out.direction == "low"
    assert out.n == 61 and 45 < out.median < 55  # the 5000 does not move the median
    assert out.low < 50 < out.high and out.low > 10  # nor widen the band
    assert "below the usual band" in out.message and "61 past declarations" in out.message


def test_unit_value_high_and_inside() -> None:
    bands = UnitValueBands.fit(_history())
    high = bands.check("8542310000", "pc", 5000.0)
    assert high is not None and high.direction == "high"
    assert bands.check("854231", "pc", 55.0) is None


def test_unit_value_too_few_rows_no_band() -> None:
    bands = UnitValueBands.fit(_history())
    assert bands.check("854232", "pc", 3000.0) is None  # 5 rows < min_count 20
    assert bands.check("854231", "kg", 0.01) is None  # other unit: no band


def test_unit_value_identical_history_uses_min_spread() -> None:
    bands = UnitValueBands.fit([("880622", "pc", 14000.0)] * 30)
    assert bands.check("880622", "pc", 14100.0) is None
    low = bands.check("880622", "pc", 1000.0)
    assert low is not None and math.isclose(low.median, 14000.0)


def test_unit_value_ignores_bad_rows_and_flags_non_positive() -> None:
    rows = [("854231", "pc", 50.0)] * 25 + [("854231", "pc", float("nan")), ("854231", "pc", 0.0)]
    bands = UnitValueBands.fit(rows)
    band = bands.band("854231", "pc")
    assert band is not None and band.n == 25
    zero = bands.check("854231", "pc", 0.0)
    assert zero is not None and zero.direction == "low" and "not a positive" in zero.message
