"""One exception hierarchy for the whole package.

Every error carries a message written for the person at the keyboard; the edges (CLI, API)
render it once: the CLI prints it and exits with ``exit_code``, the API returns one JSON shape.
"""

from __future__ import annotations


class TransitWatchError(Exception):
    """Root of every error TransitWatch raises on purpose."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(TransitWatchError):
    """A setting has an invalid value."""

    exit_code = 2
    code = "config_error"


class InputError(TransitWatchError):
    """The user gave us something we cannot use (a bad argument, a missing file)."""

    exit_code = 2
    code = "invalid_input"


class ParseError(InputError):
    """A data file could not be parsed; says which file, row and field."""

    code = "parse_error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        where = []
        if path is not None:
            where.append(path)
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        full = f"{', '.join(where)}: {message}" if where else message
        super().__init__(full)
        self.path = path
        self.row = row
        self.field = field
        self.reason = message


class UnknownSourceError(InputError):
    code = "unknown_source"


class NotFoundError(TransitWatchError):
    """Something the user named does not exist in the store."""

    exit_code = 3
    code = "not_found"


class StoreError(TransitWatchError):
    """The store could not be opened or written."""

    exit_code = 4
    code = "store_error"
