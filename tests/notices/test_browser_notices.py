"""A victim asks sites to take it down, in Debian's Chromium: three addresses on two platforms
give two ready notices; one address is marked removed and stays so when the page comes back;
a reported address past its deadline shows a reminder. Screenshots in test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from browser import axe_violations, describe, new_page, shot
from tipline.db import Database
from tipline.notices import directory

pytestmark = pytest.mark.browser

URLS = [
    "https://samplesocial.example/p/123",
    "https://cdn.samplesocial.example/img/9.jpg",
    "https://clipshare.example/v/77",
]


@pytest.mark.parametrize(("lang", "locale"), [("en", "en-US"), ("es", "es-MX")])
def test_a_victim_prepares_notices_and_tracks_them(
    browser: Any, live_server: str, database: Database, lang: str, locale: str
) -> None:
    with database.session() as db_session:
        directory.load(db_session, text=directory.sample(), actor="test")
    page = new_page(browser, locale=locale, bypass_csp=True)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    try:
        page.goto(f"{live_server}/take-it-down/notices")
        page.locator("#notices-urls").fill("\n".join(URLS))
        page.locator("#notices-form button[type=submit]").click()
        page.wait_for_selector("#notices-result")
        # The select's change is kept only once the script has wired it up (a CI run once chose
        # "removed" before that, and nothing was remembered).
        page.wait_for_selector("html[data-notices-ready]", state="attached")
        notices = page.locator("article.notice")
        assert notices.count() == 2
        first = notices.nth(0)
        assert first.locator("h3").inner_text() == "Sample Social (synthetic)"
        text = first.locator("textarea.notice-text").input_value()
        assert URLS[0] in text
        assert URLS[1] in text
        assert ("TAKE IT DOWN Act" if lang == "en" else "Ley TAKE IT DOWN") in text
        # Mark the ClipShare address removed; reload the results: the browser remembers.
        clip_row = notices.nth(1).locator(f'tr[data-url="{URLS[2]}"]')
        clip_row.locator("select").select_option("removed")
        # Reported a week ago: the 48 hours have passed, so a reminder shows.
        page.evaluate(
            """([url]) => {
                const state = JSON.parse(localStorage.getItem('tipline.notices') || '{}');
                state[url] = {state: 'reported', reportedAt: Date.now() - 7 * 24 * 3600 * 1000};
                localStorage.setItem('tipline.notices', JSON.stringify(state));
            }""",
            [URLS[0]],
        )
        page.go_back()
        page.locator("#notices-form button[type=submit]").click()
        page.wait_for_selector("#notices-result")
        # The browser's record is put back once the script has run.
        page.wait_for_selector("html[data-notices-ready]", state="attached")
        notices = page.locator("article.notice")
        expect(notices.nth(1).locator(f'tr[data-url="{URLS[2]}"] select')).to_have_value("removed")
        reminder = notices.nth(0).locator(f'tr[data-url="{URLS[0]}"] .notice-reminder')
        expect(reminder).to_be_visible()
        assert not notices.nth(0).locator(f'tr[data-url="{URLS[1]}"] .notice-reminder').is_visible()
        shot(page, f"notices-{lang}")
        violations = axe_violations(page)
        assert not violations, describe(violations)
        # Only our own pages were asked for: no address the victim typed was fetched.
        assert all(r.split(" ", 1)[1].startswith(live_server) for r in requests), requests
    finally:
        page.context.close()
