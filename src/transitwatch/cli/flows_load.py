"""``transitwatch flows load | load-all | sources``: trade statistics into the store."""

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
from transitwatch.flows.loaders import FORMATS, discover, parse
from transitwatch.flows.model import ParsedFlows
from transitwatch.store.flows import FlowStore, LoadInfo

REASONS_SHOWN = 8
FORMAT_HELP = f"Format: {'|'.join(FORMATS)}|auto (auto: recognised by the header)."


def register(app: typer.Typer) -> None:
    """Add the ``flows`` sub-app to ``app`` unless another module already did."""
    if not any(group.typer_instance is flows_app for group in app.registered_groups):
        app.add_typer(flows_app, name="flows")


def _open(ctx: typer.Context) -> FlowStore:
    return FlowStore(common.state(ctx).db_path())


def _report(parsed: ParsedFlows, info: LoadInfo, seconds: float, *, verbose: bool) -> None:
    replaced = f", replacing {info.replaced_rows:,} rows" if info.replaced_rows else ""
    say(
        f"{info.source_file}: {info.rows:,} rows stored as {info.source} ({info.format}, version "
        f"{info.source_version}{replaced}), {info.skipped:,} skipped, {seconds:.1f}s"
    )
    reasons = list(parsed.skipped_by_reason().items())
    shown = reasons if verbose else reasons[:REASONS_SHOWN]
    for reason, n in shown:
        say(f"  skipped {n:,}: {reason}", style="yellow")
    if len(shown) < len(reasons):
        say(f"  ... and {len(reasons) - len(shown)} more reasons (--verbose shows them)")
    for note in parsed.notes:
        say(f"  note: {note}")


def _load_one(st: FlowStore, path: Path, fmt: str, *, verbose: bool) -> None:
    start = time.perf_counter()
    parsed = parse(path, fmt)  # nothing is written unless the whole file parses
    info = st.replace_file(parsed)
    _report(parsed, info, time.perf_counter() - start, verbose=verbose)


@flows_app.command("load")
def load(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP)],
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="Files (plain or gzip).")],
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Every skip reason.")] = False,
) -> None:
    """Load trade-statistics files; loading a file again replaces its rows (atomically)."""
    fmt = fmt.lower()
    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)} or auto")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}")
    with _open(ctx) as st:
        for path in paths:
            _load_one(st, path, fmt, verbose=verbose)


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
) -> None:
    """Find every trade-statistics file in a folder (by its header) and load it."""
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
            _load_one(st, path, fmt, verbose=verbose)
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
