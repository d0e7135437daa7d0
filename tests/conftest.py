"""Fixtures: a fresh TIPLINE_HOME per test, on SQLite or PostgreSQL (TIPLINE_TEST_DATABASE)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

# Jobs run inline in tests; set before the queue is first built (tipline.queue).
os.environ["TIPLINE_JOBS_IMMEDIATE"] = "1"

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient

from tipline.app import create_app
from tipline.config import Settings, write_master_key
from tipline.db import Database, upgrade
from tipline.referral import routing
from tipline.server import uvicorn_config

# The browser fixtures (Debian's Chromium through Playwright) live in tests/browser.py.
pytest_plugins = ["browser"]

BACKEND = os.environ.get("TIPLINE_TEST_DATABASE", "sqlite")
PG_URL = os.environ.get(
    "TIPLINE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Meta's PDQ conformance images and hashes (BSD; LICENSE beside them), vendored so that a clone
# anywhere runs every test.
PDQ_VECTORS = Path(__file__).resolve().parent / "data" / "pdq-vectors"


def pytest_report_header() -> str:
    return f"tipline test database: {BACKEND}"


def _pg_admin_url() -> str:
    return PG_URL


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A migrated empty database for this test worker: a file to copy, or a PostgreSQL DB."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("template") / "tipline.db"
        upgrade(f"sqlite:///{path}")
        yield str(path)
        return
    name = f"tipline_test_{worker_id}_{os.getpid()}"
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = _pg_admin_url().rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        # Replica mode skips the append-only triggers: tests start from an empty log.
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))
        # As migration 0003 leaves it: the audit log's head row, before any event.
        conn.execute(
            sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :g)"), {"g": "0" * 64}
        )
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_template: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    if BACKEND == "sqlite":
        shutil.copy(database_template, home / "tipline.db")
        url = f"sqlite:///{home / 'tipline.db'}"
    else:
        _empty_postgres(database_template)
        url = database_template
    write_master_key(home / "master.key")
    # The CLI, jobs and the app all read the environment: point them at this test's home.
    monkeypatch.setenv("TIPLINE_HOME", str(home))
    monkeypatch.setenv("TIPLINE_DATABASE_URL", url)
    # Tests file many reports from one address; the limit itself is tested with its own setting.
    return Settings(
        home=home,
        database_url=url,
        jobs_immediate=True,
        public_rate_limit="10000/minute",
        public_address_limit="10000/minute",
        follow_up_rate_limit="10000/minute",
        notices_rate_limit="10000/minute",
        support_rate_limit="10000/minute",
        image_pixel_budget="1000000/minute",
        failed_login_limit="10000/minute",
        notices_allow_loopback=True,
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.resolved_database_url)
    yield db
    db.dispose()


@pytest.fixture
def app(settings: Settings, database: Database):  # type: ignore[no-untyped-def]

    return create_app(settings, database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app served by uvicorn on a real loopback port, for real-HTTP and browser tests."""
    port = _free_port()
    # Configured as `tipline serve` configures it (no proxy headers believed by uvicorn).
    server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as http_client:
        yield http_client


@pytest.fixture
def routed(database: Database) -> Database:
    """A database with the sample agencies and their routing loaded (referral tests)."""
    with database.session() as db_session:
        routing.load_agencies(db_session, text=routing.sample_agencies(), actor="t")
        routing.load_geo(db_session, text=routing.sample_geo(), actor="t")
    return database
