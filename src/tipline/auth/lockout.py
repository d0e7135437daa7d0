"""Counting wrong guesses so that guesses sent in parallel cannot slip past the lockout.

A guess is counted *before* the secret is checked, by one UPDATE that also refuses a row that
is locked: the database orders the UPDATEs of one row, so however many guesses arrive at once,
at most as many as the limit are ever checked before the lock holds. (Reading the counter and
writing it back later let 25 parallel wrong PINs all be checked on PostgreSQL; issue 17.)
A right answer gives its count back. Used for staff passwords and TOTP codes (one counter per
user) and for take-down case PINs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, or_, update
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Attempt:
    """A counted guess: the row it was counted on, the count with it, and whether it locked."""

    row_id: Any
    failures: int
    locked_until: datetime | None


@dataclass(frozen=True)
class Lockout:
    """The wrong-guess count of one table: the column that counts, the one that holds the lock."""

    table: Table
    counter: str
    lock: str

    def reserve(
        self,
        db_session: Session,
        *,
        where: list[Any],
        now: datetime,
        lock_for: Callable[[int], timedelta | None],
    ) -> Attempt | None:
        """Count one guess on the row matching `where`, unless that row is locked.

        Returns None when no unlocked row matches (no such row, or it is locked: the caller
        tells which, without checking the guess). `lock_for(failures)` says how long to lock
        once this guess is counted (None: not yet). The caller commits before checking the
        guess, so that the count is seen by every other request at once.
        """
        table, lock_column = self.table, self.table.c[self.lock]
        row = db_session.execute(
            update(table)
            .where(*where, or_(lock_column.is_(None), lock_column <= now))
            .values({self.counter: table.c[self.counter] + 1})
            .returning(table.c.id, table.c[self.counter])
        ).first()
        if row is None:
            return None
        row_id, failures = row
        duration = lock_for(failures)
        until = None
        if duration is not None:
            until = now + duration
            db_session.execute(update(table).where(table.c.id == row_id).values({self.lock: until}))
        return Attempt(row_id=row_id, failures=failures, locked_until=until)

    def refund(self, db_session: Session, attempt: Attempt) -> None:
        """The guess was right: it does not count, and a lock it set is lifted."""
        counter = self.table.c[self.counter]
        values: dict[str, Any] = {self.counter: counter - 1}
        if attempt.locked_until is not None:
            values[self.lock] = None
        db_session.execute(
            update(self.table).where(self.table.c.id == attempt.row_id, counter > 0).values(values)
        )

    def clear(self, db_session: Session, *, row_id: Any) -> None:
        """A full success: the count starts again from nothing."""
        db_session.execute(
            update(self.table)
            .where(self.table.c.id == row_id)
            .values({self.counter: 0, self.lock: None})
        )
