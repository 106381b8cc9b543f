"""Signing in to the web pages (TestClient over a tmp store): a key entered once opens an
opaque server-side session; sign-out, expiry, forged cookies and revoked keys end it; POST
forms need the session's CSRF token; reads need a session when TRANSITWATCH_API_KEYS_REQUIRED
is on; decisions are recorded as the signed-in key."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_support import csrf_of, declarations_csv, sign_in, web_app

from transitwatch.store.declarations import DeclarationStore
from transitwatch.store.keys import KeyStore
from transitwatch.web.sessions import tables

PAGES = ("/", "/ui/screen", "/ui/declarations", "/ui/cases", "/ui/flows")


@pytest.fixture
def app(db: Path) -> FastAPI:
    return web_app(db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


def browser(app: FastAPI) -> TestClient:
    """Another browser (its own cookies) on the same running app."""
    return TestClient(app, raise_server_exceptions=True)


@pytest.fixture
def keys_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSITWATCH_API_KEYS_REQUIRED", "true")


def cookies_set(response: Any) -> dict[str, dict[str, Any]]:
    """Each Set-Cookie header of the response: name -> its value and attributes."""
    out: dict[str, dict[str, Any]] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            attrs = {k: v for k, v in morsel.items() if v}
            out[name] = {"value": morsel.value, "raw": header.lower(), **attrs}
    return out


def key(db: Path, role: str, label: str) -> tuple[str, str]:
    """(key id, full key)."""
    with KeyStore(db) as keys:
        record, secret = keys.create(role, label)
    return record.key_id, secret


def service(client: TestClient) -> Any:
    return client.app.state.service  # type: ignore[attr-defined]


def sql(client: TestClient, query: str, params: list[Any] | None = None) -> list[Any]:
    state = service(client)
    tables(state)  # web_sessions exists from the first sign-in on; here from the start
    with state.lock:
        return list(state.store.connection.execute(query, params or []).fetchall())


def login_form(client: TestClient, next_page: str = "/") -> str:
    r = client.get("/ui/login", params={"next": next_page})
    assert r.status_code == 200
    return csrf_of(r.text, "/ui/login")


# -- signing in and out ----------------------------------------------------------------------


def test_sign_in_opens_an_opaque_session(client: TestClient, db: Path, api_key: str) -> None:
    form = client.get("/ui/login", params={"next": "/ui/cases?status=open"})
    login = cookies_set(form)["tw_login"]
    assert "httponly" in login["raw"] and "samesite=strict" in login["raw"]
    assert (
        'type="password"' in form.text and 'name="next" value="/ui/cases?status=open"' in form.text
    )
    r = client.post(
        "/ui/login",
        data={
            "key": api_key,
            "csrf_token": csrf_of(form.text, "/ui/login"),
            "next": "/ui/cases?status=open",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/ui/cases?status=open"
    session = cookies_set(r)["tw_session"]
    token = session["value"]
    assert token and api_key not in r.headers["set-cookie"]  # never the key
    assert "httponly" in session["raw"] and "samesite=strict" in session["raw"]
    assert session["path"] == "/" and int(session["max-age"]) == 8 * 3600
    assert "secure" not in session["raw"]  # plain http here; see the https test
    assert cookies_set(r)["tw_login"]["value"] == ""  # the sign-in token is spent
    # the store keeps a hash of the token, not the token, and never the key
    rows = sql(client, "SELECT token_hash, key_id FROM web_sessions")
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), api_key[3:15])]
    page = client.get("/ui/cases")
    assert "Signed in as" in page.text and "web test" in page.text and "analyst" in page.text
    assert 'action="/ui/logout"' in page.text


def test_sign_in_cookie_is_secure_over_https(db: Path, api_key: str) -> None:
    with TestClient(web_app(db), base_url="https://testserver") as c:
        form = c.get("/ui/login")
        r = c.post(
            "/ui/login",
            data={"key": api_key, "csrf_token": csrf_of(form.text, "/ui/login")},
            follow_redirects=False,
        )
    assert r.status_code == 303
    assert "secure" in cookies_set(r)["tw_session"]["raw"]
    assert "secure" in cookies_set(form)["tw_login"]["raw"]


@pytest.mark.parametrize("wrong", ["", "tw_nope", "tw_0123456789ab_secret", "x" * 290])
def test_sign_in_refuses_a_wrong_key(client: TestClient, wrong: str) -> None:
    r = client.post(
        "/ui/login", data={"key": wrong, "csrf_token": login_form(client)}, follow_redirects=False
    )
    assert r.status_code == 401 and "not valid" in r.text and 'role="alert"' in r.text
    assert "tw_session" not in cookies_set(r)
    assert sql(client, "SELECT count(*) FROM web_sessions") == [(0,)]


def test_sign_in_refuses_a_revoked_key(client: TestClient, db: Path) -> None:
    key_id, secret = key(db, "analyst", "gone")
    service(client).keys.revoke(key_id)
    r = client.post("/ui/login", data={"key": secret, "csrf_token": login_form(client)})
    assert r.status_code == 401 and "not valid" in r.text


def test_sign_in_form_needs_its_own_token(client: TestClient, api_key: str) -> None:
    """Login CSRF: a sign-in posted from elsewhere (no token, or not the cookie's) fails."""
    login_form(client)
    for token in ("", "forged-token-forged-token-forged"):
        r = client.post("/ui/login", data={"key": api_key, "csrf_token": token})
        assert r.status_code == 403 and "out of date" in r.text
        assert "tw_session" not in cookies_set(r)
    client.cookies.clear()
    r = client.post("/ui/login", data={"key": api_key, "csrf_token": "a" * 43})
    assert r.status_code == 403  # a form token without the cookie it must equal
    assert sql(client, "SELECT count(*) FROM web_sessions") == [(0,)]


@pytest.mark.parametrize(
    ("asked", "goes"),
    [
        ("/ui/cases?status=open", "/ui/cases?status=open"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/docs", "/"),
        ("/ui/logout", "/"),
        ("", "/"),
    ],
)
def test_sign_in_goes_back_only_to_pages_of_this_site(
    client: TestClient, api_key: str, asked: str, goes: str
) -> None:
    r = client.post(
        "/ui/login",
        data={"key": api_key, "csrf_token": login_form(client), "next": asked},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == goes


def test_sign_out_ends_the_session(client: TestClient, api_key: str) -> None:
    csrf = sign_in(client, api_key)
    old = client.cookies.get("tw_session")
    refused = client.post("/ui/logout", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    assert "Signed in as" in client.get("/ui/cases").text  # still signed in
    r = client.post("/ui/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?signed_out=1"
    assert cookies_set(r)["tw_session"]["value"] == ""
    assert "You are signed out" in client.get(r.headers["location"]).text
    assert sql(client, "SELECT count(*) FROM web_sessions") == [(0,)]
    # the old cookie, replayed, is nobody
    client.cookies.clear()
    client.cookies.set("tw_session", old or "")
    page = client.get("/ui/cases")
    assert "Signed in as" not in page.text and cookies_set(page)["tw_session"]["value"] == ""


def test_signing_in_again_replaces_the_session(client: TestClient, db: Path, api_key: str) -> None:
    sign_in(client, api_key)
    _, other = key(db, "supervisor", "sam")
    sign_in(client, other)
    assert [r[0] for r in sql(client, "SELECT key_id FROM web_sessions")] == [other[3:15]]
    assert "sam" in client.get("/ui/cases").text


# -- sessions that are no longer valid ---------------------------------------------------------


def test_expired_session(keys_required: None, client: TestClient, api_key: str) -> None:
    sign_in(client, api_key)
    sql(client, "UPDATE web_sessions SET expires_at = TIMESTAMP '2000-01-01 00:00:00'")
    r = client.get("/ui/cases", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/ui/login?next=%2Fui%2Fcases&why=expired"
    assert cookies_set(r)["tw_session"]["value"] == ""
    assert "Your session has expired" in client.get(r.headers["location"]).text
    assert sql(client, "SELECT count(*) FROM web_sessions") == [(0,)]


def test_expired_session_cannot_write(client: TestClient, api_key: str) -> None:
    csrf = sign_in(client, api_key)
    sql(client, "UPDATE web_sessions SET expires_at = TIMESTAMP '2000-01-01 00:00:00'")
    r = client.post(
        "/ui/declarations",
        files={"file": ("d.csv", declarations_csv(), "text/csv")},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login?")
    assert "why=expired" in r.headers["location"]
    assert runs(client) == 0


def runs(client: TestClient) -> int:
    state = service(client)
    with state.lock:
        return len(DeclarationStore.of(state.store).runs())


@pytest.mark.parametrize("forged", ["x" * 43, "tw_session", "a" * 500, "' OR 1=1 --"])
def test_forged_cookie_is_nobody(client: TestClient, api_key: str, forged: str) -> None:
    sign_in(client, api_key)
    client.cookies.clear()
    client.cookies.set("tw_session", forged)
    page = client.get("/ui/declarations")
    assert page.status_code == 200 and "Signed in as" not in page.text  # reads are open here
    assert cookies_set(page)["tw_session"]["value"] == ""
    r = client.post(
        "/ui/declarations",
        files={"file": ("d.csv", declarations_csv(), "text/csv")},
        data={"csrf_token": "anything"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login?")
    assert runs(client) == 0


def test_the_api_key_itself_is_not_a_session(client: TestClient, api_key: str) -> None:
    client.cookies.set("tw_session", api_key)
    assert "Signed in as" not in client.get("/ui/cases").text


def test_revoking_the_key_ends_its_sessions(
    keys_required: None, client: TestClient, db: Path
) -> None:
    key_id, secret = key(db, "analyst", "soon revoked")
    sign_in(client, secret)
    assert client.get("/ui/cases").status_code == 200
    service(client).keys.revoke(key_id)
    r = client.get("/ui/cases", follow_redirects=False)
    assert r.status_code == 303 and "why=revoked" in r.headers["location"]
    assert sql(client, "SELECT count(*) FROM web_sessions") == [(0,)]


# -- CSRF ----------------------------------------------------------------------------------------


def test_post_forms_need_the_session_token(
    app: FastAPI, client: TestClient, db: Path, api_key: str
) -> None:
    csrf = sign_in(client, api_key)
    upload = {"file": ("d.csv", declarations_csv(), "text/csv")}
    for token in (None, "", "wrong", csrf[:-1]):
        data = {} if token is None else {"csrf_token": token}
        r = client.post("/ui/declarations", files=upload, data=data)
        assert r.status_code == 403 and "out of date" in r.text
    assert runs(client) == 0
    # another session's token does not do either
    _, second = key(db, "analyst", "other")
    theirs = sign_in(browser(app), second)
    assert theirs != csrf
    r = client.post("/ui/declarations", files=upload, data={"csrf_token": theirs})
    assert r.status_code == 403 and runs(client) == 0
    r = client.post("/ui/screen", data={"name": "Profflab", "csrf_token": "wrong"})
    assert r.status_code == 403 and "out of date" in r.text and "Profflab LLC" not in r.text
    ok = client.post(
        "/ui/declarations", files=upload, data={"csrf_token": csrf}, follow_redirects=False
    )
    assert ok.status_code == 303 and runs(client) == 1


def test_case_decision_needs_the_session_token(client: TestClient, api_key: str) -> None:
    csrf = sign_in(client, api_key)
    case_id = open_case(client, csrf)
    r = client.post(f"/ui/cases/{case_id}", data={"action": "confirm", "csrf_token": "x" * 43})
    assert r.status_code == 403 and "nothing was done" in r.text
    assert trail(client, case_id) == []


def test_pages_forbid_framing_and_caching(client: TestClient) -> None:
    r = client.get("/ui/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"


# -- reads when keys are required ----------------------------------------------------------------


@pytest.mark.parametrize("path", [*PAGES, "/ui/declarations/abc", "/ui/cases/case_x"])
def test_reads_redirect_to_sign_in_when_keys_are_required(
    keys_required: None, db: Path, api_key: str, path: str
) -> None:
    with TestClient(web_app(db)) as c:
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/ui/login?next=")
        assert "Profflab" not in r.text and "<table" not in r.text
        login = c.get(r.headers["location"])
        assert login.status_code == 200 and "needs a key to read" in login.text
        assert c.get("/ui/static/style.css").status_code == 200
        token = csrf_of(login.text, "/ui/login")
        next_page = re.search(r'name="next" value="([^"]*)"', login.text)
        assert next_page and next_page.group(1).replace("&amp;", "&") == path
        back = c.post(
            "/ui/login",
            data={"key": api_key, "csrf_token": token, "next": next_page.group(1)},
            follow_redirects=False,
        )
        assert back.headers["location"] == path
        assert c.get(path).status_code in (200, 404)  # the page itself now


def test_screening_post_is_gated_too(keys_required: None, db: Path) -> None:
    with TestClient(web_app(db)) as c:
        r = c.post("/ui/screen", data={"name": "Profflab"}, follow_redirects=False)
        assert r.status_code == 303 and "Profflab LLC" not in r.text


def test_reads_are_open_without_the_setting(client: TestClient) -> None:
    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 200 and "Sign in" in r.text
    r = client.post("/ui/screen", data={"name": "Profflab"})
    assert r.status_code == 200 and "Profflab LLC" in r.text  # anonymous screening, as the API


# -- who decided ---------------------------------------------------------------------------------


def open_case(client: TestClient, csrf: str) -> str:
    r = client.post(
        "/ui/declarations",
        files={"file": ("d.csv", declarations_csv(), "text/csv")},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    listing = client.get("/ui/cases", params={"kind": "declaration", "status": "open"})
    ids = re.findall(r'href="/ui/cases/([^"]+)"', listing.text)
    assert ids
    return ids[0]


def trail(client: TestClient, case_id: str) -> list[tuple[str, str | None, str, str]]:
    from transitwatch.api.case_hooks import case_store

    state = service(client)
    store = case_store(state)
    with state.lock:
        return [(d.actor, d.actor_label, d.actor_role, d.action) for d in store.decisions(case_id)]


def test_decisions_are_recorded_as_the_signed_in_key(app: FastAPI, db: Path) -> None:
    alice_id, alice = key(db, "analyst", "alice")
    sam_id, sam = key(db, "supervisor", "sam")
    with TestClient(app) as a:
        s = browser(app)  # a second browser on the same service
        a_csrf = sign_in(a, alice)
        s_csrf = sign_in(s, sam)
        case_id = open_case(a, a_csrf)
        r = a.post(
            f"/ui/cases/{case_id}",
            data={"action": "escalate", "note": "check the consignee", "csrf_token": a_csrf},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        # an escalated case is the supervisor's: alice's session cannot decide it
        r = a.post(f"/ui/cases/{case_id}", data={"action": "confirm", "csrf_token": a_csrf})
        assert r.status_code == 422 and "needs the supervisor role" in r.text
        # nor can alice's form token be used from sam's browser, or sam's from alice's
        r = s.post(f"/ui/cases/{case_id}", data={"action": "confirm", "csrf_token": a_csrf})
        assert r.status_code == 403
        r = s.post(
            f"/ui/cases/{case_id}",
            data={"action": "confirm", "note": "true match", "csrf_token": s_csrf},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert trail(a, case_id) == [
            (alice_id, "alice", "analyst", "escalate"),
            (sam_id, "sam", "supervisor", "confirm"),
        ]
        page = a.get(f"/ui/cases/{case_id}").text
        assert "by alice (analyst)" in page and "by sam (supervisor)" in page
        # the API shows the same trail
        history = a.get(f"/cases/{case_id}").json()["history"]
        assert [(h["actor"], h["actor_role"]) for h in history] == [
            (alice_id, "analyst"),
            (sam_id, "supervisor"),
        ]
