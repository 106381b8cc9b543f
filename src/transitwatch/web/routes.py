"""Server-rendered pages (no build step, no JavaScript needed): screening, declarations, cases,
flows. Jinja2 templates with autoescaping; every write form needs an analyst API key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from transitwatch import __version__
from transitwatch.api.deps import NoListsLoaded, ServiceState
from transitwatch.api.routes_screening import SCHEMAS, party_query
from transitwatch.declarations.model import LANE_MEANING, LANES
from transitwatch.errors import NotFoundError, TransitWatchError
from transitwatch.web import data
from transitwatch.web.flows import dashboard

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent
QUEUE_LIMIT = 200
MAX_UPLOAD = 50 * 1024 * 1024


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(version=__version__, lanes=LANES, lane_meaning=LANE_MEANING)
    return env


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _env().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status)


def not_found(message: str, nav: str) -> HTMLResponse:
    return page("error.html", status=404, nav=nav, title="Not found", message=message)


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


@router.get("/ui/static/style.css")
def stylesheet() -> Response:
    css = (HERE / "static" / "style.css").read_text("utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    loaded = _state(request).current
    return page(
        "home.html",
        nav="home",
        versions=sorted(loaded.versions.items()) if loaded else [],
        entities=len(loaded.screener.index.entities) if loaded else 0,
    )


# -- screening ----------------------------------------------------------------------------------


def _screen(request: Request, form: dict[str, str]) -> HTMLResponse:
    state = _state(request)
    context: dict[str, Any] = {"nav": "screen", "form": form, "schemas": SCHEMAS}
    if not form.get("name", "").strip():
        return page("screen.html", **context)
    try:
        query = party_query(
            form["name"], form.get("type"), form.get("country"), form.get("birth_date"),
            form.get("identifier"),
        )  # fmt: skip
        loaded = state.loaded()
        hits = loaded.screener.screen(
            query, threshold=state.config.threshold, limit=state.config.max_hits
        )
    except NoListsLoaded as exc:
        return page("screen.html", status=503, error=exc.message, **context)
    except TransitWatchError as exc:
        return page("screen.html", status=422, error=exc.message, **context)
    state.record(query, list(hits), loaded.versions)
    shown = [h.to_json_dict() for h in hits]
    data.annotate_hits(state, query.name, query.schema, shown)
    return page(
        "screen.html",
        hits=shown,
        threshold=state.config.threshold,
        list_versions=sorted(loaded.versions.items()),
        **context,
    )


@router.get("/ui/screen", response_class=HTMLResponse)
def screen_get(
    request: Request,
    name: str = "",
    type: str = "",
    country: str = "",
    birth_date: str = "",
    identifier: str = "",
) -> HTMLResponse:
    form = dict(name=name, type=type, country=country, birth_date=birth_date, identifier=identifier)
    return _screen(request, form)


@router.post("/ui/screen", response_class=HTMLResponse)
def screen_post(
    request: Request,
    name: Annotated[str, Form()] = "",
    type: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    birth_date: Annotated[str, Form()] = "",
    identifier: Annotated[str, Form()] = "",
) -> HTMLResponse:
    form = dict(name=name, type=type, country=country, birth_date=birth_date, identifier=identifier)
    return _screen(request, form)


# -- declarations -------------------------------------------------------------------------------


def _declarations_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    return page(
        "declarations.html", status=status, nav="declarations",
        runs=data.runs(_state(request)), **extra,
    )  # fmt: skip


@router.get("/ui/declarations", response_class=HTMLResponse)
def declarations(request: Request) -> HTMLResponse:
    return _declarations_page(request)


@router.post("/ui/declarations", response_model=None)
async def upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    api_key: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    state = _state(request)
    _, problem = data.analyst_key(state, api_key)
    if problem:
        return _declarations_page(request, 401, error=problem)
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return _declarations_page(request, 413, error="the file is larger than 50 MB")
    if not content:
        return _declarations_page(request, 422, error="the file is empty")
    from starlette.concurrency import run_in_threadpool

    try:
        done = await run_in_threadpool(data.screen_upload, state, content, file.filename or "")
    except NoListsLoaded as exc:
        return _declarations_page(request, 503, error=exc.message)
    except TransitWatchError as exc:
        return _declarations_page(request, 422, error=exc.message)
    url = f"/ui/declarations/{done.run_id}?accepted={done.accepted}&rejected={len(done.rejected)}"
    return RedirectResponse(url, status_code=303)


@router.get("/ui/declarations/{run_id}", response_class=HTMLResponse)
def queue(
    request: Request,
    run_id: str,
    lane: str = "",
    rule: str = "",
    q: str = "",
    hits: str = "",
    accepted: int | None = None,
    rejected: int | None = None,
) -> HTMLResponse:
    items = data.run_decisions(_state(request), run_id)
    if not items:
        return not_found(f"There is no screened batch {run_id}.", "declarations")
    lane = lane if lane in LANES else ""
    rules = sorted({r["rule"] for i in items for r in i["decision"].get("reasons", [])})
    shown = [i for i in items if data.matches(i, lane, rule, q.strip(), bool(hits))]
    by_lane = {name: [i for i in shown if i["lane"] == name] for name in LANES}
    return page(
        "queue.html",
        nav="declarations",
        run_id=run_id,
        source_file=items[0]["source_file"] or "",
        screened_at=str(items[0]["screened_at"])[:19],
        total=len(items),
        totals={name: sum(1 for i in items if i["lane"] == name) for name in LANES},
        by_lane=by_lane,
        limit=QUEUE_LIMIT,
        rules=rules,
        filters={"lane": lane, "rule": rule, "q": q, "hits": bool(hits)},
        accepted=accepted,
        rejected=rejected,
    )


@router.get("/ui/declarations/{run_id}/{declaration_id}", response_class=HTMLResponse)
def declaration(request: Request, run_id: str, declaration_id: str) -> HTMLResponse:
    state = _state(request)
    items = [i for i in data.run_decisions(state, run_id) if i["declaration_id"] == declaration_id]
    if not items:
        return not_found(
            f"There is no declaration {declaration_id} in batch {run_id}.", "declarations"
        )
    item = items[0]
    return page(
        "declaration.html",
        nav="declarations",
        run_id=run_id,
        item=item,
        decision=item["decision"],
        record=data.declaration_record(state, declaration_id),
        case_id=data.declaration_case_id(state, declaration_id),
    )


# -- cases --------------------------------------------------------------------------------------


@router.get("/ui/cases", response_class=HTMLResponse)
def cases(request: Request, status: str = "", kind: str = "") -> HTMLResponse:
    state = _state(request)
    store = data.case_store(state)
    filters = {"status": status, "kind": kind}
    context: dict[str, Any] = {
        "nav": "cases", "filters": filters, "statuses": data.STATUSES, "kinds": data.KINDS,
    }  # fmt: skip
    if store is None:
        return page("cases.html", available=False, cases=[], **context)
    found = data.find_cases(state, store, status, kind)
    return page("cases.html", available=True, cases=found, **context)


def _case_page(request: Request, case_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    state = _state(request)
    store = data.case_store(state)
    if store is None:
        return page("case.html", status=404, nav="cases", available=False, case=None)
    found = data.get_case(state, store, case_id)
    if found is None:
        return not_found(f"There is no case {case_id}.", "cases")
    return page(
        "case.html", status=status, nav="cases", available=True, case=found,
        actions=data.ACTIONS, **extra,
    )  # fmt: skip


@router.get("/ui/cases/{case_id}", response_class=HTMLResponse)
def case(request: Request, case_id: str, decided: str = "") -> HTMLResponse:
    return _case_page(request, case_id, decided=decided if decided in data.ACTIONS else "")


@router.post("/ui/cases/{case_id}", response_model=None)
def decide(
    request: Request,
    case_id: str,
    action: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    api_key: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    state = _state(request)
    store = data.case_store(state)
    if store is None:
        return _case_page(request, case_id)
    form = {"action": action, "note": note}
    key, problem = data.analyst_key(state, api_key)
    if problem is None and action not in data.ACTIONS:
        problem = f"choose what to do: {', '.join(data.ACTIONS)}"
    if problem is not None or key is None:
        return _case_page(request, case_id, 422, error=problem, form=form)
    try:
        data.decide_case(state, store, case_id, action, note.strip(), key)
    except NotFoundError:
        return not_found(f"There is no case {case_id}.", "cases")
    except TransitWatchError as exc:
        return _case_page(request, case_id, 422, error=exc.message, form=form)
    return RedirectResponse(f"/ui/cases/{quote(case_id)}?decided={action}", status_code=303)


# -- flows --------------------------------------------------------------------------------------


def _year(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and len(value.strip()) == 4 else None


@router.get("/ui/flows", response_class=HTMLResponse)
def flows(
    request: Request,
    transit: Annotated[str, Query(max_length=8)] = "KG",
    product: Annotated[str, Query(max_length=16)] = "TOTAL",
    first: Annotated[str, Query(alias="from", max_length=8)] = "",
    last: Annotated[str, Query(alias="to", max_length=8)] = "",
) -> HTMLResponse:
    board = dashboard(_state(request), transit, product, _year(first), _year(last))
    return page("flows.html", nav="flows", board=board)
