"""``transitwatch lists``: show stored list versions, load list files, compare versions."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from transitwatch import settings
from transitwatch.cli import common
from transitwatch.cli.common import Steps, render_error, say, status
from transitwatch.errors import InputError, TransitWatchError
from transitwatch.lists.discover import discover
from transitwatch.lists.model import ListedEntity, ParsedList
from transitwatch.lists.sources import Parser, SourceSpec, get_source
from transitwatch.lists.versions import ListDiff, VersionInfo
from transitwatch.store import ListStore

lists_app = typer.Typer(
    name="lists",
    help="Sanctions and export-control lists: show stored versions, load files, compare versions.",
    invoke_without_command=True,
)

WARNINGS_SHOWN = 10
DIFF_ROWS = 20


def register(app: typer.Typer) -> None:
    app.add_typer(lists_app, name="lists")


def _fmt_count(n: int) -> str:
    return f"{n:,}"


# -- listing ------------------------------------------------------------------------------------


@lists_app.callback()
def show(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option("--source", "-s", help="Only this source's versions.")
    ] = None,
) -> None:
    """Without a subcommand: a table of every stored version of every source."""
    if ctx.invoked_subcommand is not None:
        return
    if source is not None:
        get_source(source)
    path = common.state(ctx).db_path()
    if not path.exists():
        say(f"no lists stored yet in {path}; load them with `transitwatch lists load-all`")
        return
    with common.store(ctx, read_only=True) as st:
        versions = st.versions(source)
        current = {v.version_id for v in st.current_versions().values()}
    if not versions:
        which = f"of {source} " if source else ""
        say(f"no list versions {which}stored yet in {path}")
        return
    table = Table(title=f"List versions in {path}", title_justify="left")
    for header, justify in (
        ("source", "left"),
        ("#", "right"),
        ("version id", "left"),
        ("file date", "left"),
        ("entities", "right"),
        ("warnings", "right"),
        ("loaded at (UTC)", "left"),
        ("current", "center"),
    ):
        table.add_column(header, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for v in versions:
        table.add_row(
            v.source,
            str(v.seq),
            v.version_id,
            v.file_date or "",
            _fmt_count(v.entity_count),
            _fmt_count(len(v.warnings)),
            v.loaded_at.strftime("%Y-%m-%d %H:%M"),
            "*" if v.version_id in current else "",
        )
    common.stdout().print(table)


# -- loading ------------------------------------------------------------------------------------


def _parser_of(spec: SourceSpec) -> Parser:
    try:
        return spec.parser()
    except (ImportError, AttributeError) as exc:
        raise TransitWatchError(
            f"the parser for {spec.name} ({spec.parser_ref}) is not available: {exc}"
        ) from exc


def _check_files(paths: Sequence[Path]) -> None:
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}")


def _parse(spec: SourceSpec, paths: Sequence[Path]) -> ParsedList:
    _check_files(paths)
    parse = _parser_of(spec)
    parsed: ParsedList = parse(list(paths))
    if parsed.source != spec.name:
        raise TransitWatchError(
            f"the {spec.name} parser returned a list for source {parsed.source!r} (a bug)"
        )
    return parsed


def _report(info: VersionInfo, *, all_warnings: bool) -> None:
    if info.unchanged:
        say(
            f"{info.source}: already stored - same content as version "
            f"{info.version_id} (#{info.seq}); nothing stored"
        )
        return
    date = f", file date {info.file_date}" if info.file_date else ""
    say(
        f"{info.source}: stored version {info.version_id} (#{info.seq}{date}): "
        f"{_fmt_count(info.entity_count)} entities"
    )
    if info.warnings:
        shown = info.warnings if all_warnings else info.warnings[:WARNINGS_SHOWN]
        say(f"  {_fmt_count(len(info.warnings))} warning(s):", style="yellow")
        for warning in shown:
            say(f"  - {warning}")
        if len(shown) < len(info.warnings):
            say(f"  ... and {len(info.warnings) - len(shown):,} more (--all-warnings shows them)")


def _step(message: str, spinner: bool) -> AbstractContextManager[None]:
    # load-all shows its own progress bar, and rich allows one live display at a time
    return status(message) if spinner else nullcontext()


def _load_job(
    st: ListStore, spec: SourceSpec, paths: Sequence[Path], *, spinner: bool = False
) -> VersionInfo:
    """Parse then save one version; nothing is written unless the parse succeeds."""
    with _step(f"parsing {spec.name} ({len(paths)} file(s))...", spinner):
        parsed = _parse(spec, paths)
    with _step(f"saving {spec.name} ({len(parsed.entities):,} entities)...", spinner):
        return st.save_list(parsed)


@lists_app.command("load")
def load(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source name, e.g. us_ofac_sdn.")],
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="The list's files.")],
    all_warnings: Annotated[
        bool, typer.Option("--all-warnings", help="Print every parser warning.")
    ] = False,
) -> None:
    """Parse one version of a list from its files and store it (atomically).

    Content identical to a stored version of the source is reported and not stored again.
    """
    spec = get_source(source)
    _check_files(paths)
    with common.store(ctx) as st:
        info = _load_job(st, spec, paths, spinner=True)
    _report(info, all_warnings=all_warnings)


@lists_app.command("load-all")
def load_all(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Folder with the staged list files. "
            "Default: $TRANSITWATCH_DATA or ../shared/data.",
            show_default=False,
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Load only this source (repeatable)."),
    ] = None,
    all_warnings: Annotated[
        bool, typer.Option("--all-warnings", help="Print every parser warning.")
    ] = False,
) -> None:
    """Load every list found in a data folder, each version in date order.

    Each version is stored atomically; a version that fails to load is reported and the
    others go on. The exit status is that of the first failure.
    """
    folder = (data_dir or Path(settings.get("data"))).expanduser()
    if not folder.is_dir():
        raise InputError(
            f"data folder {folder} does not exist (pass DATA_DIR or set TRANSITWATCH_DATA)"
        )
    wanted = {get_source(name).name for name in only or ()}
    jobs = [j for j in discover(folder) if not wanted or j.source in wanted]
    if not jobs:
        what = f" for {', '.join(sorted(wanted))}" if wanted else ""
        raise InputError(
            f"no list files{what} found in {folder} (expected folders such as ofac_sdn/, "
            "uk_sanctions_list/, un_sc_consolidated/, or *.ftm.json files)"
        )
    started = time.monotonic()
    stored = unchanged = 0
    failures: list[TransitWatchError] = []
    with common.store(ctx) as st, Steps(len(jobs), "loading lists") as steps:
        for job in jobs:
            steps.describe(f"{job.source} ({job.files[0].name})")
            try:
                info = _load_job(st, get_source(job.source), job.files)
            except TransitWatchError as exc:
                failures.append(exc)
                render_error(
                    TransitWatchError(
                        f"{job.source} ({', '.join(p.name for p in job.files)}): {exc.message}"
                    )
                )
            else:
                unchanged += info.unchanged
                stored += not info.unchanged
                _report(info, all_warnings=all_warnings)
            steps.advance()
    say(
        f"{len(jobs)} version(s) from {folder}: {stored} stored, {unchanged} already stored, "
        f"{len(failures)} failed ({time.monotonic() - started:.1f} s)"
    )
    if failures:
        raise typer.Exit(failures[0].exit_code)


# -- comparing ----------------------------------------------------------------------------------


def _entity_table(title: str, entities: Sequence[ListedEntity], limit: int) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("source_id", overflow="fold")
    table.add_column("schema")
    table.add_column("caption", overflow="fold")
    table.add_column("programs", overflow="fold")
    for e in entities[:limit]:
        table.add_row(e.source_id, e.schema, e.caption, ", ".join(e.programs))
    return table


def _print_diff(d: ListDiff, limit: int) -> None:
    out = common.stdout()

    def ref(v: VersionInfo) -> str:
        return f"#{v.seq} {v.version_id}" + (f" ({v.file_date})" if v.file_date else "")

    say(f"{d.source}: {ref(d.old)} -> {ref(d.new)}")
    c = d.counts
    say(
        f"added {_fmt_count(c['added'])}, removed {_fmt_count(c['removed'])}, "
        f"changed {_fmt_count(c['changed'])}"
    )
    if d.changed:
        fields = ", ".join(f"{name} {n:,}" for name, n in d.field_counts().items())
        say(f"changed fields: {fields}")
    cap = limit if limit > 0 else max(len(d.added), len(d.removed), len(d.changed))
    if d.added:
        out.print(_entity_table("Added", d.added, cap))
    if d.removed:
        out.print(_entity_table("Removed", d.removed, cap))
    if d.changed:
        table = Table(title="Changed", title_justify="left")
        table.add_column("source_id", overflow="fold")
        table.add_column("caption", overflow="fold")
        table.add_column("changed fields", overflow="fold")
        for ch in d.changed[:cap]:
            caption = ch.caption
            if ch.old.caption != ch.new.caption:
                caption = f"{ch.new.caption} (was {ch.old.caption})"
            table.add_row(ch.source_id, caption, ", ".join(ch.fields))
        out.print(table)
    if any(len(part) > cap for part in (d.added, d.removed, d.changed)):
        say(f"(at most {cap} rows per table; --limit 0 shows all, --json gives everything)")


@lists_app.command("diff")
def diff(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source name, e.g. us_ofac_sdn.")],
    old: Annotated[
        str,
        typer.Argument(help="Older version: id, seq number, file date, 'latest' or 'previous'."),
    ] = "previous",
    new: Annotated[str, typer.Argument(help="Newer version (same forms).")] = "latest",
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=0,
            help=f"Rows per list (default {DIFF_ROWS} in tables, all with --json; 0 = all).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Entities added, removed and changed (with the changed fields) between two versions."""
    spec = get_source(source)
    with common.store(ctx, read_only=True) as st:
        result = st.diff(spec.name, old, new)
    if as_json:
        cap = limit or None  # 0 = all
        typer.echo(json.dumps(result.to_json_dict(cap), ensure_ascii=False, indent=2))
        return
    _print_diff(result, DIFF_ROWS if limit is None else limit)
