"""The review queue: the most urgent child first, with the reason shown; one analyst per item."""

from __future__ import annotations

import re
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
from tipline.errors import Conflict, Forbidden
from tipline.evidence import service as evidence
from tipline.evidence.events import EvidenceEvent
from tipline.reports import service as reports
from tipline.reports.events import ReportEvent
from tipline.review import bundling, wellness
from tipline.review import service as review
from tipline.review.events import ReviewEvent


def _file(database: Database, hours_ago: float, **fields: Any) -> str:
    with database.session() as db_session:
        return builders.report(
            db_session,
            received_at=utcnow() - timedelta(hours=hours_ago),
            **fields,
        ).id


def test_queue_order_and_reasons(database: Database) -> None:
    old_plain = _file(database, 30, description="someone sent a weird message")
    financial = _file(
        database, 20, description="they want $200 in gift cards", sextortion=True, demands=["money"]
    )
    deadline = _file(
        database,
        10,
        description="they said I have 2 hours or they post it",
        sextortion=True,
        people=[{"role": "victim", "age": 15}],
    )
    adult_deadline = _file(
        database,
        9,
        description="24 hours or I post it",
        sextortion=True,
        people=[{"role": "victim", "age": 30}],
    )
    self_harm = _file(database, 0.5, description="i want to die", self_harm_risk=True)
    danger = _file(database, 2, description="meeting him tonight", child_in_danger=True)
    with database.session() as db_session:
        items = review.queue(db_session)
    order = [(i.report.id, i.priority.reason) for i in items]
    assert order == [
        (danger, "child in imminent danger"),
        (self_harm, "self-harm risk"),
        (deadline, "minor threatened with a deadline"),
        (financial, "financial sextortion"),
        (old_plain, "by age"),
        (adult_deadline, "by age"),
    ]
    # Each tier's clock (reports/priority.TARGETS): an hour for tier 1, four for tier 2.
    assert items[0].overdue  # received two hours ago, a decision due within one
    assert not items[1].overdue  # half an hour ago
    assert items[2].overdue  # a deadline threat ten hours ago: four hours were given
    assert all(i.sla_due is not None for i in items)


def test_deadline_words_in_spanish(database: Database) -> None:
    report_id = _file(
        database,
        1,
        description="Me dio 3 horas para pagar o lo publica",
        sextortion=True,
        people=[{"role": "victim", "age": 14}],
    )
    with database.session() as db_session:
        item = next(i for i in review.queue(db_session) if i.report.id == report_id)
    assert item.priority.reason == "minor threatened with a deadline"


def test_one_analyst_at_a_time_and_every_step_is_an_event(
    client: TestClient, database: Database
) -> None:
    report_id = _file(database, 1, description="x")
    first = make_user(database, "analyst", "first@example.test")
    second = make_user(database, "analyst", "second@example.test")
    boss = make_user(database, "supervisor", "boss@example.test")
    with database.session() as db_session:
        users = {u.email: u for u in auth.list_users(db_session)}
        db_session.expunge_all()
    with database.session() as db_session:
        review.claim(db_session, report_ref=report_id, user=users[first])

    with pytest.raises(Conflict), database.session() as db_session:
        review.claim(db_session, report_ref=report_id, user=users[second])
    with pytest.raises(Forbidden), database.session() as db_session:
        review.release(db_session, report_ref=report_id, user=users[second])
    with database.session() as db_session:
        review.reassign(db_session, report_ref=report_id, user=users[boss], to=users[second])
    with database.session() as db_session:
        review.release(db_session, report_ref=report_id, user=users[second])
        actions = [
            e.action
            for e in audit.timeline(db_session, subject_type="report", subject_id=report_id)
        ]
    assert actions == [
        ReportEvent.RECEIVED,
        ReviewEvent.CLAIMED,
        ReviewEvent.REASSIGNED,
        ReviewEvent.RELEASED,
    ]


