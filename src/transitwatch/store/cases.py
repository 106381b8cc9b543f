"""Cases in the DuckDB store: ``cases`` and the append-only audit trail ``case_decisions``.

* ``cases`` - one row per case, unique per (kind, subject) (``subject_key``: the normalised
  query name and the listed entity for a party hit, the declaration id for a declaration), so
  opening a case twice returns the first one.
* ``case_decisions`` - one row per decision, ``(case_id, seq)`` unique, only ever inserted:
  this module has no UPDATE and no DELETE on it. A case's status is the ``to_status`` of its
  latest decision (``open`` while it has none); it is never stored on the case.

A decision is checked against the case's current status and appended in one transaction; the
caller serialises writers on the connection (the service's store lock), and the ``(case_id,
seq)`` key makes a racing writer on another connection fail instead of forking the trail.

Opening party cases off the request path (what the HTTP service does for every screening):

* a case's id is derived from its subject key (:func:`case_id_for`), so the same name and
  entity always get the same id, whoever opens the case first;
* :meth:`CaseStore.claim` answers from memory - the *heads* of the connection's party cases
  (id, status, standing dismissal), loaded once by :meth:`CaseStore.load_heads` and kept
  current by every write made through a ``CaseStore`` on that connection - and queues the
  cases that are new; it takes no connection lock and runs no query;
* :meth:`CaseStore.flush` writes the queued cases in one transaction, skipping any already
  stored. Every other method flushes first, so whatever reads the cases through a
  ``CaseStore`` sees every case a screening has answered with (read-your-writes).

The queue and the heads belong to the DuckDB connection, shared by every ``CaseStore`` on it;
they are right as long as the cases are written only through ``CaseStore`` on that connection
(the HTTP service owns the file while it runs).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import duckdb

from transitwatch.cases.model import (
    Action,
    Case,
    CaseDecision,
    Dismissal,
    Kind,
    Status,
    check_transition,
    clean_note,
    subject_key,
)
from transitwatch.errors import InputError, NotFoundError, StoreError
from transitwatch.store.attached import AttachedTables

DDL = (
    """CREATE TABLE IF NOT EXISTS cases (
        case_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        subject_key TEXT NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL,
        query_name TEXT,
        name_key TEXT,
        source TEXT,
        source_id TEXT,
        caption TEXT,
        "schema" TEXT,
        score DOUBLE,
        declaration_id TEXT,
        lane TEXT,
        reasons JSON,
        run_id TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS case_decisions (
        decision_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        action TEXT NOT NULL,
        from_status TEXT NOT NULL,
        to_status TEXT NOT NULL,
        note TEXT,
        actor TEXT NOT NULL,
        actor_label TEXT,
        actor_role TEXT NOT NULL,
        "at" TIMESTAMP NOT NULL,
        UNIQUE (case_id, seq)
    )""",
)

_CASE_COLUMNS = (
    "case_id, kind, subject_key, created_at, query_name, name_key, source, source_id, caption, "
    '"schema", score, declaration_id, lane, reasons, run_id'
)
_DECISION_SELECT = (
    "SELECT decision_id, case_id, seq, action, from_status, to_status, note, actor, "
    'actor_label, actor_role, "at" FROM case_decisions'
)

_CASE_TYPES = (
    "VARCHAR", "VARCHAR", "VARCHAR", "TIMESTAMP", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR",
    "VARCHAR", "VARCHAR", "DOUBLE", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR",
)  # fmt: skip
_HEADS = (
    'SELECT c.subject_key, c.case_id, d.to_status, d.note, d.actor, d.actor_label, d."at" '
    'FROM cases c LEFT JOIN (SELECT case_id, to_status, note, actor, actor_label, "at" '
    "FROM case_decisions QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY seq DESC) = 1"
    ") d USING (case_id) WHERE c.kind = 'party_hit'"
)

_CASE_BY_ID = (
    "SELECT case_id, kind, created_at, query_name, name_key, source, source_id, caption, "
    '"schema", score, declaration_id, lane, reasons, run_id FROM cases WHERE case_id = ?'
)
_TRAIL_SUMMARY = (
    'SELECT arg_max(to_status, seq), count(*), max("at") FROM case_decisions WHERE case_id = ?'
)

Authorize = Callable[[Status, Action], None]


def case_id_for(subject: str) -> str:
    """The id of the case of ``subject`` (its :func:`subject_key`): the same subject always
    gets the same id, so two screenings racing to open one case agree on it."""
    return "case_" + hashlib.sha256(subject.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Head:
    """What a screening shows of a party case: its id, its status now, and the dismissal
    that stands on it (when its latest decision dismissed it)."""

    case_id: str
    status: Status = "open"
    dismissal: Dismissal | None = None


class _Shared:
    """Per connection: the party cases accepted but not yet written, and the heads of all."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # guards the two dicts (never held during a query)
        self.pending: dict[str, Case] = {}  # subject key -> case to write, oldest first
        self.heads: dict[str, Head] | None = None  # subject key -> head; None: not loaded

    def set_head(self, key: str, head: Head) -> None:
        with self.lock:
            if self.heads is not None:
                self.heads[key] = head


_SHARED: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, _Shared] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def _shared(con: duckdb.DuckDBPyConnection) -> _Shared:
    with _SHARED_LOCK:
        found = _SHARED.get(con)
        if found is None:
            found = _SHARED[con] = _Shared()
        return found


