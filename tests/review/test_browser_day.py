"""An analyst's working day on the demo data, in Debian's Chromium at desk sizes: find a report
by the suspect's handle, read the child's age and what the reporter added later, claim,
classify, refer; the agency sees the same facts and finds them in the package's summary.
Screenshots at 1366 and 1280 pixels go to test-artifacts/; no case number wraps."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest

from browser import ARTIFACTS, sign_in_with_totp
from tipline import builders, demo
from tipline.db import Database, utcnow
from tipline.reports import intake
from tipline.reports import service as reports

pytestmark = pytest.mark.browser
CALIFORNIA = "California Child Exploitation Task Force (synthetic)"
HANDLE = "quiet_fox_day"
CHILD = {
    "role": "victim",
    "age": 14,
    "gender": "female",
    "country": "US",
    "region": "US-CA",
    "school": "Example Middle School (synthetic)",
}
REPORTER = {
    "role": "reporter",
    "name": "A. Parent",
    "email": "parent.day@example.test",
    "phone": "+1 555 0100",
    "preferred_contact": "text",
}
ADDED = "He wrote again at 11pm and gave her until the morning to pay."


def _desk_page(browser: Any, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    return context.new_page()


def _the_report(database: Database) -> str:
    with database.session() as db_session:
        made = builders.report(
            db_session,
            reporter_role="parent_guardian",
            description="An account on SampleChat got pictures from my daughter and now wants "
            "200 dollars in gift cards, or it sends them to her school friends.",
            sextortion=True,
            demands=["money"],
            people=[CHILD, REPORTER],
            accounts=[{"role": "suspect", "platform": "SampleChat", "handle": HANDLE}],
            received_at=utcnow() - timedelta(hours=3),
        )
        report = reports.get_report(db_session, ref=made.id)
        intake.add_update(db_session, report=report, text=ADDED)
        return made.case_number


def _no_case_number_wraps(page: Any) -> None:
    wrapped = page.evaluate(
        """() => Array.from(document.querySelectorAll('.case-number, td.case a'))
            .filter(el => el.getClientRects().length > 1
                    || el.getBoundingClientRect().height > 1.8 * parseFloat(
                        getComputedStyle(el).lineHeight || '20'))
            .map(el => el.textContent)"""
    )
    assert wrapped == [], f"case numbers wrapped: {wrapped}"


def _shots(page: Any, name: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"day-{name}-{width}.png"), full_page=True)
    _no_case_number_wraps(page)


@pytest.mark.parametrize("width", [1366, 1280])
def test_an_analysts_day(
    browser: Any, live_server: str, database: Database, settings: Any, width: int
) -> None:
    with database.session() as db_session:
        demo.load(db_session, settings=settings, reports_count=60)
    case = _the_report(database)

    analyst = _desk_page(browser, width)
    sign_in_with_totp(analyst, live_server, "demo-analyst@tipline.local", "demo-analyst-password")
    analyst.wait_for_url("**/console")
    # The console is a staff page: no public navigation, no Quick exit.
    assert analyst.locator("#quick-exit").count() == 0
    assert analyst.locator("nav.site-nav").count() == 0
    assert "of" in analyst.locator("#pager-top .count").inner_text()
    _shots(analyst, "queue", width)

    # Find it by the suspect's handle.
    analyst.get_by_label("Find by case number").fill(HANDLE)
    analyst.get_by_role("button", name="Search").click()
    analyst.locator("#search-results").get_by_role("link", name=case).click()
    analyst.wait_for_url("**/console/reports/*")
    assert analyst.locator(".the-child .child-age").inner_text() == "14"
    assert "California" in analyst.locator(".the-child .child-location").inner_text()
    assert ADDED in analyst.locator(".added-later").inner_text()
    assert "+1 555 0100" in analyst.locator(".the-reporter").inner_text()
    assert "Parent or guardian" in analyst.locator(".reporter-role").inner_text()
    assert "Money" in analyst.locator(".demands").inner_text()
    assert analyst.locator("#new-information").is_visible()
    _shots(analyst, "report", width)

    analyst.locator("#claim-bar").get_by_role("button", name="Claim").click()
    analyst.wait_for_url("**/console/reports/*")
    assert "You are working on this report" in analyst.locator("#claim-bar").inner_text()
    assert analyst.locator("#new-information").count() == 0  # claiming read the additions
    analyst.get_by_label("Incident type").select_option("online_enticement")
    analyst.get_by_role("button", name="Save classification").click()
    analyst.wait_for_url("**/console/reports/*")
    assert "Classified" in analyst.locator("body").inner_text()
    refer = analyst.locator("#refer-form")
    assert CALIFORNIA in refer.inner_text()
    refer.get_by_role("button", name="Refer").click()
    analyst.wait_for_url("**/console/referrals/RF-*")
    number = analyst.url.rsplit("/", 1)[-1]
    assert "Demo Analyst" in analyst.locator("#referral-referred-by").inner_text()
    _shots(analyst, "referral", width)

    # The agency: the same facts on its page and in the package.
    agency = _desk_page(browser, width)
    sign_in_with_totp(agency, live_server, "demo-agency@tipline.local", "demo-agency-password")
    agency.wait_for_url("**/agency")
    assert agency.locator("#quick-exit").count() == 0
    agency.get_by_role("link", name=number).click()
    agency.wait_for_url(f"**/agency/referrals/{number}")
    body = agency.locator("main").inner_text()
    facts = ("14", ADDED, "+1 555 0100", "parent.day@example.test", HANDLE, CHILD["school"])
    for fact in (*facts, "By text message"):
        assert fact in body, fact
    _shots(agency, "agency-referral", width)
    with agency.expect_download() as download:
        agency.get_by_role("link", name="Download the referral package (logged)").click()
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as package:
        summary = package.read("summary.html").decode()
        names = package.namelist()
    assert "summary.pdf" in names
    for fact in (case, *facts, "By text message"):
        assert fact in summary, fact
    for page in (analyst, agency):
        page.context.close()
