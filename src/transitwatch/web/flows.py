"""The flows dashboard: the report's charts for one transit country, product and period.

Reads the store's ``trade_flows`` table with the flow indicators (plain SQL on a cursor of the
service's connection) and draws the charts with :mod:`transitwatch.flows.svg`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from transitwatch import settings
from transitwatch.api.deps import ServiceState
from transitwatch.errors import TransitWatchError
from transitwatch.flows.chpl import Chpl, Correlation, chpl_mapping, load_chpl, load_correlation
from transitwatch.flows.indicators import DEFAULT_BASELINE, GrowthRow, growth, mirror
from transitwatch.flows.report import TRANSITS
from transitwatch.flows.sql import Filters
from transitwatch.flows.svg import Series, bar_chart, fmt_num, line_chart
from transitwatch.web.data import connection

# Product groups besides TOTAL and single HS codes: the CHPL by tier group.
CHPL_GROUPS = {
    "CHPL": ("all tiers", ("1", "2", "3.A", "3.B", "4.A", "4.B")),
    "CHPL-1": ("tier 1", ("1",)),
    "CHPL-2": ("tier 2", ("2",)),
    "CHPL-3": ("tiers 3.A and 3.B", ("3.A", "3.B")),
    "CHPL-4": ("tiers 4.A and 4.B", ("4.A", "4.B")),
}
CORRELATION_FILE = "hs_nomenclature/hs2022_hs2017_correlation.csv"


@lru_cache(maxsize=1)
def _chpl() -> Chpl:
    return load_chpl()


def _correlations() -> tuple[list[Correlation], str]:
    """The HS2022/HS2017 concordance from the server's data folder, and a note on its use."""
    return _correlations_in(Path(settings.get("data")).expanduser() / CORRELATION_FILE)


@lru_cache(maxsize=4)
def _correlations_in(path: Path) -> tuple[list[Correlation], str]:
    """Read once per file: the concordance is reference data, not per-request state."""
    if not path.is_file():
        return [], "no HS2017/HS2022 concordance staged, so renumbered HS2017 codes are not counted"
    try:
        return load_correlation(path), f"HS2017 rows mapped with the concordance {path.name}"
    except TransitWatchError as exc:
        return [], f"concordance not used ({exc.message})"


def _group_growth(
    cur: Any, filters: Filters, group: str, grain: str, chpl: Chpl, mapping: list[tuple[str, str]]
) -> list[GrowthRow]:
    """Growth of the HS-6 codes of one CHPL group summed under the group's name (SQL side)."""
    tiers = CHPL_GROUPS[group][1]
    codes = [(c.hs6, group) for c in chpl.codes if c.tier.removeprefix("Tier ").strip() in tiers]
    if not codes:  # growth() without groups would sum every product
        return []
    return growth(
        cur,
        Filters(
            reporters=filters.reporters,
            partners=filters.partners,
            flows=filters.flows,
            product_level=6,
        ),
        grain=grain,
        baseline=DEFAULT_BASELINE,
        mapping=mapping,
        groups=codes,
    )


@dataclass(slots=True)
class Dashboard:
    available: bool
    transits: list[str]
    products: list[str]
    years: list[int]
    transit: str
    product: str
    first: int | None
    last: int | None
    charts: list[tuple[str, str, str]] = field(default_factory=list)  # (heading, svg, caption)
    table: list[list[str]] = field(default_factory=list)
    note: str = ""  # what a product group means, shown under the charts' captions


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:+.0f} %"


def _usd(value: float | None) -> str:
    return "" if value is None else fmt_num(value)


def _options(cur: Any, transit: str) -> tuple[list[str], list[str], list[int]]:
    reporters = {r[0] for r in cur.execute("SELECT DISTINCT reporter FROM trade_flows").fetchall()}
    transits = sorted({t for t in TRANSITS} | (reporters - {"EU27", "EU", "RU", "WORLD"}))
    products = [
        r[0]
        for r in cur.execute(
            "SELECT product FROM trade_flows WHERE reporter = ? AND partner = 'RU' "
            "AND product <> 'TOTAL' GROUP BY product ORDER BY sum(value_usd) DESC NULLS LAST "
            "LIMIT 60",
            [transit],
        ).fetchall()
    ]
    years = [
        int(r[0])
        for r in cur.execute("SELECT DISTINCT year FROM trade_flows ORDER BY 1").fetchall()
    ]
    return transits, ["TOTAL", *CHPL_GROUPS, *sorted(products)], years


def _in(rows: list[Any], first: int | None, last: int | None) -> list[Any]:
    return [
        r for r in rows if (first is None or r.year >= first) and (last is None or r.year <= last)
    ]


def _annual(rows: list[GrowthRow]) -> dict[int, float]:
    """One source's annual values (the first source in name order)."""
    sources = sorted({r.source for r in rows if r.value_usd is not None})
    return {
        r.year: r.value_usd
        for r in rows
        if sources and r.source == sources[0] and r.value_usd is not None
    }


