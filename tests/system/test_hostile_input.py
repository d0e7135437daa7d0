"""Hostile and odd input (issue 17): a clear 4xx, or NCMEC's documented code, never a 500.

Every test here runs on SQLite and on PostgreSQL: PostgreSQL is the stricter of the two (column
widths, 32-bit integers, no NUL in text), and input must get the same answer on both.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accounts import csrf, make_org, make_user, sign_in
from documents import REPORT
from media import encode, synthetic_image
from tipline import builders
from tipline.auth import service as auth
from tipline.db import Database
from tipline.errors import BadInput
from tipline.evidence import service as evidence
from tipline.ispws.models import IspwsSubmission
from tipline.notices import directory
from tipline.notices.models import NoticePlatform
from tipline.referral import routing
from tipline.referral import service as referral
from tipline.referral.models import Referral
from tipline.reports import service as reports

TEXAS = "Texas Child Exploitation Task Force (synthetic)"


def _error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


# /ispws --------------------------------------------------------------------------------------


@pytest.fixture
def esp(database: Database) -> tuple[str, str]:
    creds = make_org(database, "esp", "Hostile Input ESP")
    assert creds.ispws_username
    assert creds.ispws_password
    return creds.ispws_username, creds.ispws_password


def _field(response: httpx.Response, name: str) -> str:
    found = re.search(rf"<{name}>([^<]*)</{name}>", response.text)
    assert found, response.text
    return found.group(1)


def _code(response: httpx.Response) -> int:
    return int(_field(response, "responseCode"))


def _submit(client: TestClient, esp: tuple[str, str], document: bytes) -> httpx.Response:
    return client.post(
        "/ispws/submit", content=document, headers={"Content-Type": "text/xml"}, auth=esp
    )


def _finish(client: TestClient, esp: tuple[str, str], report_id: str) -> httpx.Response:
    return client.post("/ispws/finish", data={"id": report_id}, auth=esp)


def _block(tag: str) -> re.Pattern[bytes]:
    return re.compile(rb"<" + tag.encode() + rb">.*?</" + tag.encode() + rb">", re.DOTALL)


def _replace(pattern: str | re.Pattern[bytes], new: bytes, document: bytes = REPORT) -> bytes:
    if isinstance(pattern, str):
        assert pattern.encode() in document, pattern
        return document.replace(pattern.encode(), new)
    changed, count = pattern.subn(new, document, count=1)
    assert count == 1, pattern
    return changed


LONG = {
    "platform": "P" * 255,
    "first": "F" * 255,
    "last": "L" * 255,
    "email": "e" * 242 + "@mail.example",
    "phone": "5" * 100,
    "service": "S" * 255,
    "screen": "s" * 255,
    "ident": "i" * 255,
    "display": "D" * 255,
    "url": "https://chat.example/u/" + "u" * (2083 - 23),
}
LONGEST_FIELDS = REPORT
for old, new in [
    ("<platform>ExampleChat</platform>", f"<platform>{LONG['platform']}</platform>"),
    (
        "<firstName>Trust</firstName>\n      <lastName>Safety</lastName>\n"
        "      <email>tns@esp.example</email>",
        f"<firstName>{LONG['first']}</firstName><lastName>{LONG['last']}</lastName>"
        f"<phone>{LONG['phone']}</phone><email>{LONG['email']}</email>",
    ),
    (
        "<espIdentifier>90210-demo</espIdentifier>\n    <espService>ExampleChat</espService>\n"
        "    <screenName>demo_offender_77</screenName>\n"
        "    <profileUrl>https://chat.example/u/demo_offender_77</profileUrl>",
        f"<espIdentifier>{LONG['ident']}</espIdentifier>"
        f"<espService>{LONG['service']}</espService>"
        f"<screenName>{LONG['screen']}</screenName>"
        f"<displayName>{LONG['display']}</displayName>"
        f"<profileUrl>{LONG['url']}</profileUrl>",
    ),
]:
    LONGEST_FIELDS = _replace(old, new.encode(), LONGEST_FIELDS)
# Case folding lengthens: "ß" is "ss", so a handle or address that fits its column as written
# did not fit as a matching key.
FOLDED = _replace(
    "<email>tns@esp.example</email>",
    ("<email>" + "ß" * 200 + "@esp.example</email>").encode(),
    _replace(
        "<screenName>demo_minor_1</screenName>", f"<screenName>{'ß' * 200}</screenName>".encode()
    ),
)

FINISHABLE: dict[str, bytes] = {
    "empty-annotations": _replace(_block("reportAnnotations"), b"<reportAnnotations/>"),
    "empty-reported-person": _replace(_block("personOrUserReported"), b"<personOrUserReported/>"),
    "empty-victim": _replace(_block("victim"), b"<victim/>"),
    "empty-victim-person": _replace(_block("victimPerson"), b"<victimPerson/>"),
    "empty-names": _replace("<firstName>Trust</firstName>", b"<firstName/>"),
    "empty-escalation": _replace(_block("escalateToHighPriority"), b"<escalateToHighPriority/>"),
    "empty-chat": _replace(_block("chatImIncident"), b"<chatImIncident/>"),
    "signed-age": _replace("<age>15</age>", b"<age>+015</age>"),
    "longest-fields": LONGEST_FIELDS,
    "case-folding": FOLDED,
    "end-of-day": _replace("2026-11-20T21:15:00-05:00", b"2026-11-20T24:00:00Z"),
    "utf-16": REPORT.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"),
    "utf-16-no-declaration": REPORT.split(b"?>", 1)[1].decode().encode("utf-16"),
    "latin-1": REPORT.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"').replace(
        b"Account disabled after review.", "Cuenta cerrada tras revisión.".encode("latin-1")
    ),
}


@pytest.mark.parametrize("name", list(FINISHABLE))
def test_what_the_schema_admits_can_be_finished(
    client: TestClient, database: Database, esp: tuple[str, str], name: str
) -> None:
    submitted = _submit(client, esp, FINISHABLE[name])
    assert submitted.status_code == 200, submitted.text
    assert _code(submitted) == 0, submitted.text
    report_id = _field(submitted, "reportId")
    done = _finish(client, esp, report_id)
    assert done.status_code == 200, done.text
    assert _code(done) == 0, done.text
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=report_id)
        assert report.source == "esp"
        stored = db_session.get(IspwsSubmission, int(report_id))
        assert stored is not None
        assert "\x00" not in stored.xml
        assert "<incidentType>" in stored.xml
        if name == "empty-annotations":
            assert report.annotations == []
        if name == "signed-age":
            assert [p.age for p in report.people if p.role == "victim"] == [15]
        if name == "end-of-day":
            # 24:00:00 is the end of the day: midnight of the next.
            assert report.incident_date == date(2026, 11, 21)
        if name.startswith("utf-16"):
            assert "gift cards" in report.description
        if name == "latin-1":
            assert "Cuenta cerrada tras revisión." in report.description
            assert "Cuenta cerrada tras revisión." in stored.xml
        if name == "longest-fields":
            reporter = next(p for p in report.people if p.role == "reporter")
            assert reporter.name == (LONG["first"] + " " + LONG["last"])[:200]
            # Too long for its column: left out there, never cut into someone else's
            # address; the filed document keeps it whole.
            assert reporter.email is None
            assert reporter.phone is None
            suspect = next(a for a in report.accounts if a.role == "suspect")
            assert suspect.platform == LONG["service"][:100]
            assert suspect.display_name == LONG["display"][:200]
            assert (suspect.handle, suspect.account_id, suspect.profile_url) == (None, None, None)
            filed = report.extra["cybertipline"]["personOrUserReported"][0]
            assert filed["screenName"] == [LONG["screen"]]
        if name == "case-folding":
            victim = next(a for a in report.accounts if a.role == "victim")
            assert victim.handle == "ß" * 200
            assert victim.handle_normalised == "s" * 200


def _submissions(database: Database) -> int:
    with database.session() as db_session:
        return int(db_session.scalar(select(func.count(IspwsSubmission.id))) or 0)


REFUSED_AT_SUBMIT: dict[str, tuple[bytes, str]] = {
    "year-10000": (_replace("2026-11-20T21:15:00-05:00", b"10000-01-01T00:00:00Z"), "9999"),
    "year-minus-44": (_replace("2026-11-20T21:15:00-05:00", b"-0044-03-15T12:00:00Z"), "year 1"),
    "end-of-year-9999": (_replace("2026-11-20T21:15:00-05:00", b"9999-12-31T24:00:00"), "9999"),
    "age-too-big-for-a-column": (_replace("<age>15</age>", b"<age>99999999999</age>"), "age"),
    "age-of-no-one": (_replace("<age>15</age>", b"<age>121</age>"), "age"),
    "age-of-5000-digits": (_replace("<age>15</age>", b"<age>" + b"9" * 5000 + b"</age>"), "age"),
}


@pytest.mark.parametrize("name", list(REFUSED_AT_SUBMIT))
def test_what_cannot_be_stored_is_refused_at_submit_with_a_reason(
    client: TestClient, database: Database, esp: tuple[str, str], name: str
) -> None:
    document, reason = REFUSED_AT_SUBMIT[name]
    response = _submit(client, esp, document)
    assert response.status_code == 400, response.text
    assert _code(response) == 4100, response.text
    assert reason in _field(response, "responseDescription")
    assert len(response.content) < 1000
    assert _submissions(database) == 0


@pytest.mark.parametrize("report_id", ["1" * 30, "2147483648", "9" * 5000, "٣", "-1", "0"])
def test_an_impossible_report_id_is_a_report_that_does_not_exist(
    client: TestClient, esp: tuple[str, str], report_id: str
) -> None:
    # A real report, so that an id read as a small number would find something.
    assert _code(_submit(client, esp, REPORT)) == 0
    for path in ("/ispws/finish", "/ispws/retract"):
        response = client.post(path, data={"id": report_id}, auth=esp)
        assert (response.status_code, _code(response)) == (404, 5001), (path, response.text)
    upload = client.post(
        "/ispws/upload",
        data={"id": report_id},
        files={"file": ("a.png", encode(synthetic_image(5), "PNG"), "image/png")},
        auth=esp,
    )
    assert (upload.status_code, _code(upload)) == (404, 5001), upload.text
    if report_id.isascii() and report_id.isdigit() and int(report_id[:10]) > 0:
        info = client.post(
            "/ispws/fileinfo",
            content=(
                f"<fileDetails><reportId>{report_id}</reportId><fileId>x</fileId></fileDetails>"
            ).encode(),
            headers={"Content-Type": "text/xml"},
            auth=esp,
        )
        assert (info.status_code, _code(info)) == (404, 5001), info.text


# /api/v1: numbers ----------------------------------------------------------------------------


@pytest.fixture
def platform_key(database: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_org(database, 'platform').api_key}"}


def _conversation(*texts: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": fields.pop("id", "c-1"),
        "messages": [
            {"sender": "s" if i % 2 == 0 else "c", "text": t} for i, t in enumerate(texts)
        ],
        **fields,
    }


@pytest.mark.parametrize(
    "text",
    [
        "9" * 9999,
        "send " + "9" * 9000 + " or i post them",
        "venmo " + "0" * 5000 + "1",
    ],
)
def test_a_long_number_in_a_message_is_read_as_text(
    client: TestClient, platform_key: dict[str, str], text: str
) -> None:
    response = client.post(
        "/api/v1/detect", json=_conversation("hi", text, "ok"), headers=platform_key
    )
    assert response.status_code == 200, response.text
    assert response.json()["id"] == "c-1"


HUGE = "9" * 9999
JSON_ENDPOINTS = [
    ("/api/v1/detect", '{"id": "x", "messages": [{"sender": "a", "text": "hi"}], "n": %s}'),
    ("/api/v1/detect", '{"id": %s, "messages": [{"sender": "a", "text": "hi"}]}'),
    ("/api/v1/reports", '{"reporter_role": "victim", "description": "x", "victim": {"age": %s}}'),
    ("/api/v1/takedown/cases", '{"hashes": [], "n": %s}'),
    ("/api/v1/hashlist/match", '{"hashes": [%s]}'),
    ("/api/v1/hashlist/feedback", '{"entry_id": %s, "outcome": "removed"}'),
    ("/api/v1/notices", '{"urls": ["https://a.example/"], "n": %s}'),
]


@pytest.mark.parametrize(("path", "body"), JSON_ENDPOINTS)
@pytest.mark.parametrize("number", [HUGE, "-" + HUGE, HUGE + ".5", "1e" + HUGE])
def test_a_huge_json_number_is_a_4xx_in_the_error_format(
    client: TestClient, platform_key: dict[str, str], path: str, body: str, number: str
) -> None:
    response = client.post(
        path,
        content=body % number,
        headers={**platform_key, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert error["code"]
    assert error["message"]


def test_a_detector_report_keeps_a_long_conversation_id(
    client: TestClient, database: Database, platform_key: dict[str, str]
) -> None:
    conversation = _conversation(
        "i still have the pic u sent me last night",
        "pay me $200 on cash app by tonight or i send it to ur whole school",
        "please no i cant do this anymore, i want to die",
        id="conversation-" + "x" * 187,
        open_report=True,
    )
    response = client.post("/api/v1/detect", json=conversation, headers=platform_key)
    assert response.status_code == 200, response.text
    case_number = response.json()["report_case_number"]
    assert case_number
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=case_number)
        assert "conversation-" + "x" * 187 in report.description


# NUL characters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "conversation",
    [
        _conversation(
            "i'll send it to your whole school unless you pay\x00 $200", open_report=True
        ),
        _conversation("unless you pay $200 i post it", id="c\x00", open_report=True),
        {"id": "c", "messages": [{"sender": "s\x00", "text": "hi"}], "open_report": True},
    ],
)
def test_a_nul_in_a_conversation_is_refused_naming_the_field(
    client: TestClient, platform_key: dict[str, str], conversation: dict[str, Any]
) -> None:
    response = client.post("/api/v1/detect", json=conversation, headers=platform_key)
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["error"]["message"]


@pytest.fixture
def referred(database: Database, settings: Any) -> tuple[str, str, str]:
    """A referral to Texas with one file the service never viewed: (number, file id, agency)."""
    with database.session() as db_session:
        routing.load_agencies(db_session, text=routing.sample_agencies(), actor="t")
        made = builders.report(
            db_session,
            source="esp",
            people=[{"role": "victim", "country": "US", "region": "US-TX"}],
        )
        stored = evidence.store_file(
            db_session,
            settings=settings,
            data=encode(synthetic_image(3), "PNG"),
            filename="chat.png",
            actor="t",
            report_id=made.id,
            viewed_by_reporter=False,
        )
        texas = auth.get_organisation(db_session, ref=TEXAS).id
        number = builders.referral(db_session, report_ref=made.id, agency_ref=texas).number
        return number, stored.file.id, texas


def _referral(database: Database, number: str) -> Referral:
    with database.session() as db_session:
        found = referral.get_referral(db_session, ref=number)
        db_session.expunge(found)
        return found


def test_an_agency_cannot_store_a_nul(
    client: TestClient, database: Database, referred: tuple[str, str, str]
) -> None:
    number, file_id, texas = referred
    sign_in(client, make_user(database, "agency", email="tx@example.test", agency_id=texas))
    token = csrf(client.get(f"/agency/referrals/{number}"))
    legal = client.post(
        f"/agency/referrals/{number}/legal-process",
        data={"csrf_token": token, "file_id": file_id, "kind": "warrant", "reference": "W-\x0042"},
    )
    assert legal.status_code == 400, legal.text
    assert _error_code(legal) == "nul_character"
    assert "reference" in legal.json()["error"]["message"]
    assert client.get(f"/agency/referrals/{number}/files/{file_id}").status_code == 403
    outcome = client.post(
        f"/agency/referrals/{number}/outcome",
        data={"csrf_token": token, "outcome": "arrest", "note": "suspect\x00 identified"},
    )
    assert outcome.status_code == 400, outcome.text
    assert _error_code(outcome) == "nul_character"
    assert _referral(database, number).outcome is None
    assert client.get("/agency/referrals/RF-%00").status_code == 400
    # Without the NUL, the same requests go through.
    fine = client.post(
        f"/agency/referrals/{number}/outcome",
        data={"csrf_token": token, "outcome": "arrest", "note": "suspect identified"},
    )
    assert fine.status_code == 200
    assert _referral(database, number).outcome_note == "suspect identified"


def test_staff_cannot_store_a_nul(
    client: TestClient, database: Database, referred: tuple[str, str, str]
) -> None:
    number, file_id, _ = referred
    with database.session() as db_session:
        directory.load(db_session, text=directory.sample(), actor="t")
        report_id = builders.report(db_session).id
    sign_in(client, make_user(database, "admin"))
    token = csrf(client.get("/console/admin/platforms"))
    refused = {
        "platform name": client.post(
            "/console/admin/platforms",
            data={"csrf_token": token, "name": "New\x00Site", "domains": "newsite.example"},
        ),
        "platform notes": client.post(
            "/console/admin/platforms",
            data={
                "csrf_token": token,
                "name": "New Site",
                "domains": "newsite.example",
                "notes": "abuse desk\x00",
            },
        ),
        "legal process": client.post(
            f"/console/referrals/{number}/legal-process",
            data={"csrf_token": token, "file_id": file_id, "kind": "warrant", "reference": "W\x00"},
        ),
        "assign": client.post(
            f"/console/queue/{report_id}/assign", data={"csrf_token": token, "email": "a\x00"}
        ),
        "notice": client.post(
            "/console/notices",
            data={"csrf_token": token, "subject": "TL-\x00", "urls": "https://a.example/"},
        ),
        "search": client.get("/console", params={"q": "TL-\x00"}),
        "report page": client.get("/console/reports/TL-%00"),
        "referral page": client.get("/console/referrals/RF-%00"),
    }
    for what, response in refused.items():
        assert response.status_code == 400, (what, response.text)
        assert _error_code(response) == "nul_character", what
    with database.session() as db_session:
        names = set(db_session.scalars(select(NoticePlatform.name)))
    assert "New Site" not in names
    assert not [n for n in names if "\x00" in n]


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "Nul\x00Site", "domains": ["nul.example"]},
        {"name": "Nul Site", "domains": ["nul.example"], "notes": "a\x00b"},
        {"name": "Nul Site", "domains": ["nul.example"], "legal_bases": ["x\x00"]},
    ],
)
def test_a_directory_file_with_a_nul_is_refused_whole(
    database: Database, entry: dict[str, Any]
) -> None:
    with database.session() as db_session, pytest.raises(BadInput, match="NUL"):
        directory.load(db_session, text=json.dumps([entry]), actor="t")


def test_a_case_number_with_a_nul_is_no_report(client: TestClient) -> None:
    made = client.post(
        "/api/v1/reports", json={"reporter_role": "victim", "description": "he wants money"}
    ).json()
    page = client.get("/report/follow-up")
    response = client.post(
        "/report/follow-up",
        data={
            "csrf_token": csrf(page),
            "case_number": made["case_number"] + "\x00",
            "token": made["follow_up_token"],
        },
    )
    assert response.status_code == 404, response.text
    status = client.get(
        "/api/v1/reports/%00/status", headers={"X-Follow-Up-Token": made["follow_up_token"]}
    )
    assert status.status_code == 404, status.text


def test_the_public_report_form_drops_a_nul_rather_than_refuse_a_child(
    client: TestClient, database: Database
) -> None:
    page = client.get("/report")
    response = client.post(
        "/report",
        data={
            "csrf_token": csrf(page),
            "reporter_role": "victim",
            "description": "he said\x00 he would post it",
            "contact_name": "Synthetic\x00 Teen",
        },
    )
    assert response.status_code == 200, response.text
    with database.session() as db_session:
        [summary] = reports.list_reports(db_session)
        report = reports.get_report(db_session, ref=summary.id)
        assert report.description == "he said he would post it"


def test_a_nul_in_a_login_is_refused_not_a_500(client: TestClient, database: Database) -> None:
    email = make_user(database, "analyst")
    page = client.get("/console/login")
    refused = client.post(
        "/console/login",
        data={"email": "analyst\x00@example.test", "password": "x", "csrf_token": csrf(page)},
    )
    assert refused.status_code == 400, refused.text
    # The real account is untouched: it signs in as before.
    assert sign_in(client, email)
