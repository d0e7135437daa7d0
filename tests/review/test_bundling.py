"""Bundling: reports sharing an entity are proposed as one incident; analysts merge and split;
reports and incidents are counted apart. And the stored priority that the queue reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from PIL import ImageEnhance

from accounts import csrf, make_user, sign_in
from media import encode, synthetic_image
from tipline import builders
from tipline.audit import service as audit
from tipline.db import Database, utcnow
from tipline.evidence import service as evidence
from tipline.reports import intake
from tipline.reports import service as reports
from tipline.review import bundling
from tipline.review import service as review
from tipline.review.events import ReviewEvent


def test_related_by_account_id_url_victim_and_similar_image(
    database: Database, settings: Any
) -> None:
    original = synthetic_image(7)
    # A recompressed, brightened, smaller copy: a different file, the same picture.
    copy = ImageEnhance.Brightness(original.resize((480, 360))).enhance(1.15)
    with database.session() as db_session:
        first = builders.report(
            db_session,
            accounts=[
                {
                    "role": "suspect",
                    "platform": "ExampleGram",
                    "account_id": "88001",
                    "profile_url": "https://www.examplegram.test/Demo.Profile/",
                }
            ],
            people=[{"role": "victim", "email": "Teen.Demo@example.test"}],
        ).id
        same_id = builders.report(
            db_session,
            accounts=[{"role": "suspect", "platform": "ExampleGram", "account_id": "88001"}],
        ).id
        other_platform_same_id = builders.report(
            db_session,
            accounts=[{"role": "suspect", "platform": "ChatDemo", "account_id": "88001"}],
        ).id
        same_url = builders.report(
            db_session,
            accounts=[{"role": "suspect", "profile_url": "examplegram.test/demo.profile"}],
        ).id
        same_victim = builders.report(
            db_session, people=[{"role": "victim", "email": "teen.demo@example.test"}]
        ).id
        similar = builders.report(db_session).id
        unrelated = builders.report(db_session).id
        for rid, data in (
            (first, encode(original, "PNG")),
            (similar, encode(copy, "JPEG", quality=70)),
            (unrelated, encode(synthetic_image(99), "PNG")),
        ):
            evidence.store_file(
                db_session, settings=settings, data=data, filename="f", actor="t", report_id=rid
            )
    with database.session() as db_session:
        found = bundling.related(db_session, report=reports.get_report(db_session, ref=first))
    why = {r.report.id: r.why for r in found}
    assert set(why) == {same_id, same_url, same_victim, similar}
    assert other_platform_same_id not in why
    assert why[same_id] == ["same ExampleGram account id 88001"]
    assert why[same_url] == ["same profile URL examplegram.test/demo.profile"]
    assert why[same_victim] == ["same victim teen.demo@example.test"]
    assert why[similar][0].startswith("similar image ")
    assert "PDQ distance" in why[similar][0]


def test_only_reports_within_the_window_are_proposed(database: Database) -> None:
    account = [{"role": "suspect", "platform": "ExampleGram", "handle": "reused_demo"}]
    with database.session() as db_session:
        now = builders.report(db_session, accounts=account).id
        recent = builders.report(
            db_session, accounts=account, received_at=utcnow() - timedelta(days=20)
        ).id
        long_ago = builders.report(
            db_session, accounts=account, received_at=utcnow() - timedelta(days=400)
        ).id
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=now)
        assert {r.report.id for r in bundling.related(db_session, report=report)} == {
            recent,
            long_ago,
        }
        assert [r.report.id for r in bundling.proposals(db_session, report=report)] == [recent]


def test_merge_and_split_and_counting(database: Database) -> None:
    with database.session() as db_session:
        a, b, c, d = (builders.report(db_session).id for _ in range(4))
        lone = builders.report(db_session).id
    with database.session() as db_session:
        first = bundling.merge(db_session, report_refs=[a, b], actor="user:x", title="Same")
        second = bundling.merge(db_session, report_refs=[c, d], actor="user:x")
        first_number, second_number = first.number, second.number
    with database.session() as db_session:
        assert bundling.counts(db_session) == {"reports": 5, "incidents": 3, "bundles": 2}
        # Merging a report of each incident makes one incident of all four.
        merged = bundling.merge(db_session, report_refs=[b, c], actor="user:x")
        assert merged.number == first_number
        assert {r.id for r in merged.reports} == {a, b, c, d}
    with database.session() as db_session:
        # The number an agency may already hold still leads to the incident.
        assert bundling.get_incident(db_session, ref=second_number).number == first_number
        assert bundling.counts(db_session) == {"reports": 5, "incidents": 2, "bundles": 1}
        bundling.split(db_session, report_ref=d, actor="user:x")
    with database.session() as db_session:
        incident = bundling.get_incident(db_session, ref=first_number)
        assert {r.id for r in incident.reports} == {a, b, c}
        assert bundling.counts(db_session) == {"reports": 5, "incidents": 3, "bundles": 1}
        actions = [
            e.action
            for e in audit.timeline(db_session, subject_type="incident", subject_id=incident.id)
        ]
        assert actions.count(ReviewEvent.INCIDENT_MERGED) == 2
        assert ReviewEvent.INCIDENT_SPLIT in actions
        assert reports.get_report(db_session, ref=lone).incident_id is None


def test_merge_refuses_fewer_than_two_and_unknown_reports(
    client: TestClient, database: Database
) -> None:
    with database.session() as db_session:
        only = builders.report(db_session).id
    sign_in(client, make_user(database, "analyst"))
    token = csrf(client.get("/console"))
    one = client.post("/console/incidents/merge", data={"csrf_token": token, "report": [only]})
    assert one.status_code == 400
    missing = client.post(
        "/console/incidents/merge", data={"csrf_token": token, "report": [only, "TL-0000-0000"]}
    )
    assert missing.status_code == 404
    with database.session() as db_session:
        assert reports.get_report(db_session, ref=only).incident_id is None


def test_an_analyst_merges_proposed_reports_from_the_report_page(
    client: TestClient, database: Database
) -> None:
    payment = [{"method": "cash_app", "handle": "$demo-cash"}]
    with database.session() as db_session:
        first = builders.report(db_session, payments=payment).id
        second = builders.report(db_session, payments=payment).id
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{first}")
    assert "Proposed as one incident" in page.text
    assert "same payment handle demo-cash" in page.text
    done = client.post(
        "/console/incidents/merge",
        data={"csrf_token": csrf(page), "report": [first, second]},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "/console/incidents/IN-" in str(done.url)
    with database.session() as db_session:
        case_numbers = [reports.get_report(db_session, ref=r).case_number for r in (first, second)]
    for case in case_numbers:
        assert case in done.text
    after = client.get(f"/console/reports/{first}")
    assert "Proposed as one incident" not in after.text
    assert "Part of incident" in after.text


def test_the_queue_reads_the_stored_priority(database: Database) -> None:
    with database.session() as db_session:
        # Thousands of older everyday reports do not hide a new urgent one.
        reports_rows = [
            builders.report(db_session, received_at=utcnow() - timedelta(days=3, minutes=i)).id
            for i in range(300)
        ]
        urgent = builders.report(
            db_session, description="they gave me until midnight", sextortion=True
        ).id
    with database.session() as db_session:
        items = review.queue(db_session, limit=5)
        assert items[0].report.id == urgent
        assert items[0].priority.reason == "minor threatened with a deadline"
        assert review.queue_depth(db_session) == {2: 1, 4: len(reports_rows)}
        assert [i.report.id for i in review.queue(db_session, tier=2)] == [urgent]


def test_priority_follows_classification_and_a_reporters_later_words(database: Database) -> None:
    with database.session() as db_session:
        rid = builders.report(db_session, description="paid once, they want more").id
    with database.session() as db_session:
        user = builders.staff(db_session, role="analyst", email="classifier@example.test")
        review.classify(
            db_session,
            report_ref=rid,
            user=user,
            incident_type="online_enticement",
            sextortion=True,
            financial=True,
            minor_to_minor=False,
        )
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=rid)
        assert (report.priority_tier, report.priority_reason) == (3, "financial sextortion")
        intake.add_update(db_session, report=report, text="i can't go on like this")
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=rid)
        assert (report.priority_tier, report.priority_reason) == (1, "self-harm risk")
