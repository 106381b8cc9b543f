"""A store held by another process: while `transitwatch serve` runs it owns the DuckDB file, and
a CLI command on the same store says so once (which file, who holds it, what to do) and exits
with the store-error status, instead of DuckDB's raw IOException."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ftm_fixtures import ftm
from transitwatch.cli.main import app
from transitwatch.errors import StoreError
from transitwatch.store.duck import DuckStore, StoreLockedError
from transitwatch.store.flows import FlowStore
from transitwatch.store.keys import KeyStore

ROOT = Path(__file__).resolve().parents[2]


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`transitwatch --db DB ARGS...` in its own process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRANSITWATCH_")}
    return subprocess.run(
        [sys.executable, "-m", "transitwatch.cli.main", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**env, "COLUMNS": "400"},
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A store with one small list, held by a running `transitwatch serve`."""
    db = tmp_path / "store" / "tw.duckdb"
    lst = tmp_path / "list.ftm.json"
    lst.write_text(json.dumps(ftm("C1", "Company", "Profflab LLC")) + "\n", "utf-8")
    loaded = CliRunner().invoke(app, ["--db", str(db), "lists", "load", "ftm", str(lst)])
    assert loaded.exit_code == 0, loaded.output
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "transitwatch.cli.main", "--db", str(db), "serve",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"transitwatch serve exited: {server.stderr.read() if server.stderr else ''}"
                )
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("transitwatch serve did not start")
            time.sleep(0.2)
        yield db, server
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(
    "args",
    [
        ("lists",),  # reads the list store
        ("keys", "create", "--role", "analyst"),  # the key table
        ("flows", "growth", "--reporter", "KG", "--partner", "RU"),  # the flow indicators
    ],
)
def test_cli_on_a_store_held_by_serve(
    served: tuple[Path, subprocess.Popen[str]], args: tuple[str, ...]
) -> None:
    db, server = served
    result = cli(db, *args)
    assert result.returncode == StoreError.exit_code == 4, result.stderr
    err = result.stderr
    assert err.count("error:") == 1 and "Traceback" not in err  # rendered once
    assert f"the store {db} is in use by another process (process {server.pid}:" in err
    assert "serve" in err  # who holds it: the command line of that process
    assert "Stop that process" in err and "HTTP API" in err and "--db" in err  # what to do
    assert "IO Error" not in err and "Conflicting lock" not in err
    assert result.stdout == ""


def test_store_classes_raise_store_locked_error(tmp_path: Path) -> None:
    """Every way of opening the file says the same, to any caller (not only the CLI)."""
    path = tmp_path / "held.duckdb"
    DuckStore(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        for open_it in (
            lambda: DuckStore(path),
            lambda: DuckStore(path, read_only=True),
            lambda: KeyStore(path),
            lambda: FlowStore(path),
        ):
            with pytest.raises(StoreLockedError) as caught:
                open_it()
            assert isinstance(caught.value, StoreError) and caught.value.code == "store_locked"
            assert (
                str(path) in caught.value.message
                and f"process {holder.pid}" in caught.value.message
            )
    finally:
        holder.kill()
        holder.wait()
    with DuckStore(path) as st:  # free again once the other process is gone
        assert st.versions() == []
