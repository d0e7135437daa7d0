"""Sign-in's background job: ending idle and over-long staff sessions."""

from __future__ import annotations

from huey import crontab

from tipline import queue
from tipline.auth import service


@queue.periodic_task(crontab(minute="*/5"))
def expire_sessions() -> None:
    settings, db = queue.job_scope()
    with db.session() as db_session:
        service.expire_idle_sessions(db_session, settings=settings)
