"""Storage of list versions and the screening log.

``transitwatch.store.base`` is pure (the protocol and record types); the DuckDB implementation
is imported only by :func:`open_store`, so importing this package does not load a driver.
"""

from __future__ import annotations

from pathlib import Path

from transitwatch.store.base import LATEST, PREVIOUS, ListStore, ScreeningRecord

__all__ = ["LATEST", "PREVIOUS", "ListStore", "ScreeningRecord", "open_store"]


def open_store(path: str | Path, *, read_only: bool = False) -> ListStore:
    """Open (creating if needed) the default store, a DuckDB file, at ``path``."""
    from transitwatch.store.duck import DuckStore

    return DuckStore(path, read_only=read_only)
