"""What every command module shares: consoles, the store of the current invocation, the one
place errors are rendered, and progress display that shows on a terminal and stays quiet in pipes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text
from typer.core import TyperGroup

from transitwatch import settings
from transitwatch.errors import TransitWatchError
from transitwatch.store import ListStore, open_store


@dataclass(slots=True)
class CliState:
    """Global options, kept in the root typer context (``ctx.obj``)."""

    db: Path | None = None

    def db_path(self) -> Path:
        """``--db`` if given, else the ``db`` setting (TRANSITWATCH_DB or its default)."""
        return self.db if self.db is not None else Path(settings.get("db")).expanduser()


PIPE_WIDTH = 160  # tables written to a pipe or file: wide enough not to fold dates and ids


def stdout() -> Console:
    """Console for results. Made per call so it follows redirection (tests, pipes)."""
    console = Console(highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPE_WIDTH
    return console


def stderr() -> Console:
    """Console for errors, warnings and progress: keeps stdout clean for results."""
    return Console(stderr=True, highlight=False)


def say(message: str, *, style: str | None = None, err: bool = False) -> None:
    """Print plain text (never interpreted as rich markup: list data holds square brackets)."""
    (stderr() if err else stdout()).print(Text(message, style=style or ""), soft_wrap=True)


def render_error(exc: TransitWatchError) -> None:
    """The single rendering of an error: ``error: <message>`` on stderr, no traceback."""
    stderr().print(Text.assemble(("error:", "bold red"), " ", exc.message), soft_wrap=True)


class TransitWatchGroup(TyperGroup):
    """Root command group: the one place a TransitWatchError (ConfigError included) becomes
    ``error: <message>`` on stderr and exit status ``exc.exit_code``."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TransitWatchError as exc:
            render_error(exc)
            raise typer.Exit(exc.exit_code) from None


def state(ctx: typer.Context) -> CliState:
    found = ctx.find_object(CliState)
    return found if found is not None else CliState()


@contextlib.contextmanager
def store(ctx: typer.Context, *, read_only: bool = False) -> Iterator[ListStore]:
    """The store named by ``--db`` / TRANSITWATCH_DB, closed on exit."""
    opened = open_store(state(ctx).db_path(), read_only=read_only)
    try:
        yield opened
    finally:
        opened.close()


@contextlib.contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner with ``message`` on a terminal; nothing in a pipe."""
    console = stderr()
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


class Steps:
    """A progress bar over a known number of steps on a terminal; silent otherwise."""

    def __init__(self, total: int, description: str) -> None:
        console = stderr()
        self._progress: Progress | None = None
        if console.is_terminal:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._task = self._progress.add_task(description, total=total)

    def __enter__(self) -> Steps:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def describe(self, description: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=description)

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)
