"""In Debian's Chromium, through Playwright: sign-in with TOTP, and the quick exit."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from accounts import make_user

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# Without these, Chromium reaches for Google's services at start, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    # The quick exit leaves for a neutral site; answer it locally, as the machine is offline.
    context.route(
        re.compile(r"https://www\.wikipedia\.org/.*"),
        lambda route: route.fulfill(status=200, body="<title>Wikipedia</title>neutral page"),
    )
    pg = context.new_page()
    yield pg
    context.close()


def _shot(pg, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_staff_sign_in_with_totp_enrolment(page, live_server: str, database) -> None:  # type: ignore[no-untyped-def]
    email = make_user(database, "analyst")
    page.goto(f"{live_server}/console")
    assert page.url.endswith("/console/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/totp/enrol")
    _shot(page, "console-totp-enrol")
    assert page.locator(".qr img").is_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_url("**/console")
    assert page.get_by_role("heading", name="Reports").is_visible()
    _shot(page, "console-home")


def test_quick_exit_leaves_no_history_entry(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/help")
    _shot(page, "help")
    page.locator("#quick-exit").click()
    page.wait_for_url("https://www.wikipedia.org/")
    page.go_back()
    # Back skips the help page the exit was pressed on: it was replaced, not stacked.
    assert page.url == f"{live_server}/"
