"""What the routes share: the service state (store, keys, screener) and the API's own errors.

The service owns one open store for its lifetime (DuckDB allows one writing process per file).
The Screener is built once at startup and rebuilt when the store's current list versions
change; the check is one small query, made at most every ``check_interval`` seconds.
Screenings are logged like the CLI logs them, by a background thread that writes them in
batches (one DuckDB transaction per batch instead of one per request).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from transitwatch import settings
from transitwatch.errors import TransitWatchError
from transitwatch.screening.screener import Screener
from transitwatch.screening.types import HitRecord, PartyQuery
from transitwatch.store import ListStore, open_store
from transitwatch.store.keys import KeyStore


class ApiError(TransitWatchError):
    """An error only the HTTP edge raises; carries its status."""

    status = 400


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NoListsLoaded(ApiError):
    status = 503
    code = "no_lists_loaded"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


@dataclass(frozen=True, slots=True)
class Config:
    """Settings the service reads once, at startup (an invalid value stops it)."""

    threshold: float
    max_hits: int
    candidates: int
    max_name_length: int
    api_keys_required: bool
    max_batch: int
    max_body_bytes: int

    @classmethod
    def from_settings(cls) -> Config:
        return cls(
            threshold=float(settings.get("threshold")),
            max_hits=int(settings.get("max_hits")),
            candidates=int(settings.get("candidates")) or 40,
            max_name_length=int(settings.get("max_name_length")),
            api_keys_required=bool(settings.get("api_keys_required")),
            max_batch=int(settings.get("max_batch")),
            max_body_bytes=int(settings.get("max_body_bytes")),
        )


@dataclass(frozen=True, slots=True)
class Loaded:
    """One built screener and the list versions it indexes (replaced whole on rebuild)."""

    screener: Screener
    versions: dict[str, str]  # source -> version id
    sources: dict[str, set[tuple[str, str]]]  # source -> its (source, source_id) keys (read-only)


class ScreeningLog:
    """Writes screenings to the store in batches from a background thread."""

    def __init__(self, state: ServiceState, interval: float = 0.5) -> None:
        self._state = state
        self._queue: queue.Queue[tuple[PartyQuery, list[HitRecord], dict[str, str]]] = queue.Queue()
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="screening-log", daemon=True)
        self._thread.start()

    def add(self, query: PartyQuery, hits: list[HitRecord], versions: dict[str, str]) -> None:
        self._queue.put((query, hits, versions))

    def flush(self) -> None:
        items: list[tuple[PartyQuery, list[HitRecord], dict[str, str]]] = []
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        groups: dict[tuple[tuple[str, str], ...], list[tuple[PartyQuery, list[HitRecord]]]] = {}
        for query, hits, versions in items:
            groups.setdefault(tuple(sorted(versions.items())), []).append((query, hits))
        for key, results in groups.items():
            with self._state.lock:
                self._state.store.record_screenings(results, dict(key))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except TransitWatchError:  # the store is unwell: keep serving, retry later
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.flush()


class ServiceState:
    """Everything a request needs; kept in ``app.state.service``."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        screener: Screener | None = None,
        config: Config | None = None,
        check_interval: float = 2.0,
    ) -> None:
        self.config = config or Config.from_settings()
        self.db_path = Path(db_path).expanduser()
        self.lock = threading.RLock()  # one DuckDB connection: one user at a time
        self._rebuild_lock = threading.Lock()
        self.store: ListStore = open_store(self.db_path)
        self.keys = KeyStore(self.db_path)
        self.check_interval = check_interval
        self._fixed = screener is not None
        self._checked_at = time.monotonic()
        self._loaded: Loaded | None = None
        self._signature: tuple[tuple[str, str], ...] = ()
        if screener is not None:
            self._loaded = self._index(screener, self._current())
        else:
            self.rebuild()
        self.log = ScreeningLog(self)

    def _current(self) -> dict[str, str]:
        with self.lock:
            return {s: v.version_id for s, v in self.store.current_versions().items()}

    @staticmethod
    def _index(screener: Screener, versions: dict[str, str]) -> Loaded:
        by_source: dict[str, set[tuple[str, str]]] = {}
        for entity in screener.index.entities:
            by_source.setdefault(entity.source, set()).add((entity.source, entity.source_id))
        return Loaded(screener, versions, by_source)

    def rebuild(self, *, wait: bool = True) -> bool:
        """Rebuild the screener if the store's current versions changed; True if rebuilt.

        With ``wait=False`` a rebuild already under way is left to finish on its own (requests
        go on with the previous screener meanwhile).
        """
        if not self._rebuild_lock.acquire(blocking=wait):
            return False
        try:
            return self._rebuild()
        finally:
            self._rebuild_lock.release()

    def _rebuild(self) -> bool:
        versions = self._current()
        signature = tuple(sorted(versions.items()))
        if self._loaded is not None and signature == self._signature:
            return False
        if self._fixed and self._loaded is not None:
            self._signature = signature
            return False
        with self.lock:
            records = self.store.current_entities()
        if not records:
            self._loaded, self._signature = None, signature
            return True
        screener = Screener(
            records,
            candidates=self.config.candidates,
            max_name_length=self.config.max_name_length,
        )
        self._loaded, self._signature = self._index(screener, versions), signature
        return True

    @property
    def current(self) -> Loaded | None:
        """The screener in use now, without checking the store (None: no lists loaded)."""
        return self._loaded

    def loaded(self) -> Loaded:
        """The current screener, after a cheap (throttled) check that the lists are current."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval:
            self._checked_at = now
            self.rebuild(wait=self._loaded is None)
        if self._loaded is None:
            raise NoListsLoaded(
                "no lists are loaded: run `transitwatch lists load SOURCE PATH...` or "
                "`transitwatch lists load-all` first"
            )
        return self._loaded

    def record(self, query: PartyQuery, hits: list[HitRecord], versions: Mapping[str, str]) -> None:
        self.log.add(query, hits, dict(versions))

    def close(self) -> None:
        self.log.close()
        with self.lock:
            self.keys.close()
            self.store.close()


async def service(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


Service = Annotated[ServiceState, Depends(service)]
