"""Cases and their decisions: plain objects and the rules of who may move a case where.

A case is opened for each party hit at or above the screening threshold and for each red or
yellow declaration. Analysts decide cases; every decision is appended to an audit trail and
never changed, and a case's status is the status its latest decision left it in (``open``
while it has none).

Transitions (``required_role`` and :func:`check_transition`):

================  ==================  ====================  ===============================
from              action              to                    who
================  ==================  ====================  ===============================
open              confirm             confirmed             analyst or supervisor
open              dismiss (note)      dismissed             analyst or supervisor
open              escalate            escalated             analyst or supervisor
escalated         confirm / dismiss   confirmed / dismissed supervisor
confirmed         dismiss (note)      dismissed             supervisor (overrules)
dismissed         confirm             confirmed             supervisor (overrules)
confirmed/dism.   escalate            escalated             supervisor
escalated/conf./  reopen (note)       open                  supervisor
dismissed
================  ==================  ====================  ===============================

A case is never moved to the status it already has (confirming a confirmed case is an
error, so a retried request cannot add a second, meaningless decision), a dismissal and a
reopening need a note saying why, and an escalated case is decided by a supervisor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from transitwatch.errors import InputError, TransitWatchError
from transitwatch.names.analyze import analyze_name

Kind = Literal["party_hit", "declaration"]
Status = Literal["open", "confirmed", "dismissed", "escalated"]
Action = Literal["confirm", "dismiss", "escalate", "reopen"]
Role = Literal["analyst", "supervisor"]

KINDS: tuple[Kind, ...] = ("party_hit", "declaration")
STATUSES: tuple[Status, ...] = ("open", "confirmed", "dismissed", "escalated")
ACTIONS: tuple[Action, ...] = ("confirm", "dismiss", "escalate", "reopen")
RESULT: dict[Action, Status] = {
    "confirm": "confirmed",
    "dismiss": "dismissed",
    "escalate": "escalated",
    "reopen": "open",
}
NOTE_REQUIRED: frozenset[Action] = frozenset({"dismiss", "reopen"})
MAX_NOTE = 4000
_SPACE = re.compile(r"\s+")


class TransitionError(InputError):
    """A decision that the case's status does not allow (or that lacks its note)."""

    code = "invalid_transition"


def name_key(name: str) -> str:
    """The normalised form of a screened name that case memory keys on: romanised, folded,
    legal forms set aside ("ОсОО Профлаб" and "Profflab" share one key)."""
    try:
        key = analyze_name(name).describe()
    except (TransitWatchError, ValueError):  # any name still gets a key
        key = ""
    return key or _SPACE.sub(" ", name.casefold()).strip()


@dataclass(frozen=True, slots=True)
class Case:
    """One case; party fields for ``party_hit``, declaration fields for ``declaration``."""

    case_id: str
    kind: Kind
    created_at: datetime
    status: Status = "open"
    # party_hit
    query_name: str | None = None
    name_key: str | None = None
    source: str | None = None
    source_id: str | None = None
    caption: str | None = None
    schema: str | None = None
    score: float | None = None
    # declaration
    declaration_id: str | None = None
    lane: str | None = None
    reasons: tuple[str, ...] = ()
    run_id: str | None = None
    decisions: int = 0  # how many decisions the audit trail holds for it
    updated_at: datetime | None = None  # when the latest decision was made

    @property
    def subject_key(self) -> str:
        return subject_key(self)

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "case_id": self.case_id,
            "kind": self.kind,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "decisions": self.decisions,
        }
        if self.kind == "party_hit":
            out.update(
                query_name=self.query_name,
                name_key=self.name_key,
                source=self.source,
                source_id=self.source_id,
                caption=self.caption,
                schema=self.schema,
                score=self.score,
            )
        else:
            out.update(
                declaration_id=self.declaration_id,
                lane=self.lane,
                score=self.score,
                reasons=list(self.reasons),
                run_id=self.run_id,
            )
        return out


def subject_key(case: Case) -> str:
    """What makes two cases the same case: (kind, subject)."""
    if case.kind == "party_hit":
        return f"party_hit:{case.name_key}|{case.source}|{case.source_id}"
    return f"declaration:{case.declaration_id}"


def party_case(
    case_id: str,
    at: datetime,
    *,
    query_name: str,
    source: str,
    source_id: str,
    caption: str,
    schema: str | None,
    score: float,
) -> Case:
    return Case(
        case_id,
        "party_hit",
        at,
        query_name=query_name,
        name_key=name_key(query_name),
        source=source,
        source_id=source_id,
        caption=caption,
        schema=schema,
        score=score,
    )


def declaration_case(
    case_id: str,
    at: datetime,
    *,
    declaration_id: str,
    lane: str,
    score: float,
    reasons: tuple[str, ...],
    run_id: str | None,
) -> Case:
    return Case(
        case_id,
        "declaration",
        at,
        declaration_id=declaration_id,
        lane=lane,
        score=score,
        reasons=reasons,
        run_id=run_id,
    )


@dataclass(frozen=True, slots=True)
class CaseDecision:
    """One entry of the audit trail: who did what to which case, when and why."""

    decision_id: str
    case_id: str
    seq: int  # 1, 2, ... per case
    action: Action
    from_status: Status
    to_status: Status
    note: str | None
    actor: str  # the API key id
    actor_label: str | None
    actor_role: str
    at: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "case_id": self.case_id,
            "seq": self.seq,
            "action": self.action,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "note": self.note,
            "actor": self.actor,
            "actor_label": self.actor_label,
            "actor_role": self.actor_role,
            "at": self.at.isoformat(),
        }


def parse_action(value: str) -> Action:
    for action in ACTIONS:
        if value == action:
            return action
    raise InputError(f"action must be one of {', '.join(ACTIONS)}, not {value!r}")


def required_role(status: Status, action: Action) -> Role:
    """The least role that may take ``action`` on a case in ``status`` (see the table)."""
    if status == "open" and action in ("confirm", "dismiss", "escalate"):
        return "analyst"
    return "supervisor"


def clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise InputError(f"the note is longer than {MAX_NOTE} characters")
    return text or None


def check_transition(status: Status, action: Action, note: str | None) -> Status:
    """The status ``action`` leads to from ``status``; TransitionError when not allowed.
    (The role is checked by the caller, with :func:`required_role`.)"""
    target = RESULT[action]
    if target == status:
        raise TransitionError(f"the case is already {status}: nothing to {action}")
    if action == "reopen" and status == "open":
        raise TransitionError("the case is open: nothing to reopen")
    if action in NOTE_REQUIRED and not clean_note(note):
        raise TransitionError(f"a note is required to {action} a case (say why)")
    return target


def latest_status(decisions: list[CaseDecision]) -> Status:
    """A case's status: the one its latest decision left it in (open with none)."""
    if not decisions:
        return "open"
    return max(decisions, key=lambda d: d.seq).to_status


@dataclass(frozen=True, slots=True)
class Dismissal:
    """A remembered false positive: the same name and entity were dismissed before."""

    case_id: str
    note: str | None
    by: str
    by_label: str | None
    at: datetime

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "note": self.note,
            "by": self.by_label or self.by,
            "key_id": self.by,
            "at": self.at.isoformat(),
        }
