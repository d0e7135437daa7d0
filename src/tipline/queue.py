"""The job queue: huey, built on first use, and one way to run work after a commit.

huey runs embedded with no server (its SQLite storage in TIPLINE_HOME) and on Redis when
TIPLINE_REDIS_URL is set, with the same task code: the "embedded by default, distributed when
outgrown" rule of DESIGN.md. It is small, maintained, has periodic tasks and an immediate mode
for tests. (RQ and arq need Redis; Celery is far more than this needs.)

This module imports no domain. Each domain declares its jobs in its own `tasks.py` with
`@queue.task()` or `@queue.periodic_task(...)`; nothing is built at import time (the huey is
made from the settings when a job is first queued or a worker starts). A service that needs a
job run once its change is committed names it (`after_commit(session, "module:function")`),
so that a service never imports its domain's tasks (which import the service).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
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


_lock = threading.Lock()
_huey: Huey | None = None
_tasks: list[Task] = []


def get_huey() -> Huey:
    """The process's huey, made from the settings on first use, with every declared job."""
    global _huey  # noqa: PLW0603 - one queue per process, made lazily
    with _lock:
        if _huey is None:
            _huey = make_huey(get_settings())
            for declared in _tasks:
                declared.bind(_huey)
        return _huey


class Task:
    """A job. Calling it queues it (in immediate mode, runs it at once)."""

    def __init__(self, fn: Callable[..., Any], bind: Callable[[Huey], Any]) -> None:
        self.fn = fn
        self._bind = bind
        self._wrapper: Any = None
        with _lock:
            _tasks.append(self)
            if _huey is not None:
                self.bind(_huey)

    def bind(self, huey: Huey) -> None:
        self._wrapper = self._bind(huey)

    def __call__(self, *args: Any) -> Any:
        get_huey()
        return self._wrapper(*args)


def task(**options: Any) -> Callable[[Callable[..., Any]], Task]:
    """Declare a job (huey's options: retries, retry_delay, ...)."""

    def declare(fn: Callable[..., Any]) -> Task:
        return Task(fn, lambda huey: huey.task(**options)(fn))

    return declare


def periodic_task(schedule: Callable[..., bool]) -> Callable[[Callable[..., Any]], Task]:
    """Declare a job that the worker runs on a schedule (huey's `crontab`)."""

    def declare(fn: Callable[..., Any]) -> Task:
        return Task(fn, lambda huey: huey.periodic_task(schedule)(fn))

    return declare


@cache
def _database(url: str) -> Database:
    return Database(url)


def job_scope() -> tuple[Settings, Database]:
    """What a job runs against: the settings, and one database per process and URL."""
    settings = get_settings()
    return settings, _database(settings.resolved_database_url)


# -- after commit ---------------------------------------------------------------------------------

_QUEUED = "tipline.queue.after_commit"


def after_commit(db_session: Session, job: str, *args: Any) -> None:
    """Queue the job `job` ("package.module:function", a `task`) once this session's change is
    committed; never when it is rolled back. Every domain uses this, so that no job ever sees
    the world before the change that asked for it."""
    db_session.info.setdefault(_QUEUED, []).append((job, args))


def resolve(job: str) -> Task:
    module, _, name = job.partition(":")
    found = getattr(importlib.import_module(module), name, None)
    if not isinstance(found, Task):
        raise LookupError(f"{job} is not a job declared with tipline.queue")
    return found


@event.listens_for(Session, "after_commit")
def _enqueue_committed(db_session: Session) -> None:
    for job, args in db_session.info.pop(_QUEUED, []):
        resolve(job)(*args)


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(db_session: Session) -> None:
    db_session.info.pop(_QUEUED, None)
