"""Test helpers that do what an attacker with database access could: bypass the triggers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from tipline.db import Database


@contextmanager
def raw_connection(database: Database) -> Iterator[sa.Connection]:
    with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_no_delete")
            for trigger in (
                "pending_events_no_update",
                "pending_events_chained_only",
                "audit_head_no_delete",
                "audit_head_forward_only",
            ):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        yield conn
