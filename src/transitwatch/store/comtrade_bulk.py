"""Load a UN Comtrade CSV into ``trade_flows`` with DuckDB's own CSV reader (the large-file path).

Runs the SQL of :mod:`transitwatch.flows.loaders.comtrade_sql` on the store's connection: the
records never become Python objects, so a file of any size loads at DuckDB's speed. Only the
distinct partner, reporter, flow and classification texts, and the distinct skip reasons, go
through Python (the same functions the Python loader uses). Like
:meth:`~transitwatch.store.flows.FlowStore.replace_file`, one transaction replaces the file's
earlier rows, and a failure leaves them untouched.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from transitwatch.errors import ParseError, StoreError
from transitwatch.flows.loaders import (
    CHUNK,
    FORMATS,
    FileScan,
    header_of,
    is_gzip,
    open_data,
    scan_file,
)
from transitwatch.flows.loaders import comtrade_combine as c
from transitwatch.flows.loaders import comtrade_sql as q
from transitwatch.flows.loaders.comtrade_rules import (
    NO_CLASSIFICATION_NOTE,
    SUMMED_NOTE,
    reason,
)
from transitwatch.store.flows import FlowStore, LoadInfo
from transitwatch.store.tables import bulk_insert

DIM_TYPES = {"partner_agg": "BOOLEAN", "has_cls": "BOOLEAN"}


@dataclass(slots=True)
class BulkLoad:
    """What a DuckDB-path load did: the load, skipped rows by reason, and notes."""

    info: LoadInfo
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _create(
    con: duckdb.DuckDBPyConnection, name: str, cols: Sequence[str], rows: list[Any]
) -> None:
    columns = [(col, DIM_TYPES.get(col, "VARCHAR")) for col in cols]
    defs = ", ".join(f'"{col}" {kind}' for col, kind in columns)
    con.execute(f"CREATE TEMP TABLE {name} ({defs})")
    bulk_insert(con, name, columns, rows)


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    for name in c.TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _transcode(path: Path, folder: Path) -> Path:
    """The file as UTF-8, read as Windows-1252 (the Python loader's second encoding)."""
    out = folder / "cp1252-as-utf8.csv"
    decoder = codecs.getincrementaldecoder("cp1252")()
    with open_data(path) as src, out.open("w", encoding="utf-8", newline="") as dst:
        try:
            while chunk := src.read(CHUNK):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"not valid text in any of utf-8, cp1252 ({exc.reason})", path=str(path)
            ) from exc
    return out


def _line_map(path: Path, folder: Path) -> Path:
    """(rec, line) of every record DuckDB reads, as Python's csv module numbers lines; for files
    with empty lines or line breaks inside quoted fields (read in Python, so slower)."""
    out = folder / "lines.csv"
    with open_data(path) as raw, out.open("w", encoding="ascii", newline="") as dst:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.reader(text)
        next(reader, None)  # the header
        dst.write("rec,line\n")
        rec = 0
        for record in reader:
            if record:  # DuckDB skips empty lines
                rec += 1
                dst.write(f"{rec},{reader.line_num}\n")
    return out


class _Scan(threading.Thread):
    """:func:`scan_file` in a thread, while DuckDB reads the file (both release the GIL)."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.result: FileScan | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = scan_file(self.path)
        except BaseException as exc:  # re-raised in the caller
            self.error = exc

    def get(self) -> FileScan:
        self.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def _dims(con: duckdb.DuckDBPyConnection, lay: q.Layout, path: Path, gzip: bool) -> bool:
    """Read the file into ``_ct_raw`` and create the resolved-text tables; whether some field
    needs trimming."""
    raw = q.raw_query(lay, str(path), gzip=gzip, ordered_insert=_ordered_insert(con))
    con.execute(raw.sql, list(raw.params))
    rows = con.execute(q.dims_query(lay)).fetchall()
    tables, ragged = q.dim_rows(rows)
    for name, values in tables.items():
        keys, outs = q.DIM_TABLES[name]
        _create(con, name, (*keys, *outs), values)
    return ragged


def _ordered_insert(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(_one(con, "SELECT current_setting('preserve_insertion_order')"))


def _is_unicode_error(exc: duckdb.Error) -> bool:
    return "unicode" in str(exc).lower()


def _read(
    con: duckdb.DuckDBPyConnection, lay: q.Layout, path: Path, folder: Path
) -> tuple[Path, bool]:
    """Resolve the distinct texts. The path DuckDB reads (a UTF-8 copy of a cp1252 file), and
    whether some field needs trimming."""
    try:
        return path, _dims(con, lay, path, is_gzip(path))
    except duckdb.Error as exc:
        if not _is_unicode_error(exc):
            raise ParseError(f"not a CSV DuckDB can read: {exc}", path=str(path)) from exc
    _drop(con)
    utf8 = _transcode(path, folder)
    return utf8, _dims(con, lay, utf8, False)


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    row = con.execute(sql, list(params)).fetchone()
    return row[0] if row else None


def load_comtrade(store: FlowStore, path: str | Path) -> BulkLoad:
    """Load one Comtrade CSV (plain or gzip) through DuckDB; replaces the file's earlier rows."""
    path = Path(path)
    lay = q.layout(header_of(path), str(path))
    scan = _Scan(path)
    scan.start()
    con = store.connection
    with tempfile.TemporaryDirectory(prefix="tw-comtrade-") as tmp:
        folder = Path(tmp)
        try:
            _drop(con)
            readable, trim = _read(con, lay, path, folder)
            job = _Job(lay, path, readable, folder, scan.get(), trim)
            result = _load(con, job)
        except duckdb.Error as exc:
            raise StoreError(f"could not load {path.name} into {store.path}: {exc}") from exc
        finally:
            scan.join()
            _drop(con)
    return result


