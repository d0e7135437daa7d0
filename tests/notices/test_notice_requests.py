"""An analyst's take-down requests against a real SMTP server (aiosmtpd) and a real HTTP site on
127.0.0.1 that serves a URL and then removes it: each notice is sent once however often the
sender runs or retries, a removal is detected, deadlines and overdue hold, and no connection is
ever made to a private address (the tests' setting admits loopback, and loopback only)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts import csrf, make_user, sign_in
from mail import Mailbox, serving
from tipline import builders
from tipline.audit.models import Event, PendingEvent
from tipline.config import Settings
from tipline.db import Database, utcnow
from tipline.notices import checker, requests, sender
from tipline.notices.events import NoticeEvent
from tipline.notices.models import NoticePlatform, NoticeRequest
from tipline.reports import service as reports
from tipline.stats import service as stats
from tipline.takedown import service as takedown


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with serving() as served:
        yield served


class Site:
    """A tiny web site: /img/<n> answers until removed; /away redirects to a private address;
    /api/notices takes a platform's API notices."""

    def __init__(self) -> None:
        self.removed: set[str] = set()
        self.api_calls: list[tuple[str, str]] = []
        self.api_fail_next = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, body: bool) -> None:
                if self.path == "/away":
                    self.send_response(302)
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                    self.end_headers()
                    return
                gone = self.path in site.removed
                self.send_response(404 if gone else 200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                if body and not gone:
                    self.wfile.write(b"\x89PNG" + b"\0" * 200_000)

            def do_HEAD(self) -> None:
                self._answer(body=False)

            def do_GET(self) -> None:
                self._answer(body=True)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                site.api_calls.append((self.path, self.headers.get("Idempotency-Key", "")))
                if site.api_fail_next:
                    site.api_fail_next -= 1
                    self.send_response(503)
                else:
                    self.send_response(202)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    try:
        yield s
    finally:
        s.server.shutdown()


@pytest.fixture
def smtp_settings(settings: Settings, mailbox: tuple[Mailbox, int]) -> Settings:
    return settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox[1]}"})


def _platform(database: Database, **fields: Any) -> None:
    with database.session() as db_session:
        db_session.add(
            NoticePlatform(
                name=fields.pop("name", "Local Site (synthetic)"),
                domains=["127.0.0.1"],
                legal_bases=["take_it_down_act", "csam"],
                deadline_hours=48,
                **fields,
            )
        )


def _request(
    database: Database, settings: Settings, urls: list[str], actor: str = "user:a"
) -> list[str]:
    report_id = builders.report(database).id
    with database.session() as db_session:
        made, rejected = requests.request_takedowns(
            db_session,
            subject_type="report",
            subject_id=report_id,
            urls=urls,
            actor=actor,
            settings=settings,
        )
        assert not rejected, rejected
        return [r.id for r in made]


def _get(database: Database, req_id: str) -> NoticeRequest:
    with database.session() as db_session:
        req = db_session.get(NoticeRequest, req_id)
        assert req is not None
        db_session.expunge(req)
        return req


def _actions(database: Database, req_id: str) -> list[str]:
    with database.session() as db_session:
        chained = db_session.scalars(select(Event.action).where(Event.subject_id == req_id))
        pending = db_session.scalars(
            select(PendingEvent.action).where(PendingEvent.subject_id == req_id)
        )
        return [*chained, *pending]


def test_an_email_notice_is_sent_once(
    database: Database, smtp_settings: Settings, mailbox: tuple[Mailbox, int], site: Site
) -> None:
    box, _ = mailbox
    _platform(database, email="abuse@platform.example")
    [req_id] = _request(database, smtp_settings, [site.url("/img/1")])
    for _ in range(3):  # the job runs every minute; only the first run sends
        with database.session() as db_session:
            requests.send_due(db_session, settings=smtp_settings)
    assert len(box.messages) == 1
    message = box.messages[0]
    assert message.rcpt_tos == ["abuse@platform.example"]
    body = message.content.decode()
    assert site.url("/img/1") in body
    assert "TAKE IT DOWN Act" in body
    assert "preserve" in body
    assert f"<{req_id}@tipline.notices>" in body
    req = _get(database, req_id)
    assert req.status == "sent"
    assert req.due_at is not None
    assert req.sent_at is not None
    assert req.due_at - req.sent_at == timedelta(hours=48)
    assert _actions(database, req_id) == [NoticeEvent.REQUESTED, NoticeEvent.SENT]


def test_a_refused_send_is_retried_and_still_arrives_once(
    database: Database, smtp_settings: Settings, mailbox: tuple[Mailbox, int], site: Site
) -> None:
    box, _ = mailbox
    box.refuse_next = 1
    _platform(database, email="abuse@platform.example")
    [req_id] = _request(database, smtp_settings, [site.url("/img/2")])
    with database.session() as db_session:
        assert requests.send_due(db_session, settings=smtp_settings) == 0
    assert _get(database, req_id).status == "failed"
    with database.session() as db_session:
        assert requests.send_due(db_session, settings=smtp_settings) == 1
        assert requests.send_due(db_session, settings=smtp_settings) == 0
    assert len(box.messages) == 1
    req = _get(database, req_id)
    assert (req.status, req.attempts) == ("sent", 2)
    assert _actions(database, req_id) == [
        NoticeEvent.REQUESTED,
        NoticeEvent.SEND_FAILED,
        NoticeEvent.SENT,
    ]


