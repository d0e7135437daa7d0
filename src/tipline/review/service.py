"""The review queue: priority order, claims (one analyst at a time), the top tier's SLA clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth.models import User
from tipline.auth.roles import CONSOLE_ROLES, SUPERVISOR_ROLES
from tipline.db import utcnow
from tipline.errors import BadInput, Conflict, Forbidden
from tipline.reports import priority
from tipline.reports import service as reports
from tipline.reports.models import Report
from tipline.reports.priority import Priority
from tipline.reports.schemas import IncidentType
from tipline.review.events import ReviewEvent

OPEN_STATUSES = ("received", "triaged")
# The queue index's own predicate (reports.models), as literal SQL.
OPEN_PREDICATE = text("reports.status IN ('received', 'triaged')")
# The top tier is triaged within this long (an SLA shown to supervisors).
TOP_TIER_SLA = timedelta(hours=1)
# A claim nobody touches for this long lapses, so an item is never stuck with an absent analyst.
CLAIM_LAPSES_AFTER = timedelta(hours=4)


@dataclass(frozen=True)
class QueueRow:
    """What the queue shows of a report: read as plain columns, not whole reports, so that a
    page of the queue costs one index scan and no object loading."""

    id: str
    case_number: str
    source: str
    received_at: datetime
    triaged_at: datetime | None
    claimed_by: str | None
    claimed_at: datetime | None


@dataclass(frozen=True)
class QueueItem:
    report: QueueRow
    priority: Priority
    sla_due: datetime | None
    claimed_by: str | None

    @property
    def overdue(self) -> bool:
        return self.sla_due is not None and utcnow() > self.sla_due


def queue(
    db_session: Session,
    *,
    limit: int = 100,
    tier: int | None = None,
    source: str | None = None,
    claimed_by: str | None = None,
    unclaimed: bool = False,
) -> list[QueueItem]:
    """Open reports, most urgent first: one scan of the queue index (stored tier, then age).

    The status condition is written exactly as the partial index's predicate, as literal SQL:
    a bound parameter there would keep PostgreSQL's generic plans from using the index.
    """
    stmt = (
        select(
            Report.id,
            Report.case_number,
            Report.source,
            Report.received_at,
            Report.triaged_at,
            Report.claimed_by,
            Report.claimed_at,
            Report.priority_tier,
            Report.priority_reason,
        )
        .where(OPEN_PREDICATE)
        .order_by(Report.priority_tier, Report.received_at)
        .limit(limit)
    )
    if tier is not None:
        stmt = stmt.where(Report.priority_tier == tier)
    if source:
        stmt = stmt.where(Report.source == source)
    lapsed = utcnow() - CLAIM_LAPSES_AFTER
    if claimed_by:
        stmt = stmt.where(Report.claimed_by == claimed_by, Report.claimed_at > lapsed)
    if unclaimed:
        stmt = stmt.where(or_(Report.claimed_by.is_(None), Report.claimed_at <= lapsed))
    rows = db_session.execute(stmt).all()
    claimers = {
        u.id: u.email
        for u in db_session.scalars(
            select(User).where(User.id.in_({r.claimed_by for r in rows if r.claimed_by}))
        )
    }
    items = []
    for row in rows:
        report = QueueRow(*row[:7])
        prio = Priority(row.priority_tier, row.priority_reason)
        due = (
            report.received_at + TOP_TIER_SLA if prio.tier == 1 and not report.triaged_at else None
        )
        live = (
            report.claimed_by is not None
            and report.claimed_at is not None
            and report.claimed_at > lapsed
        )
        claimed = claimers.get(report.claimed_by or "") if live else None
        items.append(QueueItem(report, prio, due, claimed))
    return items


def queue_depth(db_session: Session) -> dict[int, int]:
    """Open reports per tier, for the console's header and the supervisors' view."""
    rows = db_session.execute(
        select(Report.priority_tier, func.count())
        .where(OPEN_PREDICATE)
        .group_by(Report.priority_tier)
    )
    return {int(t): int(n) for t, n in rows}


def _claim_live(report: Report | QueueRow) -> bool:
    return (
        report.claimed_by is not None
        and report.claimed_at is not None
        and utcnow() - report.claimed_at < CLAIM_LAPSES_AFTER
    )


def _event(
    db_session: Session, report: Report, actor: User, action: ReviewEvent, **data: object
) -> None:
    audit.record(
        db_session,
        actor=f"user:{actor.id}",
        action=action,
        subject_type="report",
        subject_id=report.id,
        data=dict(data),
    )


def claim(db_session: Session, *, report_ref: str, user: User) -> Report:
    report = reports.get_report(db_session, ref=report_ref)
    if report.status not in OPEN_STATUSES:
        raise BadInput(f"a {report.status} report is not in the queue", code="not_open")
    if _claim_live(report) and report.claimed_by != user.id:
        raise Conflict("another analyst is working on this report", code="claimed")
    report.claimed_by, report.claimed_at = user.id, utcnow()
    _event(db_session, report, user, ReviewEvent.CLAIMED)
    return report


def release(db_session: Session, *, report_ref: str, user: User) -> Report:
    report = reports.get_report(db_session, ref=report_ref)
    supervising = user.role in SUPERVISOR_ROLES
    if report.claimed_by not in (None, user.id) and not supervising:
        raise Forbidden("only the analyst who claimed it, or a supervisor, can release it")
    previous = report.claimed_by
    report.claimed_by = report.claimed_at = None
    _event(db_session, report, user, ReviewEvent.RELEASED, previous=previous)
    return report


def reassign(db_session: Session, *, report_ref: str, user: User, to: User) -> Report:
    if user.role not in SUPERVISOR_ROLES:
        raise Forbidden("only a supervisor can reassign")
    if to.role not in CONSOLE_ROLES or not to.is_active:
        raise BadInput(f"{to.email} does not review reports", code="not_a_reviewer")
    report = reports.get_report(db_session, ref=report_ref)
    previous = report.claimed_by
    report.claimed_by, report.claimed_at = to.id, utcnow()
    _event(db_session, report, user, ReviewEvent.REASSIGNED, previous=previous, to=to.id)
    return report


CLOSE_REASONS = ("insufficient_information", "viral_or_meme", "duplicate", "outside_mandate")


def classify(
    db_session: Session,
    *,
    report_ref: str,
    user: User,
    incident_type: str,
    sextortion: bool,
    financial: bool,
    minor_to_minor: bool,
) -> Report:
    """Triage: the analyst's classification; time to triage is recorded with it."""
    report = reports.get_report(db_session, ref=report_ref)
    try:
        IncidentType(incident_type)
    except ValueError:
        raise BadInput(f"unknown incident type {incident_type!r}", code="incident_type") from None
    before = {
        "incident_type": report.incident_type,
        "sextortion": report.sextortion,
        "financial": report.financial,
        "minor_to_minor": report.minor_to_minor,
    }
    report.incident_type, report.sextortion = incident_type, sextortion
    report.financial, report.minor_to_minor = financial, minor_to_minor
    priority.refresh(report)
    _event(db_session, report, user, ReviewEvent.CLASSIFIED, before=before)
    if report.status == "received":
        reports.set_status(db_session, report=report, status="triaged", actor=f"user:{user.id}")
    return report


def close_informational(db_session: Session, *, report_ref: str, user: User, reason: str) -> Report:
    if reason not in CLOSE_REASONS:
        raise BadInput(f"choose a reason: {', '.join(CLOSE_REASONS)}", code="close_reason")
    report = reports.get_report(db_session, ref=report_ref)
    reports.set_status(
        db_session, report=report, status="closed", actor=f"user:{user.id}", reason=reason
    )
    report.claimed_by = report.claimed_at = None
    return report
