"""API-key authentication: ``X-API-Key: tw_...`` or ``Authorization: Bearer tw_...``.

Writes always need a key of a sufficient role (``require_role("analyst")``); reads need one
only when the ``api_keys_required`` setting is on. A key sent with a read is checked even when
reads are open, so a revoked or mistyped key is reported rather than silently ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from transitwatch.api.deps import Forbidden, ServiceState, Unauthorized
from transitwatch.store.keys import ROLES, Role

RANK: dict[str, int] = {role: i for i, role in enumerate(ROLES)}  # analyst < supervisor

_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (tw_...).")
_bearer = HTTPBearer(auto_error=False, description="An API key (tw_...) as a bearer token.")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a key id and its role, or nobody (an open read)."""

    key_id: str | None
    role: Role | None

    @property
    def anonymous(self) -> bool:
        return self.key_id is None


ANONYMOUS = Principal(None, None)


def _presented(header: str | None, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if header:
        return header.strip()
    if bearer is not None and bearer.credentials:
        return bearer.credentials.strip()
    return None


def _check(state: ServiceState, key: str) -> Principal:
    found = state.keys.verify(key)
    if found is None:
        raise Unauthorized("the API key is not valid (unknown, mistyped or revoked)")
    return Principal(found.key_id, found.role)


async def current_principal(
    request: Request,
    header: Annotated[str | None, Depends(_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from a key if one is sent; anonymous otherwise."""
    key = _presented(header, bearer)
    if key is None:
        return ANONYMOUS
    state: ServiceState = request.app.state.service
    return _check(state, key)


async def read_access(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Principal:
    """Dependency of every read endpoint: a key only if ``api_keys_required``."""
    state: ServiceState = request.app.state.service
    if principal.anonymous and state.config.api_keys_required:
        raise Unauthorized(
            "this service requires an API key: send it as 'X-API-Key: tw_...' or "
            "'Authorization: Bearer tw_...' (create one with `transitwatch keys create`)"
        )
    return principal


def require_role(role: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory for writes: a valid key whose role is at least ``role``."""
    if role not in RANK:
        raise ValueError(f"unknown role {role!r}")

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.anonymous or principal.role is None:
            raise Unauthorized(
                "this operation needs an API key: send it as 'X-API-Key: tw_...' or "
                "'Authorization: Bearer tw_...'"
            )
        if RANK[principal.role] < RANK[role]:
            raise Forbidden(f"this operation needs the {role} role; the key is {principal.role}")
        return principal

    return dependency


Reader = Annotated[Principal, Depends(read_access)]
"""A read endpoint's caller (a key needed only when ``api_keys_required``)."""
Analyst = Annotated[Principal, Depends(require_role("analyst"))]
"""A write endpoint's caller: an analyst or supervisor key."""
Supervisor = Annotated[Principal, Depends(require_role("supervisor"))]
"""A supervisor-only endpoint's caller."""
