"""By the numbers: the rollup equals a direct count of the stored rows, small counts are
withheld so that no difference of published figures gives them away, and the pages, the API
and the CLI all say the same."""

from __future__ import annotations

import csv
import io
import json
import random
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from typer.testing import CliRunner

from accounts import make_org, make_user, sign_in
from tipline import builders
from tipline.audit import service as audit
from tipline.cli import app as cli
from tipline.db import Database
from tipline.referral import service as referral
from tipline.referral.models import Referral, ReferralReport
from tipline.reports import service as reports
from tipline.reports.models import Report
from tipline.review.events import ReviewEvent
from tipline.stats import facts, rollup
from tipline.stats import service as stats
from tipline.stats.models import StatCell
from tipline.stats.suppression import Count, Suppressor

TYPES = ["online_enticement", "child_pornography", "misleading_words_or_digital_images"]
PLATFORMS = ["Instagram", "instagram ", "Snapchat", "Discord", "Roblox"]
GENDERS = ["male", "female", None]
START = datetime(2025, 1, 1, tzinfo=UTC)


def _generate(database: Database, n: int, seed: int = 7) -> dict[str, str]:
    """n reports over 22 months with every field the numbers read, some referred to one of two
    agencies (an outcome recorded), some closed as informational, some triaged."""
    rng = random.Random(seed)
    agencies = {name: make_org(database, "agency", name).organisation.id for name in ("A", "B")}
    with database.session() as db_session:
        for i in range(n):
            received = START + timedelta(days=rng.randrange(660), minutes=rng.randrange(1440))
            sextortion = rng.random() < 0.6
            demands = (
                rng.sample(["money", "images", "other"], rng.randrange(3)) if sextortion else []
            )
            new = builders.report(
                db_session,
                source=rng.choice(["public", "esp", "detector"]),
                incident_type=rng.choice(TYPES),
                sextortion=sextortion,
                financial=sextortion and rng.random() < 0.3,
                demands=demands,
                people=[
                    {
                        "role": "victim",
                        "age": rng.choice([None, 8, 11, 13, 14, 16, 17, 19]),
                        "gender": rng.choice(GENDERS),
                    }
                    for _ in range(rng.choice([0, 1, 1, 2]))
                ],
                accounts=[
                    {"role": "suspect", "platform": rng.choice(PLATFORMS), "handle": f"s{i}"}
                    for _ in range(rng.choice([0, 1, 1, 2]))
                ],
                received_at=received,
            )
            report = reports.get_report(db_session, ref=new.id)
            fate = rng.random()
            if fate < 0.7:
                reports.set_status(db_session, report=report, status="triaged", actor="t")
                report.triaged_at = received + timedelta(minutes=rng.randrange(5, 3000))
            if fate < 0.35:
                made = builders.referral(
                    db_session, report_ref=report.id, agency_ref=agencies[rng.choice("AB")]
                )
                report.referred_at = received + timedelta(minutes=rng.randrange(3000, 9000))
                if rng.random() < 0.5:
                    referral.record_outcome(
                        db_session, referral=made, outcome="arrest", note="", actor="t"
                    )
            elif fate < 0.5:
                reports.set_status(db_session, report=report, status="closed", actor="t")
            db_session.flush()
    return agencies


def _refresh(database: Database) -> None:
    with database.session() as db_session:
        stats.refresh(db_session)


def _direct(database: Database) -> list[dict[str, Any]]:
    """Each report as the numbers should see it, read straight from the tables."""
    with database.session() as db_session:
        agency = {  # noqa: C416 - rows, not pairs
            report_id: agency_id
            for report_id, agency_id in db_session.execute(
                select(ReferralReport.report_id, Referral.agency_id).join(Referral)
            )
        }
        rows = db_session.scalars(
            select(Report).options(selectinload(Report.people), selectinload(Report.accounts))
        ).all()
        return [
            {
                "month": r.received_at.strftime("%Y-%m"),
                "day": r.received_at.date(),
                "type": r.incident_type,
                "sextortion": r.sextortion or bool(r.demands) or r.financial,
                "money": r.financial or "money" in (r.demands or []),
                "demands": set(r.demands or []) | ({"money"} if r.financial else set()),
                "victims": [(p.age, p.gender) for p in r.people if p.role == "victim"],
                "platforms": {p for a in r.accounts if (p := facts.platform_key(a.platform))},
                "status": r.status,
                "referred_at": r.referred_at,
                "agency": agency.get(r.id),
                "triage": (r.triaged_at - r.received_at) if r.triaged_at else None,
            }
            for r in rows
        ]


