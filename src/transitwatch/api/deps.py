"""What the routes share: the service state (store, keys, screener) and the API's own errors.

The service owns one open store for its lifetime (DuckDB allows one writing process per file).
The Screener is built once at startup and rebuilt when the store's current list versions
change; the check is one small query, made at most every ``check_interval`` seconds.
Screenings are logged like the CLI logs them, by a background thread (:class:`BackgroundWriter`,
which also writes the cases screenings open) that writes them in batches: one DuckDB
transaction per batch instead of one per request. Verified API keys are remembered for a
minute (:class:`CachedKeyStore`), so a request with a key costs no query.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request

from transitwatch import settings
from transitwatch.errors import TransitWatchError
from transitwatch.screening.screener import Screener
from transitwatch.screening.types import HitRecord, PartyQuery
from transitwatch.store import ListStore, open_store
from transitwatch.store.keys import ApiKey, KeyStore

log = logging.getLogger("transitwatch.api")


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


class CachedKeyStore(KeyStore):
    """The key table, remembering for ``ttl`` seconds the keys it has verified (by a SHA-256
    of the full key, never the key itself) and the records it has read. Creating or revoking
    a key through it forgets everything at once; nothing else can change the keys while the
    service owns the store file. Failed verifications are not remembered."""

    def __init__(self, path: str | Path, *, ttl: float = 60.0, size: int = 10_000) -> None:
        super().__init__(path)
        self._ttl = ttl
        self._size = size
        self._generation = 0  # changed by every create and revoke
        self._verified: dict[bytes, tuple[float, ApiKey]] = {}
        self._records: dict[str, tuple[float, ApiKey]] = {}

    def _forget(self) -> None:
        self._generation += 1
        self._verified = {}
        self._records = {}

    def _remember(
        self, cache: dict[Any, tuple[float, ApiKey]], key: Any, record: ApiKey, generation: int
    ) -> None:
        if generation != self._generation:  # a key was created or revoked meanwhile
            return
        if len(cache) >= self._size:
            cache.clear()
        cache[key] = (time.monotonic() + self._ttl, record)

    def verify(self, key: str) -> ApiKey | None:
        digest = hashlib.sha256(key.encode("utf-8")).digest()
        found = self._verified.get(digest)
        if found is not None and found[0] > time.monotonic():
            return found[1]
        generation = self._generation
        record = super().verify(key)
        if record is not None:
            self._remember(self._verified, digest, record, generation)
        return record

    def get(self, key_id: str) -> ApiKey:
        found = self._records.get(key_id)
        if found is not None and found[0] > time.monotonic():
            return found[1]
        generation = self._generation
        record = super().get(key_id)
        self._remember(self._records, key_id, record, generation)
        return record

    def create(self, role: str, label: str | None = None) -> tuple[ApiKey, str]:
        try:
            return super().create(role, label)
        finally:
            self._forget()

    def revoke(self, key_id: str) -> ApiKey:
        self._forget()
        try:
            super().revoke(key_id)
        finally:
            self._forget()
        return KeyStore.get(self, key_id)  # as stored now, past any cache


class BackgroundWriter:
    """One thread that makes the service's deferred writes: every ``interval`` seconds it runs
    each registered flush (each one DuckDB transaction, whatever arrived meanwhile). A flush
    that fails with a TransitWatchError (the store is unwell) is logged and tried again at the
    next tick; its work stays queued."""

    def __init__(self, interval: float = 0.5) -> None:
        self._jobs: list[tuple[str, Callable[[], object]]] = []
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="service-writer", daemon=True)
        self._thread.start()

    def add(self, name: str, flush: Callable[[], object]) -> None:
        self._jobs.append((name, flush))

    def flush(self) -> None:
        for name, job in list(self._jobs):
            try:
                job()
            except TransitWatchError as exc:
                log.warning("deferred write %s failed, kept for a retry: %s", name, exc.message)
            except Exception:  # a bug, not the store: logged, and the thread goes on
                log.exception("deferred write %s failed", name)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.flush()


class ScreeningLog:
    """Screenings queued by the requests and written to the store in batches (one DuckDB
    transaction per batch instead of one per request) by the service's BackgroundWriter."""

    def __init__(self, state: ServiceState) -> None:
        self._state = state
        self._queue: deque[tuple[PartyQuery, list[HitRecord], dict[str, str]]] = deque()

    def add(self, query: PartyQuery, hits: list[HitRecord], versions: dict[str, str]) -> None:
        self._queue.append((query, hits, versions))  # deque.append: thread-safe, no lock

    def flush(self) -> None:
        items: list[tuple[PartyQuery, list[HitRecord], dict[str, str]]] = []
        while True:
            try:
                items.append(self._queue.popleft())
            except IndexError:
                break
        groups: dict[tuple[tuple[str, str], ...], list[tuple[PartyQuery, list[HitRecord]]]] = {}
        for query, hits, versions in items:
            groups.setdefault(tuple(sorted(versions.items())), []).append((query, hits))
        batches = list(groups.items())
        for i, (key, results) in enumerate(batches):
            try:
                with self._state.lock:
                    self._state.store.record_screenings(results, dict(key))
            except TransitWatchError:  # keep what is not written, in order, for a retry
                back = [(q, h, dict(k)) for k, rs in batches[i:] for q, h in rs]
                self._queue.extendleft(reversed(back))
                raise


