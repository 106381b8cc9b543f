"""Service metadata: health, version, the loaded lists; and reloading the screener."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from transitwatch import __version__
from transitwatch.api.auth import Analyst, Reader, Supervisor
from transitwatch.api.deps import Service
from transitwatch.api.models import ErrorResponse, Health, ListsOut, VersionOut
from transitwatch.store.keys import Role

API_VERSION = "1"

router = APIRouter(tags=["service"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 422)
}


@router.get("/health", response_model=Health, summary="Liveness and what is indexed")
def health(state: Service) -> dict[str, Any]:
    """Always open (no key): for load balancers and monitoring."""
    loaded = state.current
    return {
        "status": "ok" if loaded is not None else "no_lists_loaded",
        "lists_loaded": len(loaded.versions) if loaded else 0,
        "entities_indexed": len(loaded.screener.index.entities) if loaded else 0,
    }


@router.get("/version", response_model=VersionOut, summary="TransitWatch and API versions")
def version() -> dict[str, Any]:
    return {"name": "transitwatch", "version": __version__, "api": API_VERSION}


@router.get("/lists", response_model=ListsOut, responses=ERRORS, summary="Loaded list versions")
def lists(state: Service, _: Reader) -> dict[str, Any]:
    """Every stored version of every list; ``current`` names the ones screening uses."""
    with state.lock:
        versions = state.store.versions()
        current = {s: v.version_id for s, v in state.store.current_versions().items()}
    in_use = set(current.values())
    return {
        "current": current,
        "versions": [{**v.to_json_dict(), "current": v.version_id in in_use} for v in versions],
    }


@router.post(
    "/lists/reload",
    response_model=ListsOut,
    responses=ERRORS,
    summary="Re-read the current list versions now",
)
def reload(
    state: Service,
    _: Analyst,
) -> dict[str, Any]:
    """Rebuild the screener at once if the store's current list versions changed (the service
    also checks by itself every few seconds). Needs an analyst or supervisor key."""
    state.rebuild()
    return lists(state, _)


class KeyOut(BaseModel):
    key_id: str
    prefix: str
    role: str
    created_at: str
    revoked_at: str | None
    label: str | None


class NewKeyIn(BaseModel):
    role: Role
    label: str | None = Field(default=None, max_length=200)


class NewKeyOut(KeyOut):
    key: str = Field(description="The full key: shown this once, stored only as a hash.")


@router.get("/keys", response_model=list[KeyOut], responses=ERRORS, tags=["keys"])
def list_keys(state: Service, _: Supervisor) -> list[dict[str, Any]]:
    """Every API key, without secrets. Needs a supervisor key."""
    return [k.to_json_dict() for k in state.keys.list()]


@router.post("/keys", response_model=NewKeyOut, status_code=201, responses=ERRORS, tags=["keys"])
def create_key(body: NewKeyIn, state: Service, _: Supervisor) -> dict[str, Any]:
    """Create a key (as `transitwatch keys create`, which cannot run while the service owns
    the store). Needs a supervisor key."""
    record, secret = state.keys.create(body.role, body.label)
    return {**record.to_json_dict(), "key": secret}


@router.post("/keys/{key_id}/revoke", response_model=KeyOut, responses=ERRORS, tags=["keys"])
def revoke_key(key_id: str, state: Service, _: Supervisor) -> dict[str, Any]:
    """Revoke a key at once. Needs a supervisor key."""
    return state.keys.revoke(key_id).to_json_dict()
