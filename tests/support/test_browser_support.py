"""The support desk end to end, in Debian's Chromium: a parent asks for support on a 390 px
phone, a family advocate works the request in the console (claim, a call, a counselling
referral with consent, a check-in, a peer), the parent sees what was arranged and never the
staff notes, and a peer and the parent write to each other through the site. axe-core finds no
WCAG 2.2 AA violation on the public pages; the form also renders in Spanish. Screenshots go to
test-artifacts/support-*.png."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts import PASSWORD, make_user
from browser import axe_violations, describe, new_page, shot, sign_in_with_totp
from tipline import builders
from tipline.db import Database
from tipline.support import directory

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
CONTACT = "+15125550123"
CALL_ME = "Rosa"
PEER_NAME = "Jordan"
PEER_EMAIL = "peer.jordan@example.test"
COUNSELLING = "Sample Youth Counselling Center"
FOR_FAMILY = "First appointment: Tuesday at 4 pm, ask for the youth team."
# Staff-only words: logged with the call and as a note, and never to reach the family's page.
NOTE = "Staff only: mother fears the stepfather reads her texts (zebra-4417)."
NOTE_MARK = "zebra-4417"
PEER_REPLIES = "Glad to hear it. I am here tomorrow evening too."
PEER_SAYS = "Hello Rosa, I am Jordan. We went through this too; I am here to listen."
FAMILY_SAYS = "Thank you, Jordan. It helps to know we are not the only ones."


def _desk_page(browser: Any) -> Any:
    return browser.new_context(viewport=DESK, locale="en-US").new_page()


def _no_horizontal_overflow(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways at 390 px: {widths}"


def _no_violations(page: Any, where: str, *, known: list[str] | None = None) -> None:
    violations = [
        v
        for v in axe_violations(page)
        if not (known and v["id"] == "target-size" and all(n == known for n in v["nodes"]))
    ]
    assert violations == [], f"{where}: {describe(violations)}"


def _ask_for_support(page: Any, base: str) -> tuple[str, str]:
    """The parent fills in /support and sends it; returns (request number, code)."""
    page.goto(f"{base}/support")
    assert page.locator("h1").inner_text() == "Ask for support"
    _no_horizontal_overflow(page)
    _no_violations(page, "/support")
    shot(page, "support-form")

    page.get_by_role("group", name="Is anyone thinking about suicide").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("group", name="Who needs support?").get_by_label("The young person").check()
    page.get_by_role("group", name="Who are you?").get_by_label("A parent or guardian").check()
    kinds = page.get_by_role("group", name="What kind of support would help?")
    for kind in (
        "Someone to talk to now",
        "Counselling near us",
        "Another family who has been through it",
    ):
        kinds.get_by_label(kind).check()
    page.get_by_label("A first name or nickname we can use").fill(CALL_ME)
    page.get_by_label("The young person's age").fill("14")
    page.get_by_label("Where you live").select_option("US-TX")
    reach = page.get_by_role("group", name="How is it safe to reach you?")
    reach.get_by_label("A text message").check()
    reach.get_by_label("Phone number or email").fill(CONTACT)
    reach.get_by_label("When is it safe to reach you?").fill("Weekdays after 6 pm")
    reach.get_by_label("Do not leave a voicemail or message").check()
    page.get_by_label("Anything you want us to know").fill(
        "Someone online has pictures of my son and wants money. He is scared and so am I."
    )
    page.get_by_role("button", name="Ask for support").click()

    # The confirmation: the number and the code, each with a Copy button (the script shows them).
    page.wait_for_selector("html[data-done-ready]", state="attached")
    assert page.locator("h1").inner_text() == "Your request was sent"
    number = page.locator("#case-number").inner_text().strip()
    code = page.locator("#follow-up-token").inner_text().strip()
    assert number.startswith("SR-")
    assert len(code) >= 16
    for target in ("case-number", "follow-up-token"):
        assert page.locator(f'button.copy[data-copy="{target}"]').is_visible(), target
    # The code on one line at 390 px, and nothing wider than the phone.
    token = page.locator("#follow-up-token")
    box = token.bounding_box()
    assert box is not None
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('follow-up-token')).lineHeight)"
    )
    assert box["height"] <= line * 1.3, (box["height"], line)
    assert box["x"] + box["width"] <= 390
    assert page.evaluate("document.getElementById('case-number').getClientRects().length") == 1
    _no_horizontal_overflow(page)
    _no_violations(page, "the confirmation page")
    shot(page, "support-done")
    # Copying counts as saving: the page no longer asks before it is left.
    page.locator('button.copy[data-copy="follow-up-token"]').click()
    page.wait_for_selector("#copy-status:has-text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == code
    return number, code


def _open_follow_up(page: Any, base: str, number: str, code: str, *, check: bool = False) -> None:
    page.goto(f"{base}/support/follow-up")
    if check:
        _no_horizontal_overflow(page)
        _no_violations(page, "/support/follow-up")
    page.get_by_label("Request number").fill(number)
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Open my request").click()
    page.wait_for_selector("#support-status")


def _advocate_step(page: Any, button: str, action: str, scope: Any | None = None) -> None:
    """Press a step's button on the request page and wait for the page to say it was done."""
    (scope or page).get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(f"**?done={action}")
    assert page.locator("#done").inner_text().endswith(action)


