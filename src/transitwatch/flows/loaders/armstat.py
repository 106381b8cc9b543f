"""Armstat (Statistical Committee of the Republic of Armenia): trade by partner country, values in
thousand US dollars, partner names in English (Armstat spelling). Two staged layouts:

* monthly series ``country, year, month, export, import_origin, import_consignment, date``;
* the older table ``country, export, import_consigment, import_origin, timeperiod, year`` where
  ``timeperiod`` is a month (1-12) or ``Year``; "-" means no trade.

Imports are attributed by country of ORIGIN (``import_origin``), the IMTS convention; the
by-consignment column is not loaded (one import measure per partner, or the two would be summed).
A ``Year`` row is loaded only when its year has all twelve months in the file (the staged 2023
"Year" row covers January only).
"""

from __future__ import annotations

from pathlib import Path

from transitwatch.flows.loaders import (
    NO_TRADE,
    Table,
    add_record,
    drop_duplicates,
    new_parsed,
    note_count,
    number,
    thousand_usd_total,
)
from transitwatch.flows.model import ParsedFlows, is_aggregate
from transitwatch.flows.partners import partner_table


def parse(path: str | Path) -> ParsedFlows:
    table = Table(path)
    table.require("country", "year", "export", "import_origin")
    parsed = new_parsed(table, "armstat")
    period_col = "month" if "month" in table.index else "timeperiod"
    table.require(period_col)
    rows = list(table.rows())
    months: dict[str, set[str]] = {}
    for _, row in rows:
        if row[period_col].strip().isdigit():
            months.setdefault(row["year"].strip(), set()).add(row[period_col].strip())
    lines: list[int] = []
    zero = 0
    for line, row in rows:
        period, year_text = row[period_col].strip(), row["year"].strip()
        if period.isdigit():
            freq, month = "M", int(period)
        elif period.lower() == "year":
            if len(months.get(year_text, ())) < 12:
                parsed.skip(line, f"annual row of {year_text}, a partial year in this file")
                continue
            freq, month = "A", None
        else:
            parsed.skip(line, f"period {period!r} is neither a month nor 'Year'")
            continue
        partner = partner_table().lookup(row["country"])
        if isinstance(partner, str):
            parsed.skip(line, partner)
            continue
        for flow, column in (("export", "export"), ("import", "import_origin")):
            text = row[column].strip()
            try:
                value = 0.0 if text in NO_TRADE else number(text)
                year = int(year_text)
            except ValueError as exc:
                parsed.skip(line, f"not a number: {exc}")
                continue
            if value is None or text in NO_TRADE:
                zero += 1
                value = value or 0.0
            record = thousand_usd_total(
                parsed,
                reporter="AM",
                partner=partner.code,
                flow=flow,
                freq=freq,
                year=year,
                month=month,
                value_thousands=value,
                is_aggregate_partner=is_aggregate(partner.code),
            )
            before = len(parsed.records)
            add_record(parsed, line, record)
            if len(parsed.records) > before:
                lines.append(line)
    note_count(parsed, "cells marked '-' or empty (no trade) were stored as 0", zero)
    parsed.notes.append("imports by country of origin; imports by consignment are not loaded")
    parsed.notes.append("values in thousand US dollars multiplied by 1,000")
    drop_duplicates(parsed, lines)
    return parsed
