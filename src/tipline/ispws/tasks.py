"""/ispws's background jobs: filing upstream, and expiring reports never finished."""

from __future__ import annotations

from huey import crontab

from tipline import queue
from tipline.ispws import forwarding, service


@queue.task(retries=6, retry_delay=60)
def forward_report(forwarding_id: str) -> None:
    """File a report upstream; huey retries a failed attempt, and each retry is safe."""
    settings, db = queue.job_scope()
    client = forwarding.client_for(settings)
    try:
        forwarding.forward(db, settings=settings, forwarding_id=forwarding_id, client=client)
    finally:
        client.close()


@queue.periodic_task(crontab(minute="*/5"))
def expire_ispws_submissions() -> None:
    """Unfinished /ispws reports expire 24 h after opening or 1 h after their last change."""
    settings, db = queue.job_scope()
    with db.session() as db_session:
        service.expire_stale(db_session, settings=settings)
