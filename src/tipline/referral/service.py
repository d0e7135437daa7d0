"""Referral: a report (and the rest of its incident) sent to one agency, and what the agency
does with it: acknowledge, record an outcome, ask for preservation or destruction, obtain the
files the reporting service never viewed by recording legal process.

After it is sent, a referral grows by supplements: a note from an analyst, or a report merged
later into the referred incident, sent to the same agency (which acknowledges each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.config import Settings
from tipline.db import utcnow
from tipline.errors import BadInput, Conflict, Forbidden, NotFound
from tipline.evidence import service as evidence
from tipline.evidence.models import EvidenceFile
from tipline.referral import routing
from tipline.referral.events import ReferralEvent
from tipline.referral.models import LegalProcess, Referral, ReferralReport, ReferralSupplement
from tipline.reports import claims, filed, intake
from tipline.reports import service as reports
from tipline.reports.models import Report

OUTCOMES = ("investigating", "victim_identified", "arrest", "unfounded", "no_action")
LEGAL_PROCESS_KINDS = ("warrant", "court_order", "subpoena")
# The REPORT Act (2024) has providers and NCMEC preserve a report's contents for one year.
PRESERVATION = timedelta(days=365)
REFERABLE = ("received", "triaged", "referred")
MAX_NOTE = 4000


class AlreadyReferred(Conflict):
    """The report (or one bundled with it) is already with that agency: `number` says where."""

    code = "already_referred"

    def __init__(self, agency_name: str, number: str) -> None:
        super().__init__(f"already referred to {agency_name} as {number}")
        self.number = number


def _event(
    db_session: Session, actor: str, action: ReferralEvent, referral: Referral, **data: object
) -> None:
    audit.record(
        db_session,
        actor=actor,
        action=action,
        subject_type="referral",
        subject_id=referral.id,
        data={"number": referral.number, **data},
    )


def _report_event(
    db_session: Session, actor: str, action: ReferralEvent, report_id: str, **data: object
) -> None:
    audit.record(
        db_session,
        actor=actor,
        action=action,
        subject_type="report",
        subject_id=report_id,
        data=dict(data),
    )


def referral_group(db_session: Session, *, report: Report) -> list[Report]:
    """The report and the other open reports of its incident: an incident is referred whole."""
    if report.incident_id is None:
        return [report]
    rows = db_session.scalars(
        select(Report)
        .where(Report.incident_id == report.incident_id, Report.status.in_(REFERABLE))
        .options(selectinload(Report.people))
        .order_by(Report.received_at)
    )
    group = list(rows)
    return group if report in group else [report, *group]


def live_claimer(report: Report, now: datetime | None = None) -> str | None:
    """The actor ("user:<id>") working on the report now, if its claim has not lapsed."""
    return f"user:{report.claimed_by}" if claims.is_live(report, now) else None


def refer(
    db_session: Session, *, report_ref: str, agency_ref: str, actor: str, override_reason: str = ""
) -> Referral:
    report = reports.get_report(db_session, ref=report_ref)
    if report.status not in REFERABLE:
        raise BadInput(f"a {report.status} report cannot be referred", code="not_referable")
    agency = auth.get_organisation(db_session, ref=agency_ref)
    if agency.kind != "agency" or not agency.is_active:
        raise BadInput(f"{agency.name} is not an active agency", code="not_an_agency")
    group = referral_group(db_session, report=report)
    already = db_session.scalar(
        select(Referral.number)
        .join(ReferralReport)
        .where(Referral.agency_id == agency.id, ReferralReport.report_id.in_([r.id for r in group]))
        .limit(1)
    )
    if already:
        raise AlreadyReferred(agency.name, already)
    candidates = routing.route(db_session, reports=group)
    chosen = next((c for c in candidates if c.agency.id == agency.id), None)
    override_reason = " ".join(override_reason.split())[:500]
    if candidates and candidates[0].agency.id != agency.id and len(override_reason) < 3:
        raise BadInput(
            f"routing suggests {candidates[0].agency.name}: say why this agency instead",
            code="override_reason",
        )
    now = utcnow()
    referral = Referral(
        number=reports.new_case_number("RF"),
        agency_id=agency.id,
        incident_id=report.incident_id,
        routing={"candidates": [c.as_dict() for c in candidates[:5]]},
        confidence=chosen.confidence if chosen else None,
        override_reason=override_reason,
        referred_by=actor,
        # Read before the claims are cleared below: who was working on the report.
        claimed_by=live_claimer(report, now),
        created_at=now,
        hold_until=now + PRESERVATION,
        links=[ReferralReport(report_id=r.id) for r in group],
    )
    db_session.add(referral)
    db_session.flush()
    for member in group:
        if member.status == "received":
            reports.set_status(db_session, report=member, status="triaged", actor=actor)
        if member.status == "triaged":
            reports.set_status(
                db_session, report=member, status="referred", actor=actor, reason=agency.name
            )
        member.claimed_by = member.claimed_at = None
        _report_event(
            db_session,
            actor,
            ReferralEvent.REPORT_REFERRAL_SENT,
            member.id,
            referral=referral.number,
            agency=agency.name,
        )
    _event(
        db_session,
        actor,
        ReferralEvent.CREATED,
        referral,
        agency=agency.id,
        reports=[r.case_number for r in group],
        confidence=referral.confidence,
        override_reason=override_reason,
    )
    return referral


def get_referral(db_session: Session, *, ref: str, agency_id: str | None = None) -> Referral:
    """By id or number. Given an agency, another agency's referral is as if it did not exist."""
    ref = ref.strip()
    stmt = select(Referral).options(
        selectinload(Referral.links),
        selectinload(Referral.agency),
        selectinload(Referral.supplements),
    )
    found = db_session.scalar(stmt.where(Referral.id == ref)) or db_session.scalar(
        stmt.where(Referral.number == ref.upper())
    )
    if found is None or (agency_id is not None and found.agency_id != agency_id):
        raise NotFound(f"no referral {ref}")
    return found


