"""Referral: routing to the right agency, the package, the agency portal, legal process for
files the reporting service never viewed, and retention."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts import csrf, make_user, sign_in
from media import encode, synthetic_image
from tipline import builders
from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.db import Database, utcnow
from tipline.errors import BadInput, Conflict, NotFound
from tipline.evidence import service as evidence
from tipline.evidence.events import EvidenceEvent
from tipline.evidence.models import EvidenceFile
from tipline.referral import retention, routing
from tipline.referral import service as referral
from tipline.referral.events import ReferralEvent
from tipline.reports import service as reports
from tipline.review import bundling

ESP_DOC = {"personOrUserReported": [{"ipCaptureEvent": [{"ipAddress": "192.0.2.10"}]}]}


def _agency(db_session: Any, name: str) -> str:
    return auth.get_organisation(db_session, ref=name).id


def _route(db_session: Any, **fields: Any) -> list[routing.Candidate]:
    rid = builders.report(db_session, **fields).id
    report = reports.get_report(db_session, ref=rid)
    return routing.route(db_session, reports=[report])


TEXAS = "Texas Child Exploitation Task Force (synthetic)"
CALIFORNIA = "California Child Exploitation Task Force (synthetic)"


def test_routing_by_victim_ip_and_phone_with_confidence(routed: Database) -> None:
    with routed.session() as db_session:
        victim = _route(db_session, people=[{"role": "victim", "country": "US", "region": "US-TX"}])
        assert victim[0].agency.name == TEXAS
        assert victim[0].confidence == pytest.approx(0.8)
        assert victim[0].reasons == [victim[0].reasons[0]]
        assert "victim location" in victim[0].reasons[0]

        by_ip = _route(db_session, source="esp", extra={"cybertipline": ESP_DOC})
        assert by_ip[0].agency.name == CALIFORNIA
        assert "IP 192.0.2.10" in by_ip[0].reasons[0]

        by_phone = _route(db_session, people=[{"role": "suspect", "phone": "+1 415 555 0100"}])
        assert by_phone[0].agency.name == CALIFORNIA

        # Two signals naming the same agency make it surer than either alone.
        both = _route(
            db_session,
            source="esp",
            extra={"cybertipline": ESP_DOC},
            people=[{"role": "victim", "country": "US", "region": "US-CA"}],
        )
        assert both[0].confidence == pytest.approx(1 - 0.2 * 0.3)

        abroad = _route(db_session, people=[{"role": "victim", "country": "GB"}])
        assert abroad[0].agency.name.startswith("United Kingdom")
        nowhere = _route(db_session, people=[{"role": "victim", "country": "JP"}])
        assert nowhere[0].agency.name == "International Liaison Desk (synthetic)"
        unknown = _route(db_session, description="no place at all")
        assert unknown[0].agency.name == "International Liaison Desk (synthetic)"
        assert unknown[0].confidence < 0.5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,country,region\nX,ZZ,\n", "unknown country"),
        ("name,country,region\nX,US,US-ZZ\n", "unknown region"),
        ("name,country\nX,US\n", "columns"),
    ],
)
def test_a_bad_routing_file_is_refused_whole(database: Database, text: str, message: str) -> None:
    with database.session() as db_session, pytest.raises(BadInput, match=message):
        routing.load_agencies(db_session, text=text, actor="t")


def test_ip_geolocation_ranges_ipv4_and_ipv6(routed: Database) -> None:
    with routed.session() as db_session:
        assert routing.locate_ip(db_session, "198.51.100.7") == ("US", "US-TX")
        assert routing.locate_ip(db_session, "203.0.113.200") == ("NG", "")
        assert routing.locate_ip(db_session, "2001:db8::1") == ("CA", "")
        assert routing.locate_ip(db_session, "8.8.8.8") is None
        assert routing.locate_ip(db_session, "not an address") is None
        with pytest.raises(BadInput, match="line 2"):
            routing.load_geo(
                db_session, text="start,end,country,region\n10.0.0.9,10.0.0.1,US,\n", actor="t"
            )


def _referred(db_session: Any, settings: Any, *, viewed: bool | None = True, **fields: Any) -> str:
    fields.setdefault("people", [{"role": "victim", "country": "US", "region": "US-TX"}])
    rid = builders.report(db_session, source="esp", **fields).id
    evidence.store_file(
        db_session,
        settings=settings,
        data=encode(synthetic_image(3), "PNG"),
        filename="chat.png",
        actor="t",
        report_id=rid,
        viewed_by_reporter=viewed,
    )
    return rid


def test_refer_an_incident_whole_with_override_reasons(routed: Database, settings: Any) -> None:
    with routed.session() as db_session:
        first = _referred(db_session, settings)
        second = _referred(db_session, settings)
        bundling.merge(db_session, report_refs=[first, second], actor="t")
        california = _agency(db_session, CALIFORNIA)
        texas = _agency(db_session, TEXAS)
        with pytest.raises(BadInput, match="routing suggests Texas"):
            referral.refer(db_session, report_ref=first, agency_ref=california, actor="t")
        made = referral.refer(db_session, report_ref=first, agency_ref=texas, actor="user:a")
        number = made.number
        assert made.confidence == pytest.approx(1 - 0.2 * 0.2)
    with routed.session() as db_session:
        for rid in (first, second):
            report = reports.get_report(db_session, ref=rid)
            assert report.status == "referred"
            assert report.referred_at is not None
        with pytest.raises(Conflict, match=number):
            referral.refer(db_session, report_ref=second, agency_ref=texas, actor="t")
        # A further agency, with a reason: the offender turned out to be elsewhere.
        further = referral.refer(
            db_session,
            report_ref=second,
            agency_ref=california,
            actor="t",
            override_reason="offender traced to California",
        )
        assert len(further.links) == 2
        assert len(referral.referrals_of_report(db_session, report_id=first)) == 2


def _portal(client: TestClient, database: Database, agency_id: str, email: str) -> None:
    sign_in(client, make_user(database, "agency", email=email, agency_id=agency_id))


def test_agency_sees_only_its_own_referrals_and_the_outcome_flows_back(
    routed: Database, settings: Any, client: TestClient, app: Any
) -> None:
    with routed.session() as db_session:
        rid = _referred(db_session, settings)
        texas = _agency(db_session, TEXAS)
        number = referral.refer(db_session, report_ref=rid, agency_ref=texas, actor="t").number
        california = _agency(db_session, CALIFORNIA)
    # Another agency: the referral does not exist for it, on every route.
    other = TestClient(app, base_url="http://127.0.0.1")
    _portal(other, routed, california, "ca@example.test")
    assert number not in other.get("/agency").text
    for path in ("", "/package.zip", "/files/x"):
        assert other.get(f"/agency/referrals/{number}{path}").status_code == 404
    token = csrf(other.get("/agency"))
    for action in ("acknowledge", "preservation", "destruction"):
        refused = other.post(f"/agency/referrals/{number}/{action}", data={"csrf_token": token})
        assert refused.status_code == 404
    # The agency it was sent to.
    _portal(client, routed, texas, "tx@example.test")
    home = client.get("/agency")
    assert number in home.text
    page = client.get(f"/agency/referrals/{number}")
    assert page.status_code == 200
    assert "Acknowledge" in page.text
    token = csrf(page)
    client.post(f"/agency/referrals/{number}/acknowledge", data={"csrf_token": token})
    done = client.post(
        f"/agency/referrals/{number}/outcome",
        data={"csrf_token": token, "outcome": "arrest", "note": "suspect identified"},
    )
    assert done.status_code == 200
    assert "arrest" in done.text
    bad = client.post(
        f"/agency/referrals/{number}/outcome", data={"csrf_token": token, "outcome": "maybe"}
    )
    assert bad.status_code == 400
    with routed.session() as db_session:
        made = referral.get_referral(db_session, ref=number)
        assert (made.status, made.outcome) == ("closed", "arrest")
        assert made.acknowledged_at is not None
        actions = [
            e.action for e in audit.timeline(db_session, subject_type="report", subject_id=rid)
        ]
        assert ReferralEvent.REPORT_REFERRAL_OUTCOME in actions
        with pytest.raises(NotFound):
            referral.get_referral(db_session, ref=number, agency_id=california)


def test_the_package_withholds_unviewed_files_until_legal_process(
    routed: Database, settings: Any, client: TestClient
) -> None:
    with routed.session() as db_session:
        rid = _referred(db_session, settings, viewed=False)
        texas = _agency(db_session, TEXAS)
        number = referral.refer(db_session, report_ref=rid, agency_ref=texas, actor="t").number
        file_id = evidence.files_for_report(db_session, report_id=rid)[0].id
        case = reports.get_report(db_session, ref=rid).case_number
    _portal(client, routed, texas, "tx@example.test")
    page = client.get(f"/agency/referrals/{number}")
    assert "Withheld" in page.text
    assert client.get(f"/agency/referrals/{number}/files/{file_id}").status_code == 403
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/agency/referrals/{number}/package.zip").content)
    )
    names = set(archive.namelist())
    assert {"manifest.json", f"reports/{case}.xml", "summary.html", "summary.pdf"} <= names
    assert not [n for n in names if n.startswith("files/")]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["files"][0]["included"] is False
    assert manifest["files"][0]["chain_of_custody"][0]["action"] == EvidenceEvent.STORED
    assert archive.read("summary.pdf").startswith(b"%PDF")
    assert b"<report" in archive.read(f"reports/{case}.xml")
    # A warrant is recorded: the file is released, and downloading it is logged.
    short = client.post(
        f"/agency/referrals/{number}/legal-process",
        data={"csrf_token": csrf(page), "file_id": file_id, "kind": "warrant", "reference": "x"},
    )
    assert short.status_code == 400
    client.post(
        f"/agency/referrals/{number}/legal-process",
        data={
            "csrf_token": csrf(page),
            "file_id": file_id,
            "kind": "warrant",
            "reference": "W-2026-0042",
        },
    )
    got = client.get(f"/agency/referrals/{number}/files/{file_id}")
    assert got.status_code == 200
    with routed.session() as db_session:
        sha = db_session.get(EvidenceFile, file_id).sha256
    assert hashlib.sha256(got.content).hexdigest() == sha
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/agency/referrals/{number}/package.zip").content)
    )
    packed = [n for n in archive.namelist() if n.startswith("files/")]
    assert packed == [f"files/{sha}-chat.png"]
    assert hashlib.sha256(archive.read(packed[0])).hexdigest() == sha
    with routed.session() as db_session:
        made = referral.get_referral(db_session, ref=number)
        actions = [
            e.action
            for e in audit.timeline(db_session, subject_type="referral", subject_id=made.id)
        ]
    assert actions.count(ReferralEvent.PACKAGE_DOWNLOADED) == 2
    assert ReferralEvent.LEGAL_PROCESS in actions
    assert ReferralEvent.FILE_DOWNLOADED in actions


def test_retention_holds_a_year_and_destroys_with_proof(routed: Database, settings: Any) -> None:
    with routed.session() as db_session:
        kept = _referred(db_session, settings)
        held = _referred(db_session, settings)
        asked = _referred(db_session, settings)
        texas = _agency(db_session, TEXAS)
        numbers = {
            rid: referral.refer(db_session, report_ref=rid, agency_ref=texas, actor="t").number
            for rid in (kept, held, asked)
        }
        retention.set_legal_hold(
            db_session,
            report=reports.get_report(db_session, ref=held),
            hold=True,
            reason="court",
            actor="t",
        )
        referral.request_destruction(
            db_session, referral=referral.get_referral(db_session, ref=numbers[asked]), actor="t"
        )
    with routed.session() as db_session:
        # Today: only the report whose agency asked is destroyed.
        assert retention.purge(db_session, settings=settings) == 1
    with routed.session() as db_session:
        gone = evidence.files_for_report(db_session, report_id=asked)[0]
        assert gone.status == "destroyed"
        assert not evidence.vault_for(settings).path_for(gone.storage_key).exists()
        proof = [
            e
            for e in audit.timeline(db_session, subject_type="evidence_file", subject_id=gone.id)
            if e.action == EvidenceEvent.DESTROYED
        ]
        assert proof[0].data["sha256"] == gone.sha256
        # A year and a day later: the held report stays, the other goes.
        later = utcnow() + timedelta(days=366)
        assert retention.purge(db_session, settings=settings, now=later) == 1
    with routed.session() as db_session:
        assert evidence.files_for_report(db_session, report_id=kept)[0].status == "destroyed"
        assert evidence.files_for_report(db_session, report_id=held)[0].status == "stored"


def test_preservation_extends_the_hold(routed: Database, settings: Any) -> None:
    with routed.session() as db_session:
        rid = _referred(db_session, settings)
        texas = _agency(db_session, TEXAS)
        made = referral.refer(db_session, report_ref=rid, agency_ref=texas, actor="t")
        made.hold_until = utcnow() + timedelta(days=10)
        referral.request_preservation(db_session, referral=made, actor="t")
        assert made.hold_until > utcnow() + timedelta(days=360)
        assert (
            retention.purge(db_session, settings=settings, now=utcnow() + timedelta(days=30)) == 0
        )


def test_an_analyst_refers_from_the_report_page(
    routed: Database, settings: Any, client: TestClient
) -> None:
    with routed.session() as db_session:
        rid = _referred(db_session, settings)
    sign_in(client, make_user(routed, "analyst"))
    page = client.get(f"/console/reports/{rid}")
    assert TEXAS in page.text
    assert "80%" in page.text
    with routed.session() as db_session:
        texas = _agency(db_session, TEXAS)
        california = _agency(db_session, CALIFORNIA)
    no_reason = client.post(
        f"/console/reports/{rid}/refer",
        data={"csrf_token": csrf(page), "agency": texas, "other_agency": california},
    )
    assert no_reason.status_code == 400
    done = client.post(
        f"/console/reports/{rid}/refer", data={"csrf_token": csrf(page), "agency": texas}
    )
    assert done.status_code == 200
    assert "/console/referrals/RF-" in str(done.url)
    assert TEXAS in done.text
    listing = client.get("/console/referrals")
    assert TEXAS in listing.text
    # Time to triage and to referral are recorded, and shown.
    report_page = client.get(f"/console/reports/{rid}")
    assert 'id="time-to-triage">0 h 00 min' in report_page.text
    assert 'id="time-to-referral">0 h 00 min' in report_page.text
