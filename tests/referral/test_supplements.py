"""Supplements: adding information to a referral already sent (a note, or a report merged later
into the referred incident), the agency acknowledging each, and who claimed and who referred."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts import csrf, make_user, sign_in
from media import encode, synthetic_image
from tipline import builders
from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.auth.models import User
from tipline.db import Database, utcnow
from tipline.errors import BadInput
from tipline.evidence import service as evidence
from tipline.referral import service as referral
from tipline.referral.events import ReferralEvent
from tipline.referral.models import ReferralSupplement
from tipline.reports import claims
from tipline.reports import service as reports
from tipline.reports.service import NewReport
from tipline.review import service as review

TEXAS = "Texas Child Exploitation Task Force (synthetic)"
CALIFORNIA = "California Child Exploitation Task Force (synthetic)"
ADD = "Add information to the referral"
PROMPT = (
    "This incident was referred to {agency} ({number}): send this report to them as a supplement"
)


def _agency(database: Database, name: str) -> str:
    with database.session() as db_session:
        return auth.get_organisation(db_session, ref=name).id


def _report(database: Database, settings: Any, seed: int) -> NewReport:
    """A Texas report with one file the reporting service viewed."""
    made = builders.report(
        database,
        source="esp",
        description=f"Asked for nudes, then demanded gift cards (synthetic {seed}).",
        people=[{"role": "victim", "age": 15, "country": "US", "region": "US-TX"}],
    )
    with database.session() as db_session:
        evidence.store_file(
            db_session,
            settings=settings,
            data=encode(synthetic_image(seed), "PNG"),
            filename=f"chat-{seed}.png",
            actor="t",
            report_id=made.id,
            viewed_by_reporter=True,
        )
    return made


def _client(app: Any, database: Database, role: str, email: str, agency: str | None = None) -> Any:
    other = TestClient(app, base_url="http://127.0.0.1")
    sign_in(other, make_user(database, role, email=email, agency_id=agency))
    return other


def _text(page: httpx.Response) -> str:
    return html.unescape(page.text)


def _by_id(page: httpx.Response, element_id: str, closing: str = "</") -> str:
    """The markup of the element with this id, up to `closing` (its first closing tag, or
    the next heading for a list whose items hold whole reports)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?){closing}', page.text, re.S)
    assert match, f"no #{element_id} on the page"
    return html.unescape(match.group(1))


