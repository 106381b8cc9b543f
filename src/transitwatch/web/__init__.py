"""The web app: server-rendered HTML pages over the service (``router``; no build step)."""

from __future__ import annotations

from transitwatch.web.routes import router

__all__ = ["router"]
