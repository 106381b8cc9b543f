"""A screened batch of a few hundred declarations, read a page at a time: the store's SQL
filters, counts and pages against the same filters applied in Python to every stored decision;
the queue page's filters, page links and lane counts; the API's paged list of a run's
decisions."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_support import ENTITIES, declarations_csv, web_app

from transitwatch.cli.main import app as main_app
from transitwatch.declarations.model import LANES
from transitwatch.store import open_store
from transitwatch.store.declarations import DecisionFilter, DeclarationStore
from transitwatch.store.keys import KeyStore


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[dict[str, Any]]]:
    """(store, run id, its stored decisions in input order): 301 declarations screened by
    `transitwatch declarations screen`."""
    tmp = tmp_path_factory.mktemp("queue")
    db = tmp / "tw.duckdb"
    lst = tmp / "list.ftm.json"
    lst.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in ENTITIES), "utf-8")
    source = tmp / "decl.csv"
    source.write_bytes(declarations_csv())
    for args in (
        ["lists", "load", "ftm", str(lst)],
        ["declarations", "screen", str(source), "-o", str(tmp / "out.jsonl"), "--red-rate", "0.1"],
    ):
        result = CliRunner().invoke(main_app, ["--db", str(db), *args])
        assert result.exit_code == 0, result.output
    with open_store(db) as st:
        stored = DeclarationStore.of(st).decisions()
    assert len(stored) == 301
    return db, stored[0]["run_id"], stored


@pytest.fixture(scope="module")
def client(batch: tuple[Path, str, list[dict[str, Any]]]) -> Iterator[TestClient]:
    with TestClient(web_app(batch[0])) as c:
        yield c


# -- the same filters, in Python -----------------------------------------------------------------


def passes(item: dict[str, Any], where: DecisionFilter) -> bool:
    decision = item["decision"]
    if where.lane and item["lane"] != where.lane:
        return False
    if where.rule and where.rule not in [r["rule"] for r in decision["reasons"]]:
        return False
    if where.with_hits and not any(p.get("hits") for p in decision["parties"]):
        return False
    if where.text:
        texts = [item["declaration_id"], *(p.get("name") or "" for p in decision["parties"])]
        return any(where.text.lower() in t.lower() for t in texts)
    return True


def expected(stored: list[dict[str, Any]], where: DecisionFilter) -> list[str]:
    """Declaration ids passing the filter, in queue order: red first, then by score."""
    found = [i for i in stored if passes(i, where)]
    found.sort(key=lambda i: (LANES.index(i["lane"]), -i["score"], i["seq"]))
    return [i["declaration_id"] for i in found]


def rule_counts(stored: list[dict[str, Any]]) -> Counter[str]:
    """How many decisions each rule fired in."""
    return Counter(rule for i in stored for rule in {r["rule"] for r in i["decision"]["reasons"]})


def filters(stored: list[dict[str, Any]]) -> list[DecisionFilter]:
    common, *_, rare = [rule for rule, _ in rule_counts(stored).most_common()]
    return [
        DecisionFilter(),
        *(DecisionFilter(lane=lane) for lane in LANES),
        DecisionFilter(rule=common),
        DecisionFilter(rule=rare),
        DecisionFilter(rule="TW-NO-SUCH-RULE"),
        DecisionFilter(text="ПРОФЛАБ"),  # a party name, Cyrillic, other case
        DecisionFilter(text="web-listed"),  # a declaration id, other case
        DecisionFilter(text="llc"),
        DecisionFilter(text="%"),  # no wildcard: a literal percent sign
        DecisionFilter(with_hits=True),
        DecisionFilter(rule=common, text="o"),
        DecisionFilter(lane="yellow", text="o", with_hits=False),
        DecisionFilter(lane="red", with_hits=True),
    ]


# -- the store -----------------------------------------------------------------------------------


def test_store_filters_counts_and_pages_agree_with_python(
    batch: tuple[Path, str, list[dict[str, Any]]],
) -> None:
    db, run_id, stored = batch
    with open_store(db) as st:
        ds = DeclarationStore.of(st)
        assert ds.run_rules(run_id) == sorted(rule_counts(stored))
        summary = ds.run(run_id)
        assert summary is not None and summary.total == 301
        assert summary.lanes == {lane: sum(i["lane"] == lane for i in stored) for lane in LANES}
        for where in filters(stored):
            want = expected(stored, where)
            counts = ds.count_by_lane(run_id, where)
            assert sum(counts.values()) == len(want), where
            by_lane = Counter(i["lane"] for i in stored if passes(i, where))
            assert counts == {lane: by_lane[lane] for lane in LANES}, where
            got: list[str] = []
            for offset in range(0, 320, 37):  # pages of 37, past the end
                page = ds.decision_page(run_id, where, limit=37, offset=offset)
                assert len(page) <= 37
                got += [i["declaration_id"] for i in page]
            assert got == want, where
        in_order = ds.decision_page(run_id, limit=500, order="input")
        assert [i["seq"] for i in in_order] == list(range(1, 302))
        assert ds.decision_page("no-such-run") == [] and ds.run("no-such-run") is None
        listed = ds.decision_of(run_id, "WEB-LISTED-1")
        assert listed is not None and listed["declaration_id"] == "WEB-LISTED-1"
        assert ds.decision_of(run_id, "nope") is None


# -- the queue page --------------------------------------------------------------------------------


def ids_on(html: str, run_id: str) -> list[str]:
    return [unquote(x) for x in re.findall(rf'href="/ui/declarations/{run_id}/([^"]+)"', html)]


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


def shown(html: str) -> str:
    found = re.search(r'id="shown">(.*?)</p>', html, re.S)
    assert found
    return " ".join(unescape(found.group(1)).split())


def walk(client: TestClient, url: str, run_id: str) -> tuple[list[str], list[str]]:
    """Follow the Next links from ``url``: (every declaration id, in order; each page's URL)."""
    ids: list[str] = []
    urls: list[str] = []
    next_url: str | None = url
    while next_url is not None:
        r = client.get(next_url)
        assert r.status_code == 200, r.text
        urls.append(next_url)
        ids += ids_on(r.text, run_id)
        next_url = link(r.text, "next")
        assert len(urls) < 50
    return ids, urls


def test_queue_pages_cover_the_batch_once_red_first(
    client: TestClient, batch: tuple[Path, str, list[dict[str, Any]]]
) -> None:
    _, run_id, stored = batch
    first = client.get(f"/ui/declarations/{run_id}")
    assert len(ids_on(first.text, run_id)) == 50
    assert shown(first.text) == "Declarations 1–50 of 301, red first, then by score (page 1 of 7)."
    assert link(first.text, "prev") is None
    ids, urls = walk(client, f"/ui/declarations/{run_id}", run_id)
    assert ids == expected(stored, DecisionFilter()) and len(urls) == 7
    last = client.get(urls[-1])
    assert shown(last.text).startswith("Declarations 301–301 of 301")
    assert link(last.text, "next") is None and link(last.text, "prev") == urls[-2]
    # a section per lane on the page, each headed by the lane's count
    counts = Counter(i["lane"] for i in stored)
    for lane in re.findall(r'<h2 id="lane-(\w+)">', first.text):
        assert f"({counts[lane]:,})" in first.text


@pytest.mark.parametrize(
    "params",
    [
        {"lane": "green", "per": "25"},
        {"hits": "1", "per": "25"},
        {"q": "llc", "per": "100"},
        {"lane": "yellow", "q": "o", "per": "25"},
    ],
)
def test_queue_filters_and_page_links_keep_them(
    client: TestClient, batch: tuple[Path, str, list[dict[str, Any]]], params: dict[str, str]
) -> None:
    _, run_id, stored = batch
    where = DecisionFilter(params.get("lane"), None, params.get("q"), bool(params.get("hits")))
    want = expected(stored, where)
    url = f"/ui/declarations/{run_id}?" + "&".join(f"{k}={v}" for k, v in params.items())
    ids, urls = walk(client, url, run_id)
    assert ids == want
    assert len(urls) == max(1, -(-len(want) // int(params["per"])))
    for page_url in urls[1:]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(page_url).query).items()}
        assert {k: query.get(k) for k in params} == params  # every filter kept
    if params.get("lane"):
        page = client.get(url).text
        assert set(re.findall(r'<h2 id="lane-(\w+)">', page)) == {params["lane"]}


def test_queue_rule_filter_and_lane_counts(
    client: TestClient, batch: tuple[Path, str, list[dict[str, Any]]]
) -> None:
    _, run_id, stored = batch
    rule = rule_counts(stored).most_common(1)[0][0]
    r = client.get(f"/ui/declarations/{run_id}", params={"rule": rule, "per": "200"})
    want = expected(stored, DecisionFilter(rule=rule))
    assert ids_on(r.text, run_id) == want[:200]
    assert f'<option value="{rule}" selected>' in r.text
    # each lane link counts what the other filters let through, and keeps them
    for lane in LANES:
        n = len(expected(stored, DecisionFilter(lane=lane, rule=rule)))
        found = re.search(
            rf'<a href="([^"]+)"[^>]*><span class="lane {lane}">{lane}</span> '
            r'<span class="meta">\(([\d,]+)\)',
            r.text,
        )
        assert found, lane
        assert int(found.group(2).replace(",", "")) == n
        query = parse_qs(urlsplit(unescape(found.group(1))).query)
        assert query["lane"] == [lane] and query["rule"] == [rule] and query["per"] == ["200"]


def test_queue_odd_parameters(
    client: TestClient, batch: tuple[Path, str, list[dict[str, Any]]]
) -> None:
    _, run_id, stored = batch
    order = expected(stored, DecisionFilter())
    past = client.get(f"/ui/declarations/{run_id}", params={"page": "999"})
    assert past.status_code == 200 and ids_on(past.text, run_id) == order[300:]  # the last page
    for page in ("0", "-3", "abc", "1e9", "99999999999999"):
        r = client.get(f"/ui/declarations/{run_id}", params={"page": page})
        assert r.status_code == 200 and ids_on(r.text, run_id)[:1] in (order[:1], order[300:])
    r = client.get(f"/ui/declarations/{run_id}", params={"per": "7", "lane": "purple"})
    assert len(ids_on(r.text, run_id)) == 50  # the default size; an unknown lane is all lanes
    none = client.get(f"/ui/declarations/{run_id}", params={"q": "zzzz-nothing"})
    assert ids_on(none.text, run_id) == [] and "No declaration matches the filters" in shown(
        none.text
    )
    empty_lane = client.get(f"/ui/declarations/{run_id}", params={"lane": "red", "q": "zzzz"})
    assert (
        '<h2 id="lane-red">' in empty_lane.text and "No declaration in this lane" in empty_lane.text
    )


# -- the API ---------------------------------------------------------------------------------------


def test_api_lists_runs_and_pages_a_runs_decisions(
    client: TestClient, batch: tuple[Path, str, list[dict[str, Any]]]
) -> None:
    _, run_id, stored = batch
    runs = client.get("/declarations/runs").json()
    assert [r["run_id"] for r in runs["runs"]] == [run_id] and runs["runs"][0]["total"] == 301
    url = f"/declarations/runs/{run_id}/decisions"
    got: list[dict[str, Any]] = []
    for offset in range(0, 301, 100):
        page = client.get(url, params={"limit": 100, "offset": offset}).json()
        assert page["total"] == 301 and page["limit"] == 100 and page["offset"] == offset
        got += page["decisions"]
    assert [d["seq"] for d in got] == list(range(1, 302))  # input order by default
    assert [d["declaration_id"] for d in got] == [i["declaration_id"] for i in stored]
    assert got[0]["reasons"] == stored[0]["decision"]["reasons"]
    for where, params in [
        (DecisionFilter(lane="green"), {"lane": "green"}),
        (DecisionFilter(with_hits=True), {"hits": "true"}),
        (DecisionFilter(text="профлаб"), {"q": "профлаб"}),
        (DecisionFilter(rule="TW-PARTY-001"), {"rule": "TW-PARTY-001"}),
    ]:
        body = client.get(url, params={**params, "order": "queue", "limit": 1000}).json()
        assert [d["declaration_id"] for d in body["decisions"]] == expected(stored, where)
        assert body["total"] == len(expected(stored, where))
        others = [
            i
            for i in stored
            if passes(i, DecisionFilter(None, where.rule, where.text, where.with_hits))
        ]
        assert body["lanes"] == {lane: sum(i["lane"] == lane for i in others) for lane in LANES}


def test_api_run_decisions_errors(
    client: TestClient, batch: tuple[Path, str, list[dict[str, Any]]]
) -> None:
    _, run_id, _ = batch
    r = client.get("/declarations/runs/nope/decisions")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    for params in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"lane": "purple"}):
        r = client.get(f"/declarations/runs/{run_id}/decisions", params=params)
        body = r.json()
        assert r.status_code == 422 and set(body["error"]) == {"code", "message", "details"}
        assert body["error"]["code"] == "validation_error"


def test_api_run_decisions_need_a_key_when_reads_do(
    batch: tuple[Path, str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, run_id, _ = batch
    monkeypatch.setenv("TRANSITWATCH_API_KEYS_REQUIRED", "true")
    with KeyStore(db) as keys:
        _, secret = keys.create("analyst", "reader")
    with TestClient(web_app(db)) as c:
        url = f"/declarations/runs/{run_id}/decisions"
        assert c.get(url).status_code == 401 and c.get("/declarations/runs").status_code == 401
        assert c.get(url, headers={"X-API-Key": secret}).json()["total"] == 301
