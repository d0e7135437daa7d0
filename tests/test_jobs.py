"""The job queue: embedded (SQLite) by default, Redis when TIPLINE_REDIS_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

from tipline.config import Settings
from tipline.jobs import make_huey


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
    import redis

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