def _refer_by_http(
    database: Database, app: Any, settings: Any, client: TestClient, seed: int = 1
) -> tuple[NewReport, str]:
    """An analyst claims the report; a supervisor refers it to Texas from its page."""
    made = _report(database, settings, seed)
    analyst = _client(app, database, "analyst", f"claimer{seed}@example.test")
    token = csrf(analyst.get(f"/console/reports/{made.id}"))
    assert analyst.post(f"/console/queue/{made.id}/claim", data={"csrf_token": token}).is_success
    sign_in(client, make_user(database, "supervisor", email=f"referrer{seed}@example.test"))
    page = client.get(f"/console/reports/{made.id}")
    done = client.post(
        f"/console/reports/{made.id}/refer",
        data={"csrf_token": csrf(page), "agency": _agency(database, TEXAS)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return made, done.headers["location"].rsplit("/", 1)[-1]


def _supplements(database: Database, number: str) -> list[ReferralSupplement]:
    with database.session() as db_session:
        found = referral.get_referral(db_session, ref=number)
        db_session.expunge_all()
        return list(found.supplements)


def _referral_id(database: Database, number: str) -> str:
    with database.session() as db_session:
        return referral.get_referral(db_session, ref=number).id


def _actions(database: Database, kind: str, subject: str) -> list[str]:
    with database.session() as db_session:
        return [e.action for e in audit.timeline(db_session, subject_type=kind, subject_id=subject)]


def test_a_referred_report_offers_to_add_information_and_names_who_claimed_and_referred(
    routed: Database, settings: Any, client: TestClient, app: Any
) -> None:
    made, number = _refer_by_http(routed, app, settings, client)
    with routed.session() as db_session:
        sent = referral.get_referral(db_session, ref=number)
        claimer = auth.get_user(db_session, ref="claimer1@example.test")
        referrer = auth.get_user(db_session, ref="referrer1@example.test")
        assert sent.claimed_by == f"user:{claimer.id}"
        assert sent.referred_by == f"user:{referrer.id}"
    page = client.get(f"/console/reports/{made.id}")
    assert ADD in page.text
    # The refer form is still there for a further agency, but folded away in a <details>.
    assert page.text.count('id="refer-form"') == 1
    folded = page.text.split('<details id="refer-another">', 1)[1].split("</details>", 1)[0]
    assert 'id="refer-form"' in folded
    assert TEXAS not in folded  # already sent there: not offered again
    # A report not referred yet shows the plain form, and nothing to add information to.
    fresh = _report(routed, settings, 2)
    plain = client.get(f"/console/reports/{fresh.id}")
    assert 'id="refer-form"' in plain.text
    assert "<details" not in plain.text.split('id="referral"', 1)[1]
    assert ADD not in plain.text
    # Both names, on the console's referral page and on the agency's.
    console = client.get(f"/console/referrals/{number}")
    assert _by_id(console, "referral-claimed-by") == "claimer1@example.test (analyst)"
    assert _by_id(console, "referral-referred-by") == "referrer1@example.test (supervisor)"
    agency = _client(app, routed, "agency", "tx@example.test", _agency(routed, TEXAS))
    portal = agency.get(f"/agency/referrals/{number}")
    assert _by_id(portal, "referral-claimed-by") == "claimer1@example.test (analyst)"
    assert _by_id(portal, "referral-referred-by") == "referrer1@example.test (supervisor)"


def test_a_note_reaches_the_agency_which_acknowledges_it(
    routed: Database, settings: Any, client: TestClient, app: Any
) -> None:
    made, number = _refer_by_http(routed, app, settings, client)
    page = client.get(f"/console/reports/{made.id}")
    note = "The suspect's new handle is synthetic_x42.\nThe family asked to be called after 5 pm."
    added = client.post(
        f"/console/referrals/{number}/supplements", data={"csrf_token": csrf(page), "note": note}
    )
    assert added.status_code == 200
    assert added.url.path == f"/console/referrals/{number}"
    assert note in _text(added)
    assert "referrer1@example.test (supervisor)" in _by_id(added, "referral-supplements", "</ol>")
    assert "Not acknowledged by the agency yet" in added.text
    (stored,) = _supplements(routed, number)
    assert (stored.note, stored.report_id, stored.acknowledged_at) == (note, None, None)

    # The agency: a badge on its list, the note with its time in the investigator's own zone.
    agency = _client(app, routed, "agency", "tx@example.test", _agency(routed, TEXAS))
    with routed.session() as db_session:
        investigator = db_session.scalar(select(User).where(User.email == "tx@example.test"))
        investigator.time_zone = "America/Chicago"
    home = agency.get("/agency")
    row = home.text.split(number, 1)[1].split("</tr>", 1)[0]
    assert "new information: 1" in row
    portal = agency.get(f"/agency/referrals/{number}")
    assert note in _text(portal)
    shown = stored.created_at.astimezone(ZoneInfo("America/Chicago")).strftime("%Y-%m-%d %H:%M")
    assert shown in _by_id(portal, f"supplement-{stored.id}")
    archive = zipfile.ZipFile(
        io.BytesIO(agency.get(f"/agency/referrals/{number}/package.zip").content)
    )
    summary = html.unescape(archive.read("summary.html").decode())
    assert note in summary.split('id="supplements"', 1)[1]
    assert "by referrer1@example.test (supervisor)" in summary
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["supplements"][0]["note"] == note
    assert manifest["claimed_by"] == "claimer1@example.test (analyst)"

    acknowledged = agency.post(
        f"/agency/referrals/{number}/supplements/{stored.id}/acknowledge",
        data={"csrf_token": csrf(portal)},
    )
    assert acknowledged.status_code == 200
    assert "Acknowledged by the agency" in acknowledged.text
    assert "Acknowledge this supplement" not in acknowledged.text
    assert "new information" not in agency.get("/agency").text
    assert "Acknowledged by the agency" in client.get(f"/console/referrals/{number}").text
    (stored,) = _supplements(routed, number)
    assert stored.acknowledged_at is not None
    actions = _actions(routed, "referral", stored.referral_id)
    assert ReferralEvent.SUPPLEMENT_ADDED in actions
    assert ReferralEvent.SUPPLEMENT_ACKNOWLEDGED in actions


@pytest.mark.parametrize(
    "case",
    [("", "write the information to add"), ("  \n ", "write the information to add"),
     ("x" * 4001, "keep it to 4,000")],
)  # fmt: skip
def test_an_empty_or_overlong_note_is_refused_and_nothing_is_stored(
    routed: Database, settings: Any, client: TestClient, app: Any, case: tuple[str, str]
) -> None:
    note, message = case
    made, number = _refer_by_http(routed, app, settings, client)
    page = client.get(f"/console/reports/{made.id}")
    refused = client.post(
        f"/console/referrals/{number}/supplements",
        data={"csrf_token": csrf(page), "note": note},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400
    assert message in refused.json()["error"]["message"]
    # The page a person sees says the same.
    page_refused = client.post(
        f"/console/referrals/{number}/supplements", data={"csrf_token": csrf(page), "note": note}
    )
    assert page_refused.status_code == 400
    assert message in _text(page_refused)
    assert _supplements(routed, number) == []
    assert ReferralEvent.SUPPLEMENT_ADDED not in _actions(
        routed, "referral", _referral_id(routed, number)
    )
    # Exactly at the limit is fine.
    assert client.post(
        f"/console/referrals/{number}/supplements",
        data={"csrf_token": csrf(page), "note": "y" * 4000},
    ).is_success


def test_a_report_merged_into_a_referred_incident_is_sent_as_a_supplement(
    routed: Database, settings: Any, client: TestClient, app: Any
) -> None:
    first, number = _refer_by_http(routed, app, settings, client)
    later = _report(routed, settings, 7)
    agency = _client(app, routed, "agency", "tx@example.test", _agency(routed, TEXAS))
    assert later.case_number not in agency.get(f"/agency/referrals/{number}").text

    # Merging the new report into the referred incident (a first incident is made here).
    page = client.get(f"/console/reports/{first.id}")
    merged = client.post(
        "/console/incidents/merge",
        data={"csrf_token": csrf(page), "report": [first.id, later.id]},
    )
    assert merged.status_code == 200
    prompt = PROMPT.format(agency=TEXAS, number=number)
    assert prompt in _text(merged)
    prompts = _by_id(merged, "supplement-prompts", "</ul>")
    assert later.case_number in prompts
    assert first.case_number not in prompts
    later_page = client.get(f"/console/reports/{later.id}")
    assert prompt in _text(later_page)
    # Referring it to Texas again is not what is offered: that form is folded away.
    assert '<details id="refer-another">' in later_page.text
    assert prompt not in _text(client.get(f"/console/reports/{first.id}"))

    # One button: the agency has the report, its page, its file, and the package.
    sent = client.post(
        f"/console/referrals/{number}/supplements",
        data={"csrf_token": csrf(later_page), "report": later.id},
    )
    assert sent.status_code == 200
    assert later.case_number in _by_id(sent, "referral-supplements", "</ol>")
    assert later.case_number in _by_id(sent, "referral-reports", "<h2>")
    with routed.session() as db_session:
        report = reports.get_report(db_session, ref=later.id)
        assert report.status == "referred"
        assert [r.number for r in referral.referrals_of_report(db_session, report_id=later.id)] == [
            number
        ]
        later_file = evidence.files_for_report(db_session, report_id=later.id)[0]
    (supplement,) = _supplements(routed, number)
    assert supplement.report_id == later.id
    assert ReferralEvent.REPORT_SENT_AS_SUPPLEMENT in _actions(routed, "report", later.id)
    assert prompt not in _text(client.get(f"/console/reports/{later.id}"))
    assert 'id="supplement-prompts"' not in client.get(f"/console/reports/{first.id}").text

    portal = agency.get(f"/agency/referrals/{number}")
    assert later.case_number in _by_id(portal, "referral-reports", "<h2>")
    assert "report added to this referral" in _by_id(portal, "referral-supplements", "</ol>")
    got = agency.get(f"/agency/referrals/{number}/files/{later_file.id}")
    assert got.status_code == 200
    archive = zipfile.ZipFile(
        io.BytesIO(agency.get(f"/agency/referrals/{number}/package.zip").content)
    )
    assert f"reports/{later.case_number}.xml" in archive.namelist()
    assert f"files/{later_file.sha256}-chat-7.png" in archive.namelist()
    summary = archive.read("summary.html").decode()
    assert f"report {later.case_number} added" in summary
    assert f"<h2>Report {later.case_number}</h2>" in summary

    # Sent twice (a double click): the referral that has it, nothing sent twice.
    again = client.post(
        f"/console/referrals/{number}/supplements",
        data={"csrf_token": csrf(later_page), "report": later.id},
    )
    assert 'id="already-referred"' in again.text
    assert len(_supplements(routed, number)) == 1


def test_a_report_outside_the_referred_incident_is_not_added(
    routed: Database, settings: Any, client: TestClient, app: Any
) -> None:
    _, number = _refer_by_http(routed, app, settings, client)
    stranger = _report(routed, settings, 9)
    page = client.get(f"/console/referrals/{number}")
    refused = client.post(
        f"/console/referrals/{number}/supplements",
        data={"csrf_token": csrf(page), "report": stranger.id},
    )
    assert refused.status_code == 400
    assert "is not in the incident referred" in _text(refused)
    assert _supplements(routed, number) == []
    with routed.session() as db_session:
        assert reports.get_report(db_session, ref=stranger.id).status == "received"


def test_the_new_routes_refuse_other_agencies_and_other_roles(
    routed: Database, settings: Any, client: TestClient, app: Any
) -> None:
    made, number = _refer_by_http(routed, app, settings, client)
    page = client.get(f"/console/reports/{made.id}")
    client.post(
        f"/console/referrals/{number}/supplements",
        data={"csrf_token": csrf(page), "note": "A second victim came forward (synthetic)."},
    )
    (supplement,) = _supplements(routed, number)
    acknowledge = f"/agency/referrals/{number}/supplements/{supplement.id}/acknowledge"

    # Another agency: the referral does not exist for it (404, as on every agency route, so
    # that a referral number tells nothing about another agency's work). The console route is
    # not for agencies at all: 403, whichever referral it names.
    other = _client(app, routed, "agency", "ca@example.test", _agency(routed, CALIFORNIA))
    token = csrf(other.get("/agency"))
    assert other.post(acknowledge, data={"csrf_token": token}).status_code == 404
    assert (
        other.post(
            f"/console/referrals/{number}/supplements", data={"csrf_token": token, "note": "x"}
        ).status_code
        == 403
    )
    # An analyst cannot acknowledge for the agency.
    assert client.post(acknowledge, data={"csrf_token": csrf(page)}).status_code == 403
    # The right agency, a supplement that is not in this referral.
    own = _client(app, routed, "agency", "tx@example.test", _agency(routed, TEXAS))
    own_token = csrf(own.get("/agency"))
    missing = f"/agency/referrals/{number}/supplements/nope/acknowledge"
    assert own.post(missing, data={"csrf_token": own_token}).status_code == 404
    (supplement,) = _supplements(routed, number)
    assert supplement.acknowledged_at is None
    assert len(_supplements(routed, number)) == 1


def test_a_lapsed_claim_is_not_recorded(routed: Database) -> None:
    texas = _agency(routed, TEXAS)
    with routed.session() as db_session:
        analyst = builders.staff(db_session, role="analyst", email="old@example.test")
        rid = builders.report(
            db_session, people=[{"role": "victim", "country": "US", "region": "US-TX"}]
        ).id
        review.claim(db_session, report_ref=rid, user=analyst)
        report = reports.get_report(db_session, ref=rid)
        report.claimed_at = utcnow() - claims.CLAIM_LAPSES_AFTER - timedelta(minutes=1)
        made = referral.refer(db_session, report_ref=rid, agency_ref=texas, actor="user:x")
        assert made.claimed_by is None
        with pytest.raises(BadInput, match="write the information"):
            referral.add_supplement(db_session, referral=made, note="", actor="user:x")
