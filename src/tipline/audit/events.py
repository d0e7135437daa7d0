"""The base of every event name. Each domain names its events once, in its `events.py`, as a
subclass of `Action`; `audit.record` takes only those, so a reader (the timeline, the numbers'
rollup, a test) and a writer can never spell one differently (mypy checks it)."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """An event's name, stored as its string value (`report.received`): the names are part of
    the audit log's contract and never change once written."""