def test_the_console_queue_page(client: TestClient, database: Database) -> None:
    urgent = _file(database, 3, description="i want to die", self_harm_risk=True)
    sign_in(client, make_user(database, "supervisor"))
    page = client.get("/console")
    assert page.status_code == 200
    assert "Self-harm risk" in page.text
    assert "overdue by" in page.text
    claimed = client.post(
        f"/console/queue/{urgent}/claim", data={"csrf_token": csrf(page)}, follow_redirects=False
    )
    assert claimed.status_code == 303
    assert "supervisor@example.test" in client.get("/console").text


def test_analysts_see_each_reports_clock(client: TestClient, database: Database) -> None:
    _file(database, 3, description="i want to die", self_harm_risk=True)
    _file(database, 0.5, description="they want money", sextortion=True, financial=True)
    sign_in(client, make_user(database, "analyst"))
    page = client.get("/console")
    assert "Self-harm risk" in page.text
    assert "overdue by 2 h 00 min" in page.text  # the queue clock
    # a minute may pass between filing and reading the page
    assert re.search(r"due in 23 h (29|30) min", page.text)


def test_a_claim_by_another_analyst_is_a_409_page(client: TestClient, database: Database) -> None:
    report_id = _file(database, 1, description="x")
    other = make_user(database, "analyst", "other@example.test")
    with database.session() as db_session:
        review.claim(db_session, report_ref=report_id, user=auth.get_user(db_session, ref=other))
    sign_in(client, make_user(database, "analyst"))
    page = client.get("/console")
    response = client.post(
        f"/console/queue/{report_id}/claim",
        data={"csrf_token": csrf(page)},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 409
    assert "another analyst" in response.text


def test_related_reports_share_an_account_a_payment_or_a_file(
    database: Database, settings: Any
) -> None:

    shot = encode(synthetic_image(50), "PNG")
    with database.session() as db_session:
        first = builders.report(
            db_session,
            accounts=[{"role": "suspect", "platform": "ExampleGram", "handle": "@Demo_Same"}],
            payments=[{"method": "cash_app", "handle": "$pay-demo"}],
        ).id
        by_account = builders.report(
            db_session,
            source="esp",
            accounts=[{"role": "suspect", "platform": "ExampleGram", "handle": "demo_same"}],
        ).id
        by_payment = builders.report(
            db_session,
            payments=[{"method": "cash_app", "handle": "pay-demo"}],
        ).id
        by_file = builders.report(db_session).id
        unrelated = builders.report(db_session).id
        for rid in (first, by_file):
            evidence.store_file(
                db_session, settings=settings, data=shot, filename="s.png", actor="t", report_id=rid
            )
    with database.session() as db_session:
        found = bundling.related(db_session, report=reports.get_report(db_session, ref=first))
    reasons = {r.report.id: r.why for r in found}
    assert set(reasons) == {by_account, by_payment, by_file}
    assert unrelated not in reasons
    assert reasons[by_account] == ["same account demo_same"]
    assert reasons[by_payment] == ["same payment handle pay-demo"]
    assert reasons[by_file][0].startswith("same file ")


def test_classify_then_close_records_the_times(client: TestClient, database: Database) -> None:
    report_id = _file(database, 2, description="asked for pictures")
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{report_id}")
    assert "Classify" in page.text
    done = client.post(
        f"/console/queue/{report_id}/classify",
        data={
            "csrf_token": csrf(page),
            "incident_type": "online_enticement",
            "sextortion": "on",
            "financial": "on",
        },
    )
    assert done.status_code == 200
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=report_id)
        assert report.status == "triaged"
        assert report.triaged_at is not None
        assert report.sextortion
        assert report.financial
    bad = client.post(
        f"/console/queue/{report_id}/close",
        data={"csrf_token": csrf(page), "reason": "bored"},
        headers={"accept": "text/html"},
    )
    assert bad.status_code == 400
    client.post(
        f"/console/queue/{report_id}/close",
        data={"csrf_token": csrf(page), "reason": "viral_or_meme"},
    )
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=report_id)
        assert report.status == "closed"
        assert report.closed_at is not None
        actions = [
            e.action
            for e in audit.timeline(db_session, subject_type="report", subject_id=report_id)
        ]
        closing = audit.timeline(db_session, subject_type="report", subject_id=report_id)[-1]
    assert actions[-3:] == [ReviewEvent.CLASSIFIED, ReportEvent.TRIAGED, ReportEvent.CLOSED]
    assert closing.data["reason"] == "viral_or_meme"