def list_referrals(
    db_session: Session, *, agency_id: str | None = None, limit: int = 200
) -> list[Referral]:
    stmt = select(Referral).options(
        selectinload(Referral.agency),
        selectinload(Referral.links),
        selectinload(Referral.supplements),
    )
    if agency_id is not None:
        stmt = stmt.where(Referral.agency_id == agency_id)
    return list(db_session.scalars(stmt.order_by(Referral.created_at.desc()).limit(limit)))


def referrals_of_report(db_session: Session, *, report_id: str) -> list[Referral]:
    return list(
        db_session.scalars(
            select(Referral)
            .join(ReferralReport)
            .where(ReferralReport.report_id == report_id)
            .options(selectinload(Referral.agency), selectinload(Referral.supplements))
            .order_by(Referral.created_at)
        )
    )


def reports_of(db_session: Session, *, referral: Referral) -> list[Report]:
    """The referral's reports, oldest first, loaded in one go with what the pages show."""
    ids = [link.report_id for link in referral.links]
    return list(
        db_session.scalars(
            select(Report)
            .where(Report.id.in_(ids))
            .options(
                selectinload(Report.people),
                selectinload(Report.accounts),
                selectinload(Report.payments),
            )
            .order_by(Report.received_at)
        )
    )


@dataclass(frozen=True)
class SupplementPrompt:
    """A report of a referred incident that the agency does not have yet: send it to them."""

    report: Report
    referral: Referral


def _open_to_reports(referral: Referral) -> bool:
    # An agency that asked for the evidence to be destroyed is not sent more of it: the purge
    # would destroy the new report's files with the rest.
    return referral.destroyed_at is None and referral.destruction_requested_at is None


