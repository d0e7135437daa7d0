"""The review queue: priority order, claims (one analyst at a time), the top tier's SLA clock."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, TextClause, exists, func, or_, select, text
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth.models import User
from tipline.auth.roles import CONSOLE_ROLES, SUPERVISOR_ROLES
from tipline.config import Settings
from tipline.db import utcnow
from tipline.errors import BadInput, Conflict, Forbidden, TiplineError
from tipline.evidence import service as evidence
from tipline.evidence.models import EvidenceFile
from tipline.referral.models import Referral, ReferralReport
from tipline.reports import claims, priority
from tipline.reports import service as reports
from tipline.reports.models import Report
from tipline.reports.priority import Priority
from tipline.reports.schemas import IncidentType
from tipline.review.events import ReviewEvent
from tipline.review.schemas import PAGE_SIZE, QueueFilter

OPEN_STATUSES = ("received", "triaged")
# The queue index's own predicate (reports.models), as literal SQL.
OPEN_PREDICATE = text("reports.status IN ('received', 'triaged')")
# The top tier's target (stats report how often it is met).
TOP_TIER_SLA = priority.TARGETS[1]


@dataclass(frozen=True)
class QueueRow:
    """What the queue shows of a report: read as plain columns, not whole reports, so that a
    page of the queue costs one index scan and no object loading."""

    id: str
    case_number: str
    source: str
    status: str
    incident_type: str
    lang: str
    received_at: datetime
    triaged_at: datetime | None
    claimed_by: str | None
    claimed_at: datetime | None
    due_at: datetime | None
    last_activity_at: datetime | None
    info_added_at: datetime | None
    seen_at: datetime | None


@dataclass(frozen=True)
class QueueItem:
    report: QueueRow
    priority: Priority
    sla_due: datetime | None
    # The live claimer, as a User (None when unclaimed or the claim lapsed).
    claimer: User | None

    @property
    def overdue(self) -> bool:
        return self.sla_due is not None and utcnow() > self.sla_due

    @property
    def left(self) -> timedelta | None:
        """Time left to the target (negative once overdue)."""
        return self.sla_due - utcnow() if self.sla_due else None

    @property
    def new_information(self) -> bool:
        """The reporter or the ESP added something no analyst has acted on since."""
        added, seen = self.report.info_added_at, self.report.seen_at
        return added is not None and (seen is None or added > seen)


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    page_size: int

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


_COLUMNS = (
    Report.id,
    Report.case_number,
    Report.source,
    Report.status,
    Report.incident_type,
    Report.lang,
    Report.received_at,
    Report.triaged_at,
    Report.claimed_by,
    Report.claimed_at,
    Report.due_at,
    Report.last_activity_at,
    Report.info_added_at,
    Report.seen_at,
)


def _filtered(stmt: Any, flt: QueueFilter, *, user_id: str | None) -> Any:
    """The filter's conditions on a statement over reports. The open-reports condition is
    written exactly as the partial indexes' predicate, as literal SQL: a bound parameter there
    would keep PostgreSQL's generic plans from using them."""
    return stmt.where(*_conditions(flt, user_id))


def _conditions(flt: QueueFilter, user_id: str | None) -> list[ColumnElement[bool] | TextClause]:
    found: list[ColumnElement[bool] | TextClause] = []
    if flt.status == "open":
        found.append(OPEN_PREDICATE)
    elif flt.status in ("referred", "closed"):
        found.append(Report.status == flt.status)
    equal = (
        (Report.priority_tier, flt.tier),
        (Report.source, flt.source),
        (Report.incident_type, flt.incident_type),
        (Report.lang, flt.lang),
    )
    found += [column == value for column, value in equal if value is not None and value != ""]
    if flt.received_from:
        found.append(Report.received_at >= _day_start(flt.received_from))
    if flt.received_to:
        found.append(Report.received_at < _day_start(flt.received_to + timedelta(days=1)))
    found += _claim_conditions(flt.claim, user_id)
    if flt.has_files:
        found.append(exists().where(EvidenceFile.report_id == Report.id).correlate(Report))
    if flt.added_info:
        found.append(Report.info_added_at.is_not(None))
        found.append(or_(Report.seen_at.is_(None), Report.info_added_at > Report.seen_at))
    if flt.overdue:
        found.append(Report.due_at < utcnow())
    if flt.agency_id:
        referred_here = (
            select(ReferralReport.report_id)
            .join(Referral, Referral.id == ReferralReport.referral_id)
            .where(Referral.agency_id == flt.agency_id)
        )
        found.append(Report.id.in_(referred_here))
    return found


