"""The job queue: embedded (SQLite) by default, Redis when TIPLINE_REDIS_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from huey import RedisHuey, SqliteHuey
from sqlalchemy import text

from tipline import queue, worker
from tipline.config import Settings
from tipline.db import Database
from tipline.queue import Task, make_huey


def _roundtrip(huey: object) -> list[int]:
    seen: list[int] = []

    @huey.task()  # type: ignore[attr-defined]
    def add(a: int, b: int) -> int:
        seen.append(a + b)
        return a + b

    add(2, 3)
    # Run what was queued the way a worker does: dequeue and execute.
    task = huey.dequeue()  # type: ignore[attr-defined]
    assert task is not None
    huey.execute(task)  # type: ignore[attr-defined]
    return seen


def test_embedded_queue_needs_no_server(tmp_path: Path) -> None:
    huey = make_huey(Settings(home=tmp_path / "home", jobs_immediate=False))
    assert isinstance(huey, SqliteHuey)
    assert _roundtrip(huey) == [5]
    assert (tmp_path / "home" / "jobs.db").exists()


def test_redis_queue_when_configured(tmp_path: Path) -> None:
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (make test starts it)")
    huey = make_huey(Settings(home=tmp_path / "home", redis_url=url, jobs_immediate=False))
    assert isinstance(huey, RedisHuey)
    huey.flush()
    assert _roundtrip(huey) == [5]
    huey.flush()


def test_every_job_runs_against_a_real_database(database: object) -> None:
    """Each declared job, run as the worker would (immediate mode), on an empty installation:
    none fails for want of an import, a setting or a table."""

    jobs = {
        name: value
        for module in worker.TASK_MODULES
        for name, value in vars(module).items()
        if isinstance(value, Task)
    }
    assert len(jobs) == 13, sorted(jobs)
    for name, job in jobs.items():
        if name in ("hash_evidence_file", "forward_report"):
            continue  # each takes a stored row: run by test_vault (large video), test_forwarding
        job()


def test_a_job_named_after_commit_runs_only_once_committed(database: object) -> None:
    assert isinstance(database, Database)
    with database.session() as db_session:
        db_session.execute(text("SELECT 1"))  # a change under way, then abandoned
        queue.after_commit(db_session, "tipline.stats.tasks:refresh_stats")
        db_session.rollback()
        assert "tipline.queue.after_commit" not in db_session.info
    with pytest.raises(LookupError):
        queue.resolve("tipline.stats.rollup:refresh")
