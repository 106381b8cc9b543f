"""UN Comtrade CSV: the API / comtradeplus layout (``refYear, flowCode, cmdCode, primaryValue``),
its R ``comtradr`` spelling (``year, trade_code, commodity_code, trade_value_us``, as in the staged
Armenia and Georgia extracts) and the legacy bulk layout (``Trade Flow Code, Trade Value (US$)``).

Columns are found by their name with case, spaces and punctuation ignored. Values are US dollars.
Rows split by mode of transport are summed per partner, period and product unless the file has
the ``TOTAL MOT`` row (mode 0), which is then used alone; breakdowns by customs procedure, mode of
supply or second partner are skipped (their totals are the rows with code 0 / C00).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from transitwatch.flows.loaders import (
    Table,
    add_record,
    drop_duplicates,
    new_parsed,
    note_count,
    number,
)
from transitwatch.flows.model import TOTAL, FlowRecord, ParsedFlows, is_aggregate
from transitwatch.flows.partners import Resolution, partner_table

ALIASES: dict[str, tuple[str, ...]] = {
    "year": ("year", "refyear"),
    "month": ("month", "refmonth"),
    "period": ("perioddesc", "period", "refperiodid"),
    "freq": ("freqcode",),
    "flow": ("tradecode", "flowcode", "tradeflowcode"),
    "flow_desc": ("tradeflow", "flowdesc"),
    "reporter_iso": ("reporteriso",),
    "reporter": ("reporter", "reporterdesc"),
    "partner_code": ("partnercode",),
    "partner_iso": ("partneriso",),
    "partner": ("partner", "partnerdesc"),
    "partner2": ("partner2code",),
    "cmd": ("commoditycode", "cmdcode"),
    "level": ("aggregatelevel", "aggrlevel"),
    "classification": ("classificationcode", "classification"),
    "mot": ("motcode",),
    "customs": ("customscode",),
    "mos": ("moscode",),
    "qty": ("qty",),
    "qty_unit": ("qtyunitabbr", "qtyunit"),
    "net_mass": ("netweightkg", "netwgt"),
    "value": ("tradevalueus", "primaryvalue"),
}
FLOW_CODES = {
    "X": "export",
    "M": "import",
    "RX": "re-export",
    "RM": "re-import",
    "2": "export",
    "1": "import",
    "3": "re-export",
    "4": "re-import",
}
FLOW_NAMES = {
    "export": "export",
    "import": "import",
    "re-export": "re-export",
    "re-import": "re-import",
}
EDITIONS = {
    "H0": "HS1992",
    "H1": "HS1996",
    "H2": "HS2002",
    "H3": "HS2007",
    "H4": "HS2012",
    "H5": "HS2017",
    "H6": "HS2022",
}
# first year each HS edition was in force (for files that do not name their classification)
EDITION_YEARS = ((2022, "HS2022"), (2017, "HS2017"), (2012, "HS2012"), (2007, "HS2007"),
                 (2002, "HS2002"), (1996, "HS1996"), (1988, "HS1992"))  # fmt: skip
WORLD_CODES = frozenset({"0", "W00", "WLD"})


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def columns(header: Sequence[str]) -> dict[str, str]:
    """Canonical field -> the header's column for it."""
    by_key = {_key(h): h for h in header}
    found: dict[str, str] = {}
    for field, keys in ALIASES.items():
        for k in keys:
            if k in by_key:
                found[field] = by_key[k]
                break
    return found


def is_comtrade_header(header: Sequence[str]) -> bool:
    cols = columns(header)
    return {"year", "cmd", "value"} <= cols.keys() and ("flow" in cols or "flow_desc" in cols)


def edition_for(year: int) -> str:
    return next(ed for first, ed in EDITION_YEARS if year >= first)


@dataclass(slots=True)
class _Part:
    line: int
    total_mot: bool
    record: FlowRecord


def _resolve(codes: Sequence[str | None], names: Sequence[str | None]) -> Resolution | str:
    if any(c and c.strip().upper() in WORLD_CODES for c in codes):
        return Resolution("WORLD", "table")
    return partner_table().lookup(*codes, *names)


def _sum(a: float | None, b: float | None) -> float | None:
    return None if a is None and b is None else (a or 0.0) + (b or 0.0)


