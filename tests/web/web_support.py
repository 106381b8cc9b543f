"""A tmp store for the web pages: a tiny FtM list, a small trade_flows table, an analyst key,
a generated declarations file, and signing in (shared by the page and browser tests)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ftm_fixtures import ftm
from transitwatch.api import create_app
from transitwatch.cli.main import app as main_app
from transitwatch.declarations.generate import HEADER, generate
from transitwatch.store.flows import FLOW_COLUMNS, FlowStore
from transitwatch.store.keys import KeyStore
from transitwatch.web import router

ENV = (
    "TRANSITWATCH_DB",
    "TRANSITWATCH_THRESHOLD",
    "TRANSITWATCH_CANDIDATES",
    "TRANSITWATCH_MAX_NAME_LENGTH",
    "TRANSITWATCH_API_KEYS_REQUIRED",
    "TRANSITWATCH_MAX_BATCH",
    "TRANSITWATCH_MAX_BODY_BYTES",
)


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
    ftm("O1", "Organization", "RM Design and Development LLC", program=["RUSSIA-EO14024"]),
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV:
        monkeypatch.delenv(var, raising=False)


def add_flows(db: Path) -> None:
    rows: list[tuple[Any, ...]] = []

    def add(src: str, rep: str, par: str, flow: str, year: int, usd: float, **kw: Any) -> None:
        month, product = kw.get("month"), kw.get("product", "TOTAL")
        rows.append(
            (src, f"{src}.csv", "v1", rep, par, flow, "M" if month else "A", year, month,
             product, 0 if product == "TOTAL" else len(product), None, usd, "USD", usd,
             None, None, None, par in {"EU27", "WORLD"})
        )  # fmt: skip

    for year in range(2019, 2024):
        for month in range(1, 13):
            add("eurostat", "EU27", "KG", "export", year, 20.0 * (year - 2017), month=month)
            add("eurostat", "EU27", "RU", "export", year, 7000.0 / (year - 2018), month=month)
        add("kg_nsc", "KG", "RU", "export", year, 400.0 * (year - 2018))
        add("kg_nsc", "KG", "EU", "import", year, 250.0 * (year - 2018))
        add("kg_nsc", "KG", "RU", "export", year, 5.0 * max(year - 2021, 0), product="854231")
    with FlowStore(db) as flows:
        marks = ", ".join("?" * len(FLOW_COLUMNS))
        flows.connection.executemany(f"INSERT INTO trade_flows VALUES ({marks})", rows)


def declarations_csv() -> bytes:
    """Generated declarations with planted patterns, plus one with a listed exporter."""
    rows = list(generate(300, seed=7, planted_rate=0.3))
    listed = dict(rows[0])
    listed.update(
        declaration_id="WEB-LISTED-1", exporter_name="ОсОО «Профлаб»", exporter_country="KG"
    )
    rows.append(listed)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(HEADER))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store" / "tw.duckdb"
    lst = tmp_path / "list.ftm.json"
    lst.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in ENTITIES), "utf-8")
    result = CliRunner().invoke(main_app, ["--db", str(path), "lists", "load", "ftm", str(lst)])
    assert result.exit_code == 0, result.output
    add_flows(path)
    return path


@pytest.fixture
def api_key(db: Path) -> str:
    with KeyStore(db) as keys:
        _, secret = keys.create("analyst", "web test")
    return secret


def web_app(db: Path) -> FastAPI:
    """The service with the web pages (included here until app.py includes them)."""
    app = create_app(db)
    paths = {getattr(r, "path", None) for r in app.router.routes}
    if "/ui/screen" not in paths:
        app.include_router(router)
    return app


def csrf_of(html: str, action: str | None = None) -> str:
    """The CSRF token of the page's form posting to ``action`` (default: the first form's)."""
    if action is not None:
        start = html.find(f'action="{action}"')
        assert start >= 0, f"no form posting to {action}"
        html = html[start:]
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, key: str, next_page: str = "/") -> str:
    """Sign in through /ui/login as a browser does; returns the session's CSRF token."""
    form = client.get("/ui/login", params={"next": next_page})
    assert form.status_code == 200, form.text
    r = client.post(
        "/ui/login",
        data={"key": key, "csrf_token": csrf_of(form.text, "/ui/login"), "next": next_page},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == next_page
    page = client.get("/ui/declarations")
    assert "Signed in as" in page.text
    return csrf_of(page.text)
