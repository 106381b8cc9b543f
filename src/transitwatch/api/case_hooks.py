"""Opening cases from the API's screenings (the core knows nothing of cases).

* Party screening (``POST /screen``, ``POST /screen/batch``): every hit scoring at least the
  service's threshold (the ``threshold`` setting, whatever lower cut a request asks for) opens
  a ``party_hit`` case unless one exists for the same normalised name and listed entity. Each
  hit of the response carries ``case_id`` and ``case_status`` (null below the threshold) and,
  when that name and entity stand dismissed as a false positive, ``previously_dismissed``
  ``{"note", "by", "at"}``. This module serves both paths in place of
  :mod:`transitwatch.api.routes_screening`, whose handlers it calls and whose other routes
  it keeps (:func:`screening_router`).
* Declaration screening (``POST /declarations/screen``): each red or yellow decision opens a
  ``declaration`` case (one per declaration id).
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from transitwatch.api import routes_screening
from transitwatch.api.auth import Reader
from transitwatch.api.deps import Service, ServiceState
from transitwatch.api.models import (
    BatchItemOut,
    BatchRequest,
    BatchResponse,
    HitOut,
    ScreenRequest,
    ScreenResponse,
)
from transitwatch.cases.model import Case, declaration_case, party_case, subject_key
from transitwatch.declarations.model import Decision
from transitwatch.errors import NotFoundError
from transitwatch.store.cases import CaseStore

CASE_LANES = ("red", "yellow")
_stores: weakref.WeakKeyDictionary[ServiceState, CaseStore] = weakref.WeakKeyDictionary()


def case_store(state: ServiceState) -> CaseStore:
    """The service's case tables (on its store connection; use under ``state.lock``)."""
    found = _stores.get(state)
    if found is None:
        with state.lock:
            found = _stores[state] = CaseStore.of(state.store)
    return found


def actor_label(state: ServiceState, key_id: str | None) -> str | None:
    if key_id is None:
        return None
    try:
        return state.keys.get(key_id).label
    except NotFoundError:
        return None


def _new_id() -> str:
    return "case_" + uuid.uuid4().hex[:16]


def annotate_hits(
    state: ServiceState, items: Sequence[tuple[str, str | None, list[dict[str, Any]]]]
) -> None:
    """Open party cases for the hits at or above the threshold and annotate every hit.

    ``items``: (query name, query schema, its hit dicts), the dicts changed in place."""
    cut = state.config.threshold
    now = datetime.now(UTC)
    wanted: list[Case] = []
    where: list[tuple[int, int]] = []
    for i, (name, schema, hits) in enumerate(items):
        for j, hit in enumerate(hits):
            hit.update(case_id=None, case_status=None, previously_dismissed=None)
            if float(hit["score"]) < cut:
                continue
            wanted.append(
                party_case(
                    _new_id(),
                    now,
                    query_name=name,
                    source=hit["source"],
                    source_id=hit["source_id"],
                    caption=hit["caption"],
                    schema=hit.get("schema") or schema,
                    score=float(hit["score"]),
                )
            )
            where.append((i, j))
    if not wanted:
        return
    store = case_store(state)
    with state.lock:
        opened = store.open_cases(wanted)
        remembered = store.dismissals([subject_key(c) for c in opened])
    for (i, j), case in zip(where, opened, strict=True):
        hit = items[i][2][j]
        hit["case_id"] = case.case_id
        hit["case_status"] = case.status
        dismissal = remembered.get(subject_key(case))
        if dismissal is not None:
            hit["previously_dismissed"] = dismissal.to_json_dict()


def open_declaration_cases(
    state: ServiceState, decisions: Sequence[Decision], run_id: str | None
) -> dict[str, str]:
    """A case for every red or yellow decision; declaration id -> case id."""
    now = datetime.now(UTC)
    wanted = [
        declaration_case(
            _new_id(),
            now,
            declaration_id=d.declaration_id,
            lane=d.lane,
            score=round(d.score, 2),
            reasons=tuple(dict.fromkeys(r.rule for r in d.reasons)),
            run_id=run_id,
        )
        for d in decisions
        if d.lane in CASE_LANES
    ]
    if not wanted:
        return {}
    store = case_store(state)
    with state.lock:
        opened = store.open_cases(wanted)
    return {c.declaration_id or "": c.case_id for c in opened}


# -- the screening routes, with cases ------------------------------------------------------


class PreviouslyDismissed(BaseModel):
    case_id: str
    note: str | None
    by: str = Field(description="The label of the key that dismissed it (else its id).")
    key_id: str
    at: str


class HitWithCase(HitOut):
    case_id: str | None = Field(
        default=None, description="The case this hit opened (or had opened); null below it."
    )
    case_status: str | None = None
    previously_dismissed: PreviouslyDismissed | None = Field(
        default=None, description="The same name and entity were dismissed as a false positive."
    )


class ScreenWithCases(ScreenResponse):
    hits: list[HitWithCase]  # type: ignore[assignment]


class BatchItemWithCases(BatchItemOut):
    hits: list[HitWithCase]  # type: ignore[assignment]


class BatchWithCases(BatchResponse):
    results: list[BatchItemWithCases]  # type: ignore[assignment]


router = APIRouter(tags=["screening"])


@router.post(
    "/screen",
    response_model=ScreenWithCases,
    responses=routes_screening.ERRORS,
    summary="Screen one party",
)
def screen(body: ScreenRequest, state: Service, principal: Reader) -> dict[str, Any]:
    """Hits at or above the threshold, best first, each with the listed name that matched and
    how each name part matched — the JSON of `transitwatch screen party --json` — and, for
    hits at or above the service's threshold, the case each opened (``case_id``) and any
    earlier dismissal of the same name and entity (``previously_dismissed``)."""
    out = routes_screening.screen(body, state, principal)
    out["hits"] = [dict(h) for h in out["hits"]]
    annotate_hits(state, [(body.name, body.type, out["hits"])])
    return out


@router.post(
    "/screen/batch",
    response_model=BatchWithCases,
    response_model_exclude_none=False,
    responses=routes_screening.ERRORS,
    summary="Screen many parties",
)
def screen_batch(body: BatchRequest, state: Service, principal: Reader) -> dict[str, Any]:
    """One result per query, in order, as HITS.jsonl lines plus each hit's case (as for
    ``POST /screen``): a query that cannot be screened carries ``error`` and no hits, and the
    batch goes on. More than TRANSITWATCH_MAX_BATCH queries: 413."""
    out = routes_screening.screen_batch(body, state, principal)
    items = []
    for result in out["results"]:
        result["hits"] = [dict(h) for h in result["hits"]]  # the log keeps the originals
        if result["hits"]:
            items.append((result["name"] or "", None, result["hits"]))
    annotate_hits(state, items)
    return out


def screening_router() -> APIRouter:
    """``/screen`` and ``/screen/batch`` with cases, plus any other screening route."""
    combined = APIRouter()
    combined.include_router(router)
    mine = {(r.path, m) for r in router.routes if isinstance(r, APIRoute) for m in r.methods or ()}
    for route in routes_screening.router.routes:
        if isinstance(route, APIRoute) and not any(
            (route.path, m) in mine for m in route.methods or ()
        ):
            combined.routes.append(route)
    return combined
