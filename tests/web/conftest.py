"""Fixtures of the web tests (defined in web_support, shared with the browser tests)."""

from web_support import api_key, clean_env, db

__all__ = ["api_key", "clean_env", "db"]