def _rows(figures: dict[str, Any], name: str) -> dict[str, int | None]:
    return {r["key"]: r["count"] for r in figures["breakdowns"][name]}


def test_published_figures_equal_a_direct_count(database: Database) -> None:
    _generate(database, 400)
    _refresh(database)
    truth = _direct(database)
    with database.session() as db_session:
        # A threshold of 1 withholds nothing: every figure can be checked exactly.
        figures = stats.published(db_session, threshold=1)
    assert figures["totals"]["reports"]["count"] == len(truth)
    by_month = Counter(t["month"] for t in truth)
    assert {p["period"]: p["count"] for p in figures["series"]["reports"] if p["count"]} == dict(
        by_month
    )
    assert _rows(figures, "incident_type") == dict(Counter(t["type"] for t in truth))
    sext = [t for t in truth if t["sextortion"]]
    assert figures["totals"]["sextortion"]["count"] == len(sext)
    assert figures["sextortion_money_share"] == round(sum(t["money"] for t in sext) / len(sext), 3)
    assert _rows(figures, "demand") == dict(Counter(d for t in truth for d in t["demands"]))
    # Money among the demands and sextortion with money demanded are one number.
    assert _rows(figures, "demand")["money"] == _rows(figures, "sextortion")["financial"]
    victims = [v for t in truth for v in t["victims"]]
    assert figures["totals"]["victims"]["count"] == len(victims)
    assert _rows(figures, "victim_age") == dict(Counter(facts.age_band(a) for a, _ in victims))
    assert _rows(figures, "victim_gender") == dict(Counter(g or "unknown" for _, g in victims))
    # "Instagram" and "instagram " are one platform.
    assert _rows(figures, "platform") == dict(Counter(p for t in truth for p in t["platforms"]))
    assert "instagram" in _rows(figures, "platform")
    assert _rows(figures, "disposition") == dict(
        Counter(facts.disposition(t["status"], t["referred_at"]) for t in truth)
    )
    with database.session() as db_session:
        year = _rows(stats.published(db_session, threshold=1, year=2025), "incident_type")
    assert year == dict(Counter(t["type"] for t in truth if t["month"].startswith("2025")))


def test_staff_filters_equal_a_direct_count(database: Database) -> None:
    agencies = _generate(database, 300, seed=11)
    _refresh(database)
    truth = _direct(database)
    start, end = date(2025, 3, 10), date(2025, 11, 20)
    with database.session() as db_session:
        got = stats.staff(
            db_session, start=start, end=end, agency=agencies["A"], platform="INSTAGRAM"
        )
    chosen = [
        t
        for t in truth
        if start <= t["day"] <= end
        and t["agency"] == agencies["A"]
        and "instagram" in t["platforms"]
    ]
    assert chosen, "the generated data should fill this filter"
    assert got["totals"]["reports"] == len(chosen)
    assert {r["key"]: r["count"] for r in got["breakdowns"]["incident_type"]} == dict(
        Counter(t["type"] for t in chosen)
    )
    minutes = sorted(int(t["triage"].total_seconds() // 60) for t in chosen if t["triage"])
    median = got["durations"]["triage_minutes"]["median_minutes"]
    exact = minutes[(len(minutes) + 1) // 2 - 1]
    # The rollup keeps minutes in buckets whose edges grow by a sixth.
    assert median is not None
    assert exact * 6 / 7 - 1 <= median <= exact


def test_incremental_updates_equal_a_rebuild(database: Database) -> None:
    _generate(database, 120, seed=3)
    _refresh(database)
    with database.session() as db_session:
        # Change what the numbers read, each change with its event as the services write it.
        for report in db_session.scalars(select(Report).limit(30)):
            report.incident_type = "child_pornography"
            if report.status in ("received", "triaged"):
                reports.set_status(db_session, report=report, status="closed", actor="t")
            else:
                audit.record(
                    db_session,
                    actor="t",
                    action=ReviewEvent.CLASSIFIED,
                    subject_type="report",
                    subject_id=report.id,
                )
    _refresh(database)
    with database.session() as db_session:
        incremental = {
            (c.slice, c.grain, c.period, c.figure, c.key): c.count
            for c in db_session.scalars(select(StatCell))
            if c.count
        }
        rollup.rebuild(db_session)
        rebuilt = {
            (c.slice, c.grain, c.period, c.figure, c.key): c.count
            for c in db_session.scalars(select(StatCell))
            if c.count
        }
    assert incremental == rebuilt


def test_a_refresh_twice_counts_once(database: Database) -> None:
    _generate(database, 30, seed=5)
    _refresh(database)
    with database.session() as db_session:
        first = stats.published(db_session, threshold=1)["totals"]["reports"]["count"]
        rollup.refresh(db_session)
        assert stats.published(db_session, threshold=1)["totals"]["reports"]["count"] == first == 30


# Suppression ----------------------------------------------------------------------------------


def _groups_hold(sup: Suppressor) -> None:
    for group in sup.groups:
        members = group.members()
        withheld = [c for c in members if c.suppressed]
        for c in members:
            assert c.suppressed or c.value == 0 or c.value >= sup.threshold
        assert len(withheld) != 1, "one withheld count in a group is the total minus the rest"
        if withheld and group.total is not None and not group.total.suppressed:
            assert sum(c.value for c in withheld) >= sup.threshold


@hsettings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=5), min_size=1, max_size=6),
    st.integers(1, 15),
)
def test_suppression_leaves_no_count_to_work_out(table: list[list[int]], threshold: int) -> None:
    """Rows of a table add up to row totals, columns to column totals, both to the grand
    total, as a breakdown by year does."""
    width = max(len(r) for r in table)
    cells = [[Count(v) for v in row + [0] * (width - len(row))] for row in table]
    row_totals = [Count(sum(c.value for c in row)) for row in cells]
    col_totals = [Count(sum(row[j].value for row in cells)) for j in range(width)]
    grand = Count(sum(t.value for t in row_totals))
    sup = Suppressor(threshold)
    for row, total in zip(cells, row_totals, strict=True):
        sup.add(row, total)
    for j, total in enumerate(col_totals):
        sup.add([row[j] for row in cells], total)
    sup.add(row_totals, grand)
    sup.add(col_totals, grand)
    sup.run()
    _groups_hold(sup)


