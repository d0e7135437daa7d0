"""The support desk's requests: a family asks, an advocate claims, contacts, notes, schedules
check-ins and closes; the family checks and adds to its request with its number and code.

Plain functions with keyword-only arguments; each change writes an audit event on the request
(subject "support_request"), which is both the request's timeline and what the numbers count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth import secrets as sec
from tipline.auth.models import User
from tipline.auth.roles import Role
from tipline.db import utcnow
from tipline.errors import BadInput, Conflict, NotFound
from tipline.reports import distress, intake
from tipline.reports import service as reports
from tipline.reports.models import Report
from tipline.support.events import SupportEvent
from tipline.support.models import OPEN_STATUSES, SupportLogEntry, SupportRequest
from tipline.support.schemas import (
    MAX_MESSAGE,
    REGIONS,
    Channel,
    CloseReason,
    Kind,
    Outcome,
    SupportRequestIn,
)

SUBJECT = "support_request"
NUMBER_PREFIX = "SR"
PAGE = 50
# Check-ins further out than this are refused: a family waiting longer needs a new request.
LONGEST_CHECK_IN = timedelta(days=180)
NO_MATCH = "no support request matches that number and code"
# How long a family's page stays open after the number and code were typed: long enough to read
# and write a few messages, short enough that a shared phone does not keep it open for the next
# person (the cookie is also a session cookie, gone when the browser closes).
FAMILY_PASS = timedelta(minutes=30)
PASS_EXPIRED = "this page has closed; enter the number and code again"  # noqa: S105 - a message, not a secret


@dataclass(frozen=True)
class Made:
    request: SupportRequest
    code: str


def record_event(
    db_session: Session,
    request: SupportRequest,
    action: SupportEvent,
    actor: str,
    data: dict[str, Any] | None = None,
) -> None:
    request.last_activity_at = utcnow()
    audit.record(
        db_session,
        actor=actor,
        action=action,
        subject_type=SUBJECT,
        subject_id=request.id,
        data=data or {},
    )


def urgency_of(*, self_harm: bool, kinds: list[str]) -> int:
    """1: despair or self-harm (the crisis steps come first); 2: someone to talk to now;
    3: the rest. Within a level, the oldest first."""
    if self_harm:
        return 1
    return 2 if Kind.TALK_NOW.value in kinds else 3


def _checked(payload: SupportRequestIn) -> None:
    if payload.region not in REGIONS:
        raise BadInput("choose a state from the list, or outside the US", code="bad_region")
    if payload.channel != Channel.NONE and not payload.contact:
        raise BadInput(
            "say how to reach you, or choose to be reached only through this site",
            code="contact_needed",
        )
    if payload.channel == Channel.EMAIL and payload.contact and "@" not in payload.contact:
        raise BadInput("that does not look like an email address", code="bad_email")


def create(
    db_session: Session,
    *,
    payload: SupportRequestIn,
    actor: str = "public",
    report: Report | None = None,
) -> Made:
    """A request, its number and its code (shown once; only its hash is kept)."""
    _checked(payload)
    kinds = list(dict.fromkeys(k.value for k in payload.kinds))
    self_harm = payload.self_harm or distress.shows_distress(payload.message)
    code = reports.new_follow_up_token()
    request = SupportRequest(
        number=reports.new_case_number(NUMBER_PREFIX),
        code_hash=sec.token_hash(reports.normalise_follow_up_token(code)),
        report_id=report.id if report is not None else None,
        who=payload.who.value,
        asker=payload.asker.value,
        call_me=payload.call_me,
        child_age=payload.child_age,
        kinds=kinds,
        language=payload.language,
        region=payload.region,
        channel=payload.channel.value,
        contact=payload.contact if payload.channel != Channel.NONE else "",
        safe_times=payload.safe_times,
        no_voicemail=payload.no_voicemail,
        shared_phone=payload.shared_phone,
        message=payload.message,
        self_harm=self_harm,
        urgency=urgency_of(self_harm=self_harm, kinds=kinds),
    )
    db_session.add(request)
    db_session.flush()
    # What the numbers and the timeline need; never the contact or the family's words.
    record_event(
        db_session,
        request,
        SupportEvent.REQUESTED,
        actor,
        {"kinds": kinds, "who": request.who, "urgency": request.urgency, "linked": bool(report)},
    )
    return Made(request, code)


def create_for_report(
    db_session: Session, *, payload: SupportRequestIn, case_number: str, token: str
) -> Made:
    """A request from a report's reporter: the report's token proves it is theirs."""
    report = intake.find_for_reporter(db_session, token=token, case_number=case_number)
    return create(db_session, payload=payload, actor="reporter", report=report)


def for_family(db_session: Session, *, number: str, code: str) -> SupportRequest:
    """The request a number and code open. A wrong number or code look the same."""
    request = db_session.scalar(
        select(SupportRequest).where(SupportRequest.number == number.strip().upper())
    )
    code = reports.normalise_follow_up_token(code or "")
    # The same work for an unknown number as for a wrong code.
    if not sec.token_matches(request.code_hash if request else None, code) or request is None:
        raise NotFound(NO_MATCH, code="no_match")
    return request


def family_pass(master_key: bytes, *, request: SupportRequest, now: datetime) -> str:
    """What the family's browser holds after typing the number and code: the number, an expiry
    and a signature bound to the code's hash (so a new code ends every open page)."""
    expires = str(int((now + FAMILY_PASS).timestamp()))
    signature = sec.pass_signature(
        master_key, purpose="support family", parts=(request.number, expires, request.code_hash)
    )
    return f"{request.number}.{expires}.{signature}"


