"""Fixtures of the API tests (defined in api_support, with the helpers the tests import)."""

from api_support import clean_env, client, db

__all__ = ["clean_env", "client", "db"]
