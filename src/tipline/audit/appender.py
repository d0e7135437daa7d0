"""The appender: chains pending events into the audit log, in batches, in the background.

One runs in every server and worker process. A commit that recorded events wakes the appenders
of its own process at once; other processes' events are picked up within `interval` seconds.
Several appenders may run at the same time: the head row lock lets one extend the chain at a
time, and each batch reads the pending rows only after taking that lock.
"""

from __future__ import annotations

import logging
import threading
import weakref

from sqlalchemy import event
from sqlalchemy.orm import Session

from tipline.audit import service
from tipline.db import Database

log = logging.getLogger("tipline.audit")
_running: weakref.WeakSet[Appender] = weakref.WeakSet()


class Appender:
    def __init__(self, database: Database, *, interval: float = 1.0, gather: float = 0.02) -> None:
        self.database = database
        self.interval = interval
        # After a wake-up, wait this long so that one batch carries the events of many commits
        # (under load, a batch per commit would itself contend for the head row).
        self.gather = gather
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audit-appender", daemon=True)
        self._thread.start()
        _running.add(self)

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Stop, after chaining whatever is pending now."""
        _running.discard(self)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._drain()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._wake.wait(self.interval):
                self._stop.wait(self.gather)
            self._wake.clear()
            self._drain()

    def _drain(self) -> None:
        try:
            service.drain(self.database)
        except Exception:
            # The events stay pending, committed; the next round chains them.
            log.exception("audit appender: chaining pending events failed; will retry")


@event.listens_for(Session, "after_commit")
def _wake_appenders(db_session: Session) -> None:
    if service.had_events(db_session):
        for appender in list(_running):
            appender.poke()


@event.listens_for(Session, "after_rollback")
def _forget_events(db_session: Session) -> None:
    service.had_events(db_session)
