"""Cases: ``GET /cases``, ``GET /cases/{id}`` and ``POST /cases/{id}/decisions``.

Reading cases follows the read rule (a key only when ``api_keys_required``); deciding needs
an analyst key, and a supervisor key for what :mod:`transitwatch.cases.model` reserves to
supervisors (deciding an escalated case, overruling or reopening a decided one). Invalid
transitions are 422 ``invalid_transition``; a role too low for the transition is 403.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from transitwatch.api.auth import RANK, Analyst, Reader
from transitwatch.api.case_hooks import actor_label, case_store
from transitwatch.api.deps import Forbidden, Service
from transitwatch.api.models import ErrorResponse
from transitwatch.cases.model import MAX_NOTE, Action, Status, required_role

router = APIRouter(tags=["cases"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 422)
}


class CaseOut(BaseModel):
    """A case; party fields for ``party_hit``, declaration fields for ``declaration``."""

    model_config = ConfigDict(extra="allow")

    case_id: str
    kind: Literal["party_hit", "declaration"]
    status: Literal["open", "confirmed", "dismissed", "escalated"]
    created_at: str
    updated_at: str | None
    decisions: int = Field(description="How many decisions its audit trail holds.")


class DecisionOut(BaseModel):
    decision_id: str
    case_id: str
    seq: int
    action: str
    from_status: str
    to_status: str
    note: str | None
    actor: str = Field(description="The id of the API key that decided.")
    actor_label: str | None
    actor_role: str
    at: str


class CaseDetail(CaseOut):
    history: list[DecisionOut] = Field(description="Every decision, oldest first.")


class CasesOut(BaseModel):
    cases: list[CaseOut]
    count: int


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action = Field(description="confirm (a true match), dismiss, escalate or reopen.")
    note: str | None = Field(
        default=None,
        max_length=MAX_NOTE,
        description="Why; required to dismiss (a false positive) and to reopen.",
    )


class DecidedOut(BaseModel):
    decision: DecisionOut
    case: CaseOut


@router.get("/cases", response_model=CasesOut, responses=ERRORS, summary="List cases")
def list_cases(
    state: Service,
    _: Reader,
    status: Annotated[Status | None, Query(description="Only cases in this status.")] = None,
    kind: Annotated[Literal["party_hit", "declaration"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Cases, newest first; ``status`` is derived from each case's latest decision."""
    store = case_store(state)
    with state.lock:
        cases = store.find(status=status, kind=kind, limit=limit, offset=offset)
    return {"cases": [c.to_json_dict() for c in cases], "count": len(cases)}


@router.get("/cases/{case_id}", response_model=CaseDetail, responses=ERRORS, summary="One case")
def read_case(case_id: str, state: Service, _: Reader) -> dict[str, Any]:
    """The case and its decision history (the audit trail, oldest first)."""
    store = case_store(state)
    with state.lock:
        case = store.get(case_id)
        history = store.decisions(case_id)
    return {**case.to_json_dict(), "history": [d.to_json_dict() for d in history]}


@router.post(
    "/cases/{case_id}/decisions",
    response_model=DecidedOut,
    status_code=201,
    responses=ERRORS,
    summary="Decide a case",
)
def decide_case(
    case_id: str, body: DecisionIn, state: Service, principal: Analyst
) -> dict[str, Any]:
    """Append a decision to the case's audit trail (who, when, why) and return it with the
    case's new status. Needs an analyst key; a supervisor key to decide an escalated case,
    to overrule or escalate a decided one, or to reopen a case."""
    role = principal.role or "analyst"

    def authorize(status: Status, action: Action) -> None:
        needed = required_role(status, action)
        if RANK[role] < RANK[needed]:
            raise Forbidden(
                f"to {action} a case that is {status} needs the {needed} role; the key is {role}"
            )

    store = case_store(state)
    label = actor_label(state, principal.key_id)
    with state.lock:
        decision = store.decide(
            case_id,
            body.action,
            body.note,
            actor=principal.key_id or "",
            actor_label=label,
            actor_role=role,
            authorize=authorize,
        )
        case = store.get(case_id)
    return {"decision": decision.to_json_dict(), "case": case.to_json_dict()}
