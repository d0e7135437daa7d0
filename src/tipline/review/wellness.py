"""Reviewer wellness: media blurred and greyscale by default, revealing is a logged act with a
reason (and blurring again ends it at once), a file already reviewed (same SHA-256) is not shown
again, and each reviewer's exposure is counted week by week for their supervisors."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.auth.models import User
from tipline.db import utcnow
from tipline.errors import BadInput
from tipline.evidence import service as evidence
from tipline.evidence.models import EvidenceFile
from tipline.reports.models import Report
from tipline.review.events import ReviewEvent

REVEAL_LASTS = timedelta(minutes=10)
# A week in which one reviewer revealed more files than this is marked on the exposure page.
# A starting point, not a finding: no study gives a safe number of images a week, and what the
# files show, how long each is looked at, and the breaks and counselling a team has all change
# it. Tune it with your reviewers and whoever supports them.
HEAVY_WEEK = 50
EXPOSURE_WEEKS = 8
_SUBJECT = "evidence_file"
_REVEALED = ReviewEvent.EVIDENCE_REVEALED
_BLURRED = ReviewEvent.EVIDENCE_BLURRED


def _actor(user: User) -> str:
    return f"user:{user.id}"


def reveal(db_session: Session, *, file_id: str, user: User, reason: str) -> EvidenceFile:
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise BadInput("say why the file must be seen unblurred", code="reason_required")
    record = evidence.get_file(db_session, file_id=file_id)
    audit.record(
        db_session,
        actor=_actor(user),
        action=_REVEALED,
        subject_type=_SUBJECT,
        subject_id=record.id,
        data={"reason": reason[:500], "sha256": record.sha256},
    )
    return record


def blur(db_session: Session, *, file_id: str, user: User) -> EvidenceFile:
    """End this reviewer's reveal of the file now rather than when it lapses. Another reviewer's
    reveal of the same file is theirs, and stays. With no reveal to end (it lapsed, or a second
    click), nothing changes and nothing is recorded."""
    record = evidence.get_file(db_session, file_id=file_id)
    if record.id in revealed_now(db_session, user=user):
        audit.record(
            db_session,
            actor=_actor(user),
            action=_BLURRED,
            subject_type=_SUBJECT,
            subject_id=record.id,
        )
    return record


def _reveal_events(db_session: Session) -> list[tuple[str, str, object]]:
    """(actor, subject_id, created_at) of every reveal, chained or still pending."""
    return [
        (e.actor, e.subject_id, e.created_at)
        for e in audit.all_events(db_session, lambda t: t.c.action == _REVEALED)
    ]


def revealed_now(db_session: Session, *, user: User) -> set[str]:
    """Files this reviewer revealed within the last few minutes and has not blurred again since
    (shown unblurred to them only)."""
    since = utcnow() - REVEAL_LASTS
    actor = _actor(user)
    shown: set[str] = set()
    # In the log's order: a blur ends the reveals before it, and a reveal after a blur starts
    # a new one.
    for e in audit.all_events(
        db_session,
        lambda t: t.c.actor == actor,
        lambda t: t.c.action.in_([_REVEALED.value, _BLURRED.value]),
        lambda t: t.c.created_at >= since,
    ):
        if e.action == _REVEALED:
            shown.add(e.subject_id)
        else:
            shown.discard(e.subject_id)
    return shown


def already_reviewed(db_session: Session, *, files: list[EvidenceFile]) -> dict[str, str]:
    """file id -> case number where the same bytes were already revealed to a reviewer."""
    revealed_ids = {subject for _, subject, _ in _reveal_events(db_session)}
    if not revealed_ids or not files:
        return {}

    seen = db_session.execute(
        select(EvidenceFile.sha256, EvidenceFile.id, Report.case_number)
        .join(Report, Report.id == EvidenceFile.report_id)
        .where(
            EvidenceFile.id.in_(revealed_ids),
            EvidenceFile.sha256.in_({f.sha256 for f in files}),
        )
    ).all()
    out: dict[str, str] = {}
    for f in files:
        for sha, seen_id, case in seen:
            if sha == f.sha256 and seen_id != f.id:
                out[f.id] = case
    return out


@dataclass(frozen=True)
class FileReview:
    """A reveal or a re-blur of one of a report's files, as the report's timeline shows it
    (the event's subject is the file, so the report's own timeline does not hold it)."""

    created_at: datetime
    action: str
    actor: str
    person: str  # the actor as staff read it
    filename: str
    data: dict[str, Any]  # the reason, for a reveal


def file_reviews(db_session: Session, *, files: list[EvidenceFile]) -> list[FileReview]:
    """Who revealed or blurred again each of these files, when, and why; oldest first."""
    names = {f.id: f.filename for f in files}
    if not names:
        return []
    events = audit.all_events(
        db_session,
        lambda t: t.c.subject_type == _SUBJECT,
        lambda t: t.c.subject_id.in_(list(names)),
        lambda t: t.c.action.in_([_REVEALED.value, _BLURRED.value]),
    )
    people = auth.actor_names(db_session, (e.actor for e in events))
    return [
        FileReview(
            created_at=e.created_at,
            action=e.action,
            actor=e.actor,
            person=people.get(e.actor, e.actor),
            filename=names[e.subject_id],
            # Only the reason: the file's hash is for matching, not for reading.
            data={"reason": e.data["reason"]} if e.data.get("reason") else {},
        )
        for e in events
    ]


def exposure(db_session: Session) -> list[tuple[str, int]]:
    """Reveals per reviewer, most first (for supervisors)."""
    counts: dict[str, int] = {}
    for who, _, _ in _reveal_events(db_session):
        counts[who] = counts.get(who, 0) + 1
    emails = {
        f"user:{u.id}": u.email
        for u in db_session.scalars(
            select(User).where(User.id.in_([w.removeprefix("user:") for w in counts]))
        )
    }
    return sorted(((emails.get(w, w), n) for w, n in counts.items()), key=lambda r: -r[1])


@dataclass(frozen=True)
class WeekCell:
    """One reviewer's week: reveals (a file revealed twice counts twice: each is seen again),
    and the distinct reports those files belong to."""

    reveals: int = 0
    reports: int = 0

    @property
    def heavy(self) -> bool:
        return self.reveals > HEAVY_WEEK


@dataclass(frozen=True)
class ReviewerWeeks:
    reviewer: User
    cells: list[WeekCell]  # in the order of `WeeklyExposure.weeks`

    @property
    def reveals(self) -> int:
        return sum(c.reveals for c in self.cells)


@dataclass(frozen=True)
class WeeklyExposure:
    weeks: list[date]  # each ISO week's Monday, newest first
    rows: list[ReviewerWeeks]  # reviewers who revealed anything in these weeks, most first
    threshold: int = HEAVY_WEEK


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_exposure(
    db_session: Session,
    *,
    zone: tzinfo = UTC,
    weeks: int = EXPOSURE_WEEKS,
    now: datetime | None = None,
) -> WeeklyExposure:
    """Reveals and reports per reviewer per ISO week (Monday to Sunday in `zone`, the reader's
    time zone), for the last `weeks` weeks including this one."""
    this_week = _monday((now or utcnow()).astimezone(zone).date())
    mondays = [this_week - timedelta(weeks=n) for n in range(weeks)]
    since = datetime.combine(mondays[-1], time.min, tzinfo=zone).astimezone(UTC)
    events = audit.all_events(
        db_session,
        lambda t: t.c.action == _REVEALED.value,
        lambda t: t.c.created_at >= since,
    )
    report_of = dict(
        db_session.execute(
            select(EvidenceFile.id, EvidenceFile.report_id).where(
                EvidenceFile.id.in_({e.subject_id for e in events})
            )
        ).all()
    )
    reveals: dict[tuple[str, date], int] = defaultdict(int)
    reports: dict[tuple[str, date], set[str]] = defaultdict(set)
    for e in events:
        key = (e.actor, _monday(e.created_at.astimezone(zone).date()))
        reveals[key] += 1
        report_id = report_of.get(e.subject_id)
        if report_id is not None:
            reports[key].add(report_id)
    actors = {actor for actor, _ in reveals}
    users = db_session.scalars(
        select(User).where(User.id.in_([a.removeprefix("user:") for a in actors]))
    )
    rows = [
        ReviewerWeeks(
            user,
            [
                WeekCell(reveals[(_actor(user), m)], len(reports[(_actor(user), m)]))
                for m in mondays
            ],
        )
        for user in users
    ]
    rows.sort(key=lambda r: (-r.reveals, (r.reviewer.display_name or r.reviewer.email).lower()))
    return WeeklyExposure(mondays, rows)


def exposure_csv(exposure: WeeklyExposure) -> str:
    """The exposure page as a spreadsheet: one row per reviewer per week, newest week first."""

    def cell(text: str) -> str:
        # A display name must not become a spreadsheet formula.
        return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["reviewer", "email", "week_of", "files_revealed", "reports", "heavy_week"])
    for row in exposure.rows:
        name = row.reviewer.display_name or row.reviewer.email
        for monday, week in zip(exposure.weeks, row.cells, strict=True):
            writer.writerow(
                [
                    cell(name),
                    cell(row.reviewer.email),
                    monday.isoformat(),
                    week.reveals,
                    week.reports,
                    "yes" if week.heavy else "no",
                ]
            )
    return out.getvalue()
