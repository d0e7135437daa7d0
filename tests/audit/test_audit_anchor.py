"""Issue 17: with only the database, nobody can rewrite the audit log and pass `verify`.

Each attack from the issue, done as an attacker with database access would do it (tamper.py
switches the triggers off), and each caught: by the key kept outside the database, by the
anchors written outside it, or by the triggers on every audit table.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tamper import raw_connection
from tipline.audit import seal as seals
from tipline.audit import service as audit
from tipline.audit.appender import Appender
from tipline.config import Settings
from tipline.db import Database, utcnow
from tipline.errors import ConfigError
from tipline.reports.events import ReportEvent


def _record(database: Database, n: int, *, start: int = 0) -> None:
    with database.session() as db_session:
        for i in range(start, start + n):
            audit.record(
                db_session,
                actor="user:test",
                action=ReportEvent.RECEIVED,
                subject_type="report",
                subject_id=f"r{i}",
                data={"i": i},
            )


def _log(database: Database, n: int = 6) -> None:
    _record(database, n)
    assert audit.drain(database) == n


def _verify(database: Database) -> audit.Verification:
    with database.session() as db_session:
        return audit.verify(db_session)


def _cli_verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tipline", "audit", "verify", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _events(database: Database) -> list[audit.Event]:
    with database.session() as db_session:
        return list(db_session.scalars(sa.select(audit.Event).order_by(audit.Event.seq)))


def _rewrite_plain(conn: sa.Connection, events: list[audit.Event], prev: str) -> str:
    """Write `events` back with plain SHA-256 hashes recomputed from `prev`, as anyone could
    without the key; returns the last hash."""
    for event in events:
        event.prev_hash = prev
        prev = audit.event_hash(event)
        conn.execute(
            sa.text("UPDATE events SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"),
            {"a": event.actor, "p": event.prev_hash, "h": prev, "s": event.seq},
        )
    return prev


# The key -------------------------------------------------------------------------------------


def test_the_audit_key_is_made_beside_the_master_key_and_keys_the_chain(
    settings: Settings, database: Database
) -> None:
    _log(database, 2)
    key_path = settings.home / "audit.key"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert len(key_path.read_bytes()) == 32
    first = _events(database)[0]
    # Not the plain SHA-256 of its content: making it takes the key.
    assert first.hash != audit.event_hash(first)
    result = _verify(database)
    assert result.ok, result.breaks
    assert result.keyed_from == 1
    assert result.latest_anchor == 2


def test_an_exposed_audit_key_is_refused(settings: Settings, database: Database) -> None:
    _log(database, 1)
    (settings.home / "audit.key").chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        seals.Seal(settings.home).read()


# Attack (a): edit an event, recompute the hashes, move the head ----------------------------


def test_an_edit_with_recomputed_hashes_and_a_moved_head_is_caught(database: Database) -> None:
    _log(database)
    events = _events(database)
    events[2].actor = "someone-else"
    with raw_connection(database) as conn:
        last = _rewrite_plain(conn, events[2:], events[1].hash)
        conn.execute(sa.text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": last})
    result = _verify(database)
    assert not result.ok
    assert result.first_break == audit.ChainBreak(3, "content does not match its hash (modified)")
    # The anchored head no longer matches either.
    assert audit.ChainBreak(6, "differs from its anchor (rewritten)") in result.breaks
    cli = _cli_verify("--json")
    assert cli.returncode == 1
    assert json.loads(cli.stdout)["breaks"][0]["seq"] == 3


def test_rehashing_keyed_events_as_plain_ones_is_caught(
    settings: Settings, database: Database
) -> None:
    """A downgrade: the start line in the anchors file says which events are keyed."""
    _log(database, 3)
    events = _events(database)
    with raw_connection(database) as conn:
        last = _rewrite_plain(conn, events, audit.GENESIS)
        conn.execute(sa.text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": last})
    result = _verify(database)
    assert [b.seq for b in result.breaks if "modified" in b.reason] == [1, 2, 3]


# Attack (b): cut the end off and move the head back ----------------------------------------


def test_a_cut_off_end_with_the_head_moved_back_is_caught(database: Database) -> None:
    _log(database)
    events = _events(database)
    with raw_connection(database) as conn:
        conn.execute(sa.text("DELETE FROM events WHERE seq >= 5"))
        conn.execute(
            sa.text("UPDATE audit_head SET seq = 4, hash = :h WHERE id = 1"),
            {"h": events[3].hash},
        )
    result = _verify(database)
    assert not result.ok
    assert result.first_break is not None
    assert result.first_break.seq == 5
    assert "before its anchor at event 6" in result.first_break.reason
    cli = _cli_verify()
    assert cli.returncode == 1
    assert "audit log broken at event 5" in cli.stderr


def test_anchors_are_written_once_per_interval_and_when_the_appender_stops(
    settings: Settings, database: Database
) -> None:
    anchors = settings.home / seals.ANCHORS_FILE
    _log(database, 1)  # a command's drain anchors at once
    before = anchors.read_text().splitlines()
    appender = Appender(database, interval=3600, anchor_every=3600)
    appender.start()
    try:
        _record(database, 2, start=1)  # the commit wakes the appender
        for _ in range(200):
            with database.session() as db_session:
                if audit.count_events(db_session) == 3:
                    break
            time.sleep(0.05)
        # Chained, and anchored at most once an hour by this appender (not within a second).
        assert anchors.read_text().splitlines() == before
    finally:
        appender.stop()
    lines = anchors.read_text().splitlines()
    assert len(lines) == len(before) + 1
    assert json.loads(lines[-1])["seq"] == 3
    assert _verify(database).latest_anchor == 3


def test_a_forged_anchor_line_is_named(settings: Settings, database: Database) -> None:
    _log(database, 2)
    anchors = settings.home / seals.ANCHORS_FILE
    line = json.loads(anchors.read_text().splitlines()[-1])
    line["seq"] = 1  # an anchor moved back, to allow a cut; its MAC no longer holds
    with anchors.open("a") as fh:
        fh.write(json.dumps(line) + "\n")
        fh.write('{"seq": 9, "half a line being written')
    result = _verify(database)
    assert [b.reason for b in result.breaks] == [
        "anchor line 3 does not match its MAC (forged, or another key's)"
    ]


def test_without_its_key_the_anchors_are_not_started_over(
    settings: Settings, database: Database
) -> None:
    _log(database, 1)
    (settings.home / "audit.key").unlink()
    seals._seals.pop(settings.home, None)  # a new process
    _record(database, 1, start=1)
    with pytest.raises(ConfigError, match="restore the key"):
        audit.drain(database)


def test_a_keyed_log_without_its_start_line_is_not_restarted(
    settings: Settings, database: Database
) -> None:
    _log(database, 1)
    (settings.home / seals.ANCHORS_FILE).unlink()
    seals._seals.pop(settings.home, None)
    with pytest.raises(ConfigError, match="no start line"):
        audit.drain(database)


# A log from before the key -------------------------------------------------------------------


def test_a_log_from_before_the_key_goes_on_keyed(settings: Settings, database: Database) -> None:
    # Three events chained by a version without the key: plain SHA-256.
    prev = audit.GENESIS
    with raw_connection(database) as conn:
        for seq in (1, 2, 3):
            event = audit.Event(
                seq=seq,
                created_at=utcnow(),
                actor="old",
                action=ReportEvent.RECEIVED,
                subject_type="report",
                subject_id=f"old{seq}",
                data={},
                prev_hash=prev,
            )
            event.hash = prev = audit.event_hash(event)
            conn.execute(
                sa.insert(audit.Event).values(
                    seq=event.seq,
                    created_at=event.created_at,
                    actor=event.actor,
                    action=event.action,
                    subject_type=event.subject_type,
                    subject_id=event.subject_id,
                    data=event.data,
                    prev_hash=event.prev_hash,
                    hash=event.hash,
                )
            )
        conn.execute(sa.text("UPDATE audit_head SET seq = 3, hash = :h WHERE id = 1"), {"h": prev})
    assert not (settings.home / "audit.key").exists()
    _log(database, 2)
    result = _verify(database)
    assert result.ok, result.breaks
    assert result.keyed_from == 4
    start = json.loads((settings.home / seals.ANCHORS_FILE).read_text().splitlines()[0])
    assert (start["kind"], start["seq"], start["hash"]) == ("start", 3, prev)
    # And the keyed part cannot be passed off as plain.
    events = _events(database)
    with raw_connection(database) as conn:
        last = _rewrite_plain(conn, events[3:], events[2].hash)
        conn.execute(sa.text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": last})
    assert [b.seq for b in _verify(database).breaks if "modified" in b.reason] == [4, 5]


# Attack (c): delete pending events ---------------------------------------------------------


def test_pending_events_cannot_be_deleted(database: Database) -> None:
    _record(database, 2)
    with (
        pytest.raises(sa.exc.DatabaseError, match="only as they are chained"),
        database.engine.begin() as conn,
    ):
        conn.execute(sa.text("DELETE FROM pending_events"))
    if database.engine.dialect.name == "postgresql":
        with (
            pytest.raises(sa.exc.DatabaseError, match="append-only"),
            database.engine.begin() as conn,
        ):
            conn.execute(sa.text("TRUNCATE pending_events"))
    # Still there, and the appender still chains (and deletes) them.
    assert audit.drain(database) == 2
    assert _verify(database).ok


def test_a_pending_event_deleted_behind_a_forged_event_is_caught(database: Database) -> None:
    """The trigger lets a pending row go once an event with its content exists: forging one
    without the key is what `verify` finds."""
    _log(database, 2)
    _record(database, 1, start=2)
    with database.engine.begin() as conn:
        row = conn.execute(sa.text("SELECT * FROM pending_events")).mappings().one()
        conn.execute(
            sa.text(
                "INSERT INTO events (seq, created_at, actor, action, subject_type, subject_id, "
                "data, prev_hash, hash) SELECT 3, created_at, actor, action, subject_type, "
                "subject_id, data, :p, :h FROM pending_events WHERE id = :id"
            ),
            {"p": "f" * 64, "h": "e" * 64, "id": row["id"]},
        )
        conn.execute(sa.text("DELETE FROM pending_events WHERE id = :id"), {"id": row["id"]})
    result = _verify(database)
    assert not result.ok
    assert result.first_break is not None
    assert result.first_break.seq == 3


# Attack (d): move the head back --------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_head SET seq = seq - 1",
        "UPDATE audit_head SET seq = 0, hash = '" + "0" * 64 + "'",
        "UPDATE audit_head SET hash = '" + "a" * 64 + "'",
        "UPDATE audit_head SET seq = seq + 1, hash = '" + "a" * 64 + "'",
        "DELETE FROM audit_head",
    ],
)
def test_the_head_cannot_be_moved_back_or_elsewhere(database: Database, statement: str) -> None:
    _log(database, 3)
    with (
        pytest.raises(sa.exc.DatabaseError, match="only moves forward"),
        database.engine.begin() as conn,
    ):
        conn.execute(sa.text(statement))
    assert _verify(database).ok


def test_postgres_refuses_truncate_of_the_head(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with (
        pytest.raises(sa.exc.DatabaseError, match="only moves forward"),
        database.engine.begin() as conn,
    ):
        conn.execute(sa.text("TRUNCATE audit_head"))


# The role `tipline serve` runs as (README, "Database") ---------------------------------------


def test_the_serve_role_cannot_switch_the_triggers_off(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    role = f"tipline_serve_test_{os.getpid()}"
    with database.engine.begin() as conn:
        if _role_exists(conn, role):  # left by an interrupted run
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
            conn.execute(sa.text(f"DROP ROLE {role}"))
        conn.execute(
            sa.text(
                f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS"
            )
        )
        # As in the README.
        conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        conn.execute(
            sa.text(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            )
        )
        conn.execute(sa.text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    serve = Database(database.engine.url.set(username=role).render_as_string(hide_password=False))
    try:
        _log(serve, 3)
        for statement in (
            "ALTER TABLE events DISABLE TRIGGER ALL",
            "ALTER TABLE audit_head DISABLE TRIGGER audit_head_forward_only",
            "DROP TRIGGER pending_events_chained_only ON pending_events",
            "SET session_replication_role = replica",
            "TRUNCATE audit_head",
        ):
            with (
                pytest.raises(sa.exc.DatabaseError, match=r"owner|permission denied"),
                serve.engine.begin() as conn,
            ):
                conn.execute(sa.text(statement))
        with (
            pytest.raises(sa.exc.DatabaseError, match="only moves forward"),
            serve.engine.begin() as conn,
        ):
            conn.execute(sa.text("UPDATE audit_head SET seq = 1"))
        assert _verify(database).ok
    finally:
        serve.dispose()
        with database.engine.begin() as conn:
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
            conn.execute(sa.text(f"DROP ROLE {role}"))


def _role_exists(conn: sa.Connection, role: str) -> bool:
    return bool(conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}))


# The command ---------------------------------------------------------------------------------


def test_verify_reports_the_anchor_check(database: Database) -> None:
    _log(database, 2)
    cli = _cli_verify()
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines() == [
        "audit log intact: 2 events",
        # Its own drain anchored nothing new: the start line and the test's drain.
        "anchors: 2 checked, latest at event 2; keyed hashes from event 1",
    ]
    data = json.loads(_cli_verify("--json").stdout)
    assert data["anchors"] == {"checked": 2, "latest": 2, "keyed_from": 1}


def test_a_new_home_is_keyed_from_its_first_event(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    env = {k: v for k, v in os.environ.items() if k != "TIPLINE_DATABASE_URL"}
    env["TIPLINE_HOME"] = str(home)
    init = subprocess.run(
        [sys.executable, "-m", "tipline", "init"], env=env, capture_output=True, check=False
    )
    assert init.returncode == 0, init.stderr
    assert stat.S_IMODE((home / "audit.key").stat().st_mode) == 0o600
    result = subprocess.run(
        [sys.executable, "-m", "tipline", "audit", "verify", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["anchors"]["keyed_from"] == 1
