"""/ispws as an online service's existing CyberTipline client uses it.

The XML here is written by hand, the way such a client writes it from NCMEC's public
documentation; none of it comes from tipline's own serializer.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
from lxml import etree
from sqlalchemy import func, select

from accounts import make_org
from documents import REPORT
from media import encode, synthetic_image
from tipline.db import Database, utcnow
from tipline.evidence import service as evidence
from tipline.evidence.models import EvidenceFile
from tipline.ispws import service as ispws
from tipline.ispws.models import IspwsSubmission
from tipline.reports import service as reports
from tipline.reports.models import Report


def _fileinfo(report_id: str, file_id: str, viewed: str = "false") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<fileDetails>
  <reportId>{report_id}</reportId>
  <fileId>{file_id}</fileId>
  <originalFileName>chat-screenshot.png</originalFileName>
  <fileViewedByEsp>{viewed}</fileViewedByEsp>
  <fileRelevance>Reported</fileRelevance>
  <originalFileHash hashType="MD5">0123456789abcdef0123456789abcdef</originalFileHash>
</fileDetails>
""".encode()


def _field(body: bytes, name: str) -> str:
    found = etree.fromstring(body).find(name)
    assert found is not None, body
    return found.text or ""


def _code(response: httpx.Response) -> int:
    return int(_field(response.content, "responseCode"))


@pytest.fixture
def esp(database: Database) -> tuple[str, str]:
    creds = make_org(database, "esp", "Example Chat ESP")
    assert creds.ispws_username
    assert creds.ispws_password
    return creds.ispws_username, creds.ispws_password


@pytest.fixture
def client(live_server: str, esp: tuple[str, str]) -> Any:
    with httpx.Client(base_url=f"{live_server}/ispws", auth=esp, timeout=30) as c:
        yield c


def _submit(client: httpx.Client, document: bytes = REPORT) -> httpx.Response:
    return client.post("/submit", content=document, headers={"Content-Type": "text/xml"})


def _submissions(database: Database) -> int:
    with database.session() as db_session:
        return int(db_session.scalar(select(func.count(IspwsSubmission.id))) or 0)


def test_status_and_schema(client: httpx.Client) -> None:
    response = client.get("/status")
    assert response.status_code == 200
    assert _code(response) == 0
    assert response.headers["Request-ID"]
    xsd = client.get("/xsd")
    assert b"<xs:schema" in xsd.content


@pytest.mark.parametrize("auth", [None, ("esp-nobody", "x"), "wrong-password"])
def test_a_failed_login_is_401_with_an_empty_body(
    live_server: str, esp: tuple[str, str], auth: Any
) -> None:
    if auth == "wrong-password":
        auth = (esp[0], "wrong")
    response = httpx.get(f"{live_server}/ispws/status", auth=auth)
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["Request-ID"]


def test_a_report_filed_with_a_file(client: httpx.Client, database: Database) -> None:
    submitted = _submit(client)
    assert submitted.status_code == 200, submitted.text
    assert _code(submitted) == 0
    report_id = _field(submitted.content, "reportId")
    assert report_id.isdigit()
    # Unfinished: nobody else sees it yet.
    with database.session() as db_session:
        assert reports.list_reports(db_session) == []
    screenshot = encode(synthetic_image(30), "PNG")
    uploaded = client.post(
        "/upload",
        data={"id": report_id},
        files={"file": ("chat-screenshot.png", screenshot, "image/png")},
    )
    assert _code(uploaded) == 0, uploaded.text
    file_id = _field(uploaded.content, "fileId")
    assert _field(uploaded.content, "hash") == hashlib.md5(screenshot).hexdigest()  # noqa: S324
    info = client.post(
        "/fileinfo", content=_fileinfo(report_id, file_id), headers={"Content-Type": "text/xml"}
    )
    assert _code(info) == 0, info.text
    done = client.post("/finish", data={"id": report_id})
    assert done.status_code == 200
    root = etree.fromstring(done.content)
    assert root.tag == "reportDoneResponse"
    assert root.findtext("responseCode") == "0"
    assert root.findtext("reportId") == report_id
    assert [f.text for f in root.findall("files/fileId")] == [file_id]
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=report_id)
        assert report.source == "esp"
        assert report.incident_type == "online_enticement"
        assert report.sextortion
        assert report.child_in_danger
        assert report.annotations == ["csamSolicitation", "sextortion"]
        assert "gift cards" in report.description
        assert report.extra["escalation_reason"] == "Minor threatened with a 2-hour deadline"
        suspects = [
            (a.platform, a.handle, a.account_id, a.profile_url)
            for a in report.accounts
            if a.role == "suspect"
        ]
        assert suspects == [
            (
                "ExampleChat",
                "demo_offender_77",
                "90210-demo",
                "https://chat.example/u/demo_offender_77",
            )
        ]
        ip = report.extra["cybertipline"]["personOrUserReported"][0]["ipCaptureEvent"][0]
        assert ip["ipAddress"] == "192.0.2.10"
        victim = next(p for p in report.people if p.role == "victim")
        assert victim.age == 15
        stored = db_session.scalars(
            select(EvidenceFile).where(EvidenceFile.report_id == report.id)
        ).all()
        assert len(stored) == 1
        assert stored[0].viewed_by_reporter is False


