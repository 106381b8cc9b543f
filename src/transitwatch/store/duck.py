"""The default list store: one embedded DuckDB file (tables and bulk loading: ``tables``)."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from transitwatch.errors import NotFoundError, StoreError
from transitwatch.lists.model import ListedEntity, ParsedList
from transitwatch.lists.versions import (
    EntityChange,
    ListDiff,
    VersionInfo,
    changed_fields,
    make_diff,
)
from transitwatch.screening.types import HitRecord, PartyQuery
from transitwatch.store.attached import ClosesOnExit
from transitwatch.store.base import LATEST, PREVIOUS, ScreeningRecord
from transitwatch.store.rows import (
    check_entities,
    entity_from_json,
    entity_rows,
    screening_row,
    version_from_row,
    version_row,
)
from transitwatch.store.tables import (
    ENTITY_COLUMNS,
    SCREENING_COLUMNS,
    VERSION_SELECT,
    bulk_insert,
    prepare_schema,
)

_REFS_HELP = "a version id, a seq number, a file date (YYYY-MM-DD), 'latest' or 'previous'"


class StoreLockedError(StoreError):
    """Another process holds the store file (DuckDB: one writing process per file)."""

    code = "store_locked"


_HOLDER = re.compile(r"lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")


def _holder(text: str) -> str:
    """'1234: transitwatch serve ...' from DuckDB's message (and /proc where there is one)."""
    found = _HOLDER.search(text)
    if found is None:
        return ""
    pid, command = found["pid"], Path(found["exe"]).name
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        args = [a for a in args if a]
        if args:
            command = " ".join([Path(args[0]).name, *args[1:]])
    except OSError:
        pass
    command = command if len(command) <= 100 else command[:99] + "…"
    return f"process {pid}: {command}" if command else f"process {pid}"


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that raises :class:`StoreLockedError` when another process holds
    the file: which file, who holds it, what to do. Other DuckDB errors pass through."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        # DuckDB: 'Could not set lock on file "...": Conflicting lock is held in ...'. Match the
        # phrase, not the word: a store path may itself contain "lock".
        if "could not set lock on file" not in text.lower():
            raise
        holder = _holder(text)
        raise StoreLockedError(
            f"the store {path} is in use by another process"
            + (f" ({holder})" if holder else "")
            + ". One process at a time can open a store file, and a running `transitwatch "
            "serve` keeps its store open. Stop that process and try again, or do this through "
            "the running service's HTTP API (e.g. POST /keys, POST /declarations/screen), or "
            "point --db (or TRANSITWATCH_DB) at another store file"
        ) from exc


