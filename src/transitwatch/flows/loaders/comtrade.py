"""UN Comtrade CSV: the API / comtradeplus layout (``refYear, flowCode, cmdCode, primaryValue``),
its R ``comtradr`` spelling (``year, trade_code, commodity_code, trade_value_us``, as in the staged
Armenia and Georgia extracts) and the legacy bulk layout (``Trade Flow Code, Trade Value (US$)``).

Columns are found by their name with case, spaces and punctuation ignored. Values are US dollars.
Rows split by mode of transport are summed per partner, period and product unless the file has
the ``TOTAL MOT`` row (mode 0), which is then used alone; breakdowns by customs procedure, mode of
supply or second partner are skipped (their totals are the rows with code 0 / C00). What a row
means, and why one is skipped, is in :mod:`~transitwatch.flows.loaders.comtrade_rules`.

This is the reference loader: it reads a file whole, row by row in Python (about 12,000 rows/s).
Large files go through :mod:`~transitwatch.flows.loaders.comtrade_sql`, which DuckDB runs with
the same rules and gives the same rows (tested on the staged extracts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from transitwatch.flows.loaders import Table, add_record, drop_duplicates, new_parsed, note_count
from transitwatch.flows.loaders.comtrade_rules import (
    BREAKDOWNS,
    NO_CLASSIFICATION_NOTE,
    NOT_BROKEN_DOWN,
    NUMBER_FIELDS,
    ROW_MOT,
    SUMMED_NOTE,
    TOTAL_MOT,
    YEAR_RANGE,
    classification_edition,
    classification_reason,
    columns,
    edition_for,
    flow_of,
    flow_reason,
    hs_product,
    is_comtrade_header,
    reason,
    resolve,
    to_number,
)
from transitwatch.flows.model import TOTAL, FlowRecord, ParsedFlows, is_aggregate

__all__ = ["columns", "edition_for", "is_comtrade_header", "parse"]

Skip = tuple[str, str | None, str | None]


@dataclass(slots=True)
class _Part:
    line: int
    total_mot: bool
    record: FlowRecord


def _sum(a: float | None, b: float | None) -> float | None:
    return None if a is None and b is None else (a or 0.0) + (b or 0.0)


def _row(get: Callable[[str], str | None], parsed: ParsedFlows) -> FlowRecord | Skip:
    """The record of one row, or why it is skipped as (kind, a, b) (see comtrade_rules)."""
    numbers: dict[str, float | None] = {}
    for field in NUMBER_FIELDS:
        try:
            numbers[field] = to_number(get(field))
        except ValueError:
            return ("number", field, get(field))
        if field == "year" and numbers["year"] is None:
            return ("no_year", None, None)
    year_value, month_value, value = numbers["year"], numbers["month"], numbers["value"]
    assert year_value is not None
    year = int(year_value)
    month = int(month_value) if month_value is not None else None
    freq = (get("freq") or "").upper()
    if freq not in ("A", "M"):
        freq = "M" if month is not None and 1 <= month <= 12 else "A"
    if freq == "A":
        month = None
    for field in BREAKDOWNS:
        code = get(field)
        if code is not None and code not in NOT_BROKEN_DOWN:
            return ("breakdown", field, code)
    flow = flow_of(get("flow"), get("flow_desc"))
    if flow is None:
        return ("text", flow_reason(get("flow"), get("flow_desc")), None)
    if value is None:
        return ("no_value", None, None)
    reporter = resolve([get("reporter_iso")], [get("reporter")])
    if isinstance(reporter, str):
        return ("text", reporter, None)
    partner = resolve([get("partner_code"), get("partner_iso")], [get("partner")])
    if isinstance(partner, str):
        return ("text", partner, None)
    cmd = get("cmd") or ""
    is_total = cmd.upper() == TOTAL
    edition: str | None = None
    if not is_total:
        cls = get("classification") or ""
        edition = classification_edition(cls) if cls else edition_for(year)
        if edition is None and cls:
            return ("text", classification_reason(cls), None)
        if edition is None:
            return ("no_edition", get("year"), None)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return ("year_range", get("year"), None)
    if freq == "M" and (month is None or not 1 <= month <= 12):
        return ("month", get("month"), None)
    product, level = TOTAL, 0
    if not is_total:
        hs = hs_product(cmd, get("level"))
        if hs is None:
            return ("product", cmd, get("level"))
        product, level = hs
    qty = numbers["qty"]
    return FlowRecord(
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
        quantity_unit=(get("qty_unit") or None) if qty is not None else None,
        net_mass_kg=numbers["net_mass"],
        is_aggregate_partner=is_aggregate(partner.code),
    )


def parse(path: str | Path) -> ParsedFlows:
    table = Table(path)
    parsed = new_parsed(table, "comtrade")
    col = columns(table.header)
    table.require(*(col.get(f, f) for f in ("year", "cmd", "value")))
    if "classification" not in col:
        parsed.notes.append(NO_CLASSIFICATION_NOTE)
    reasons: dict[Skip, str] = {}
    parts: dict[tuple[object, ...], list[_Part]] = {}
    for line, row in table.rows():

        def get(field: str, row: dict[str, str] = row) -> str | None:
            name = col.get(field)
            return row[name].strip() if name is not None else None

        result = _row(get, parsed)
        if isinstance(result, tuple):
            text = reasons.get(result)
            if text is None:
                text = reasons[result] = reason(*result, col)
            parsed.skip(line, text)
            continue
        problems = result.problems()  # the rules above leave none; kept as a safety net
        if problems:
            parsed.skip(line, "; ".join(problems))
            continue
        total_mot = get("mot") in (None, *TOTAL_MOT)
        parts.setdefault(result.key(), []).append(_Part(line, total_mot, result))
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
                    parsed.skip(p.line, ROW_MOT)
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
        record = first
        if len(group) > 1:
            summed += len(group)
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
    note_count(parsed, SUMMED_NOTE, summed)
    drop_duplicates(parsed, lines)
