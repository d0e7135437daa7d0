"""Reviewer wellness as a reviewer and a supervisor meet it: a revealed file blurred again at
once, the reason for each reveal on the report's timeline, and each reviewer's exposure week by
week for their supervisors."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts import csrf, make_user, sign_in
from media import encode, synthetic_image
from tipline import builders
from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.db import Database, utcnow
from tipline.evidence import service as evidence
from tipline.reports.events import ReportEvent
from tipline.review import wellness
from tipline.review.events import ReviewEvent
from tipline.web import labels


def _report_with_images(
    database: Database, settings: Any, count: int = 1, seed: int = 70
) -> tuple[str, list[str]]:
    """A report and the ids of its (synthetic, distinct) image files."""
    with database.session() as db_session:
        report_id = builders.report(db_session).id
        files = [
            evidence.store_file(
                db_session,
                settings=settings,
                data=encode(synthetic_image(seed + n), "PNG"),
                filename=f"shot-{n}.png",
                actor="t",
                report_id=report_id,
            ).file.id
            for n in range(count)
        ]
    return report_id, files


def _shown(page_text: str, file_id: str) -> str:
    """How the page shows the file: "revealed" or "blurred"."""
    match = re.search(rf'class="evidence (\w+)" src="/console/files/{file_id}"', page_text)
    assert match, "the file is not on the page"
    return match.group(1)


def _said(action: str) -> str:
    """An event as the timeline names it."""
    return labels.label("event", action)


def _file_actions(database: Database, file_id: str) -> list[str]:
    with database.session() as db_session:
        return [
            e.action
            for e in audit.timeline(db_session, subject_type="evidence_file", subject_id=file_id)
            if e.action in (ReviewEvent.EVIDENCE_REVEALED, ReviewEvent.EVIDENCE_BLURRED)
        ]


def test_a_revealed_file_is_blurred_again_at_once(
    client: TestClient, database: Database, settings: Any
) -> None:
    report_id, (file_id,) = _report_with_images(database, settings)
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{report_id}")
    assert _shown(page.text, file_id) == "blurred"
    assert "Blur again" not in page.text
    revealed = client.post(
        f"/console/files/{file_id}/reveal",
        data={"csrf_token": csrf(page), "reason": "read the username in the image"},
    )
    assert _shown(revealed.text, file_id) == "revealed"
    assert f'action="/console/files/{file_id}/blur"' in revealed.text
    blurred = client.post(f"/console/files/{file_id}/blur", data={"csrf_token": csrf(revealed)})
    assert blurred.status_code == 200
    assert blurred.url.path == f"/console/reports/{report_id}"
    assert _shown(blurred.text, file_id) == "blurred"
    assert f'action="/console/files/{file_id}/reveal"' in blurred.text
    assert _file_actions(database, file_id) == [
        ReviewEvent.EVIDENCE_REVEALED,
        ReviewEvent.EVIDENCE_BLURRED,
    ]
    # A second click has no reveal left to end: the file stays blurred, nothing more is logged.
    again = client.post(f"/console/files/{file_id}/blur", data={"csrf_token": csrf(blurred)})
    assert _shown(again.text, file_id) == "blurred"
    assert len(_file_actions(database, file_id)) == 2
    # Revealed again after the blur: the later reveal wins.
    third = client.post(
        f"/console/files/{file_id}/reveal",
        data={"csrf_token": csrf(again), "reason": "compare with the second report"},
    )
    assert _shown(third.text, file_id) == "revealed"


def test_blurring_needs_a_real_file_and_a_form_token(
    client: TestClient, database: Database, settings: Any
) -> None:
    report_id, (file_id,) = _report_with_images(database, settings)
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{report_id}")
    missing = client.post("/console/files/no-such-file/blur", data={"csrf_token": csrf(page)})
    assert missing.status_code == 404
    no_token = client.post(f"/console/files/{file_id}/blur", data={})
    assert no_token.status_code == 403


def test_one_reviewers_blur_leaves_anothers_reveal(
    app: Any, client: TestClient, database: Database, settings: Any
) -> None:
    report_id, (file_id,) = _report_with_images(database, settings)
    sign_in(client, make_user(database, "analyst", "first@example.test"))
    first_page = client.get(f"/console/reports/{report_id}")
    client.post(
        f"/console/files/{file_id}/reveal",
        data={"csrf_token": csrf(first_page), "reason": "check the threat text"},
    )
    with TestClient(app, base_url="http://127.0.0.1") as other:
        sign_in(other, make_user(database, "analyst", "second@example.test"))
        page = other.get(f"/console/reports/{report_id}")
        page = other.post(
            f"/console/files/{file_id}/reveal",
            data={"csrf_token": csrf(page), "reason": "second opinion on the image"},
        )
        page = other.post(f"/console/files/{file_id}/blur", data={"csrf_token": csrf(page)})
        assert _shown(page.text, file_id) == "blurred"
    assert _shown(client.get(f"/console/reports/{report_id}").text, file_id) == "revealed"


def test_the_reveal_reason_is_on_the_reports_timeline(
    client: TestClient, database: Database, settings: Any
) -> None:
    report_id, (file_id,) = _report_with_images(database, settings)
    reviewer = make_user(database, "analyst", "timeline.reviewer@example.test")
    sign_in(client, reviewer)
    page = client.get(f"/console/reports/{report_id}")
    page = client.post(
        f"/console/files/{file_id}/reveal",
        data={"csrf_token": csrf(page), "reason": "needed to read the payment handle"},
    )
    page = client.post(f"/console/files/{file_id}/blur", data={"csrf_token": csrf(page)})
    timeline = html.unescape(page.text).split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    entries = re.findall(r"<li>(.*?)</li>", timeline)
    revealed = [e for e in entries if _said(ReviewEvent.EVIDENCE_REVEALED) in e]
    assert len(revealed) == 1
    assert "needed to read the payment handle" in revealed[0]
    assert "shot-0.png" in revealed[0]
    assert "timeline.reviewer@example.test" in revealed[0]
    assert "user:" not in timeline
    blurred = [e for e in entries if _said(ReviewEvent.EVIDENCE_BLURRED) in e]
    assert len(blurred) == 1
    # In time order, after the report's own first event.
    assert entries.index(revealed[0]) < entries.index(blurred[0])
    assert _said(ReportEvent.RECEIVED) in entries[0]


# The exposure page ---------------------------------------------------------------------------


def _week_start(moment: datetime) -> datetime:
    day = moment.date() - timedelta(days=moment.weekday())
    return datetime.combine(day, time.min, tzinfo=UTC)


def _reveal_at(
    monkeypatch: pytest.MonkeyPatch,
    database: Database,
    when: datetime,
    email: str,
    file_ids: list[str],
) -> None:
    """Reveals logged at a known time: the audit log takes its clock from its own module."""

    def clock() -> datetime:
        return when

    with monkeypatch.context() as patch, database.session() as db_session:
        patch.setattr(audit, "utcnow", clock)
        user = auth.get_user(db_session, ref=email)
        for file_id in file_ids:
            wellness.reveal(db_session, file_id=file_id, user=user, reason="check the image")


_CELL = re.compile(
    r'data-week="(?P<week>[\d-]+)"><span class="reveals">(?P<reveals>\d+)</span> / '
    r'<span class="reports">(?P<reports>\d+)</span>(?P<heavy> <strong class="heavy-week">)?'
)


def _page_cells(text: str) -> dict[tuple[str, str], tuple[int, int, bool]]:
    table = text.split('id="exposure"', 1)[1].split("</table>", 1)[0]
    cells = {}
    for name, row in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S):
        for m in _CELL.finditer(row):
            cells[(html.unescape(name), m["week"])] = (
                int(m["reveals"]),
                int(m["reports"]),
                bool(m["heavy"]),
            )
    return cells


def test_supervisors_see_reveals_per_reviewer_per_week(
    client: TestClient, database: Database, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, (a, b) = _report_with_images(database, settings, count=2, seed=71)
    _, (c,) = _report_with_images(database, settings, seed=73)
    ana = make_user(database, "analyst", "ana@example.test")
    ben = make_user(database, "analyst", "ben@example.test")
    with database.session() as db_session:
        auth.get_user(db_session, ref=ana).display_name = "Ana Example"
    now = utcnow()
    this_week = _week_start(now)
    during_this_week = this_week + (now - this_week) / 2
    # Ana: three files of two reports this week, one file three weeks back, and one from
    # nine weeks back (outside the page). Ben: a heavy week last week, of one report.
    _reveal_at(monkeypatch, database, during_this_week, ana, [a, b, c])
    _reveal_at(monkeypatch, database, this_week - timedelta(days=17), ana, [c])
    _reveal_at(monkeypatch, database, this_week - timedelta(weeks=9), ana, [a])
    heavy = wellness.HEAVY_WEEK + 1
    _reveal_at(monkeypatch, database, this_week - timedelta(days=3), ben, ([a, b] * heavy)[:heavy])
    sign_in(client, make_user(database, "supervisor"))
    page = client.get("/console/exposure")
    assert page.status_code == 200
    mondays = [(this_week - timedelta(weeks=n)).date().isoformat() for n in range(8)]
    headers = re.findall(r"Week of ([\d-]+)", page.text)
    assert headers == mondays  # the last eight weeks, newest first
    cells = _page_cells(page.text)
    assert cells[("Ana Example", mondays[0])] == (3, 2, False)
    assert cells[("Ana Example", mondays[3])] == (1, 1, False)
    assert sum(cells[("Ana Example", m)][0] for m in mondays) == 4
    assert cells[("ben@example.test", mondays[1])] == (heavy, 1, True)
    assert cells[("ben@example.test", mondays[0])] == (0, 0, False)
    assert [k for k, v in cells.items() if v[2]] == [("ben@example.test", mondays[1])]
    # Ben's row first: most reveals first.
    assert page.text.index("ben@example.test") < page.text.index("Ana Example")

    download = client.get("/console/exposure.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    from_csv = {
        (r["reviewer"], r["week_of"]): (
            int(r["files_revealed"]),
            int(r["reports"]),
            r["heavy_week"] == "yes",
        )
        for r in rows
    }
    assert from_csv == cells
    assert {r["email"] for r in rows} == {"ana@example.test", "ben@example.test"}


def test_nobody_revealed_anything_yet(client: TestClient, database: Database) -> None:
    sign_in(client, make_user(database, "admin"))
    page = client.get("/console/exposure")
    assert page.status_code == 200
    assert "Nobody revealed a file in these weeks." in page.text
    download = client.get("/console/exposure.csv")
    assert download.text.splitlines() == [
        "reviewer,email,week_of,files_revealed,reports,heavy_week"
    ]


def test_analysts_may_not_see_the_exposure_page(client: TestClient, database: Database) -> None:
    sign_in(client, make_user(database, "analyst"))
    assert 'href="/console/exposure"' not in client.get("/console").text
    for path in ("/console/exposure", "/console/exposure.csv"):
        assert client.get(path).status_code == 403, path