def test_the_queue_finds_reports_by_handle_payment_file_and_case(
    client: TestClient, database: Database, settings: Any
) -> None:

    with database.session() as db_session:
        made = builders.report(
            db_session,
            accounts=[{"role": "suspect", "platform": "ExampleGram", "handle": "@Find_Me"}],
            payments=[{"method": "crypto", "handle": "bc1demoaddress"}],
        )
        stored = evidence.store_file(
            db_session,
            settings=settings,
            data=encode(synthetic_image(51), "PNG"),
            filename="s.png",
            actor="t",
            report_id=made.id,
        )
        sha = stored.file.sha256
    sign_in(client, make_user(database, "analyst"))
    for query in ("find_me", "@FIND_ME", "bc1demoaddress", sha, made.case_number.lower()):
        page = client.get("/console", params={"q": query})
        assert made.case_number in page.text.split('id="search-results"')[1], query
    assert "Nothing found." in client.get("/console", params={"q": "nobody_here"}).text


def test_media_is_blurred_until_revealed_with_a_reason(
    client: TestClient, database: Database, settings: Any
) -> None:

    shot = encode(synthetic_image(52), "PNG")
    with database.session() as db_session:
        first = builders.report(db_session).id
        second = builders.report(db_session).id
        file_id = evidence.store_file(
            db_session, settings=settings, data=shot, filename="a.png", actor="t", report_id=first
        ).file.id
        twin_id = evidence.store_file(
            db_session, settings=settings, data=shot, filename="b.png", actor="t", report_id=second
        ).file.id
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{first}")
    assert 'class="evidence blurred"' in page.text
    served = client.get(f"/console/files/{file_id}")
    assert served.content == shot
    assert served.headers["cache-control"] == "no-store"
    no_reason = client.post(
        f"/console/files/{file_id}/reveal",
        data={"csrf_token": csrf(page), "reason": ""},
        headers={"accept": "text/html"},
    )
    assert no_reason.status_code == 400
    revealed = client.post(
        f"/console/files/{file_id}/reveal",
        data={"csrf_token": csrf(page), "reason": "check the threat text"},
    )
    assert 'class="evidence revealed"' in revealed.text
    # The same bytes in another report are not shown again.
    twin_page = client.get(f"/console/reports/{second}")
    assert "Already reviewed in case" in twin_page.text
    assert f"/console/files/{twin_id}" not in twin_page.text
    with database.session() as db_session:
        actions = [
            e.action
            for e in audit.timeline(db_session, subject_type="evidence_file", subject_id=file_id)
        ]
    assert actions == [EvidenceEvent.STORED, EvidenceEvent.READ, ReviewEvent.EVIDENCE_REVEALED]


def test_supervisors_see_reviewer_exposure(
    client: TestClient, database: Database, settings: Any
) -> None:
    analyst = make_user(database, "analyst", "exposed@example.test")
    with database.session() as db_session:
        rid = builders.report(db_session).id
        fid = evidence.store_file(
            db_session,
            settings=settings,
            data=encode(synthetic_image(53), "PNG"),
            filename="a.png",
            actor="t",
            report_id=rid,
        ).file.id
        wellness.reveal(
            db_session,
            file_id=fid,
            user=auth.get_user(db_session, ref=analyst),
            reason="needed to read the username in the image",
        )
    sign_in(client, make_user(database, "supervisor"))
    # The queue links to the exposure page (review/test_wellness.py checks its weeks).
    page = client.get("/console")
    assert 'href="/console/exposure"' in page.text
    table = client.get("/console/exposure").text
    assert "exposed@example.test" in table
