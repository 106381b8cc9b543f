"""The HTTP API (FastAPI): party screening, a yente-compatible matcher, list metadata.

Start it with ``transitwatch serve``; build it in code with :func:`create_app`.
"""

from __future__ import annotations

from transitwatch.api.app import create_app

__all__ = ["create_app"]
