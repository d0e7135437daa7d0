"""The report page shows the whole report as an analyst reads it: the child, the reporter and
how to reach them, what happened, and what the reporter added later, in full."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import date

from fastapi.testclient import TestClient

from accounts import csrf, make_org, make_user, sign_in
from tipline import builders
from tipline.audit import service as audit
from tipline.db import Database
from tipline.evidence import service as evidence
from tipline.evidence.events import EvidenceEvent
from tipline.reports import intake
from tipline.reports import service as reports


def test_the_analyst_reads_everything_the_reporter_gave(
    client: TestClient, database: Database
) -> None:
    made = builders.report(
        database,
        reporter_role="parent_guardian",
        description="An account asked my son for pictures, then demanded gift cards. "
        "They gave him 2 hours.",
        sextortion=True,
        demands=["money", "images"],
        incident_date=date(2026, 11, 28),
        people=[
            {"role": "victim", "age": 14, "gender": "male", "country": "US", "region": "US-CA"},
            {
                "role": "reporter",
                "name": "Synthetic Parent",
                "email": "parent.demo@example.test",
                "phone": "+1 555 0100",
            },
        ],
    )
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=made.id)
        intake.add_update(
            db_session, report=report, text="They wrote again tonight and gave a deadline."
        )
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{made.case_number}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    child = text.split('class="the-child"', 1)[1].split("</dl>", 1)[0]
    assert "14" in child
    assert "Male" in child  # labels, not the stored codes
    assert "California (US-CA)" in child
    reporter = text.split('class="the-reporter"', 1)[1].split("</dl>", 1)[0]
    reporter_facts = ("Parent or guardian", "Synthetic Parent", "parent.demo@example.test")
    for value in (*reporter_facts, "+1 555 0100"):
        assert value in reporter, value
    happened = text.split('class="what-happened"', 1)[1].split("</dl>", 1)[0]
    assert "2026-11-28" in happened
    assert "Money, More images" in happened
    assert "2 hours" in happened  # the deadline words that raised the priority
    later = text.split('class="added-later"', 1)[1].split("</ol>", 1)[0]
    assert "They wrote again tonight and gave a deadline." in later
    # The timeline names people, not ids.
    client.post(
        f"/console/queue/{made.id}/claim", data={"csrf_token": csrf(page)}, follow_redirects=True
    )
    timeline = html.unescape(client.get(f"/console/reports/{made.case_number}").text)
    timeline = timeline.split(">Timeline<", 1)[1]
    assert "analyst@example.test (analyst)" in timeline
    assert "user:" not in timeline


def test_an_anonymous_report_says_so(client: TestClient, database: Database) -> None:
    made = builders.report(database, description="Someone is threatening my friend.")
    sign_in(client, make_user(database, "analyst"))
    text = html.unescape(client.get(f"/console/reports/{made.case_number}").text)
    reporter = text.split('class="the-reporter"', 1)[1].split("</dl>", 1)[0]
    assert "not given (anonymous)" in reporter
    assert 'class="added-later"' not in text


def test_the_agency_reads_the_same_facts_on_its_page_and_in_the_package(
    client: TestClient, database: Database
) -> None:
    made = builders.report(
        database,
        reporter_role="parent_guardian",
        description="An account demanded money from my daughter.",
        incident_date=date(2026, 11, 30),
        people=[
            {"role": "victim", "age": 16, "gender": "female", "country": "US", "region": "US-TX"},
            {"role": "reporter", "name": "Synthetic Guardian", "phone": "+1 555 0199"},
        ],
    )
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=made.id)
        intake.add_update(db_session, report=report, text="The account's new name is demo_x9.")
    agency = builders.organisation(database, kind="agency", name="Facts Task Force")
    number = builders.referral(
        database, report_ref=made.id, agency_ref=agency.organisation.id
    ).number
    sign_in(client, make_user(database, "agency", "facts@example.test", agency.organisation.id))
    page = html.unescape(client.get(f"/agency/referrals/{number}").text)
    for value in ("16", "US-TX", "Synthetic Guardian", "+1 555 0199", "2026-11-30"):
        assert value in page.split('class="the-child"', 1)[1], value
    assert "The account's new name is demo_x9." in page
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/agency/referrals/{number}/package.zip").content)
    )
    summary = html.unescape(archive.read("summary.html").decode())
    for value in ("age 16", "Texas (US-TX)", "+1 555 0199", "Parent or guardian", "2026-11-30"):
        assert value in summary, value
    assert "The account's new name is demo_x9." in summary
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["reports"][0]["added_later"][0]["text"] == "The account's new name is demo_x9."


def test_referring_twice_shows_the_referral_that_exists(
    client: TestClient, database: Database
) -> None:
    made = builders.report(database, description="Demanded money from a 15-year-old.")
    agency = builders.organisation(database, kind="agency", name="Twice Task Force")
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{made.case_number}")
    form = {
        "csrf_token": csrf(page),
        "other_agency": agency.organisation.id,
        "override_reason": "x" * 5,
    }
    first = client.post(f"/console/reports/{made.id}/refer", data=form, follow_redirects=False)
    assert first.status_code == 303
    again = client.post(f"/console/reports/{made.id}/refer", data=form, follow_redirects=True)
    assert again.status_code == 200
    assert 'id="already-referred"' in again.text
    assert str(again.url).endswith(first.headers["location"] + "?already=1")


def test_the_school_and_how_to_reach_the_reporter_reach_the_analyst(
    client: TestClient, database: Database
) -> None:
    filed = client.post(
        "/api/v1/reports",
        json={
            "reporter_role": "parent_guardian",
            "description": "An account is demanding money from my daughter.",
            "victim": {"age": 13, "school": "Example Middle School (synthetic)"},
            "contact": {"email": "parent.reach@example.test", "preferred_contact": "not_at_all"},
        },
    )
    assert filed.status_code == 201, filed.text
    sign_in(client, make_user(database, "analyst"))
    text = html.unescape(client.get(f"/console/reports/{filed.json()['case_number']}").text)
    child = text.split('class="the-child"', 1)[1].split("</dl>", 1)[0]
    assert "Example Middle School (synthetic)" in child
    reporter = text.split('class="the-reporter"', 1)[1].split("</dl>", 1)[0]
    assert "Not at all: only through the follow-up page" in reporter
    refused = client.post(
        "/api/v1/reports",
        json={
            "reporter_role": "friend",
            "description": "x",
            "contact": {"preferred_contact": "carrier pigeon"},
        },
    )
    assert refused.status_code == 422
    assert "preferred_contact" in refused.text


def test_the_conversation_a_detector_sent_is_read_on_the_page(
    client: TestClient, database: Database
) -> None:
    key = {"Authorization": f"Bearer {make_org(database, 'platform').api_key}"}
    conversation = {
        "id": "chat-on-page",
        "messages": [
            {"sender": "s", "text": "i'll send it to your whole school unless you pay $200"},
            {"sender": "c", "text": "please dont <b>do it</b>"},
        ],
        "open_report": True,
    }
    answer = client.post("/api/v1/detect", json=conversation, headers=key)
    assert answer.status_code == 200, answer.text
    case = answer.json()["report_case_number"]
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{case}").text
    chat = page.split('class="chat"', 1)[1].split("</table>", 1)[0]
    assert "send it to your whole school" in html.unescape(chat)
    assert "&lt;b&gt;do it&lt;/b&gt;" in chat  # the child's words as text, never markup
    assert 'class="flagged"' in chat
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=case)
        [transcript] = evidence.files_for_report(db_session, report_id=report.id)
        actions = [
            e.action
            for e in audit.timeline(
                db_session, subject_type="evidence_file", subject_id=transcript.id
            )
        ]
    # Opening the page read the transcript: a custody event, like opening any file.
    assert EvidenceEvent.READ in actions
