"""The queue for a real caseload: paging with the total, four sorts, filters that combine and
round-trip through the URL, the new-information badge, and supervisors' bulk actions. Runs on
SQLite and on PostgreSQL (the sorts read partial indexes whose predicate must match)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts import csrf, make_org, make_user, sign_in
from media import encode, synthetic_image
from tipline import builders
from tipline.auth import service as auth
from tipline.config import Settings
from tipline.db import Database, utcnow
from tipline.errors import BadInput, Forbidden
from tipline.evidence import service as evidence
from tipline.reports import intake, priority
from tipline.reports import service as reports
from tipline.review import schemas
from tipline.review import service as review
from tipline.review.schemas import QueueFilter


def _file(database: Database, hours_ago: float, **fields: Any) -> str:
    with database.session() as db_session:
        return builders.report(
            db_session, received_at=utcnow() - timedelta(hours=hours_ago), **fields
        ).id


def _ids(database: Database, flt: QueueFilter, user_id: str | None = None) -> list[str]:
    with database.session() as db_session:
        page = review.queue_page(db_session, flt, user_id=user_id, page_size=500)
        return [i.report.id for i in page.items]


def _user_id(database: Database, email: str) -> str:
    with database.session() as db_session:
        return auth.get_user(db_session, ref=email).id


def test_pages_cover_every_report_once_with_the_total(database: Database) -> None:
    made = {_file(database, hours, description=f"report {hours}") for hours in range(120)}
    seen: list[str] = []
    with database.session() as db_session:
        for number in (1, 2, 3):
            page = review.queue_page(db_session, QueueFilter(), page=number, page_size=50)
            assert page.total == 120
            assert page.pages == 3
            seen += [i.report.id for i in page.items]
        assert (page.first, page.last) == (101, 120)
        beyond = review.queue_page(db_session, QueueFilter(), page=4, page_size=50)
        assert beyond.items == []
        assert beyond.total == 120
    assert len(seen) == 120
    assert set(seen) == made


def test_the_four_sorts(database: Database) -> None:
    plain_old = _file(database, 80, description="a plain old report")  # tier 4, overdue by 8 h
    money = _file(database, 30, sextortion=True, financial=True)  # tier 3, overdue by 6 h
    danger = _file(database, 0.2, child_in_danger=True)  # tier 1, due in 48 min
    plain_new = _file(database, 1, description="a plain new report")  # tier 4, due in 71 h
    assert _ids(database, QueueFilter()) == [danger, money, plain_old, plain_new]
    assert _ids(database, QueueFilter(sort="deadline")) == [plain_old, money, danger, plain_new]
    assert _ids(database, QueueFilter(sort="age")) == [plain_old, money, plain_new, danger]
    analyst = make_user(database, "analyst")
    with database.session() as db_session:
        review.claim(db_session, report_ref=money, user=auth.get_user(db_session, ref=analyst))
    assert _ids(database, QueueFilter(sort="activity"))[0] == money


def test_every_filter_alone_and_combined(database: Database, settings: Settings) -> None:
    agency = make_org(database, "agency", "Agency of the filter test").organisation.id
    analyst = make_user(database, "analyst", "filter@example.test")
    other = make_user(database, "analyst", "other@example.test")
    esp_es = _file(database, 2, source="esp", lang="es", sextortion=True, financial=True)
    public_type = _file(database, 50, incident_type="child_pornography")
    with_file = _file(database, 3)
    mine = _file(database, 4)
    theirs = _file(database, 5)
    added = _file(database, 6)
    referred = _file(database, 7)
    closed = _file(database, 8)
    with database.session() as db_session:
        evidence.store_file(
            db_session,
            settings=settings,
            data=encode(synthetic_image(3), "PNG"),
            filename="a.png",
            actor="t",
            report_id=with_file,
        )
        review.claim(db_session, report_ref=mine, user=auth.get_user(db_session, ref=analyst))
        review.claim(db_session, report_ref=theirs, user=auth.get_user(db_session, ref=other))
        intake.add_update(
            db_session, report=reports.get_report(db_session, ref=added), text="one more thing"
        )
        builders.referral(db_session, report_ref=referred, agency_ref=agency)
        review.close_informational(
            db_session,
            report_ref=closed,
            user=auth.get_user(db_session, ref=analyst),
            reason="viral_or_meme",
        )
    me = _user_id(database, analyst)
    open_ids = {esp_es, public_type, with_file, mine, theirs, added}
    assert set(_ids(database, QueueFilter())) == open_ids
    assert _ids(database, QueueFilter(tier=3)) == [esp_es]
    assert _ids(database, QueueFilter(source="esp")) == [esp_es]
    assert _ids(database, QueueFilter(lang="es")) == [esp_es]
    assert _ids(database, QueueFilter(incident_type="child_pornography")) == [public_type]
    assert _ids(database, QueueFilter(has_files=True)) == [with_file]
    assert _ids(database, QueueFilter(added_info=True)) == [added]
    assert _ids(database, QueueFilter(claim="mine"), user_id=me) == [mine]
    assert set(_ids(database, QueueFilter(claim="claimed"))) == {mine, theirs}
    assert set(_ids(database, QueueFilter(claim="unclaimed"))) == open_ids - {mine, theirs}
    # public_type (50 h, tier 4) is not overdue; esp_es (2 h, tier 3) is not either
    assert _ids(database, QueueFilter(overdue=True)) == []
    assert _ids(database, QueueFilter(status="referred")) == [referred]
    assert _ids(database, QueueFilter(status="closed")) == [closed]
    assert len(_ids(database, QueueFilter(status="all"))) == 8
    assert _ids(database, QueueFilter(status="all", agency_id=agency)) == [referred]
    today = utcnow().date()
    two_days_ago = today - timedelta(days=2)
    assert _ids(database, QueueFilter(received_to=two_days_ago)) == [public_type]
    assert public_type not in _ids(database, QueueFilter(received_from=today - timedelta(days=1)))
    # Combined: each condition narrows the others.
    assert _ids(database, QueueFilter(source="public", claim="unclaimed", has_files=True)) == [
        with_file
    ]
    assert _ids(database, QueueFilter(source="esp", has_files=True)) == []


def test_overdue_is_past_the_tiers_target(database: Database) -> None:
    late = _file(database, 5, sextortion=True, financial=True)
    _file(database, 1, sextortion=True, financial=True)
    with database.session() as db_session:
        # Tier 3 has a day: move one report's arrival back past it.
        report = reports.get_report(db_session, ref=late)
        report.received_at = utcnow() - timedelta(hours=25)
        priority.refresh(report)
    assert _ids(database, QueueFilter(overdue=True)) == [late]


def test_the_url_round_trips_and_bad_values_are_named() -> None:
    flt = QueueFilter(
        status="all",
        tier=2,
        source="esp",
        incident_type="online_enticement",
        claim="unclaimed",
        agency_id="abc123",
        lang="es",
        received_from=date(2026, 1, 1),
        received_to=date(2026, 2, 1),
        has_files=True,
        added_info=True,
        overdue=True,
        sort="deadline",
    )
    params = schemas.as_params(flt)
    assert schemas.read_filter({**params, "page": "3"}) == (flt, 3)
    assert schemas.as_params(QueueFilter()) == {}
    for bad, named in (
        ({"tier": "9"}, "tier"),
        ({"sort": "random"}, "sort"),
        ({"from": "yesterday"}, "from"),
        ({"page": "0"}, "page"),
        ({"type": "<script>"}, "type"),
    ):
        with pytest.raises(BadInput, match=named):
            schemas.read_filter(bad)


def test_the_page_shows_the_count_pages_and_keeps_filters(
    client: TestClient, database: Database
) -> None:
    for hours in range(60):
        _file(database, hours + 1, source="esp" if hours % 2 else "public")
    sign_in(client, make_user(database, "analyst"))
    page = client.get("/console?source=esp")
    assert page.status_code == 200
    assert "1\u201330 of 30" in page.text
    full = client.get("/console")
    assert "1\u201350 of 60" in full.text
    nxt = re.search(r'rel="next" href="([^"]+)"', full.text)
    assert nxt
    second = client.get(nxt.group(1).replace("&amp;", "&"))
    assert "51\u201360 of 60" in second.text
    sorted_page = client.get("/console?source=public&sort=age")
    link = re.search(r'rel="next" href="([^"]+)"', sorted_page.text)
    assert link is None  # 30 fit on one page
    assert 'value="age" selected' in sorted_page.text
    assert 'value="public" selected' in sorted_page.text
    bad = client.get("/console?tier=7", headers={"accept": "text/html"})
    assert bad.status_code == 400
    assert "tier: a whole number from 1 to 4" in bad.text
    assert "Nothing was changed" in bad.text


def test_the_badge_shows_until_an_analyst_acts(client: TestClient, database: Database) -> None:
    report_id = _file(database, 2, description="first words")
    with database.session() as db_session:
        intake.add_update(
            db_session,
            report=reports.get_report(db_session, ref=report_id),
            text="he wrote again tonight",
        )
    sign_in(client, make_user(database, "analyst"))
    page = client.get("/console")
    assert "new information" in page.text
    client.post(
        f"/console/queue/{report_id}/seen", data={"csrf_token": csrf(page)}, follow_redirects=False
    )
    assert "new information" not in client.get("/console").text
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=report_id)
        intake.add_update(db_session, report=report, text="and again")
    page = client.get("/console")
    assert "new information" in page.text
    client.post(f"/console/queue/{report_id}/claim", data={"csrf_token": csrf(page)})
    assert "new information" not in client.get("/console").text


def test_supervisors_claim_and_close_many_at_once(client: TestClient, database: Database) -> None:
    ids = [_file(database, h + 1, description=f"meme wave {h}") for h in range(4)]
    other = make_user(database, "analyst", "busy@example.test")
    with database.session() as db_session:
        review.claim(db_session, report_ref=ids[0], user=auth.get_user(db_session, ref=other))
    boss = make_user(database, "supervisor")
    sign_in(client, boss)
    page = client.get("/console")
    token = csrf(page)
    done = client.post(
        "/console/queue/bulk",
        data={"csrf_token": token, "report": ids[:3], "action": "claim", "back": "sort=age"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "sort=age" in done.headers["location"]
    shown = client.get(done.headers["location"])
    assert "Done: 2" in shown.text
    assert "another analyst is working on this report" in shown.text
    boss_id = _user_id(database, boss)
    assert set(_ids(database, QueueFilter(claim="mine"), user_id=boss_id)) == set(ids[1:3])
    closed = client.post(
        "/console/queue/bulk",
        data={"csrf_token": token, "report": ids[1:], "action": "close", "reason": "viral_or_meme"},
    )
    assert closed.status_code == 200
    assert _ids(database, QueueFilter(status="closed")) == sorted(
        ids[1:], key=lambda i: _received(database, i)
    )
    no_reason = client.post(
        "/console/queue/bulk",
        data={"csrf_token": token, "report": ids[:1], "action": "close", "reason": ""},
        headers={"accept": "text/html"},
    )
    assert no_reason.status_code == 400
    assert "choose a reason" in no_reason.text


def _received(database: Database, report_id: str) -> Any:
    with database.session() as db_session:
        return reports.get_report(db_session, ref=report_id).received_at


def test_analysts_cannot_act_in_bulk(client: TestClient, database: Database) -> None:
    report_id = _file(database, 1)
    analyst = make_user(database, "analyst")
    sign_in(client, analyst)
    page = client.get("/console")
    assert 'id="bulk-form"' in page.text  # the form element exists, but no bulk controls
    assert "Claim them for me" not in page.text
    refused = client.post(
        "/console/queue/bulk",
        data={"csrf_token": csrf(page), "report": [report_id], "action": "claim"},
    )
    assert refused.status_code == 403
    with database.session() as db_session, pytest.raises(Forbidden):
        review.bulk(
            db_session,
            report_refs=[report_id],
            user=auth.get_user(db_session, ref=analyst),
            action="claim",
        )


def test_a_file_sent_later_is_new_information_but_not_one_sent_while_filing(
    database: Database, settings: Settings
) -> None:
    late = _file(database, 2)
    fresh = _file(database, 0)
    with database.session() as db_session:
        for number, report_id in enumerate((late, fresh)):
            intake.attach_file(
                db_session,
                settings=settings,
                report_id=report_id,
                data=encode(synthetic_image(40 + number), "PNG"),
                filename="screenshot.png",
            )
    assert _ids(database, QueueFilter(added_info=True)) == [late]
