"""The web app in headless Chromium (Debian's chromium + chromedriver, driven by Selenium):
sign in with an API key, screen a name, upload declarations and page through the queue, open a
red declaration, decide a case, open the flows dashboard, sign out, with a PNG screenshot of
each page in artifacts/browser/. Skipped when the browser or driver is absent
(`.ci/install-browser` installs them)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import declarations_csv, web_app

CHROMIUM = os.environ.get("TRANSITWATCH_CHROMIUM", "/usr/bin/chromium")
DRIVER = os.environ.get("TRANSITWATCH_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"

webdriver = pytest.importorskip("selenium.webdriver", reason="pip package selenium not installed")
if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
    pytest.skip(
        f"headless browser tests need {CHROMIUM} and {DRIVER} "
        "(Debian packages chromium and chromium-driver: run .ci/install-browser)",
        allow_module_level=True,
    )

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(db: Path, api_key: str) -> Iterator[str]:
    import uvicorn

    port = free_port()
    config = uvicorn.Config(web_app(db), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="tw-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=DRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def shot(driver: Any, name: str) -> Path:
    """A full-page PNG (the window made as tall as the page) in artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, min(max(int(height), 900), 6000))
    path = ARTIFACTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), path
    driver.set_window_size(1366, 900)
    return path


def wait_for(driver: Any, css: str, timeout: float = 120) -> Any:
    return WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def test_web_app_in_headless_chromium(
    server: str, browser: Any, api_key: str, tmp_path: Path
) -> None:
    d = browser
    d.get(server + "/")
    assert d.find_element(By.TAG_NAME, "h1").text == "TransitWatch"
    # the skip link is the first thing the keyboard reaches
    d.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert d.switch_to.active_element.text == "Skip to content"
    shot(d, "01-home")

    # sign in once, with the keyboard: the key in its field, Enter
    d.find_element(By.LINK_TEXT, "Sign in").click()
    wait_for(d, "#key")
    assert d.switch_to.active_element.get_attribute("id") == "key"  # focused on arrival
    shot(d, "01b-sign-in")
    d.switch_to.active_element.send_keys(api_key + Keys.ENTER)
    who = wait_for(d, "header .who strong")
    assert who.text == "web test"
    assert "analyst" in d.find_element(By.CSS_SELECTOR, ".who .role").text.lower()
    assert "tw_session" not in d.execute_script("return document.cookie")  # HttpOnly
    assert api_key not in str(d.get_cookies())  # the cookie is a session id, never the key

    # screen a Cyrillic name, submitting with the keyboard (Enter in the name field)
    d.get(server + "/ui/screen")
    name = d.find_element(By.ID, "name")
    name.send_keys("Колбаев Камчыбек Асанбек уулу")
    name.send_keys(Keys.ENTER)
    hit = wait_for(d, "li.hit")
    assert "KOLBAYEV" in hit.text and "name matches listed" in hit.text
    shot(d, "02-screen-hit")

    # upload a generated declarations file; open a red declaration
    path = tmp_path / "declarations.csv"
    path.write_bytes(declarations_csv())
    d.get(server + "/ui/declarations")
    d.find_element(By.ID, "file").send_keys(str(path))
    d.find_element(By.CSS_SELECTOR, "form[action='/ui/declarations'] button").send_keys(Keys.ENTER)
    wait_for(d, "#lane-red")
    assert "Screened" in d.find_element(By.CSS_SELECTOR, ".notice.ok").text
    assert d.find_element(By.ID, "shown").text.startswith("Declarations 1–50 of 301")
    shot(d, "03-declarations-queue")
    queue_url = d.current_url
    # page 2 through the pager, with the keyboard
    d.find_element(By.CSS_SELECTOR, "nav.pager a[rel=next]").send_keys(Keys.ENTER)
    WebDriverWait(d, 60).until(lambda drv: "51–100" in drv.find_element(By.ID, "shown").text)
    d.get(queue_url)
    Select(d.find_element(By.ID, "lane")).select_by_value("red")
    d.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait_for(d, "#lane-red")
    assert not d.find_elements(By.ID, "lane-green")
    d.find_element(By.CSS_SELECTOR, "table.queue a").click()
    wait_for(d, "#reasons")
    assert "RED" in d.find_element(By.CSS_SELECTOR, ".verdict .lane").text.upper()
    shot(d, "04-declaration-red")

    # decide a case (if the case store exists)
    cases = d.find_elements(By.CSS_SELECTOR, ".verdict a[href^='/ui/cases/']")
    if cases:
        cases[0].click()
        wait_for(d, "#decide")
        d.find_element(By.ID, "action-dismiss").click()
        d.find_element(By.ID, "note").send_keys("Known importer; goods checked on paper")
        d.find_element(By.CSS_SELECTOR, "#decide ~ form button").send_keys(Keys.ENTER)
        notice = wait_for(d, ".notice.ok")
        assert "dismissed" in notice.text
        assert "by web test (analyst)" in d.find_element(By.CSS_SELECTOR, "ol.history").text
        shot(d, "05-case-decided")
        d.get(server + "/ui/cases")
        wait_for(d, "table")
        shot(d, "06-cases")
    else:
        d.get(server + "/ui/cases")
        assert "not available yet" in d.find_element(By.TAG_NAME, "main").text
        shot(d, "05-cases-unavailable")

    # the flows dashboard, with a filter chosen
    d.get(server + "/ui/flows?transit=KG&from=2020")
    wait_for(d, "svg")
    assert len(d.find_elements(By.CSS_SELECTOR, "figure svg")) == 3
    shot(d, "07-flows")

    # sign out: the header's button; the pages then show "Sign in" again
    d.find_element(By.CSS_SELECTOR, "header form.inline button").click()
    wait_for(d, ".notice.ok")
    assert "signed out" in d.find_element(By.CSS_SELECTOR, ".notice.ok").text
    assert not d.find_elements(By.CSS_SELECTOR, "header .who strong")
    shot(d, "08-signed-out")
    for name in ("01-home", "01b-sign-in", "02-screen-hit", "03-declarations-queue",
                 "04-declaration-red"):  # fmt: skip
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5000