def parse(path: str | Path) -> ParsedFlows:
    table = Table(path)
    parsed = new_parsed(table, "comtrade")
    col = columns(table.header)
    table.require(*(col.get(f, f) for f in ("year", "cmd", "value")))
    if "classification" not in col:
        parsed.notes.append(
            "no classification column: hs_edition is the HS edition in force in each row's year "
            "(Comtrade 'as reported' data)"
        )

    def get(row: dict[str, str], field: str) -> str | None:
        name = col.get(field)
        return row[name].strip() if name is not None else None

    parts: dict[tuple[object, ...], list[_Part]] = {}
    for line, row in table.rows():
        try:
            year_text = get(row, "year") or ""
            year = int(float(year_text))
            month_val = number(get(row, "month"))
            month = int(month_val) if month_val is not None else None
            value = number(get(row, "value"))
            qty = number(get(row, "qty"))
            mass = number(get(row, "net_mass"))
        except ValueError as exc:
            parsed.skip(line, f"not a number: {exc}")
            continue
        freq = (get(row, "freq") or "").upper()
        if freq not in ("A", "M"):
            freq = "M" if month is not None and 1 <= month <= 12 else "A"
        if freq == "A":
            month = None
        for field in ("customs", "mos", "partner2"):
            code = get(row, field)
            if code not in (None, "", "0", "C00"):
                parsed.skip(line, f"{col[field]} breakdown row ({code}); totals are used")
                break
        else:
            flow_code = (get(row, "flow") or "").upper()
            flow = FLOW_CODES.get(flow_code) or FLOW_NAMES.get(
                (get(row, "flow_desc") or "").lower()
            )
            if flow is None:
                parsed.skip(line, f"flow {flow_code or get(row, 'flow_desc')!r} not loaded")
                continue
            if value is None:
                parsed.skip(line, "no trade value")
                continue
            reporter = _resolve([get(row, "reporter_iso")], [get(row, "reporter")])
            partner = _resolve(
                [get(row, "partner_code"), get(row, "partner_iso")], [get(row, "partner")]
            )
            if isinstance(reporter, str) or isinstance(partner, str):
                reason = reporter if isinstance(reporter, str) else partner
                parsed.skip(line, str(reason))
                continue
            cmd = get(row, "cmd") or ""
            level_text = get(row, "level")
            if cmd.upper() == TOTAL:
                product, level, edition = TOTAL, 0, None
            else:
                level = int(level_text) if level_text and level_text.isdigit() else len(cmd)
                product = cmd.zfill(level) if cmd.isdigit() else cmd
                cls = (get(row, "classification") or "").upper()
                edition = EDITIONS.get(cls) if cls else edition_for(year)
                if edition is None:
                    parsed.skip(line, f"classification {cls!r} is not HS")
                    continue
            mot = get(row, "mot")
            record = FlowRecord(
                source=parsed.source,
                source_file=parsed.source_file,
                source_version=parsed.version,
                reporter=reporter.code,
                partner=partner.code,
                flow=flow,
                freq=freq,
                year=year,
                month=month,
                product=product,
                product_level=level,
                hs_edition=edition,
                value=value,
                currency="USD",
                value_usd=value,
                quantity=qty,
                quantity_unit=(get(row, "qty_unit") or None) if qty is not None else None,
                net_mass_kg=mass,
                is_aggregate_partner=is_aggregate(partner.code),
            )
            problems = record.problems()
            if problems:
                parsed.skip(line, "; ".join(problems))
                continue
            parts.setdefault(record.key(), []).append(_Part(line, mot in (None, "", "0"), record))
    _combine(parsed, parts)
    return parsed


def _combine(parsed: ParsedFlows, parts: dict[tuple[object, ...], list[_Part]]) -> None:
    """One record per key: the TOTAL MOT row where there is one, else the sum over modes."""
    lines: list[int] = []
    summed = 0
    for group in parts.values():
        totals = [p for p in group if p.total_mot]
        if totals:
            for p in group:
                if not p.total_mot:
                    parsed.skip(p.line, "mode-of-transport row; the TOTAL MOT row is used")
            for p in totals:
                lines.append(p.line)
                parsed.records.append(p.record)
            continue
        first = group[0].record
        value, qty, mass = first.value, first.quantity, first.net_mass_kg
        units = {p.record.quantity_unit for p in group if p.record.quantity is not None}
        for p in group[1:]:
            value = _sum(value, p.record.value)
            qty = _sum(qty, p.record.quantity)
            mass = _sum(mass, p.record.net_mass_kg)
        if len(group) > 1:
            summed += len(group)
        record = first
        if len(group) > 1:
            from dataclasses import replace

            record = replace(
                first,
                value=value,
                value_usd=value,
                quantity=qty if len(units) <= 1 else None,
                quantity_unit=first.quantity_unit if len(units) <= 1 else None,
                net_mass_kg=mass,
            )
        add_record(parsed, group[0].line, record)
        lines.append(group[0].line)
    note_count(parsed, "rows split by mode of transport were summed into per-period totals", summed)
    drop_duplicates(parsed, lines)
