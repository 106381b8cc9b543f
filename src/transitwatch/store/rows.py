"""Turning model objects into store rows and back: pure, no database driver."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC
from typing import Any

from transitwatch.errors import InputError
from transitwatch.lists.model import ListedEntity, ParsedList
from transitwatch.lists.versions import VersionInfo
from transitwatch.screening.types import Hit, HitRecord, PartyQuery


def entity_json(entity: ListedEntity) -> str:
    """The entity's JSON as stored (``ListedEntity.to_json``)."""
    return entity.to_json()


def entity_rows(
    version_id: str, start: int, entities: Sequence[ListedEntity]
) -> Iterable[tuple[Any, ...]]:
    """Rows for the ``entities`` table, in ``ENTITY_COLUMNS`` order; positions from ``start``."""
    for pos, e in enumerate(entities, start):
        data = entity_json(e)
        # == e.fingerprint(), without serialising the entity a second time
        fingerprint = hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]
        yield (version_id, pos, e.source, e.source_id, e.schema, e.caption, fingerprint, data)


def entity_from_json(data: str) -> ListedEntity:
    return ListedEntity.from_dict(json.loads(data))


def version_from_row(row: tuple[Any, ...]) -> VersionInfo:
    """A ``list_versions`` row (columns as in ``tables.VERSION_SELECT``) as a VersionInfo."""
    vid, source, seq, file_date, chash, files, loaded_at, count, warnings = row
    return VersionInfo(
        version_id=vid,
        source=source,
        seq=int(seq),
        file_date=file_date,
        content_hash=chash,
        files=tuple(json.loads(files)),
        loaded_at=loaded_at.replace(tzinfo=UTC),
        entity_count=int(count),
        warnings=tuple(json.loads(warnings)),
    )


def version_row(info: VersionInfo) -> list[Any]:
    """The ``list_versions`` row of a VersionInfo (timestamps stored as naive UTC)."""
    return [
        info.version_id,
        info.source,
        info.seq,
        info.file_date,
        info.content_hash,
        json.dumps(list(info.files), ensure_ascii=False),
        info.loaded_at.astimezone(UTC).replace(tzinfo=None),
        info.entity_count,
        json.dumps(list(info.warnings), ensure_ascii=False),
    ]


def screening_row(
    screening_id: str,
    seq: int,
    at: str,
    query: PartyQuery,
    hits: Sequence[HitRecord],
    versions_json: str,
) -> tuple[Any, ...]:
    """A ``screenings`` row, in ``SCREENING_COLUMNS`` order."""
    hit_dicts = [h.to_json_dict() if isinstance(h, Hit) else dict(h) for h in hits]
    return (
        screening_id,
        seq,
        at,
        json.dumps(asdict(query), ensure_ascii=False),
        versions_json,
        json.dumps(hit_dicts, ensure_ascii=False),
        len(hit_dicts),
        max((float(h["score"]) for h in hit_dicts), default=None),
    )


def check_entities(parsed: ParsedList) -> None:
    """Refuse lists that would corrupt the store's meaning: empty, or repeating a source_id."""
    if not parsed.entities:
        raise InputError(
            f"{parsed.source}: the parsed files hold no entities ({', '.join(parsed.files)}); "
            "refusing to store an empty version, which would silently empty the list"
        )
    seen: set[str] = set()
    dupes: list[str] = []
    for e in parsed.entities:
        if e.source_id in seen:
            dupes.append(e.source_id)
        seen.add(e.source_id)
    if dupes:
        shown = ", ".join(repr(d) for d in dupes[:5])
        more = f" and {len(dupes) - 5} more" if len(dupes) > 5 else ""
        raise InputError(
            f"{parsed.source}: source_id must be unique within a list; "
            f"repeated: {shown}{more} (a parser bug: please report it)"
        )