@dataclass(frozen=True, slots=True)
class _Job:
    lay: q.Layout
    path: Path  # the file as named (its name identifies its rows)
    readable: Path  # what DuckDB reads (a UTF-8 copy of a Windows-1252 file)
    folder: Path  # for temporary files
    scanned: FileScan
    trim: bool


def _load(con: duckdb.DuckDBPyConnection, job: _Job) -> BulkLoad:
    """Every statement of one load, in one transaction (rolled back on any error)."""
    lay, path, source, version = job.lay, job.path, FORMATS["comtrade"][0], job.scanned.version
    now = datetime.now(UTC).replace(tzinfo=None)
    con.begin()
    try:
        con.execute(q.rows_query(lay, trim=job.trim, ordered_insert=_ordered_insert(con)))
        con.execute("DROP TABLE _ct_raw")
        records = int(_one(con, "SELECT coalesce(max(rec), 0) FROM _ct_rows"))
        if not job.scanned.records_are_lines(records):
            lines = _line_map(job.readable, job.folder)
            con.execute(
                "CREATE TEMP TABLE _ct_lines AS SELECT * FROM read_csv(?, header = true, "
                "columns = {'rec': 'BIGINT', 'line': 'BIGINT'}, auto_detect = false)",
                [str(lines)],
            )
            con.execute(
                "UPDATE _ct_rows SET line = m.line FROM _ct_lines m WHERE m.rec = _ct_rows.rec"
            )
        kinds = con.execute(c.REASON_KINDS_SQL).fetchall()
        _create(
            con,
            "_ct_reasons",
            ("kind", "a", "b", "reason"),
            [(k, a, b, reason(k, a, b, lay.names)) for k, a, b in kinds],
        )
        for sql in (c.GROUPS_SQL, c.ORDERED_SQL, c.MULTI_SQL, c.SKIPS_SQL):
            con.execute(sql)
        replaced = int(
            _one(con, "SELECT count(*) FROM trade_flows WHERE source_file = ?", [path.name])
        )
        con.execute("DELETE FROM trade_flows WHERE source_file = ?", [path.name])
        con.execute("DELETE FROM trade_loads WHERE source_file = ?", [path.name])
        insert = c.insert_query(source, path.name, version)
        con.execute(insert.sql, list(insert.params))
        stored = int(
            _one(con, "SELECT count(*) FROM trade_flows WHERE source_file = ?", [path.name])
        )
        counts = con.execute(
            "SELECT reason, count(*) AS n FROM _ct_skips GROUP BY reason ORDER BY n DESC, reason"
        ).fetchall()
        notes = [] if "classification" in lay.positions else [NO_CLASSIFICATION_NOTE]
        summed = int(_one(con, c.SUMMED_SQL))
        if summed:
            notes.append(f"{summed:,} {SUMMED_NOTE}")
        con.execute(
            "INSERT INTO trade_loads SELECT ?, ?, ?, ?, ?, ?, "
            "coalesce((SELECT CAST(to_json(list({'row': line, 'reason': reason} ORDER BY line)) "
            "AS VARCHAR) FROM _ct_skips), '[]'), ?",
            [path.name, source, version, "comtrade", now, stored, json.dumps(notes)],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    skipped = sum(n for _, n in counts)
    info = LoadInfo(path.name, source, version, "comtrade", now, stored, skipped, replaced)
    return BulkLoad(info, {r: int(n) for r, n in counts}, notes)
