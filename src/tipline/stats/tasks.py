"""The numbers' background job: reading newly chained events into the rollup."""

from __future__ import annotations

from huey import crontab

from tipline import queue
from tipline.stats import rollup


@queue.periodic_task(crontab(minute="*"))
def refresh_stats() -> None:
    """Servers also do this as they chain events; the worker catches up what they missed."""
    _, db = queue.job_scope()
    with db.session() as db_session:
        rollup.refresh(db_session)
