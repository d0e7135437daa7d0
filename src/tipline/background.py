"""A background thread that does one round of work when poked, or every `interval` seconds.

After a poke it waits `gather` seconds first, so that one round covers a burst of pokes. The
audit appender and the numbers' follower are both this loop with different work."""

from __future__ import annotations

import threading


class Background:
    name = "background"

    def __init__(self, *, interval: float, gather: float) -> None:
        self.interval = interval
        self.gather = gather
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def work(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._wake.wait(self.interval):
                self._stop.wait(self.gather)
            self._wake.clear()
            self.work()
