"""Retention: evidence is kept one year from referral (the REPORT Act's preservation period),
longer under a legal hold or a preservation request, and destroyed on an agency's request or
when the period ends, with proof (an event carrying the hashes of what was destroyed).

A report's evidence is destroyed when no legal hold is on it and every referral of it has either
expired or asked for destruction; a report closed as informational, never referred, is kept one
year from closing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.config import Settings
from tipline.db import utcnow
from tipline.errors import BadInput
from tipline.evidence import service as evidence
from tipline.evidence.models import EvidenceFile
from tipline.referral.events import ReferralEvent
from tipline.referral.models import Referral, ReferralReport
from tipline.referral.service import PRESERVATION
from tipline.reports.models import Report

ACTOR = "system:retention"


def _releasable(referral: Referral, now: datetime) -> bool:
    return referral.destruction_requested_at is not None or referral.hold_until <= now


def due_reports(db_session: Session, *, now: datetime) -> list[tuple[Report, list[Referral]]]:
    """Reports whose stored evidence may now be destroyed, each with its referrals."""
    with_files = select(EvidenceFile.report_id).where(EvidenceFile.status == "stored")
    candidates = db_session.scalars(
        select(Report).where(Report.id.in_(with_files), Report.legal_hold.is_(False))
    )
    due = []
    for report in candidates:
        referrals = list(
            db_session.scalars(
                select(Referral).join(ReferralReport).where(ReferralReport.report_id == report.id)
            )
        )
        if referrals:
            if all(_releasable(r, now) for r in referrals):
                due.append((report, referrals))
        elif (
            report.status == "closed"
            and report.closed_at
            and report.closed_at + PRESERVATION <= now
        ):
            due.append((report, referrals))
    return due


def purge(db_session: Session, *, settings: Settings, now: datetime | None = None) -> int:
    """Destroy what is due; returns the number of files destroyed."""
    now = now or utcnow()
    destroyed = 0
    for report, referrals in due_reports(db_session, now=now):
        files = list(
            db_session.scalars(
                select(EvidenceFile).where(
                    EvidenceFile.report_id == report.id, EvidenceFile.status == "stored"
                )
            )
        )
        proofs = [
            evidence.destroy_file(
                db_session, settings=settings, record=f, actor=ACTOR, reason="retention"
            )
            for f in files
        ]
        destroyed += len(proofs)
        for referral in referrals:
            referral.destroyed_at = referral.destroyed_at or now
            audit.record(
                db_session,
                actor=ACTOR,
                action=ReferralEvent.EVIDENCE_DESTROYED,
                subject_type="referral",
                subject_id=referral.id,
                data={"number": referral.number, "report": report.case_number, "files": proofs},
            )
        audit.record(
            db_session,
            actor=ACTOR,
            action=ReferralEvent.REPORT_EVIDENCE_DESTROYED,
            subject_type="report",
            subject_id=report.id,
            data={"files": proofs},
        )
    return destroyed


def set_legal_hold(
    db_session: Session, *, report: Report, hold: bool, reason: str, actor: str
) -> Report:
    reason = " ".join(reason.split())
    if hold and len(reason) < 3:
        raise BadInput("say why the report is held", code="reason_required")
    report.legal_hold = hold
    audit.record(
        db_session,
        actor=actor,
        action=ReferralEvent.REPORT_LEGAL_HOLD_SET
        if hold
        else ReferralEvent.REPORT_LEGAL_HOLD_LIFTED,
        subject_type="report",
        subject_id=report.id,
        data={"reason": reason},
    )
    return report
