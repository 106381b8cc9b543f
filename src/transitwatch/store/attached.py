"""Feature tables (cases, declarations, ...) kept in the DuckDB store's file, on its connection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import ClassVar, Self, TypeVar

import duckdb

from transitwatch.errors import StoreError

T = TypeVar("T")


def duckdb_connection(store: object, needed_by: str) -> duckdb.DuckDBPyConnection:
    """The open DuckDB connection of a store; a StoreError naming ``needed_by`` otherwise."""
    con = getattr(store, "connection", None)
    if not isinstance(con, duckdb.DuckDBPyConnection):
        raise StoreError(f"{needed_by} need the DuckDB store")
    return con


class AttachedTables:
    """Base of a feature's tables: created on first use, written in one transaction each."""

    DDL: ClassVar[Sequence[str]] = ()
    NAME: ClassVar[str] = "feature"  # for messages: "cannot prepare the <NAME> tables"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        try:
            for ddl in self.DDL:
                con.execute(ddl)
        except duckdb.Error as exc:
            raise StoreError(f"cannot prepare the {self.NAME} tables: {exc}") from exc

    @classmethod
    def of(cls, store: object) -> Self:
        return cls(duckdb_connection(store, f"{cls.NAME} tables"))

    def _write(self, what: str, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        con = self._con
        try:
            con.begin()
            try:
                result = fn(con)
                con.commit()
            except BaseException:
                con.rollback()
                raise
        except duckdb.Error as exc:
            raise StoreError(f"could not {what}: {exc}") from exc
        return result


__all__ = ["AttachedTables", "ClosesOnExit", "duckdb_connection"]


class ClosesOnExit:
    """``with Store(...) as st:`` closes the store on the way out; subclasses define close()."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