def dashboard(
    state: ServiceState, transit: str, product: str, first: int | None, last: int | None
) -> Dashboard:
    transit = (transit or "KG").strip().upper()[:4]
    product = (product or "TOTAL").strip().upper()[:12]
    with state.lock:
        con = connection(state)
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "trade_flows" not in tables:
            return Dashboard(False, list(TRANSITS), ["TOTAL"], [], transit, product, first, last)
        cur = con.cursor()
        prods = None if product in CHPL_GROUPS else (product,)
        try:
            transits, products, years = _options(cur, transit)
            if product in CHPL_GROUPS:
                chpl = _chpl()
                corr, note = _correlations()
                mapping = chpl_mapping(chpl, corr)

                def rows(f: Filters, grain: str = "A") -> list[GrowthRow]:
                    return _group_growth(cur, f, product, grain, chpl, mapping)

                group_note = (
                    f"CHPL {CHPL_GROUPS[product][0]}: HS-6 "
                    f"codes of the CHPL version {chpl.version} summed; {note}."
                )
            else:

                def rows(f: Filters, grain: str = "A") -> list[GrowthRow]:
                    return growth(cur, f, grain=grain, baseline=DEFAULT_BASELINE)

                group_note = ""
            to_ru = rows(
                Filters(reporters=(transit,), partners=("RU",), flows=("export",), products=prods)
            )
            eu_in = rows(
                Filters(reporters=("EU27",), partners=(transit,), flows=("export",), products=prods)
            )
            eu_monthly = rows(
                Filters(
                    reporters=("EU27",), partners=(transit, "RU"), flows=("export",), products=prods
                ),
                "M",
            )
            # The mirror gap pairs one product as both sides report it; not for a CHPL group.
            gaps = [] if group_note else mirror(cur, "EU27", transit, product=product)
        finally:
            cur.close()
    board = Dashboard(True, transits, products, years, transit, product, first, last)
    board.note = group_note
    to_ru, eu_in, eu_monthly, gaps = (
        _in(to_ru, first, last),
        _in(eu_in, first, last),
        _in(eu_monthly, first, last),
        _in(gaps, first, last),
    )
    _yearly_chart(board, to_ru, eu_in)
    _monthly_chart(board, eu_monthly)
    _mirror_chart(board, gaps)
    board.table = [
        [
            r.source,
            str(r.year),
            _usd(r.value_usd),
            _pct(r.yoy),
            _usd(r.baseline_usd),
            _pct(r.vs_baseline),
        ]
        for r in to_ru
        if r.value_usd is not None
    ]
    return board


def _yearly_chart(board: Dashboard, to_ru: list[GrowthRow], eu_in: list[GrowthRow]) -> None:
    out, inn = _annual(to_ru), _annual(eu_in)
    years = sorted(set(out) | set(inn))
    if not years:
        return
    t, p = board.transit, board.product
    svg = bar_chart(
        f"{t} exports to Russia and EU-27 exports to {t}, {p}, by year",
        [str(y) for y in years],
        [
            Series(f"{t} → RU", tuple(out.get(y) for y in years)),
            Series(f"EU-27 → {t}", tuple(inn.get(y) for y in years)),
        ],
        "USD",
    )
    sources = sorted({r.source for r in [*to_ru, *eu_in]})
    board.charts.append(
        (
            "Exports to Russia against imports from the EU, by year",
            svg,
            f"Source: {', '.join(sources)}. Method: annual values in USD (value_usd), "
            f"{t}-reported exports to RU and EU-27-reported exports to {t}; product {p}.",
        )
    )


def _monthly_chart(board: Dashboard, rows: list[GrowthRow]) -> None:
    rows = [r for r in rows if r.value_usd is not None and r.month is not None]
    if not any(r.partner == board.transit for r in rows):
        return
    periods = sorted({(r.year, r.month or 0) for r in rows})
    series = []
    base = DEFAULT_BASELINE
    for partner in sorted({r.partner for r in rows}, key=lambda p: (p == "RU", p)):
        values: dict[tuple[int, int], float] = {
            (r.year, r.month or 0): r.value_usd
            for r in rows
            if r.partner == partner and r.value_usd is not None
        }
        basis = [v for (y, _m), v in values.items() if base[0] <= y <= base[1] and v]
        mean = sum(basis) / len(basis) if basis else None
        series.append(
            Series(
                f"to {partner}",
                tuple(values[k] / mean * 100 if mean and k in values else None for k in periods),
            )
        )
    svg = line_chart(
        f"EU-27 monthly exports to {board.transit} and to Russia (index)",
        [str(y) if m == 1 or i == 0 else "" for i, (y, m) in enumerate(periods)],
        series,
        f"index, {base[0]}–{base[1]} = 100",
    )
    board.charts.append(
        (
            "EU-27 exports, monthly, indexed",
            svg,
            f"Source: {', '.join(sorted({r.source for r in rows}))}. Method: monthly EU-27 "
            f"exports, each line indexed to its own {base[0]}–{base[1]} monthly mean = 100.",
        )
    )


def _mirror_chart(board: Dashboard, rows: list[Any]) -> None:
    if not rows:
        return
    labels = [str(r.year) if r.month is None else f"{r.year}-{r.month:02d}" for r in rows]
    svg = bar_chart(
        f"EU-27 reported exports to {board.transit} vs {board.transit} reported imports",
        labels,
        [
            Series("EU-27 exports (FOB)", tuple(r.export_usd for r in rows)),
            Series(f"{board.transit} imports (FOB est.)", tuple(r.import_fob_usd for r in rows)),
        ],
        "USD",
    )
    board.charts.append(
        (
            f"Mirror gap: EU-27 → {board.transit}",
            svg,
            "Method: mirror gap = importer's imports (CIF) / CIF-FOB ratio − exporter's exports "
            "(FOB), in USD.",
        )
    )
