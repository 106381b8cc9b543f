"""The DuckDB side of the store: table definitions, schema setup, bulk inserts.

Schema version 1 (recorded in ``meta``):

* ``list_versions`` - one row per stored version of a source (seq counts 1, 2, 3... per source);
* ``entities`` - every entity of every version, its ``ListedEntity.to_json()`` in ``data`` plus
  the columns diffs and listings need without decoding it (source_id, caption, fingerprint);
* ``screenings`` - the screening log: query, list versions in use, hits.

Bulk rows are written to a temporary JSON-lines file and inserted with ``read_json``: binding
Python lists as parameters is two orders of magnitude slower for 50k entities.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from transitwatch.errors import StoreError

SCHEMA_VERSION = 1

DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS list_versions (
        version_id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        seq INTEGER NOT NULL,
        file_date TEXT,
        content_hash TEXT NOT NULL,
        files JSON NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        entity_count INTEGER NOT NULL,
        warnings JSON NOT NULL,
        UNIQUE (source, seq)
    )""",
    """CREATE TABLE IF NOT EXISTS entities (
        version_id TEXT NOT NULL,
        pos INTEGER NOT NULL,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        "schema" TEXT NOT NULL,
        caption TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        "data" JSON NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS screenings (
        screening_id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        screened_at TIMESTAMP NOT NULL,
        "query" JSON NOT NULL,
        list_versions JSON NOT NULL,
        hits JSON NOT NULL,
        hit_count INTEGER NOT NULL,
        top_score DOUBLE
    )""",
)

Columns = Sequence[tuple[str, str]]

# (column, type) in table order, for the bulk loader. JSON columns travel as text.
ENTITY_COLUMNS: Columns = (
    ("version_id", "TEXT"),
    ("pos", "INTEGER"),
    ("source", "TEXT"),
    ("source_id", "TEXT"),
    ("schema", "TEXT"),
    ("caption", "TEXT"),
    ("fingerprint", "TEXT"),
    ("data", "JSON"),
)
SCREENING_COLUMNS: Columns = (
    ("screening_id", "TEXT"),
    ("seq", "BIGINT"),
    ("screened_at", "TIMESTAMP"),
    ("query", "JSON"),
    ("list_versions", "JSON"),
    ("hits", "JSON"),
    ("hit_count", "INTEGER"),
    ("top_score", "DOUBLE"),
)
VERSION_SELECT = (
    "SELECT version_id, source, seq, file_date, content_hash, files, loaded_at, entity_count, "
    "warnings FROM list_versions"
)


def quote(identifier: str) -> str:
    """A quoted SQL identifier (only ever called with the constant names above)."""
    return '"' + identifier.replace('"', '""') + '"'


def prepare_schema(con: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool) -> None:
    """Create the tables of a new store; refuse a store of a newer schema version."""
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        found: int | None = None
        if "meta" in tables:
            row = con.execute("SELECT value FROM meta WHERE key = ?", ["schema_version"]).fetchone()
            found = int(row[0]) if row else None
        if found is not None and found > SCHEMA_VERSION:
            raise StoreError(
                f"the store {path} has schema version {found}, newer than this "
                f"TransitWatch understands ({SCHEMA_VERSION}); upgrade TransitWatch"
            )
        if found == SCHEMA_VERSION:
            return
        if read_only:
            raise StoreError(f"{path} is not a TransitWatch store (no schema version)")
        con.begin()
        for ddl in DDL:
            con.execute(ddl)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", ["schema_version", str(SCHEMA_VERSION)]
        )
        con.commit()
    except duckdb.Error as exc:
        raise StoreError(f"cannot prepare the store {path}: {exc}") from exc


def bulk_insert(
    con: duckdb.DuckDBPyConnection, table: str, columns: Columns, rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows (values in ``columns`` order) through a temporary JSON-lines file."""
    names = [name for name, _ in columns]
    spec = ", ".join(
        f"'{name}': '{'VARCHAR' if kind == 'JSON' else kind}'" for name, kind in columns
    )
    select = ", ".join(
        f"CAST({quote(name)} AS JSON)" if kind == "JSON" else quote(name) for name, kind in columns
    )
    with tempfile.TemporaryDirectory(prefix="transitwatch-") as tmp:
        file = Path(tmp) / f"{table}.jsonl"
        with file.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
                out.write("\n")
        con.execute(
            f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in names)}) SELECT {select} "
            f"FROM read_json(?, format = 'newline_delimited', columns = {{{spec}}}, "
            "maximum_object_size = 268435456)",
            [str(file)],
        )
