"""Declaration screening: ``POST /declarations/screen`` (a JSON body or an uploaded file).

As `transitwatch declarations screen`: the shipped risk profiles and control lists, the
party screener of the service, the store's declaration history; one decision per accepted
row, in input order; rejected rows with every bad field. The run is appended to the audit
record (``declaration_decisions``), the accepted rows to the history, and every red or
yellow decision opens a case. Needs an analyst key (it writes).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from transitwatch.api.auth import Analyst
from transitwatch.api.case_hooks import open_declaration_cases
from transitwatch.api.deps import Service, ServiceState
from transitwatch.api.models import ErrorResponse
from transitwatch.declarations.engine import Engine, top_reasons
from transitwatch.declarations.history import History
from transitwatch.declarations.lanes import LanePolicy, lane_counts
from transitwatch.declarations.model import Rejected
from transitwatch.declarations.parse import Parsed, parse_bytes, validate_records
from transitwatch.declarations.profiles import Profile, load_profiles
from transitwatch.errors import InputError
from transitwatch.store.declarations import DeclarationStore

router = APIRouter(tags=["declarations"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 413, 415, 422, 503)
}


class Options(BaseModel):
    """The options of `transitwatch declarations screen`."""

    model_config = ConfigDict(extra="forbid")

    red_rate: float = Field(default=0.05, ge=0.0, le=1.0, description="Red-lane quota.")
    yellow_rate: float = Field(default=0.15, ge=0.0, le=1.0, description="Yellow-lane quota.")
    random_rate: float = Field(default=0.01, ge=0.0, le=1.0, description="Random inspection.")
    seed: int = Field(default=0, description="Seed of the random inspection draw.")
    threshold: float | None = Field(default=None, ge=0.0, le=1.0, description="Party cut.")
    min_count: int = Field(default=20, ge=1, description="Past rows needed for a value band.")


class DeclarationsIn(Options):
    declarations: list[dict[str, Any]] = Field(
        description="Rows with the columns of a declarations file (declaration_id, date, ...)."
    )


@functools.cache
def _profiles() -> list[Profile]:
    return load_profiles(None)


@functools.cache
def _goods() -> Any:
    from transitwatch.goods import GoodsKnowledge

    return GoodsKnowledge.default()


def rejects_json(rejected: list[Rejected]) -> list[dict[str, Any]]:
    """As the CLI's rejects file."""
    return [
        {
            "row": r.row,
            "declaration_id": r.declaration_id,
            "errors": [{"field": f, "message": m} for f, m in r.problems],
            "record": json.loads(
                json.dumps(
                    {k: v for k, v in r.raw.items() if not str(k).startswith("__")}, default=str
                )
            ),
        }
        for r in rejected
    ]


def _options(data: dict[str, Any], model: type[Options]) -> Options:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


async def _read(request: Request) -> tuple[Parsed, Options, str]:
    """(parsed rows, options, source name) from a JSON body or a multipart upload."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = await request.json()
        except ValueError:
            raise InputError("the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise InputError('the body must be an object: {"declarations": [...], ...}')
        body = _options(data, DeclarationsIn)
        assert isinstance(body, DeclarationsIn)
        records = ((i, row) for i, row in enumerate(body.declarations, 1))
        accepted, rejected = validate_records(records)
        return Parsed(accepted, rejected, "utf-8", "json"), body, "api:json"
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InputError("the upload has no file: send it in the form field 'file'")
        raw = await upload.read()
        name = upload.filename or "upload"
        fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str)}
        options = _options(fields, Options)
        parsed = await run_in_threadpool(parse_bytes, raw, name)
        return parsed, options, f"api:{name}"
    raise InputError(
        'send declarations as application/json ({"declarations": [...]}) or as a '
        f"multipart/form-data upload (field 'file', CSV or JSON lines), not {kind or 'nothing'}"
    )


def screen_parsed(
    state: ServiceState, parsed: Parsed, options: Options, source: str
) -> dict[str, Any]:
    """Screen accepted rows, record the run and open cases; the response body."""
    from transitwatch.goods import UnitValueBands

    policy = LanePolicy(
        options.red_rate, options.yellow_rate, options.random_rate, "red", options.seed
    )
    loaded = state.loaded()
    with state.lock:
        dstore = DeclarationStore.of(state.store)
        rows = dstore.history_rows()
    history = History(rows, fit=lambda r: UnitValueBands.fit(r, min_count=options.min_count))
    cut = state.config.threshold if options.threshold is None else options.threshold
    engine = Engine(
        _profiles(), _goods(), loaded.screener, history=history, threshold=cut, policy=policy
    )
    decisions = engine.screen(parsed.accepted)
    with state.lock:
        run_id = dstore.record_decisions(
            decisions, engine.profile_versions, loaded.versions, source
        )
        added = dstore.add_history(parsed.accepted)
    cases = open_declaration_cases(state, decisions, run_id)
    out = []
    for d in decisions:
        item = d.to_json_dict()
        item["row"] = d.row
        item["random"] = d.random
        item["case_id"] = cases.get(d.declaration_id)
        out.append(item)
    return {
        "run_id": run_id,
        "decisions": out,
        "rejects": rejects_json(parsed.rejected),
        "summary": {
            "screened": len(decisions),
            "rejected": len(parsed.rejected),
            "lanes": lane_counts(decisions),
            "top_reasons": [{"rule": r, "count": n} for r, n in top_reasons(decisions)],
            "parties_screened": engine.parties.screened,
            "cases_opened_or_found": len(cases),
            "added_to_history": added,
            "format": parsed.format,
            "encoding": parsed.encoding,
        },
        "profile_versions": engine.profile_versions,
        "list_versions": loaded.versions,
    }


_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": DeclarationsIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        **Options.model_json_schema()["properties"],
                    },
                }
            },
        },
    }
}


@router.post(
    "/declarations/screen",
    responses=ERRORS,
    summary="Screen declarations into lanes",
    openapi_extra=_BODY,
)
async def screen_declarations(request: Request, state: Service, _: Analyst) -> dict[str, Any]:
    """One decision per accepted row, in input order (``row`` = its line or record number),
    each with lane, score, reasons, parties and the ``case_id`` a red or yellow lane opened;
    ``rejects`` as the CLI's rejects file; ``summary`` counts lanes and top reasons. JSON:
    ``{"declarations": [rows], "red_rate": ..., "seed": ...}``; or a multipart upload of a
    CSV or JSON-lines file (UTF-8 or cp1251) in the field ``file``, the options as fields."""
    parsed, options, source = await _read(request)
    return await run_in_threadpool(screen_parsed, state, parsed, options, source)
