"""``transitwatch flows load | load-all | sources``: trade statistics into the store.

UN Comtrade files have two loaders with the same rules and results: the Python reference loader
and a DuckDB path for large files (``--engine``; ``auto`` takes DuckDB from
:data:`DUCKDB_FROM_BYTES` on disk).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from transitwatch import settings
from transitwatch.cli import common
from transitwatch.cli.common import Steps, say
from transitwatch.cli.flows_app import flows_app
from transitwatch.errors import InputError
from transitwatch.flows.loaders import FORMATS, detect, discover, header_of, parse
from transitwatch.store.comtrade_bulk import load_comtrade
from transitwatch.store.flows import FlowStore, LoadInfo

REASONS_SHOWN = 8
FORMAT_HELP = f"Format: {'|'.join(FORMATS)}|auto (auto: recognised by the header)."
ENGINES = ("auto", "python", "duckdb")
#: from this size on disk, ``--engine auto`` loads a Comtrade file through DuckDB
DUCKDB_FROM_BYTES = 16 * 2**20
Engine = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Comtrade loader: python (reference), duckdb (large files: DuckDB reads the CSV) "
        f"or auto (duckdb from {DUCKDB_FROM_BYTES // 2**20} MiB on disk).",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the ``flows`` sub-app to ``app`` unless another module already did."""
    if not any(group.typer_instance is flows_app for group in app.registered_groups):
        app.add_typer(flows_app, name="flows")


def _open(ctx: typer.Context) -> FlowStore:
    return FlowStore(common.state(ctx).db_path())


def _report(
    info: LoadInfo,
    reasons_by_count: dict[str, int],
    notes: list[str],
    seconds: float,
    *,
    engine: str,
    verbose: bool,
) -> None:
    replaced = f", replacing {info.replaced_rows:,} rows" if info.replaced_rows else ""
    say(
        f"{info.source_file}: {info.rows:,} rows stored as {info.source} ({info.format}, version "
        f"{info.source_version}{replaced}), {info.skipped:,} skipped, {seconds:.1f}s"
        + (" (DuckDB loader)" if engine == "duckdb" else "")
    )
    reasons = list(reasons_by_count.items())
    shown = reasons if verbose else reasons[:REASONS_SHOWN]
    for reason, n in shown:
        say(f"  skipped {n:,}: {reason}", style="yellow")
    if len(shown) < len(reasons):
        say(f"  ... and {len(reasons) - len(shown)} more reasons (--verbose shows them)")
    for note in notes:
        say(f"  note: {note}")


def _engine_for(path: Path, fmt: str, engine: str) -> str:
    """python or duckdb for one file (the DuckDB path reads Comtrade files only)."""
    if engine == "python":
        return engine
    if fmt == "auto":
        fmt = detect(header_of(path)) or "auto"
    if fmt != "comtrade":
        if engine == "duckdb":
            raise InputError(f"{path}: --engine duckdb loads Comtrade files only (this is {fmt})")
        return "python"
    if engine == "duckdb" or path.stat().st_size >= DUCKDB_FROM_BYTES:
        return "duckdb"
    return "python"


def _load_one(st: FlowStore, path: Path, fmt: str, *, engine: str, verbose: bool) -> None:
    start = time.perf_counter()
    engine = _engine_for(path, fmt, engine)
    if engine == "duckdb":
        bulk = load_comtrade(st, path)  # one transaction: nothing changes unless it all loads
        info, reasons, notes = bulk.info, bulk.reasons, bulk.notes
    else:
        parsed = parse(path, fmt)  # nothing is written unless the whole file parses
        info = st.replace_file(parsed)
        reasons, notes = parsed.skipped_by_reason(), parsed.notes
    elapsed = time.perf_counter() - start
    _report(info, reasons, notes, elapsed, engine=engine, verbose=verbose)


def _check_engine(engine: str) -> str:
    engine = engine.lower()
    if engine not in ENGINES:
        raise InputError(f"unknown --engine {engine!r}; use one of {', '.join(ENGINES)}")
    return engine


@flows_app.command("load")
def load(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP)],
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="Files (plain or gzip).")],
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Every skip reason.")] = False,
    engine: Engine = "auto",
) -> None:
    """Load trade-statistics files; loading a file again replaces its rows (atomically)."""
    engine = _check_engine(engine)
    fmt = fmt.lower()
    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)} or auto")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}")
    with _open(ctx) as st:
        for path in paths:
            _load_one(st, path, fmt, engine=engine, verbose=verbose)


@flows_app.command("load-all")
def load_all(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Folder with the staged data. Default: $TRANSITWATCH_DATA or ../shared/data."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Every skip reason.")] = False,
    engine: Engine = "auto",
) -> None:
    """Find every trade-statistics file in a folder (by its header) and load it."""
    engine = _check_engine(engine)
    folder = data_dir if data_dir is not None else Path(settings.get("data"))
    if not folder.is_dir():
        raise InputError(f"no such folder: {folder}")
    found, passed = discover(folder)
    if not found:
        raise InputError(f"no trade-statistics files found under {folder}")
    start = time.perf_counter()
    with _open(ctx) as st, Steps(len(found), "loading trade statistics") as steps:
        for path, fmt in found:
            steps.describe(f"loading {path.name}")
            _load_one(st, path, fmt, engine=engine, verbose=verbose)
            steps.advance()
        total = st.count()
    for path, why in passed:
        say(f"not loaded: {path.relative_to(folder)} ({why})")
    elapsed = time.perf_counter() - start
    say(f"{len(found)} files loaded, {total:,} rows in trade_flows, {elapsed:.1f}s")


@flows_app.command("sources")
def sources(ctx: typer.Context) -> None:
    """What is loaded: one line per file, with its version, rows and skipped rows."""
    path = common.state(ctx).db_path()
    if not path.exists():
        say(f"no store at {path}; load trade statistics with `transitwatch flows load-all`")
        return
    with FlowStore(path) as st:
        loads = st.loads()
    if not loads:
        say(f"no trade statistics loaded in {path}")
        return
    table = Table(title=f"Trade statistics in {path}", title_justify="left")
    for header in ("source", "file", "version", "format", "rows", "skipped", "loaded at (UTC)"):
        table.add_column(header, justify="right" if header in ("rows", "skipped") else "left")
    for row in loads:
        table.add_row(
            row["source"],
            row["source_file"],
            row["source_version"],
            row["format"],
            f"{row['rows']:,}",
            f"{row['skipped']:,}",
            row["loaded_at"].strftime("%Y-%m-%d %H:%M"),
        )
    common.stdout().print(table)
