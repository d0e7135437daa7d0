from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import ID, Base, new_id, utcnow


class IspwsSubmission(Base):
    """A report an online service is filing through /ispws; its id is the CyberTipline reportId.

    Until `finish`, it is only here: invisible to review, to `tipline reports list`, to anyone
    but the service filing it. `finish` makes the tipline report; `retract` or expiry ends it.
    """

    __tablename__ = "ispws_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    # open, finished, retracted, expired
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    xml: Mapped[str] = mapped_column(Text)
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class IspwsFile(Base):
    """A file uploaded to a submission, and what the service said of it (fileinfo)."""

    __tablename__ = "ispws_files"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    submission_id: Mapped[int] = mapped_column(ForeignKey("ispws_submissions.id"), index=True)
    evidence_file_id: Mapped[str] = mapped_column(ForeignKey("evidence_files.id"))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    viewed_by_esp: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Forwarding(Base):
    """A report being filed upstream, to a CyberTipline-compatible service (NCMEC, or another
    hotline running tipline). The upstream reportId is kept the moment it is known, so a retry
    can retract an unfinished upstream report instead of filing it twice."""

    __tablename__ = "forwardings"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    # pending, submitted (upstream id known), finished, failed
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    upstream_report_id: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_request_id: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
