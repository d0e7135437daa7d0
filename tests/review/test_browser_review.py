"""The hotline at work, in Debian's Chromium: an analyst triages the top of the demo queue,
merges two related reports into one incident and refers it; the agency acknowledges it and
records an outcome; the analyst sees the outcome. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from browser import new_page, shot, sign_in_with_totp
from tipline import builders, demo
from tipline.db import Database, utcnow

pytestmark = pytest.mark.browser
CALIFORNIA = "California Child Exploitation Task Force (synthetic)"


def _two_related_urgent_reports(database: Database) -> list[str]:
    # Older than anything in the demo queue and in the top tier: these two lead the queue.
    cases = []
    with database.session() as db_session:
        for hours in (24 * 90, 24 * 89):
            made = builders.report(
                db_session,
                reporter_role="parent_guardian",
                description="An account is threatening my daughter and says it will come to "
                "her school today.",
                sextortion=True,
                child_in_danger=True,
                people=[{"role": "victim", "age": 14, "country": "US", "region": "US-CA"}],
                accounts=[{"role": "suspect", "platform": "SampleChat", "handle": "e2e_offender"}],
                received_at=utcnow() - timedelta(hours=hours),
            )
            cases.append(made.case_number)
    return cases


def test_triage_merge_refer_and_the_agency_answers(
    browser: Any, live_server: str, database: Database, settings: Any
) -> None:
    with database.session() as db_session:
        demo.load(db_session, settings=settings, reports_count=60)
    first_case, second_case = _two_related_urgent_reports(database)

    analyst = new_page(browser)
    sign_in_with_totp(analyst, live_server, "demo-analyst@tipline.local", "demo-analyst-password")
    analyst.wait_for_url("**/console")
    shot(analyst, "review-queue")
    top = analyst.locator("table.queue tbody tr").first
    assert first_case in top.inner_text()
    assert "Child in imminent danger" in top.inner_text()
    top.get_by_role("button", name="Claim").click()
    analyst.wait_for_url("**/console/reports/*")
    analyst.get_by_role("button", name="Save classification").click()
    analyst.wait_for_load_state()
    assert "· Classified ·" in analyst.locator("body").inner_text()  # on the timeline, by name

    # The second report is proposed, checked already: merge them.
    merge = analyst.locator("#merge-form")
    assert second_case in merge.inner_text()
    shot(analyst, "review-report-proposals")
    merge.get_by_role("button", name="Merge into one incident").click()
    analyst.wait_for_url("**/console/incidents/IN-*")
    incident_reports = analyst.locator("#incident-reports").inner_text()
    assert first_case in incident_reports
    assert second_case in incident_reports
    shot(analyst, "review-incident")

    # Refer from the report: the whole incident goes to the agency routing suggests.
    analyst.get_by_role("link", name=first_case).click()
    refer = analyst.locator("#refer-form")
    assert CALIFORNIA in refer.inner_text()
    refer.get_by_role("button", name="Refer").click()
    analyst.wait_for_url("**/console/referrals/RF-*")
    number = analyst.url.rsplit("/", 1)[-1]
    assert second_case in analyst.locator("#referral-reports").inner_text()
    shot(analyst, "review-referral-sent")

    # The agency, in its own browser.
    agency = new_page(browser)
    sign_in_with_totp(agency, live_server, "demo-agency@tipline.local", "demo-agency-password")
    agency.wait_for_url("**/agency")
    agency.get_by_role("link", name=number).click()
    agency.get_by_role("button", name="Acknowledge").click()
    agency.wait_for_load_state()
    assert agency.locator("#referral-status").inner_text() == "Acknowledged"
    agency.get_by_label("Outcome").select_option("arrest")
    agency.get_by_label("Note").fill("Suspect identified from the payment handle.")
    agency.get_by_role("button", name="Save outcome").click()
    agency.wait_for_load_state()
    assert "Arrest" in agency.locator("#referral-outcome").inner_text()
    shot(agency, "agency-outcome")

    # Another agency's user does not see it.
    other = new_page(browser)
    sign_in_with_totp(other, live_server, "demo-agency-tx@tipline.local", "demo-agency-tx-password")
    other.wait_for_url("**/agency")
    assert number not in other.locator("#referrals").inner_text()

    # Back in the console, the outcome is on the report.
    analyst.goto(f"{live_server}/console/reports/{first_case}")
    assert "Arrest" in analyst.locator("#report-referrals").inner_text()
    shot(analyst, "review-outcome-seen")
    for pg in (analyst, agency, other):
        pg.context.close()