def test_lifecycle_codes(client: httpx.Client) -> None:
    report_id = _field(_submit(client).content, "reportId")
    assert _code(client.post("/finish", data={"id": report_id})) == 0
    assert _code(client.post("/finish", data={"id": report_id})) == 5102
    late = client.post(
        "/upload",
        data={"id": report_id},
        files={"file": ("a.png", encode(synthetic_image(1), "PNG"), "image/png")},
    )
    assert _code(late) == 5102
    other = _field(_submit(client).content, "reportId")
    assert _code(client.post("/retract", data={"id": other})) == 0
    assert _code(client.post("/retract", data={"id": other})) == 5101
    assert _code(client.post("/finish", data={"id": other})) == 5101
    assert _code(client.post("/finish", data={"id": "999999"})) == 5001
    assert _code(client.post("/finish", data={"id": "not-a-number"})) == 5001


def test_one_service_cannot_touch_anothers_report(
    client: httpx.Client, live_server: str, database: Database
) -> None:
    report_id = _field(_submit(client).content, "reportId")
    rival = make_org(database, "esp", "Rival ESP")
    auth = (rival.ispws_username or "", rival.ispws_password or "")
    with httpx.Client(base_url=f"{live_server}/ispws", auth=auth) as other:
        for path in ("/finish", "/retract"):
            response = other.post(path, data={"id": report_id})
            assert _code(response) == 5001
        upload = other.post(
            "/upload",
            data={"id": report_id},
            files={"file": ("a.png", encode(synthetic_image(2), "PNG"))},
        )
        assert _code(upload) == 5001
    assert _code(client.post("/finish", data={"id": report_id})) == 0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<report><additionalInfo>&lol3;</additionalInfo></report>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<report><additionalInfo>&xxe;</additionalInfo></report>"""


def _swap(old: bytes, new: bytes) -> bytes:
    assert old in REPORT
    return REPORT.replace(old, new)


BAD_DOCUMENTS = {
    "malformed": (b"<report><incidentSummary>", 4110),
    "billion-laughs": (BILLION_LAUGHS, 4110),
    "external-entity": (EXTERNAL_ENTITY, 4110),
    "not-a-report": (b"<fileDetails/>", 4100),
    "out-of-order": (
        _swap(b"<platform>ExampleChat</platform>", b"").replace(
            b"<incidentDateTime>2026-11-20T21:15:00-05:00</incidentDateTime>",
            b"<incidentDateTime>2026-11-20T21:15:00-05:00</incidentDateTime>"
            b"<platform>ExampleChat</platform>",
        ),
        4100,
    ),
    "impossible-date": (_swap(b"2026-11-20T21:15:00-05:00", b"2026-02-30T21:15:00-05:00"), 4100),
    "future-date": (_swap(b"2026-11-20T21:15:00-05:00", b"2999-01-01T00:00:00Z"), 4100),
    "unknown-incident-type": (
        _swap(b"Online Enticement of Children for Sexual Acts", b"Something Else"),
        4100,
    ),
    "missing-reporter": (REPORT.split(b"<reporter>")[0] + REPORT.split(b"</reporter>")[1], 4100),
    "too-long-text": (_swap(b"Account disabled after review.", b"x" * 3001), 4100),
    "empty": (b"", 4110),
}


@pytest.mark.parametrize("name", list(BAD_DOCUMENTS))
def test_bad_documents_get_their_code_and_store_nothing(
    client: httpx.Client, database: Database, name: str
) -> None:
    document, code = BAD_DOCUMENTS[name]
    response = _submit(client, document)
    assert _code(response) == code, response.text
    assert 400 <= response.status_code < 500
    assert _submissions(database) == 0


def test_a_50_mb_document_is_refused_unread(client: httpx.Client, database: Database) -> None:
    huge = REPORT.replace(b"<additionalInfo>", b"<additionalInfo>" + b"x" * (50 * 1024 * 1024))
    response = _submit(client, huge)
    assert response.status_code == 413
    assert _code(response) == 4000
    assert _submissions(database) == 0


def test_twenty_services_filing_at_once_lose_nothing(live_server: str, database: Database) -> None:
    services = [make_org(database, "esp", f"Concurrent ESP {i}") for i in range(20)]
    filed: list[str] = []
    errors: list[str] = []

    def file_one(creds: Any) -> None:
        auth = (creds.ispws_username, creds.ispws_password)
        with httpx.Client(base_url=f"{live_server}/ispws", auth=auth, timeout=60) as c:
            submitted = _submit(c)
            if _code(submitted) != 0:
                errors.append(submitted.text)
                return
            report_id = _field(submitted.content, "reportId")
            done = c.post("/finish", data={"id": report_id})
            if _code(done) != 0:
                errors.append(done.text)
                return
            filed.append(report_id)

    threads = [threading.Thread(target=file_one, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(filed)) == 20
    with database.session() as db_session:
        count = db_session.scalar(select(func.count(Report.id)).where(Report.source == "esp"))
    assert count == 20


def test_a_platform_has_no_ispws_login(database: Database, live_server: str) -> None:
    creds = make_org(database, "platform", "Hash-list Platform")
    assert creds.ispws_username is None
    response = httpx.get(f"{live_server}/ispws/status", auth=("platform", creds.api_key or ""))
    assert response.status_code == 401


def test_unfinished_reports_expire_with_their_files(
    client: httpx.Client, database: Database, settings: Any
) -> None:
    report_id = _field(_submit(client).content, "reportId")
    client.post(
        "/upload",
        data={"id": report_id},
        files={"file": ("a.png", encode(synthetic_image(4), "PNG"), "image/png")},
    )
    kept = _field(_submit(client).content, "reportId")
    with database.session() as db_session:
        # Not yet: opened less than 24 hours ago.
        assert ispws.expire_stale(db_session, settings=settings) == 0
        later = utcnow() + timedelta(hours=25)
        stale = db_session.get(IspwsSubmission, int(report_id))
        fresh = db_session.get(IspwsSubmission, int(kept))
        assert stale is not None
        assert fresh is not None
        fresh.updated_at = later - timedelta(minutes=30)  # touched within the last hour
        assert ispws.expire_stale(db_session, settings=settings, now=later) == 1
    assert evidence.vault_for(settings).stored_keys() == set()
    assert _code(client.post("/finish", data={"id": report_id})) == 5001
    assert _code(client.post("/finish", data={"id": kept})) == 0


def test_despair_in_the_chat_content_marks_self_harm_risk(
    client: httpx.Client, database: Database
) -> None:
    document = REPORT.replace(
        b"or the images would be sent to the minor's followers.",
        b"or the images would be sent to the minor's followers. Minor replied: i want to die",
    )
    report_id = _field(_submit(client, document).content, "reportId")
    assert _code(client.post("/finish", data={"id": report_id})) == 0
    with database.session() as db_session:
        assert reports.get_report(db_session, ref=report_id).self_harm_risk
