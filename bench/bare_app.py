"""The baseline for bench/intake.py: a bare FastAPI endpoint that inserts one row.

Same framework, same server, same database and workers as tipline's intake: the difference in
the benchmark is what tipline's intake does on top (validation, the report's rows, the audit
event, the follow-up token).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI

metadata = sa.MetaData()
rows = sa.Table(
    "bench_bare",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
)


def create_app() -> FastAPI:
    engine = sa.create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=10)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _wal(conn: Any, _record: Any) -> None:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")

    metadata.create_all(engine)
    app = FastAPI()

    @app.post("/bare", status_code=201)
    def bare(body: dict[str, Any]) -> dict[str, str]:
        ident = uuid.uuid4().hex
        with engine.begin() as conn:
            conn.execute(rows.insert().values(id=ident, body=str(body.get("description", ""))))
        return {"id": ident}

    return app


def _child(port: int) -> None:
    import uvicorn

    from tipline.server import die_with_parent, listening_socket

    die_with_parent()

    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", access_log=False))
    server.run(sockets=[listening_socket("127.0.0.1", port)])


if __name__ == "__main__":
    # Two processes on one port with SO_REUSEPORT: the same serving as `tipline serve --workers 2`.
    import multiprocessing
    import sys

    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_child, args=(int(sys.argv[1]),)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join()
