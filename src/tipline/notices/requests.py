"""An analyst's take-down requests: made from a report or a victim's case, sent by email or API
(or filed by hand on a web form), each with a deadline, checked until the content is gone.

Sending is a claim, then the send, then the outcome, each committed on its own: a request is
only ever sent by the worker that moved it from pending (or failed) to sending, and one whose
outcome is unknown (the process stopped mid-send) is never sent again without a person."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.config import Settings
from tipline.db import utcnow
from tipline.errors import BadInput, NotFound
from tipline.notices import checker, sender
from tipline.notices.directory import Directory, deadline_hours, promised_hours, registrable
from tipline.notices.events import NoticeEvent
from tipline.notices.models import NoticePlatform, NoticeRequest
from tipline.notices.texts import UNKNOWN_SITE_BASES, cited_bases
from tipline.notices.urls import Rejected, parse_all
from tipline.reports import service as reports
from tipline.takedown import service as takedown

SUBJECTS = ("report", "takedown_case")
MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=10)
CHECK_EVERY = timedelta(hours=1)
OPEN = ("sent", "filed", "unknown")
CLOSED = ("removed", "withdrawn")


def _event(
    db_session: Session, actor: str, action: NoticeEvent, req: NoticeRequest, **data: Any
) -> None:
    audit.record(
        db_session,
        actor=actor,
        action=action,
        subject_type="notice_request",
        subject_id=req.id,
        data={"platform": req.platform_name, "host": req.host, "channel": req.channel, **data},
    )


def _channel(platform: NoticePlatform | None) -> str:
    if platform is None:
        return "manual"  # an unknown site: a person finds its abuse contact
    if platform.api_url:
        return "api"
    return "email" if platform.email else "manual"


def request_takedowns(
    db_session: Session,
    *,
    subject_type: str,
    subject_id: str,
    urls: list[str],
    actor: str,
    settings: Settings,
) -> tuple[list[NoticeRequest], list[Rejected]]:
    """One request per new address (an address already asked about for this subject is not
    asked again)."""
    if subject_type not in SUBJECTS:
        raise BadInput("a request belongs to a report or a take-down case", code="bad_subject")
    good, bad = parse_all(urls, allow_loopback=settings.notices_allow_loopback)
    directory = Directory.current(db_session)
    known = set(
        db_session.scalars(
            select(NoticeRequest.url_hash).where(
                NoticeRequest.subject_type == subject_type, NoticeRequest.subject_id == subject_id
            )
        )
    )
    made = []
    for parsed in good:
        digest = hashlib.sha256(parsed.url.encode()).hexdigest()
        if digest in known:
            continue
        known.add(digest)
        platform = directory.find(parsed.host)
        req = NoticeRequest(
            subject_type=subject_type,
            subject_id=subject_id,
            url=parsed.url,
            url_hash=digest,
            host=parsed.host,
            platform_id=platform.id if platform else None,
            platform_name=platform.name if platform else registrable(parsed.host),
            channel=_channel(platform),
            created_by=actor,
            # A victim's addresses wait for an analyst before tipline writes to anyone: an open
            # form must not become a way to make tipline send notices about anything.
            status="review" if actor == "victim" else "pending",
        )
        db_session.add(req)
        db_session.flush()
        _event(db_session, actor, NoticeEvent.REQUESTED, req)
        made.append(req)
    return made, bad


def _platform(db_session: Session, req: NoticeRequest) -> NoticePlatform | None:
    return db_session.get(NoticePlatform, req.platform_id) if req.platform_id else None


def _start_clock(req: NoticeRequest, platform: NoticePlatform | None, *, status: str) -> None:
    """Sent or filed: the company's deadline runs from now."""
    now = utcnow()
    req.status, req.sent_at = status, now
    req.due_at = now + timedelta(hours=deadline_hours(platform))


def notice_for_company(req: NoticeRequest, platform: NoticePlatform | None) -> str:
    """The notice tipline sends itself, as a hotline acting on a report (English: the working
    language of trust and safety teams)."""

    bases = cited_bases(lambda s: s)
    lines = [
        f"To the trust and safety team of {req.platform_name},",
        "",
        "We are a hotline for victims of sextortion and of intimate images shared without "
        "consent. Acting on a report we received, we ask you to remove this content:",
        "",
        f"- {req.url}",
        "",
        *[
            bases[b]
            for b in (platform.legal_bases if platform else UNKNOWN_SITE_BASES)
            if b in bases
        ],
        _removal_request(promised_hours(platform)),
        "",
        f"Our reference: {req.id}. Reply to this address with any question.",
    ]
    return "\n".join(lines)


def _removal_request(hours: int | None) -> str:
    when = f"within {hours} hours" if hours else "as soon as you can"
    return (
        f"Please remove it {when} and preserve the content, the account that posted it and its "
        "records for law enforcement."
    )


