"""The CyberTipline-compatible intake: submit, upload, fileinfo, finish, retract.

A submission belongs to the online service that opened it and to no one else: every lookup is
by (reportId, organisation), and another service's id answers exactly as a missing one (5001).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth.models import Organisation
from tipline.config import Settings
from tipline.db import utcnow
from tipline.errors import TiplineError
from tipline.evidence import service as evidence
from tipline.evidence.models import EvidenceFile
from tipline.ispws import xml
from tipline.ispws.codes import Code, IspwsError
from tipline.ispws.events import IspwsEvent
from tipline.ispws.models import IspwsFile, IspwsSubmission
from tipline.reports import distress
from tipline.reports import service as reports
from tipline.reports.models import OnlineAccount, Person
from tipline.reports.schemas import INCIDENT_TYPE_LABELS

_TYPE_BY_LABEL = {label: kind.value for kind, label in INCIDENT_TYPE_LABELS.items()}
OPEN_FOR = timedelta(hours=24)
IDLE_FOR = timedelta(hours=1)
MAX_FILES = 1000
# As the public report's form allows (reports/schemas.py).
MAX_AGE = 120
_MAX_ID = 2**31 - 1


def _actor(org: Organisation) -> str:
    return f"org:{org.id}"


def report_number(value: Any) -> int | None:
    """The report a request names, to name it back in the answer: only as a number a client's
    binding can hold (a long), else not at all."""
    digits = str(value).strip().removeprefix("+").lstrip("0")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else None


def _submission(db_session: Session, *, org: Organisation, report_id: Any) -> IspwsSubmission:
    # As the schema writes a reportId (xs:positiveInteger: "+" and leading zeros allowed), and
    # within the id column (PostgreSQL's integer): anything else is a report that does not exist.
    digits = str(report_id).strip().removeprefix("+").lstrip("0")
    if not (digits.isascii() and digits.isdigit()):
        raise IspwsError(Code.REPORT_DOES_NOT_EXIST)
    if len(digits) > len(str(_MAX_ID)) or int(digits) > _MAX_ID:
        raise IspwsError(Code.REPORT_DOES_NOT_EXIST, report_id=report_number(report_id))
    ident = int(digits)
    found = db_session.scalar(
        select(IspwsSubmission).where(
            IspwsSubmission.id == ident,
            IspwsSubmission.organisation_id == org.id,
            IspwsSubmission.state != "expired",
        )
    )
    if found is None:
        raise IspwsError(Code.REPORT_DOES_NOT_EXIST, report_id=ident)
    return found


def _incident_time(value: Any) -> datetime:
    try:
        return xml.date_time(str(value))
    except ValueError as exc:
        raise IspwsError(Code.VALIDATION_FAILED, f"incidentDateTime {exc}") from None


def _age(value: Any) -> int | None:
    """An age as the schema may write it ("+15", "015", "-0"), if it is a person's."""
    found = re.fullmatch(r"\s*[+-]?0*([0-9]{1,3})\s*", value) if isinstance(value, str) else None
    age = int(found.group(1)) if found else None
    return age if age is not None and age <= MAX_AGE else None


def _require_open(submission: IspwsSubmission) -> None:
    if submission.state == "finished":
        raise IspwsError(Code.ALREADY_FINISHED, report_id=submission.id)
    if submission.state == "retracted":
        raise IspwsError(Code.ALREADY_RETRACTED, report_id=submission.id)


def submit(db_session: Session, *, org: Organisation, document: bytes) -> int:
    tree = xml.parse(document, root="report")
    data = xml.to_data(tree)
    when = _incident_time(data["incidentSummary"]["incidentDateTime"])
    # A day of grace for clocks and time zones; beyond that the date is impossible.
    if when > utcnow() + timedelta(days=1):
        raise IspwsError(Code.VALIDATION_FAILED, "incidentDateTime is in the future")
    # The schema admits any whole number as an age; refused here, not at finish, where the
    # service could no longer correct it.
    for element in tree.iter("age"):
        if _age(element.text) is None:
            raise IspwsError(
                Code.VALIDATION_FAILED,
                f"line {element.sourceline}: age: a number from 0 to {MAX_AGE}",
            )
    submission = IspwsSubmission(
        organisation_id=org.id, document=data, xml=xml.document_text(document, tree)
    )
    db_session.add(submission)
    db_session.flush()
    audit.record(
        db_session,
        actor=_actor(org),
        action=IspwsEvent.SUBMITTED,
        subject_type="ispws_submission",
        subject_id=str(submission.id),
        data={"incident_type": data["incidentSummary"]["incidentType"]},
    )
    return submission.id


