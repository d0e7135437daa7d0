from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tipline.db import ID, Base, new_id, utcnow


class EvidenceFile(Base):
    """A file in the encrypted vault, with its intake hashes. The bytes live only in the vault."""

    __tablename__ = "evidence_files"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id"), index=True)
    # The name as given, cleaned of any path; never used to build a path on disk.
    filename: Mapped[str] = mapped_column(String(255), default="")
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    md5: Mapped[str] = mapped_column(String(32), index=True)
    pdq: Mapped[str | None] = mapped_column(String(64), index=True)
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    vpdq: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # pending while a background job computes PDQ/vPDQ of a large file; done; failed.
    hash_status: Mapped[str] = mapped_column(String(16), default="done")
    # Whether the reporting service itself looked at the file (CyberTipline fileViewedByEsp).
    # A file nobody at the service viewed is not shown to an agency without legal process.
    viewed_by_reporter: Mapped[bool | None] = mapped_column(Boolean)
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="stored")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column()

    bands: Mapped[list[PdqBand]] = relationship(cascade="all, delete-orphan")


class PdqBand(Base):
    """One 16-bit slice of a file's PDQ hash (or of a distinct vPDQ frame's).

    Two 256-bit hashes within Hamming distance 15 agree exactly on at least one of their sixteen
    16-bit slices (pigeonhole), so looking up the slices finds every such near match with an
    index; candidates are then checked at full distance. Matches further away (up to the usual
    PDQ threshold of 31) are found whenever a slice happens to agree, and never falsely.
    """

    __tablename__ = "pdq_bands"
    __table_args__ = (Index("ix_pdq_bands_lookup", "band", "value"),)

    file_id: Mapped[str] = mapped_column(ForeignKey("evidence_files.id"), primary_key=True)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True)
