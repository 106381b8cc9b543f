"""`transitwatch screen party|parties` and `transitwatch rescreen`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from transitwatch import settings
from transitwatch.cli.common import Steps, say, status, stderr, stdout, store
from transitwatch.errors import InputError
from transitwatch.screening.batch import read_queries, screen_rows
from transitwatch.screening.rescreen import PastScreening, rescreen
from transitwatch.screening.screener import Screener
from transitwatch.screening.types import (
    COUNTRY_RE,
    DATE_RE,
    Hit,
    HitRecord,
    PartyQuery,
    normalise_schema,
)
from transitwatch.store import ListStore

screen_app = typer.Typer(
    name="screen",
    help="Screen parties (exporters, consignees, intermediaries) against the loaded lists.",
    no_args_is_help=True,
)

SCHEMAS = ("person", "organization", "vessel", "aircraft")


def build_screener(st: ListStore) -> tuple[Screener, dict[str, str]]:
    """The screener over the current version of every loaded list, and those versions."""
    records = st.current_entities()
    if not records:
        raise InputError(
            "no lists are loaded: run `transitwatch lists load SOURCE PATH...` or "
            "`transitwatch lists load-all` first"
        )
    with status(f"Indexing {len(records):,} listed entities"):
        screener = Screener(
            records,
            candidates=settings.get("candidates") or 40,
            max_name_length=settings.get("max_name_length"),
        )
    versions = {source: info.version_id for source, info in st.current_versions().items()}
    return screener, versions


def _threshold(value: float | None) -> float:
    t = settings.get("threshold") if value is None else value
    if not 0.0 <= t <= 1.0:
        raise InputError(f"--threshold must be between 0 and 1, not {t}")
    return float(t)


def print_hits(hits: list[Hit]) -> None:
    out = stdout()
    if not hits:
        out.print("No hits at or above the threshold.")
        return
    for rank, hit in enumerate(hits, 1):
        e = hit.entity
        head = Text(f"{rank}. ", style="bold")
        head.append(f"{hit.score:.2f} ", style="bold red" if hit.score >= 0.9 else "bold yellow")
        head.append(f"{e.caption}", style="bold")
        head.append(f"  [{e.source} {e.source_id}, {e.schema}]")
        out.print(head)
        out.print(
            Text(f"   programmes: {', '.join(e.programs) or '-'}; list version {hit.list_version}")
        )
        for line in hit.explanation:
            out.print(Text(f"   {line}"))


def register(app: typer.Typer) -> None:
    app.add_typer(screen_app)
    app.command("rescreen")(rescreen_command)


@screen_app.command("party")
def screen_party(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name, in any script.")],
    schema: Annotated[
        str | None, typer.Option("--type", help="person, organization, vessel or aircraft.")
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="ISO 3166-1 alpha-2 country, e.g. KG.")
    ] = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    identifier: Annotated[
        str | None, typer.Option(help="INN, OGRN, IMO, passport or registration number.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Report hits scoring at least this.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Most hits to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Screen one name and print the hits above the threshold, best first, with reasons."""
    schema = normalise_schema(schema)
    if schema is not None and schema not in SCHEMAS:
        raise InputError(f"--type must be one of {', '.join(SCHEMAS)}, not {schema!r}")
    # the same checks as a batch row: a bad value must not silently skew or drop evidence
    if country is not None and not COUNTRY_RE.match(country):
        raise InputError(
            f"--country must be an ISO 3166-1 alpha-2 code such as KG, not {country!r}"
        )
    if birth_date is not None and not DATE_RE.match(birth_date):
        raise InputError(f"--birth-date must be YYYY, YYYY-MM or YYYY-MM-DD, not {birth_date!r}")
    query = PartyQuery(
        name=name,
        schema=schema,
        country=country.upper() if country else None,
        birth_date=birth_date,
        identifier=identifier,
    )
    cut = _threshold(threshold)
    with store(ctx) as st:
        screener, versions = build_screener(st)
        hits = screener.screen(query, threshold=cut, limit=limit)
        st.record_screening(query, hits, versions)
    if as_json:
        payload: dict[str, Any] = {
            "name": name,
            "threshold": cut,
            "hits": [h.to_json_dict() for h in hits],
            "list_versions": versions,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print_hits(hits)


@screen_app.command("parties")
def screen_parties(
    ctx: typer.Context,
    queries: Annotated[
        Path, typer.Argument(help="CSV with header id,name[,type,country,birth_date,identifier].")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write HITS.jsonl.")],
    threshold: Annotated[
        float | None, typer.Option(help="Report hits scoring at least this.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Most hits per row.")] = 10,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: setting).")
    ] = None,
) -> None:
    """Screen a file of parties; write one JSON object per input row, in input order."""
    cut = _threshold(threshold)
    n_workers = workers if workers is not None else settings.get("workers")
    if n_workers < 1:
        raise InputError("--workers must be at least 1")
    rows, encoding = read_queries(queries)
    with store(ctx) as st:
        screener, versions = build_screener(st)
        started = time.perf_counter()
        with_hits = errors = 0
        logged: list[tuple[PartyQuery, list[HitRecord]]] = []
        try:
            fh = output.open("w", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot be written ({exc.strerror})") from exc
        with fh, Steps(len(rows), "Screening") as steps:
            results = screen_rows(screener, rows, threshold=cut, limit=limit, workers=n_workers)
            for row, result in zip(rows, results, strict=True):  # results keep input order
                fh.write(json.dumps(result, ensure_ascii=False) + "\n")
                if result.get("error"):
                    errors += 1
                else:
                    if result["hits"]:
                        with_hits += 1
                    if row.query is not None:
                        logged.append((row.query, result["hits"]))
                steps.advance()
        elapsed = time.perf_counter() - started
        st.record_screenings(logged, versions)  # so that `rescreen` can redo them
    rate = len(rows) / elapsed if elapsed > 0 else 0.0
    say(
        f"{len(rows):,} rows ({encoding}): {with_hits:,} with hits, {errors:,} rejected "
        f"with a per-row error; {elapsed:.1f} s ({rate:,.0f} rows/s); wrote {output}",
        err=True,
    )


def rescreen_command(
    ctx: typer.Context,
    threshold: Annotated[
        float | None, typer.Option(help="Report hits scoring at least this.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Re-screen every party screened before against what newer list versions added or changed."""
    cut = _threshold(threshold)
    with store(ctx) as st:
        screener, versions = build_screener(st)
        past = [PastScreening(r.screening_id, r.query, r.list_versions) for r in st.screenings()]
        current = st.current_versions()
        outcome = rescreen(past, current, st.diff, screener, threshold=cut)
        results = [r for r in outcome if r.error is None]
        st.record_screenings([(r.query, list(r.new_hits)) for r in results], versions)
    for r in outcome:
        if r.error is not None:
            say(f"warning: could not re-screen {r.query.name[:60]!r}: {r.error}", err=True)
    if as_json:
        for r in results:
            typer.echo(
                json.dumps(
                    {
                        "screening_id": r.screening_id,
                        "id": r.query.id,
                        "name": r.query.name,
                        "changed_sources": list(r.changed_sources),
                        "hits": [h.to_json_dict() for h in r.new_hits],
                    },
                    ensure_ascii=False,
                )
            )
        return
    say(f"Re-screened {len(past):,} past screenings; {len(results):,} have new hits.", err=True)
    if results:
        table = Table("party", "new hit", "score", "list", "why")
        for r in results:
            for h in r.new_hits:
                table.add_row(
                    r.query.name,
                    h.entity.caption,
                    f"{h.score:.2f}",
                    f"{h.entity.source} {h.entity.source_id}",
                    h.explanation[0] if h.explanation else "",
                )
        stdout().print(table)
    else:
        stderr().print("No new hits.")
