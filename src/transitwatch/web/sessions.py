"""Signing in to the web pages: an API key entered once, then an opaque session cookie.

* ``POST /ui/login`` verifies the key (as the API does: hashed, constant time, not revoked)
  and opens a session: a random token (32 bytes) goes into the ``tw_session`` cookie
  (HttpOnly, SameSite=Strict, Path=/, Secure over https, expiring with the session); the store
  keeps only its SHA-256 (table ``web_sessions``), with the key id, a CSRF token and the
  expiry time. The key itself is never put in a cookie or stored.
* Every request looks the session up again: an unknown token (forged, or signed out), an
  expired session or a key revoked since is no session; the cookie is then cleared.
* Forms that post carry the session's CSRF token (field ``csrf_token``), compared in
  constant time; with SameSite=Strict that is the usual pair of CSRF defences. The sign-in
  form, which has no session yet, uses a double-submit token (cookie ``tw_login`` and the
  same value in the form).
* The identity of a session is its key: decisions record the key id, label and role.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import duckdb
from fastapi import Request
from starlette.responses import Response

from transitwatch.api.deps import ServiceState
from transitwatch.errors import NotFoundError
from transitwatch.store.attached import AttachedTables
from transitwatch.store.keys import Role

SESSION_COOKIE = "tw_session"
LOGIN_COOKIE = "tw_login"
CSRF_FIELD = "csrf_token"
SESSION_TTL = timedelta(hours=8)
LOGIN_TTL = timedelta(hours=1)

DDL = (
    """CREATE TABLE IF NOT EXISTS web_sessions (
        token_hash TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL
    )""",
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # DuckDB TIMESTAMP: naive UTC


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in analyst: the key (id, role, label) and the session's CSRF token."""

    key_id: str
    role: Role
    label: str | None
    csrf: str
    expires_at: datetime

    @property
    def who(self) -> str:
        return self.label or self.key_id


class SessionTables(AttachedTables):
    """``web_sessions`` on the service's store connection (use under ``state.lock``)."""

    DDL = DDL
    NAME = "web session"

    def open(self, key_id: str, ttl: timedelta = SESSION_TTL) -> tuple[str, str, datetime]:
        """A new session for the key: (cookie token, CSRF token, expiry); purges expired ones."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now()
        expires = now + ttl

        def write(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("DELETE FROM web_sessions WHERE expires_at <= ?", [now])
            con.execute(
                "INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)",
                [_hash(token), key_id, csrf, now, expires],
            )

        self._write("open a web session", write)
        return token, csrf, expires

    def find(self, token: str) -> tuple[str, str, datetime] | None:
        """(key id, CSRF token, expiry) of the session, expired or not; None if unknown."""
        row = self._con.execute(
            "SELECT key_id, csrf, expires_at FROM web_sessions WHERE token_hash = ?",
            [_hash(token)],
        ).fetchone()
        return (str(row[0]), str(row[1]), row[2]) if row else None

    def close(self, token: str) -> None:
        self._write(
            "close a web session",
            lambda con: con.execute(
                "DELETE FROM web_sessions WHERE token_hash = ?", [_hash(token)]
            ),
        )


_tables: weakref.WeakKeyDictionary[ServiceState, SessionTables] = weakref.WeakKeyDictionary()


def tables(state: ServiceState) -> SessionTables:
    """The service's session table (created on first use); use under ``state.lock``."""
    found = _tables.get(state)
    if found is None:
        with state.lock:
            found = _tables[state] = SessionTables.of(state.store)
    return found


Status = Literal["none", "valid", "expired", "revoked", "unknown"]


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who is asking, from the session cookie."""

    session: Session | None
    status: Status  # none: no cookie; unknown: a token the store does not know (forged, closed)
    login_token: str  # the sign-in form's double-submit token (the cookie's, or a new one)
    new_login_token: bool

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    @property
    def clear_cookie(self) -> bool:
        return self.status in ("expired", "revoked", "unknown")


def visitor(request: Request) -> Visitor:
    """The visitor of this request; cached on ``request.state``."""
    cached = getattr(request.state, "tw_visitor", None)
    if isinstance(cached, Visitor):
        return cached
    state: ServiceState = request.app.state.service
    raw_login = request.cookies.get(LOGIN_COOKIE, "")
    login_ok = 20 <= len(raw_login) <= 100 and raw_login.replace("-", "").replace("_", "").isalnum()
    login_token = raw_login if login_ok else secrets.token_urlsafe(32)
    session, status = _lookup(state, request.cookies.get(SESSION_COOKIE))
    found = Visitor(session, status, login_token, not login_ok)
    request.state.tw_visitor = found
    return found


def _lookup(state: ServiceState, token: str | None) -> tuple[Session | None, Status]:
    if not token:
        return None, "none"
    if len(token) > 100:
        return None, "unknown"
    sessions = tables(state)
    with state.lock:
        row = sessions.find(token)
    if row is None:
        return None, "unknown"
    key_id, csrf, expires = row
    if expires <= _now():
        with state.lock:
            sessions.close(token)
        return None, "expired"
    try:
        key = state.keys.get(key_id)
    except NotFoundError:
        key = None
    if key is None or not key.active:
        with state.lock:
            sessions.close(token)
        return None, "revoked"
    return Session(key.key_id, key.role, key.label, csrf, expires), "valid"


def sign_in(state: ServiceState, raw_key: str) -> tuple[str, Session] | None:
    """Verify the key and open a session: (cookie token, session), or None if not valid."""
    found = state.keys.verify(raw_key.strip()) if raw_key.strip() else None
    if found is None:
        return None
    sessions = tables(state)
    with state.lock:
        token, csrf, expires = sessions.open(found.key_id)
    return token, Session(found.key_id, found.role, found.label, csrf, expires)


def sign_out(state: ServiceState, request: Request) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) <= 100:
        sessions = tables(state)
        with state.lock:
            sessions.close(token)


def csrf_ok(expected: str, sent: str | None) -> bool:
    return bool(expected) and bool(sent) and hmac.compare_digest(expected, sent or "")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, ttl: timedelta) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=int(LOGIN_TTL.total_seconds()),
        path="/ui/login",
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="strict"
    )


def clear_login_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        LOGIN_COOKIE, path="/ui/login", secure=_secure(request), httponly=True, samesite="strict"
    )
