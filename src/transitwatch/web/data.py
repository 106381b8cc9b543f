"""What the web pages read and write: screened declaration batches (a page at a time), cases.

Every store access goes through the service's one DuckDB connection, under its lock (DuckDB
refuses a second connection with another configuration to a file this process has open).
"""

from __future__ import annotations

import importlib
import json
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import duckdb

from transitwatch.api.auth import RANK
from transitwatch.api.deps import ServiceState
from transitwatch.api.routes_declarations import Options, declaration_reader, run_screening
from transitwatch.declarations.parse import parse_bytes
from transitwatch.errors import InputError, NotFoundError
from transitwatch.store.attached import duckdb_connection
from transitwatch.store.declarations import DecisionFilter, DeclarationStore, RunSummary
from transitwatch.web.sessions import Session

PAGE_SIZES = (25, 50, 100, 200)
PAGE_SIZE = 50


def connection(state: ServiceState) -> duckdb.DuckDBPyConnection:
    return duckdb_connection(state.store, "the web pages")


# -- declarations -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Screened:
    run_id: str
    accepted: int
    rejected: list[tuple[int, str, str]]  # (row, declaration id, message)


@dataclass(frozen=True, slots=True)
class Queue:
    """One page of a batch's queue: the filters' counts and the decisions on the page."""

    run: RunSummary
    rules: list[str]  # every rule that fired in the batch (for the filter)
    counts: dict[str, int]  # by lane: decisions that pass the filters other than the lane
    total: int  # decisions that pass every filter
    page: int  # 1-based, within 1..pages
    pages: int
    per: int
    items: list[dict[str, Any]]

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per + len(self.items)


class _RunCache:
    """Per-service memo of what never changes once a batch is recorded: its summary and the
    rules that fired in it (reading those parses every decision of the batch)."""

    def __init__(self, size: int = 64) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[RunSummary, list[str]]] = OrderedDict()
        self._size = size

    def get(self, run_id: str) -> tuple[RunSummary, list[str]] | None:
        with self._lock:
            found = self._items.get(run_id)
            if found is not None:
                self._items.move_to_end(run_id)
            return found

    def put(self, run_id: str, value: tuple[RunSummary, list[str]]) -> None:
        with self._lock:
            self._items[run_id] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_caches: weakref.WeakKeyDictionary[ServiceState, _RunCache] = weakref.WeakKeyDictionary()


def _run_cache(state: ServiceState) -> _RunCache:
    found = _caches.get(state)
    if found is None:
        found = _caches.setdefault(state, _RunCache())
    return found


def runs(state: ServiceState, limit: int = 50) -> list[RunSummary]:
    """Screened batches, newest first, from the audit table."""
    with declaration_reader(state) as dstore:
        return dstore.runs(limit)


