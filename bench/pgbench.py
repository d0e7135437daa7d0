"""What the PostgreSQL benchmarks share: a fresh database of their own, and p95 timings."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text

PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def p95_ms(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20)[18] * 1000, 2)


def timed(call: Callable[[], Any], rounds: int, warm: int = 5) -> list[float]:
    """Seconds per call, after a few calls to warm caches and plans."""
    for _ in range(warm):
        call()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def fresh_database(name: str) -> str:
    """Drop and create the benchmark's own database; returns its URL."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def filled_database(name: str, fill: str, size: int) -> tuple[Any, float]:
    """A fresh, migrated database filled by `fill` (statements with :n); (Database, seconds)."""
    from tipline.db import Database, upgrade

    url = fresh_database(name)
    upgrade(url)
    database = Database(url)
    started = time.perf_counter()
    with database.engine.begin() as conn:
        for statement in fill.split(";\n"):
            if statement.strip():
                conn.execute(text(statement), {"n": size})
    return database, round(time.perf_counter() - started, 1)


def run_sizes(bench: str, sizes: list[int], run: Callable[[int, Any], dict[str, Any]]) -> None:
    """Run at each size (each with its own home), then print one JSON line for all."""
    import json
    import sys
    import tempfile
    from pathlib import Path

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            results.append(run(size, Path(tmp) / f"home{size}"))
            print(json.dumps(results[-1]), file=sys.stderr)
    print(json.dumps({"bench": bench, "backend": "postgresql", "results": results}))
