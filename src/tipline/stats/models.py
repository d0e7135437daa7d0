from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tipline.db import Base


class StatCell(Base):
    """One count of the rollup: a figure's key, in a period, for a slice of the data.

    `grain` is "m" (period "YYYY-MM", what the public pages read) or "d" ("YYYY-MM-DD", what
    the staff's date filters read). `slice` is "" for everything, "a:<agency id>",
    "p:<platform>" or both joined by "|": a report is counted once in each slice it belongs to,
    so a filter is a plain lookup, never a join over the reports.
    """

    __tablename__ = "stat_cells"
    __table_args__ = (UniqueConstraint("slice", "grain", "period", "figure", "key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    slice: Mapped[str] = mapped_column(String(160))
    grain: Mapped[str] = mapped_column(String(1))
    period: Mapped[str] = mapped_column(String(10))
    figure: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer, default=0)


class StatContribution(Base):
    """What one subject (a report, an incident, a case...) adds to the rollup now: kept so that
    when it changes, only the difference is applied."""

    __tablename__ = "stat_contributions"

    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    # [[figure, key, day, slice, count], ...]
    cells: Mapped[list[Any]] = mapped_column(JSON, default=list)


class StatCursor(Base):
    """How far into the audit log the rollup has read."""

    __tablename__ = "stat_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
