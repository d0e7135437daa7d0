"""Shared Playwright set-up: Debian's Chromium, a phone-sized page, axe-core, screenshots."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
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
PHONE = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: `make test` installs it")

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


def new_page(browser: Any, *, locale: str = "en-US", bypass_csp: bool = False) -> Any:
    context = browser.new_context(viewport=PHONE, locale=locale, bypass_csp=bypass_csp)
    # The quick exit leaves for a neutral site; answer it locally, as the machine is offline.
    context.route(
        re.compile(r"https://www\.wikipedia\.org/.*"),
        lambda route: route.fulfill(status=200, body="<title>Wikipedia</title>neutral page"),
    )
    return context.new_page()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page (the context must bypass CSP to inject it)."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: `make test` fetches it from npm")
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1)


def sign_in_with_totp(page: Any, base: str, email: str, password: str) -> str:
    """Sign in through the pages, enrolling TOTP as a first-time user does; returns the secret."""
    page.goto(f"{base}/console/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/totp/enrol")
    secret = str(page.locator("#totp-secret").inner_text().strip())
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_load_state()
    return secret
