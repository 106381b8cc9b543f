"""Party screening: ``POST /screen`` (one party) and ``POST /screen/batch`` (many)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from transitwatch.api.auth import Reader
from transitwatch.api.deps import Loaded, PayloadTooLarge, Service, ServiceState
from transitwatch.api.models import (
    BatchQueryIn,
    BatchRequest,
    BatchResponse,
    ErrorResponse,
    ScreenRequest,
    ScreenResponse,
)
from transitwatch.errors import InputError, TransitWatchError
from transitwatch.screening.types import (
    COUNTRY_RE,
    DATE_RE,
    HitRecord,
    PartyQuery,
    normalise_schema,
)

router = APIRouter(tags=["screening"])

SCHEMAS = ("person", "organization", "vessel", "aircraft")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 413, 422, 503)
}


def party_query(
    name: str | None,
    schema: str | None,
    country: str | None,
    birth_date: str | None,
    identifier: str | None,
    ref: str | None = None,
) -> PartyQuery:
    """A PartyQuery from API fields, with the checks of the CLI and of a batch row."""
    problems: list[str] = []
    kind = normalise_schema(schema)
    if kind is not None and kind not in SCHEMAS:
        problems.append(f"type must be one of {', '.join(SCHEMAS)}, not {schema!r}")
    iso = country.strip().upper() if country and country.strip() else None
    if iso is not None and not COUNTRY_RE.match(iso):
        problems.append(f"country {country!r} is not an ISO 3166-1 alpha-2 code")
    birth = birth_date.strip() if birth_date and birth_date.strip() else None
    if birth is not None and not DATE_RE.match(birth):
        problems.append(f"birth_date {birth_date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if problems:
        raise InputError("; ".join(problems))
    return PartyQuery(
        name=name or "",
        schema=kind,
        country=iso,
        birth_date=birth,
        identifier=identifier.strip() if identifier and identifier.strip() else None,
        id=ref,
    )


def _cut(state: ServiceState, threshold: float | None) -> float:
    return state.config.threshold if threshold is None else threshold


@router.post(
    "/screen",
    response_model=ScreenResponse,
    responses=ERRORS,
    summary="Screen one party",
)
def screen(
    body: ScreenRequest,
    state: Service,
    _: Reader,
) -> dict[str, Any]:
    """Hits at or above the threshold, best first, each with the listed name that matched and
    how each name part matched — the JSON of `transitwatch screen party --json`."""
    query = party_query(body.name, body.type, body.country, body.birth_date, body.identifier)
    return screen_with(state.loaded(), body, query, state)


def screen_with(
    loaded: Loaded, body: ScreenRequest, query: PartyQuery, state: ServiceState
) -> dict[str, Any]:
    """The body of ``POST /screen`` from the given screener (pure CPU: no store, no lock),
    the screening queued for the log."""
    cut = _cut(state, body.threshold)
    hits = loaded.screener.screen(query, threshold=cut, limit=body.limit or state.config.max_hits)
    state.record(query, list(hits), loaded.versions)
    return {
        "name": body.name,
        "threshold": cut,
        "hits": [h.to_json_dict() for h in hits],
        "list_versions": loaded.versions,
    }


def _item(
    loaded: Loaded, item: BatchQueryIn, row: int, cut: float, limit: int
) -> tuple[dict[str, Any], PartyQuery | None]:
    out: dict[str, Any] = {"id": item.id, "name": item.name, "row": row}
    try:
        query = party_query(
            item.name, item.type, item.country, item.birth_date, item.identifier, item.id
        )
        hits = loaded.screener.screen(query, threshold=cut, limit=limit)
    except TransitWatchError as exc:
        out["error"] = exc.message
        out["hits"] = []
        return out, None
    out["hits"] = [h.to_json_dict() for h in hits]
    return out, query


@router.post(
    "/screen/batch",
    response_model=BatchResponse,
    response_model_exclude_none=False,
    responses=ERRORS,
    summary="Screen many parties",
)
def screen_batch(
    body: BatchRequest,
    state: Service,
    _: Reader,
) -> dict[str, Any]:
    """One result per query, in order, as HITS.jsonl lines: a query that cannot be screened
    carries ``error`` and no hits, and the batch goes on. More than TRANSITWATCH_MAX_BATCH
    queries: 413."""
    if len(body.queries) > state.config.max_batch:
        raise PayloadTooLarge(
            f"the batch has {len(body.queries):,} queries; the limit is "
            f"{state.config.max_batch:,} (TRANSITWATCH_MAX_BATCH)"
        )
    loaded = state.loaded()
    cut = _cut(state, body.threshold)
    limit = body.limit or state.config.max_hits
    results: list[dict[str, Any]] = []
    for row, item in enumerate(body.queries, 1):
        out, query = _item(loaded, item, row, cut, limit)
        results.append(out)
        if query is not None:
            hits: list[HitRecord] = list(out["hits"])
            state.record(query, hits, loaded.versions)
    return {"threshold": cut, "results": results, "list_versions": loaded.versions}
