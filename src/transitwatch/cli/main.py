"""The ``transitwatch`` command: global options, command registration, the entry point.

Each command module under ``transitwatch.cli`` named in :data:`COMMAND_MODULES` defines
``register(app: typer.Typer) -> None`` and adds its commands or sub-apps there; a new command
module is added by writing such a ``register`` and appending the module's name to the list.
Errors need no handling in command modules: raise a
:class:`~transitwatch.errors.TransitWatchError` and the root group renders it once.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from transitwatch import __version__
from transitwatch.cli.common import CliState, TransitWatchGroup, say

# Command modules, in the order their commands appear in --help. Extend, e.g. "screen".
COMMAND_MODULES: list[str] = [
    "lists",
    "screen",
    "declarations",
    "flows_load",
    "flows_indicators",
    "serve",
]

app = typer.Typer(
    cls=TransitWatchGroup,
    name="transitwatch",
    help="Find and stop sanctions evasion through third-country transit trade.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        say(f"transitwatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Store file (DuckDB). Default: $TRANSITWATCH_DB, else "
            "~/.local/share/transitwatch/transitwatch.duckdb.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Find and stop sanctions evasion through third-country transit trade."""
    ctx.obj = CliState(db=db.expanduser() if db is not None else None)


def _register() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"transitwatch.cli.{name}")
        module.register(app)


_register()


def main() -> None:
    """Console-script entry point (``transitwatch``)."""
    app(prog_name="transitwatch")


if __name__ == "__main__":
    main()
