"""FollowTheMoney entity lines for the small lists tests load (`transitwatch lists load ftm`).

Importable from any test module: tests/ is on sys.path through tests/conftest.py.
"""

from __future__ import annotations

from typing import Any

STAMP = "2024-01-31T00:00:00"


def ftm(eid: str, schema: str, name: str, **props: list[str]) -> dict[str, Any]:
    """One FtM entity as OpenSanctions exports it."""
    return {
        "id": eid,
        "schema": schema,
        "caption": name,
        "properties": {"name": [name], **props},
        "datasets": ["test"],
        "last_change": STAMP,
    }