class DuckStore(ClosesOnExit):
    """A ListStore in one DuckDB file. Use as a context manager, or call :meth:`close`."""

    #: entities per INSERT inside a save (one transaction either way)
    chunk_size = 25_000

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path).expanduser()
        if read_only and not self.path.exists():
            raise StoreError(
                f"no store at {self.path}: load lists first (transitwatch lists load-all)"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for the store {self.path}: {exc.strerror or exc}"
            ) from exc
        try:
            self._con = connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc
        try:
            prepare_schema(self._con, self.path, read_only=read_only)
        except BaseException:
            self._con.close()
            raise

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The open connection, for feature tables kept in the same file (store/attached.py)."""
        return self._con

    def close(self) -> None:
        self._con.close()

    def __repr__(self) -> str:
        return f"DuckStore({str(self.path)!r})"

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: committed at the end, rolled back on any exception."""
        con = self._con
        try:
            con.begin()
            try:
                yield con
                con.commit()
            except BaseException:
                con.rollback()
                raise
        except duckdb.Error as exc:
            raise StoreError(f"could not {what} in {self.path}: {exc}") from exc

    def _insert_chunk(self, version_id: str, start: int, entities: Sequence[ListedEntity]) -> None:
        bulk_insert(self._con, "entities", ENTITY_COLUMNS, entity_rows(version_id, start, entities))

    def save_list(self, parsed: ParsedList) -> VersionInfo:
        """Store a parsed list as a new version, atomically.

        Content already stored as any version of the source is a no-op that returns that
        version, so re-running a load (or `lists load-all`) never duplicates versions.
        """
        check_entities(parsed)
        with self._transaction(f"save {parsed.source}") as con:
            latest = self._current(parsed.source)
            for known in self.versions(parsed.source):
                if known.content_hash == parsed.content_hash:
                    return replace(known, unchanged=True)
            seq = latest.seq + 1 if latest is not None else 1
            info = VersionInfo(
                version_id=f"{parsed.source}-v{seq}-{parsed.content_hash[:8]}",
                source=parsed.source,
                seq=seq,
                file_date=parsed.file_date,
                content_hash=parsed.content_hash,
                files=tuple(parsed.files),
                loaded_at=datetime.now(UTC),
                entity_count=len(parsed.entities),
                warnings=tuple(parsed.warnings),
            )
            con.execute(
                "INSERT INTO list_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", version_row(info)
            )
            entities = parsed.entities
            for start in range(0, len(entities), self.chunk_size):
                self._insert_chunk(
                    info.version_id, start, entities[start : start + self.chunk_size]
                )
        return info

    # -- versions ------------------------------------------------------------------------------

    def versions(self, source: str | None = None) -> list[VersionInfo]:
        if source is None:
            rows = self._con.execute(f"{VERSION_SELECT} ORDER BY source, seq").fetchall()
        else:
            rows = self._con.execute(
                f"{VERSION_SELECT} WHERE source = ? ORDER BY seq", [source]
            ).fetchall()
        return [version_from_row(r) for r in rows]

    def current_versions(self) -> dict[str, VersionInfo]:
        rows = self._con.execute(
            f"{VERSION_SELECT} QUALIFY seq = max(seq) OVER (PARTITION BY source) ORDER BY source"
        ).fetchall()
        return {v.source: v for v in map(version_from_row, rows)}

    def _current(self, source: str) -> VersionInfo | None:
        row = self._con.execute(
            f"{VERSION_SELECT} WHERE source = ? ORDER BY seq DESC LIMIT 1", [source]
        ).fetchone()
        return version_from_row(row) if row else None

    def resolve_version(self, source: str, ref: str) -> VersionInfo:
        known = self.versions(source)
        if not known:
            raise NotFoundError(
                f"no version of {source} is stored in {self.path}; "
                f"load one with `transitwatch lists load {source} FILE...`"
            )
        wanted = ref.strip()
        key = wanted.lower()
        if key == LATEST:
            return known[-1]
        if key == PREVIOUS:
            if len(known) < 2:
                raise NotFoundError(
                    f"{source} has a single stored version ({known[0].version_id}); "
                    "there is no previous one"
                )
            return known[-2]
        seq = key.lstrip("v#")
        for v in reversed(known):
            if wanted in (v.version_id, v.file_date) or (seq.isdigit() and int(seq) == v.seq):
                return v
        listing = "; ".join(
            f"#{v.seq} {v.version_id}" + (f" ({v.file_date})" if v.file_date else "")
            for v in known[-20:]
        )
        raise NotFoundError(
            f"no version {ref!r} of {source}; use {_REFS_HELP}. Known versions: {listing}"
        )

    # -- entities ------------------------------------------------------------------------------

    def load_entities(self, version_id: str) -> list[ListedEntity]:
        exists = self._con.execute(
            "SELECT source FROM list_versions WHERE version_id = ?", [version_id]
        ).fetchone()
        if exists is None:
            raise NotFoundError(f"no list version {version_id!r} in {self.path}")
        rows = self._con.execute(
            'SELECT "data" FROM entities WHERE version_id = ? ORDER BY pos', [version_id]
        ).fetchall()
        return [entity_from_json(data) for (data,) in rows]

    def current_entities(self) -> list[tuple[ListedEntity, str]]:
        rows = self._con.execute(
            """SELECT e."data", e.version_id
            FROM entities e
            JOIN (SELECT arg_max(version_id, seq) AS version_id FROM list_versions GROUP BY source)
                c ON e.version_id = c.version_id
            ORDER BY e.version_id, e.pos"""
        ).fetchall()
        return [(entity_from_json(data), vid) for data, vid in rows]

    def diff(self, source: str, old_ref: str, new_ref: str) -> ListDiff:
        """Entities added, removed and changed (by source_id) between two versions of a source."""
        old = self.resolve_version(source, old_ref)
        new = self.resolve_version(source, new_ref)
        rows = self._con.execute(
            """WITH o AS (SELECT source_id, fingerprint, "data" FROM entities WHERE version_id = ?),
                 n AS (SELECT source_id, fingerprint, "data" FROM entities WHERE version_id = ?)
            SELECT o."data", n."data"
            FROM o FULL OUTER JOIN n ON o.source_id = n.source_id
            WHERE o.fingerprint IS DISTINCT FROM n.fingerprint""",
            [old.version_id, new.version_id],
        ).fetchall()
        added: list[ListedEntity] = []
        removed: list[ListedEntity] = []
        changed: list[EntityChange] = []
        for old_data, new_data in rows:
            if old_data is None:
                added.append(entity_from_json(new_data))
            elif new_data is None:
                removed.append(entity_from_json(old_data))
            else:
                before, after = entity_from_json(old_data), entity_from_json(new_data)
                fields = changed_fields(before, after)
                changed.append(EntityChange(before.source_id, before, after, fields))
        return make_diff(old, new, added, removed, changed)

    # -- screenings ----------------------------------------------------------------------------

    def record_screening(
        self, query: PartyQuery, hits: Sequence[HitRecord], versions: Mapping[str, str]
    ) -> str:
        return self.record_screenings([(query, hits)], versions)[0]

    def record_screenings(
        self,
        results: Iterable[tuple[PartyQuery, Sequence[HitRecord]]],
        versions: Mapping[str, str],
    ) -> list[str]:
        at = datetime.now(UTC).replace(tzinfo=None).isoformat()
        versions_json = json.dumps(dict(versions), ensure_ascii=False, sort_keys=True)
        ids: list[str] = []
        with self._transaction("log screenings") as con:
            row = con.execute("SELECT coalesce(max(seq), 0) FROM screenings").fetchone()
            base = int(row[0]) if row else 0
            rows = []
            for i, (query, hits) in enumerate(results, 1):
                ids.append(uuid.uuid4().hex)
                rows.append(screening_row(ids[-1], base + i, at, query, hits, versions_json))
            bulk_insert(con, "screenings", SCREENING_COLUMNS, rows)
        return ids

    def screenings(self, limit: int | None = None) -> list[ScreeningRecord]:
        sql = 'SELECT screening_id, screened_at, "query", list_versions, hits, seq FROM screenings'
        if limit is None:
            rows = self._con.execute(f"{sql} ORDER BY seq").fetchall()
        else:
            rows = self._con.execute(
                f"SELECT * FROM ({sql} ORDER BY seq DESC LIMIT ?) ORDER BY seq", [limit]
            ).fetchall()
        return [
            ScreeningRecord(
                screening_id=sid,
                screened_at=at.replace(tzinfo=UTC),
                query=PartyQuery(**json.loads(query)),
                list_versions=json.loads(versions),
                hits=tuple(json.loads(hits)),
            )
            for sid, at, query, versions, hits, *_ in rows
        ]
