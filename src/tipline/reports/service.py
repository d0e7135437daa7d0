"""Reports: creation from any intake path, lifecycle, and reading back."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import String, Table, or_, select
from sqlalchemy.orm import Session, selectinload

from tipline import bulk
from tipline.audit import service as audit
from tipline.auth import secrets as sec
from tipline.db import Base, new_id, utcnow
from tipline.errors import BadInput, NotFound
from tipline.evidence.models import EvidenceFile
from tipline.nul import NUL
from tipline.reports import priority
from tipline.reports.events import ENTERED, ReportEvent
from tipline.reports.models import OnlineAccount, PaymentDetail, Person, Report
from tipline.reports.schemas import IncidentType, ReporterRole, Source, Status

# Crockford's base32 without look-alikes: a case number is read out over the phone.
_CASE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# The lifecycle: which status may follow which, and the timestamp each one sets.
_TRANSITIONS: dict[Status, set[Status]] = {
    Status.RECEIVED: {Status.TRIAGED, Status.CLOSED},
    Status.TRIAGED: {Status.REFERRED, Status.CLOSED},
    Status.REFERRED: {Status.CLOSED},
    Status.CLOSED: set(),
}


def _random_symbols(count: int) -> str:
    # One read of the system's randomness, not one per character; 32 divides 256, so taking
    # each byte modulo 32 keeps every symbol equally likely.
    return "".join(_CASE_ALPHABET[b % 32] for b in secrets.token_bytes(count))


def new_follow_up_token() -> str:
    """100 random bits as 20 Crockford base32 characters in groups of five.

    A teenager copies this onto paper or into their notes: no look-alike characters, no case,
    and dashes that may be left out when typed back.
    """
    body = _random_symbols(20)
    return "-".join(body[i : i + 5] for i in range(0, 20, 5))


def normalise_follow_up_token(token: str) -> str:
    """What a person types back, read the way Crockford base32 intends (O is 0, I and L are 1)."""
    cleaned = "".join(ch for ch in token.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def new_case_number(prefix: str = "TL") -> str:
    body = _random_symbols(8)
    return f"{prefix}-{body[:4]}-{body[4:]}"


# Case folding can lengthen a string ("ß" folds to "ss"): a matching key is cut to its column,
# the narrowest of those that hold it.
_HANDLE_KEY = min(
    int(cast(String, c.type).length or 0)
    for c in (
        OnlineAccount.__table__.c.handle_normalised,
        PaymentDetail.__table__.c.handle_normalised,
    )
)
_CONTACT_KEY = int(cast(String, Person.__table__.c.contact_normalised.type).length or 0)


def normalise_handle(handle: str | None) -> str | None:
    if not handle:
        return None
    value = handle.strip().lstrip("@$").casefold()[:_HANDLE_KEY]
    return value or None


def normalise_contact(email: str | None, phone: str | None) -> str | None:
    """How the same person is recognised across reports: the email, else the phone's digits."""
    if email and email.strip():
        return email.strip().casefold()[:_CONTACT_KEY]
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits if len(digits) >= 7 else None


def normalise_url(url: str | None) -> str | None:
    """A profile URL however it was pasted: no scheme, no "www.", no query, no trailing slash."""
    if not url or not url.strip():
        return None
    value = url.strip().casefold().split("#", 1)[0].split("?", 1)[0]
    for prefix in ("https://", "http://"):
        value = value.removeprefix(prefix)
    value = value.removeprefix("www.").rstrip("/")
    return value[:500] or None


def _enum(enum_cls: Any, value: str, field: str) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(v.value for v in enum_cls)
        raise BadInput(f"{field}: unknown value {value!r} (use one of {allowed})") from None


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


@dataclass(frozen=True)
class NewReport:
    """What creating a report gives back; `get_report` loads the whole report when needed."""

    id: str
    case_number: str
    follow_up_token: str | None
    self_harm_risk: bool


