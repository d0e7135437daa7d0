"""The appender: chains pending events into the audit log, in batches, in the background.

One runs in every server and worker process. A commit that recorded events wakes the appenders
of its own process at once; other processes' events are picked up within `interval` seconds.
Several appenders may run at the same time: the head row lock lets one extend the chain at a
time, and each batch reads the pending rows only after taking that lock. Each anchors the
chain outside the database (audit/seal.py) at most every `anchor_every` seconds, and once more
when it stops.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from tipline.audit import seal, service
from tipline.background import Background
from tipline.db import Database

log = logging.getLogger("tipline.audit")
_running: weakref.WeakSet[Appender] = weakref.WeakSet()


class Appender(Background):
    name = "audit-appender"

    def __init__(
        self,
        database: Database,
        *,
        interval: float = 1.0,
        # After a wake-up, wait this long so that one batch carries the events of many commits
        # (under load, a batch per commit would itself contend for the head row).
        gather: float = 0.02,
        followers: tuple[Callable[[], None], ...] = (),
        anchor_every: float = seal.ANCHOR_EVERY,
    ) -> None:
        super().__init__(interval=interval, gather=gather)
        self.database = database
        self.anchor_every = anchor_every
        # Told (cheaply: they must not block) whenever new events are in the chain.
        self.followers = followers

    def start(self) -> None:
        super().start()
        _running.add(self)

    def stop(self) -> None:
        """Stop, after chaining whatever is pending now."""
        _running.discard(self)
        super().stop()
        self._chain(anchor_every=0.0)

    def work(self) -> None:
        self._chain(anchor_every=self.anchor_every)

    def _chain(self, *, anchor_every: float) -> None:
        try:
            if service.drain(self.database, anchor_every=anchor_every):
                for follow in self.followers:
                    follow()
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
