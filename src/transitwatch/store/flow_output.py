"""Indicator results streamed to a file by DuckDB (``COPY (SELECT ...) TO``), never through Python.

A whole-table growth has millions of rows: building one Python object per row took minutes and
gigabytes, while DuckDB writes Parquet, CSV or JSON lines straight from the query. The file is
written under a temporary name in its folder and renamed when complete, so a failed or stopped
export never leaves a partial file under the requested name. :func:`read_top` then reads an
ordered, bounded view back from the file for the terminal.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from transitwatch.errors import InputError, StoreError
from transitwatch.flows.sql import Query

#: file suffix -> DuckDB COPY format
OUTPUT_FORMATS: dict[str, str] = {
    ".parquet": "parquet",
    ".csv": "csv",
    ".jsonl": "json",
    ".ndjson": "json",
}
COPY_OPTIONS: dict[str, str] = {
    "parquet": "FORMAT parquet",  # snappy: zstd took a quarter more CPU on 8M growth rows
    "csv": "FORMAT csv, HEADER true",
    "json": "FORMAT json",
}


def output_format(path: Path) -> str:
    """The COPY format of ``path`` by its suffix; InputError for other suffixes."""
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"--output {path}: use a file ending in {', '.join(OUTPUT_FORMATS)} "
            "(Parquet, CSV with a header, or JSON lines)"
        )
    return fmt


def _literal(path: Path) -> str:
    """``path`` as a SQL string literal. DuckDB's COPY takes its target only as a literal (a
    bound parameter is refused), so the quotes are doubled; control characters are refused."""
    text = str(path)
    if any(ord(ch) < 32 for ch in text):
        raise InputError(f"--output {text!r}: control characters in a file name are not supported")
    return "'" + text.replace("'", "''") + "'"


def write_query(con: duckdb.DuckDBPyConnection, query: Query, path: str | Path) -> int:
    """Write every row of ``query`` to ``path`` (format by suffix); returns the row count."""
    target = Path(path).expanduser().absolute()
    fmt = output_format(target)
    if not target.parent.is_dir():
        raise InputError(f"--output {target}: no such folder {target.parent}")
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    sql = f"COPY (\n{query.sql}\n) TO {_literal(partial)} ({COPY_OPTIONS[fmt]})"
    try:
        row = con.execute(sql, list(query.params)).fetchone()
        os.replace(partial, target)
    except duckdb.Error as exc:
        raise StoreError(f"could not write {target}: {exc}") from exc
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return int(row[0]) if row else 0


def _reader(fmt: str, columns: Sequence[tuple[str, str]]) -> str:
    cols = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns) + "}"
    if fmt == "parquet":
        return "read_parquet(?)"
    if fmt == "csv":
        return f"read_csv(?, header = true, columns = {cols}, auto_detect = false)"
    return f"read_json(?, format = 'newline_delimited', columns = {cols})"


def read_top(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    columns: Sequence[tuple[str, str]],
    order_by: str,
    limit: int,
) -> list[tuple[Any, ...]]:
    """The first ``limit`` rows of a file :func:`write_query` wrote, in ``order_by`` order
    (``columns``: the result's (name, SQL type) pairs, a constant of the indicator)."""
    target = Path(path).expanduser().absolute()
    if limit < 1:
        return []
    names = ", ".join(f'"{name}"' for name, _ in columns)
    sql = (
        f"SELECT {names} FROM {_reader(output_format(target), columns)} ORDER BY {order_by} LIMIT ?"
    )
    try:
        return [tuple(r) for r in con.execute(sql, [str(target), limit]).fetchall()]
    except duckdb.Error as exc:
        raise StoreError(f"could not read {target} back: {exc}") from exc