def _row_of(case: Case, key: str) -> list[Any]:
    """The values of a ``cases`` row, in ``_CASE_COLUMNS`` order."""
    return [
        case.case_id,
        case.kind,
        key,
        _naive(case.created_at),
        case.query_name,
        case.name_key,
        case.source,
        case.source_id,
        case.caption,
        case.schema,
        case.score,
        case.declaration_id,
        case.lane,
        json.dumps(list(case.reasons), ensure_ascii=False),
        case.run_id,
    ]


def _insert_absent(con: duckdb.DuckDBPyConnection, rows: Sequence[list[Any]]) -> int:
    """Insert the case rows whose subject is not stored yet; how many were. (An id taken by
    another subject - 64 bits of a hash colliding - fails the transaction, loudly.)

    Through a temporary JSON-lines file and ``read_json``, as the store's bulk inserts: binding
    the values as parameters costs milliseconds per row."""
    names = [c.strip().strip('"') for c in _CASE_COLUMNS.split(",")]
    spec = ", ".join(f"'{n}': '{t}'" for n, t in zip(names, _CASE_TYPES, strict=True))
    select = ", ".join("CAST(r.reasons AS JSON)" if n == "reasons" else f'r."{n}"' for n in names)
    try:
        tmp = tempfile.TemporaryDirectory(prefix="transitwatch-cases-")
    except OSError as exc:
        raise StoreError(f"could not stage the cases to write: {exc}") from exc
    with tmp:
        file = Path(tmp.name) / "cases.jsonl"
        try:
            with file.open("w", encoding="utf-8") as out:
                for row in rows:
                    values = dict(zip(names, row, strict=True))
                    values["created_at"] = values["created_at"].isoformat(sep=" ")
                    out.write(json.dumps(values, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise StoreError(f"could not stage the cases to write: {exc}") from exc
        found = con.execute(
            f"INSERT INTO cases ({_CASE_COLUMNS}) SELECT {select} FROM read_json(?, "
            f"format = 'newline_delimited', columns = {{{spec}}}) r WHERE NOT EXISTS "
            "(SELECT 1 FROM cases c WHERE c.subject_key = r.subject_key)",
            [str(file)],
        ).fetchone()
    return int(found[0]) if found else 0


def _now() -> datetime:
    return datetime.now(UTC)


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _case_select(where: str) -> str:
    """Cases matching ``where`` (on ``c``) with their status derived from the trail."""
    return (
        "WITH picked AS (SELECT * FROM cases c WHERE " + where + "), "
        "latest AS (SELECT d.case_id, arg_max(d.to_status, d.seq) AS status, count(*) AS n, "
        'max(d."at") AS updated_at FROM case_decisions d '
        "WHERE d.case_id IN (SELECT case_id FROM picked) GROUP BY d.case_id) "
        "SELECT p.case_id, p.kind, p.created_at, coalesce(l.status, 'open') AS status, "
        "p.query_name, "
        'p.name_key, p.source, p.source_id, p.caption, p."schema", p.score, p.declaration_id, '
        "p.lane, p.reasons, p.run_id, coalesce(l.n, 0), l.updated_at, p.subject_key "
        "FROM picked p LEFT JOIN latest l USING (case_id)"
    )


def _case(row: Sequence[Any]) -> Case:
    created = _aware(row[2])
    assert created is not None
    reasons = tuple(json.loads(row[13])) if row[13] else ()
    return Case(
        case_id=row[0],
        kind=cast(Kind, row[1]),
        created_at=created,
        status=cast(Status, row[3]),
        query_name=row[4],
        name_key=row[5],
        source=row[6],
        source_id=row[7],
        caption=row[8],
        schema=row[9],
        score=row[10],
        declaration_id=row[11],
        lane=row[12],
        reasons=reasons,
        run_id=row[14],
        decisions=int(row[15]),
        updated_at=_aware(row[16]),
    )


def _dismissal(case_id: str, status: str | None, rest: Sequence[Any]) -> Dismissal | None:
    """The standing dismissal of a case whose latest decision is ``status`` (note, actor,
    actor label, at)."""
    if status != "dismissed":
        return None
    note, actor, label, at = rest
    when = _aware(at)
    assert when is not None
    return Dismissal(case_id, note, actor, label, when)


def _decision(row: Sequence[Any]) -> CaseDecision:
    at = _aware(row[10])
    assert at is not None
    return CaseDecision(
        decision_id=row[0],
        case_id=row[1],
        seq=int(row[2]),
        action=cast(Action, row[3]),
        from_status=cast(Status, row[4]),
        to_status=cast(Status, row[5]),
        note=row[6],
        actor=row[7],
        actor_label=row[8],
        actor_role=row[9],
        at=at,
    )


class CaseStore(AttachedTables):
    """The case tables on an open DuckDB connection (created on first use)."""

    DDL = DDL
    NAME = "case"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(con)
        self._shared = _shared(con)

    # -- opening party cases off the request path ------------------------------------------

    def load_heads(self) -> int:
        """Read the heads of every stored party case (once per connection; the caller holds
        the connection, as for any query); how many there are."""
        shared = self._shared
        if shared.heads is not None:
            return len(shared.heads)
        try:
            rows = self._con.execute(_HEADS).fetchall()
        except duckdb.Error as exc:
            raise StoreError(f"could not read the cases: {exc}") from exc
        heads = {
            key: Head(case_id, cast(Status, status or "open"), _dismissal(case_id, status, rest))
            for key, case_id, status, *rest in rows
        }
        with shared.lock:
            if shared.heads is None:
                for key, case in shared.pending.items():
                    heads.setdefault(key, Head(case.case_id))
                shared.heads = heads
            return len(shared.heads)

    def claim(self, cases: Sequence[Case]) -> list[Head]:
        """The head of each party case's subject, in order: the stored or queued case's, or,
        for a subject without one, the given case's (``open``), queued for :meth:`flush`.

        Thread-safe and runs no query: needs no connection lock, but :meth:`load_heads`
        first (a RuntimeError otherwise)."""
        shared = self._shared
        out: list[Head] = []
        with shared.lock:
            heads = shared.heads
            if heads is None:
                raise RuntimeError("CaseStore.claim needs load_heads() first")
            for case in cases:
                if case.kind != "party_hit":
                    raise ValueError("only party cases are claimed")
                key = subject_key(case)
                head = heads.get(key)
                if head is None:
                    head = heads[key] = Head(case.case_id)
                    shared.pending[key] = case
                out.append(head)
        return out

    @property
    def pending(self) -> int:
        """How many claimed cases wait for :meth:`flush`."""
        return len(self._shared.pending)

    def flush(self) -> int:
        """Write the queued party cases in one transaction (the caller holds the connection);
        how many were written. A case whose subject was stored meanwhile is skipped (never
        duplicated); on a store error the cases stay queued for the next flush."""
        shared = self._shared
        if not shared.pending:
            return 0
        with shared.lock:
            batch = list(shared.pending.items())
        rows = [_row_of(case, key) for key, case in batch]
        written: int = self._write("open cases", lambda con: _insert_absent(con, rows))
        with shared.lock:
            for key, case in batch:
                if shared.pending.get(key) is case:
                    del shared.pending[key]
        if written < len(batch):  # stored by another path: make the heads say so
            self._refresh_heads([key for key, _ in batch])
        return written

    def _refresh_heads(self, keys: Sequence[str]) -> None:
        found = self._by_subject(self._con, keys)
        standing = self.dismissals(list(found))
        for key, case in found.items():
            self._shared.set_head(key, Head(case.case_id, case.status, standing.get(key)))

    # -- cases -----------------------------------------------------------------------------

    def open_cases(self, cases: Sequence[Case]) -> list[Case]:
        """Open each case unless one exists for the same (kind, subject); returns, in the
        given order, the stored case of each (the earlier one where it existed)."""
        if not cases:
            return []
        self.flush()
        keys = [subject_key(c) for c in cases]

        def write(con: duckdb.DuckDBPyConnection) -> list[Case]:
            found = self._by_subject(con, keys)
            new.clear()
            for case, key in zip(cases, keys, strict=True):
                if key not in found and key not in new:
                    new[key] = case
            if new:
                _insert_absent(con, [_row_of(c, k) for k, c in new.items()])
                found.update(new)
            return [found[k] for k in keys]

        new: dict[str, Case] = {}
        opened: list[Case] = self._write("open cases", write)
        for key, case in new.items():
            if case.kind == "party_hit":  # the heads know every stored case already
                self._shared.set_head(key, Head(case.case_id))
        return opened

    def _by_subject(self, con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> dict[str, Case]:
        unique = sorted(set(keys))
        marks = ", ".join("?" * len(unique))
        rows = con.execute(_case_select(f"c.subject_key IN ({marks})"), unique).fetchall()
        return {r[17]: _case(r) for r in rows}

    def get(self, case_id: str) -> Case:
        """One case, its status derived from its trail. Two point queries: the general
        ``_case_select`` costs about 5 ms where these take under 1 ms each."""
        self.flush()
        con = self._con
        row = con.execute(_CASE_BY_ID, [case_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no case {case_id!r}")
        trail = con.execute(_TRAIL_SUMMARY, [case_id]).fetchone()
        status, count, updated = trail if trail is not None else (None, 0, None)
        # in the column order of _case_select
        return _case((*row[:3], status or "open", *row[3:], count or 0, updated))

    def find(
        self,
        *,
        status: Status | None = None,
        kind: Kind | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Case]:
        """Cases, newest first, optionally of one status (derived) and kind."""
        self.flush()
        sql = f"SELECT * FROM ({_case_select('TRUE')}) WHERE TRUE"
        params: list[Any] = []
        if status is not None:
            sql += " AND status = ?"  # derived from the latest decision
            params.append(status)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        sql += " ORDER BY created_at DESC, case_id LIMIT ? OFFSET ?"
        params += [limit, offset]
        return [_case(r) for r in self._con.execute(sql, params).fetchall()]

    def count(self) -> int:
        self.flush()
        row = self._con.execute("SELECT count(*) FROM cases").fetchone()
        return int(row[0]) if row else 0

    # -- the audit trail -------------------------------------------------------------------

    def decisions(self, case_id: str | None = None) -> list[CaseDecision]:
        """The audit trail (of one case, or all), oldest first."""
        self.flush()
        if case_id is None:
            rows = self._con.execute(f'{_DECISION_SELECT} ORDER BY "at", case_id, seq')
        else:
            rows = self._con.execute(
                f"{_DECISION_SELECT} WHERE case_id = ? ORDER BY seq", [case_id]
            )
        return [_decision(r) for r in rows.fetchall()]

    def decide(
        self,
        case_id: str,
        action: Action,
        note: str | None,
        *,
        actor: str,
        actor_label: str | None,
        actor_role: str,
        authorize: Authorize | None = None,
    ) -> CaseDecision:
        """Append one decision after checking it against the case's current status
        (``authorize(status, action)`` may refuse it first, e.g. for the caller's role)."""
        text = clean_note(note)
        self.flush()
        subject: list[str] = []

        def write(con: duckdb.DuckDBPyConnection) -> CaseDecision:
            found = con.execute(
                "SELECT subject_key, kind FROM cases WHERE case_id = ?", [case_id]
            ).fetchone()
            if found is None:
                raise NotFoundError(f"no case {case_id!r}")
            if found[1] == "party_hit":
                subject.append(found[0])
            row = con.execute(
                "SELECT to_status, seq FROM case_decisions WHERE case_id = ? "
                "ORDER BY seq DESC LIMIT 1",
                [case_id],
            ).fetchone()
            status: Status = cast(Status, row[0]) if row else "open"
            seq = int(row[1]) + 1 if row else 1
            if authorize is not None:
                authorize(status, action)
            target = check_transition(status, action, text)
            made = CaseDecision(
                decision_id=uuid.uuid4().hex,
                case_id=case_id,
                seq=seq,
                action=action,
                from_status=status,
                to_status=target,
                note=text,
                actor=actor,
                actor_label=actor_label,
                actor_role=actor_role,
                at=_now(),
            )
            con.execute(
                "INSERT INTO case_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    made.decision_id,
                    made.case_id,
                    made.seq,
                    made.action,
                    made.from_status,
                    made.to_status,
                    made.note,
                    made.actor,
                    made.actor_label,
                    made.actor_role,
                    _naive(made.at),
                ],
            )
            return made

        decision: CaseDecision = self._write("record the decision", write)
        if subject:  # what the next screening of that name and entity shows
            dismissal = None
            if decision.to_status == "dismissed":
                d = decision
                dismissal = Dismissal(d.case_id, d.note, d.actor, d.actor_label, d.at)
            self._shared.set_head(subject[0], Head(case_id, decision.to_status, dismissal))
        return decision

    # -- memory ----------------------------------------------------------------------------

    def remembered_dismissals(self, name_key: str, source: str, source_id: str) -> Dismissal | None:
        """The dismissal of the same name and entity, if its case stands dismissed now (a
        supervisor who reopened or overruled it makes it forgotten): note, who and when."""
        key = f"party_hit:{name_key}|{source}|{source_id}"
        return self.dismissals([key]).get(key)

    def dismissals(self, keys: Sequence[str]) -> dict[str, Dismissal]:
        """Remembered dismissals by subject key (see :meth:`remembered_dismissals`)."""
        if not keys:
            return {}
        self.flush()
        unique = sorted(set(keys))
        marks = ", ".join("?" * len(unique))
        rows = self._con.execute(
            'SELECT c.subject_key, d.case_id, d.note, d.actor, d.actor_label, d."at" '
            "FROM cases c JOIN case_decisions d USING (case_id) "
            f"WHERE c.subject_key IN ({marks}) AND d.seq = (SELECT max(seq) FROM "
            "case_decisions x WHERE x.case_id = c.case_id) AND d.to_status = 'dismissed'",
            unique,
        ).fetchall()
        out: dict[str, Dismissal] = {}
        for key, case_id, note, actor, label, at in rows:
            when = _aware(at)
            assert when is not None
            out[key] = Dismissal(case_id, note, actor, label, when)
        return out


def check_limit(limit: int) -> int:
    if not 1 <= limit <= 1000:
        raise InputError(f"limit must be between 1 and 1000, not {limit}")
    return limit