def by_family_pass(
    db_session: Session, master_key: bytes, *, value: str, now: datetime
) -> SupportRequest:
    """The request a pass opens, while it lasts. A forged, altered or expired pass look the same."""
    number, _, rest = (value or "").partition(".")
    expires, _, signature = rest.partition(".")
    request = None
    if expires.isdigit() and int(expires) > now.timestamp():
        request = db_session.scalar(select(SupportRequest).where(SupportRequest.number == number))
    expected = sec.pass_signature(
        master_key,
        purpose="support family",
        parts=(number, expires, request.code_hash if request else "x" * 64),
    )
    if request is None or not sec.constant_time_equal(expected, signature):
        raise NotFound(PASS_EXPIRED, code="pass_expired")
    return request


def family_adds(db_session: Session, *, request: SupportRequest, text: str) -> None:
    """What the family adds from follow-up; words of despair raise it to the top."""
    text = text.strip()
    if not text:
        raise BadInput("nothing to add", code="empty_update")
    if len(text) > MAX_MESSAGE:
        raise BadInput(f"at most {MAX_MESSAGE} characters", code="too_long")
    db_session.add(SupportLogEntry(request_id=request.id, kind="family", by="family", text=text))
    if request.status == "closed":
        request.status, request.closed_at, request.close_reason = "active", None, ""
        record_event(db_session, request, SupportEvent.REOPENED, "family")
    elif request.status == "waiting":
        request.status = "active"
    record_event(db_session, request, SupportEvent.FAMILY_ADDED, "family")
    if not request.self_harm and distress.shows_distress(text):
        request.self_harm, request.urgency = True, 1
        record_event(db_session, request, SupportEvent.URGENCY_RAISED, "family", {"urgency": 1})


def get(db_session: Session, *, number: str) -> SupportRequest:
    request = db_session.scalar(select(SupportRequest).where(SupportRequest.number == number))
    if request is None:
        raise NotFound(f"no support request {number}", code="no_such_request")
    return request


# The advocates' work ---------------------------------------------------------------------------


