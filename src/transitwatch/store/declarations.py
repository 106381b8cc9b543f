"""Declaration tables in the DuckDB store.

* ``declaration_decisions`` - append-only audit record: one row per screened declaration and
  run, with the decision JSON, the profile versions and list versions in use, and when. Rows
  are only ever inserted (no update, no delete) so a decision can always be traced back.
* ``declaration_history`` - accepted declarations (one row per declaration id), which the
  engine reads for unit-value bands and first-seen / never-shipped-before indicators. The
  engine only ever asks it about rows dated before the declaration it screens.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from transitwatch.declarations.history import HistoryRow
from transitwatch.declarations.model import Decision, Declaration
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


class DeclarationStore(AttachedTables):
    """The declaration tables on an open DuckDB connection (created on first use)."""

    DDL = DDL
    NAME = "declaration"

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
        names = [name for name, _ in DECISION_COLUMNS]
        out = []
        for r in rows:
            item = dict(zip(names, r, strict=True))
            for key in ("decision", "profile_versions", "list_versions"):
                item[key] = json.loads(item[key])
            out.append(item)
        return out
