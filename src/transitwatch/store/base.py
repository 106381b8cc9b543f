"""What any list store offers: the ListStore protocol and the screening-log record.

Pure: no database driver is imported here, so the core and other storage back-ends can use
these types. The default implementation is :class:`transitwatch.store.duck.DuckStore`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from transitwatch.lists.model import ListedEntity, ParsedList
from transitwatch.lists.versions import ListDiff, VersionInfo
from transitwatch.screening.types import HitRecord, PartyQuery

# Version references accepted by ``resolve_version`` besides a version id, seq or file date.
LATEST = "latest"
PREVIOUS = "previous"


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    """One logged screening: the query, the list versions it ran against, and its hits."""

    screening_id: str
    screened_at: datetime  # UTC, timezone-aware
    query: PartyQuery
    list_versions: dict[str, str]  # source -> version_id in use at the time
    hits: tuple[dict[str, Any], ...] = field(default=())  # Hit.to_json_dict() objects

    def to_json_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "screening_id": self.screening_id,
            "screened_at": self.screened_at.isoformat(),
            "query": {
                "name": q.name,
                "schema": q.schema,
                "country": q.country,
                "birth_date": q.birth_date,
                "identifier": q.identifier,
                "id": q.id,
            },
            "list_versions": dict(self.list_versions),
            "hits": list(self.hits),
        }


class ListStore(Protocol):
    """Versioned storage of parsed lists plus a log of screenings.

    Contract shared by every implementation:

    * ``save_list`` is atomic: it stores a whole new version or nothing. Content identical to
      any stored version of the source (same ``content_hash``) stores nothing and returns that
      version with ``unchanged=True``.
    * Version references (``ref``) are a version id, a seq number ("3"), a file date
      ("2024-07-02"), ``"latest"`` or ``"previous"``; an unknown one raises
      :class:`~transitwatch.errors.NotFoundError` naming the known versions.
    * Problems with the store itself raise :class:`~transitwatch.errors.StoreError`.
    """

    def save_list(self, parsed: ParsedList) -> VersionInfo: ...

    def versions(self, source: str | None = None) -> list[VersionInfo]:
        """Stored versions (of one source, or all), by source then seq."""
        ...

    def current_versions(self) -> dict[str, VersionInfo]:
        """The latest version of every source that has one."""
        ...

    def resolve_version(self, source: str, ref: str) -> VersionInfo: ...

    def load_entities(self, version_id: str) -> list[ListedEntity]:
        """One version's entities, in the order the parser produced them."""
        ...

    def current_entities(self) -> list[tuple[ListedEntity, str]]:
        """Entities of the latest version of every source, each with its version id."""
        ...

    def diff(self, source: str, old_ref: str, new_ref: str) -> ListDiff: ...

    def record_screening(
        self, query: PartyQuery, hits: Sequence[HitRecord], versions: Mapping[str, str]
    ) -> str:
        """Log one screening; returns its screening id."""
        ...

    def record_screenings(
        self,
        results: Iterable[tuple[PartyQuery, Sequence[HitRecord]]],
        versions: Mapping[str, str],
    ) -> list[str]:
        """Log a batch of screenings in one transaction; returns their ids in order."""
        ...

    def screenings(self, limit: int | None = None) -> list[ScreeningRecord]:
        """Logged screenings, oldest first (the newest ``limit`` when given)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
