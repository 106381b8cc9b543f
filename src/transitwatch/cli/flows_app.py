"""The ``transitwatch flows`` sub-app, shared by the modules that add commands to it
(``flows_load``: loading; the indicators module: analysis). The lead wires it into the root app."""

from __future__ import annotations

import typer

flows_app = typer.Typer(
    name="flows",
    help="Trade-flow statistics: load Comtrade, Eurostat and national files; analyse flows.",
    no_args_is_help=True,
)
