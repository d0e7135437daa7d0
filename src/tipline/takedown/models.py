"""Take-down tables: victims' cases, the hash lists platforms sync, their changes and feedback.

Vocabulary from ThreatExchange's HMA: a hash list (a "bank") holds entries, each one signal
(`pdq`, `vpdq`, `sha256`, `md5`); platforms follow the list through its change feed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tipline.db import ID, Base, new_id, utcnow

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
SEQ = BigInteger().with_variant(Integer(), "sqlite")


class HashList(Base):
    __tablename__ = "hash_lists"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # PDQ distance at or under which a platform's hash matches; Meta recommends 31.
    pdq_threshold: Mapped[int] = mapped_column(Integer, default=31)
    # A video matches when this share of its distinct frames (or the stored one's) match.
    vpdq_frame_share: Mapped[float] = mapped_column(Float, default=0.8)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TakedownCase(Base):
    """A victim's case: the hashes of their images, opened without an account, kept by a PIN."""

    __tablename__ = "takedown_cases"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(String(24), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    age_at_creation: Mapped[str] = mapped_column(String(12))
    lang: Mapped[str] = mapped_column(String(8), default="en")
    # open, withdrawn
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    # Wrong PINs in a row; after too many the case is locked for a while.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()

    entries: Mapped[list[HashEntry]] = relationship(back_populates="case")


class HashEntry(Base):
    """One hash on a list. Withdrawn and quarantined entries stay, so the feed can say so."""

    __tablename__ = "hash_entries"
    __table_args__ = (Index("ix_hash_entries_signal", "signal_type", "lookup"),)

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("hash_lists.id"), index=True)
    case_pk: Mapped[str | None] = mapped_column(ForeignKey("takedown_cases.id"), index=True)
    signal_type: Mapped[str] = mapped_column(String(8))
    # Hex for pdq, sha256 and md5; for vpdq, one "frame,quality,pdq,seconds" line per frame.
    value: Mapped[str] = mapped_column(Text)
    # The value itself for a hex hash; for vpdq (too long for a btree), its SHA-256.
    lookup: Mapped[str] = mapped_column(String(64))
    # active, withdrawn (by the victim), quarantined (too many false positives; under review)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    false_positives: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column()

    case: Mapped[TakedownCase | None] = relationship(back_populates="entries")
    hash_list: Mapped[HashList] = relationship()


class HashChange(Base):
    """The change feed: one row per add or removal, in order; the cursor is the last `seq`."""

    __tablename__ = "hash_changes"

    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("hash_entries.id"), index=True)
    # add, remove
    action: Mapped[str] = mapped_column(String(8))
    # case_opened, added_to_case, withdrawn, quarantined, released
    reason: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[HashEntry] = relationship()


class HashFeedback(Base):
    """What a platform did with a match: matched, removed, or false positive."""

    __tablename__ = "hash_feedback"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    entry_id: Mapped[int] = mapped_column(ForeignKey("hash_entries.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
