"""``transitwatch flows growth|mirror|reexport|zero|hotspots|chpl|report``: indicators on the store.

Reads the ``trade_flows`` table of the store file (``--db``) through a read-only DuckDB
connection. Tables on a terminal; ``--json`` prints JSON for scripts.

``growth`` and ``zero`` can return millions of rows (every HS-6 series of a large table): they
show a bounded view (``--limit`` rows in ``--sort`` order, and how many rows there are), and
``--output FILE.parquet|.csv|.jsonl`` has DuckDB write every row to a file (``COPY``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.table import Table

from transitwatch.cli.common import say, state, status, stdout
from transitwatch.cli.flows_app import flows_app
from transitwatch.cli.flows_views import Limit, Output, View, emit_view, to_file
from transitwatch.errors import InputError, StoreError
from transitwatch.flows.chpl import Correlation, chpl_growth, load_chpl, load_correlation
from transitwatch.flows.growth import GROWTH_COLUMNS, ORDERS, growth_query, growth_row, growth_top
from transitwatch.flows.hotspots import hotspots
from transitwatch.flows.indicators import (
    DEFAULT_CIF_FOB,
    ZERO_COLUMNS,
    ZERO_ORDER,
    mirror,
    reexport,
    zero_query,
    zero_row,
    zero_top,
)
from transitwatch.flows.report import TRANSITS, collect, render
from transitwatch.flows.sql import Filters
from transitwatch.store.duck import connect
from transitwatch.store.flow_output import output_format

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Baseline = Annotated[str, typer.Option("--baseline", metavar="YYYY-YYYY", help="Baseline window.")]
CorrPath = Annotated[
    Path | None,
    typer.Option(
        "--hs-correlation",
        metavar="CSV",
        help="UNSD hs2022_hs2017_correlation.csv, to map HS2017 codes onto HS2022.",
    ),
]


@contextlib.contextmanager
def _connect(ctx: typer.Context) -> Iterator[duckdb.DuckDBPyConnection]:
    path = state(ctx).db_path()
    if not path.exists():
        raise StoreError(f"no store at {path}: load trade flows first (transitwatch flows load)")
    try:
        con = connect(path, read_only=True)  # StoreLockedError if held
    except duckdb.Error as exc:
        raise StoreError(f"cannot open the store {path}: {exc}") from exc
    try:
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "trade_flows" not in tables:
            raise StoreError(f"the store {path} holds no trade flows: load them first")
        yield con
    finally:
        con.close()


def _years(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
    if not m:
        raise InputError(f"--baseline must be YYYY or YYYY-YYYY, not {text!r}")
    first, last = int(m[1]), int(m[2] or m[1])
    if last < first:
        raise InputError(f"--baseline {text!r}: the window ends before it starts")
    return first, last


def _codes(values: Sequence[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(v.strip().upper() for value in values for v in value.split(",") if v.strip())


def _correlations(path: Path | None) -> list[Correlation]:
    return load_correlation(path) if path is not None else []


def _emit(rows: Sequence[Any], as_json: bool, columns: Sequence[str], title: str) -> None:
    """Rows (dataclasses) as JSON or as a rich table of ``columns``."""
    records = [dataclasses.asdict(r) for r in rows]
    if as_json:
        stdout().print_json(json.dumps(records, default=str))
        return
    if not records:
        say(f"{title}: no rows")
        return
    table = Table(title=title)
    for col in columns:
        table.add_column(col.rsplit(".", 1)[-1], overflow="fold")  # "signals.year" -> "year"
    for rec in records:
        table.add_row(*(_cell(_dig(rec, col)) for col in columns))
    stdout().print(table)


def _dig(rec: dict[str, Any], col: str) -> Any:
    value: Any = rec
    for part in col.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


GROWTH_COLS = (
    "source",
    "reporter",
    "partner",
    "product",
    "flow",
    "year",
    "month",
    "value_usd",
    "yoy",
    "baseline_usd",
    "vs_baseline",
    "basis",
)


def growth_cmd(
    ctx: typer.Context,
    reporter: Annotated[
        list[str] | None, typer.Option(help="ISO2 or EU27 (repeat or a,b).")
    ] = None,
    partner: Annotated[list[str] | None, typer.Option(help="ISO2 or EU27.")] = None,
    product: Annotated[list[str] | None, typer.Option(help="TOTAL or HS digits.")] = None,
    flow: Annotated[list[str] | None, typer.Option(help="export, import, ...")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these sources.")] = None,
    level: Annotated[
        int | None, typer.Option(help="Only products of this HS level (0 = TOTAL, 2, 4, 6).")
    ] = None,
    monthly: Annotated[bool, typer.Option("--monthly", help="Monthly instead of annual.")] = False,
    baseline: Baseline = "2019-2021",
    output: Output = None,
    limit: Limit = 50,
    sort: Annotated[
        str, typer.Option(help=f"Order of the rows shown: {'|'.join(ORDERS)} (largest first).")
    ] = "key",
    as_json: Json = False,
) -> None:
    """Growth vs the previous year and vs the baseline mean, per flow."""
    if sort not in ORDERS:
        raise InputError(f"--sort must be one of {', '.join(ORDERS)}, not {sort!r}")
    if output is not None:
        output_format(output)
    filters = Filters(
        reporters=_codes(reporter),
        partners=_codes(partner),
        products=_codes(product),
        flows=tuple(f.lower() for f in flow) if flow else None,
        sources=tuple(source) if source else None,
        product_level=level,
    )
    args: dict[str, Any] = {"grain": "M" if monthly else "A", "baseline": _years(baseline)}
    with _connect(ctx) as con:
        if output is not None:
            query = growth_query(filters, order=None, **args)  # file order: not defined
            rows, total = to_file(
                con, output, query, GROWTH_COLUMNS, ORDERS[sort], limit, growth_row
            )
        else:
            rows, total = growth_top(con, filters, order=sort, limit=limit, **args)
    emit_view(View(rows, total, sort, output), as_json, GROWTH_COLS, "growth", _emit)


def mirror_cmd(
    ctx: typer.Context,
    exporter: Annotated[str, typer.Option(help="Reporter of the exports (ISO2 or EU27).")],
    importer: Annotated[str, typer.Option(help="Reporter of the imports (ISO2 or EU27).")],
    product: Annotated[str, typer.Option(help="TOTAL or HS digits.")] = "TOTAL",
    cif_fob: Annotated[float, typer.Option(help="CIF/FOB ratio applied to imports.")] = (
        DEFAULT_CIF_FOB
    ),
    monthly: Annotated[bool, typer.Option("--monthly", help="Monthly instead of annual.")] = False,
    as_json: Json = False,
) -> None:
    """Mirror gap: exporter-reported exports vs importer-reported imports (CIF→FOB)."""
    if cif_fob <= 0:
        raise InputError("--cif-fob must be positive")
    with _connect(ctx) as con:
        rows = mirror(
            con,
            exporter.upper(),
            importer.upper(),
            product=product.upper(),
            cif_fob=cif_fob,
            grain="M" if monthly else "A",
        )
    cols = (
        "year",
        "month",
        "export_source",
        "import_source",
        "export_usd",
        "import_cif_usd",
        "import_fob_usd",
        "gap_usd",
        "gap_share",
        "import_basis",
    )
    _emit(rows, as_json, cols, f"mirror {exporter.upper()} → {importer.upper()}")


def reexport_cmd(
    ctx: typer.Context,
    transit: Annotated[str, typer.Option(help="Transit country (ISO2).")],
    product: Annotated[str, typer.Option(help="HS code (or TOTAL).")],
    annual: Annotated[bool, typer.Option("--annual", help="Annual instead of monthly.")] = False,
    as_json: Json = False,
) -> None:
    """Re-export signature: imports from the coalition vs exports to Russia, same product."""
    with _connect(ctx) as con:
        sigs = reexport(con, transit.upper(), product.upper(), grain="A" if annual else "M")
    if as_json:
        _emit(sigs, True, (), "")
        return
    for sig in sigs:
        say(
            f"{sig.transit} {sig.product} [{sig.source}]: {sig.n_paired} paired periods, "
            f"correlation {_cell(sig.correlation)}, ratio exports/imports {_cell(sig.ratio)}"
        )
        _emit(
            sig.points,
            False,
            ("year", "month", "imports_usd", "exports_ru_usd", "ratio"),
            f"re-export signature {sig.transit} {sig.product}",
        )
    if not sigs:
        say("re-export signature: no rows")


def zero_cmd(
    ctx: typer.Context,
    reporter: Annotated[list[str] | None, typer.Option(help="Reporter(s); default all.")] = None,
    partner: Annotated[str, typer.Option(help="Partner.")] = "RU",
    since: Annotated[int, typer.Option(help="First year of 'after'.")] = 2022,
    level: Annotated[int, typer.Option(help="HS level (2, 4 or 6).")] = 6,
    hs_correlation: CorrPath = None,
    output: Output = None,
    limit: Limit = 50,
    as_json: Json = False,
) -> None:
    """Zero-to-positive: products first exported to the partner in or after --since."""
    from transitwatch.flows.chpl import renumbered

    if output is not None:
        output_format(output)
    mapping = renumbered(_correlations(hs_correlation)) if hs_correlation else []
    args: dict[str, Any] = {
        "reporters": _codes(reporter),
        "partner": partner.upper(),
        "since": since,
        "product_level": level,
        "mapping": mapping,
    }
    with _connect(ctx) as con:
        if output is not None:
            query = zero_query(ordered=False, **args)
            rows, total = to_file(con, output, query, ZERO_COLUMNS, ZERO_ORDER, limit, zero_row)
        else:
            rows, total = zero_top(con, limit=limit, **args)
    cols = ("source", "reporter", "partner", "product", "first_year", "value_since_usd")
    view = View(rows, total, "value since", output)
    emit_view(view, as_json, cols, "zero-to-positive", _emit)


def hotspots_cmd(
    ctx: typer.Context,
    transit: Annotated[list[str] | None, typer.Option(help="Transit countries.")] = None,
    level: Annotated[int, typer.Option(help="HS level (0 = TOTAL, 2, 4, 6).")] = 6,
    limit: Annotated[int, typer.Option(help="Rows shown.")] = 25,
    baseline: Baseline = "2019-2021",
    as_json: Json = False,
) -> None:
    """(transit country, product) pairs ranked by the documented hotspot score."""
    with _connect(ctx) as con:
        rows = hotspots(
            con,
            load_chpl(),
            transits=_codes(transit),
            product_level=level,
            baseline=_years(baseline),
            limit=limit,
        )
    cols = (
        "rank",
        "signals.transit",
        "signals.product",
        "tier",
        "signals.year",
        "signals.exports_ru_usd",
        "signals.exports_ru_baseline_usd",
        "signals.imports_coalition_usd",
        "signals.correlation",
        "new",
        "score",
    )
    _emit(rows, as_json, cols, "hotspots")


def chpl_cmd(
    ctx: typer.Context,
    reporter: Annotated[list[str] | None, typer.Option(help="Reporter(s).")] = None,
    partner: Annotated[list[str] | None, typer.Option(help="Partner(s).")] = None,
    flow: Annotated[str, typer.Option(help="Flow.")] = "export",
    hs_correlation: CorrPath = None,
    baseline: Baseline = "2019-2021",
    as_json: Json = False,
) -> None:
    """Growth by CHPL tier (HS-6 rows; HS2017 mapped to HS2022 with --hs-correlation)."""
    filters = Filters(reporters=_codes(reporter), partners=_codes(partner), flows=(flow,))
    with _connect(ctx) as con:
        rows = chpl_growth(
            con, filters, load_chpl(), _correlations(hs_correlation), baseline=_years(baseline)
        )
    _emit(rows, as_json, GROWTH_COLS, "CHPL tiers")


def report_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    transit: Annotated[list[str] | None, typer.Option(help="Transit countries.")] = None,
    hs_correlation: CorrPath = None,
    cif_fob: Annotated[float, typer.Option(help="CIF/FOB ratio.")] = DEFAULT_CIF_FOB,
    baseline: Baseline = "2019-2021",
) -> None:
    """Write a self-contained HTML report (charts, tables, sources and methods)."""
    with _connect(ctx) as con, status("computing indicators"):
        data = collect(
            con,
            chpl=load_chpl(),
            correlations=_correlations(hs_correlation),
            transits=_codes(transit) or TRANSITS,
            baseline=_years(baseline),
            cif_fob=cif_fob,
        )
    try:
        output.write_text(render(data), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from exc
    say(f"report written to {output}")


COMMANDS: dict[str, Callable[..., None]] = {
    "growth": growth_cmd,
    "mirror": mirror_cmd,
    "reexport": reexport_cmd,
    "zero": zero_cmd,
    "hotspots": hotspots_cmd,
    "chpl": chpl_cmd,
    "report": report_cmd,
}


def register(app: typer.Typer) -> None:
    """Add the indicator commands to ``flows_app`` and ``flows_app`` to ``app`` (each once)."""
    have = {c.name for c in flows_app.registered_commands}
    for name, func in COMMANDS.items():
        if name not in have:
            flows_app.command(name)(func)
    if all(g.typer_instance is not flows_app for g in app.registered_groups):
        app.add_typer(flows_app)