def _claim_conditions(claim: str | None, user_id: str | None) -> list[ColumnElement[bool]]:
    lapsed = claims.lapsed_before()
    if claim == "mine":
        return [Report.claimed_by == (user_id or ""), Report.claimed_at > lapsed]
    if claim == "claimed":
        return [Report.claimed_by.is_not(None), Report.claimed_at > lapsed]
    if claim == "unclaimed":
        return [or_(Report.claimed_by.is_(None), Report.claimed_at <= lapsed)]
    return []


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _ordered(stmt: Any, sort: str) -> Any:
    """Each sort is one of the queue's partial indexes read in order (reports/models.py).
    Priority is tier, then oldest first: within a tier the oldest is also the most overdue, and
    an overdue report of a lower tier never jumps above a child in danger. Deadline is the
    cross-tier view, overdue first. Id breaks ties so that pages never overlap."""
    if sort == "deadline":
        return stmt.order_by(Report.due_at, Report.id)
    if sort == "age":
        return stmt.order_by(Report.received_at, Report.id)
    if sort == "activity":
        return stmt.order_by(Report.last_activity_at.desc(), Report.id)
    return stmt.order_by(Report.priority_tier, Report.received_at, Report.id)


def queue_page(
    db_session: Session,
    flt: QueueFilter | None = None,
    *,
    user_id: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the queue and the total the filter matches ("1-50 of 186")."""
    flt = flt or QueueFilter()
    page = max(1, page)
    total = db_session.scalar(
        _filtered(select(func.count()).select_from(Report), flt, user_id=user_id)
    )
    stmt = _filtered(
        select(*_COLUMNS, Report.priority_tier, Report.priority_reason), flt, user_id=user_id
    )
    stmt = _ordered(stmt, flt.sort).limit(page_size).offset((page - 1) * page_size)
    return QueuePage(
        _items(db_session, db_session.execute(stmt).all()), int(total or 0), page, page_size
    )


def queue(
    db_session: Session,
    *,
    limit: int = 100,
    tier: int | None = None,
    source: str | None = None,
    claimed_by: str | None = None,
    unclaimed: bool = False,
) -> list[QueueItem]:
    """Open reports, most urgent first (the first page of the priority sort)."""
    flt = QueueFilter(
        tier=tier,
        source=source,
        claim="mine" if claimed_by else ("unclaimed" if unclaimed else None),
    )
    return queue_page(db_session, flt, user_id=claimed_by, page_size=limit).items


def _items(db_session: Session, rows: Sequence[Row[Any]]) -> list[QueueItem]:
    claimers = {
        u.id: u
        for u in db_session.scalars(
            select(User).where(User.id.in_({r.claimed_by for r in rows if r.claimed_by}))
        )
    }
    items = []
    for row in rows:
        report = QueueRow(*row[: len(_COLUMNS)])
        prio = Priority(row.priority_tier, row.priority_reason)
        is_open = report.status in OPEN_STATUSES
        claimer = claimers.get(report.claimed_by or "") if claims.is_live(report) else None
        items.append(QueueItem(report, prio, report.due_at if is_open else None, claimer))
    return items


def queue_depth(db_session: Session) -> dict[int, int]:
    """Open reports per tier, for the console's header and the supervisors' view."""
    rows = db_session.execute(
        select(Report.priority_tier, func.count())
        .where(OPEN_PREDICATE)
        .group_by(Report.priority_tier)
    )
    return {int(t): int(n) for t, n in rows}


def live_claimer(db_session: Session, *, report: Report) -> User | None:
    """Who is working on the report now (None when nobody is, or the claim has lapsed)."""
    if not claims.is_live(report) or report.claimed_by is None:
        return None
    return db_session.get(User, report.claimed_by)


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
    if claims.is_live(report) and report.claimed_by != user.id:
        raise Conflict("another analyst is working on this report", code="claimed")
    report.claimed_by, report.claimed_at = user.id, utcnow()
    report.seen_at = utcnow()
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
    report.seen_at = utcnow()
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
    report.seen_at = utcnow()
    return report


def mark_seen(db_session: Session, *, report_ref: str, user: User) -> Report:
    """The analyst has read what the reporter added: the queue's badge goes."""
    report = reports.get_report(db_session, ref=report_ref)
    report.seen_at = utcnow()
    _event(db_session, report, user, ReviewEvent.ADDITIONS_READ)
    return report


BULK_ACTIONS = ("claim", "close")
BULK_LIMIT = 200


@dataclass(frozen=True)
class BulkResult:
    done: list[str]
    # (case number or reference, why it was left as it was)
    skipped: list[tuple[str, str]]


def bulk(
    db_session: Session, *, report_refs: list[str], user: User, action: str, reason: str = ""
) -> BulkResult:
    """A supervisor claims many reports (for themself) or closes many as informational (a wave
    of one viral meme). Each report is done in a savepoint of its own: one that cannot be done
    (claimed by someone else, already referred) is named and skipped, never half done, and the
    others still go through."""
    if user.role not in SUPERVISOR_ROLES:
        raise Forbidden("only a supervisor can act on many reports at once")
    if action not in BULK_ACTIONS:
        raise BadInput(f"choose an action: {', '.join(BULK_ACTIONS)}", code="bulk_action")
    if action == "close" and reason not in CLOSE_REASONS:
        raise BadInput(f"choose a reason: {', '.join(CLOSE_REASONS)}", code="close_reason")
    refs = list(dict.fromkeys(r for r in report_refs if r))
    if not refs:
        raise BadInput("tick at least one report", code="nothing_chosen")
    if len(refs) > BULK_LIMIT:
        raise BadInput(f"at most {BULK_LIMIT} reports at once", code="too_many")
    done: list[str] = []
    skipped: list[tuple[str, str]] = []
    for ref in refs:
        try:
            with db_session.begin_nested():
                if action == "claim":
                    report = claim(db_session, report_ref=ref, user=user)
                else:
                    report = close_informational(
                        db_session, report_ref=ref, user=user, reason=reason
                    )
            done.append(report.case_number)
        except TiplineError as exc:
            skipped.append((ref, exc.message))
    return BulkResult(done, skipped)


@dataclass(frozen=True)
class ChatLine:
    index: int
    sender: str
    text: str
    # The red flags the detector found at this message (empty for the rest).
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Chat:
    filename: str
    lines: list[ChatLine]
    more: int


CHAT_LINES_SHOWN = 500


def chats_of(
    db_session: Session,
    *,
    settings: Settings,
    report: Report,
    files: list[EvidenceFile],
    user: User,
) -> list[Chat]:
    """The conversations a report carries (a detector's transcript), to read on the page as
    text. Each is a read of evidence, logged for custody like opening any file."""
    found = (report.extra or {}).get("detector") or {}
    flagged: dict[int, list[str]] = {}
    for flag in found.get("flags", []) if isinstance(found, dict) else []:
        if isinstance(flag, dict) and isinstance(flag.get("message_index"), int):
            flagged.setdefault(flag["message_index"], []).append(str(flag.get("flag", "")))
    chats = []
    if report.source != "detector":
        return []
    for record in files:
        # The transcript the detector stored with the report (detect/service.py names it).
        name = record.filename or ""
        if not (name.startswith("conversation-") and name.endswith(".json")):
            continue
        raw = evidence.read_file(
            db_session,
            settings=settings,
            file_id=record.id,
            actor=f"user:{user.id}",
            reason="chat shown on the report page",
        )
        try:
            messages = json.loads(raw).get("messages", [])
        except (ValueError, AttributeError):
            continue
        lines = [
            ChatLine(i, str(m.get("sender", "")), str(m.get("text", "")), tuple(flagged.get(i, ())))
            for i, m in enumerate(messages[:CHAT_LINES_SHOWN])
            if isinstance(m, dict)
        ]
        chats.append(Chat(record.filename or "", lines, max(0, len(messages) - len(lines))))
    return chats
