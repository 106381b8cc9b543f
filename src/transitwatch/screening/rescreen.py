"""Re-screen every party screened before against what new list versions added or changed.

A customer that was clean yesterday is flagged today: for each logged screening, the sources
whose current version differs from the version it ran against contribute their added and
changed entities; the query is screened against only those, and any hit is new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from transitwatch.errors import InputError
from transitwatch.lists.versions import ListDiff, VersionInfo
from transitwatch.screening.screener import Screener
from transitwatch.screening.types import Hit, PartyQuery

DiffFn = Callable[[str, str, str], ListDiff]


@dataclass(frozen=True, slots=True)
class PastScreening:
    screening_id: str
    query: PartyQuery
    list_versions: Mapping[str, str]  # source -> version id it ran against


@dataclass(frozen=True, slots=True)
class Rescreened:
    screening_id: str
    query: PartyQuery
    new_hits: tuple[Hit, ...]
    changed_sources: tuple[str, ...]
    error: str | None = None  # why the past query could not be screened again


def rescreen(
    past: Iterable[PastScreening],
    current: Mapping[str, VersionInfo],
    diff: DiffFn,
    screener: Screener,
    *,
    threshold: float | None = None,
) -> list[Rescreened]:
    """New hits for each past screening; only screenings with a newer list version are redone.

    A past query that can no longer be screened (it breaks a limit set since) comes back with
    its ``error`` and no hits; the others go on.
    """
    cache: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    out: list[Rescreened] = []
    latest_by_query: dict[tuple[object, ...], PastScreening] = {}
    for record in past:  # oldest first: keep the newest screening of each distinct query
        q = record.query
        latest_by_query[(q.name, q.schema, q.country, q.birth_date, q.identifier, q.id)] = record
    for record in latest_by_query.values():
        restrict: set[tuple[str, str]] = set()
        changed: list[str] = []
        for source, info in current.items():
            before = record.list_versions.get(source)
            if before == info.version_id:
                continue
            changed.append(source)
            if before is None:
                # The source was not loaded at the time: everything in it is new to this query.
                key = (source, "", info.version_id)
                if key not in cache:
                    cache[key] = {
                        (e.source, e.source_id)
                        for e in screener.index.entities
                        if e.source == source
                    }
            else:
                key = (source, before, info.version_id)
                if key not in cache:
                    d = diff(source, before, info.version_id)
                    cache[key] = {(e.source, e.source_id) for e in d.added} | {
                        (source, c.source_id) for c in d.changed
                    }
            restrict |= cache[key]
        if not changed or not restrict:
            continue
        try:
            hits = screener.screen(record.query, threshold=threshold, restrict=restrict)
        except InputError as exc:  # e.g. a name longer than today's limit: report, go on
            out.append(
                Rescreened(record.screening_id, record.query, (), tuple(changed), exc.message)
            )
            continue
        if hits:
            out.append(Rescreened(record.screening_id, record.query, tuple(hits), tuple(changed)))
    return out
