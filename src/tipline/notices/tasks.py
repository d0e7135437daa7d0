"""Notices' background jobs: sending what analysts approved, retrying, and checking URLs."""

from __future__ import annotations

from huey import crontab

from tipline import queue
from tipline.notices import requests

# What a service or view names to have the pending notices sent after its commit.
SEND = "tipline.notices.tasks:send_notices"


def _notices(*, sweep: bool = False, send: bool = False, check: bool = False) -> None:
    settings, db = queue.job_scope()
    with db.session() as db_session:
        if sweep:
            requests.sweep_stuck(db_session)
        if send:
            requests.send_due(db_session, settings=settings)
        if check:
            requests.check_due(db_session, settings=settings)


@queue.task()
def send_notices() -> None:
    """Send the analysts' pending take-down notices (each is claimed before it is sent)."""
    _notices(send=True)


@queue.periodic_task(crontab(minute="*"))
def send_notices_periodically() -> None:
    """Retry failed sends; call a send left half-done by a stopped worker unknown."""
    _notices(sweep=True, send=True)


@queue.periodic_task(crontab(minute="*/15"))
def check_notices() -> None:
    """Does each requested URL still answer? (Each at most hourly.)"""
    _notices(check=True)
