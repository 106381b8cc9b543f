"""Trade flows in the DuckDB store: the canonical ``trade_flows`` table and ``trade_loads``.

A file's rows are identified by its file name (``source_file``): loading a file again replaces
its rows, in one transaction (delete, insert, record the load), so a failed load leaves the rows
of the previous load untouched. Rows travel through a temporary JSON-lines file read by
``read_json`` (see :func:`transitwatch.store.tables.bulk_insert`).

The indicators read :attr:`FlowStore.connection` (plain SQL on ``trade_flows``).
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from transitwatch.errors import StoreError
from transitwatch.flows.model import COLUMNS, ParsedFlows
from transitwatch.store.attached import ClosesOnExit
from transitwatch.store.duck import connect
from transitwatch.store.tables import bulk_insert

FLOW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("source_version", "VARCHAR"),
    ("reporter", "VARCHAR"),
    ("partner", "VARCHAR"),
    ("flow", "VARCHAR"),
    ("freq", "VARCHAR"),
    ("year", "INTEGER"),
    ("month", "INTEGER"),
    ("product", "VARCHAR"),
    ("product_level", "INTEGER"),
    ("hs_edition", "VARCHAR"),
    ("value", "DOUBLE"),
    ("currency", "VARCHAR"),
    ("value_usd", "DOUBLE"),
    ("quantity", "DOUBLE"),
    ("quantity_unit", "VARCHAR"),
    ("net_mass_kg", "DOUBLE"),
    ("is_aggregate_partner", "BOOLEAN"),
)
assert tuple(name for name, _ in FLOW_COLUMNS) == COLUMNS, "trade_flows columns != FlowRecord"

DDL = (
    "CREATE TABLE IF NOT EXISTS trade_flows ("
    + ", ".join(f'"{name}" {kind}' for name, kind in FLOW_COLUMNS)
    + ")",
    """CREATE TABLE IF NOT EXISTS trade_loads (
        source_file VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        source_version VARCHAR NOT NULL,
        format VARCHAR NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        "rows" INTEGER NOT NULL,
        skipped JSON NOT NULL,
        notes JSON NOT NULL
    )""",
)


@dataclass(frozen=True, slots=True)
class LoadInfo:
    source_file: str
    source: str
    source_version: str
    format: str
    loaded_at: datetime
    rows: int
    skipped: int
    replaced_rows: int  # rows of an earlier load of the same file, now replaced


class FlowStore(ClosesOnExit):
    """``trade_flows`` and ``trade_loads`` in a DuckDB file (or on a connection you own)."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        connection: duckdb.DuckDBPyConnection | None = None,
        read_only: bool = False,
    ) -> None:
        if (path is None) == (connection is None):
            raise ValueError("give either a path or a connection")
        self._owned = connection is None
        if connection is None:
            assert path is not None
            self.path = Path(path).expanduser()
            try:
                if not read_only:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = connect(self.path, read_only=read_only)  # StoreLockedError if held
            except (OSError, duckdb.Error) as exc:
                raise StoreError(f"cannot open the store {self.path}: {exc}") from exc
        else:
            self.path = Path(":connection:")
        self._con = connection
        if not read_only:
            self.create_tables()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for queries on ``trade_flows`` (the indicators)."""
        return self._con

    def create_tables(self) -> None:
        try:
            for ddl in DDL:
                self._con.execute(ddl)
        except duckdb.Error as exc:
            raise StoreError(f"cannot create the trade-flow tables in {self.path}: {exc}") from exc

    def close(self) -> None:
        if self._owned:
            self._con.close()

    # -- writing -------------------------------------------------------------------------------

    def _insert(self, parsed: ParsedFlows) -> None:
        row = operator.attrgetter(*COLUMNS)
        bulk_insert(self._con, "trade_flows", FLOW_COLUMNS, (row(r) for r in parsed.records))

    def replace_file(self, parsed: ParsedFlows) -> LoadInfo:
        """Replace every row of ``parsed.source_file`` with the parsed records, atomically."""
        con = self._con
        now = datetime.now(UTC).replace(tzinfo=None)
        skipped = [{"row": s.row, "reason": s.reason} for s in parsed.skipped]
        try:
            con.begin()
            try:
                row = con.execute(
                    "SELECT count(*) FROM trade_flows WHERE source_file = ?", [parsed.source_file]
                ).fetchone()
                replaced = int(row[0]) if row else 0
                con.execute("DELETE FROM trade_flows WHERE source_file = ?", [parsed.source_file])
                con.execute("DELETE FROM trade_loads WHERE source_file = ?", [parsed.source_file])
                self._insert(parsed)
                con.execute(
                    "INSERT INTO trade_loads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        parsed.source_file,
                        parsed.source,
                        parsed.version,
                        parsed.format,
                        now,
                        len(parsed.records),
                        json.dumps(skipped, ensure_ascii=False),
                        json.dumps(parsed.notes, ensure_ascii=False),
                    ],
                )
                con.commit()
            except BaseException:
                con.rollback()
                raise
        except duckdb.Error as exc:
            raise StoreError(
                f"could not load {parsed.source_file} into {self.path}: {exc}"
            ) from exc
        return LoadInfo(
            parsed.source_file,
            parsed.source,
            parsed.version,
            parsed.format,
            now,
            len(parsed.records),
            len(parsed.skipped),
            replaced,
        )

    # -- reading -------------------------------------------------------------------------------

    def loads(self) -> list[dict[str, Any]]:
        """One dict per loaded file (source, file, version, format, loaded_at, rows, skipped)."""
        try:
            cur = self._con.execute(
                'SELECT source, source_file, source_version, format, loaded_at, "rows", '
                "json_array_length(skipped) AS skipped, notes FROM trade_loads "
                "ORDER BY source, source_file"
            )
        except duckdb.CatalogException:
            return []
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def count(self, source_file: str | None = None) -> int:
        if source_file is None:
            row = self._con.execute("SELECT count(*) FROM trade_flows").fetchone()
        else:
            row = self._con.execute(
                "SELECT count(*) FROM trade_flows WHERE source_file = ?", [source_file]
            ).fetchone()
        return int(row[0]) if row else 0
