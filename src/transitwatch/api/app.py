"""The FastAPI application: ``create_app(db_path)``, the error shape, the body-size limit.

Every error, whatever raised it, leaves as ``{"error": {"code", "message", "details"}}``:

* :class:`~transitwatch.errors.TransitWatchError`: InputError (and ParseError) 422,
  NotFoundError 404, the API's own errors their status (401, 403, 413, 503), others 500;
* request validation (bad JSON, wrong types, missing fields): 422 ``validation_error``;
* HTTP errors from routing (unknown path 404, wrong method 405...);
* anything unexpected: 500 ``internal_error``, logged with its traceback, never sent one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from transitwatch import __version__
from transitwatch.api import (
    case_hooks,
    routes_cases,
    routes_declarations,
    routes_flows,
    routes_meta,
    yente,
)
from transitwatch.api.deps import ApiError, ServiceState
from transitwatch.errors import InputError, NotFoundError, TransitWatchError
from transitwatch.screening.screener import Screener
from transitwatch.web import router as web_router

log = logging.getLogger("transitwatch.api")

DESCRIPTION = """Screen parties against sanctions and export-control lists, with reasons.

Every error has one shape: `{"error": {"code": "...", "message": "...", "details": ...}}`.
Writes need an API key (`X-API-Key: tw_...` or `Authorization: Bearer tw_...`, created with
`transitwatch keys create --role analyst|supervisor`); reads need one when the service runs
with `TRANSITWATCH_API_KEYS_REQUIRED=true`.
"""

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(status_code=status, content=body, headers=headers)


def status_for(exc: TransitWatchError) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, InputError):
        return 422
    return 500


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TransitWatchError)
    status = status_for(exc)
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    headers = {"WWW-Authenticate": 'Bearer, ApiKey header="X-API-Key"'} if status == 401 else None
    return error_response(status, exc.code, exc.message, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    first = details[0] if details else None
    where = ".".join(str(p) for p in first["loc"]) if first else "request"
    message = f"the request is not valid: {where}: {first['msg']}" if first else "invalid request"
    return error_response(422, "validation_error", message, jsonable_encoder(details))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, "http_error")
    default = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "error"
    message = exc.detail if isinstance(exc.detail, str) else default
    if status == 404 and message == "Not Found":
        message = f"no such endpoint: {request.method} {request.url.path}"
    headers = dict(exc.headers) if exc.headers else None
    return error_response(status, code, message, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal error; the server log has the details")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before the app reads them.

    A declared Content-Length over the limit is refused at once; a body without one (chunked)
    is read up to the limit and then refused, or replayed to the app when it fits.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        if declared is not None:  # the server stops at Content-Length: nothing to count
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            "payload_too_large",
            f"the request body is larger than {self.limit:,} bytes (TRANSITWATCH_MAX_BODY_BYTES)",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def create_app(db_path: str | Path, *, screener: Screener | None = None) -> FastAPI:
    """The service over the store at ``db_path``; the Screener is built here, once (or the
    given one is used), and rebuilt when the store's current list versions change."""
    state = ServiceState(db_path, screener=screener)
    case_hooks.case_store(state)  # reads the party cases' heads now, not on a first request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            state.close()

    app = FastAPI(
        title="TransitWatch",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.service = state
    app.add_exception_handler(TransitWatchError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(BodyLimit, limit=state.config.max_body_bytes)
    app.include_router(routes_meta.router)
    app.include_router(case_hooks.screening_router())  # routes_screening's, opening cases
    app.include_router(routes_declarations.router)
    app.include_router(routes_cases.router)
    app.include_router(routes_flows.router)
    app.include_router(yente.router)
    app.include_router(web_router)  # server-rendered pages for analysts
    return app
