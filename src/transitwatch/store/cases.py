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
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
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
from transitwatch.errors import InputError, NotFoundError
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

Authorize = Callable[[Status, Action], None]


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

    # -- cases -----------------------------------------------------------------------------

    def open_cases(self, cases: Sequence[Case]) -> list[Case]:
        """Open each case unless one exists for the same (kind, subject); returns, in the
        given order, the stored case of each (the earlier one where it existed)."""
        if not cases:
            return []
        keys = [subject_key(c) for c in cases]

        def write(con: duckdb.DuckDBPyConnection) -> list[Case]:
            found = self._by_subject(con, keys)
            for case, key in zip(cases, keys, strict=True):
                if key in found:
                    continue
                con.execute(
                    f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
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
                    ],
                )
                found[key] = case
            return [found[k] for k in keys]

        opened: list[Case] = self._write("open cases", write)
        return opened

    def _by_subject(self, con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> dict[str, Case]:
        unique = sorted(set(keys))
        marks = ", ".join("?" * len(unique))
        rows = con.execute(_case_select(f"c.subject_key IN ({marks})"), unique).fetchall()
        return {r[17]: _case(r) for r in rows}

    def get(self, case_id: str) -> Case:
        rows = self._con.execute(_case_select("c.case_id = ?"), [case_id]).fetchall()
        if not rows:
            raise NotFoundError(f"no case {case_id!r}")
        return _case(rows[0])

    def find(
        self,
        *,
        status: Status | None = None,
        kind: Kind | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Case]:
        """Cases, newest first, optionally of one status (derived) and kind."""
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
        row = self._con.execute("SELECT count(*) FROM cases").fetchone()
        return int(row[0]) if row else 0

    # -- the audit trail -------------------------------------------------------------------

    def decisions(self, case_id: str | None = None) -> list[CaseDecision]:
        """The audit trail (of one case, or all), oldest first."""
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

        def write(con: duckdb.DuckDBPyConnection) -> CaseDecision:
            if con.execute("SELECT 1 FROM cases WHERE case_id = ?", [case_id]).fetchone() is None:
                raise NotFoundError(f"no case {case_id!r}")
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
