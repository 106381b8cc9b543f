"""Synthetic declarations with planted evasion patterns and a ground-truth ``label`` column.

Central Asian exporters and consignees trade real HS-6 codes at realistic unit values from
2021 to 2024; a small share of rows (dated after 2022-02-24) carries one planted pattern:

* ``listed_party`` - a real OFAC-listed Central Asian company, in a spelling variant, as
  exporter or consignee;
* ``chpl_via_russia`` - CHPL tier 1-2 goods bound for Russia/Belarus or transiting Russia;
* ``national_ban`` - drones exported from Kyrgyzstan after its export ban;
* ``misdeclared`` - integrated circuits, drones or rifle scopes described plainly but declared
  under an innocuous HS code;
* ``undervalued`` - CHPL tier 3-4 goods at a few percent of their usual unit value;
* ``new_forwarder`` - a logistics company never seen before 2022-02-24 buys tier 1-2 goods;
* ``zero_to_positive`` - an established exporter of ordinary goods suddenly ships tier 1-2
  goods to a destination other than its consignee's country.

Same seed, same file. Pure: returns rows; the CLI writes them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from transitwatch.declarations.model import COLUMNS

PATTERNS = (
    "listed_party",
    "chpl_via_russia",
    "national_ban",
    "misdeclared",
    "undervalued",
    "new_forwarder",
    "zero_to_positive",
)
START, END = date(2021, 1, 1), date(2024, 12, 31)
INVASION = date(2022, 3, 1)
LABEL = "label"
HEADER = (*COLUMNS, LABEL)


@dataclass(frozen=True, slots=True)
class Goods:
    hs: str  # national 10-digit code
    en: str
    ru: str
    unit: str
    low: float  # usual unit value, USD
    high: float
    tier: str | None = None


CLEAN_GOODS = (
    Goods(
        "6109100000",
        "cotton T-shirts, knitted",
        "футболки хлопчатобумажные трикотажные",
        "pcs",
        2,
        8,
    ),
    Goods("6203420000", "men's cotton trousers", "брюки мужские из хлопка", "pcs", 5, 20),
    Goods("6402990000", "footwear with rubber soles", "обувь на резиновой подошве", "pair", 5, 25),
    Goods("0808108000", "fresh apples", "яблоки свежие", "kg", 0.4, 1.0),
    Goods("0406900000", "cheese", "сыр", "kg", 3, 8),
    Goods("1704909900", "sugar confectionery", "кондитерские изделия из сахара", "kg", 1.5, 4),
    Goods(
        "8703239000",
        "passenger cars, petrol 1500-3000 cc",
        "автомобили легковые бензиновые",
        "pcs",
        15000,
        40000,
    ),
    Goods("8517130000", "smartphones", "смартфоны", "pcs", 100, 900),
    Goods("8471300000", "portable computers (laptops)", "ноутбуки", "pcs", 300, 1500),
    Goods("8418108001", "household refrigerators", "холодильники бытовые", "pcs", 200, 800),
    Goods("9403609000", "wooden furniture", "мебель деревянная", "kg", 2, 6),
    Goods("7308909809", "steel structures", "металлоконструкции стальные", "kg", 1, 3),
    Goods(
        "3004900002", "medicaments, packaged", "лекарственные средства в упаковке", "kg", 20, 200
    ),
    Goods("3304990000", "cosmetics", "косметические средства", "kg", 5, 30),
    Goods("5201001000", "raw cotton", "хлопок-сырец", "kg", 1.5, 2.5),
)
CHPL_LOW = (  # tier 1-2: traded legitimately in the region, in small numbers
    Goods(
        "8542310001",
        "processors and controllers, integrated circuits",
        "процессоры и контроллеры, интегральные схемы",
        "pcs",
        2,
        80,
        "1",
    ),
    Goods(
        "8542320001", "memory integrated circuits", "интегральные схемы памяти", "pcs", 1, 30, "1"
    ),
    Goods(
        "8517620009",
        "network switches and routers",
        "коммутаторы и маршрутизаторы",
        "pcs",
        50,
        800,
        "2",
    ),
    Goods(
        "8526910009",
        "GNSS navigation receivers",
        "навигационные приемники ГНСС",
        "pcs",
        30,
        500,
        "2",
    ),
)
CHPL_HIGH = (  # tier 3-4
    Goods("8482100001", "ball bearings", "подшипники шариковые", "pcs", 1, 40, "3.B"),
    Goods(
        "8504409000",
        "static converters, power supplies",
        "статические преобразователи",
        "pcs",
        10,
        400,
        "3.A",
    ),
    Goods(
        "8458110000",
        "CNC horizontal lathes for metal",
        "токарные станки с ЧПУ",
        "pcs",
        20000,
        200000,
        "4.B",
    ),
    Goods(
        "8471500000",
        "processing units for computers",
        "процессорные блоки ЭВМ",
        "pcs",
        200,
        3000,
        "3.A",
    ),
)
DRONE = Goods(
    "8806220000",
    "unmanned aircraft (drones), 250 g to 7 kg",
    "беспилотные летательные аппараты (квадрокоптеры)",
    "pcs",
    300,
    3000,
)
CONCEALED = (  # (what the description says, the innocuous code declared)
    (
        "integrated circuits, microcontrollers STM32",
        "микросхемы интегральные, микроконтроллеры STM32",
        "8473302000",
    ),
    (
        "quadcopter drones DJI Mavic 3 with spare batteries",
        "квадрокоптеры DJI Mavic 3",
        "9503009900",
    ),
    ("rifle scopes, telescopic sights 4-16x", "оптические прицелы для оружия", "9004909000"),
)
LISTED = (  # real OFAC SDN entries (RUSSIA-EO14024), in the spellings declarants use
    (
        "OSOO PROGRESS LIDER",
        "KG",
        ("ОсОО «Прогресс Лидер»", "Progress Leader LLC", "OsOO Progress Lider"),
    ),
    ("OSOO KARGOLAYN", "KG", ("ОсОО «Карголайн»", "Cargoline LLC", "Kargolain OsOO")),
    (
        "LLC RM DESIGN AND DEVELOPMENT",
        "KG",
        ("ОсОО «РМ Дизайн энд Девелопмент»", "RM Design & Development LLC"),
    ),
    (
        "LIMITED LIABILITY COMPANY PROFFLAB",
        "KG",
        ("ОсОО «Профлаб»", "Profflab LLC", "OSOO PROFFLAB"),
    ),
    ("KBR TEKHNOLOGII TOO", "KZ", ("ТОО «КБР Технологии»", "KBR Technologii LLP")),
    ("LIMITED LIABILITY PARTNERSHIP ELEM GROUP", "KZ", ("ТОО «Элем Груп»", "Elem Group LLP")),
    ("OOO MVIZION", "UZ", ("MVizion MChJ", "ООО «МВизион»")),
    ("MILUR ELECTRONICS LLC", "AM", ("Милур Электроникс ООО", "Milur Electronics")),
    ("TACO LLC", "AM", ("ООО «Тако»", "TAKO LLC")),
)
FORMS = {
    "KG": ("ОсОО", "OsOO", "LLC"),
    "KZ": ("ТОО", "TOO", "LLP"),
    "UZ": ("MChJ", "ООО", "LLC"),
    "AM": ("LLC", "ООО"),
    "RU": ("ООО", "OOO"),
    "BY": ("ООО", "OOO"),
    "CN": ("Co., Ltd.",),
    "TR": ("Ltd. Şti.",),
    "AE": ("FZE", "LLC"),
    "DE": ("GmbH",),
}
WORDS_A = (
    "Ak",
    "Ala",
    "Nur",
    "Altyn",
    "Bereke",
    "Tengri",
    "Kok",
    "Sary",
    "Jibek",
    "Samal",
    "Ordo",
    "Turan",
    "Tash",
    "Arman",
    "Baraka",
    "Kumush",
    "Zhuldyz",
    "Aray",
    "Navruz",
    "Sevan",
)
WORDS_B = (
    "Trade",
    "Invest",
    "Group",
    "Export",
    "Import",
    "Market",
    "Plus",
    "Agro",
    "Textile",
    "Prom",
    "Snab",
    "Holding",
    "Technics",
    "Distribution",
    "Commerce",
    "Industry",
)
FORWARD = ("Logistics", "Cargo", "Freight", "Express Trans", "Forwarding")
LOCAL = ("KG", "KZ", "UZ", "AM")
FOREIGN = ("CN", "TR", "AE", "DE")


def _company(rng: random.Random, country: str, forwarder: bool = False) -> str:
    stem = f"{rng.choice(WORDS_A)} {rng.choice(FORWARD if forwarder else WORDS_B)}"
    if rng.random() < 0.5:
        stem = f"{stem} {rng.choice(WORDS_A)}"
    form = rng.choice(FORMS[country])
    return f"{form} «{stem}»" if form in ("ОсОО", "ТОО", "ООО") else f"{stem} {form}"


@dataclass(slots=True)
class _Party:
    name: str
    country: str
    pid: str
    goods: tuple[Goods, ...] = ()


def _parties(rng: random.Random, n: int, countries: Sequence[str], goods: bool) -> list[_Party]:
    out = []
    pool = CLEAN_GOODS + CHPL_LOW + CHPL_HIGH
    for i in range(n):
        country = rng.choice(countries)
        kit: tuple[Goods, ...] = ()
        if goods:  # one in five trades electronics and components, the rest ordinary goods
            kit = tuple(rng.sample(pool[15:] if i % 5 == 0 else CLEAN_GOODS, 3))
        out.append(
            _Party(_company(rng, country), country, f"{country}{rng.randrange(10**8):08d}", kit)
        )
    return out


def _day(rng: random.Random, start: date = START) -> date:
    return start + timedelta(days=rng.randrange((END - start).days + 1))


def generate(n: int, seed: int = 0, planted_rate: float = 0.03) -> Iterator[dict[str, Any]]:
    """``n`` declaration rows (dicts of HEADER columns, strings), planted ones labelled."""
    rng = random.Random(seed)
    n_parties = max(20, n // 250)
    exporters = _parties(rng, n_parties, LOCAL, True)
    foreign = _parties(rng, max(5, n_parties // 4), FOREIGN, True)
    consignees = _parties(rng, n_parties, (*LOCAL, "RU", "RU", "BY"), False)
    declarants = [
        f"{rng.choice(('Broker', 'Customs Broker', 'Таможенный представитель'))} "
        f"{rng.choice(WORDS_A)}"
        for _ in range(12)
    ]
    for i in range(n):
        pattern = rng.choice(PATTERNS) if rng.random() < planted_rate else ""
        row = _clean(rng, i, exporters, foreign, consignees, declarants)
        if pattern:
            _plant(rng, row, pattern, exporters)
        row[LABEL] = pattern
        yield {k: "" if row.get(k) is None else str(row[k]) for k in HEADER}


def _clean(
    rng: random.Random,
    i: int,
    exporters: list[_Party],
    foreign: list[_Party],
    consignees: list[_Party],
    declarants: list[str],
) -> dict[str, Any]:
    flow = rng.choices(("export", "import", "transit"), (0.6, 0.3, 0.1))[0]
    exp = rng.choice(foreign if flow != "export" else exporters)
    goods = rng.choice(exp.goods)
    if flow == "export":
        con = rng.choice(consignees)
        while goods.tier and con.country in ("RU", "BY"):  # clean traffic keeps CHPL out of RU
            con = rng.choice(consignees)
    else:
        con = rng.choice([c for c in consignees[:40] if c.country in LOCAL] or consignees)
        if flow == "transit" and not goods.tier:
            con = rng.choice(consignees)
    row: dict[str, Any] = {
        "declaration_id": f"D{i + 1:07d}",
        "date": _day(rng).isoformat(),
        "flow": flow,
        "declarant": rng.choice(declarants),
        "exporter_name": exp.name,
        "exporter_country": exp.country,
        "exporter_id": exp.pid,
        "consignee_name": con.name,
        "consignee_country": con.country,
        "consignee_id": con.pid,
        "origin_country": exp.country if rng.random() < 0.6 else rng.choice(FOREIGN),
        "destination_country": con.country,
        "transit_countries": "",
        "transport_mode": rng.choice(("road", "road", "rail", "air", "sea", "post")),
        "end_use": "",
    }
    if flow == "transit":
        row["transit_countries"] = rng.choice(("KZ", "KG", "KZ;KG", "UZ"))
    _set_goods(rng, row, goods)
    return row


def _set_goods(
    rng: random.Random,
    row: dict[str, Any],
    g: Goods,
    price: float | None = None,
    hs: str | None = None,
    text: str | None = None,
) -> None:
    unit_value = price if price is not None else rng.uniform(g.low, g.high)
    budget = rng.uniform(2_000, 120_000) if g.high < 10_000 else rng.uniform(30_000, 400_000)
    qty = max(1, round(budget / max(unit_value, 0.01)))
    row.update(
        hs_code=hs or g.hs,
        description=text or (g.ru if rng.random() < 0.5 else g.en),
        quantity=qty,
        unit=g.unit,
        net_mass_kg=round(qty * rng.uniform(0.05, 2.0), 1) if g.unit != "kg" else qty,
        value=round(qty * unit_value, 2),
        currency="USD",
    )


def _plant(rng: random.Random, row: dict[str, Any], pattern: str, exporters: list[_Party]) -> None:
    day = _day(rng, INVASION)
    row["date"] = day.isoformat()
    local = rng.choice(LOCAL)
    if pattern == "listed_party":
        name, country, variants = rng.choice(LISTED)
        role = rng.choice(("exporter", "consignee"))
        row[f"{role}_name"] = rng.choice((name, *variants))
        row[f"{role}_country"], row[f"{role}_id"] = country, ""
        if role == "exporter":
            row["flow"] = "export"
        else:
            row["destination_country"] = country
    elif pattern == "chpl_via_russia":
        _set_goods(rng, row, rng.choice(CHPL_LOW))
        if rng.random() < 0.5:
            row.update(
                flow="export",
                consignee_country=rng.choice(("RU", "BY")),
                consignee_name=_company(rng, "RU"),
                consignee_id="",
            )
            row["destination_country"] = row["consignee_country"]
        else:
            row.update(
                flow="transit",
                transit_countries=f"{local};RU",
                destination_country="BY",
                consignee_country="BY",
                consignee_name=_company(rng, "BY"),
                consignee_id="",
            )
    elif pattern == "national_ban":
        exp = rng.choice([e for e in exporters if e.country == "KG"] or exporters)
        row.update(
            flow="export",
            exporter_name=exp.name,
            exporter_country="KG",
            exporter_id=exp.pid,
            date=_day(rng, date(2023, 9, 1)).isoformat(),
        )
        _set_goods(rng, row, DRONE)
    elif pattern == "misdeclared":
        en, ru, hs = rng.choice(CONCEALED)
        _set_goods(rng, row, CHPL_LOW[0], hs=hs, text=ru if rng.random() < 0.5 else en)
    elif pattern == "undervalued":
        g = rng.choice(CHPL_HIGH)
        _set_goods(rng, row, g, price=g.low * rng.uniform(0.01, 0.05))
        row["destination_country"] = row["consignee_country"]
    elif pattern == "new_forwarder":
        name = _company(rng, local, forwarder=True) + f" {rng.randrange(100, 999)}"
        row.update(
            flow="export",
            consignee_name=name,
            consignee_country=local,
            destination_country=local,
            consignee_id="",
            transit_countries="",
        )
        _set_goods(rng, row, rng.choice(CHPL_LOW))
    elif pattern == "zero_to_positive":
        exp = rng.choice([e for e in exporters if not any(g.tier for g in e.goods)] or exporters)
        row.update(
            flow="export",
            exporter_name=exp.name,
            exporter_country=exp.country,
            exporter_id=exp.pid,
            consignee_country="KZ",
            consignee_name=_company(rng, "KZ"),
            consignee_id="",
            destination_country=rng.choice(("AM", "GE", "AE")),
            date=_day(rng, date(2023, 1, 1)).isoformat(),
        )
        _set_goods(rng, row, rng.choice(CHPL_LOW))
