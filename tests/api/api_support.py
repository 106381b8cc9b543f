"""What the API tests share: a tiny FtM list in a tmp store, the CLI runner, API keys and the one
error shape. The fixtures are re-exported by tests/api/conftest.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from ftm_fixtures import ftm
from transitwatch.api import create_app
from transitwatch.cli import serve as serve_cli
from transitwatch.cli.common import TransitWatchGroup
from transitwatch.cli.main import app as main_app
from transitwatch.cli.main import root
from transitwatch.store.keys import KeyStore

ENTITIES = [
    ftm("C1", "Company", "Profflab LLC", country=["kg"], program=["RUSSIA-EO14024"]),
    ftm(
        "P1",
        "Person",
        "Kamchybek Asanbekovich KOLBAYEV",
        alias=["Колбаев Камчыбек Асанбекович"],
        birthDate=["1974-08-03"],
        nationality=["kg"],
        program=["SDNTK"],
    ),
    ftm(
        "O1",
        "Organization",
        "RM Design and Development LLC",
        innCode=["7736303529"],
        program=["RUSSIA-EO14024"],
    ),
    ftm("V1", "Vessel", "PROFFLAB", imoNumber=["IMO 9123456"]),
]

ENV = (
    "TRANSITWATCH_DB",
    "TRANSITWATCH_THRESHOLD",
    "TRANSITWATCH_CANDIDATES",
    "TRANSITWATCH_MAX_NAME_LENGTH",
    "TRANSITWATCH_API_KEYS_REQUIRED",
    "TRANSITWATCH_MAX_BATCH",
    "TRANSITWATCH_MAX_BODY_BYTES",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV:
        monkeypatch.delenv(var, raising=False)


def cli_app() -> typer.Typer:
    """The `transitwatch` root with the serve/keys commands (whether or not main lists them)."""
    app = typer.Typer(cls=TransitWatchGroup, add_completion=False)
    app.callback()(root)
    serve_cli.register(app)
    return app


def run(db: Path, *args: str, app: typer.Typer | None = None) -> Result:
    return CliRunner().invoke(app or cli_app(), ["--db", str(db), *args])


def ok(db: Path, *args: str, app: typer.Typer | None = None) -> Result:
    result = run(db, *args, app=app)
    assert result.exit_code == 0, result.output
    return result


def listed_store(tmp_path: Path) -> Path:
    """A store under ``tmp_path`` holding ENTITIES as an FtM list."""
    path = tmp_path / "store" / "tw.duckdb"
    lst = tmp_path / "list.ftm.json"
    lst.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in ENTITIES), "utf-8")
    ok(path, "lists", "load", "ftm", str(lst), app=main_app)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return listed_store(tmp_path)


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as c:
        yield c


def make_key(db: Path, role: str = "analyst") -> tuple[str, str]:
    with KeyStore(db) as keys:
        record, secret = keys.create(role, "test")
    return record.key_id, secret


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape: {"error": {"code", "message", "details"}}, nothing else."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in response.text
    if code is not None:
        assert error["code"] == code, error
    return dict(error)