def test_a_family_is_supported_from_request_to_peer(
    browser: Any, live_server: str, database: Database
) -> None:
    with database.session() as db_session:
        directory.load(db_session, text=directory.sample_local(), actor="test")
        directory.load(db_session, text=directory.national(), actor="test")
    advocate_email = make_user(database, "advocate", "advocate.ana@example.test")
    builders.peer(
        database, email=PEER_EMAIL, first_name=PEER_NAME, languages=("en",), password=PASSWORD
    )

    parent = new_page(browser, bypass_csp=True)
    parent.context.grant_permissions(["clipboard-read", "clipboard-write"])
    advocate = _desk_page(browser)
    peer = new_page(browser)
    try:
        # 1. The parent asks for support on a phone.
        number, code = _ask_for_support(parent, live_server)

        # 2. The advocate signs in, finds the request in the queue and works it.
        sign_in_with_totp(advocate, live_server, advocate_email, PASSWORD)
        advocate.wait_for_url("**/console/support")
        queue = advocate.locator("#support-queue")
        queue.get_by_role("link", name=number).click()
        advocate.wait_for_url(f"**/console/support/{number}")
        assert CONTACT in advocate.locator("#reach").inner_text()
        assert "Do not leave a voicemail" in advocate.locator("#careful").inner_text()

        _advocate_step(advocate, "Claim", "claim", advocate.locator(".actions"))
        assert advocate.get_by_role("button", name="Release").is_visible()

        advocate.get_by_label("How", exact=True).select_option(label="A phone call")
        advocate.get_by_label("Outcome").select_option(label="Reached")
        advocate.get_by_label("Note (staff only, never shown to the family)").fill(NOTE)
        _advocate_step(advocate, "Log contact", "contact")
        log = advocate.locator("#support-log").inner_text()
        assert "Reached" in log
        assert NOTE_MARK in log

        advocate.get_by_label("Note (staff only)", exact=True).fill(f"Also: {NOTE}")
        _advocate_step(advocate, "Add note", "note")

        refer = advocate.locator("#refer-form")
        option = refer.locator("#refer-service option", has_text=COUNSELLING)
        assert option.count() == 1, refer.locator("#refer-service").inner_text()
        refer.get_by_label("Service").select_option(option.get_attribute("value"))
        refer.get_by_label("The family agreed to this referral").check()
        refer.get_by_label("Who agreed").select_option(label="A parent or guardian")
        refer.get_by_label("How they agreed").select_option(label="A phone call")
        refer.get_by_label("What the family will see").fill(FOR_FAMILY)
        _advocate_step(advocate, "Refer", "refer", refer)
        referrals = advocate.locator("#support-referrals").inner_text()
        assert COUNSELLING in referrals
        assert "A parent or guardian" in referrals

        check_in = datetime.now(UTC) + timedelta(days=3)
        advocate.get_by_label("When (your time zone)").fill(check_in.strftime("%Y-%m-%dT%H:%M"))
        _advocate_step(advocate, "Schedule", "check-in")
        assert "Waiting for the next check-in" in advocate.locator("main").inner_text()
        shot(advocate, "support-console-request")

        # 3. The parent sees what was arranged, and none of the staff notes.
        _open_follow_up(parent, live_server, number, code, check=True)
        arranged = parent.locator("#arranged")
        assert COUNSELLING in arranged.inner_text()
        assert FOR_FAMILY in arranged.inner_text()
        heading = parent.get_by_role("heading", name="What was arranged")
        assert heading.is_visible()
        assert parent.evaluate(
            "() => document.querySelector('#arranged').previousElementSibling.textContent"
        ) == ("What was arranged")
        body = parent.content()
        assert NOTE_MARK not in body
        assert "stepfather" not in body
        assert "Waiting for the next check-in" in parent.locator("#support-status").inner_text()
        _no_horizontal_overflow(parent)
        _no_violations(parent, "the follow-up status page")
        shot(parent, "support-status")

        # 4. A peer: proposed by the advocate, yes from the family, yes from the peer, then
        # messages through the site.
        advocate.reload()
        match_form = advocate.locator("#match-form")
        match_form.get_by_label("Peer", exact=True).select_option(
            label=match_form.locator("#match-peer option", has_text=PEER_NAME).inner_text()
        )
        match_form.get_by_label("What both will read about why this match").fill(
            "Jordan's family went through the same thing two years ago."
        )
        _advocate_step(advocate, "Propose", "match", match_form)
        assert PEER_NAME in advocate.locator("#peer-matches").inner_text()

        _open_follow_up(parent, live_server, number, code)
        offer = parent.locator("section.peer-match")
        assert PEER_NAME in offer.locator("h2").inner_text()
        offer.get_by_role("button", name="Yes, I would like to talk").click()
        parent.wait_for_selector("p.notice[role=status]")
        assert "say yes too" in parent.locator("p.notice[role=status]").inner_text()

        sign_in_with_totp(peer, live_server, PEER_EMAIL, PASSWORD)
        peer.wait_for_url("**/peer")
        matches = peer.locator("#peer-matches")
        assert "Waiting for your answer" in matches.inner_text()
        matches.get_by_role("link", name=CALL_ME).click()
        peer.wait_for_url("**/peer/matches/*")
        peer.get_by_role("button", name="Accept this match").click()
        peer.wait_for_url("**?done=accept")
        peer.get_by_label("Your message").fill(PEER_SAYS)
        peer.get_by_role("button", name="Send", exact=True).click()
        peer.wait_for_url("**?done=message")
        assert PEER_SAYS in peer.locator("#messages").inner_text()
        assert CONTACT not in peer.content()  # the family's number never reaches the peer

        _open_follow_up(parent, live_server, number, code)
        conversation = parent.locator("section.peer-match")
        assert PEER_SAYS in conversation.locator("ol.messages").inner_text()
        conversation.get_by_label("Your message").fill(FAMILY_SAYS)
        conversation.get_by_role("button", name="Send", exact=True).click()
        parent.wait_for_selector("p.notice[role=status]:has-text('Your message was sent.')")
        assert FAMILY_SAYS in parent.locator("section.peer-match ol.messages").inner_text()
        _no_horizontal_overflow(parent)
        shot(parent, "support-family-messages")

        peer.reload()
        messages = peer.locator("#messages").inner_text()
        assert FAMILY_SAYS in messages
        assert messages.index(PEER_SAYS) < messages.index(FAMILY_SAYS)
        shot(peer, "support-peer-match")

        # The peer answers; the parent reloads and reads it without typing the number and code
        # again, and the reload sends nothing twice.
        peer.get_by_label("Your message").fill(PEER_REPLIES)
        peer.get_by_role("button", name="Send", exact=True).click()
        peer.wait_for_url("**?done=message")
        assert "/support/follow-up/status" in parent.url
        parent.reload()
        thread = parent.locator("section.peer-match ol.messages").inner_text()
        assert PEER_REPLIES in thread
        assert thread.count(FAMILY_SAYS) == 1
        # On a shared phone the parent closes the page; the next person sees only the form.
        parent.get_by_role("button", name="Close this page on this device").click()
        parent.wait_for_url("**/support/follow-up")
        parent.goto(f"{live_server}/support/follow-up/status")
        assert PEER_REPLIES not in parent.content()
        assert "This page has closed" in parent.locator("main").inner_text()
    finally:
        for page in (parent, advocate, peer):
            page.context.close()


def test_the_support_form_in_spanish(browser: Any, live_server: str) -> None:
    # A phone set to Mexican Spanish gets the form in Spanish.
    page = new_page(browser, locale="es-MX", bypass_csp=True)
    try:
        page.goto(f"{live_server}/support")
        assert page.locator("html").get_attribute("lang") == "es"
        _no_violations(page, "/support in Spanish")
        assert page.locator("h1").inner_text() == "Pedir apoyo"
        assert page.get_by_role("group", name="¿Quién necesita apoyo?").is_visible()
        assert page.get_by_role("button", name="Pedir apoyo").is_visible()
        _no_horizontal_overflow(page)
        shot(page, "support-form-es")
    finally:
        page.context.close()
    # An English phone switches with the language link.
    page = new_page(browser)
    try:
        page.goto(f"{live_server}/support")
        assert page.locator("h1").inner_text() == "Ask for support"
        page.get_by_role("link", name="Español").click()
        page.wait_for_function("document.documentElement.lang === 'es'")
        assert page.url.endswith("/support")
        assert page.locator("h1").inner_text() == "Pedir apoyo"
    finally:
        page.context.close()