def upload(
    db_session: Session,
    *,
    settings: Settings,
    org: Organisation,
    report_id: Any,
    data: bytes,
    filename: str | None,
    prepared: evidence.PreparedFile | None = None,
) -> tuple[str, str]:
    """Store a file for an open submission; returns (fileId, MD5 hex) as NCMEC answers them."""
    submission = _submission(db_session, org=org, report_id=report_id)
    _require_open(submission)
    count = len(
        db_session.scalars(
            select(IspwsFile.id).where(IspwsFile.submission_id == submission.id)
        ).all()
    )
    if count >= MAX_FILES:
        raise IspwsError(
            Code.UPLOAD_FAILED, f"at most {MAX_FILES} files per report", report_id=submission.id
        )
    try:
        stored = evidence.store_file(
            db_session,
            settings=settings,
            data=data,
            filename=filename,
            actor=_actor(org),
            prepared=prepared,
        )
    except TiplineError as exc:
        raise IspwsError(Code.MALFORMED_FILE, exc.message, report_id=submission.id) from None
    record = IspwsFile(submission_id=submission.id, evidence_file_id=stored.file.id)
    db_session.add(record)
    submission.updated_at = utcnow()
    db_session.flush()
    return record.id, stored.file.md5


def fileinfo(db_session: Session, *, org: Organisation, document: bytes) -> int:
    """Keep the details of an uploaded file; returns the report's id, as the answer names it."""
    tree = xml.parse(document, root="fileDetails")
    data = xml.to_data(tree)
    submission = _submission(db_session, org=org, report_id=data["reportId"])
    _require_open(submission)
    record = db_session.scalar(
        select(IspwsFile).where(
            IspwsFile.id == str(data["fileId"]), IspwsFile.submission_id == submission.id
        )
    )
    if record is None:
        raise IspwsError(Code.FILE_DOES_NOT_EXIST, report_id=submission.id)
    record.details = data
    viewed = data.get("fileViewedByEsp")
    record.viewed_by_esp = None if viewed is None else str(viewed) in ("true", "1")
    submission.updated_at = utcnow()
    return submission.id


def retract(db_session: Session, *, org: Organisation, report_id: Any) -> None:
    submission = _submission(db_session, org=org, report_id=report_id)
    _require_open(submission)
    submission.state = "retracted"
    submission.updated_at = utcnow()
    audit.record(
        db_session,
        actor=_actor(org),
        action=IspwsEvent.RETRACTED,
        subject_type="ispws_submission",
        subject_id=str(submission.id),
    )


def finish(db_session: Session, *, org: Organisation, report_id: Any) -> list[str]:
    """File the report for good: it becomes a tipline report, visible to review."""
    submission = _submission(db_session, org=org, report_id=report_id)
    _require_open(submission)
    files = list(
        db_session.scalars(
            select(IspwsFile)
            .where(IspwsFile.submission_id == submission.id)
            .order_by(IspwsFile.created_at)
        )
    )
    fields = report_fields(submission, organisation_id=org.id)
    # The details the service gave of each file (/fileinfo), kept whole with the document.
    fields["extra"]["cybertipline_files"] = [
        record.details or {"fileId": record.id} for record in files
    ]
    made = reports.create_report(db_session, actor=_actor(org), **fields)
    for record in files:
        stored = db_session.get(EvidenceFile, record.evidence_file_id)
        if stored is not None:
            stored.report_id = made.id
            stored.viewed_by_reporter = record.viewed_by_esp
    submission.state = "finished"
    submission.report_id = made.id
    submission.finished_at = submission.updated_at = utcnow()
    audit.record(
        db_session,
        actor=_actor(org),
        action=IspwsEvent.FINISHED,
        subject_type="ispws_submission",
        subject_id=str(submission.id),
        data={"report_id": made.id, "files": len(files)},
    )
    return [f.id for f in files]


def filed_document(db_session: Session, *, report_id: str) -> str | None:
    """The XML an online service filed for the report, exactly as it sent it; None otherwise."""
    return db_session.scalar(
        select(IspwsSubmission.xml).where(
            IspwsSubmission.report_id == report_id, IspwsSubmission.state == "finished"
        )
    )


def expire_stale(db_session: Session, *, settings: Settings, now: datetime | None = None) -> int:
    """Delete unfinished submissions 24 h after opening or 1 h after their last change,
    whichever is later, with their files."""
    now = now or utcnow()
    stale = [
        s
        for s in db_session.scalars(select(IspwsSubmission).where(IspwsSubmission.state == "open"))
        if now > max(s.created_at + OPEN_FOR, s.updated_at + IDLE_FOR)
    ]
    vault = evidence.vault_for(settings)
    for submission in stale:
        for record in db_session.scalars(
            select(IspwsFile).where(IspwsFile.submission_id == submission.id)
        ):
            stored = db_session.get(EvidenceFile, record.evidence_file_id)
            if stored is not None:
                vault.delete(stored.storage_key)
                stored.status, stored.purged_at = "purged", now
        submission.state = "expired"
        submission.document, submission.xml = {}, ""
        audit.record(
            db_session,
            actor="system",
            action=IspwsEvent.EXPIRED,
            subject_type="ispws_submission",
            subject_id=str(submission.id),
        )
    return len(stale)


