"""The canonical trade-flow record, shared by every loader and the store (pure: no I/O).

One :class:`FlowRecord` is one row of the ``trade_flows`` table: a value traded between a reporter
and a partner, in one direction (:data:`FLOWS`), for one period (a year, or a month of a year) and
one product (``TOTAL`` or an HS code with its edition).

Partner (and reporter) codes are ISO 3166-1 alpha-2, or one of the aggregate codes in
:data:`AGGREGATES` (groups such as the EU-27 or the world total: never to be summed with the
countries they contain), or one of the additive non-country codes in :data:`SPECIAL`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

FLOWS: tuple[str, ...] = ("export", "import", "re-export", "re-import")
FREQS: tuple[str, ...] = ("A", "M")
TOTAL = "TOTAL"

#: Aggregate partner/reporter codes and what they stand for.
AGGREGATES: dict[str, str] = {
    "WORLD": "all partners (world total)",
    "EU": "European Union in the composition of the period (EU-28 until January 2020)",
    "EU27": "European Union, 27 member states (composition since February 2020)",
    "EA": "euro area in the composition of the period",
    "EA20": "euro area, 20 member states (composition since 2023)",
    "EXTRA_EU27": "all partners outside the EU-27",
    "INTRA_EU27": "EU-27 member states (trade among them)",
    "CIS": "Commonwealth of Independent States",
    "EAEU": "Eurasian Economic Union",
    "SCO": "Shanghai Cooperation Organisation",
    "CIS_NON_EAEU": "CIS countries outside the EAEU (Kazakh statistics)",
    "NON_CIS": "all partners outside the CIS (Kazakh statistics, 'rest of the world')",
    "EUROPE_NON_EU": "European countries outside the EU (Kazakh statistics)",
    "EUROPE": "Europe",
    "ASIA": "Asia",
    "AFRICA": "Africa",
    "AMERICA": "the Americas",
    "OCEANIA": "Australia and Oceania",
}

#: Additive partners that are not countries: summing them with countries is right.
SPECIAL: dict[str, str] = {
    "QU": "partner not specified / unknown / other countries",
    "QV": "EU partner not specified (intra-EU, Eurostat; Armstat 'EU countries not specified')",
    "QY": "confidential partner, intra-EU (commercial or military reasons)",
    "QZ": "confidential partner, extra-EU (commercial or military reasons)",
    "QQ": "stores and provisions, extra-EU",
    "QR": "stores and provisions, intra-EU",
    "QW": "high seas",
    "QS": "Other Asia, not elsewhere specified (UN Comtrade code 490)",
    "XC": "Ceuta (Eurostat geonomenclature)",
    "XL": "Melilla (Eurostat geonomenclature)",
    "CS": "Serbia and Montenegro (withdrawn ISO code, historic rows)",
}


def is_aggregate(code: str) -> bool:
    return code in AGGREGATES


def valid_code(code: str) -> bool:
    """An ISO2-shaped code, an aggregate or a special code."""
    return (
        code in AGGREGATES
        or code in SPECIAL
        or (len(code) == 2 and code.isalpha() and code.isupper())
    )


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """One row of ``trade_flows``; field order is the table's column order."""

    source: str
    source_file: str
    source_version: str
    reporter: str
    partner: str
    flow: str
    freq: str
    year: int
    month: int | None
    product: str
    product_level: int
    hs_edition: str | None
    value: float | None
    currency: str
    value_usd: float | None
    quantity: float | None
    quantity_unit: str | None
    net_mass_kg: float | None
    is_aggregate_partner: bool

    def key(self) -> tuple[str, str, str, str, int, int | None, str]:
        """What identifies a row within one file (two rows with one key would double-count)."""
        return (
            self.reporter,
            self.partner,
            self.flow,
            self.freq,
            self.year,
            self.month,
            self.product,
        )

    def problems(self) -> list[str]:
        """What is wrong with this record (empty when it is valid)."""
        out: list[str] = []
        if self.flow not in FLOWS:
            out.append(f"flow {self.flow!r} is not one of {', '.join(FLOWS)}")
        if self.freq not in FREQS:
            out.append(f"freq {self.freq!r} is not A or M")
        if self.freq == "A" and self.month is not None:
            out.append("annual row with a month")
        if self.freq == "M" and (self.month is None or not 1 <= self.month <= 12):
            out.append(f"monthly row with month {self.month!r}")
        if not 1900 <= self.year <= 2100:
            out.append(f"year {self.year} out of range")
        for name, code in (("reporter", self.reporter), ("partner", self.partner)):
            if not valid_code(code):
                out.append(f"{name} {code!r} is not an ISO2, aggregate or special code")
        if self.product == TOTAL:
            if self.product_level != 0 or self.hs_edition is not None:
                out.append("TOTAL product must have level 0 and no HS edition")
        elif not (self.product.isdigit() and len(self.product) == self.product_level in (2, 4, 6)):
            out.append(f"product {self.product!r} is not TOTAL or an HS code of 2, 4 or 6 digits")
        if self.is_aggregate_partner != is_aggregate(self.partner):
            out.append("is_aggregate_partner disagrees with the partner code")
        return out


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(FlowRecord))


@dataclass(frozen=True, slots=True)
class Skip:
    """A source row that was not loaded, and why (``row`` is the 1-based line of the file)."""

    row: int
    reason: str


@dataclass(slots=True)
class ParsedFlows:
    """What a loader made of one file: records, skipped rows with reasons, and notes."""

    source: str
    source_file: str
    version: str
    format: str
    records: list[FlowRecord] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, row: int, reason: str) -> None:
        self.skipped.append(Skip(row, reason))

    def skipped_by_reason(self) -> dict[str, int]:
        """Skipped rows counted by reason (reasons are grouped up to their first colon)."""
        counts: dict[str, int] = {}
        for s in self.skipped:
            counts[s.reason] = counts.get(s.reason, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