def queue(
    state: ServiceState, run_id: str, where: DecisionFilter, page: int, per: int
) -> Queue | None:
    """The page of the batch's queue (red first, then by score); None if no such batch. A
    page past the last shows the last."""
    cache = _run_cache(state)
    with declaration_reader(state) as dstore:
        known = cache.get(run_id)
        if known is None:
            summary = dstore.run(run_id)
            if summary is None:
                return None
            known = (summary, dstore.run_rules(run_id))
            cache.put(run_id, known)
        summary, rules = known
        page = max(page, 1)
        if where == DecisionFilter():  # the counts are the batch's own: no scan
            counts = dict(summary.lanes)
            items = None
        else:  # counts and the page in one pass
            counts, items = dstore.filtered_page(run_id, where, limit=per, offset=(page - 1) * per)
        total = counts.get(where.lane, 0) if where.lane else sum(counts.values())
        pages = max(1, -(-total // per))
        if items is None or page > pages:  # unfiltered, or past the last page: show the last
            page = min(page, pages)
            items = dstore.decision_page(run_id, where, limit=per, offset=(page - 1) * per)
    return Queue(summary, rules, counts, total, page, pages, per, items)


def decision(state: ServiceState, run_id: str, declaration_id: str) -> dict[str, Any] | None:
    with declaration_reader(state) as dstore:
        return dstore.decision_of(run_id, declaration_id)


def declaration_record(state: ServiceState, declaration_id: str) -> dict[str, Any] | None:
    """The declaration as the history table holds it (first time its id was seen)."""
    with state.lock:
        DeclarationStore.of(state.store)  # creates the tables on first use
        row = (
            connection(state)
            .execute(
                "SELECT record FROM declaration_history WHERE declaration_id = ?",
                [declaration_id],
            )
            .fetchone()
        )
    if row is None:
        return None
    record: dict[str, Any] = json.loads(row[0])
    return record


def screen_upload(state: ServiceState, data: bytes, filename: str) -> Screened:
    """Screen an uploaded declarations file as `transitwatch declarations screen` does (and
    as ``POST /declarations/screen`` does, with the CLI's default options)."""
    parsed = parse_bytes(data, filename or "upload")
    done = run_screening(state, parsed, Options(), filename or "upload")
    rejected = [(r.row, r.declaration_id, r.message) for r in parsed.rejected]
    return Screened(done.run_id, len(done.decisions), rejected)


# -- cases (another module; optional until it lands) ---------------------------------------

ACTIONS = ("confirm", "dismiss", "escalate", "reopen")
STATUSES = ("open", "confirmed", "dismissed", "escalated")
KINDS = ("declaration", "party_hit")


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def case_store(state: ServiceState) -> Any | None:
    """The service's ``CaseStore`` (use under ``state.lock``), or None if cases are absent."""
    hooks = _module("transitwatch.api.case_hooks")
    if hooks is not None and hasattr(hooks, "case_store"):
        return hooks.case_store(state)
    module = _module("transitwatch.store.cases")
    if module is None or not hasattr(module, "CaseStore"):
        return None
    with state.lock:
        return module.CaseStore.of(state.store)


def annotate_hits(
    state: ServiceState, name: str, schema: str | None, hits: list[dict[str, Any]]
) -> None:
    """Open party cases for hits at or above the threshold (as ``POST /screen`` does)."""
    hooks = _module("transitwatch.api.case_hooks")
    if hooks is not None and hasattr(hooks, "annotate_hits"):
        hooks.annotate_hits(state, [(name, schema, hits)])


def declaration_case_id(state: ServiceState, declaration_id: str) -> str | None:
    if case_store(state) is None:
        return None
    with state.lock:
        try:
            row = (
                connection(state)
                .execute(
                    "SELECT case_id FROM cases WHERE subject_key = ?",
                    [f"declaration:{declaration_id}"],
                )
                .fetchone()
            )
        except duckdb.Error:
            return None
    return str(row[0]) if row else None


def find_cases(state: ServiceState, store: Any, status: str, kind: str) -> list[dict[str, Any]]:
    with state.lock:
        found = store.find(
            status=status if status in STATUSES else None,
            kind=kind if kind in KINDS else None,
            limit=200,
        )
    return [case_view(c) for c in found]


def get_case(state: ServiceState, store: Any, case_id: str) -> dict[str, Any] | None:
    """The case and its decisions, or None if there is no such case."""
    try:
        with state.lock:
            case = store.get(case_id)
            history = store.decisions(case_id)
    except NotFoundError:
        return None
    view = case_view(case)
    view["decisions"] = [
        {
            "action": d.action,
            "to_status": d.to_status,
            "note": d.note or "",
            "actor": d.actor_label or d.actor,
            "role": d.actor_role,
            "at": d.at.strftime("%Y-%m-%d %H:%M UTC"),
        }
        for d in history
    ]
    return view


def decide_case(
    state: ServiceState, store: Any, case_id: str, action: str, note: str, key: Session
) -> None:
    """Append the decision as the signed-in key (who: its id, label and role); the role is
    checked against the case's status first."""
    from transitwatch.cases.model import required_role

    def authorize(status: str, wanted: str) -> None:
        needed = required_role(status, wanted)  # type: ignore[arg-type]
        if RANK[key.role] < RANK[needed]:
            raise InputError(
                f"to {wanted} a case that is {status} needs the {needed} role; "
                f"you are signed in with an {key.role} key"
            )

    with state.lock:
        store.decide(
            case_id,
            action,
            note or None,
            actor=key.key_id,
            actor_label=key.label,
            actor_role=key.role,
            authorize=authorize,
        )


def case_view(case: Any) -> dict[str, Any]:
    """A ``Case`` as the plain values the templates show."""
    kind = str(getattr(case, "kind", ""))
    created = getattr(case, "created_at", None)
    return {
        "id": str(case.case_id),
        "kind": kind,
        "status": str(getattr(case, "status", "open")),
        "title": (getattr(case, "caption", None) or "")
        if kind == "party_hit"
        else (getattr(case, "declaration_id", None) or ""),
        "query_name": getattr(case, "query_name", None) or "",
        "source": getattr(case, "source", None) or "",
        "source_id": getattr(case, "source_id", None) or "",
        "lane": getattr(case, "lane", None) or "",
        "score": getattr(case, "score", None),
        "reasons": list(getattr(case, "reasons", ()) or ()),
        "run_id": getattr(case, "run_id", None) or "",
        "declaration_id": getattr(case, "declaration_id", None) or "",
        "created_at": created.strftime("%Y-%m-%d %H:%M UTC") if created else "",
        "decisions": [],
    }