def queue(db_session: Session, *, mine: str | None = None, page: int = 1) -> dict[str, Any]:
    """Open requests: despair first, then check-ins that fell due, then by urgency and age."""
    where: list[Any] = [SupportRequest.status.in_(OPEN_STATUSES)]
    if mine:
        where.append(SupportRequest.claimed_by == mine)
    total = db_session.scalar(select(func.count()).select_from(SupportRequest).where(*where)) or 0
    rows = db_session.scalars(
        select(SupportRequest)
        .where(*where)
        .order_by(
            SupportRequest.urgency,
            case((SupportRequest.check_in_due.is_(True), 0), else_=1),
            SupportRequest.created_at,
        )
        .limit(PAGE)
        .offset((max(page, 1) - 1) * PAGE)
    ).all()
    waiting = (
        db_session.scalar(
            select(func.count())
            .select_from(SupportRequest)
            .where(SupportRequest.status == "waiting")
        )
        or 0
    )
    return {"items": rows, "total": total, "page": page, "waiting": waiting}


@dataclass(frozen=True)
class Caseload:
    """One advocate's open requests, as a supervisor balances the desk."""

    user_id: str
    open: int
    urgent: int
    check_ins_due: int
    waiting: int
    # The longest any of them has gone without anything happening: a request left alone.
    quietest_since: datetime | None


def workload(db_session: Session) -> dict[str, Any]:
    """Open requests per advocate, and what nobody has claimed yet."""
    rows = db_session.execute(
        select(
            SupportRequest.claimed_by,
            func.count(),
            func.sum(case((SupportRequest.urgency == 1, 1), else_=0)),
            func.sum(case((SupportRequest.check_in_due.is_(True), 1), else_=0)),
            func.sum(case((SupportRequest.status == "waiting", 1), else_=0)),
            func.min(SupportRequest.last_activity_at),
        )
        .where(SupportRequest.status.in_(OPEN_STATUSES))
        .group_by(SupportRequest.claimed_by)
    ).all()
    loads = [
        Caseload(str(r[0]), r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0), r[5])
        for r in rows
        if r[0]
    ]
    # Advocates with nothing open are the ones a supervisor can hand work to: list them too.
    busy = {c.user_id for c in loads}
    loads += [
        Caseload(user_id, 0, 0, 0, 0, None)
        for user_id in db_session.scalars(
            select(User.id).where(User.role == Role.ADVOCATE, User.is_active.is_(True))
        )
        if user_id not in busy
    ]
    unclaimed = next((r for r in rows if not r[0]), None)
    oldest = db_session.scalar(
        select(func.min(SupportRequest.created_at)).where(
            SupportRequest.status.in_(OPEN_STATUSES), SupportRequest.claimed_by.is_(None)
        )
    )
    return {
        "advocates": sorted(loads, key=lambda c: (-c.urgent, -c.open)),
        "unclaimed": unclaimed[1] if unclaimed else 0,
        "unclaimed_urgent": int(unclaimed[2] or 0) if unclaimed else 0,
        "oldest_unclaimed": oldest,
    }


def claim(db_session: Session, *, request: SupportRequest, user_id: str) -> None:
    if request.claimed_by and request.claimed_by != user_id and request.status != "closed":
        raise Conflict(
            "another advocate has this request; ask them or a supervisor", code="claimed"
        )
    request.claimed_by, request.claimed_at = user_id, utcnow()
    if request.status == "new":
        request.status = "active"
    record_event(db_session, request, SupportEvent.CLAIMED, f"user:{user_id}")


def release(db_session: Session, *, request: SupportRequest, user_id: str) -> None:
    request.claimed_by, request.claimed_at = None, None
    record_event(db_session, request, SupportEvent.RELEASED, f"user:{user_id}")


def log_contact(
    db_session: Session,
    *,
    request: SupportRequest,
    user_id: str,
    channel: Channel,
    outcome: Outcome,
    note: str = "",
) -> None:
    """A contact attempt: missed, reached, or tried and no message left (as a family with a
    shared phone, or who asked for no voicemail, wants). It answers a due check-in."""
    db_session.add(
        SupportLogEntry(
            request_id=request.id,
            kind="contact",
            by=f"user:{user_id}",
            channel=channel.value,
            outcome=outcome.value,
            text=note.strip()[:MAX_MESSAGE],
        )
    )
    if outcome == Outcome.REACHED:
        request.reached = True
    request.check_in_due = False
    record_event(
        db_session,
        request,
        SupportEvent.CONTACT_LOGGED,
        f"user:{user_id}",
        {"channel": channel.value, "outcome": outcome.value},
    )