def test_differencing_two_filters_reveals_nothing(database: Database, client: TestClient) -> None:
    """Three deepfake-type reports in 2025 among many: neither the year's figure nor all time
    minus 2026 gives the three away."""
    for i in range(40):
        builders.report(
            database,
            received_at=datetime(2026, 1 + i % 10, 3, tzinfo=UTC),
            incident_type="online_enticement",
        )
    for i in range(25):
        builders.report(
            database,
            received_at=datetime(2025, 2 + i % 9, 3, tzinfo=UTC),
            incident_type="online_enticement",
        )
    for i in range(3):
        builders.report(
            database,
            received_at=datetime(2025, 5, 1 + i, tzinfo=UTC),
            incident_type="child_pornography",
        )
    for i in range(30):
        builders.report(
            database,
            received_at=datetime(2026, 4, 1 + i % 20, tzinfo=UTC),
            incident_type="child_pornography",
        )
    _refresh(database)
    everything = client.get("/api/v1/stats").json()
    y2025 = client.get("/api/v1/stats", params={"year": 2025}).json()
    y2026 = client.get("/api/v1/stats", params={"year": 2026}).json()

    def key(figures: dict[str, Any], k: str) -> int | None:
        return next(r["count"] for r in figures["breakdowns"]["incident_type"] if r["key"] == k)

    assert key(y2025, "child_pornography") is None
    # All time minus 2026 would be the three: one of the two must be withheld.
    assert key(everything, "child_pornography") is None or key(y2026, "child_pornography") is None
    # And the year's total minus the year's other types would be the three, too.
    assert y2025["totals"]["reports"]["count"] is None or key(y2025, "online_enticement") is None
    # Monthly: May 2025 holds the three plus at most a few more, never shown as a small number.
    for point in y2025["series"]["reports"]:
        assert point["count"] is None or point["count"] == 0 or point["count"] >= 10
    published = [p["count"] for p in everything["series"]["reports"] if p["count"] is not None]
    assert all(c == 0 or c >= 10 for c in published)


# The API, the pages, the CLI ----------------------------------------------------------------


def test_api_answers_clearly(client: TestClient, database: Database) -> None:
    builders.report(database, received_at=datetime(2026, 2, 3, tzinfo=UTC))
    _refresh(database)
    body = client.get("/api/v1/stats").json()
    assert body["threshold"] == 10
    assert body["totals"]["reports"] == {"count": None, "suppressed": True}
    assert client.get("/api/v1/stats", params={"year": 1999}).status_code == 422
    missing = client.get("/api/v1/stats", params={"year": 2031})
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "no_such_year"
    assert client.get("/api/v1/stats", params={"year": "x"}).status_code == 422


