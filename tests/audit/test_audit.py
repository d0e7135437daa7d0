"""The audit log: append-only, hash-chained, and `tipline audit verify` finds any tampering."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from tamper import raw_connection
from tipline.audit import service as audit
from tipline.audit.appender import Appender
from tipline.db import Database
from tipline.reports.events import ReportEvent
from tipline.review.events import ReviewEvent


def _log(database: Database, n: int = 6) -> None:
    with database.session() as db_session:
        for i in range(n):
            audit.record(
                db_session,
                actor="user:test",
                action=ReportEvent.RECEIVED,
                subject_type="report",
                subject_id=f"r{i}",
                data={"i": i, "text": "ünïcode ✓"},
            )
    assert audit.drain(database) == n


def _verify(database: Database) -> audit.Verification:
    with database.session() as db_session:
        return audit.verify(db_session)


def _cli_verify() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tipline", "audit", "verify", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_untouched_log_verifies(database: Database) -> None:
    _log(database)
    result = _verify(database)
    assert result.ok
    assert result.events == 6
    cli = _cli_verify()
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == {
        "ok": True,
        "events": 6,
        "breaks": [],
        # The "start" line and the anchor `_log`'s drain wrote (tests/audit/test_audit_anchor.py).
        "anchors": {"checked": 2, "latest": 6, "keyed_from": 1},
    }


def test_events_chain_to_their_predecessor(database: Database) -> None:
    _log(database, 3)
    with database.session() as db_session:
        events = audit.timeline(db_session, subject_type="report", subject_id="r1")
        assert len(events) == 1
        all_events = [db_session.get(audit.Event, s) for s in (1, 2, 3)]
    assert all_events[0] is not None
    assert all_events[0].prev_hash == audit.GENESIS
    assert all_events[1] is not None
    assert all_events[1].prev_hash == all_events[0].hash


def test_a_modified_event_is_caught(database: Database) -> None:
    _log(database)
    with raw_connection(database) as conn:
        conn.execute(sa.text("UPDATE events SET actor = 'someone-else' WHERE seq = 3"))
    result = _verify(database)
    assert not result.ok
    assert result.first_break is not None
    assert result.first_break.seq == 3
    assert "modified" in result.first_break.reason
    cli = _cli_verify()
    assert cli.returncode == 1
    assert json.loads(cli.stdout)["breaks"][0]["seq"] == 3


def test_a_deleted_event_is_caught(database: Database) -> None:
    _log(database)
    with raw_connection(database) as conn:
        conn.execute(sa.text("DELETE FROM events WHERE seq = 4"))
    result = _verify(database)
    assert result.first_break is not None
    assert result.first_break.seq == 4
    assert "missing" in result.first_break.reason


def _overwrite(conn: sa.Connection, seq: int, src: sa.RowMapping, hash_: str) -> None:
    data = src["data"] if isinstance(src["data"], str) else json.dumps(src["data"])
    conn.execute(
        sa.text(
            "UPDATE events SET created_at=:c, actor=:a, action=:ac, subject_type=:st, "
            "subject_id=:si, data=:d, prev_hash=:p, hash=:h WHERE seq=:s"
        ),
        {
            "c": src["created_at"],
            "a": src["actor"],
            "ac": src["action"],
            "st": src["subject_type"],
            "si": src["subject_id"],
            "d": data,
            "p": src["prev_hash"],
            "h": hash_,
            "s": seq,
        },
    )


def test_reordered_events_are_caught(database: Database) -> None:
    _log(database)
    with raw_connection(database) as conn:
        # Swap events 2 and 5 whole, hashes included: each still matches its own hash.
        rows = {
            r["seq"]: r
            for r in conn.execute(sa.text("SELECT * FROM events WHERE seq IN (2, 5)")).mappings()
        }
        _overwrite(conn, 2, rows[5], "placeholder")
        _overwrite(conn, 5, rows[2], rows[2]["hash"])
        _overwrite(conn, 2, rows[5], rows[5]["hash"])
    result = _verify(database)
    assert not result.ok
    assert result.first_break is not None
    assert result.first_break.seq == 2


def test_events_cut_off_the_end_are_caught(database: Database) -> None:
    _log(database)
    with raw_connection(database) as conn:
        conn.execute(sa.text("DELETE FROM events WHERE seq >= 5"))
    result = _verify(database)
    assert not result.ok
    assert result.first_break is not None
    assert result.first_break.seq == 5
    assert "ends before" in result.first_break.reason


def test_an_event_rolls_back_with_the_change(database: Database) -> None:
    _log(database, 2)

    def _failing_change() -> None:
        with database.session() as db_session:
            audit.record(
                db_session, actor="t", action=ReportEvent.RECEIVED, subject_type="t", subject_id="x"
            )
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        _failing_change()
    _log(database, 1)
    result = _verify(database)
    assert result.ok
    assert result.events == 3


def test_pending_events_show_in_the_timeline_and_chain_in_order(database: Database) -> None:
    with database.session() as db_session:
        audit.record(
            db_session, actor="a", action=ReviewEvent.CLAIMED, subject_type="t", subject_id="1"
        )
    with database.session() as db_session:
        audit.record(
            db_session, actor="a", action=ReviewEvent.RELEASED, subject_type="t", subject_id="1"
        )
        entries = audit.timeline(db_session, subject_type="t", subject_id="1")
        assert [(e.seq, e.action) for e in entries] == [
            (None, ReviewEvent.CLAIMED),
            (None, ReviewEvent.RELEASED),
        ]
    assert audit.drain(database) == 2
    with database.session() as db_session:
        entries = audit.timeline(db_session, subject_type="t", subject_id="1")
        assert [(e.seq, e.action) for e in entries] == [
            (1, ReviewEvent.CLAIMED),
            (2, ReviewEvent.RELEASED),
        ]
        assert audit.count_pending(db_session) == 0
    assert _verify(database).ok


def test_pending_events_cannot_be_edited(database: Database) -> None:
    with database.session() as db_session:
        audit.record(
            db_session, actor="a", action=ReportEvent.RECEIVED, subject_type="t", subject_id="1"
        )
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), database.engine.begin() as c:
        c.execute(sa.text("UPDATE pending_events SET actor = 'someone else'"))


def test_the_appender_chains_in_the_background(database: Database) -> None:
    appender = Appender(database, interval=30)
    appender.start()
    try:
        with database.session() as db_session:
            audit.record(
                db_session, actor="a", action=ReportEvent.RECEIVED, subject_type="t", subject_id="1"
            )
        # The commit woke it: no need to wait for the 30-second round.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with database.session() as db_session:
                if audit.count_events(db_session) == 1:
                    break
            time.sleep(0.05)
        with database.session() as db_session:
            assert audit.count_events(db_session) == 1
            assert audit.count_pending(db_session) == 0
    finally:
        appender.stop()
