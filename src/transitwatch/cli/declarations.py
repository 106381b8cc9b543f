"""`transitwatch declarations screen|generate`: risk lanes for customs declarations."""

from __future__ import annotations

import csv
import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from transitwatch import settings
from transitwatch.cli.common import say, status, stdout, store
from transitwatch.cli.screen import build_screener
from transitwatch.declarations.engine import Engine, top_reasons
from transitwatch.declarations.generate import HEADER, generate
from transitwatch.declarations.history import History
from transitwatch.declarations.lanes import LanePolicy, lane_counts
from transitwatch.declarations.model import LANE_MEANING, LANES, Rejected
from transitwatch.declarations.parse import Parsed, parse_bytes, validate_records
from transitwatch.declarations.profiles import load_profiles
from transitwatch.errors import InputError
from transitwatch.lists.io import read_bytes
from transitwatch.store.declarations import DeclarationStore

declarations_app = typer.Typer(
    name="declarations",
    help="Screen customs declarations into red/yellow/green/blue lanes, with reasons.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(declarations_app)


def read_declarations(path: Path) -> Parsed:
    """CSV or JSON lines (UTF-8 or cp1251) in the core; Parquet through DuckDB here."""
    if path.suffix.lower() != ".parquet":
        return parse_bytes(read_bytes(path), str(path))
    import duckdb

    try:
        rel = duckdb.sql("SELECT * FROM read_parquet(?)", params=[str(path)])
        names = [c.lower() for c in rel.columns]
        rows = rel.fetchall()
    except duckdb.Error as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    records = ((i, dict(zip(names, r, strict=True))) for i, r in enumerate(rows, 1))
    accepted, rejected = validate_records(records)
    return Parsed(accepted, rejected, "parquet", "parquet")


def _open(path: Path) -> Any:
    try:
        return path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror})") from exc


def write_rejects(path: Path, rejected: list[Rejected]) -> None:
    with _open(path) as fh:
        for r in rejected:
            item = {
                "row": r.row,
                "declaration_id": r.declaration_id,
                "errors": [{"field": f, "message": m} for f, m in r.problems],
                "record": {k: v for k, v in r.raw.items() if not k.startswith("__")},
            }
            fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")


