"""Bounded views of indicator results that can have millions of rows (``flows growth|zero``).

The terminal and ``--json`` get the first ``--limit`` rows in a stated order and the number of
rows there are; ``--output FILE`` gets every row, written by DuckDB (``COPY``), and the rows
shown are then read back from that file (so the database computes the result once).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer

from transitwatch.cli.common import say, status, stdout
from transitwatch.flows.sql import Query
from transitwatch.store.flow_output import OUTPUT_FORMATS, read_top, write_query

Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help=f"Write every row to FILE ({', '.join(OUTPUT_FORMATS)}), streamed by DuckDB "
        "(the order of the rows in the file is not defined).",
    ),
]
Limit = Annotated[int, typer.Option("--limit", min=0, help="Rows shown (all rows: --output).")]


@dataclasses.dataclass(frozen=True, slots=True)
class View:
    """The rows shown, how many rows the result has, their order, and the file of all rows."""

    rows: Sequence[Any]
    total: int
    order: str
    output: Path | None = None


def to_file(
    con: duckdb.DuckDBPyConnection,
    output: Path,
    query: Query,
    columns: Sequence[tuple[str, str]],
    order_by: str,
    limit: int,
    convert: Callable[[Sequence[Any]], Any],
) -> tuple[list[Any], int]:
    """Every row of ``query`` to ``output``; the first ``limit`` rows in ``order_by`` order
    read back from the file, and the row count."""
    with status(f"writing {output}"):
        total = write_query(con, query, output)
        rows = read_top(con, output, columns, order_by, limit)
    return [convert(r) for r in rows], total


def emit_view(
    view: View,
    as_json: bool,
    columns: Sequence[str],
    title: str,
    table: Callable[[Sequence[Any], bool, Sequence[str], str], None],
) -> None:
    """A view as JSON (an object: ``total_rows``, ``shown``, ``order``, ``output``, ``rows``),
    or as a count line and ``table(rows, False, columns, title)``."""
    if as_json:
        doc = {
            "total_rows": view.total,
            "shown": len(view.rows),
            "order": view.order,
            "output": str(view.output) if view.output else None,
            "rows": [dataclasses.asdict(r) for r in view.rows],
        }
        stdout().print_json(json.dumps(doc, default=str))
        return
    where = f"; all of them written to {view.output}" if view.output else ""
    if view.total > len(view.rows):
        hint = "" if view.output else " (--output FILE.parquet writes them all)"
        shown = f"the first {len(view.rows):,} by {view.order} shown"
        say(f"{title}: {view.total:,} rows, {shown}{hint}{where}")
    else:
        say(f"{title}: {view.total:,} rows{where}")
    if view.rows:
        table(view.rows, False, columns, title)
