"""A self-contained HTML report of the flow indicators: inline CSS, inline SVG charts, no requests.

:func:`collect` runs the indicators on a connection and returns a :class:`ReportData`;
:func:`render` turns it into HTML (pure). Every chart carries a caption naming its source(s)
and method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from transitwatch.flows.chpl import Chpl, Correlation, chpl_growth
from transitwatch.flows.hotspots import Hotspot, hotspots
from transitwatch.flows.indicators import (
    DEFAULT_BASELINE,
    DEFAULT_CIF_FOB,
    GrowthRow,
    MirrorRow,
    ZeroRow,
    growth,
    mirror,
    zero_to_positive,
)
from transitwatch.flows.sql import TABLE, Connection, Filters, Query, fetch, ident
from transitwatch.flows.svg import Series, bar_chart, fmt_num, line_chart

TRANSITS = ("KG", "KZ", "AM", "GE")
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:62rem;color:#222;line-height:1.4}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#444;max-width:48rem}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}
th{background:#f2f2f2}td.l,th.l{text-align:left}.meta{font-size:.8rem;color:#555}
svg{max-width:100%;height:auto}
"""


@dataclass(slots=True)
class ReportData:
    generated_at: str
    versions: list[tuple[str, str]]
    baseline: tuple[int, int]
    cif_fob: float
    eu_monthly: list[GrowthRow] = field(default_factory=list)
    mirror_kg: list[MirrorRow] = field(default_factory=list)
    kg_ru: list[GrowthRow] = field(default_factory=list)
    hotspots: list[Hotspot] = field(default_factory=list)
    zero: list[ZeroRow] = field(default_factory=list)
    chpl: list[GrowthRow] = field(default_factory=list)
    chpl_version: str = ""


def collect(
    con: Connection,
    *,
    chpl: Chpl,
    correlations: Sequence[Correlation] = (),
    transits: Sequence[str] = TRANSITS,
    baseline: tuple[int, int] = DEFAULT_BASELINE,
    cif_fob: float = DEFAULT_CIF_FOB,
    table: str = TABLE,
) -> ReportData:
    """Run every indicator the report shows."""
    versions = fetch(
        con,
        Query(
            f"SELECT DISTINCT source, source_version FROM {ident(table)} "
            "ORDER BY source, source_version"
        ),
    )
    data = ReportData(
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        versions=[(str(a), str(b)) for a, b in versions],
        baseline=baseline,
        cif_fob=cif_fob,
        chpl_version=chpl.version,
    )
    data.eu_monthly = growth(
        con,
        Filters(
            reporters=("EU27",), partners=(*transits, "RU"), flows=("export",), products=("TOTAL",)
        ),
        grain="M",
        baseline=baseline,
        table=table,
    )
    data.mirror_kg = mirror(con, "EU27", "KG", cif_fob=cif_fob, table=table)
    data.kg_ru = growth(
        con,
        Filters(reporters=("KG",), partners=("RU",), flows=("export",), products=("TOTAL",)),
        baseline=baseline,
        table=table,
    )
    data.hotspots = hotspots(con, chpl, transits=transits, baseline=baseline, table=table, limit=25)
    data.zero = zero_to_positive(con, reporters=list(transits), table=table)[:25]
    data.chpl = chpl_growth(
        con,
        Filters(reporters=tuple(transits), partners=("RU",)),
        chpl,
        correlations,
        baseline=baseline,
        table=table,
    )
    return data


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:+.0f} %"


