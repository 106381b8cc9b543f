"""Declaration tables in the DuckDB store.

* ``declaration_decisions`` - append-only audit record: one row per screened declaration and
  run, with the decision JSON, the profile versions and list versions in use, and when. Rows
  are only ever inserted (no update, no delete) so a decision can always be traced back.
* ``declaration_history`` - accepted declarations (one row per declaration id), which the
  engine reads for unit-value bands and first-seen / never-shipped-before indicators. The
  engine only ever asks it about rows dated before the declaration it screens.

A run (one screened file) can hold 100,000 decisions: the queue pages and the API read it
through :class:`DecisionFilter` (lane, rule, text, party hits), counts and limit/offset pages
computed in SQL, never by loading the run into Python.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import duckdb

from transitwatch.declarations.history import HistoryRow
from transitwatch.declarations.model import LANES, Decision, Declaration
from transitwatch.store.attached import AttachedTables
from transitwatch.store.tables import Columns, bulk_insert

DDL = (
    """CREATE TABLE IF NOT EXISTS declaration_decisions (
        run_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        declaration_id TEXT NOT NULL,
        lane TEXT NOT NULL,
        score DOUBLE NOT NULL,
        random BOOLEAN NOT NULL,
        decision JSON NOT NULL,
        profile_versions JSON NOT NULL,
        list_versions JSON NOT NULL,
        source_file TEXT,
        screened_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS declaration_history (
        declaration_id TEXT PRIMARY KEY,
        "date" DATE NOT NULL,
        exporter_key TEXT NOT NULL,
        consignee_key TEXT NOT NULL,
        hs6 TEXT NOT NULL,
        unit TEXT,
        unit_value DOUBLE,
        record JSON NOT NULL,
        added_at TIMESTAMP NOT NULL
    )""",
)
DECISION_COLUMNS: Columns = (
    ("run_id", "TEXT"),
    ("seq", "BIGINT"),
    ("declaration_id", "TEXT"),
    ("lane", "TEXT"),
    ("score", "DOUBLE"),
    ("random", "BOOLEAN"),
    ("decision", "JSON"),
    ("profile_versions", "JSON"),
    ("list_versions", "JSON"),
    ("source_file", "TEXT"),
    ("screened_at", "TIMESTAMP"),
)
HISTORY_COLUMNS: Columns = (
    ("declaration_id", "TEXT"),
    ("date", "DATE"),
    ("exporter_key", "TEXT"),
    ("consignee_key", "TEXT"),
    ("hs6", "TEXT"),
    ("unit", "TEXT"),
    ("unit_value", "DOUBLE"),
    ("record", "JSON"),
    ("added_at", "TIMESTAMP"),
)


_DECISION_SELECT = (
    "SELECT run_id, seq, declaration_id, lane, score, random, decision, profile_versions, "
    "list_versions, source_file, screened_at FROM declaration_decisions"
)
# SQL built from constants only (lane names, JSON paths); user values are always bound.
_LANE_RANK = (
    "CASE lane "
    + " ".join(f"WHEN '{lane}' THEN {i}" for i, lane in enumerate(LANES))
    + f" ELSE {len(LANES)} END"
)
Order = Literal["queue", "input"]
ORDERS: dict[str, str] = {
    "queue": f"{_LANE_RANK}, score DESC, seq",  # red first, then by score: the work queue
    "input": "seq",  # as the file listed them
}
_RULES = "json_extract_string(decision, '$.reasons[*].rule')"
_NAMES = "array_to_string(json_extract_string(decision, '$.parties[*].name'), chr(31))"
_HITS = "len(json_extract(decision, '$.parties[*].hits[*]'))"


@dataclass(frozen=True, slots=True)
class DecisionFilter:
    """Which decisions of a run to show: a lane, a rule that fired, a text in the declaration
    id or a party name (case-insensitive), only those with a party hit. Empty: all."""

    lane: str | None = None
    rule: str | None = None
    text: str | None = None
    with_hits: bool = False

    def without_lane(self) -> DecisionFilter:
        return DecisionFilter(None, self.rule, self.text, self.with_hits)

    def sql(self) -> tuple[str, list[Any]]:
        """Conditions to AND after ``WHERE run_id = ?``, and their parameters."""
        parts: list[str] = []
        params: list[Any] = []
        if self.lane:
            parts.append("lane = ?")
            params.append(self.lane)
        if self.rule:
            if self.rule.isascii() and self.rule.isprintable() and not set(self.rule) & set('"\\'):
                # a plain-text test first: most rows are skipped before their JSON is parsed
                parts.append("contains(CAST(decision AS VARCHAR), ?)")
                params.append(f'"{self.rule}"')
            parts.append(f"list_contains({_RULES}, ?)")
            params.append(self.rule)
        if self.text:
            parts.append(
                "(contains(lower(declaration_id), lower(?)) OR "
                f"contains(lower({_NAMES}), lower(?)))"
            )
            params += [self.text, self.text]
        if self.with_hits:
            parts.append(f"{_HITS} > 0")
        return "".join(f" AND {p}" for p in parts), params


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One screened batch: where it came from, when, how many decisions in each lane."""

    run_id: str
    source_file: str
    screened_at: datetime
    total: int
    lanes: dict[str, int]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "source_file": self.source_file,
            "screened_at": self.screened_at.isoformat(),
            "total": self.total,
            "lanes": dict(self.lanes),
        }


