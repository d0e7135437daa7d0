"""An analyst's claim on a report: one analyst at a time, and a claim nobody touches lapses so
that a report is never stuck with someone who has gone home. Review sets claims; referral reads
them (who was working on a report when it was referred); both ask here whether one still holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from tipline.db import utcnow

CLAIM_LAPSES_AFTER = timedelta(hours=4)


class Claimable(Protocol):
    @property
    def claimed_by(self) -> str | None: ...

    @property
    def claimed_at(self) -> datetime | None: ...


def is_live(report: Claimable, now: datetime | None = None) -> bool:
    return (
        report.claimed_by is not None
        and report.claimed_at is not None
        and (now or utcnow()) - report.claimed_at < CLAIM_LAPSES_AFTER
    )


def lapsed_before(now: datetime | None = None) -> datetime:
    """Claims made at or before this moment have lapsed (for queries)."""
    return (now or utcnow()) - CLAIM_LAPSES_AFTER
