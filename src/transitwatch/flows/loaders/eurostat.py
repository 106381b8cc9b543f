"""Eurostat Comext "Relational View" exports as staged: one row per reporter, partner, product,
flow and period, value in euro (not thousands).

Columns ``reporter, partner, product, flow, stat_procedure, period|year, value_eur``. Labels are
Eurostat's long English labels (with footnotes such as "Germany (incl. German Democratic Republic
'DD' from 1991)") or, for one staged year, French ones; both are mapped through partners.yml.
Reporter aggregates (EU-27, the EU in its changing composition, the euro area) are kept with
their aggregate codes: never sum reporters without dropping them. Values are converted to US
dollars with the packaged rates: the month's average for monthly rows, the year's for annual ones
(:mod:`transitwatch.flows.rates`).
"""

from __future__ import annotations

import re
from pathlib import Path

from transitwatch.flows.loaders import Table, add_record, drop_duplicates, new_parsed, number
from transitwatch.flows.model import TOTAL, FlowRecord, ParsedFlows, is_aggregate
from transitwatch.flows.partners import partner_table
from transitwatch.flows.rates import rate_table

FLOWS = {"EXPORT": "export", "EXPORTATION": "export", "IMPORT": "import", "IMPORTATION": "import"}
TOTALS = frozenset({"total", "total - total", "t-total"})
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^(\d{4})$")


def parse(path: str | Path) -> ParsedFlows:
    table = Table(path)
    parsed = new_parsed(table, "eurostat")
    table.require("reporter", "partner", "product", "flow", "value_eur")
    period_col = "period" if "period" in table.index else "year"
    table.require(period_col)
    rates = rate_table()
    names = partner_table()
    lines: list[int] = []
    bases: dict[str, str] = {}
    for line, row in table.rows():
        flow = FLOWS.get(row["flow"].strip().upper())
        if flow is None:
            parsed.skip(line, f"flow {row['flow']!r} not loaded")
            continue
        if row["product"].strip().lower() not in TOTALS:
            parsed.skip(line, f"product {row['product']!r} is not the total (not supported yet)")
            continue
        procedure = row.get("stat_procedure", "Total").strip().lower()
        if procedure not in TOTALS:
            parsed.skip(line, f"statistical procedure {row['stat_procedure']!r}: totals are used")
            continue
        period = row[period_col].strip()
        month_m, year_m = MONTH.match(period), YEAR.match(period)
        if month_m:
            year, month, freq = int(month_m[1]), int(month_m[2]), "M"
        elif year_m:
            year, month, freq = int(year_m[1]), None, "A"
        else:
            parsed.skip(line, f"period {period!r} is neither YYYY nor YYYY-MM")
            continue
        try:
            value = number(row["value_eur"])
        except ValueError as exc:
            parsed.skip(line, f"value_eur: {exc}")
            continue
        if value is None:
            parsed.skip(line, "no value")
            continue
        reporter = names.lookup(row["reporter"])
        partner = names.lookup(row["partner"])
        if isinstance(reporter, str) or isinstance(partner, str):
            parsed.skip(line, str(reporter if isinstance(reporter, str) else partner))
            continue
        conversion = rates.conversion("EUR", year, month)
        bases[conversion.basis] = conversion.source
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
            product=TOTAL,
            product_level=0,
            hs_edition=None,
            value=value,
            currency="EUR",
            value_usd=value * conversion.usd_per_unit,
            quantity=None,
            quantity_unit=None,
            net_mass_kg=None,
            is_aggregate_partner=is_aggregate(partner.code),
        )
        before = len(parsed.records)
        add_record(parsed, line, record)
        if len(parsed.records) > before:
            lines.append(line)
    for basis, source in sorted(bases.items()):
        parsed.notes.append(f"EUR converted to USD with the {basis}: {source} (fx_rates.yml)")
    drop_duplicates(parsed, lines)
    return parsed