def settle_heap() -> None:
    """Collect the garbage, then take every object alive now - mostly the screener's index, a
    million objects that live as long as it - out of the cyclic garbage collector's sight
    (``gc.freeze``). Otherwise each full collection walks all of them: under load one came
    every few thousand requests and stopped the whole service for 1 to 1.5 s. Frozen objects
    are still freed when nothing refers to them; the previous freeze is undone first, so the
    index a rebuild replaces is collected."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


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
        self.keys: KeyStore = CachedKeyStore(self.db_path)
        self.check_interval = check_interval
        self._fixed = screener is not None
        self._checked_at = time.monotonic()
        self._loaded: Loaded | None = None
        self._signature: tuple[tuple[str, str], ...] = ()
        if screener is not None:
            self._loaded = self._index(screener, self._current())
            settle_heap()
        else:
            self.rebuild()
        self.log = ScreeningLog(self)
        self.writer = BackgroundWriter()
        self.writer.add("screening log", self.log.flush)

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
        del screener, records
        settle_heap()
        return True

    @property
    def current(self) -> Loaded | None:
        """The screener in use now, without checking the store (None: no lists loaded)."""
        return self._loaded

    def loaded_now(self) -> Loaded | None:
        """The current screener, without waiting: what a coroutine may use. None when the
        caller is to call :meth:`refresh` from a worker thread instead - nothing is loaded, or
        a check of the store is due (then one caller gets None and makes the check, the
        others go on with the current screener meanwhile)."""
        if self._loaded is None:
            return None
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval:
            self._checked_at = now  # claimed by this caller (the event loop is one thread)
            return None
        return self._loaded

    def refresh(self) -> Loaded:
        """After :meth:`loaded_now` gave None: check the store's list versions (rebuilding the
        screener if they changed) and return the current screener; NoListsLoaded if none."""
        if self._loaded is None:
            return self.loaded()  # throttled as ever
        self.rebuild(wait=False)
        return self._require()

    def _require(self) -> Loaded:
        if self._loaded is None:
            raise NoListsLoaded(
                "no lists are loaded: run `transitwatch lists load SOURCE PATH...` or "
                "`transitwatch lists load-all` first"
            )
        return self._loaded

    def loaded(self) -> Loaded:
        """The current screener, after a cheap (throttled) check that the lists are current."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval:
            self._checked_at = now
            self.rebuild(wait=self._loaded is None)
        return self._require()

    def record(self, query: PartyQuery, hits: list[HitRecord], versions: Mapping[str, str]) -> None:
        self.log.add(query, hits, dict(versions))

    def close(self) -> None:
        self.writer.close()  # the last flush of everything deferred
        with self.lock:
            self.keys.close()
            self.store.close()


async def service(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


Service = Annotated[ServiceState, Depends(service)]
