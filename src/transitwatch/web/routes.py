"""Server-rendered pages (no build step, no JavaScript needed): screening, declarations, cases,
flows, and signing in with an API key (``/ui/login``; sessions: :mod:`transitwatch.web.sessions`).

* Reading: open, unless ``TRANSITWATCH_API_KEYS_REQUIRED`` is on; then every page but the
  sign-in page and the stylesheet redirects to ``/ui/login?next=<the page>``.
* Writing (uploading declarations, deciding cases, signing out) needs a signed-in session and
  the session's CSRF token in the form; without a session the browser is sent to sign in, a
  missing or wrong token is refused with 403. Screening a name is a read: a signed-in
  visitor's form still carries the token and has it checked.
* Every page is sent with ``Cache-Control: no-store`` and headers that forbid framing.
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from transitwatch import __version__
from transitwatch.api.deps import NoListsLoaded, ServiceState
from transitwatch.api.routes_screening import SCHEMAS, party_query
from transitwatch.declarations.model import LANE_MEANING, LANES
from transitwatch.errors import NotFoundError, TransitWatchError
from transitwatch.store.declarations import DecisionFilter
from transitwatch.web import data
from transitwatch.web.flows import CHPL_GROUPS, dashboard
from transitwatch.web.sessions import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_TTL,
    Session,
    clear_login_cookie,
    clear_session_cookie,
    csrf_ok,
    set_login_cookie,
    set_session_cookie,
    sign_in,
    sign_out,
    visitor,
)

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent
MAX_UPLOAD = 50 * 1024 * 1024
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
STALE_FORM = (
    "This form is out of date or did not come from this site, so nothing was done: "
    "reload the page and try again."
)
CsrfField = Annotated[str, Form(alias=CSRF_FIELD)]


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        version=__version__, lanes=LANES, lane_meaning=LANE_MEANING, csrf_field=CSRF_FIELD
    )
    return env


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page, with who is signed in (and the session's CSRF token for its forms)."""
    v = visitor(request)
    html = (
        _env()
        .get_template(template)
        .render(
            user=v.session,
            csrf=v.session.csrf if v.session else "",
            here=_here(request) if request.method == "GET" else request.url.path,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
    if v.clear_cookie:
        clear_session_cookie(response, request)
    return response


def not_found(request: Request, message: str, nav: str) -> HTMLResponse:
    return render(request, "error.html", 404, nav=nav, title="Not found", message=message)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def to_login(request: Request, back: str | None = None) -> RedirectResponse:
    """Off to the sign-in page, which comes back to ``back`` (default: this page)."""
    v = visitor(request)
    params = {"next": back or _here(request)}
    if v.status in ("expired", "revoked"):
        params["why"] = v.status
    response = _redirect("/ui/login?" + urlencode(params))
    if v.clear_cookie:
        clear_session_cookie(response, request)
    return response


def read_gate(request: Request) -> RedirectResponse | None:
    """A redirect to sign in when reads need a key and nobody is signed in; else None."""
    if visitor(request).signed_in or not _state(request).config.api_keys_required:
        return None
    return to_login(request)


def writer(request: Request, back: str) -> Session | RedirectResponse:
    """The signed-in session, or a redirect to sign in (and then come back to ``back``)."""
    session = visitor(request).session
    return session if session is not None else to_login(request, back)


def safe_next(value: str) -> str:
    """Where to go after signing in: a page of this site, else the start page."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path.startswith(("/ui/login", "/ui/logout", "/ui/static")):
        return "/"
    if parts.path != "/" and not parts.path.startswith("/ui/"):
        return "/"
    return value


@router.get("/ui/static/style.css")
def stylesheet() -> Response:
    css = (HERE / "static" / "style.css").read_text("utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/", response_model=None)
def home(request: Request) -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    loaded = _state(request).current
    return render(
        request,
        "home.html",
        nav="home",
        versions=sorted(loaded.versions.items()) if loaded else [],
        entities=len(loaded.screener.index.entities) if loaded else 0,
    )


# -- signing in ---------------------------------------------------------------------------------

_WHY = {
    "expired": "Your session has expired: sign in again.",
    "revoked": "The key you signed in with has been revoked: sign in with another key.",
}


def _login_page(
    request: Request, status: int = 200, *, target: str = "/", **context: Any
) -> HTMLResponse:
    v = visitor(request)
    response = render(
        request, "login.html", status, nav="login", next=target, login_token=v.login_token,
        keys_required=_state(request).config.api_keys_required, **context,
    )  # fmt: skip
    if v.new_login_token:
        set_login_cookie(response, request, v.login_token)
    return response


@router.get("/ui/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    next: Annotated[str, Query(max_length=2000)] = "",
    why: str = "",
    signed_out: str = "",
) -> HTMLResponse:
    notice = "You are signed out." if signed_out else None
    return _login_page(request, target=safe_next(next), notice=notice, warning=_WHY.get(why))


@router.post("/ui/login", response_model=None)
def login(
    request: Request,
    key: Annotated[str, Form(max_length=300)] = "",
    csrf_token: CsrfField = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    target = safe_next(next)
    if not csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), csrf_token):
        error = "The sign-in form was out of date (or cookies are off): please try again."
        return _login_page(request, 403, target=target, error=error)
    state = _state(request)
    opened = sign_in(state, key)
    if opened is None:
        error = "The API key is not valid (unknown, mistyped or revoked)."
        return _login_page(request, 401, target=target, error=error)
    sign_out(state, request)  # a session this browser had before ends here
    token, _ = opened
    response = _redirect(target)
    set_session_cookie(response, request, token, SESSION_TTL)
    clear_login_cookie(response, request)
    return response


@router.post("/ui/logout", response_model=None)
def logout(request: Request, csrf_token: CsrfField = "") -> Response:
    session = visitor(request).session
    if session is not None and not csrf_ok(session.csrf, csrf_token):
        return render(
            request, "error.html", 403, nav="", title="Not signed out", message=STALE_FORM
        )
    sign_out(_state(request), request)
    response = _redirect("/ui/login?signed_out=1")
    clear_session_cookie(response, request)
    return response


# -- screening ----------------------------------------------------------------------------------


def _screen(request: Request, form: dict[str, str], status: int = 200, **extra: Any) -> Response:
    state = _state(request)
    context: dict[str, Any] = {"nav": "screen", "form": form, "schemas": SCHEMAS, **extra}
    if status != 200 or not form.get("name", "").strip():
        return render(request, "screen.html", status, **context)
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
        return render(request, "screen.html", 503, error=exc.message, **context)
    except TransitWatchError as exc:
        return render(request, "screen.html", 422, error=exc.message, **context)
    state.record(query, list(hits), loaded.versions)
    shown = [h.to_json_dict() for h in hits]
    data.annotate_hits(state, query.name, query.schema, shown)
    return render(
        request,
        "screen.html",
        hits=shown,
        threshold=state.config.threshold,
        list_versions=sorted(loaded.versions.items()),
        **context,
    )


@router.get("/ui/screen", response_model=None)
def screen_get(
    request: Request,
    name: str = "",
    type: str = "",
    country: str = "",
    birth_date: str = "",
    identifier: str = "",
) -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    form = dict(name=name, type=type, country=country, birth_date=birth_date, identifier=identifier)
    return _screen(request, form)


@router.post("/ui/screen", response_model=None)
def screen_post(
    request: Request,
    name: Annotated[str, Form()] = "",
    type: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    birth_date: Annotated[str, Form()] = "",
    identifier: Annotated[str, Form()] = "",
    csrf_token: CsrfField = "",
) -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    form = dict(name=name, type=type, country=country, birth_date=birth_date, identifier=identifier)
    session = visitor(request).session
    if session is not None and not csrf_ok(session.csrf, csrf_token):
        return _screen(request, form, 403, error=STALE_FORM)
    return _screen(request, form)


# -- declarations -------------------------------------------------------------------------------


def _declarations_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    return render(
        request, "declarations.html", status, nav="declarations",
        runs=data.runs(_state(request)), **extra,
    )  # fmt: skip


@router.get("/ui/declarations", response_model=None)
def declarations(request: Request) -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    return _declarations_page(request)


@router.post("/ui/declarations", response_model=None)
async def upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    csrf_token: CsrfField = "",
) -> Response:
    who = writer(request, "/ui/declarations")
    if isinstance(who, Response):
        return who
    if not csrf_ok(who.csrf, csrf_token):
        return _declarations_page(request, 403, error=STALE_FORM)
    state = _state(request)
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return _declarations_page(request, 413, error="the file is larger than 50 MB")
    if not content:
        return _declarations_page(request, 422, error="the file is empty")
    try:
        done = await run_in_threadpool(data.screen_upload, state, content, file.filename or "")
    except NoListsLoaded as exc:
        return _declarations_page(request, 503, error=exc.message)
    except TransitWatchError as exc:
        return _declarations_page(request, 422, error=exc.message)
    url = f"/ui/declarations/{done.run_id}?accepted={done.accepted}&rejected={len(done.rejected)}"
    return _redirect(url)


def _whole(value: str, default: int) -> int:
    text = value.strip()
    return int(text) if text.isdigit() and len(text) <= 9 else default


@router.get("/ui/declarations/{run_id}", response_model=None)
def queue(
    request: Request,
    run_id: str,
    lane: str = "",
    rule: Annotated[str, Query(max_length=100)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    hits: str = "",
    page: str = "1",
    per: str = "",
    accepted: int | None = None,
    rejected: int | None = None,
) -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    lane = lane if lane in LANES else ""
    size = _whole(per, data.PAGE_SIZE)
    size = size if size in data.PAGE_SIZES else data.PAGE_SIZE
    where = DecisionFilter(lane or None, rule.strip() or None, q.strip() or None, bool(hits))
    found = data.queue(_state(request), run_id, where, _whole(page, 1), size)
    if found is None:
        return not_found(request, f"There is no screened batch {run_id}.", "declarations")
    filters = {"lane": lane, "rule": rule.strip(), "q": q.strip(), "hits": "1" if hits else ""}
    if size != data.PAGE_SIZE:
        filters["per"] = str(size)
    base = f"/ui/declarations/{quote(run_id)}"

    def url(**changes: Any) -> str:
        params = {k: v for k, v in {**filters, **changes}.items() if v not in ("", None, 1)}
        return base + (f"?{urlencode(params)}" if params else "")

    groups = [
        (name, list(rows)) for name, rows in itertools.groupby(found.items, lambda i: i["lane"])
    ]
    return render(
        request,
        "queue.html",
        nav="declarations",
        run_id=run_id,
        queue=found,
        groups=groups,
        filters={**filters, "hits": bool(hits), "per": size},
        filtered=bool(where.rule or where.text or where.with_hits),
        page_sizes=data.PAGE_SIZES,
        page_url=lambda n: url(page=n),
        lane_url=lambda name: url(lane=name, page=None),
        accepted=accepted,
        rejected=rejected,
    )


@router.get("/ui/declarations/{run_id}/{declaration_id}", response_model=None)
def declaration(request: Request, run_id: str, declaration_id: str) -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    state = _state(request)
    item = data.decision(state, run_id, declaration_id)
    if item is None:
        return not_found(
            request, f"There is no declaration {declaration_id} in batch {run_id}.", "declarations"
        )
    return render(
        request,
        "declaration.html",
        nav="declarations",
        run_id=run_id,
        item=item,
        decision=item["decision"],
        record=data.declaration_record(state, declaration_id),
        case_id=data.declaration_case_id(state, declaration_id),
    )


# -- cases --------------------------------------------------------------------------------------


@router.get("/ui/cases", response_model=None)
def cases(request: Request, status: str = "", kind: str = "") -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    state = _state(request)
    store = data.case_store(state)
    filters = {"status": status, "kind": kind}
    context: dict[str, Any] = {
        "nav": "cases", "filters": filters, "statuses": data.STATUSES, "kinds": data.KINDS,
    }  # fmt: skip
    if store is None:
        return render(request, "cases.html", available=False, cases=[], **context)
    found = data.find_cases(state, store, status, kind)
    return render(request, "cases.html", available=True, cases=found, **context)


def _case_page(request: Request, case_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    state = _state(request)
    store = data.case_store(state)
    if store is None:
        return render(request, "case.html", 404, nav="cases", available=False, case=None)
    found = data.get_case(state, store, case_id)
    if found is None:
        return not_found(request, f"There is no case {case_id}.", "cases")
    return render(
        request, "case.html", status, nav="cases", available=True, case=found,
        actions=data.ACTIONS, **extra,
    )  # fmt: skip


@router.get("/ui/cases/{case_id}", response_model=None)
def case(request: Request, case_id: str, decided: str = "") -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    return _case_page(request, case_id, decided=decided if decided in data.ACTIONS else "")


@router.post("/ui/cases/{case_id}", response_model=None)
def decide(
    request: Request,
    case_id: str,
    action: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    csrf_token: CsrfField = "",
) -> Response:
    who = writer(request, f"/ui/cases/{quote(case_id)}")
    if isinstance(who, Response):
        return who
    state = _state(request)
    store = data.case_store(state)
    if store is None:
        return _case_page(request, case_id)
    form = {"action": action, "note": note}
    if not csrf_ok(who.csrf, csrf_token):
        return _case_page(request, case_id, 403, error=STALE_FORM, form=form)
    if action not in data.ACTIONS:
        problem = f"choose what to do: {', '.join(data.ACTIONS)}"
        return _case_page(request, case_id, 422, error=problem, form=form)
    try:
        data.decide_case(state, store, case_id, action, note.strip(), who)
    except NotFoundError:
        return not_found(request, f"There is no case {case_id}.", "cases")
    except TransitWatchError as exc:
        return _case_page(request, case_id, 422, error=exc.message, form=form)
    return _redirect(f"/ui/cases/{quote(case_id)}?decided={action}")


# -- flows --------------------------------------------------------------------------------------


def _year(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and len(value.strip()) == 4 else None


@router.get("/ui/flows", response_model=None)
def flows(
    request: Request,
    transit: Annotated[str, Query(max_length=8)] = "KG",
    product: Annotated[str, Query(max_length=16)] = "TOTAL",
    first: Annotated[str, Query(alias="from", max_length=8)] = "",
    last: Annotated[str, Query(alias="to", max_length=8)] = "",
) -> Response:
    if (gate := read_gate(request)) is not None:
        return gate
    board = dashboard(_state(request), transit, product, _year(first), _year(last))
    return render(request, "flows.html", nav="flows", board=board, groups=CHPL_GROUPS)