def add_note(db_session: Session, *, request: SupportRequest, user_id: str, text: str) -> None:
    text = text.strip()
    if not text:
        raise BadInput("the note is empty", code="empty_note")
    db_session.add(
        SupportLogEntry(
            request_id=request.id, kind="note", by=f"user:{user_id}", text=text[:MAX_MESSAGE]
        )
    )
    record_event(db_session, request, SupportEvent.NOTE_ADDED, f"user:{user_id}")


def schedule_check_in(
    db_session: Session, *, request: SupportRequest, user_id: str, at: datetime
) -> None:
    """Off the queue until `at`; the check-in job puts it back then."""
    now = utcnow()
    if at <= now:
        raise BadInput("a check-in must be in the future", code="past_check_in")
    if at - now > LONGEST_CHECK_IN:
        raise BadInput("a check-in at most 180 days ahead", code="far_check_in")
    if request.status == "closed":
        raise Conflict("this request is closed; reopen it first", code="closed")
    request.next_check_in_at, request.check_in_due, request.status = at, False, "waiting"
    record_event(
        db_session,
        request,
        SupportEvent.CHECK_IN_SCHEDULED,
        f"user:{user_id}",
        {"at": at.isoformat(timespec="minutes")},
    )


def surface_due_check_ins(db_session: Session, *, now: datetime | None = None) -> int:
    """Put every request whose check-in has come back in the queue; returns how many."""
    now = now or utcnow()
    due = db_session.scalars(
        select(SupportRequest)
        .where(SupportRequest.status == "waiting", SupportRequest.next_check_in_at <= now)
        .limit(1000)
    ).all()
    for request in due:
        request.status, request.check_in_due = "active", True
        record_event(db_session, request, SupportEvent.CHECK_IN_DUE, "system")
    return len(due)


def close(
    db_session: Session, *, request: SupportRequest, user_id: str, reason: CloseReason
) -> None:
    if request.status == "closed":
        return
    request.status, request.closed_at, request.close_reason = "closed", utcnow(), reason.value
    request.next_check_in_at, request.check_in_due = None, False
    record_event(
        db_session, request, SupportEvent.CLOSED, f"user:{user_id}", {"reason": reason.value}
    )


def log_of(db_session: Session, *, request: SupportRequest) -> list[SupportLogEntry]:
    return list(
        db_session.scalars(
            select(SupportLogEntry)
            .where(SupportLogEntry.request_id == request.id)
            .order_by(SupportLogEntry.at)
        )
    )


def report_facts(db_session: Session, *, request: SupportRequest) -> dict[str, Any] | None:
    """What an advocate needs of the linked report: its number, where it stands, what kind,
    and the hotline's early answers. Never its files, and not the reporter's description."""
    if request.report_id is None:
        return None
    report = db_session.get(Report, request.report_id)
    if report is None:
        return None
    answers = (report.extra or {}).get("reporter_answers") or {}
    return {
        "case_number": report.case_number,
        "status": report.status,
        "received_at": report.received_at,
        "incident_type": report.incident_type,
        "financial": report.financial,
        "sextortion": report.sextortion,
        "self_harm_risk": report.self_harm_risk,
        "priority_tier": report.priority_tier,
        "victim_ages": sorted(
            {p.age for p in report.people if p.role == "victim" and p.age is not None}
        ),
        "platforms": sorted({a.platform for a in report.accounts if a.platform}),
        "already_shared": answers.get("already_shared"),
        "already_paid": answers.get("already_paid"),
        "deadline": bool(str(answers.get("deadline") or "").strip()),
        "referred": report.referred_at is not None,
    }
