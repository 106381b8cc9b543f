"""`transitwatch serve` (the HTTP API) and `transitwatch keys create|list|revoke`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from transitwatch.cli.common import say, state, stdout
from transitwatch.errors import InputError
from transitwatch.store.keys import ROLES, KeyStore

keys_app = typer.Typer(
    name="keys",
    help="API keys for `transitwatch serve` (stored hashed; a secret is shown only once).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(keys_app)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Start the HTTP API over the store (OpenAPI description at /docs and /openapi.json).

    While it runs, the service owns the store file: load lists before starting it.
    """
    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    import uvicorn

    from transitwatch.api.app import create_app

    db = state(ctx).db_path()
    if not db.exists():
        raise InputError(f"no store at {db}: load lists first (transitwatch lists load-all)")
    app = create_app(db)
    say(f"TransitWatch API on http://{host}:{port} (store {db}); docs at /docs", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def _role(value: str) -> str:
    if value not in ROLES:
        raise InputError(f"--role must be one of {', '.join(ROLES)}, not {value!r}")
    return value


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="analyst or supervisor.")],
    label: Annotated[str | None, typer.Option(help="Who or what the key is for.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a key and print it — the only time the secret is shown."""
    with KeyStore(state(ctx).db_path()) as keys:
        record, secret = keys.create(_role(role), label)
    if as_json:
        typer.echo(json.dumps({**record.to_json_dict(), "key": secret}, ensure_ascii=False))
        return
    typer.echo(secret)
    say(
        f"created key {record.key_id} ({record.role}); store the key now: it is not shown again",
        err=True,
    )


@keys_app.command("list")
def keys_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Every key: id, prefix, role, label, created and revoked times (never the secret)."""
    with KeyStore(state(ctx).db_path()) as keys:
        found = keys.list()
    if as_json:
        for key in found:
            typer.echo(json.dumps(key.to_json_dict(), ensure_ascii=False))
        return
    if not found:
        say("No API keys.", err=True)
        return
    table = Table("key id", "prefix", "role", "label", "created", "revoked")
    for key in found:
        table.add_row(
            key.key_id,
            key.prefix + "…",
            key.role,
            key.label or "",
            key.created_at.strftime("%Y-%m-%d %H:%M"),
            key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "",
        )
    stdout().print(table)


@keys_app.command("revoke")
def keys_revoke(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key id (see `keys list`).")],
) -> None:
    """Revoke a key: requests with it are refused from then on."""
    with KeyStore(state(ctx).db_path()) as keys:
        record = keys.revoke(key_id)
    say(f"revoked key {record.key_id} ({record.role})", err=True)