def supplement_prompts(db_session: Session, *, incident_id: str) -> list[SupplementPrompt]:
    """For each open report of the incident, each agency the incident was referred to that has
    not received that report (a report merged in after the referral): the referral to send it
    to as a supplement, the first one to that agency."""
    referred = (
        select(ReferralReport.referral_id)
        .join(Report, Report.id == ReferralReport.report_id)
        .where(Report.incident_id == incident_id)
    )
    referrals = [
        r
        for r in db_session.scalars(
            select(Referral)
            .where(Referral.id.in_(referred))
            .options(selectinload(Referral.agency), selectinload(Referral.links))
            .order_by(Referral.created_at)
        )
        if _open_to_reports(r)
    ]
    if not referrals:
        return []
    members = list(
        db_session.scalars(
            select(Report)
            .where(Report.incident_id == incident_id, Report.status.in_(REFERABLE))
            .order_by(Report.received_at)
        )
    )
    # Which agencies already hold each report, through any referral (of this incident or not).
    held = {
        (report_id, agency_id)
        for report_id, agency_id in db_session.execute(
            select(ReferralReport.report_id, Referral.agency_id)
            .join(Referral, Referral.id == ReferralReport.referral_id)
            .where(ReferralReport.report_id.in_([r.id for r in members]))
        )
    }
    prompts = []
    for report in members:
        offered: set[str] = set()
        for referral in referrals:
            if (report.id, referral.agency_id) in held or referral.agency_id in offered:
                continue
            offered.add(referral.agency_id)
            prompts.append(SupplementPrompt(report, referral))
    return prompts


def supplement_targets(db_session: Session, *, report: Report) -> list[Referral]:
    """The referrals this report could be sent to as a supplement (see supplement_prompts)."""
    if report.incident_id is None or report.status not in REFERABLE:
        return []
    return [
        p.referral
        for p in supplement_prompts(db_session, incident_id=report.incident_id)
        if p.report.id == report.id
    ]


def _add_report(db_session: Session, *, referral: Referral, report_ref: str, actor: str) -> Report:
    report = reports.get_report(db_session, ref=report_ref)
    if any(link.report_id == report.id for link in referral.links):
        raise AlreadyReferred(referral.agency.name, referral.number)
    if report.status not in REFERABLE:
        raise BadInput(f"a {report.status} report cannot be referred", code="not_referable")
    if not _open_to_reports(referral):
        raise Conflict(
            f"{referral.agency.name} asked for the evidence of {referral.number} to be "
            "destroyed: no report can be added to it",
            code="referral_destroyed",
        )
    if referral not in supplement_targets(db_session, report=report):
        other = db_session.scalar(
            select(Referral.number)
            .join(ReferralReport)
            .where(Referral.agency_id == referral.agency_id, ReferralReport.report_id == report.id)
            .limit(1)
        )
        if other:
            raise AlreadyReferred(referral.agency.name, other)
        raise BadInput(
            f"report {report.case_number} is not in the incident referred as {referral.number}: "
            "refer it from its own page instead",
            code="not_in_incident",
        )
    referral.links.append(ReferralReport(report_id=report.id))
    if report.status == "received":
        reports.set_status(db_session, report=report, status="triaged", actor=actor)
    if report.status == "triaged":
        reports.set_status(
            db_session, report=report, status="referred", actor=actor, reason=referral.agency.name
        )
    report.claimed_by = report.claimed_at = None
    _report_event(
        db_session,
        actor,
        ReferralEvent.REPORT_SENT_AS_SUPPLEMENT,
        report.id,
        referral=referral.number,
        agency=referral.agency.name,
    )
    return report


