from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tipline.db import ID, Base, new_id, utcnow
from tipline.reports import deadline


class Incident(Base):
    """A bundle of reports about the same offender, victim or file; counted apart from reports."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An incident folded into another by a merge points at the one that absorbed it.
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"))

    reports: Mapped[list[Report]] = relationship(back_populates="incident")


class Report(Base):
    """One report, from the public, an online service (ESP) or the detector."""

    __tablename__ = "reports"
    # The queue: open reports by tier, then oldest first, in one index scan (a partial index, so
    # the millions of closed and referred reports do not weigh on it).
    # The other sorts of the queue (deadline, age, last activity) each have a partial index too.
    __table_args__ = (
        Index(
            "ix_reports_queue",
            "priority_tier",
            "received_at",
            postgresql_where=text("status IN ('received', 'triaged')"),
            sqlite_where=text("status IN ('received', 'triaged')"),
        ),
        Index(
            "ix_reports_queue_due",
            "due_at",
            postgresql_where=text("status IN ('received', 'triaged')"),
            sqlite_where=text("status IN ('received', 'triaged')"),
        ),
        Index(
            "ix_reports_queue_age",
            "received_at",
            postgresql_where=text("status IN ('received', 'triaged')"),
            sqlite_where=text("status IN ('received', 'triaged')"),
        ),
        Index(
            "ix_reports_queue_activity",
            "last_activity_at",
            postgresql_where=text("status IN ('received', 'triaged')"),
            sqlite_where=text("status IN ('received', 'triaged')"),
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    case_number: Mapped[str] = mapped_column(String(24), unique=True)
    source: Mapped[str] = mapped_column(String(16), index=True)
    reporter_role: Mapped[str | None] = mapped_column(String(24))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The reporting service's own id for this report, where it has one.
    external_id: Mapped[str | None] = mapped_column(String(64))
    incident_type: Mapped[str] = mapped_column(String(48), default="online_enticement")
    description: Mapped[str] = mapped_column(Text, default="")
    incident_date: Mapped[date | None] = mapped_column(Date)
    sextortion: Mapped[bool] = mapped_column(Boolean, default=False)
    financial: Mapped[bool] = mapped_column(Boolean, default=False)
    self_harm_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    child_in_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    minor_to_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    # CyberTipline report annotations (sextortion, csamSolicitation, ...) as sent or classified.
    annotations: Mapped[list[str]] = mapped_column(JSON, default=list)
    demands: Mapped[list[str]] = mapped_column(JSON, default=list)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    triaged_at: Mapped[datetime | None] = mapped_column()
    referred_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    follow_up_token_hash: Mapped[str | None] = mapped_column(String(64))
    # Review: the analyst working on it now (one at a time), and since when.
    claimed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column()
    # The computed priority (reports/priority.py), stored so that the queue is an index scan.
    priority_tier: Mapped[int] = mapped_column(SmallInteger, default=4)
    priority_reason: Mapped[str] = mapped_column(String(48), default="by age")
    # When a decision is due: arrival plus the tier's target time (reports/priority.TARGETS).
    due_at: Mapped[datetime | None] = mapped_column()
    # Anything done to the report, by anyone (set on every flush that changes it).
    last_activity_at: Mapped[datetime | None] = mapped_column()
    # The reporter or the ESP added text or a file after filing; an analyst acting on the report
    # after that (seen_at) clears the queue's badge.
    info_added_at: Mapped[datetime | None] = mapped_column()
    seen_at: Mapped[datetime | None] = mapped_column()
    # A legal hold keeps the report and its evidence past any retention period.
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    # Fields an intake path receives that have no column of their own yet (kept, not dropped).
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    incident: Mapped[Incident | None] = relationship(back_populates="reports")

    @property
    def deadline_words(self) -> list[str]:
        """The deadline phrases in the description (shown beside the priority they raised)."""
        return deadline.deadline_words(self.description)

    people: Mapped[list[Person]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="Person.created_at"
    )
    accounts: Mapped[list[OnlineAccount]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="OnlineAccount.created_at"
    )
    payments: Mapped[list[PaymentDetail]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="PaymentDetail.created_at"
    )


class Person(Base):
    """Someone a report is about or from: suspect, victim, reporter contact."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # Lower-cased email or the digits of a phone number: how the same victim is recognised
    # across reports.
    contact_normalised: Mapped[str | None] = mapped_column(String(254), index=True)
    age: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(24))
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(6))
    # A child's school, where the reporter gives it (an investigator's first lead to the child).
    school: Mapped[str | None] = mapped_column(String(200))
    # How a reporter wants to be reached: email, phone, text, or not at all.
    preferred_contact: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="people")


class OnlineAccount(Base):
    """An account on a platform: the offender's, or the victim's."""

    __tablename__ = "online_accounts"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str | None] = mapped_column(String(100))
    # Lower-cased, stripped handle for matching across reports; the display form is kept too.
    handle: Mapped[str | None] = mapped_column(String(200))
    handle_normalised: Mapped[str | None] = mapped_column(String(200), index=True)
    account_id: Mapped[str | None] = mapped_column(String(200), index=True)
    profile_url: Mapped[str | None] = mapped_column(String(2000))
    # Scheme, "www." and trailing slash removed, lower-cased host: the same profile however
    # it was pasted.
    url_normalised: Mapped[str | None] = mapped_column(String(500), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="accounts")


class PaymentDetail(Base):
    """How the offender asked to be paid: key to financial sextortion investigations."""

    __tablename__ = "payment_details"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str | None] = mapped_column(String(300))
    handle_normalised: Mapped[str | None] = mapped_column(String(300), index=True)
    amount: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="payments")


class ReporterUpdate(Base):
    """Information a reporter added later, with their case number and follow-up token."""

    __tablename__ = "reporter_updates"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKey(Base):
    """The first answer to a request carrying an Idempotency-Key, replayed on a retry."""

    __tablename__ = "idempotency_keys"

    # SHA-256 of scope and key: the caller's key is never stored as given.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Hash of the request body: the same key with a different body is a client bug (409).
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


@event.listens_for(Session, "before_flush")
def _touch_reports(session: Session, _context: object, _instances: object) -> None:
    """Every change to a report, whoever makes it, moves its last activity (the queue sorts by
    it): one hook here rather than a line in each service that changes a report."""
    now = utcnow()
    for obj in session.dirty:
        if isinstance(obj, Report) and session.is_modified(obj, include_collections=False):
            obj.last_activity_at = now