# The filed document, in tipline's model ------------------------------------------------------


def _texts(values: Any) -> list[str]:
    return [t for t in (xml.text_of(v) for v in (values or [])) if t]


def _part(value: Any) -> dict[str, Any]:
    """A parent element as a dict; the schema lets most be empty (<victim/>), read as True."""
    return value if isinstance(value, dict) else {}


# The schema allows some values more characters than tipline's columns hold (NCMEC's lengths
# against tipline's). The filed document keeps every value whole, in `extra`; the columns get
# what fits them.
def _width(column: Any) -> int:
    return int(cast(String, column.type).length or 0)


def _cut(value: str | None, column: Any) -> str | None:
    """A name: its start still names someone."""
    return value[: _width(column)] if value else value


def _whole(value: str | None, column: Any) -> str | None:
    """An identifier (address, handle, id, link): left out if too long, never cut, since a cut
    one may be someone else's."""
    return value if value is None or len(value) <= _width(column) else None


_PERSON = Person.__table__.c
_ACCOUNT = OnlineAccount.__table__.c


def _person(role: str, person: Any) -> dict[str, Any] | None:
    if not isinstance(person, dict):
        return None
    names = (xml.text_of(person.get("firstName")), xml.text_of(person.get("lastName")))
    emails = _texts(person.get("email"))
    phones = _texts(person.get("phone"))
    return {
        "role": role,
        "name": _cut(" ".join(n for n in names if n) or None, _PERSON.name),
        "email": _whole(emails[0] if emails else None, _PERSON.email),
        "phone": _whole(phones[0] if phones else None, _PERSON.phone),
        "age": _age(person.get("age")),
    }


def _accounts(role: str, holder: dict[str, Any], platform: str | None) -> list[dict[str, Any]]:
    service = _cut(xml.text_of(holder.get("espService")) or platform, _ACCOUNT.platform)
    ids = _texts(holder.get("espIdentifier"))
    names = _texts(holder.get("screenName"))
    displays = _texts(holder.get("displayName"))
    urls = _texts(holder.get("profileUrl"))
    count = max(len(ids), len(names), len(displays), len(urls))
    return [
        {
            "role": role,
            "platform": service,
            "account_id": _whole(ids[i] if i < len(ids) else None, _ACCOUNT.account_id),
            "handle": _whole(names[i] if i < len(names) else None, _ACCOUNT.handle),
            "display_name": _cut(displays[i] if i < len(displays) else None, _ACCOUNT.display_name),
            "profile_url": _whole(urls[i] if i < len(urls) else None, _ACCOUNT.profile_url),
        }
        for i in range(count)
    ]


def report_fields(submission: IspwsSubmission, *, organisation_id: str) -> dict[str, Any]:
    doc = submission.document
    summary = doc["incidentSummary"]
    annotations = sorted(_part(summary.get("reportAnnotations")))
    platform = xml.text_of(summary.get("platform"))
    incident_at = summary["incidentDateTime"]
    parts: list[str] = []
    for details in doc.get("internetDetails", []):
        for kind, incident in details.items():
            for key in ("content", "additionalInfo"):
                text = xml.text_of(incident.get(key)) if isinstance(incident, dict) else None
                if text:
                    parts.append(f"[{kind} {key}] {text}")
    if xml.text_of(doc.get("additionalInfo")):
        parts.append(str(xml.text_of(doc.get("additionalInfo"))))
    people: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    for holder in map(_part, doc.get("personOrUserReported", [])):
        person = _person("suspect", holder.get("personOrUserReportedPerson"))
        if person:
            people.append(person)
        accounts += _accounts("suspect", holder, platform)
    for holder in map(_part, doc.get("victim", [])):
        person = _person("victim", holder.get("victimPerson"))
        if person:
            people.append(person)
        accounts += _accounts("victim", holder, platform)
    reporter = _person("reporter", _part(doc.get("reporter")).get("reportingPerson"))
    if reporter:
        people.append(reporter)
    escalation = xml.text_of(summary.get("escalateToHighPriority"))
    description = "\n\n".join(parts)
    return {
        "source": "esp",
        "organisation_id": organisation_id,
        "external_id": str(submission.id),
        "incident_type": _TYPE_BY_LABEL[summary["incidentType"]],
        "description": description,
        # A child's words of despair in the chat a service sends put the report first too.
        "self_harm_risk": distress.shows_distress(description),
        "incident_date": _incident_time(incident_at).date(),
        "sextortion": "sextortion" in annotations,
        "minor_to_minor": "minorToMinorInteraction" in annotations,
        "child_in_danger": escalation is not None,
        "annotations": annotations,
        "people": people,
        "accounts": accounts,
        "extra": {
            "cybertipline": doc,
            "escalation_reason": escalation,
            "md5_of_document": hashlib.md5(
                submission.xml.encode(), usedforsecurity=False
            ).hexdigest(),
        },
    }
