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
        # A US company is sent English on either page; the Spanish page shows its Spanish beside.
        assert "TAKE IT DOWN Act" in text
        if lang == "es":
            reader = first.locator("textarea.notice-reader").input_value()
            assert "Ley TAKE IT DOWN" in reader
            assert URLS[0] in reader
        else:
            assert first.locator("textarea.notice-reader").count() == 0
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
        # Coming back later: the addresses are still in the box, and prepared again.
        page.reload()
        page.wait_for_selector("html[data-notices-ready]", state="attached")
        assert page.locator("#notices-urls").input_value().split("\n") == URLS
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


PARENT = {
    "en": {
        "relationship": "I am their parent or guardian",
        "for_child": "on behalf of my child, who is under 18",
        "copied": "Copied",
        "forget": "Forget these addresses",
    },
    "es": {
        "relationship": "Soy su madre, padre o tutor",
        "for_child": "en nombre de mi hijo o hija, que es menor de 18 años",
        "copied": "Copiado",
        "forget": "Olvidar estas direcciones",
    },
}
INSTAGRAM = "https://www.instagram.com/p/example123/"
NAME = "Robin Sampleparent"
EMAIL = "robin.parent@example.test"


@pytest.mark.parametrize(("lang", "locale"), [("en", "en-US"), ("es", "es-MX")])
def test_a_parent_sends_a_notice_for_their_child(
    browser: Any, live_server: str, database: Database, lang: str, locale: str
) -> None:
    """The parent's name, relationship and email go into the notice on the page and nowhere else:
    the notice to Instagram (a US company) is in English, with the Spanish beside it on the
    Spanish page; Copy says it copied; the addresses come back after a reload until forgotten."""
    with database.session() as db_session:
        directory.load(db_session, text=directory.platforms(), actor="test")
    words = PARENT[lang]
    page = new_page(browser, locale=locale, bypass_csp=True)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.method} {r.url} {r.post_data or ''}"))
    try:
        page.goto(f"{live_server}/take-it-down/notices")
        page.wait_for_selector("html[data-notices-ready]", state="attached")
        page.locator("#notices-name").fill(NAME)
        page.get_by_label(words["relationship"]).check()
        page.locator("#notices-email").fill(EMAIL)
        page.locator("#notices-urls").fill(INSTAGRAM)
        page.locator("#notices-form button[type=submit]").click()
        page.wait_for_selector("#notices-result")
        notice = page.locator("article.notice")
        expect(notice).to_have_count(1)
        assert notice.locator("h3").inner_text() == "Instagram"
        text = notice.locator("textarea.notice-text").input_value()
        assert text.startswith("To the trust and safety team of Instagram,")
        assert "on behalf of my child, who is under 18" in text
        assert "It shows me" not in text
        assert INSTAGRAM in text
        assert NAME in text
        assert EMAIL in text
        assert "[your name]" not in text
        assert "[your email or phone]" not in text
        readers = notice.locator("textarea.notice-reader")
        if lang == "es":
            expect(notice.get_by_text("En español, para que sepas lo que dice")).to_be_visible()
            reader = readers.input_value()
            assert words["for_child"] in reader
            assert NAME in reader
            assert EMAIL in reader
        else:
            expect(readers).to_have_count(0)
        # Changing who is sending changes the notice at once, still on the page.
        page.locator("#notices-name").fill("")
        text = notice.locator("textarea.notice-text").input_value()
        assert NAME not in text
        assert "[your name]" in text
        page.locator("#notices-name").fill(NAME)

        notice.locator("button.notice-copy").click()
        copied = notice.get_by_role("status").filter(has_text=words["copied"])
        expect(copied).to_be_visible()
        expect(notice.locator(".notice-copied")).to_have_text("", timeout=8000)

        violations = axe_violations(page)
        assert not violations, describe(violations)
        shot(page, f"notices-parent-{lang}")

        # Coming back: the address is listed again, and nothing of the sender was kept.
        page.reload()
        page.wait_for_selector("html[data-notices-ready]", state="attached")
        kept = page.locator("#notices-kept")
        expect(kept).to_be_visible()
        expect(kept.locator("li")).to_have_count(1)
        expect(kept.locator("li")).to_contain_text(INSTAGRAM)
        assert page.locator("#notices-urls").input_value() == INSTAGRAM
        assert page.locator("#notices-name").input_value() == ""
        stored = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
        assert NAME not in stored
        assert EMAIL not in stored
        assert INSTAGRAM in stored

        page.get_by_role("button", name=words["forget"]).click()
        expect(kept).to_be_hidden()
        expect(page.locator("#notices-forget-status")).not_to_have_text("")
        assert page.locator("#notices-urls").input_value() == ""
        stored = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
        assert INSTAGRAM not in stored
        page.reload()
        page.wait_for_selector("html[data-notices-ready]", state="attached")
        expect(page.locator("#notices-kept")).to_be_hidden()

        # No request the page made carried the name or the email, in its address or its body.
        assert any(r.startswith("POST ") for r in sent), sent
        for request in sent:
            assert NAME not in request
            assert NAME.replace(" ", "+") not in request
            assert EMAIL not in request
            assert EMAIL.replace("@", "%40") not in request
        assert all(r.split(" ", 2)[1].startswith(live_server) for r in sent), sent
    finally:
        page.context.close()
