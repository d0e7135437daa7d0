"""The same migrations build the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tipline.audit import service as audit
from tipline.config import Settings
from tipline.db import Database, current_revision
from tipline.models import metadata
from tipline.reports.events import ReportEvent


def test_migrated_database_matches_the_models(settings: Settings, database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    assert current_revision(settings.resolved_database_url) is not None


def test_events_are_append_only_in_the_database(database: Database) -> None:
    with database.session() as db_session:
        audit.record(
            db_session, actor="t", action=ReportEvent.RECEIVED, subject_type="t", subject_id="1"
        )
    audit.drain(database)
    for statement in ("UPDATE events SET actor = 'someone else'", "DELETE FROM events"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), database.engine.begin() as c:
            c.execute(sa.text(statement))
    with database.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT actor FROM events")).scalar_one() == "t"


def test_postgres_refuses_truncate_of_events(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), database.engine.begin() as c:
        c.execute(sa.text("TRUNCATE events"))


def test_sqlite_connections_use_wal_and_foreign_keys(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