def add_supplement(
    db_session: Session,
    *,
    referral: Referral,
    note: str,
    actor: str,
    report_ref: str | None = None,
) -> ReferralSupplement:
    """Add information to a referral already sent: a note (required unless a report is sent),
    and with `report_ref` a report of the referred incident, which the agency then receives as
    it received the others (its page, its files, the package)."""
    note = note.replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE:
        raise BadInput(
            f"the note is {len(note):,} characters long: keep it to {MAX_NOTE:,}",
            code="note_too_long",
        )
    if not report_ref and not note:
        raise BadInput(
            f"write the information to add to the referral (a note of up to {MAX_NOTE:,} "
            "characters)",
            code="note_required",
        )
    report = (
        _add_report(db_session, referral=referral, report_ref=report_ref, actor=actor)
        if report_ref
        else None
    )
    supplement = ReferralSupplement(
        note=note, report_id=report.id if report else None, added_by=actor, created_at=utcnow()
    )
    referral.supplements.append(supplement)
    db_session.flush()
    _event(
        db_session,
        actor,
        ReferralEvent.SUPPLEMENT_ADDED,
        referral,
        supplement=supplement.id,
        report=report.case_number if report else None,
    )
    return supplement


def acknowledge_supplement(
    db_session: Session, *, referral: Referral, supplement_id: str, actor: str
) -> ReferralSupplement:
    """The agency has read the supplement (once; acknowledging again changes nothing)."""
    found = next((s for s in referral.supplements if s.id == supplement_id), None)
    if found is None:
        raise NotFound("no such supplement in this referral")
    if found.acknowledged_at is None:
        found.acknowledged_at = utcnow()
        _event(
            db_session, actor, ReferralEvent.SUPPLEMENT_ACKNOWLEDGED, referral, supplement=found.id
        )
    return found


def unacknowledged(referral: Referral) -> int:
    """How many supplements the agency has not acknowledged yet."""
    return sum(1 for s in referral.supplements if s.acknowledged_at is None)


def people_of(db_session: Session, *, referral: Referral) -> dict[str, str]:
    """Readable names of everyone the referral's page names: who had the report claimed, who
    referred it, who added each supplement."""
    actors = [referral.referred_by, referral.claimed_by or ""]
    return auth.actor_names(db_session, [*actors, *(s.added_by for s in referral.supplements)])


def acknowledge(db_session: Session, *, referral: Referral, actor: str) -> Referral:
    if referral.acknowledged_at is None:
        referral.acknowledged_at = utcnow()
        if referral.status == "sent":
            referral.status = "acknowledged"
        _event(db_session, actor, ReferralEvent.ACKNOWLEDGED, referral)
    return referral


def record_outcome(
    db_session: Session, *, referral: Referral, outcome: str, note: str, actor: str
) -> Referral:
    """What the agency did; it flows back onto every report of the referral."""
    if outcome not in OUTCOMES:
        raise BadInput(f"choose an outcome: {', '.join(OUTCOMES)}", code="outcome")
    acknowledge(db_session, referral=referral, actor=actor)
    referral.outcome, referral.outcome_note = outcome, note.strip()[:2000]
    referral.outcome_at = utcnow()
    referral.status = "closed" if outcome != "investigating" else "acknowledged"
    _event(db_session, actor, ReferralEvent.OUTCOME, referral, outcome=outcome)
    for link in referral.links:
        _report_event(
            db_session,
            actor,
            ReferralEvent.REPORT_REFERRAL_OUTCOME,
            link.report_id,
            referral=referral.number,
            outcome=outcome,
        )
    return referral


def request_preservation(db_session: Session, *, referral: Referral, actor: str) -> Referral:
    """Keep everything for another year from today (an agency's preservation request)."""
    referral.preservation_requested_at = utcnow()
    referral.hold_until = max(referral.hold_until, utcnow() + PRESERVATION)
    referral.destruction_requested_at = None
    _event(
        db_session,
        actor,
        ReferralEvent.PRESERVATION_REQUESTED,
        referral,
        until=referral.hold_until.isoformat(),
    )
    return referral


def request_destruction(db_session: Session, *, referral: Referral, actor: str) -> Referral:
    """The agency no longer needs the evidence: the purge job destroys it, unless another
    referral or a legal hold still needs it, and records what was destroyed."""
    if referral.destroyed_at is not None:
        raise BadInput("already destroyed", code="already_destroyed")
    referral.destruction_requested_at = utcnow()
    _event(db_session, actor, ReferralEvent.DESTRUCTION_REQUESTED, referral)
    return referral