class DeclarationStore(AttachedTables):
    """The declaration tables on an open DuckDB connection (created on first use)."""

    DDL = DDL
    NAME = "declaration"

    @classmethod
    def reader(cls, con: duckdb.DuckDBPyConnection) -> DeclarationStore:
        """The tables, for reading only, on a connection (a cursor) where they exist already:
        no DDL is run, so a reader on its own cursor never writes the catalog."""
        found = cls.__new__(cls)
        found._con = con
        return found

    # -- history ---------------------------------------------------------------------------

    def history_rows(self) -> list[HistoryRow]:
        rows = self._con.execute(
            'SELECT declaration_id, "date", exporter_key, consignee_key, hs6, unit, unit_value '
            'FROM declaration_history ORDER BY "date", declaration_id'
        ).fetchall()
        return [HistoryRow(*r) for r in rows]

    def history_count(self) -> int:
        row = self._con.execute("SELECT count(*) FROM declaration_history").fetchone()
        return int(row[0]) if row else 0

    def add_history(self, declarations: Sequence[Declaration]) -> int:
        """Store accepted declarations not stored yet (by id); returns how many were new."""
        at = datetime.now(UTC).replace(tzinfo=None).isoformat()
        rows = []
        for d in declarations:
            h = HistoryRow.of(d)
            record = json.dumps(d.to_record(), ensure_ascii=False)
            rows.append(
                (
                    h.declaration_id,
                    h.date.isoformat(),
                    h.exporter_key,
                    h.consignee_key,
                    h.hs6,
                    h.unit,
                    h.unit_value,
                    record,
                    at,
                )
            )

        def write(con: duckdb.DuckDBPyConnection) -> int:
            before = self.history_count()
            con.execute(
                "CREATE TEMP TABLE IF NOT EXISTS declaration_history_new AS "
                "SELECT * FROM declaration_history LIMIT 0"
            )
            con.execute("DELETE FROM declaration_history_new")
            bulk_insert(con, "declaration_history_new", HISTORY_COLUMNS, rows)
            con.execute(
                "INSERT INTO declaration_history SELECT DISTINCT ON (declaration_id) * "
                "FROM declaration_history_new n WHERE NOT EXISTS (SELECT 1 FROM "
                "declaration_history h WHERE h.declaration_id = n.declaration_id)"
            )
            con.execute("DELETE FROM declaration_history_new")
            return self.history_count() - before

        added: int = self._write("store declaration history", write)
        return added

    # -- audit -----------------------------------------------------------------------------

    def record_decisions(
        self,
        decisions: Sequence[Decision],
        profile_versions: dict[str, str],
        list_versions: dict[str, str],
        source_file: str | None = None,
    ) -> str:
        """Append one run's decisions; returns the run id."""
        run_id = uuid.uuid4().hex
        at = datetime.now(UTC).replace(tzinfo=None).isoformat()
        profiles = json.dumps(profile_versions, sort_keys=True)
        lists = json.dumps(list_versions, sort_keys=True)
        rows = [
            (
                run_id,
                i,
                d.declaration_id,
                d.lane,
                d.score,
                d.random,
                json.dumps(d.to_json_dict(), ensure_ascii=False),
                profiles,
                lists,
                source_file,
                at,
            )
            for i, d in enumerate(decisions, 1)
        ]
        self._write(
            "store the decisions",
            lambda con: bulk_insert(con, "declaration_decisions", DECISION_COLUMNS, rows),
        )
        return run_id

    def decisions(self, run_id: str | None = None) -> list[dict[str, Any]]:
        """Stored decisions (of one run, or all), in run and input order."""
        sql = (
            "SELECT run_id, seq, declaration_id, lane, score, random, decision, "
            "profile_versions, list_versions, source_file, screened_at FROM declaration_decisions"
        )
        params: list[Any] = []
        if run_id is not None:
            sql += " WHERE run_id = ?"
            params.append(run_id)
        rows = self._con.execute(sql + " ORDER BY screened_at, run_id, seq", params).fetchall()
        return [_decision_row(r) for r in rows]

    # -- reading runs page by page ---------------------------------------------------------

    def runs(self, limit: int = 50, offset: int = 0) -> list[RunSummary]:
        """Screened batches, newest first."""
        rows = self._con.execute(
            """WITH r AS (
                SELECT run_id, any_value(source_file) AS source_file,
                    min(screened_at) AS screened_at, count(*) AS total
                FROM declaration_decisions GROUP BY run_id
                ORDER BY screened_at DESC, run_id LIMIT ? OFFSET ?)
            SELECT r.run_id, r.source_file, r.screened_at, r.total, d.lane, count(*)
            FROM r JOIN declaration_decisions d ON d.run_id = r.run_id
            GROUP BY ALL ORDER BY r.screened_at DESC, r.run_id""",
            [limit, offset],
        ).fetchall()
        return _summaries(rows)

    def run(self, run_id: str) -> RunSummary | None:
        """One batch, or None if there is no such run."""
        rows = self._con.execute(
            "SELECT run_id, any_value(source_file), min(screened_at), "
            "sum(count(*)) OVER (), lane, count(*) FROM declaration_decisions "
            "WHERE run_id = ? GROUP BY run_id, lane",
            [run_id],
        ).fetchall()
        found = _summaries(rows)
        return found[0] if found else None

    def run_rules(self, run_id: str) -> list[str]:
        """Every rule that fired in the run, sorted."""
        rows = self._con.execute(
            f"SELECT DISTINCT unnest({_RULES}) AS rule FROM declaration_decisions "
            "WHERE run_id = ? ORDER BY rule",
            [run_id],
        ).fetchall()
        return [str(r[0]) for r in rows if r[0] is not None]

    def count_by_lane(self, run_id: str, where: DecisionFilter | None = None) -> dict[str, int]:
        """How many of the run's decisions pass the filter, by lane (every lane present)."""
        cond, params = (where or DecisionFilter()).sql()
        rows = self._con.execute(
            f"SELECT lane, count(*) FROM declaration_decisions WHERE run_id = ?{cond} "
            "GROUP BY lane",
            [run_id, *params],
        ).fetchall()
        counts = dict.fromkeys(LANES, 0)
        counts.update({str(lane): int(n) for lane, n in rows})
        return counts

    def decision_page(
        self,
        run_id: str,
        where: DecisionFilter | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        order: Order = "queue",
    ) -> list[dict[str, Any]]:
        """One page of the run's decisions that pass the filter. The page's keys are chosen
        first, so only its own rows' JSON is read and decoded."""
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}")
        cond, params = (where or DecisionFilter()).sql()
        rows = self._con.execute(
            f"""WITH page AS (
                SELECT seq FROM declaration_decisions WHERE run_id = ?{cond}
                ORDER BY {ORDERS[order]} LIMIT ? OFFSET ?)
            {_DECISION_SELECT} JOIN page USING (seq) WHERE run_id = ?
            ORDER BY {ORDERS[order]}""",
            [run_id, *params, limit, offset, run_id],
        ).fetchall()
        return [_decision_row(r) for r in rows]

    def filtered_page(
        self,
        run_id: str,
        where: DecisionFilter | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        order: Order = "queue",
    ) -> tuple[dict[str, int], list[dict[str, Any]]]:
        """:meth:`count_by_lane` of the filters other than the lane, and :meth:`decision_page`
        of them all, in one pass over the run (a text, rule or hits filter reads every
        decision's JSON: once here instead of twice)."""
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}")
        where = where or DecisionFilter()
        cond, params = where.without_lane().sql()
        rows = self._con.execute(
            f"""WITH m AS MATERIALIZED (
                SELECT seq, lane, score FROM declaration_decisions WHERE run_id = ?{cond}),
            p AS (
                SELECT seq FROM m WHERE CAST(? AS TEXT) IS NULL OR lane = ?
                ORDER BY {ORDERS[order]} LIMIT ? OFFSET ?)
            SELECT lane, count(*), NULL FROM m GROUP BY lane
            UNION ALL SELECT NULL, NULL, list(seq) FROM p""",
            [run_id, *params, where.lane, where.lane, limit, offset],
        ).fetchall()
        counts = dict.fromkeys(LANES, 0)
        seqs: list[int] = []
        for lane, n, page in rows:
            if lane is not None:
                counts[str(lane)] = int(n)
            elif page:
                seqs = [int(x) for x in page]
        if not seqs:
            return counts, []
        found = self._con.execute(
            f"{_DECISION_SELECT} WHERE run_id = ? AND list_contains(?, seq) "
            f"ORDER BY {ORDERS[order]}",
            [run_id, seqs],
        ).fetchall()
        return counts, [_decision_row(r) for r in found]

    def decision_of(self, run_id: str, declaration_id: str) -> dict[str, Any] | None:
        """The run's decision on one declaration (the first, should the file repeat an id)."""
        row = self._con.execute(
            f"{_DECISION_SELECT} WHERE run_id = ? AND declaration_id = ? ORDER BY seq LIMIT 1",
            [run_id, declaration_id],
        ).fetchone()
        return _decision_row(row) if row else None


def _decision_row(row: Sequence[Any]) -> dict[str, Any]:
    item = dict(zip([name for name, _ in DECISION_COLUMNS], row, strict=True))
    for key in ("decision", "profile_versions", "list_versions"):
        item[key] = json.loads(item[key])
    return item


def _summaries(rows: Sequence[Sequence[Any]]) -> list[RunSummary]:
    """(run_id, source_file, screened_at, total, lane, count) rows -> one summary per run."""
    out: dict[str, RunSummary] = {}
    for run_id, source, at, total, lane, count in rows:
        if run_id not in out:
            lanes = dict.fromkeys(LANES, 0)
            out[run_id] = RunSummary(run_id, source or "", at, int(total), lanes)
        out[run_id].lanes[str(lane)] = int(count)
    return list(out.values())
