"""Bundling: reports that share an entity are one incident.

Entities: an offender's account (platform and account id, or handle), a profile URL, a payment
handle, a file (SHA-256, MD5, or PDQ near match), and the same victim (email or phone). Related
reports within a window are proposed; the analyst merges (several reports, or incidents, become
one incident) and splits (a report leaves its incident). Reports and incidents are counted apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, true, update
from sqlalchemy.orm import Session, selectinload

from tipline.audit import service as audit
from tipline.errors import BadInput, NotFound
from tipline.evidence import similarity
from tipline.evidence.models import EvidenceFile
from tipline.reports import service as reports
from tipline.reports.models import Incident, OnlineAccount, PaymentDetail, Person, Report
from tipline.review.events import ReviewEvent

# Reports further apart than this are shown as related but not proposed as one incident: an
# offender's handle is sometimes reused by someone else years later.
PROPOSAL_WINDOW = timedelta(days=180)


@dataclass(frozen=True)
class Related:
    report: Report
    why: list[str]


def _add(why: dict[str, set[str]], rows: Iterable[Any], label: str) -> None:
    for report_id, value in rows:
        if report_id:
            why[report_id].add(f"{label} {value}")


def related(db_session: Session, *, report: Report, limit: int = 50) -> list[Related]:
    """Other reports sharing an entity with this one, oldest first, each with why."""
    why: dict[str, set[str]] = defaultdict(set)
    accounts, payments, people = OnlineAccount, PaymentDetail, Person
    victims = [p for p in report.people if p.role == "victim"]
    # (column holding the entity, this report's values, extra condition, how it is shown)
    shared: list[tuple[Any, set[str], Any, str]] = [
        (
            accounts.handle_normalised,
            {a.handle_normalised for a in report.accounts if a.handle_normalised},
            true(),
            "same account",
        ),
        (
            accounts.url_normalised,
            {a.url_normalised for a in report.accounts if a.url_normalised},
            true(),
            "same profile URL",
        ),
        (
            payments.handle_normalised,
            {p.handle_normalised for p in report.payments if p.handle_normalised},
            true(),
            "same payment handle",
        ),
        (
            people.contact_normalised,
            {p.contact_normalised for p in victims if p.contact_normalised},
            people.role == "victim",
            "same victim",
        ),
    ]
    # An account id means something only on its own platform.
    for platform, account_id in {(a.platform or "", a.account_id) for a in report.accounts}:
        if account_id:
            shared.append(
                (
                    accounts.account_id,
                    {account_id},
                    func.coalesce(accounts.platform, "") == platform,
                    f"same {platform or 'platform'} account id",
                )
            )
    for column, values, condition, label in shared:
        if not values:
            continue
        owner = column.class_.report_id
        rows = db_session.execute(
            select(owner, column).where(column.in_(values), condition, owner != report.id)
        )
        _add(why, rows, label)
    _related_files(db_session, report, why)
    why.pop(report.id, None)
    if not why:
        return []
    found = db_session.scalars(
        select(Report).where(Report.id.in_(list(why))).order_by(Report.received_at).limit(limit)
    )
    return [Related(r, sorted(why[r.id])) for r in found]


def _related_files(db_session: Session, report: Report, why: dict[str, set[str]]) -> None:
    files = list(
        db_session.scalars(
            select(EvidenceFile).where(
                EvidenceFile.report_id == report.id, EvidenceFile.status == "stored"
            )
        )
    )
    if not files:
        return
    shas = {f.sha256 for f in files}
    md5s = {f.md5 for f in files}
    exact = db_session.execute(
        select(EvidenceFile.report_id, EvidenceFile.sha256).where(
            or_(EvidenceFile.sha256.in_(shas), EvidenceFile.md5.in_(md5s)),
            EvidenceFile.report_id != report.id,
        )
    )
    _add(why, ((rid, sha[:12]) for rid, sha in exact), "same file")
    perceptual = [h for f in files for h in similarity.perceptual_hashes(f)]
    for near in similarity.near_files(db_session, hashes=perceptual, exclude_report=report.id):
        if near.file.sha256 not in shas and near.file.report_id:
            why[near.file.report_id].add(
                f"similar image {near.file.sha256[:12]} (PDQ distance {near.distance})"
            )


def proposals(
    db_session: Session, *, report: Report, related_reports: list[Related] | None = None
) -> list[Related]:
    """Related reports close enough in time, not yet in this report's incident. A caller that
    has already looked up the related reports passes them, so the lookup runs once."""
    if related_reports is None:
        related_reports = related(db_session, report=report)
    return [
        r
        for r in related_reports
        if abs(r.report.received_at - report.received_at) <= PROPOSAL_WINDOW
        and (report.incident_id is None or r.report.incident_id != report.incident_id)
    ]


def get_incident(db_session: Session, *, ref: str) -> Incident:
    """By id or number; an incident merged away resolves to the one that absorbed it."""
    ref = ref.strip()
    stmt = select(Incident).options(selectinload(Incident.reports))
    incident = db_session.scalar(
        stmt.where(or_(Incident.id == ref, Incident.number == ref.upper()))
    )
    seen = set()
    while incident is not None and incident.merged_into and incident.id not in seen:
        seen.add(incident.id)
        incident = db_session.scalar(stmt.where(Incident.id == incident.merged_into))
    if incident is None:
        raise NotFound(f"no incident {ref}")
    return incident


def _event(
    db_session: Session, actor: str, action: ReviewEvent, kind: str, subject: str, **data: object
) -> None:
    audit.record(
        db_session,
        actor=actor,
        action=action,
        subject_type=kind,
        subject_id=subject,
        data=dict(data),
    )


def merge(db_session: Session, *, report_refs: list[str], actor: str, title: str = "") -> Incident:
    """Make the reports (and every report of any incident they are in) one incident.

    The oldest incident among them survives and the others point at it, so an incident number
    already given to an agency still resolves.
    """
    refs = list(dict.fromkeys(r for r in report_refs if r.strip()))
    if len(refs) < 2:
        raise BadInput("choose at least two reports to merge", code="merge_needs_two")
    chosen = [reports.get_report(db_session, ref=ref) for ref in refs]
    incident_ids = {r.incident_id for r in chosen if r.incident_id}
    existing = sorted(
        db_session.scalars(select(Incident).where(Incident.id.in_(incident_ids))),
        key=lambda i: i.created_at,
    )
    if existing:
        target = existing[0]
    else:
        target = Incident(number=reports.new_case_number("IN"), title=title[:200])
        db_session.add(target)
        db_session.flush()
        _event(db_session, actor, ReviewEvent.INCIDENT_CREATED, "incident", target.id)
    absorbed = existing[1:]
    for other in absorbed:
        db_session.execute(
            update(Report).where(Report.incident_id == other.id).values(incident_id=target.id)
        )
        other.status, other.merged_into = "merged", target.id
        _event(
            db_session,
            actor,
            ReviewEvent.INCIDENT_MERGED_AWAY,
            "incident",
            other.id,
            into=target.id,
        )
    if title:
        target.title = title[:200]
    added = [r for r in chosen if r.incident_id != target.id]
    for r in added:
        r.incident_id = target.id
        _event(db_session, actor, ReviewEvent.BUNDLED, "report", r.id, incident=target.number)
    _event(
        db_session,
        actor,
        ReviewEvent.INCIDENT_MERGED,
        "incident",
        target.id,
        reports=[r.case_number for r in added],
        incidents=[i.number for i in absorbed],
    )
    db_session.flush()
    db_session.expire(target)
    return get_incident(db_session, ref=target.id)


def split(db_session: Session, *, report_ref: str, actor: str) -> Report:
    """Take one report out of its incident; an incident left with none is dissolved."""
    report = reports.get_report(db_session, ref=report_ref)
    if report.incident_id is None:
        raise BadInput("this report is not part of an incident", code="not_bundled")
    incident_id, report.incident_id = report.incident_id, None
    db_session.flush()
    left = db_session.scalar(
        select(func.count()).select_from(Report).where(Report.incident_id == incident_id)
    )
    _event(db_session, actor, ReviewEvent.UNBUNDLED, "report", report.id, incident=incident_id)
    _event(
        db_session,
        actor,
        ReviewEvent.INCIDENT_SPLIT,
        "incident",
        incident_id,
        report=report.case_number,
    )
    if not left:
        incident = db_session.get(Incident, incident_id)
        if incident is not None:
            incident.status = "dissolved"
    return report


def counts(db_session: Session) -> dict[str, int]:
    """Reports and incidents, counted apart: a report outside any incident counts as its own."""
    total_reports = db_session.scalar(select(func.count()).select_from(Report)) or 0
    unbundled = (
        db_session.scalar(
            select(func.count()).select_from(Report).where(Report.incident_id.is_(None))
        )
        or 0
    )
    bundles = (
        db_session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(and_(Incident.merged_into.is_(None), Incident.status == "open"))
        )
        or 0
    )
    return {"reports": total_reports, "incidents": unbundled + bundles, "bundles": bundles}