@dataclass(frozen=True)
class ReferredFile:
    file: EvidenceFile
    report: Report
    legal_process: LegalProcess | None

    @property
    def withheld(self) -> bool:
        """A file the reporting service did not view waits for a warrant or court order."""
        return self.file.viewed_by_reporter is False and self.legal_process is None


def files_of(
    db_session: Session, *, referral: Referral, reports: list[Report] | None = None
) -> list[ReferredFile]:
    """Every stored file of the referral's reports (pass `reports` when already loaded)."""
    by_report = {r.id: r for r in reports or reports_of(db_session, referral=referral)}
    legal = {
        lp.file_id: lp
        for lp in db_session.scalars(
            select(LegalProcess).where(LegalProcess.referral_id == referral.id)
        )
    }
    rows = db_session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.report_id.in_(list(by_report)), EvidenceFile.status == "stored")
        .order_by(EvidenceFile.created_at)
    )
    return [ReferredFile(f, by_report[f.report_id or ""], legal.get(f.id)) for f in rows]


def record_legal_process(
    db_session: Session, *, referral: Referral, file_id: str, kind: str, reference: str, actor: str
) -> LegalProcess:
    if kind not in LEGAL_PROCESS_KINDS:
        raise BadInput(
            f"choose a kind: {', '.join(LEGAL_PROCESS_KINDS)}", code="legal_process_kind"
        )
    reference = " ".join(reference.split())
    if not 3 <= len(reference) <= 200:
        raise BadInput(
            "give the warrant or order's reference (3 to 200 characters)", code="reference"
        )
    if file_id not in {f.file.id for f in files_of(db_session, referral=referral)}:
        raise NotFound("no such file in this referral")
    record = LegalProcess(
        referral_id=referral.id, file_id=file_id, kind=kind, reference=reference, recorded_by=actor
    )
    db_session.add(record)
    db_session.flush()
    _event(
        db_session,
        actor,
        ReferralEvent.LEGAL_PROCESS,
        referral,
        file=file_id,
        kind=kind,
        reference=reference,
    )
    return record


def read_referred_file(
    db_session: Session, *, settings: Settings, referral: Referral, file_id: str, actor: str
) -> tuple[EvidenceFile, bytes]:
    """The file's bytes for the agency; refused while legal process is outstanding."""
    found = next((f for f in files_of(db_session, referral=referral) if f.file.id == file_id), None)
    if found is None:
        raise NotFound("no such file in this referral")
    return found.file, release_file(
        db_session, settings=settings, referral=referral, referred=found, actor=actor
    )


def release_file(
    db_session: Session,
    *,
    settings: Settings,
    referral: Referral,
    referred: ReferredFile,
    actor: str,
) -> bytes:
    """Decrypt one referred file for the agency, as a logged download; never a withheld one."""
    if referred.withheld:
        raise Forbidden(
            "the reporting service did not view this file: record legal process to receive it",
            code="legal_process_required",
        )
    data = evidence.read_file(
        db_session,
        settings=settings,
        file_id=referred.file.id,
        actor=actor,
        reason=f"referral {referral.number}",
    )
    _event(
        db_session,
        actor,
        ReferralEvent.FILE_DOWNLOADED,
        referral,
        file=referred.file.id,
        sha256=referred.file.sha256,
    )
    return data


def report_details(db_session: Session, *, reports: list[Report]) -> dict[str, dict[str, Any]]:
    """For each referred report, what its row does not hold and an investigator must read: what
    the reporter added later, and everything an online service sent (reports/filed.py)."""
    return {
        report.id: {
            "added_later": intake.updates_of(db_session, report_id=report.id),
            "as_filed": filed.as_filed(report.extra or {}),
        }
        for report in reports
    }