def create_report(
    db_session: Session,
    *,
    source: str,
    actor: str,
    description: str = "",
    reporter_role: str | None = None,
    incident_type: str = IncidentType.ONLINE_ENTICEMENT.value,
    organisation_id: str | None = None,
    external_id: str | None = None,
    incident_date: date | None = None,
    sextortion: bool = False,
    financial: bool = False,
    self_harm_risk: bool = False,
    child_in_danger: bool = False,
    minor_to_minor: bool = False,
    annotations: list[str] | None = None,
    demands: list[str] | None = None,
    lang: str = "en",
    people: list[dict[str, Any]] | None = None,
    accounts: list[dict[str, Any]] | None = None,
    payments: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    with_follow_up_token: bool = False,
    received_at: datetime | None = None,
) -> NewReport:
    """One report with its people, accounts and payment details, in the caller's transaction.

    Rows are written with Core inserts rather than the ORM's unit of work: this is the intake
    path, and the unit of work cost three times as much (bench/intake.py).
    """
    src = _enum(Source, source, "source")
    if reporter_role is not None:
        _enum(ReporterRole, reporter_role, "reporter_role")
    _enum(IncidentType, incident_type, "incident_type")
    if incident_date and incident_date > utcnow().date():
        raise BadInput("incident_date: cannot be in the future")
    token = new_follow_up_token() if with_follow_up_token else None
    now = received_at or utcnow()
    financial = financial or "money" in (demands or [])
    prio = priority.assess(
        self_harm_risk=self_harm_risk,
        child_in_danger=child_in_danger,
        sextortion=sextortion,
        financial=financial,
        victim_ages=[p.get("age") for p in people or [] if p.get("role") == "victim"],
        source=src.value,
        description=description,
        deadline_answered=priority.deadline_given(extra),
    )
    report_id = new_id()
    report_row = {
        "id": report_id,
        "case_number": new_case_number(),
        "source": src.value,
        "reporter_role": reporter_role,
        "organisation_id": organisation_id,
        "external_id": external_id,
        "incident_type": incident_type,
        "description": description,
        "incident_date": incident_date,
        "sextortion": sextortion,
        "financial": financial,
        "priority_tier": prio.tier,
        "priority_reason": prio.reason,
        "due_at": priority.due(now, prio.tier),
        "last_activity_at": now,
        "legal_hold": False,
        "self_harm_risk": self_harm_risk,
        "child_in_danger": child_in_danger,
        "minor_to_minor": minor_to_minor,
        "annotations": sorted(set(annotations or [])),
        "demands": list(demands or []),
        "lang": lang,
        "status": Status.RECEIVED.value,
        "received_at": now,
        "follow_up_token_hash": (
            sec.token_hash(normalise_follow_up_token(token)) if token else None
        ),
        "extra": extra or {},
    }
    children = (
        (Person, [_person_row(p) for p in people or []]),
        (
            OnlineAccount,
            [
                {
                    **_account_defaults,
                    **a,
                    "handle_normalised": normalise_handle(a.get("handle")),
                    "url_normalised": normalise_url(a.get("profile_url")),
                }
                for a in accounts or []
            ],
        ),
        (
            PaymentDetail,
            [
                {**_payment_defaults, **p, "handle_normalised": normalise_handle(p.get("handle"))}
                for p in payments or []
            ],
        ),
    )
    batches = [(_table(Report), [report_row])]
    for model, rows in children:
        for order, row in enumerate(rows):
            # created_at orders the children as given (the relationships sort by it).
            row.update(
                id=new_id(), report_id=report_id, created_at=now + timedelta(microseconds=order)
            )
        batches.append((_table(model), rows))
    # The event goes in the same statement as the report (one round trip on PostgreSQL).
    event = audit.pending_row(
        db_session,
        actor=actor,
        action=ReportEvent.RECEIVED,
        subject_type="report",
        subject_id=report_id,
        data={"case_number": report_row["case_number"], "source": src.value},
    )
    batches.append((audit.PENDING_TABLE, [event]))
    bulk.insert_tables(db_session, batches)
    return NewReport(
        id=report_id,
        case_number=report_row["case_number"],
        follow_up_token=token,
        self_harm_risk=self_harm_risk,
    )


_person_defaults: dict[str, Any] = {
    "name": None,
    "email": None,
    "phone": None,
    "age": None,
    "gender": None,
    "country": None,
    "region": None,
    "school": None,
    "preferred_contact": None,
}
_account_defaults: dict[str, Any] = {
    "person_id": None,
    "platform": None,
    "handle": None,
    "account_id": None,
    "profile_url": None,
    "display_name": None,
}
_payment_defaults: dict[str, Any] = {"handle": None, "amount": None}


def _person_row(person: dict[str, Any]) -> dict[str, Any]:
    row = {**_person_defaults, **person}
    row["contact_normalised"] = normalise_contact(row["email"], row["phone"])
    return row


def set_status(
    db_session: Session, *, report: Report, status: str, actor: str, reason: str = ""
) -> None:
    new = _enum(Status, status, "status")
    current = Status(report.status)
    if new not in _TRANSITIONS[current]:
        raise BadInput(f"a {current.value} report cannot become {new.value}", code="bad_transition")
    report.status = new.value
    setattr(report, f"{new.value}_at", utcnow())
    audit.record(
        db_session,
        actor=actor,
        action=ENTERED[new],
        subject_type="report",
        subject_id=report.id,
        data={"from": current.value, "reason": reason} if reason else {"from": current.value},
    )


def get_report(db_session: Session, *, ref: str) -> Report:
    """By id or case number (case-insensitive, dashes optional)."""
    ref = ref.strip()
    if NUL in ref:
        # No id or case number holds one, and PostgreSQL refuses a NUL even in a query.
        raise NotFound("no such report")
    stmt = select(Report).options(
        selectinload(Report.people), selectinload(Report.accounts), selectinload(Report.payments)
    )
    report = db_session.scalar(stmt.where(Report.id == ref))
    if report is None:
        case = ref.upper()
        if "-" not in case and len(case) == 10:
            case = f"{case[:2]}-{case[2:6]}-{case[6:]}"
        report = db_session.scalar(stmt.where(Report.case_number == case))
    if report is None and ref.isdigit():
        # An online service's report, by the CyberTipline reportId it was filed under.
        report = db_session.scalar(stmt.where(Report.source == "esp", Report.external_id == ref))
    if report is None:
        raise NotFound(f"no report {ref}")
    return report


def list_reports(
    db_session: Session,
    *,
    status: str | None = None,
    source: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Report]:
    stmt = select(Report).order_by(Report.received_at.desc()).limit(limit).offset(offset)
    if status:
        stmt = stmt.where(Report.status == _enum(Status, status, "status").value)
    if source:
        stmt = stmt.where(Report.source == _enum(Source, source, "source").value)
    if search:
        handle = normalise_handle(search)
        account_hit = select(OnlineAccount.report_id).where(
            OnlineAccount.handle_normalised == handle
        )
        payment_hit = select(PaymentDetail.report_id).where(
            PaymentDetail.handle_normalised == handle
        )
        digest = search.strip().lower()
        file_hit = select(EvidenceFile.report_id).where(
            or_(EvidenceFile.sha256 == digest, EvidenceFile.md5 == digest)
        )
        stmt = stmt.where(
            or_(
                Report.case_number == search.strip().upper(),
                Report.external_id == search.strip(),
                Report.id.in_(account_hit),
                Report.id.in_(payment_hit),
                Report.id.in_(file_hit),
            )
        )
    return list(db_session.scalars(stmt))