@declarations_app.command("screen")
def screen_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Declarations: CSV, JSON lines or Parquet.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write DECISIONS.jsonl.")],
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where to quarantine rejected rows (default: OUTPUT.rejects.jsonl)."),
    ] = None,
    profile: Annotated[
        list[Path] | None,
        typer.Option("--profile", help="Risk profile YAML (repeatable; default: shipped)."),
    ] = None,
    red_rate: Annotated[float, typer.Option(help="Red-lane quota (share of rows).")] = 0.05,
    yellow_rate: Annotated[float, typer.Option(help="Yellow-lane quota (share).")] = 0.15,
    random_rate: Annotated[
        float, typer.Option(help="Least share of rows inspected at random.")
    ] = 0.01,
    seed: Annotated[int, typer.Option(help="Seed of the random inspection draw.")] = 0,
    threshold: Annotated[
        float | None, typer.Option(help="Party-screening threshold (default: setting).")
    ] = None,
    hs_dir: Annotated[
        Path | None, typer.Option(help="HS nomenclature folder (for HS descriptions).")
    ] = None,
    min_count: Annotated[
        int, typer.Option(help="Past declarations needed for a unit-value band.")
    ] = 20,
    control_list: Annotated[
        list[Path] | None,
        typer.Option(
            "--control-list",
            help="Your own control list, YAML or CSV (repeatable; format: transitwatch.goods."
            "controls). Adds to the shipped CHPL, drone ban and embargo lists.",
        ),
    ] = None,
    drone_ban_start: Annotated[
        str | None,
        typer.Option(
            help="Start date (YYYY-MM-DD) of Kyrgyzstan's drone export ban; default: the "
            "date in data/controls/kg_drone_export_ban.yml."
        ),
    ] = None,
) -> None:
    """Screen a declarations file: one decision per accepted row, in input order."""
    from transitwatch.goods import GoodsKnowledge, UnitValueBands

    try:
        ban_start = date.fromisoformat(drone_ban_start) if drone_ban_start else None
    except ValueError:
        raise InputError(
            f"--drone-ban-start must be a date YYYY-MM-DD, not {drone_ban_start!r}"
        ) from None
    policy = LanePolicy(red_rate, yellow_rate, random_rate, "red", seed)
    profiles = load_profiles(profile or None)
    parsed = read_declarations(file)
    rejects_path = rejects or output.with_name(output.name + ".rejects.jsonl")
    write_rejects(rejects_path, parsed.rejected)
    for r in parsed.rejected[:5]:
        say(f"warning: {file}, row {r.row}: {r.message}", err=True)
    cut = settings.get("threshold") if threshold is None else threshold
    with store(ctx) as st:
        screener, list_versions = build_screener(st)
        dstore = DeclarationStore.of(st)
        started = time.perf_counter()
        with status("Screening declarations"):
            goods = GoodsKnowledge.default(
                hs_dir=hs_dir, extra_lists=control_list or (), drone_ban_start=ban_start
            )
            history = History(
                dstore.history_rows(),
                fit=lambda rows: UnitValueBands.fit(rows, min_count=min_count),
            )
            engine = Engine(
                profiles, goods, screener, history=history, threshold=cut, policy=policy
            )
            decisions = engine.screen(parsed.accepted)
        elapsed = time.perf_counter() - started
        with _open(output) as fh:
            for d in decisions:
                fh.write(json.dumps(d.to_json_dict(), ensure_ascii=False) + "\n")
        run_id = dstore.record_decisions(
            decisions, engine.profile_versions, list_versions, str(file)
        )
        added = dstore.add_history(parsed.accepted)
    _summary(decisions)
    rate = len(decisions) / elapsed if elapsed > 0 else 0.0
    say(
        f"{len(decisions):,} declarations screened, {len(parsed.rejected):,} rejected "
        f"(written to {rejects_path}); {parsed.encoding}; {engine.parties.screened:,} distinct "
        f"parties screened; {elapsed:.1f} s ({rate:,.0f}/s); run {run_id}; "
        f"{added:,} added to history; wrote {output}",
        err=True,
    )


def _summary(decisions: list[Any]) -> None:
    n = len(decisions) or 1
    counts = lane_counts(decisions)
    table = Table("lane", "meaning", "declarations", "share", title="Lanes")
    for lane in LANES:
        table.add_row(lane, LANE_MEANING[lane], f"{counts[lane]:,}", f"{counts[lane] / n:.1%}")
    out = stdout()
    out.print(table)
    reasons = Table("rule", "declarations", title="Top reasons")
    for rule, count in top_reasons(decisions):
        reasons.add_row(rule, f"{count:,}")
    out.print(reasons)


@declarations_app.command("generate")
def generate_command(
    n: Annotated[int, typer.Option("--n", help="How many declarations.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV (or .jsonl) to write.")],
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same file.")] = 0,
    planted_rate: Annotated[
        float, typer.Option(help="Share of rows with a planted evasion pattern.")
    ] = 0.03,
    encoding: Annotated[str, typer.Option(help="utf-8 or cp1251 (CSV only).")] = "utf-8",
) -> None:
    """Write synthetic declarations with planted evasion patterns and a `label` column."""
    if n < 1:
        raise InputError("--n must be at least 1")
    if not 0.0 <= planted_rate <= 1.0:
        raise InputError("--planted-rate must be between 0 and 1")
    if encoding not in ("utf-8", "cp1251"):
        raise InputError("--encoding must be utf-8 or cp1251")
    rows = generate(n, seed, planted_rate)
    try:
        fh = output.open("w", encoding=encoding, newline="", errors="replace")
    except OSError as exc:
        raise InputError(f"{output}: cannot be written ({exc.strerror})") from exc
    planted = 0
    with fh:
        if output.suffix.lower() in (".jsonl", ".ndjson"):
            for row in rows:
                planted += bool(row["label"])
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(fh, fieldnames=list(HEADER))
            writer.writeheader()
            for row in rows:
                planted += bool(row["label"])
                writer.writerow(row)
    say(f"wrote {n:,} declarations ({planted:,} with a planted pattern) to {output}", err=True)
