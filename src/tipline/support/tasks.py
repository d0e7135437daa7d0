"""The support desk's background jobs: check-ins that fall due, telling families and peers
that a message waits, and relayed messages past their retention."""

from __future__ import annotations

from huey import crontab

from tipline import queue
from tipline.support import notify, peers, service


@queue.periodic_task(crontab(minute="*"))
def surface_check_ins() -> None:
    """Put each request whose scheduled check-in has come back in the advocates' queue."""
    _settings, db = queue.job_scope()
    with db.session() as db_session:
        service.surface_due_check_ins(db_session)


@queue.periodic_task(crontab(minute="41"))
def purge_relay_messages() -> None:
    """Delete messages between peers and families older than the retention setting."""
    settings, db = queue.job_scope()
    with db.session() as db_session:
        peers.purge(db_session, retention_days=settings.support_message_retention_days)


@queue.periodic_task(crontab(minute="*"))
def notify_waiting_messages() -> None:
    """Email a family (that chose email) or a peer that a relayed message waits."""
    settings, db = queue.job_scope()
    with db.session() as db_session:
        notify.notify_waiting(db_session, settings=settings)
