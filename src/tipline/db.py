"""Engine, sessions and migrations; the same code on SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from tipline.config import Settings

# Stable constraint names, so that migrations name the same things on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware.

    SQLite has no time zone type; without this, a value read back would compare unequal to the
    one written, and audit hashes would differ between the two databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


ID = String(32)


# How long a transaction waits for SQLite's write lock before giving up (the caller answers 503
# with Retry-After). Bounded on purpose: a request waiting longer than this holds a worker thread
# that the lock holder may need to finish (issue 17: 12 concurrent reads stalled for 60 s).
LOCK_TIMEOUT_SECONDS = 5.0

# Execution option naming how a SQLite transaction starts; see `_on_begin` and `Database.reader`.
SQLITE_BEGIN = "tipline_sqlite_begin"


class DatabaseBusy(Exception):
    """The database's write lock was not free in time: try again shortly (HTTP 503)."""

    retry_after = 2


def is_busy(exc: BaseException) -> bool:
    """Whether a driver error means "locked, try again", not a bug: SQLite's busy and locked
    errors, PostgreSQL's lock timeout (55P03) and serialization failures (40001, 40P01)."""
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in {"55P03", "40001", "40P01"}:
        return True
    message = str(orig).lower()
    return type(orig).__name__ == "OperationalError" and (
        "database is locked" in message
        or "database table is locked" in message
        or "database is busy" in message
    )


def make_engine(url: str, *, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> Engine:
    # hide_parameters: a database error's text carries the statement's values (what a reporter
    # typed, hashes, names), and errors are logged with their traceback (a lock timeout, an
    # unexpected 500). The statement is kept; the values never reach a log.
    if url.startswith("sqlite"):
        # A SQLite connection costs a file handle, and readers no longer queue behind the
        # write lock: let as many requests read at once as arrive.
        engine = create_engine(
            url,
            connect_args={"timeout": lock_timeout, "check_same_thread": False},
            pool_size=20,
            max_overflow=20,
            hide_parameters=True,
        )
        _configure_sqlite(engine, lock_timeout=lock_timeout)
        return engine
    # No ping before each checkout: it was a quarter of the round trips of a public report
    # (bench/intake.py). A connection the server closed is detected on use, the pool is
    # invalidated, and connections are recycled every half hour regardless.
    return create_engine(
        url,
        pool_pre_ping=False,
        pool_recycle=1800,
        pool_size=10,
        max_overflow=10,
        hide_parameters=True,
    )


def _configure_sqlite(engine: Engine, *, lock_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction starts (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that may write takes the write lock up front: SQLite cannot wait for it
        # later (a deferred transaction that has read and then writes gets SQLITE_BUSY at once,
        # or SQLITE_BUSY_SNAPSHOT if another commit came between), and read-then-write logic
        # (the audit head, idempotency keys, lockout counters) needs the two to be one.
        # A read-only transaction (Database.reader) starts deferred: in WAL mode it never waits
        # and never makes a writer wait.
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        conn.info[_WRITING] = mode != "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(
        conn: Any, cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool
    ) -> None:
        # A deferred (reading) transaction about to write: end the read and take the write lock
        # first, waiting for it as long as the lock timeout allows. Upgrading in place would
        # fail at once whenever another commit came after this transaction's first read (SQLite
        # does not wait there). The reads before it and the writes after are then two
        # transactions, as under PostgreSQL's READ COMMITTED: a request that reads and then
        # writes what it read must be a writing request (Database.sessionmaker).
        if conn.info.get(_WRITING, True) or not _is_write(statement):
            return
        conn.info[_WRITING] = True
        cursor.execute("COMMIT")
        cursor.execute("BEGIN IMMEDIATE")


_WRITING = "tipline.sqlite.writing"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITE_VERBS)


class Database:
    """One engine and session factory per process (per app or CLI run)."""

    def __init__(self, url: str, *, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
        self.url = url
        self.lock_timeout = lock_timeout
        self.engine = make_engine(url, lock_timeout=lock_timeout)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        # For requests that only read (GET, HEAD) and for login checks: on SQLite these never
        # take the write lock, so any number of them run beside a writer. A reader may still
        # write (an audit event, a session's last-seen time): see `_before_write`.
        self.reader = sessionmaker(
            self.engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}), expire_on_commit=False
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self.sessionmaker() as db_session:
            try:
                yield db_session
                db_session.commit()
            except BaseException:
                db_session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def database_for(settings: Settings) -> Database:
    return Database(settings.resolved_database_url, lock_timeout=settings.db_lock_timeout)


MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Any:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
