from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tipline.auth.models import Organisation
from tipline.db import ID, Base, new_id, utcnow


class RoutingRule(Base):
    """Which agency takes reports from a place: a US state, a country, or anywhere (country "*")."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("country", "region"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    country: Mapped[str] = mapped_column(String(2))
    # ISO 3166-2 code such as US-CA; empty for the whole country.
    region: Mapped[str] = mapped_column(String(6), default="")
    agency_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Organisation] = relationship()


class GeoRange(Base):
    """One range of an offline IP geolocation table the admin loads (never a network lookup).

    Addresses are kept as 32 hex digits (IPv4 mapped into IPv6) so that ranges compare as
    strings on both databases.
    """

    __tablename__ = "geo_ranges"

    start: Mapped[str] = mapped_column(String(32), primary_key=True)
    end: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(6), default="")


class Referral(Base):
    """Reports sent to one agency: what it received, what it did, and how long it is kept."""

    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    # sent, acknowledged, closed (an outcome recorded)
    status: Mapped[str] = mapped_column(String(16), default="sent", index=True)
    outcome: Mapped[str | None] = mapped_column(String(24), index=True)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    # The routing the analyst saw (candidates, confidence, reasons) and whether they overrode it.
    routing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    confidence: Mapped[float | None] = mapped_column(Float)
    override_reason: Mapped[str] = mapped_column(String(500), default="")
    referred_by: Mapped[str] = mapped_column(String(64))
    # The analyst who had the report claimed when it was referred (often the one who referred).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    outcome_at: Mapped[datetime | None] = mapped_column()
    # The REPORT Act's preservation period, extended by a preservation request.
    hold_until: Mapped[datetime] = mapped_column(index=True)
    preservation_requested_at: Mapped[datetime | None] = mapped_column()
    destruction_requested_at: Mapped[datetime | None] = mapped_column()
    destroyed_at: Mapped[datetime | None] = mapped_column()

    agency: Mapped[Organisation] = relationship()
    links: Mapped[list[ReferralReport]] = relationship(cascade="all, delete-orphan")
    supplements: Mapped[list[ReferralSupplement]] = relationship(
        cascade="all, delete-orphan", order_by="ReferralSupplement.created_at"
    )


class ReferralSupplement(Base):
    """Information added to a referral after it was sent: an analyst's note, or a new report
    merged into the referred incident. The agency sees each, with its time."""

    __tablename__ = "referral_supplements"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # A report added to the referral by this supplement, if any.
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id"), index=True)
    added_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column()


class ReferralReport(Base):
    __tablename__ = "referral_reports"

    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True, index=True)


class LegalProcess(Base):
    """A warrant or court order for a file the reporting service did not view itself: until one
    is recorded, the agency does not receive that file."""

    __tablename__ = "legal_process"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), index=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("evidence_files.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
