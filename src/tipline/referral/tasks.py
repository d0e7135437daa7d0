"""Referral's background job: destroying evidence past its retention, keeping the proof."""

from __future__ import annotations

from huey import crontab

from tipline import queue
from tipline.referral import retention


@queue.periodic_task(crontab(minute="17", hour="3"))
def purge_expired_evidence() -> None:
    """Destroy evidence past its retention (or on an agency's request), keeping the proof."""
    settings, db = queue.job_scope()
    with db.session() as db_session:
        retention.purge(db_session, settings=settings)
