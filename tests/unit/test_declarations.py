"""Declarations core: parsing and validation, each shipped rule, lanes, profile validation.

The goods knowledge is a small fake implementing the `transitwatch.goods.GoodsKnowledge`
methods the engine calls, so these tests pin the engine, not the goods data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pytest

from transitwatch.declarations.engine import Engine
from transitwatch.declarations.generate import HEADER, PATTERNS, generate
from transitwatch.declarations.history import History, HistoryRow
from transitwatch.declarations.lanes import RANDOM_RULE, LanePolicy, assign
from transitwatch.declarations.model import Decision, Declaration
from transitwatch.declarations.parse import parse_bytes, validate_records
from transitwatch.declarations.profiles import ProfileError, load_profiles, parse_profile
from transitwatch.errors import InputError
from transitwatch.goods import GoodsKnowledge

CSV_HEADER = ",".join(HEADER[:-1])


# -- a fake goods knowledge -------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    list_id: str
    category: str
    matched_code: str = ""
    message: str = ""
    version: str = "test"


@dataclass(frozen=True)
class Signal:
    category: str
    label: str
    controlled: bool
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mismatch:
    kind: str
    message: str
    evidence: dict[str, str]


class FakeGoods:
    TIERS: ClassVar[dict[str, str]] = {"854231": "1", "851762": "2", "848210": "3.B"}

    def controls_for(
        self,
        hs_code: str,
        *,
        on: date,
        destination: str,
        origin: str | None = None,
        exporter_country: str | None = None,
        flow: str = "export",
        described: Any = (),
    ) -> list[Any]:
        out: list[Any] = []
        if hs_code[:6] in self.TIERS:
            out.append(Hit("chpl", f"CHPL Tier {self.TIERS[hs_code[:6]]}"))
        if hs_code.startswith("8806") and exporter_country == "KG" and on >= date(2023, 8, 14):
            out.append(Hit("kg_drone_export_ban", "drone export ban"))
        return out

    def chpl_tier(self, hs_code: str) -> str | None:
        return self.TIERS.get(hs_code[:6])

    def embargoed(self, country: str, on: date) -> Any:
        return (
            Hit("embargo", "embargo destination", country, f"{country} embargo")
            if country in ("RU", "BY")
            else None
        )

    def description_signals(self, text: str) -> list[Any]:
        if "microcontroller" in text:
            return [
                Signal("integrated_circuits", "integrated circuits", True, ("microcontroller",))
            ]
        return []

    def description_mismatch(self, hs_code: str, text: str) -> list[Any]:
        if "microcontroller" in text and not hs_code.startswith("8542"):
            return [Mismatch("controlled_goods_under_other_code", "ICs under other code", {})]
        if hs_code.startswith("8542") and text == "spare parts":
            return [Mismatch("controlled_code_vague_description", "vague", {})]
        return []


class FakeScreener:
    def __init__(self, listed: dict[str, float]) -> None:
        self.listed = listed

    def screen(self, query: Any, *, threshold: float | None = None, limit: int = 10) -> list[Any]:
        score = self.listed.get(query.name)
        if score is None:
            return []

        class _E:
            source, source_id, caption, schema, programs = "ftm", "C1", query.name, "Company", ()

        class _H:
            entity = _E()
            explanation = ("name matches",)

            def to_json_dict(self) -> dict[str, Any]:
                return {"source": "ftm", "source_id": "C1", "score": score, "caption": query.name}

        return [_H()]


class FakeBands:
    def check(self, hs6: str, unit: str, unit_value: float) -> Any:
        if unit_value < 0.1:

            @dataclass
            class Out:
                message: str = "far below the band"

            return Out()
        return None


CLEAN = Declaration(
    row=2,
    declaration_id="D1",
    date=date(2024, 5, 2),
    flow="export",
    exporter_name="Ak Trade LLC",
    consignee_name="Nur Market TOO",
    consignee_country="KZ",
    destination_country="KZ",
    hs_code="6109100000",
    description="cotton T-shirts",
    value=5000.0,
    currency="USD",
    exporter_country="KG",
    quantity=1000,
    unit="pcs",
)


def engine(
    listed: dict[str, float] | None = None,
    history: History | None = None,
    policy: LanePolicy | None = None,
) -> Engine:
    return Engine(
        load_profiles(),
        FakeGoods(),
        FakeScreener(listed or {}),
        history=history,
        policy=policy or LanePolicy(red_rate=None, yellow_rate=None),
    )


def rules(d: Declaration, **kw: Any) -> set[str]:
    return {r.rule for r in engine(**kw).decide(d).reasons}


# -- parsing ---------------------------------------------------------------------------------


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return (CSV_HEADER + "\n" + "\n".join(rows) + "\n").encode(encoding)


GOOD = (
    "D1,2024-05-02,export,Broker,ОсОО «Ак Трейд»,KG,,Nur TOO,KZ,,CN,KZ,KG;KZ,8542.31,"
    "микросхемы,10,pcs,1.5,100.5,usd,road,"
)


def test_csv_row_accepted_and_normalised() -> None:
    parsed = parse_bytes(csv_bytes(GOOD), "d.csv")
    assert not parsed.rejected
    d = parsed.accepted[0]
    assert (d.hs_code, d.currency, d.transit_countries) == ("854231", "USD", ("KG", "KZ"))
    assert d.exporter_name == "ОсОО «Ак Трейд»" and d.date == date(2024, 5, 2)


def test_cp1251_file_is_read() -> None:
    parsed = parse_bytes(csv_bytes(GOOD, encoding="cp1251"), "d.csv")
    assert parsed.encoding == "cp1251"
    assert parsed.accepted[0].description == "микросхемы"


def test_bad_rows_rejected_with_row_and_field() -> None:
    bad = (
        "D2,2024-02-30,export,,X,KG,,Y,ZZ,,,KZ,RU;Q1,12345,t,,,,-5,US,bike,",
        "D3,2024-01-01,export,,,KG,,Y,KZ,,,KZ,,854231,t,,,,1,USD,,",
    )
    parsed = parse_bytes(csv_bytes(GOOD, *bad), "d.csv")
    assert [d.declaration_id for d in parsed.accepted] == ["D1"]
    first, second = parsed.rejected
    assert first.row == 3 and second.row == 4
    fields = {f for f, _ in first.problems}
    assert {
        "date",
        "consignee_country",
        "transit_countries",
        "hs_code",
        "value",
        "currency",
        "transport_mode",
    } <= fields
    assert second.problems == (("exporter_name", "required, but empty"),)


def test_wrong_width_and_duplicate_ids_rejected() -> None:
    parsed = parse_bytes(csv_bytes(GOOD, GOOD, "D9,2024-01-01,export"), "d.csv")
    assert len(parsed.accepted) == 1
    assert parsed.rejected[0].problems[0][0] == "declaration_id"
    assert "columns" in parsed.rejected[1].message


def test_missing_required_column_is_a_file_error() -> None:
    with pytest.raises(InputError, match="required columns missing: hs_code"):
        parse_bytes(
            b"declaration_id,date,flow,exporter_name,consignee_name,consignee_country,"
            b"destination_country,description,value,currency\n",
            "d.csv",
        )


def test_jsonl_with_a_bad_line() -> None:
    good = dict(zip(HEADER[:-1], GOOD.split(","), strict=False))
    good["value"] = 100.5  # numbers may be JSON numbers
    text = (
        json.dumps(good, ensure_ascii=False)
        + "\n{not json\n"
        + json.dumps({**good, "declaration_id": "D2", "flow": "smuggle"})
        + "\n"
    )
    parsed = parse_bytes(text.encode(), "d.jsonl")
    assert parsed.format == "jsonl" and len(parsed.accepted) == 1
    assert parsed.accepted[0].value == 100.5
    assert [(r.row, r.problems[0][0]) for r in parsed.rejected] == [(2, "(row)"), (3, "flow")]


def test_generated_rows_all_valid() -> None:
    rows = list(generate(500, seed=1, planted_rate=0.3))
    accepted, rejected = validate_records(enumerate(rows, 2))
    assert not rejected and len(accepted) == 500
    assert {r["label"] for r in rows} - {""} <= set(PATTERNS)
    assert rows == list(generate(500, seed=1, planted_rate=0.3))  # reproducible


# -- each shipped rule fires on its case, not on the clean one -------------------------------


def test_clean_declaration_fires_nothing() -> None:
    decision = engine().decide(CLEAN)
    assert decision.reasons == [] and decision.lane == "green"


@pytest.mark.parametrize(
    ("rule", "change", "listed"),
    [
        ("TW-PARTY-001", {}, {"Ak Trade LLC": 0.95}),
        ("TW-PARTY-002", {}, {"Nur Market TOO": 0.95}),
        ("TW-PARTY-003", {"declarant": "Broker X"}, {"Broker X": 0.92}),
        ("TW-PARTY-004", {}, {"Ak Trade LLC": 0.8}),
        ("TW-CHPL-001", {"hs_code": "8542310000", "transit_countries": ("RU",)}, {}),
        ("TW-CHPL-002", {"hs_code": "8482100000", "destination_country": "BY"}, {}),
        ("TW-CHPL-003", {"hs_code": "8517620000"}, {}),
        ("TW-EMBARGO-001", {"hs_code": "8482100000", "destination_country": "RU"}, {}),
        ("TW-BAN-001", {"hs_code": "8806220000"}, {}),
        ("TW-MISMATCH-001", {"description": "microcontroller STM32"}, {}),
        (
            "TW-MISMATCH-003",
            {"description": "microcontroller STM32", "transit_countries": ("RU",)},
            {},
        ),
        ("TW-MISMATCH-002", {"hs_code": "8542310000", "description": "spare parts"}, {}),
        ("TW-RF-FORWARDER-001", {"hs_code": "8482100000", "consignee_name": "Nur Cargo LLP"}, {}),
        ("TW-RF-NEWBUYER-001", {"hs_code": "8542310000"}, {}),
        ("TW-RF-DESTINATION-001", {"hs_code": "8482100000", "destination_country": "AM"}, {}),
    ],
)
def test_rule_fires_on_its_case(
    rule: str, change: dict[str, Any], listed: dict[str, float]
) -> None:
    case = replace(CLEAN, **change)
    assert rule in rules(case, listed=listed)
    assert rule not in rules(CLEAN)  # the clean declaration, no listed parties


def test_rule_not_valid_before_its_date() -> None:
    old = replace(CLEAN, hs_code="8542310000", transit_countries=("RU",), date=date(2021, 5, 1))
    assert "TW-CHPL-001" not in rules(old)


def _history(n: int, hs6: str = "610910", day: date = date(2023, 1, 1)) -> History:
    rows = [
        HistoryRow(f"H{i}", day, "name:KG:aktradellc", "name:KZ:nurmarkettoo", hs6, "pcs", 5.0)
        for i in range(n)
    ]
    return History(rows, fit=lambda _rows: FakeBands())


def test_zero_to_positive_uses_only_the_past() -> None:
    new_goods = replace(CLEAN, hs_code="8542310000")
    assert "TW-RF-ZERO2POS-001" in rules(new_goods, history=_history(6))
    assert "TW-RF-ZERO2POS-001" not in rules(CLEAN, history=_history(6, hs6="854231"))
    # the same rows dated after the declaration are the future: they do not count
    assert "TW-RF-ZERO2POS-001" not in rules(new_goods, history=_history(6, day=date(2024, 6, 1)))


def test_known_buyer_is_not_new() -> None:
    case = replace(CLEAN, hs_code="8542310000")
    assert "TW-RF-NEWBUYER-001" not in rules(case, history=_history(1, day=date(2021, 1, 1)))


def test_value_outlier_rules() -> None:
    cheap = replace(CLEAN, hs_code="8482100000", value=10.0, quantity=1000)
    fired = rules(cheap, history=_history(30, day=date(2023, 1, 1)))
    assert {"TW-VALUE-001", "TW-VALUE-002"} <= fired
    assert "TW-VALUE-001" not in rules(CLEAN, history=_history(30))


def test_evidence_and_message() -> None:
    d = engine().decide(replace(CLEAN, hs_code="8542310000", transit_countries=("RU",)))
    chpl = next(r for r in d.reasons if r.rule == "TW-CHPL-001")
    assert chpl.evidence["chpl_tier_group"] == "1" and "RU" in chpl.evidence["route"]
    assert "tier 1" in chpl.message and "RU" in chpl.message
    assert d.lane == "red"
    assert d.to_json_dict()["reasons"][0]["rule"] == "TW-CHPL-001"


# -- lanes -----------------------------------------------------------------------------------


def _decisions(scores: list[float]) -> list[Decision]:
    return [
        Decision(f"D{i}", i, "red" if s >= 60 else "green", s, [], []) for i, s in enumerate(scores)
    ]


def test_red_quota_keeps_the_highest_scores() -> None:
    ds = _decisions([90, 80, 70, 65, 61] + [0] * 95)
    assign(ds, LanePolicy(red_rate=0.02, yellow_rate=None))
    assert [d.declaration_id for d in ds if d.lane == "red"] == ["D0", "D1"]
    assert ds[2].lane == "yellow" and ds[2].reasons[0].rule == "TW-LANE-QUOTA"


def test_quota_leaves_a_place_in_a_small_batch() -> None:
    # A border post screening 3 declarations at a 5% red quota: 0.15 places round up to one,
    # so the worst declaration stays red instead of falling through to blue.
    ds = _decisions([70, 61, 0])
    assign(ds, LanePolicy(red_rate=0.05, yellow_rate=0.15))
    assert [d.lane for d in ds] == ["red", "yellow", "green"]
    assert [r.rule for r in ds[1].reasons] == ["TW-LANE-QUOTA"]


def test_seized_drones_declared_as_sprayers_go_red_in_any_batch() -> None:
    # The 2023 case: a Kyrgyz company sent DJI Agras drones to Russia through Kazakhstan,
    # declared as agricultural sprayers (HS 8424). With the real goods knowledge the drone ban
    # applies by description and the misdeclaration to Russia forces red, so neither quotas nor
    # luck decide it, even in a batch of three.
    drones = replace(
        CLEAN,
        declaration_id="KG-DRONES",
        date=date(2023, 9, 5),
        hs_code="8424410000",
        description="квадрокоптер для опрыскивания полей DJI Agras T30",
        consignee_name="ООО Агротех",
        consignee_country="RU",
        destination_country="RU",
        transit_countries=("KZ",),
    )
    batch = [replace(CLEAN, declaration_id="C1"), drones, replace(CLEAN, declaration_id="C2")]
    eng = Engine(
        load_profiles(),
        GoodsKnowledge.default(),
        FakeScreener({}),
        policy=LanePolicy(red_rate=0.05, yellow_rate=0.15, random_rate=0.0),
    )
    decided = {d.declaration_id: d for d in eng.screen(batch)}
    d = decided["KG-DRONES"]
    assert d.lane == "red" and not d.random
    fired = {r.rule: r for r in d.reasons}
    assert {"TW-BAN-001", "TW-MISMATCH-003"} <= set(fired) and "TW-MISMATCH-001" not in fired
    assert "TW-LANE-QUOTA" not in fired
    ban = fired["TW-BAN-001"].evidence["national_ban_detail"][0]
    assert ban["list_id"] == "kg_drone_export_ban" and ban["matched_code"] == "described as uav"
    assert {decided["C1"].lane, decided["C2"].lane} == {"green"}


def test_random_inspection_reproducible_and_labelled() -> None:
    policy = LanePolicy(red_rate=None, yellow_rate=None, random_rate=0.05, seed=7)
    a, b = _decisions([0] * 200), _decisions([0] * 200)
    assign(a, policy)
    assign(list(reversed(b)), policy)  # input order does not matter
    picked = [d.declaration_id for d in a if d.lane == "red"]
    assert len(picked) == 10 and picked == [d.declaration_id for d in b if d.lane == "red"]
    assert all(d.random and d.reasons[-1].rule == RANDOM_RULE for d in a if d.lane == "red")
    assert "at random" in a[[d.lane for d in a].index("red")].reasons[-1].message
    c = _decisions([0] * 200)
    assign(c, replace(policy, seed=8))
    assert picked != [d.declaration_id for d in c if d.lane == "red"]


def test_bad_rates_refused() -> None:
    with pytest.raises(InputError):
        LanePolicy(red_rate=1.5)


# -- profile validation ----------------------------------------------------------------------


def _profile(**rule: Any) -> dict[str, Any]:
    base = {"id": "R1", "message": "m", "weight": 10, "conditions": {"hs6": {"in": ["854231"]}}}
    return {"id": "p", "version": "1", "rules": [{**base, **rule}]}


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"weight": 0}, "needs a weight or a force_lane"),
        ({"force_lane": "purple"}, "force_lane"),
        ({"conditions": {"colour": {"eq": 1}}}, "unknown fact"),
        ({"conditions": {"hs6": {"like": "85"}}}, "unknown test"),
        ({"conditions": {"hs6": {"in": "854231"}}}, "needs a list"),
        ({"valid_from": "2024-13-01"}, "not a date"),
        ({"valid_from": "2024-02-01", "valid_to": "2024-01-01"}, "before valid_from"),
        ({"message": None}, "message"),
        ({"sources": ["nowhere"]}, "unknown source"),
    ],
)
def test_profile_errors_name_the_rule_and_field(rule: dict[str, Any], text: str) -> None:
    with pytest.raises(ProfileError, match=text) as info:
        parse_profile(_profile(**rule), "p.yml")
    assert "p.yml" in str(info.value) and "rules[0]" in str(info.value)


def test_profile_needs_version_and_unique_ids(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="version"):
        parse_profile({"id": "p", "rules": []}, "p.yml")
    doc = _profile()
    doc["rules"] = doc["rules"] * 2
    with pytest.raises(ProfileError, match="duplicate rule id"):
        parse_profile(doc, "p.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profiles([bad])


def test_shipped_profiles_load_with_versions_and_sources() -> None:
    profiles = load_profiles()
    assert {p.id for p in profiles} == {"tw-core", "tw-redflags"}
    for p in profiles:
        assert p.version and p.sources
        for r in p.rules:
            assert r.valid_from is not None and (r.weight or r.force_lane)