def _claim(db_session: Session, req_id: str) -> bool:
    """Move one request to `sending`, if it is still sendable: only one worker can."""
    done = db_session.execute(
        update(NoticeRequest)
        .where(NoticeRequest.id == req_id, NoticeRequest.status.in_(("pending", "failed")))
        .values(status="sending", attempts=NoticeRequest.attempts + 1)
    )
    return bool(getattr(done, "rowcount", 0))


def send_due(db_session: Session, *, settings: Settings, http: httpx.Client | None = None) -> int:
    """Send every pending (or failed, under the attempt limit) email or API request; returns
    how many went. Each request is its own few transactions."""
    due = list(
        db_session.scalars(
            select(NoticeRequest.id).where(
                NoticeRequest.channel.in_(("email", "api")),
                NoticeRequest.status.in_(("pending", "failed")),
                NoticeRequest.attempts < MAX_ATTEMPTS,
            )
        )
    )
    db_session.commit()
    sent = 0
    for req_id in due:
        if not _claim(db_session, req_id):
            db_session.rollback()
            continue
        req = _get(db_session, req_id)
        req.message_id = req.message_id or f"<{req.id}@tipline.notices>"
        req.extra = {**(req.extra or {}), "sending_since": utcnow().isoformat()}
        db_session.commit()  # the claim is on record before anything leaves
        sent += _send_one(db_session, req, settings=settings, http=http)
    return sent


def _send_one(
    db_session: Session, req: NoticeRequest, *, settings: Settings, http: httpx.Client | None
) -> int:
    platform = _platform(db_session, req)
    text = notice_for_company(req, platform)
    try:
        if req.channel == "email":
            sender.send_email(
                relay_url=settings.smtp_url,
                sender=settings.notices_from,
                to=(platform.email if platform else None) or "",
                subject=f"Removal request: intimate image shared without consent [{req.id[:8]}]",
                body=text,
                message_id=req.message_id or "",
            )
        else:
            client = http or checker.client(allow_loopback=settings.notices_allow_loopback)
            sender.send_api(
                client,
                api_url=(platform.api_url if platform else None) or "",
                payload={"url": req.url, "reference": req.id, "notice": text},
                key=req.id,
            )
    except sender.MaybeSent as exc:
        req.status, req.last_error = "unknown", str(exc)[:500]
        _event(db_session, "system", NoticeEvent.DELIVERY_UNKNOWN, req, error=req.last_error)
        db_session.commit()
        return 0
    except (sender.NotSent, BadInput) as exc:
        req.status, req.last_error = "failed", str(exc)[:500]
        _event(db_session, "system", NoticeEvent.SEND_FAILED, req, error=req.last_error)
        db_session.commit()
        return 0
    _start_clock(req, platform, status="sent")
    req.last_error = ""
    _event(db_session, "system", NoticeEvent.SENT, req)
    db_session.commit()
    return 1


def sweep_stuck(db_session: Session) -> int:
    """A request left `sending` by a process that stopped: its fate is unknown; a person
    decides whether to send it again (never the machine)."""
    cutoff = utcnow() - STUCK_AFTER
    stuck = 0
    for req in db_session.scalars(select(NoticeRequest).where(NoticeRequest.status == "sending")):
        since = (req.extra or {}).get("sending_since")
        if since is None or since < cutoff.isoformat():
            req.status = "unknown"
            _event(
                db_session,
                "system",
                NoticeEvent.DELIVERY_UNKNOWN,
                req,
                error="worker stopped mid-send",
            )
            stuck += 1
    db_session.commit()
    return stuck


def _get(db_session: Session, req_id: str) -> NoticeRequest:
    req = db_session.get(NoticeRequest, req_id)
    if req is None:
        raise NotFound(f"no request {req_id}")
    return req


# An analyst's steps on a request, and the event each writes.
_MARKED = {
    "filed": NoticeEvent.FILED,
    "approve": NoticeEvent.APPROVE,
    "removed": NoticeEvent.REMOVED,
    "resend": NoticeEvent.RESEND,
    "withdrawn": NoticeEvent.WITHDRAWN,
}


def mark(db_session: Session, *, req_id: str, action: str, actor: str) -> NoticeRequest:
    """A person's step: approve (a victim's address, after review), filed (by hand, on the
    form), removed (seen gone), resend (after an unknown or failed send), withdrawn."""
    req = _get(db_session, req_id)
    if action == "filed" and req.status in ("pending", "failed", "unknown"):
        _start_clock(req, _platform(db_session, req), status="filed")
    elif action == "approve" and req.status == "review":
        req.status = "pending"
    elif action == "removed" and req.status not in CLOSED:
        req.status, req.removed_at = "removed", utcnow()
    elif action == "resend" and req.status in ("unknown", "failed"):
        req.status, req.attempts = "pending", 0
    elif action == "withdrawn" and req.status not in CLOSED:
        req.status = "withdrawn"
    else:
        raise BadInput(f"a {req.status} request cannot be marked {action}", code="bad_transition")
    _event(db_session, actor, _MARKED[action], req)
    return req


