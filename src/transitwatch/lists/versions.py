"""Stored list versions and the differences between two of them: pure data, no storage.

The store (``transitwatch.store``) produces these; the core, the CLI and the API read them
without importing any database driver. :func:`diff_entities` is the reference computation of a
diff; a store may compute the same result faster (the DuckDB store compares fingerprints in SQL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from transitwatch.lists.model import ListedEntity

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders "9" before "10" and "RUS0002" before "RUS0010"."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in _DIGITS.split(text)
        if part != ""
    )


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version of one list source."""

    version_id: str  # e.g. "us_ofac_sdn-v3-1a2b3c4d": source, sequence number, content hash
    source: str
    seq: int  # 1, 2, 3... per source, in load order
    file_date: str | None  # publication date of the list as the parser saw it, ISO
    content_hash: str  # sha256 over the input files' (decompressed) bytes
    files: tuple[str, ...]
    loaded_at: datetime  # UTC, timezone-aware
    entity_count: int
    warnings: tuple[str, ...] = ()
    # Set only on what ``save_list`` returns: True when the content matched the latest stored
    # version of the source, so nothing was written and this describes that existing version.
    unchanged: bool = False

    @property
    def label(self) -> str:
        """Short human form: "us_ofac_sdn #3 (2024-07-02)"."""
        date = f" ({self.file_date})" if self.file_date else ""
        return f"{self.source} #{self.seq}{date}"

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "version_id": self.version_id,
            "source": self.source,
            "seq": self.seq,
            "file_date": self.file_date,
            "content_hash": self.content_hash,
            "files": list(self.files),
            "loaded_at": self.loaded_at.isoformat(),
            "entity_count": self.entity_count,
            "warnings": len(self.warnings),
        }


def changed_fields(old: ListedEntity, new: ListedEntity) -> tuple[str, ...]:
    """Names of the ListedEntity fields whose values differ, in the model's field order."""
    old_d, new_d = old.to_dict(), new.to_dict()
    keys = list(old_d) + [k for k in new_d if k not in old_d]
    return tuple(k for k in keys if old_d.get(k) != new_d.get(k))


@dataclass(frozen=True, slots=True)
class EntityChange:
    """An entity present in both versions (same source_id) whose content differs."""

    source_id: str
    old: ListedEntity
    new: ListedEntity
    fields: tuple[str, ...]  # which ListedEntity fields differ

    @property
    def caption(self) -> str:
        return self.new.caption

    def field_changes(self) -> dict[str, dict[str, Any]]:
        """{field: {"old": value, "new": value}} for every changed field, JSON-ready."""
        old_d, new_d = self.old.to_dict(), self.new.to_dict()
        return {f: {"old": old_d.get(f), "new": new_d.get(f)} for f in self.fields}


def _entity_summary(entity: ListedEntity) -> dict[str, Any]:
    return {
        "source_id": entity.source_id,
        "schema": entity.schema,
        "caption": entity.caption,
        "programs": list(entity.programs),
    }


@dataclass(frozen=True, slots=True)
class ListDiff:
    """What changed in one source between two of its versions; each part sorted by source_id."""

    source: str
    old: VersionInfo
    new: VersionInfo
    added: tuple[ListedEntity, ...]
    removed: tuple[ListedEntity, ...]
    changed: tuple[EntityChange, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
        }

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def field_counts(self) -> dict[str, int]:
        """How many changed entities touch each field, most frequent first."""
        counts: dict[str, int] = {}
        for change in self.changed:
            for name in change.fields:
                counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_json_dict(self, limit: int | None = None) -> dict[str, Any]:
        """A machine-readable form; ``limit`` caps each list (the counts stay complete)."""

        def cap(items: tuple[Any, ...]) -> tuple[Any, ...]:
            return items if limit is None else items[:limit]

        return {
            "source": self.source,
            "old": self.old.to_json_dict(),
            "new": self.new.to_json_dict(),
            "counts": self.counts,
            "changed_fields": self.field_counts(),
            "truncated": limit is not None
            and any(len(part) > limit for part in (self.added, self.removed, self.changed)),
            "added": [_entity_summary(e) for e in cap(self.added)],
            "removed": [_entity_summary(e) for e in cap(self.removed)],
            "changed": [
                {
                    "source_id": c.source_id,
                    "caption": c.caption,
                    "fields": list(c.fields),
                    "changes": c.field_changes(),
                }
                for c in cap(self.changed)
            ],
        }


def diff_entities(
    old: VersionInfo,
    new: VersionInfo,
    old_entities: Iterable[ListedEntity],
    new_entities: Iterable[ListedEntity],
) -> ListDiff:
    """Compare two versions' entities by source_id (reference implementation, all in memory)."""
    before = {e.source_id: e for e in old_entities}
    after = {e.source_id: e for e in new_entities}
    added = [after[k] for k in after.keys() - before.keys()]
    removed = [before[k] for k in before.keys() - after.keys()]
    changed = [
        EntityChange(k, before[k], after[k], changed_fields(before[k], after[k]))
        for k in before.keys() & after.keys()
        if before[k] != after[k]
    ]
    return make_diff(old, new, added, removed, changed)


def make_diff(
    old: VersionInfo,
    new: VersionInfo,
    added: Iterable[ListedEntity],
    removed: Iterable[ListedEntity],
    changed: Iterable[EntityChange],
) -> ListDiff:
    """Assemble a ListDiff with every part sorted naturally by source_id."""
    return ListDiff(
        source=new.source,
        old=old,
        new=new,
        added=tuple(sorted(added, key=lambda e: natural_key(e.source_id))),
        removed=tuple(sorted(removed, key=lambda e: natural_key(e.source_id))),
        changed=tuple(sorted(changed, key=lambda c: natural_key(c.source_id))),
    )
