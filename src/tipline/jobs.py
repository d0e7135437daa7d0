"""Background jobs on huey.

huey runs embedded with no server (its SQLite storage in TIPLINE_HOME) and on Redis when
TIPLINE_REDIS_URL is set, with the same task code, which is exactly the "embedded by default,
distributed when outgrown" rule of DESIGN.md. It is small, maintained, has periodic tasks and an
immediate mode for tests. (RQ and arq need Redis; Celery is far more than this needs.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from tipline.config import Settings, get_settings
from tipline.db import Database


def make_huey(settings: Settings) -> Huey:
    if settings.jobs_immediate:
        return MemoryHuey("tipline", immediate=True)
    if settings.redis_url:
        return RedisHuey("tipline", url=settings.redis_url)
    settings.home.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tipline", filename=str(settings.home / "jobs.db"))


huey = make_huey(get_settings())


@cache
def _database(url: str) -> Database:
    return Database(url)


def _session_scope() -> tuple[Settings, Database]:
    settings = get_settings()
    return settings, _database(settings.resolved_database_url)


_QUEUED = "tipline.jobs.after_commit"


def enqueue_after_commit(db_session: Session, task: Callable[..., Any], *args: Any) -> None:
    """Queue a job only once the change it depends on is committed (never for a rollback)."""
    db_session.info.setdefault(_QUEUED, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(db_session: Session) -> None:
    for task, args in db_session.info.pop(_QUEUED, []):
        task(*args)


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(db_session: Session) -> None:
    db_session.info.pop(_QUEUED, None)


@huey.task(retries=2, retry_delay=10)
def hash_evidence_file(file_id: str) -> None:
    from tipline.evidence import service as evidence

    settings, db = _session_scope()
    with db.session() as db_session:
        evidence.complete_hashes(db_session, settings=settings, file_id=file_id)


@huey.periodic_task(crontab(minute="*/15"))
def sweep_vault() -> None:
    from tipline.evidence import service as evidence

    settings, db = _session_scope()
    with db.session() as db_session:
        evidence.sweep_orphans(db_session, settings=settings)


@huey.task(retries=6, retry_delay=60)
def forward_report(forwarding_id: str) -> None:
    """File a report upstream; huey retries a failed attempt, and each retry is safe."""
    from tipline.ispws import forwarding

    settings, db = _session_scope()
    client = forwarding.client_for(settings)
    try:
        forwarding.forward(db, settings=settings, forwarding_id=forwarding_id, client=client)
    finally:
        client.close()


@huey.periodic_task(crontab(minute="*/5"))
def expire_ispws_submissions() -> None:
    """Unfinished /ispws reports expire 24 h after opening or 1 h after their last change."""
    from tipline.ispws import service as ispws

    settings, db = _session_scope()
    with db.session() as db_session:
        ispws.expire_stale(db_session, settings=settings)


@huey.periodic_task(crontab(minute="*/5"))
def expire_sessions() -> None:
    from tipline.auth import service as auth

    settings, db = _session_scope()
    with db.session() as db_session:
        auth.expire_idle_sessions(db_session, settings=settings)


@huey.periodic_task(crontab(minute="17", hour="3"))
def purge_expired_evidence() -> None:
    """Destroy evidence past its retention (or on an agency's request), keeping the proof."""
    from tipline.referral import retention

    settings, db = _session_scope()
    with db.session() as db_session:
        retention.purge(db_session, settings=settings)


@huey.periodic_task(crontab(minute="*"))
def refresh_stats() -> None:
    """Read newly chained events into the numbers' rollup (servers also do it as they chain)."""
    from tipline.stats import rollup

    _, db = _session_scope()
    with db.session() as db_session:
        rollup.refresh(db_session)


def _notices(*, sweep: bool = False, send: bool = False, check: bool = False) -> None:
    from tipline.takedown.notices import requests

    settings, db = _session_scope()
    with db.session() as db_session:
        if sweep:
            requests.sweep_stuck(db_session)
        if send:
            requests.send_due(db_session, settings=settings)
        if check:
            requests.check_due(db_session, settings=settings)


@huey.task()
def send_notices() -> None:
    """Send the analysts' pending take-down notices (each is claimed before it is sent)."""
    _notices(send=True)


@huey.periodic_task(crontab(minute="*"))
def send_notices_periodically() -> None:
    """Retry failed sends; call a send left half-done by a stopped worker unknown."""
    _notices(sweep=True, send=True)


@huey.periodic_task(crontab(minute="*/15"))
def check_notices() -> None:
    """Does each requested URL still answer? (Each at most hourly.)"""
    _notices(check=True)
