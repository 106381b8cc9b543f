"""The web pages through TestClient over a tmp store: each page renders, screening explains
its hits, declarations go upload -> queue -> detail, cases are decided (signed in), flows are
charted, and user text is escaped. Signing in itself: test_sign_in.py; queue paging:
test_queue_paging.py."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import declarations_csv, sign_in, web_app

HAS_CASES = importlib.util.find_spec("transitwatch.store.cases") is not None


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(web_app(db), raise_server_exceptions=True) as c:
        yield c


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def h1(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found, html[:500]
    return unescape(found.group(1)).strip()


def upload(client: TestClient, csrf: str, data: bytes | None = None) -> str:
    """Upload a declarations file (signed in); the run id of the queue it redirects to."""
    r = client.post(
        "/ui/declarations",
        files={"file": ("decl.csv", data or declarations_csv(), "text/csv")},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    found = re.match(r"/ui/declarations/([0-9a-f]+)\?", r.headers["location"])
    assert found, r.headers["location"]
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "TransitWatch"),
        ("/ui/screen", "Screen a party"),
        ("/ui/declarations", "Declarations"),
        ("/ui/cases", "Cases"),
        ("/ui/flows", "Trade flows through transit countries"),
        ("/ui/login", "Sign in"),
    ],
)
def test_each_page_renders_with_heading_skip_link_and_labels(
    client: TestClient, path: str, heading: str
) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert h1(html) == heading
    assert '<a class="skip" href="#main">' in html and '<main id="main"' in html
    assert 'aria-current="page"' in html
    for field in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{field}"' in html, f"{path}: no label for #{field}"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing external


def test_stylesheet_has_focus_outlines(client: TestClient) -> None:
    r = client.get("/ui/static/style.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in r.text and "outline" in r.text and "@import" not in r.text


def test_home_lists_versions(client: TestClient) -> None:
    assert "ftm" in text(client.get("/").text)


def test_screen_cyrillic_name_shows_hit_with_explanation(client: TestClient) -> None:
    r = client.post("/ui/screen", data={"name": "Колбаев Камчыбек Асанбек уулу"})
    assert r.status_code == 200, r.text
    page = text(r.text)
    assert "Kamchybek Asanbekovich KOLBAYEV" in page
    assert "name matches listed" in page  # the explanation's first line
    assert "kamchybek ~ kamchybek" in page  # and a part line
    assert "List version" in page and re.search(r"ftm-v\d+-[0-9a-f]+", page)
    # the same through GET (a bookmarkable link)
    again = client.get("/ui/screen", params={"name": "Колбаев Камчыбек"})
    assert "KOLBAYEV" in again.text


def test_screen_errors_are_shown_on_the_page(client: TestClient) -> None:
    r = client.post("/ui/screen", data={"name": "Profflab", "country": "Kyrgyzstan"})
    assert r.status_code == 422
    assert 'role="alert"' in r.text and "ISO 3166-1 alpha-2" in text(r.text)
    assert 'value="Profflab"' in r.text  # the form keeps what was typed


def test_user_text_is_escaped(client: TestClient) -> None:
    evil = '<script>alert("x")</script>'
    r = client.post("/ui/screen", data={"name": evil, "identifier": '"><b>x</b>'})
    assert "<script>alert" not in r.text and "<b>x</b>" not in r.text
    assert "&lt;script&gt;" in r.text
    r = client.get("/ui/flows", params={"transit": "<i>", "product": "<img src=x>"})
    assert r.status_code == 200 and "<img src=x>" not in r.text and "<i>" not in r.text
    r = client.get("/ui/declarations/<b>nope</b>")
    assert r.status_code == 404 and "<b>nope</b>" not in r.text


def test_declarations_upload_queue_detail(client: TestClient, api_key: str) -> None:
    anonymous = client.get("/ui/declarations")
    assert 'type="file"' not in anonymous.text and "Sign in" in anonymous.text
    refused = client.post(
        "/ui/declarations", files={"file": ("d.csv", b"x", "text/csv")}, follow_redirects=False
    )
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/ui/login?next=%2Fui%2Fdeclarations")
    csrf = sign_in(client, api_key)
    run_id = upload(client, csrf)
    listing = client.get("/ui/declarations")
    assert f"/ui/declarations/{run_id}" in listing.text and "decl.csv" in listing.text
    queue = client.get(f"/ui/declarations/{run_id}")
    assert queue.status_code == 200
    reds = re.findall(rf'href="/ui/declarations/{run_id}/([^"]+)"', queue.text)
    assert reds, "no declaration in the queue"
    only_red = client.get(f"/ui/declarations/{run_id}", params={"lane": "red"})
    red_ids = re.findall(rf'href="/ui/declarations/{run_id}/([^"]+)"', only_red.text)
    assert red_ids and len(red_ids) < len(reds)
    assert 'id="lane-green"' not in only_red.text
    detail = client.get(f"/ui/declarations/{run_id}/{red_ids[0]}")
    assert detail.status_code == 200
    page = text(detail.text)
    assert "Reasons (" in page and "Parties" in page and "As declared" in page
    assert re.search(r"TW-[A-Z]+-\d{3}", page)  # rule ids
    listed = client.get(f"/ui/declarations/{run_id}/WEB-LISTED-1")
    assert "Profflab LLC" in text(listed.text)  # the party hit
    hits_only = client.get(f"/ui/declarations/{run_id}", params={"hits": "1"})
    assert "WEB-LISTED-1" in hits_only.text
    searched = client.get(f"/ui/declarations/{run_id}", params={"q": "профлаб"})
    assert "WEB-LISTED-1" in searched.text
    assert client.get(f"/ui/declarations/{run_id}/NOPE").status_code == 404


def test_declarations_bad_file_is_reported(client: TestClient, api_key: str) -> None:
    r = client.post(
        "/ui/declarations",
        files={"file": ("d.csv", b"just,a,header\n", "text/csv")},
        data={"csrf_token": sign_in(client, api_key)},
    )
    assert r.status_code == 422 and 'role="alert"' in r.text


@pytest.mark.skipif(not HAS_CASES, reason="transitwatch.store.cases is not there yet")
def test_cases_list_and_decide(client: TestClient, api_key: str) -> None:
    csrf = sign_in(client, api_key)
    run_id = upload(client, csrf)
    listing = client.get("/ui/cases", params={"kind": "declaration"})
    ids = re.findall(r'href="/ui/cases/([^"]+)"', listing.text)
    assert ids, listing.text
    case_id = ids[0]
    detail = client.get(f"/ui/cases/{case_id}")
    assert detail.status_code == 200 and "No decision yet" in detail.text
    assert f"/ui/declarations/{run_id}/" in detail.text
    assert "Record the decision as web test (analyst)" in text(detail.text)
    # a dismissal without a note is refused, with the reason on the page
    r = client.post(f"/ui/cases/{case_id}", data={"action": "dismiss", "csrf_token": csrf})
    assert r.status_code == 422 and "note" in text(r.text)
    r = client.post(f"/ui/cases/{case_id}", data={"action": "nothing", "csrf_token": csrf})
    assert r.status_code == 422 and "choose what to do" in text(r.text)
    r = client.post(
        f"/ui/cases/{case_id}",
        data={"action": "dismiss", "note": "consignee <known> importer", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    after = client.get(r.headers["location"])
    page = text(after.text)
    assert "The case is now dismissed" in page and "consignee <known> importer" in page
    assert "by web test (analyst)" in page
    assert "<known>" not in after.text
    dismissed = client.get("/ui/cases", params={"status": "dismissed"})
    assert case_id in dismissed.text
    assert client.get("/ui/cases/case_nope").status_code == 404


@pytest.mark.skipif(not HAS_CASES, reason="transitwatch.store.cases is not there yet")
def test_screening_opens_a_party_case(client: TestClient) -> None:
    r = client.post("/ui/screen", data={"name": "ОсОО «Профлаб»"})
    assert "Profflab LLC" in r.text
    assert re.search(r'href="/ui/cases/case_[0-9a-f]+"', r.text)


def test_flows_dashboard_charts_and_filters(client: TestClient) -> None:
    r = client.get("/ui/flows")
    assert r.status_code == 200
    assert r.text.count("<svg") == 3  # yearly, monthly index, mirror gap
    assert "KG → RU" in unescape(r.text) and "growth" in r.text
    narrowed = client.get("/ui/flows", params={"transit": "KG", "from": "2022", "to": "2023"})
    years = re.findall(r"<td>(20\d\d)</td>", narrowed.text)
    assert years and set(years) <= {"2022", "2023"}
    product = client.get("/ui/flows", params={"product": "854231"})
    assert "854231" in product.text and "<svg" in product.text
    empty = client.get("/ui/flows", params={"transit": "AM"})
    assert "No flows for AM" in empty.text


def test_flows_dashboard_chpl_tier_groups(client: TestClient) -> None:
    # The fixture's KG -> RU exports of 854231 (integrated circuits, CHPL tier 1) are the whole
    # of tier 1: the group shows the same yearly values as the code itself, tier 2 shows none.
    r = client.get("/ui/flows")
    assert '<option value="CHPL-1">CHPL-1 (tier 1)</option>' in r.text
    code = client.get("/ui/flows", params={"product": "854231"})
    tier1 = client.get("/ui/flows", params={"product": "CHPL-1"})
    assert tier1.status_code == 200 and "<svg" in tier1.text
    assert "CHPL tier 1: HS-6 codes of the CHPL version 2024-02-23 summed" in tier1.text

    def values(page: str) -> list[tuple[str, str]]:
        return re.findall(r"<td>kg_nsc</td><td>(20\d\d)</td><td class=\"n\">([^<]*)</td>", page)

    assert values(tier1.text) and values(tier1.text) == values(code.text)
    tier2 = client.get("/ui/flows", params={"product": "CHPL-2"})
    assert values(tier2.text) == []


def test_flows_without_table_says_so(tmp_path: Path) -> None:
    from transitwatch.store import open_store

    path = tmp_path / "empty.duckdb"
    open_store(path).close()
    with TestClient(web_app(path)) as c:
        r = c.get("/ui/flows")
    assert r.status_code == 200 and "holds no trade flows" in r.text
