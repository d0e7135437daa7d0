"""Public intake: a report from a victim, parent or friend; follow-up with case number and token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth import secrets as sec
from tipline.config import Settings
from tipline.db import utcnow
from tipline.errors import BadInput, NotFound
from tipline.evidence import hashing
from tipline.evidence import service as evidence
from tipline.evidence.models import EvidenceFile
from tipline.reports import distress, priority
from tipline.reports import service as reports
from tipline.reports.events import ReportEvent
from tipline.reports.models import Report, ReporterUpdate
from tipline.reports.schemas import Answer, PublicReportIn, ReporterStatus

PUBLIC_ACTOR = "public"
MAX_FILES_PER_REPORT = 20
# Screenshots of threats, chat exports as PDF, screen recordings. Never needed: the image itself.
PUBLIC_FILE_TYPES = hashing.IMAGE_TYPES | hashing.VIDEO_TYPES | {"application/pdf"}
_REPORTER_STATUS = {
    "received": "received",
    "triaged": "in_review",
    "referred": "referred",
    "closed": "closed",
}


def file_public_report(db_session: Session, *, payload: PublicReportIn) -> reports.NewReport:
    """Store a public report; returns it with its follow-up token (shown to the reporter once)."""
    victim = payload.victim
    people = []
    if victim is not None and any(victim.model_dump().values()):
        people.append({"role": "victim", **victim.model_dump(mode="json")})
    if payload.contact is not None and any(payload.contact.model_dump().values()):
        people.append({"role": "reporter", **payload.contact.model_dump(mode="json")})
    accounts = [
        {
            "role": "suspect",
            "platform": a.platform,
            "handle": a.username,
            "profile_url": a.profile_url,
            "display_name": a.display_name,
        }
        for a in payload.suspect_accounts
    ]
    payments = [p.model_dump(mode="json") for p in payload.payment_details]
    demands = [d.value for d in payload.demands]
    answers = {
        key: value
        for key, value in payload.model_dump(
            mode="json", include={"safe_now", "deadline", "already_shared", "already_paid"}
        ).items()
        if value is not None
    }
    return reports.create_report(
        db_session,
        source="public",
        actor=PUBLIC_ACTOR,
        reporter_role=payload.reporter_role.value,
        description=payload.description,
        incident_type=payload.incident_type.value,
        incident_date=payload.incident_date,
        sextortion=payload.sextortion or bool(demands),
        demands=demands,
        self_harm_risk=distress.shows_distress(payload.description),
        child_in_danger=payload.safe_now == Answer.NO,
        minor_to_minor=False,
        extra={"reporter_answers": answers} if answers else None,
        lang=payload.lang,
        people=people,
        accounts=accounts,
        payments=payments,
        with_follow_up_token=True,
    )


def find_for_reporter(
    db_session: Session, *, token: str, report_id: str | None = None, case_number: str | None = None
) -> Report:
    """The report a follow-up token opens. A wrong id, case or token all look the same."""
    token = reports.normalise_follow_up_token(token or "")
    try:
        report: Report | None = reports.get_report(db_session, ref=report_id or case_number or "")
    except NotFound:
        report = None
    # The same work for an unknown case as for a wrong token.
    stored = report.follow_up_token_hash if report is not None else None
    if not sec.token_matches(stored, token) or report is None:
        raise NotFound("no report matches that case number and token", code="no_match")
    return report


def updates_of(db_session: Session, *, report_id: str) -> list[ReporterUpdate]:
    """What the reporter added after filing, oldest first, in full."""
    return list(
        db_session.scalars(
            select(ReporterUpdate)
            .where(ReporterUpdate.report_id == report_id)
            .order_by(ReporterUpdate.created_at)
        )
    )


# Files sent within this long of the report are part of filing it (the form sends the report,
# then its files); later ones are additions the analyst should be told about.
FILING_WINDOW = timedelta(minutes=15)


def note_addition(report: Report) -> None:
    """The reporter gave something after filing: the queue shows a badge until an analyst acts."""
    report.info_added_at = utcnow()


def add_update(db_session: Session, *, report: Report, text: str) -> ReporterUpdate:
    update = ReporterUpdate(report_id=report.id, text=text)
    db_session.add(update)
    note_addition(report)
    db_session.flush()
    data: dict[str, object] = {"update_id": update.id}
    if not report.self_harm_risk and distress.shows_distress(text):
        report.self_harm_risk = True
        priority.refresh(report)
        data["self_harm_risk"] = True
    audit.record(
        db_session,
        actor=PUBLIC_ACTOR,
        action=ReportEvent.REPORTER_ADDED_INFORMATION,
        subject_type="report",
        subject_id=report.id,
        data=data,
    )
    return update


def attach_file(
    db_session: Session,
    *,
    settings: Settings,
    report_id: str,
    data: bytes,
    filename: str | None,
    prepared: evidence.PreparedFile | None = None,
) -> EvidenceFile:
    count = db_session.scalar(
        select(func.count(EvidenceFile.id)).where(EvidenceFile.report_id == report_id)
    )
    if (count or 0) >= MAX_FILES_PER_REPORT:
        raise BadInput(
            f"a report can carry at most {MAX_FILES_PER_REPORT} files", code="too_many_files"
        )
    stored = evidence.store_file(
        db_session,
        settings=settings,
        data=data,
        filename=filename,
        actor=PUBLIC_ACTOR,
        report_id=report_id,
        allowed_types=PUBLIC_FILE_TYPES,
        prepared=prepared,
    )
    report = db_session.get(Report, report_id)
    if report is not None and utcnow() - report.received_at > FILING_WINDOW:
        note_addition(report)
    audit.record(
        db_session,
        actor=PUBLIC_ACTOR,
        action=ReportEvent.FILE_ATTACHED,
        subject_type="report",
        subject_id=report_id,
        data={"file_id": stored.file.id, "sha256": stored.file.sha256},
    )
    return stored.file


def reporter_status(db_session: Session, *, report: Report) -> ReporterStatus:
    files = db_session.scalar(
        select(func.count(EvidenceFile.id)).where(EvidenceFile.report_id == report.id)
    )
    updates = list(
        db_session.scalars(
            select(ReporterUpdate.created_at).where(ReporterUpdate.report_id == report.id)
        )
    )
    moments = [
        report.received_at,
        report.triaged_at,
        report.referred_at,
        report.closed_at,
        *updates,
    ]
    return ReporterStatus(
        case_number=report.case_number,
        status=_REPORTER_STATUS[report.status],
        received_at=report.received_at,
        updated_at=max(m for m in moments if m is not None),
        files=int(files or 0),
        updates=len(updates),
    )