def check_due(
    db_session: Session, *, settings: Settings, http: httpx.Client | None = None
) -> dict[str, int]:
    """Check each open request not checked in the last hour; a URL gone marks it removed."""
    cutoff = utcnow() - CHECK_EVERY
    rows = db_session.scalars(
        select(NoticeRequest).where(
            NoticeRequest.status.in_(OPEN),
            (NoticeRequest.checked_at.is_(None)) | (NoticeRequest.checked_at < cutoff),
        )
    ).all()
    client = http or checker.client(allow_loopback=settings.notices_allow_loopback)
    seen: dict[str, int] = {}
    for req in rows:
        found = checker.check(client, req.url)
        seen[found.outcome] = seen.get(found.outcome, 0) + 1
        changed = found.outcome != req.last_check
        req.checked_at, req.last_check = utcnow(), found.outcome
        if found.outcome == "gone":
            req.status, req.removed_at = "removed", req.checked_at
            _event(db_session, "system", NoticeEvent.REMOVED, req, status=found.status)
        elif changed:
            _event(
                db_session,
                "system",
                NoticeEvent.CHECKED,
                req,
                outcome=found.outcome,
                status=found.status,
            )
        db_session.commit()
    return seen


def _overdue() -> Any:
    return NoticeRequest.status.in_(OPEN) & (NoticeRequest.due_at < utcnow())


def overdue(db_session: Session, *, limit: int = 200) -> list[NoticeRequest]:
    """Sent or filed, past the deadline, and not seen gone: oldest deadline first."""
    return list(
        db_session.scalars(
            select(NoticeRequest).where(_overdue()).order_by(NoticeRequest.due_at).limit(limit)
        )
    )


def overdue_count(db_session: Session) -> int:
    """For the queue's header, on every load of it: a count, not the rows."""
    return int(db_session.scalar(select(func.count()).where(_overdue())) or 0)


def subject_of(db_session: Session, ref: str) -> tuple[str, str]:
    """A report (id or case number) or a take-down case (its TD- number)."""
    ref = ref.strip()
    case = takedown.find_case(db_session, case_id=ref)
    if case is not None:
        return "takedown_case", case.id
    return "report", reports.get_report(db_session, ref=ref).id


def console(db_session: Session) -> dict[str, Any]:
    """The console's list: open requests by deadline (overdue ones marked), the latest done."""
    open_rows = db_session.scalars(
        select(NoticeRequest)
        .where(NoticeRequest.status.not_in(CLOSED))
        .order_by(NoticeRequest.due_at.is_(None), NoticeRequest.due_at, NoticeRequest.created_at)
        .limit(500)
    ).all()
    done = db_session.scalars(
        select(NoticeRequest)
        .where(NoticeRequest.status.in_(CLOSED))
        .order_by(NoticeRequest.created_at.desc())
        .limit(50)
    ).all()
    now = utcnow()
    late = {r.id for r in open_rows if r.status in OPEN and r.due_at and r.due_at < now}
    return {"open": open_rows, "done": done, "overdue": late}


def for_subject(db_session: Session, *, subject_type: str, subject_id: str) -> list[NoticeRequest]:
    return list(
        db_session.scalars(
            select(NoticeRequest)
            .where(
                NoticeRequest.subject_type == subject_type, NoticeRequest.subject_id == subject_id
            )
            .order_by(NoticeRequest.created_at)
        )
    )


def victim_view(db_session: Session, *, case_pk: str) -> dict[str, Any]:
    """What the victim's case shows: their own addresses by name with where each stands; of
    those an analyst added, only how many were asked for and removed."""
    own, others = [], {"requested": 0, "removed": 0}
    for req in for_subject(db_session, subject_type="takedown_case", subject_id=case_pk):
        if req.created_by == "victim":
            own.append({"url": req.url, "status": _plain(req.status), "due_at": req.due_at})
        else:
            others["requested"] += 1
            others["removed"] += int(req.status == "removed")
    return {"urls": own, "other_requests": others}


def case_part(db_session: Session, case_pk: str) -> dict[str, Any]:
    """The victim's case status's `notices` (takedown.service.add_status_part; the app adds it)."""
    return victim_view(db_session, case_pk=case_pk)


def _plain(status: str) -> str:
    return {"pending": "waiting", "sending": "waiting", "failed": "waiting"}.get(status, status)
