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


def reserve(
    db_session: Session,
    *,
    table: Table,
    where: list[Any],
    counter: str,
    lock: str,
    now: datetime,
    lock_for: Callable[[int], timedelta | None],
) -> Attempt | None:
    """Count one guess on the row matching `where`, unless that row is locked.

    Returns None when no unlocked row matches (no such row, or it is locked: the caller tells
    which, without checking the guess). `lock_for(failures)` says how long to lock once this
    guess is counted (None: not yet). The caller commits before checking the guess, so that
    the count is seen by every other request at once.
    """
    lock_column = table.c[lock]
    row = db_session.execute(
        update(table)
        .where(*where, or_(lock_column.is_(None), lock_column <= now))
        .values({counter: table.c[counter] + 1})
        .returning(table.c.id, table.c[counter])
    ).first()
    if row is None:
        return None
    row_id, failures = row
    duration = lock_for(failures)
    until = None
    if duration is not None:
        until = now + duration
        db_session.execute(update(table).where(table.c.id == row_id).values({lock: until}))
    return Attempt(row_id=row_id, failures=failures, locked_until=until)


def refund(db_session: Session, *, table: Table, attempt: Attempt, counter: str, lock: str) -> None:
    """The guess was right: it does not count, and a lock it set is lifted."""
    values: dict[str, Any] = {counter: table.c[counter] - 1}
    if attempt.locked_until is not None:
        values[lock] = None
    db_session.execute(
        update(table).where(table.c.id == attempt.row_id, table.c[counter] > 0).values(values)
    )


def clear(db_session: Session, *, table: Table, row_id: Any, counter: str, lock: str) -> None:
    """A full success: the count starts again from nothing."""
    db_session.execute(update(table).where(table.c.id == row_id).values({counter: 0, lock: None}))
