"""Declarations, reasons and decisions: the plain objects the declaration core passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

LANES = ("red", "yellow", "blue", "green")
LANE_MEANING = {
    "red": "physical inspection",
    "yellow": "documentary check",
    "blue": "post-clearance audit",
    "green": "release",
}
# A forced lane wins over a weaker one: red > yellow > blue > green.
LANE_RANK = {"green": 0, "blue": 1, "yellow": 2, "red": 3}

FLOWS = ("export", "import", "transit")
TRANSPORT_MODES = ("road", "rail", "air", "sea", "post", "other")

COLUMNS = (
    "declaration_id",
    "date",
    "flow",
    "declarant",
    "exporter_name",
    "exporter_country",
    "exporter_id",
    "consignee_name",
    "consignee_country",
    "consignee_id",
    "origin_country",
    "destination_country",
    "transit_countries",
    "hs_code",
    "description",
    "quantity",
    "unit",
    "net_mass_kg",
    "value",
    "currency",
    "transport_mode",
    "end_use",
)
REQUIRED = (
    "declaration_id",
    "date",
    "flow",
    "exporter_name",
    "consignee_name",
    "consignee_country",
    "destination_country",
    "hs_code",
    "description",
    "value",
    "currency",
)

# ISO 3166-1 alpha-2 (officially assigned codes) plus XK (Kosovo, used by the sanctions lists).
_ISO2_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW XK"""
ISO2 = frozenset(_ISO2_CODES.split())


@dataclass(frozen=True, slots=True)
class Declaration:
    """One accepted declaration row (validated: codes upper-case, numbers parsed)."""

    row: int  # line (CSV: header = 1) or record number (JSONL, Parquet) in the input
    declaration_id: str
    date: date
    flow: str
    exporter_name: str
    consignee_name: str
    consignee_country: str
    destination_country: str
    hs_code: str
    description: str
    value: float
    currency: str
    declarant: str | None = None
    exporter_country: str | None = None
    exporter_id: str | None = None
    consignee_id: str | None = None
    origin_country: str | None = None
    transit_countries: tuple[str, ...] = ()
    quantity: float | None = None
    unit: str | None = None
    net_mass_kg: float | None = None
    transport_mode: str | None = None
    end_use: str | None = None
    extra: dict[str, str] = field(default_factory=dict)  # columns we do not use (e.g. label)

    @property
    def hs6(self) -> str:
        return self.hs_code[:6]

    @property
    def route(self) -> tuple[str, ...]:
        """Every country the goods touch: origin, exporter, transit, destination, consignee."""
        seen: list[str] = []
        for c in (
            self.origin_country,
            self.exporter_country,
            *self.transit_countries,
            self.destination_country,
            self.consignee_country,
        ):
            if c and c not in seen:
                seen.append(c)
        return tuple(seen)

    def unit_value(self) -> tuple[str, float] | None:
        """(unit, value per unit): per ``quantity`` of ``unit`` if given, else per kg."""
        if self.quantity and self.unit and self.quantity > 0:
            return self.unit.lower(), self.value / self.quantity
        if self.net_mass_kg and self.net_mass_kg > 0:
            return "kg", self.value / self.net_mass_kg
        return None

    def to_record(self) -> dict[str, Any]:
        """The row as plain JSON-able values, in COLUMNS order (for the history table)."""
        out: dict[str, Any] = {}
        for name in COLUMNS:
            value = getattr(self, name)
            if name == "date":
                value = value.isoformat()
            elif name == "transit_countries":
                value = ";".join(value)
            out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that broke the schema: where, which fields, why (one entry per problem)."""

    row: int
    declaration_id: str
    problems: tuple[tuple[str, str], ...]  # (field, message)
    raw: dict[str, Any]

    @property
    def message(self) -> str:
        return "; ".join(f"{f}: {m}" for f, m in self.problems)


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired, with the evidence that made it fire."""

    rule: str
    message: str
    evidence: dict[str, Any]
    weight: float = 0.0
    force_lane: str | None = None
    profile: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "evidence": self.evidence}


@dataclass(slots=True)
class Decision:
    """The lane of one declaration, its score and every reason."""

    declaration_id: str
    row: int
    lane: str
    score: float
    reasons: list[Reason]
    parties: list[dict[str, Any]]
    random: bool = False

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "declaration_id": self.declaration_id,
            "lane": self.lane,
            "score": round(self.score, 2),
            "reasons": [r.to_json_dict() for r in self.reasons],
            "parties": self.parties,
        }
