from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import ID, Base, new_id, utcnow


class NoticePlatform(Base):
    """A platform or site in the directory: where its abuse reports go, and what law binds it."""

    __tablename__ = "notice_platforms"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Host names it serves content from; a URL on a subdomain belongs to it too.
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    report_url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    api_url: Mapped[str | None] = mapped_column(String(500))
    # Keys of notices.texts.LEGAL_BASES.
    legal_bases: Mapped[list[str]] = mapped_column(JSON, default=list)
    deadline_hours: Mapped[int] = mapped_column(Integer, default=48)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The checked facts of the directory file: report_urls (intimate_images, child_safety),
    # take_it_down, checked (a date) and sources (where each fact was read).
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeRequest(Base):
    """One URL an analyst (or a victim, on their case) asked a company to take down: how it is
    sent, by when it must be gone, and what the checks found."""

    __tablename__ = "notice_requests"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "url_hash"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    # The report or take-down case the URL belongs to.
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(ID, index=True)
    url: Mapped[str] = mapped_column(String(2048))
    url_hash: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    platform_id: Mapped[str | None] = mapped_column(ForeignKey("notice_platforms.id"))
    platform_name: Mapped[str] = mapped_column(String(120))
    # email, api or manual (a task for the analyst to file by hand on a web form)
    channel: Mapped[str] = mapped_column(String(8))
    # pending, sending, sent, failed, unknown (the relay may have taken it: never resent
    # automatically), filed (by hand), removed, withdrawn
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    message_id: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    checked_at: Mapped[datetime | None] = mapped_column()
    # What the last check saw: answers, gone, unreachable (never the content itself).
    last_check: Mapped[str] = mapped_column(String(16), default="")
    removed_at: Mapped[datetime | None] = mapped_column()
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