def test_an_unknown_outcome_is_never_resent_by_the_machine(
    database: Database,
    smtp_settings: Settings,
    mailbox: tuple[Mailbox, int],
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, _ = mailbox
    _platform(database, email="abuse@platform.example")
    first, second = _request(database, smtp_settings, [site.url("/img/3"), site.url("/img/4")])

    def lost(**_: Any) -> None:
        raise sender.MaybeSent("connection lost while sending")

    with monkeypatch.context() as m:
        m.setattr(sender, "send_email", lost)
        with database.session() as db_session:
            requests.send_due(db_session, settings=smtp_settings)
    # A worker that died mid-send leaves `sending`; the sweep calls it unknown, not pending.
    with database.session() as db_session:
        req = db_session.get(NoticeRequest, second)
        assert req is not None
        req.status = "sending"
        req.extra = {"sending_since": (utcnow() - timedelta(hours=1)).isoformat()}
    with database.session() as db_session:
        assert requests.sweep_stuck(db_session) == 1
        assert requests.send_due(db_session, settings=smtp_settings) == 0
    assert box.messages == []
    assert _get(database, first).status == "unknown"
    assert _get(database, second).status == "unknown"
    # A person decides to send it again: then it goes, once.
    with database.session() as db_session:
        requests.mark(db_session, req_id=first, action="resend", actor="user:a")
    with database.session() as db_session:
        assert requests.send_due(db_session, settings=smtp_settings) == 1
    assert len(box.messages) == 1


def test_an_api_notice_carries_one_idempotency_key_across_retries(
    database: Database, settings: Settings, site: Site
) -> None:
    _platform(database, api_url=site.url("/api/notices"))
    [req_id] = _request(database, settings, [site.url("/img/5")])
    site.api_fail_next = 1
    with database.session() as db_session:
        requests.send_due(db_session, settings=settings)
        requests.send_due(db_session, settings=settings)
        requests.send_due(db_session, settings=settings)
    assert site.api_calls == [("/api/notices", req_id), ("/api/notices", req_id)]
    assert _get(database, req_id).status == "sent"


def test_removal_is_detected_and_counted(
    client: TestClient, database: Database, settings: Settings, site: Site
) -> None:
    _platform(database, report_url="https://forms.example/report")
    [req_id] = _request(database, settings, [site.url("/img/6")])
    assert _get(database, req_id).channel == "manual"
    with database.session() as db_session:
        requests.mark(db_session, req_id=req_id, action="filed", actor="user:a")
    with database.session() as db_session:
        assert requests.check_due(db_session, settings=settings) == {"answers": 1}
    assert _get(database, req_id).status == "filed"
    site.removed.add("/img/6")
    with database.session() as db_session:
        req = db_session.get(NoticeRequest, req_id)
        assert req is not None
        req.checked_at = utcnow() - timedelta(hours=2)  # the next hourly round
    with database.session() as db_session:
        assert requests.check_due(db_session, settings=settings) == {"gone": 1}
    req = _get(database, req_id)
    assert req.status == "removed"
    assert req.removed_at is not None
    assert _actions(database, req_id)[-1] == NoticeEvent.REMOVED
    with database.session() as db_session:
        stats.refresh(db_session)
        figures = stats.staff(db_session)
    assert {"key": "Local Site (synthetic)", "count": 1} in figures["breakdowns"]["notices_removed"]
    assert figures["durations"]["removal_minutes"]["count"] == 1
    with database.session() as db_session:
        by_platform = stats.staff(db_session, platform="local site (synthetic)")
        elsewhere = stats.staff(db_session, platform="Sample Social (synthetic)")
    assert by_platform["durations"]["removal_minutes"]["count"] == 1
    with database.session() as db_session:
        public = stats.published(db_session, threshold=1)
    assert {"key": "Local Site (synthetic)", "count": 1, "suppressed": False} in public[
        "breakdowns"
    ]["notices_removed"]
    assert elsewhere["durations"]["removal_minutes"]["count"] == 0


def test_deadline_and_overdue(
    client: TestClient, database: Database, settings: Settings, site: Site
) -> None:
    _platform(database, report_url="https://forms.example/report")
    late, fresh = _request(database, settings, [site.url("/img/7"), site.url("/img/8")])
    with database.session() as db_session:
        for req_id in (late, fresh):
            requests.mark(db_session, req_id=req_id, action="filed", actor="user:a")
        req = db_session.get(NoticeRequest, late)
        assert req is not None
        req.due_at = utcnow() - timedelta(minutes=1)
    with database.session() as db_session:
        assert [r.id for r in requests.overdue(db_session)] == [late]
    sign_in(client, make_user(database, "analyst"))
    queue = client.get("/console")
    assert "Take-down requests past their deadline" in queue.text
    page = client.get("/console/notices")
    assert f'data-request="{late}" data-status="filed" class="overdue"' in page.text
    with database.session() as db_session:
        requests.mark(db_session, req_id=late, action="removed", actor="user:a")
    with database.session() as db_session:
        assert requests.overdue(db_session) == []


def test_no_connection_to_a_private_address(site: Site) -> None:
    loopback = checker.client(allow_loopback=True)
    assert checker.check(loopback, site.url("/img/9")).outcome == "answers"
    # The redirect to the cloud metadata address is refused at connect time.
    away = checker.check(loopback, site.url("/away"))
    assert away.outcome == "refused"
    # A name that resolves to a private address (or rebinds to one) is never connected to.
    rebinding = checker.client(allow_loopback=True, resolver=lambda host, port: ["10.0.0.7"])
    assert checker.check(rebinding, "http://rebind.example/x").outcome == "refused"
    for address in (
        "http://10.1.1.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/",
        "http://[fe80::1]/",
    ):
        assert checker.check(loopback, address).outcome == "refused"
    # Without the tests' setting, loopback is refused too.
    strict = checker.client(allow_loopback=False)
    assert checker.check(strict, site.url("/img/9")).outcome == "refused"


def test_a_victim_attaches_addresses_and_an_analyst_approves(
    client: TestClient,
    database: Database,
    smtp_settings: Settings,
    mailbox: tuple[Mailbox, int],
    site: Site,
) -> None:
    box, _ = mailbox
    _platform(database, email="abuse@platform.example")
    created = client.post(
        "/api/v1/takedown/cases",
        json={"hashes": [{"type": "md5", "value": "e" * 32}], "age_at_creation": "under_18"},
    ).json()
    pin = {"X-Case-PIN": created["pin"]}
    path = f"/api/v1/takedown/cases/{created['case_id']}/urls"
    assert client.post(path, json={"urls": [site.url("/img/10")]}).status_code == 404
    answer = client.post(
        path, json={"urls": [site.url("/img/10"), "javascript:alert(1)"]}, headers=pin
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["attached"] == 1
    assert body["urls"] == [{"url": site.url("/img/10"), "status": "review", "due_at": None}]
    assert body["rejected"][0]["url"] == "javascript:alert(1)"
    # Nothing is sent before an analyst looks.
    with database.session() as db_session:
        requests.send_due(db_session, settings=smtp_settings)
    assert box.messages == []
    with database.session() as db_session:
        case = takedown.case_for_pin(db_session, case_id=created["case_id"], pin=created["pin"])
        [req] = requests.for_subject(db_session, subject_type="takedown_case", subject_id=case.id)
        requests.mark(db_session, req_id=req.id, action="approve", actor="user:a")
    with database.session() as db_session:
        assert requests.send_due(db_session, settings=smtp_settings) == 1
    again = client.post(path, json={"urls": [site.url("/img/10")]}, headers=pin).json()
    assert again["attached"] == 0  # the same address is not asked about twice
    assert again["urls"][0]["status"] == "sent"
    # An address an analyst added to the case is counted for the victim, never named.
    with database.session() as db_session:
        requests.request_takedowns(
            db_session,
            subject_type="takedown_case",
            subject_id=case.id,
            urls=[site.url("/img/99")],
            actor="user:a",
            settings=smtp_settings,
        )
    status = client.get(f"/api/v1/takedown/cases/{created['case_id']}", headers=pin).json()
    assert status["notices"]["other_requests"] == {"requested": 1, "removed": 0}
    assert [u["url"] for u in status["notices"]["urls"]] == [site.url("/img/10")]
    assert "/img/99" not in str(status)


def test_the_console_makes_and_moves_requests(
    client: TestClient, database: Database, settings: Settings, site: Site
) -> None:
    _platform(database, report_url="https://forms.example/report")
    report_id = builders.report(database).id
    with database.session() as db_session:
        case_number = reports.get_report(db_session, ref=report_id).case_number
    sign_in(client, make_user(database, "analyst"))
    page = client.get("/console/notices")
    made = client.post(
        "/console/notices",
        data={
            "csrf_token": csrf(page),
            "subject": case_number,
            "urls": f"{site.url('/img/11')}\nfile:///etc/passwd\nhttp://10.0.0.1/x",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert made.headers["location"] == "/console/notices?made=1-2"
    with database.session() as db_session:
        [req] = requests.for_subject(db_session, subject_type="report", subject_id=report_id)
    listed = client.get("/console/notices")
    assert site.url("/img/11") in listed.text
    filed = client.post(
        f"/console/notices/{req.id}/filed",
        data={"csrf_token": csrf(listed)},
        follow_redirects=False,
    )
    assert filed.status_code == 303
    assert _get(database, req.id).status == "filed"
    bad = client.post(f"/console/notices/{req.id}/explode", data={"csrf_token": csrf(listed)})
    assert bad.status_code == 400