@pytest.mark.parametrize("lang", ["en", "es"])
def test_numbers_page_charts_and_tables(client: TestClient, database: Database, lang: str) -> None:
    for i in range(30):
        builders.report(
            database,
            received_at=datetime(2026, 1 + i % 3, 5, tzinfo=UTC),
            sextortion=True,
            demands=["money"],
        )
    builders.report(
        database, received_at=datetime(2026, 3, 9, tzinfo=UTC), incident_type="child_pornography"
    )
    _refresh(database)
    client.get(f"/lang/{lang}")
    page = client.get("/numbers")
    assert page.status_code == 200
    html = page.text
    assert html.count('role="img"') >= 4
    assert "<table>" in html
    assert "<title id=" in html
    assert ("not how often" if lang == "en" else "no cuántas veces") in html
    # One report of its type: withheld, and drawn as a stub, not a bar.
    assert "&lt;10" in html
    assert 'class="withheld"' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_cli_gives_the_published_figures(
    database: Database, settings: Any, client: TestClient
) -> None:
    for i in range(12):
        builders.report(database, received_at=datetime(2026, 2, 1 + i, tzinfo=UTC))
    result = CliRunner().invoke(cli, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["totals"]["reports"] == {"count": 12, "suppressed": False}
    api = client.get("/api/v1/stats").json()
    assert {k: v for k, v in api.items() if k != "as_of"} == {
        k: v for k, v in figures.items() if k != "as_of"
    }
    bad = CliRunner().invoke(cli, ["stats", "--year", "2040"])
    assert bad.exit_code == 2
    assert "no figures for 2040" in bad.output
    rebuilt = CliRunner().invoke(cli, ["stats", "--rebuild", "--json"])
    assert json.loads(rebuilt.stdout)["totals"] == figures["totals"]


def test_console_numbers_for_staff(client: TestClient, database: Database) -> None:
    agency = make_org(database, "agency", "Agency A").organisation
    for i in range(5):
        builders.report(
            database,
            received_at=datetime(2026, 3, 1 + i, tzinfo=UTC),
            accounts=[{"role": "suspect", "platform": "=HYPERLINK(1)", "handle": "x"}],
        )
    _refresh(database)
    sign_in(client, make_user(database, "supervisor"))
    page = client.get("/console/numbers")
    assert page.status_code == 200
    # Exact for staff: five reports are five, not withheld.
    assert 'data-figure="reports">5<' in page.text
    assert "Agency A" in page.text
    assert "numbers-exposure" in page.text
    filtered = client.get("/console/numbers", params={"agency": agency.id})
    assert 'data-figure="reports">0<' in filtered.text
    exported = client.get("/console/numbers/export", params={"format": "csv", "from": "2026-03-02"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert ["total", "reports", "", "4"] in rows
    # A platform name is never a spreadsheet formula in the export.
    # Typed text is never a key at all: a platform off the fixed list counts as "other".
    assert ["breakdown", "platform", "other", "4"] in rows
    as_json = client.get("/console/numbers/export", params={"format": "json"}).json()
    assert as_json["totals"]["reports"] == 5
    bad = client.get("/console/numbers", params={"from": "2026-13-01"})
    assert bad.status_code == 400
    assert (
        client.get(
            "/console/numbers", params={"from": "2026-05-01", "to": "2026-01-01"}
        ).status_code
        == 400
    )


@hsettings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2026, 12, 31))),
    st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2026, 12, 31))),
)
def test_a_range_of_days_is_read_from_exactly_its_cells(
    start: date | None, end: date | None
) -> None:
    """Whole months from month cells, the edges from day cells: every day once, no other."""
    if start and end and start > end:
        start, end = end, start
    lo, hi = date(2024, 1, 1), date(2026, 12, 31)
    covered: list[date] = []
    for grain, first, last in stats._parts(start, end):
        day = lo
        while day <= hi:
            text = day.isoformat() if grain == "d" else day.isoformat()[:7]
            if (first is None or text >= first) and (last is None or text <= last):
                covered.append(day)
            day += timedelta(days=1)
    wanted = []
    day = start or lo
    while day <= (end or hi):
        wanted.append(day)
        day += timedelta(days=1)
    assert sorted(covered) == wanted


def test_a_running_server_counts_new_reports_by_itself(http: Any) -> None:
    """Over real HTTP: reports filed through the API show in the numbers within seconds, with no
    job run by hand (the appender chains their events and pokes the server's follower)."""

    for i in range(12):
        assert (
            http.post(
                "/api/v1/reports",
                json={"reporter_role": "friend", "description": f"a live report {i}"},
            ).status_code
            == 201
        )
    deadline = time.monotonic() + 20
    count = None
    while time.monotonic() < deadline:
        count = http.get("/api/v1/stats").json()["totals"].get("reports", {}).get("count")
        if count == 12:
            break
        time.sleep(0.2)
    assert count == 12
