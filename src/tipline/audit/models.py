from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base, utcnow


class Event(Base):
    """One entry of the append-only, hash-chained log: timeline and audit trail at once."""

    __tablename__ = "events"

    # Gapless: assigned under the append lock, so a deleted event leaves a visible hole.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Indexed for the trigger that lets a pending event be deleted only once it is chained
    # (migration 0013): it looks its event up by content, created_at first.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = ()


class AuditHead(Base):
    """The latest seq and hash, kept apart so that cutting events off the end is detectable.

    One row, never deleted; an update may only move it forward, to an event in the chain
    (trigger, migration 0013)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class PendingEvent(Base):
    """An event committed with its change, waiting to be chained into `events`.

    The chain needs one writer at a time; taking that lock inside every report's transaction
    capped intake at about 200 reports/s (bench/intake.py). Now a change commits its event here,
    with no lock, and the appender (audit/appender.py) chains pending events in batches,
    usually within milliseconds. Rows here cannot be updated (trigger); the appender deletes
    each one in the same transaction that writes it into the chain, and a trigger refuses any
    other delete (migration 0013).
    """

    __tablename__ = "pending_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
