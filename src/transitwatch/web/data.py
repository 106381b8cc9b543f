"""What the web pages read and write: screened declaration batches, keys on forms, cases.

Every store access goes through the service's one DuckDB connection, under its lock (DuckDB
refuses a second connection with another configuration to a file this process has open).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from transitwatch.api.auth import RANK
from transitwatch.api.deps import ServiceState
from transitwatch.declarations.engine import Engine
from transitwatch.declarations.history import History
from transitwatch.declarations.lanes import LanePolicy
from transitwatch.declarations.model import LANES
from transitwatch.declarations.parse import parse_bytes
from transitwatch.declarations.profiles import load_profiles
from transitwatch.errors import InputError, NotFoundError
from transitwatch.store.attached import duckdb_connection
from transitwatch.store.declarations import DeclarationStore

# The CLI's defaults (`transitwatch declarations screen`).
POLICY = LanePolicy(0.05, 0.15, 0.01, "red", 0)
MIN_COUNT = 20


def connection(state: ServiceState) -> duckdb.DuckDBPyConnection:
    return duckdb_connection(state.store, "the web pages")


# -- keys on write forms ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Key:
    key_id: str
    role: str
    label: str | None


def analyst_key(state: ServiceState, key: str | None) -> tuple[Key | None, str | None]:
    """(the key, None) for a valid analyst-or-supervisor key, else (None, what is wrong)."""
    if not key or not key.strip():
        return None, "this action needs an analyst API key (`transitwatch keys create`)"
    found = state.keys.verify(key.strip())
    if found is None:
        return None, "the API key is not valid (unknown, mistyped or revoked)"
    if RANK.get(found.role, -1) < RANK["analyst"]:
        return None, f"this action needs the analyst role; the key is {found.role}"
    return Key(found.key_id, found.role, found.label), None


# -- declarations -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    run_id: str
    source_file: str
    screened_at: str
    total: int
    lanes: dict[str, int]


@dataclass(frozen=True, slots=True)
class Screened:
    run_id: str
    accepted: int
    rejected: list[tuple[int, str, str]]  # (row, declaration id, message)


def runs(state: ServiceState, limit: int = 50) -> list[Run]:
    """Screened batches, newest first, from the audit table."""
    lane_cols = ", ".join(f"count(*) FILTER (WHERE lane = '{lane}')" for lane in LANES)
    with state.lock:
        DeclarationStore.of(state.store)  # creates the tables on first use
        rows = (
            connection(state)
            .execute(
                "SELECT run_id, any_value(source_file), CAST(min(screened_at) AS VARCHAR), "
                f"count(*), {lane_cols} FROM declaration_decisions GROUP BY run_id "
                "ORDER BY min(screened_at) DESC, run_id LIMIT ?",
                [limit],
            )
            .fetchall()
        )
    return [
        Run(r[0], r[1] or "", r[2][:19], int(r[3]), dict(zip(LANES, r[4:], strict=True)))
        for r in rows
    ]


def run_decisions(state: ServiceState, run_id: str) -> list[dict[str, Any]]:
    with state.lock:
        return DeclarationStore.of(state.store).decisions(run_id)


def declaration_record(state: ServiceState, declaration_id: str) -> dict[str, Any] | None:
    """The declaration as the history table holds it (first time its id was seen)."""
    with state.lock:
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
    """Screen an uploaded declarations file as `transitwatch declarations screen` does."""
    from transitwatch.goods import GoodsKnowledge, UnitValueBands

    parsed = parse_bytes(data, filename or "upload")
    loaded = state.loaded()
    profiles = load_profiles(None)
    goods = GoodsKnowledge.default()
    with state.lock:
        dstore = DeclarationStore.of(state.store)
        history = History(
            dstore.history_rows(), fit=lambda rows: UnitValueBands.fit(rows, min_count=MIN_COUNT)
        )
    engine = Engine(
        profiles,
        goods,
        loaded.screener,
        history=history,
        threshold=state.config.threshold,
        policy=POLICY,
    )
    decisions = engine.screen(parsed.accepted)
    with state.lock:
        dstore = DeclarationStore.of(state.store)
        run_id = dstore.record_decisions(
            decisions, engine.profile_versions, loaded.versions, filename or "upload"
        )
        dstore.add_history(parsed.accepted)
    open_declaration_cases(state, decisions, run_id)
    rejected = [(r.row, r.declaration_id, r.message) for r in parsed.rejected]
    return Screened(run_id, len(decisions), rejected)


def matches(item: Mapping[str, Any], lane: str, rule: str, q: str, with_hits: bool) -> bool:
    """Whether a stored decision passes the queue filters."""
    decision = item["decision"]
    if lane and item["lane"] != lane:
        return False
    if rule and not any(r.get("rule") == rule for r in decision.get("reasons", [])):
        return False
    if with_hits and not any(p.get("hits") for p in decision.get("parties", [])):
        return False
    if q:
        needle = q.casefold()
        texts = [str(item["declaration_id"])]
        texts += [str(p.get("name") or "") for p in decision.get("parties", [])]
        if not any(needle in t.casefold() for t in texts):
            return False
    return True


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


def open_declaration_cases(state: ServiceState, decisions: Any, run_id: str) -> None:
    hooks = _module("transitwatch.api.case_hooks")
    if hooks is not None and hasattr(hooks, "open_declaration_cases"):
        hooks.open_declaration_cases(state, decisions, run_id)


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
    state: ServiceState, store: Any, case_id: str, action: str, note: str, key: Key
) -> None:
    """Append the decision; the role is checked against the case's status first."""
    from transitwatch.cases.model import required_role

    def authorize(status: str, wanted: str) -> None:
        needed = required_role(status, wanted)  # type: ignore[arg-type]
        if RANK[key.role] < RANK[needed]:
            raise InputError(
                f"to {wanted} a case that is {status} needs the {needed} role; "
                f"the key is {key.role}"
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