def _usd(value: float | None) -> str:
    return "" if value is None else fmt_num(value)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    def cell(tag: str, i: int, text: str) -> str:
        cls = ' class="l"' if i < left else ""
        return f"<{tag}{cls}>{escape(text)}</{tag}>"

    out = ["<table><tr>" + "".join(cell("th", i, h) for i, h in enumerate(head)) + "</tr>"]
    out += ["<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in rows]
    return "\n".join([*out, "</table>"])


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _empty(what: str) -> str:
    return f"<p><em>No data in the store for {escape(what)}.</em></p>"


def _eu_monthly_section(d: ReportData) -> str:
    rows = [r for r in d.eu_monthly if r.value_usd is not None and r.month is not None]
    if not rows:
        return _empty("EU-27 monthly exports")
    periods = sorted({(r.year, r.month or 0) for r in rows})
    series = []
    sources = sorted({r.source for r in rows})
    for partner in sorted({r.partner for r in rows}, key=lambda p: (p == "RU", p)):
        values: dict[tuple[int, int], float] = {
            (r.year, r.month or 0): r.value_usd
            for r in rows
            if r.partner == partner and r.value_usd is not None
        }
        base = [v for (y, _m), v in values.items() if d.baseline[0] <= y <= d.baseline[1] and v]
        mean = sum(base) / len(base) if base else None
        series.append(
            Series(
                f"to {partner}",
                tuple(
                    (values[p] / mean * 100) if mean and values.get(p) is not None else None
                    for p in periods
                ),
            )
        )
    svg = line_chart(
        "EU-27 monthly exports to transit countries and to Russia (index)",
        [f"{y}-{m:02d}" for y, m in periods],
        series,
        f"index, {d.baseline[0]}–{d.baseline[1]} = 100",
    )
    caption = (
        f"Source: {', '.join(sources)} (EU-27 aggregate as reporter; member states summed where "
        "the aggregate is missing). Method: monthly exports, TOTAL goods, in USD (value_usd; EUR "
        "converted by the loader at each month's average rate, Federal Reserve H.10, where "
        f"fx_rates.yml has one); each line is indexed to its own "
        f"{d.baseline[0]}–{d.baseline[1]} monthly mean = 100, so a rise in exports to a transit "
        "country can be read against the fall in exports to Russia on one scale."
    )
    return _figure(svg, caption)


def _mirror_section(d: ReportData) -> str:
    if not d.mirror_kg:
        return _empty("the EU-27 / Kyrgyzstan mirror pair")
    rows = d.mirror_kg
    labels = [str(r.year) if r.month is None else f"{r.year}-{r.month:02d}" for r in rows]
    svg = bar_chart(
        "EU-27 reported exports to Kyrgyzstan vs Kyrgyz reported imports from the EU",
        labels,
        [
            Series("EU-27 exports (FOB)", tuple(r.export_usd for r in rows)),
            Series("KG imports (FOB est.)", tuple(r.import_fob_usd for r in rows)),
        ],
        "USD",
    )
    caption = (
        f"Sources: exports {', '.join(sorted({r.export_source for r in rows}))}; imports "
        f"{', '.join(sorted({r.import_source for r in rows}))}. Method: mirror gap = importer's "
        f"imports (CIF) / {d.cif_fob:.2f} (CIF/FOB ratio) − exporter's exports (FOB), "
        "share = gap / exports; both in USD (EUR converted by the loader: monthly rows at the "
        "month's Federal Reserve H.10 average, annual rows at the ECB annual average). Import "
        "side basis: "
        f"{', '.join(sorted({r.import_basis for r in rows}))}."
    )
    table = _table(
        [
            "year",
            "export src",
            "import src",
            "exports",
            "imports CIF",
            "imports FOB",
            "gap",
            "gap share",
            "import basis",
        ],
        [
            [
                lab,
                r.export_source,
                r.import_source,
                _usd(r.export_usd),
                _usd(r.import_cif_usd),
                _usd(r.import_fob_usd),
                _usd(r.gap_usd),
                _pct(r.gap_share),
                r.import_basis,
            ]
            for lab, r in zip(labels, rows, strict=True)
        ],
        left=3,
    )
    return _figure(svg, caption) + table


def _growth_table(rows: Sequence[GrowthRow], label: str = "product") -> str:
    return _table(
        [
            "source",
            "reporter",
            "partner",
            label,
            "year",
            "value USD",
            "vs prev. year",
            "baseline USD",
            "vs baseline",
        ],
        [
            [
                r.source,
                r.reporter,
                r.partner,
                r.product,
                str(r.year),
                _usd(r.value_usd),
                _pct(r.yoy),
                _usd(r.baseline_usd),
                _pct(r.vs_baseline),
            ]
            for r in rows
        ],
        left=4,
    )


def _kg_section(d: ReportData) -> str:
    rows = [r for r in d.kg_ru if r.value_usd is not None]
    if not rows:
        return _empty("Kyrgyz exports to Russia")
    sources = sorted({r.source for r in rows})
    first = [r for r in rows if r.source == sources[0]]
    svg = bar_chart(
        "Kyrgyz exports to Russia by year",
        [str(r.year) for r in first],
        [Series(f"KG → RU ({sources[0]})", tuple(r.value_usd for r in first))],
        "USD",
    )
    caption = (
        f"Source: {', '.join(sources)} (Kyrgyz-reported exports, TOTAL goods, USD). Method: "
        f"annual values; growth vs the previous year and vs the {d.baseline[0]}–"
        f"{d.baseline[1]} mean in the table."
    )
    recent = [r for r in rows if r.year >= d.baseline[0]]
    return _figure(svg, caption) + _growth_table(recent)


def _hotspot_section(d: ReportData) -> str:
    if not d.hotspots:
        return _empty("HS-6 flows of transit countries to Russia")
    return (
        "<p>Score = ln growth of exports to Russia vs baseline + ½·max(ln growth of coalition "
        "imports, 0) + ½·max(correlation, 0) + ½·coverage + 1 if new + CHPL tier weight "
        "(see transitwatch.flows.hotspots).</p>"
        + _table(
            [
                "rank",
                "transit",
                "product",
                "tier",
                "year",
                "exports RU",
                "baseline",
                "coalition imports",
                "corr",
                "new",
                "score",
            ],
            [
                [
                    str(h.rank),
                    h.signals.transit,
                    h.signals.product,
                    h.tier or "",
                    str(h.signals.year),
                    _usd(h.signals.exports_ru_usd),
                    _usd(h.signals.exports_ru_baseline_usd),
                    _usd(h.signals.imports_coalition_usd),
                    "" if h.signals.correlation is None else f"{h.signals.correlation:.2f}",
                    "yes" if h.new else "",
                    f"{h.score:.2f}",
                ]
                for h in d.hotspots
            ],
            left=4,
        )
    )


def render(d: ReportData) -> str:
    """The report as one HTML document (no external resources)."""
    versions = "; ".join(f"{s} {v}" for s, v in d.versions) or "none"
    zero = (
        _table(
            ["source", "reporter", "partner", "product", "first year", "value since"],
            [
                [
                    z.source,
                    z.reporter,
                    z.partner,
                    z.product,
                    str(z.first_year),
                    _usd(z.value_since_usd),
                ]
                for z in d.zero
            ],
            left=4,
        )
        if d.zero
        else _empty("HS-6 exports to Russia with a pre-2022 history")
    )
    chpl = _growth_table(d.chpl, "CHPL tier") if d.chpl else _empty("CHPL HS-6 flows")
    body = [
        "<h1>TransitWatch — trade through third countries to Russia</h1>",
        f'<p class="meta">Generated at {escape(d.generated_at)}. Data versions: '
        f"{escape(versions)}. CHPL version {escape(d.chpl_version)}. Baseline "
        f"{d.baseline[0]}–{d.baseline[1]}; CIF/FOB ratio {d.cif_fob:.2f}.</p>",
        "<h2>EU-27 exports to transit countries and to Russia, monthly</h2>",
        _eu_monthly_section(d),
        "<h2>Mirror gap: EU-27 → Kyrgyzstan</h2>",
        _mirror_section(d),
        "<h2>Kyrgyz exports to Russia</h2>",
        _kg_section(d),
        "<h2>Hotspots: (transit country, product) pairs</h2>",
        _hotspot_section(d),
        "<h2>Zero-to-positive: products first exported to Russia in or after 2022</h2>",
        zero,
        "<h2>CHPL tiers (HS2017 mapped to HS2022 before 2022)</h2>",
        chpl,
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>TransitWatch flow report</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
