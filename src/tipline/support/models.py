"""The support desk's tables: requests for support and what advocates do with them, the
directory of services, the peers, and the messages relayed between a peer and a family."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import ID, Base, new_id, utcnow

OPEN_STATUSES = ("new", "active")
_OPEN = text("status IN ('new', 'active')")


class SupportRequest(Base):
    """One family's request for support: who needs it, what kind, and how it is safe to reach
    them. Opened by its number and code, as a report is by its case number and token."""

    __tablename__ = "support_requests"
    # The advocates' queue: open requests by urgency, then the oldest first, in one index scan.
    __table_args__ = (
        Index(
            "ix_support_queue", "urgency", "created_at", postgresql_where=_OPEN, sqlite_where=_OPEN
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The report this request came with, when the family made one (the report's facts are
    # shown to the advocate; its files never are).
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id"), index=True)
    # Who needs support, and who is asking (schemas.Who).
    who: Mapped[str] = mapped_column(String(16))
    asker: Mapped[str] = mapped_column(String(16))
    # A first name or nickname to use; never required.
    call_me: Mapped[str] = mapped_column(String(60), default="")
    child_age: Mapped[int | None] = mapped_column(SmallInteger)
    # schemas.Kind values: talk_now, counselling, peer, school_police.
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en")
    # A US state as ISO 3166-2 ("US-TX"), "US" when not given, or "other" outside the US.
    region: Mapped[str] = mapped_column(String(8), default="US")
    # How it is safe to reach them (schemas.Channel) and when; the contact itself.
    channel: Mapped[str] = mapped_column(String(8))
    contact: Mapped[str] = mapped_column(String(254), default="")
    safe_times: Mapped[str] = mapped_column(String(200), default="")
    no_voicemail: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(Text, default="")
    # 1: words of despair or self-harm (crisis steps first); 2: someone to talk to now; 3: the
    # rest. Set at intake and raised whenever the family adds words of despair.
    urgency: Mapped[int] = mapped_column(SmallInteger, default=3)
    self_harm: Mapped[bool] = mapped_column(Boolean, default=False)
    # new -> active (claimed, or a check-in fell due) -> waiting (until the next check-in) ->
    # closed. The queue shows new and active.
    status: Mapped[str] = mapped_column(String(12), default="new", index=True)
    claimed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column()
    next_check_in_at: Mapped[datetime | None] = mapped_column(index=True)
    check_in_due: Mapped[bool] = mapped_column(Boolean, default=False)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    close_reason: Mapped[str] = mapped_column(String(32), default="")
    # Ever reached by an advocate (a contact logged as "reached"): counted in the numbers.
    reached: Mapped[bool] = mapped_column(Boolean, default=False)


class SupportLogEntry(Base):
    """An advocate's contact attempt or note, or what the family added: the request's log."""

    __tablename__ = "support_log"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("support_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # "contact", "note" or "family" (the family's own words, added from follow-up).
    kind: Mapped[str] = mapped_column(String(8))
    by: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8), default="")
    # For a contact: schemas.Outcome (attempted, reached, no_message).
    outcome: Mapped[str] = mapped_column(String(16), default="")
    text: Mapped[str] = mapped_column(Text, default="")


class SupportService(Base):
    """A service a family can be referred to: a national line (shipped as data) or a local
    service an administrator adds."""

    __tablename__ = "support_services"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    name_es: Mapped[str] = mapped_column(String(160), default="")
    # schemas.ServiceKind values.
    kind: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    sms: Mapped[str | None] = mapped_column(String(32))
    sms_keyword: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    url: Mapped[str | None] = mapped_column(String(500))
    hours: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # None: national (the whole US); else a state ("US-TX").
    region: Mapped[str | None] = mapped_column(String(8), index=True)
    ages: Mapped[str] = mapped_column(String(60), default="")
    checked: Mapped[date | None] = mapped_column(Date)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "own": the facts come from the service's own pages; "secondary": from other pages.
    source_kind: Mapped[str] = mapped_column(String(12), default="own")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportReferral(Base):
    """A family referred to a service, with their consent recorded; its status and outcome."""

    __tablename__ = "support_referrals"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("support_requests.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("support_services.id"))
    # Who agreed (schemas.ConsentBy) and how (the channel the consent was given on).
    consent_by: Mapped[str] = mapped_column(String(16))
    consent_how: Mapped[str] = mapped_column(String(8))
    consent_at: Mapped[datetime] = mapped_column(default=utcnow)
    made_by: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    # schemas.ReferralStatus: made -> connected / waiting_list / declined / unreachable.
    status: Mapped[str] = mapped_column(String(16), default="made")
    # What the family is told was arranged (shown in their follow-up); the advocate's own
    # notes stay in the log and are never shown to the family.
    for_family: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PeerProfile(Base):
    """A volunteer peer: how families see them (first name, languages), what they have lived,
    and until when their vetting holds."""

    __tablename__ = "peer_profiles"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(60))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str] = mapped_column(String(8), default="US")
    # schemas.Experience values.
    experiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    trained_on: Mapped[date | None] = mapped_column(Date)
    vetted_until: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PeerMatch(Base):
    """A peer matched with a family: live only once both have said yes; ended by either."""

    __tablename__ = "peer_matches"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("support_requests.id"), index=True)
    peer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    family_consent_at: Mapped[datetime | None] = mapped_column()
    peer_consent_at: Mapped[datetime | None] = mapped_column()
    # proposed -> active (both said yes) -> ended; or declined by either before it began.
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    ended_by: Mapped[str] = mapped_column(String(12), default="")
    ended_at: Mapped[datetime | None] = mapped_column()
    # What the advocate tells both sides about why this match (shared experience, language).
    why: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


_UNNOTIFIED = text("notified_at IS NULL")


class RelayMessage(Base):
    """A message between a peer and a family, relayed by tipline: no one's number or address
    is shared. Deleted when older than the retention setting."""

    __tablename__ = "relay_messages"
    # The notifier's scan: messages nobody has been told of yet.
    __table_args__ = (
        Index(
            "ix_relay_messages_unnotified",
            "sent_at",
            postgresql_where=_UNNOTIFIED,
            sqlite_where=_UNNOTIFIED,
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    match_id: Mapped[str] = mapped_column(ForeignKey("peer_matches.id"), index=True)
    # "family" or "peer".
    side: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When the reader was emailed that it waits (None: not yet, or nobody to tell).
    notified_at: Mapped[datetime | None] = mapped_column()
