"""Keeps the rollup current in a server process: poked by the audit appender when new events
are chained, it reads them into the rollup in its own thread (so neither intake nor the
appender ever waits for the numbers). `tipline worker` processes run the same refresh as a
periodic job, for events chained elsewhere."""

from __future__ import annotations

import logging

from tipline.background import Background
from tipline.db import Database
from tipline.stats import rollup

log = logging.getLogger("tipline.stats")


class Follower(Background):
    name = "stats-follower"

    def __init__(self, database: Database, *, interval: float = 30.0, gather: float = 0.5) -> None:
        super().__init__(interval=interval, gather=gather)
        self.database = database

    def _run(self) -> None:
        # Catch up first: events chained while no server was running (a demo load, a restore).
        self.work()
        super()._run()

    def work(self) -> None:
        try:
            with self.database.session() as db_session:
                rollup.refresh(db_session)
        except Exception:
            # The cursor did not move: the next round reads the same events again.
            log.exception("stats: refreshing the rollup failed; will retry")
