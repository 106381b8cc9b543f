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

A case's id is derived from its subject (:func:`transitwatch.store.cases.case_id_for`), so
concurrent screenings of the same name and entity agree on it. Party cases are opened off the
request path: the answer comes from the heads the case store keeps in memory (no query, no
store lock); new cases are queued, and the service's background writer (the screening log's)
commits them in one transaction every half second. Reading cases through the case store
(``GET /cases...``, deciding one, the web pages) writes the queue first, so a case an answer
names is always found. A crash of the process loses the cases queued in that half second;
screening the name again opens the same case, with the same id. Declaration cases are written
before the answer.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
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
from transitwatch.cases.model import Case, declaration_case, name_key, subject_key
from transitwatch.declarations.model import Decision
from transitwatch.errors import NotFoundError
from transitwatch.store.cases import CaseStore, case_id_for

CASE_LANES = ("red", "yellow")
_stores: weakref.WeakKeyDictionary[ServiceState, CaseStore] = weakref.WeakKeyDictionary()


def case_store(state: ServiceState) -> CaseStore:
    """The service's case tables (on its store connection; use under ``state.lock``). The
    first call reads the heads of the party cases and has the service's background writer
    write the cases screenings open."""
    found = _stores.get(state)
    if found is None:
        with state.lock:
            found = _stores.get(state)
            if found is None:
                found = CaseStore.of(state.store)
                found.load_heads()
                state.writer.add("cases", lambda: _flush(state, found))
                _stores[state] = found
    return found


def _flush(state: ServiceState, store: CaseStore) -> None:
    if store.pending:
        with state.lock:
            store.flush()


def actor_label(state: ServiceState, key_id: str | None) -> str | None:
    if key_id is None:
        return None
    try:
        return state.keys.get(key_id).label
    except NotFoundError:
        return None


def _with_id(case: Case) -> Case:
    return replace(case, case_id=case_id_for(subject_key(case)))


def annotate_hits(
    state: ServiceState, items: Sequence[tuple[str, str | None, list[dict[str, Any]]]]
) -> None:
    """Open party cases for the hits at or above the threshold and annotate every hit.

    ``items``: (query name, query schema, its hit dicts), the dicts changed in place. Runs no
    query once the case store is set up (:func:`case_store`): safe on the event loop."""
    cut = state.config.threshold
    now = datetime.now(UTC)
    wanted: list[Case] = []
    where: list[dict[str, Any]] = []
    for name, schema, hits in items:
        key: str | None = None
        for hit in hits:
            hit.update(case_id=None, case_status=None, previously_dismissed=None)
            score = float(hit["score"])
            if score < cut:
                continue
            if key is None:
                key = name_key(name)
            case = Case(
                "",
                "party_hit",
                now,
                query_name=name,
                name_key=key,
                source=hit["source"],
                source_id=hit["source_id"],
                caption=hit["caption"],
                schema=hit.get("schema") or schema,
                score=score,
            )
            wanted.append(_with_id(case))
            where.append(hit)
    if not wanted:
        return
    store = case_store(state)
    heads = store.claim(wanted)
    for hit, head in zip(where, heads, strict=True):
        hit["case_id"] = head.case_id
        hit["case_status"] = head.status
        if head.dismissal is not None:
            hit["previously_dismissed"] = head.dismissal.to_json_dict()


def open_declaration_cases(
    state: ServiceState, decisions: Sequence[Decision], run_id: str | None
) -> dict[str, str]:
    """A case for every red or yellow decision, written before this returns; declaration id
    -> case id."""
    now = datetime.now(UTC)
    wanted = [
        _with_id(
            declaration_case(
                "",
                now,
                declaration_id=d.declaration_id,
                lane=d.lane,
                score=round(d.score, 2),
                reasons=tuple(dict.fromkeys(r.rule for r in d.reasons)),
                run_id=run_id,
            )
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
async def screen(body: ScreenRequest, state: Service, principal: Reader) -> JSONResponse:
    """Hits at or above the threshold, best first, each with the listed name that matched and
    how each name part matched — the JSON of `transitwatch screen party --json` — and, for
    hits at or above the service's threshold, the case each opened (``case_id``) and any
    earlier dismissal of the same name and entity (``previously_dismissed``)."""
    # On the event loop: screening is about a millisecond of CPU, and nothing below waits on
    # the store (a thread hop would cost more than it saves, all threads sharing one GIL);
    # what may wait - the periodic check of the list versions, setting up the case store -
    # goes to a worker thread.
    query = routes_screening.party_query(
        body.name, body.type, body.country, body.birth_date, body.identifier
    )
    loaded = state.loaded_now()
    if loaded is None:
        loaded = await run_in_threadpool(state.refresh)
    out = routes_screening.screen_with(loaded, body, query, state)
    if out["hits"]:
        if state not in _stores:
            await run_in_threadpool(case_store, state)
        annotate_hits(state, [(body.name, body.type, out["hits"])])
    return JSONResponse(out)  # already the response model's shape: no second validation


@router.post(
    "/screen/batch",
    response_model=BatchWithCases,
    response_model_exclude_none=False,
    responses=routes_screening.ERRORS,
    summary="Screen many parties",
)
def screen_batch(body: BatchRequest, state: Service, principal: Reader) -> JSONResponse:
    """One result per query, in order, as HITS.jsonl lines plus each hit's case (as for
    ``POST /screen``): a query that cannot be screened carries ``error`` and no hits, and the
    batch goes on. More than TRANSITWATCH_MAX_BATCH queries: 413."""
    out = routes_screening.screen_batch(body, state, principal)
    items = []
    results = []
    for result in out["results"]:
        hits = [dict(h) for h in result["hits"]]  # the log keeps the originals
        if hits:
            items.append((result["name"] or "", None, hits))
        results.append(
            {
                "id": result["id"],
                "name": result["name"],
                "row": result["row"],
                "hits": hits,
                "error": result.get("error"),
            }
        )
    annotate_hits(state, items)
    out["results"] = results
    return JSONResponse(out)  # already the response model's shape: no second validation


def screening_router() -> APIRouter:
    """``/screen`` and ``/screen/batch`` with cases, plus any other screening route."""
    combined = APIRouter()
    combined.routes.extend(router.routes)  # the routes themselves: one router level less to match
    mine = {(r.path, m) for r in router.routes if isinstance(r, APIRoute) for m in r.methods or ()}
    for route in routes_screening.router.routes:
        if isinstance(route, APIRoute) and not any(
            (route.path, m) in mine for m in route.methods or ()
        ):
            combined.routes.append(route)
    return combined
