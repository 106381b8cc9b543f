"""National statistics by partner country, as staged (tidy long CSV, values in thousand USD):

* ``kg-nsc`` - National Statistical Committee of the Kyrgyz Republic, tables 4.03.00.18 (exports)
  and 4.03.00.20 (imports), partner labels in Kyrgyz, Russian and English; "-" means no trade;
* ``kz-stat`` - Bureau of National Statistics of Kazakhstan, partner names in Russian, export and
  import columns per partner and year; an empty cell means no trade;
* ``uz-stat`` - Statistics Agency of Uzbekistan, SDMX tables 1105 (exports) and 1176 (imports),
  partner names in Uzbek, Russian and English.

All are annual totals (product TOTAL); values are multiplied by 1,000 to be US dollars.
Group rows (the EU, CIS, EAEU, continents, the world total) are kept, flagged as aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence
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

FLOW_WORDS = {"export": "export", "import": "import", "exports": "export", "imports": "import"}


class _Builder:
    """Turns (line, reporter, partner names, flow, year, value) into records, counting why rows
    were skipped and how names were resolved."""

    def __init__(self, parsed: ParsedFlows, reporter: str) -> None:
        self.parsed = parsed
        self.reporter = reporter
        self.lines: list[int] = []
        self.zero = 0
        self.fallback: set[str] = set()

    def add(
        self, line: int, names: Sequence[str | None], flow: str, year_text: str, raw: str | None
    ) -> None:
        parsed = self.parsed
        text = (raw or "").strip()
        try:
            year = int(float(year_text))
            value = 0.0 if text in NO_TRADE else number(text)
        except ValueError as exc:
            parsed.skip(line, f"not a number: {exc}")
            return
        if value is None:
            value = 0.0
        if text in NO_TRADE or not text:
            self.zero += 1
        partner = partner_table().lookup(*names)
        if isinstance(partner, str):
            parsed.skip(line, partner)
            return
        if partner.via == "country_code":
            self.fallback.add(f"{next(n for n in names if n)!r} -> {partner.code}")
        record = thousand_usd_total(
            parsed,
            reporter=self.reporter,
            partner=partner.code,
            flow=flow,
            freq="A",
            year=year,
            month=None,
            value_thousands=value,
            is_aggregate_partner=is_aggregate(partner.code),
        )
        before = len(parsed.records)
        add_record(parsed, line, record)
        if len(parsed.records) > before:
            self.lines.append(line)

    def finish(self) -> ParsedFlows:
        note_count(self.parsed, "cells marked '-' or empty (no trade) were stored as 0", self.zero)
        if self.fallback:
            self.parsed.notes.append(
                "names not in partners.yml, resolved with country_code: "
                + ", ".join(sorted(self.fallback))
            )
        self.parsed.notes.append("values in thousand US dollars multiplied by 1,000")
        drop_duplicates(self.parsed, self.lines)
        return self.parsed


def _flow(parsed: ParsedFlows, line: int, text: str) -> str | None:
    flow = FLOW_WORDS.get(text.strip().lower())
    if flow is None:
        parsed.skip(line, f"flow {text!r} not loaded")
    return flow


def parse_kg(path: str | Path) -> ParsedFlows:
    table = Table(path)
    table.require("flow", "label_ky", "label_ru", "label_en", "year", "value_raw")
    parsed = new_parsed(table, "kg-nsc")
    build = _Builder(parsed, "KG")
    preliminary: set[str] = set()
    for line, row in table.rows():
        flow = _flow(parsed, line, row["flow"])
        if flow is None:
            continue
        if row.get("preliminary", "").strip().lower() == "true":
            preliminary.add(row["year"])
        names = [row["label_ru"], row["label_ky"], row["label_en"]]
        raw = (
            row["value_raw"]
            if row["value_raw"].strip() in NO_TRADE
            else row.get("value_thousand_usd", row["value_raw"])
        )
        build.add(line, names, flow, row["year"], raw)
    if preliminary:
        parsed.notes.append(f"preliminary figures (per the NSC): {', '.join(sorted(preliminary))}")
    return build.finish()


def parse_kz(path: str | Path) -> ParsedFlows:
    table = Table(path)
    table.require("year", "partner_ru", "export_thousand_usd", "import_thousand_usd")
    parsed = new_parsed(table, "kz-stat")
    build = _Builder(parsed, "KZ")
    for line, row in table.rows():
        title = row.get("period_title", "").lower()
        if title and "год" not in title:
            parsed.skip(line, f"period {row['period_title']!r} is not a full year")
            continue
        for flow, column in (("export", "export_thousand_usd"), ("import", "import_thousand_usd")):
            build.add(line, [row["partner_ru"]], flow, row["year"], row[column])
    return build.finish()


def parse_uz(path: str | Path) -> ParsedFlows:
    table = Table(path)
    table.require("flow", "partner_uz", "partner_ru", "partner_en", "year", "value_thousand_usd")
    parsed = new_parsed(table, "uz-stat")
    build = _Builder(parsed, "UZ")
    for line, row in table.rows():
        flow = _flow(parsed, line, row["flow"])
        if flow is None:
            continue
        names = [row["partner_en"], row["partner_ru"], row["partner_uz"]]
        build.add(line, names, flow, row["year"], row["value_thousand_usd"])
    return build.finish()
