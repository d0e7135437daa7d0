"""Reviewer wellness: media blurred and greyscale by default, revealing is a logged act with a
reason, a file already reviewed (same SHA-256) is not shown again, exposure counted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth.models import User
from tipline.db import utcnow
from tipline.errors import BadInput
from tipline.evidence import service as evidence
from tipline.evidence.models import EvidenceFile
from tipline.reports.models import Report
from tipline.review.events import ReviewEvent

REVEAL_LASTS = timedelta(minutes=10)


def reveal(db_session: Session, *, file_id: str, user: User, reason: str) -> EvidenceFile:
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise BadInput("say why the file must be seen unblurred", code="reason_required")
    record = evidence.get_file(db_session, file_id=file_id)
    audit.record(
        db_session,
        actor=f"user:{user.id}",
        action=ReviewEvent.EVIDENCE_REVEALED,
        subject_type="evidence_file",
        subject_id=record.id,
        data={"reason": reason[:500], "sha256": record.sha256},
    )
    return record


def _reveal_events(db_session: Session) -> list[tuple[str, str, object]]:
    """(actor, subject_id, created_at) of every reveal, chained or still pending."""
    return [
        (e.actor, e.subject_id, e.created_at)
        for e in audit.all_events(db_session, lambda t: t.c.action == ReviewEvent.EVIDENCE_REVEALED)
    ]


def revealed_now(db_session: Session, *, user: User) -> set[str]:
    """Files this reviewer revealed within the last few minutes (shown unblurred to them)."""
    since = utcnow() - REVEAL_LASTS
    actor = f"user:{user.id}"
    return {
        subject
        for who, subject, when in _reveal_events(db_session)
        if who == actor and when >= since  # type: ignore[operator]
    }


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
