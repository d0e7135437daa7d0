"""Quick exit leaves no trail, and help is one tap away: in Debian's Chromium on a phone-sized
page (390 px), as a frightened teenager would use the site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser import new_page

pytestmark = pytest.mark.browser


def test_quick_exit_leaves_one_history_entry_and_back_does_not_return(
    browser: Any, live_server: str
) -> None:
    page = new_page(browser)
    try:
        page.goto(f"{live_server}/")
        page.wait_for_selector("html[data-exit-ready]", state="attached")
        page.locator("nav.site-nav").get_by_role("link", name="Report").click()
        page.wait_for_url("**/report")
        page.locator("nav.site-nav").get_by_role("link", name="Take it down").click()
        page.wait_for_url("**/take-it-down")
        assert page.evaluate("history.length") == 2  # the blank tab, then this site once
        assert "sextortion" not in page.title().casefold()  # a neutral title in the tab
        page.locator("#quick-exit").click()
        page.wait_for_url("https://www.wikipedia.org/**")
        page.go_back()
        # Back leaves the site's single entry behind: it is the tab's first, blank page now.
        assert live_server not in page.url
    finally:
        page.context.close()


def test_escape_twice_asks_before_throwing_away_a_half_written_report(
    browser: Any, live_server: str
) -> None:
    page = new_page(browser)
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    try:
        page.goto(f"{live_server}/report")
        page.wait_for_selector("html[data-exit-ready]", state="attached")
        page.get_by_label("I am the person being threatened").check()
        page.get_by_role("button", name="Next").click()
        page.locator("#description").fill("He said he would send it tonight")
        page.locator("body").press("Escape")
        page.locator("body").press("Escape")
        assert asked, "leaving did not ask"
        assert page.url.endswith("/report")
        assert page.locator("#description").input_value() == "He said he would send it tonight"
        # On a page with nothing typed, Escape twice leaves at once.
        page.goto(f"{live_server}/help")
        page.wait_for_selector("html[data-exit-ready]", state="attached")
        page.locator("body").press("Escape")
        page.locator("body").press("Escape")
        page.wait_for_url("https://www.wikipedia.org/**")
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_crisis_lines_are_links_big_enough_to_tap(
    browser: Any, live_server: str, lang: str
) -> None:
    page = new_page(browser, locale="es-MX" if lang == "es" else "en-US")
    try:
        for path in ("/", "/help", "/report", "/take-it-down", "/parents"):
            page.goto(f"{live_server}{path}")
            links = page.locator("a.call")
            hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
            assert {"tel:911", "tel:988", "sms:988"} <= hrefs, path
            for i in range(links.count()):
                box = links.nth(i).bounding_box()
                assert box is not None
                assert box["height"] >= 44, (path, links.nth(i).inner_text())
                assert box["width"] >= 44, (path, links.nth(i).inner_text())
        page.goto(f"{live_server}/help")
        hrefs = {a.get_attribute("href") for a in page.locator("a.call").all()}
        assert {"tel:+18008435678", "mailto:gethelp@ncmec.org"} <= hrefs
        assert page.locator("#history").count() == 1  # how to clear the history
    finally:
        page.context.close()


def test_the_confirmation_keeps_the_code_on_one_line_and_copies_it(
    browser: Any, live_server: str
) -> None:
    page = new_page(browser)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page.goto(f"{live_server}/report")
        page.get_by_label("I am a parent or guardian").check()
        page.get_by_role("button", name="Next").first.click()
        page.get_by_label("Tell us what happened, in your own words").fill(
            "An account got pictures from my son and now demands money by tonight."
        )
        for step in (2, 3, 4, 5):
            page.locator(f'fieldset[data-step="{step}"]').get_by_role("button", name="Next").click()
        page.get_by_role("button", name="Send the report").click()
        page.wait_for_selector("html[data-done-ready]", state="attached")
        token = page.locator("#follow-up-token")
        # One line on a 390 px phone: the code's box is as tall as one line of its text.
        height = token.bounding_box()["height"]
        line = page.evaluate(
            "parseFloat(getComputedStyle(document.getElementById('follow-up-token')).lineHeight)"
        )
        assert height <= line * 1.3, (height, line)
        page.locator('button[data-copy="follow-up-token"]').click()
        page.wait_for_selector("#copy-status:has-text('Copied')")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == token.inner_text().strip()
        with page.expect_download() as download:
            page.locator("#save-codes").click()
        saved = Path(download.value.path()).read_text()
        assert token.inner_text().strip() in saved
        # A parent is not told to "tell an adult you trust".
        steps = page.locator("#next-steps").inner_text()
        assert "Tell an adult you trust" not in steps
        assert "not their fault" in steps
        # Quick exit is never held back by the "have you saved it?" question.
        page.locator("#quick-exit").click()
        page.wait_for_url("https://www.wikipedia.org/**")
    finally:
        page.context.close()


def test_each_step_is_checked_on_next_and_errors_link_to_their_fields(
    browser: Any, live_server: str
) -> None:
    page = new_page(browser)
    try:
        page.goto(f"{live_server}/report")
        page.get_by_role("button", name="Next").first.click()
        summary = page.locator('fieldset[data-step="1"] .error-summary')
        assert "Choose who you are." in summary.inner_text()
        assert page.locator('fieldset[data-step="1"]').is_visible()  # it did not move on
        page.get_by_label("I am a friend").check()
        page.get_by_role("button", name="Next").first.click()
        page.get_by_label("Tell us what happened, in your own words").fill("x")
        page.locator('fieldset[data-step="2"]').get_by_role("button", name="Next").click()
        link = page.locator('fieldset[data-step="2"] .error-summary a')
        assert "a few words at least" in link.inner_text()
        link.click()
        assert page.evaluate("document.activeElement.id") == "description"
        # Without the browser's checks, the server refuses one letter the same way, and only
        # the step with the error is open, its summary linking to the field.
        page.evaluate("document.querySelector('form.report-form').noValidate = true")
        page.evaluate(
            "document.getElementById('description').value = 'x';"
            "HTMLFormElement.prototype.submit.call(document.querySelector('form.report-form'))"
        )
        page.wait_for_selector("#error-summary")
        assert "a few words at least" in page.locator("#error-summary").inner_text()
        assert page.locator('fieldset[data-step="2"]').is_visible()
        assert not page.locator('fieldset[data-step="1"]').is_visible()
        page.locator("#error-summary a").first.click()
        assert page.evaluate("document.activeElement.id") == "description"
    finally:
        page.context.close()
