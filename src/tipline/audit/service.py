"""The append-only, hash-chained event log.

Each event's hash covers its own fields and the hash of the event before it, so changing,
removing or reordering any stored event breaks the chain from that point on. `audit_head` keeps
the latest link apart from the events, so that cutting events off the end shows too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, null, select, union_all, update
from sqlalchemy.orm import Session

from tipline.audit.models import AuditHead, Event, PendingEvent
from tipline.db import Database, utcnow

GENESIS = "0" * 64
# Plain tables: the event log is written with Core statements (see `record`).
_EVENTS = cast(Table, Event.__table__)
_PENDING = cast(Table, PendingEvent.__table__)
_HEAD = cast(Table, AuditHead.__table__)


def _canonical(
    *,
    seq: int,
    created_at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any],
    prev_hash: str,
) -> bytes:
    body = {
        "seq": seq,
        "created_at": created_at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": data,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: Event) -> str:
    return hashlib.sha256(
        _canonical(
            seq=event.seq,
            created_at=event.created_at,
            actor=event.actor,
            action=event.action,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            data=event.data,
            prev_hash=event.prev_hash,
        )
    ).hexdigest()


_PENDING_FLAG = "tipline.audit.pending"


def record(
    db_session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Record one event in the caller's transaction; it commits or rolls back with the change.

    The event is committed as pending and chained by `append_pending` (the appender runs it in
    the background, moments later): no lock is held in the caller's transaction.
    """
    db_session.execute(
        insert(_PENDING),
        [
            pending_row(
                db_session,
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                data=data,
            )
        ],
    )


PENDING_TABLE = _PENDING


def pending_row(
    db_session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The pending-event row for a writer that inserts it together with its change, in one
    statement (see bulk.insert_tables); the appender is woken after the commit as usual."""
    db_session.info[_PENDING_FLAG] = True
    return {
        "created_at": utcnow(),
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": json.loads(json.dumps(data or {}, default=str)),
    }


def had_events(db_session: Session) -> bool:
    """Whether this session recorded events since last asked (for waking the appender)."""
    return bool(db_session.info.pop(_PENDING_FLAG, False))


def append_pending(db_session: Session, *, batch: int = 500) -> int:
    """Chain up to `batch` committed pending events, oldest first; returns how many.

    Runs in its own transaction. The head row is the lock: one appender at a time extends the
    chain, each event linked to the one before it.
    """
    head = db_session.execute(
        select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
    ).first()
    if head is None:
        raise RuntimeError("the audit head row is missing: run `tipline db upgrade`")
    rows = db_session.execute(select(_PENDING).order_by(_PENDING.c.id).limit(batch)).all()
    if not rows:
        return 0
    seq, prev = head.seq, head.hash
    events = []
    for row in rows:
        seq += 1
        event = Event(
            seq=seq,
            created_at=row.created_at,
            actor=row.actor,
            action=row.action,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            data=row.data,
            prev_hash=prev,
        )
        event.hash = prev = event_hash(event)
        events.append({c.key: getattr(event, c.key) for c in _EVENTS.columns})
    db_session.execute(insert(_EVENTS), events)
    db_session.execute(delete(_PENDING).where(_PENDING.c.id.in_([r.id for r in rows])))
    db_session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    return len(rows)


def chain_pending(db_session: Session) -> int:
    """Chain everything pending now (each batch its own transaction); returns how many."""
    total = 0
    while done := append_pending(db_session):
        db_session.commit()
        total += done
    db_session.commit()  # the last, empty round still took the head row's lock
    return total


def drain(database: Database) -> int:
    with database.session() as db_session:
        return chain_pending(db_session)


@dataclass(frozen=True)
class TimelineEntry:
    """An event as the timeline shows it; `seq` is None while it waits to be chained."""

    seq: int | None
    created_at: datetime
    actor: str
    action: str
    data: dict[str, Any]
    subject_id: str = ""


def all_events(db_session: Session, *conditions: Any) -> list[TimelineEntry]:
    """Chained and pending events matching `conditions` (each a function of a table), read in
    ONE statement: the appender moves events from pending to chained at any moment, and two
    separate reads could miss an event that moved between them. Chained first, in chain order.
    """
    columns = ("created_at", "actor", "action", "subject_type", "subject_id", "data")

    def part(table: Table, seq: Any, order: Any) -> Any:
        cols = [seq.label("seq"), order.label("ord")] + [table.c[c] for c in columns]
        return select(*cols).where(*[cond(table) for cond in conditions])

    both = union_all(
        part(_EVENTS, _EVENTS.c.seq, _EVENTS.c.seq),
        part(_PENDING, null(), _PENDING.c.id),
    ).subquery()
    rows = db_session.execute(select(both).order_by(both.c.seq.is_(None), both.c.ord)).all()
    return [
        TimelineEntry(r.seq, r.created_at, r.actor, r.action, r.data, r.subject_id) for r in rows
    ]


def timeline(db_session: Session, *, subject_type: str, subject_id: str) -> list[TimelineEntry]:
    """Everything that happened to one subject, chained events first, then pending ones."""
    return all_events(
        db_session,
        lambda t: t.c.subject_type == subject_type,
        lambda t: t.c.subject_id == subject_id,
    )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class Verification:
    events: int
    head_seq: int
    breaks: list[ChainBreak]
    pending: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None


def _iter_events(db_session: Session, batch: int = 2000) -> Iterator[Event]:
    last = 0
    while True:
        rows = list(
            db_session.scalars(
                select(Event).where(Event.seq > last).order_by(Event.seq).limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        db_session.expunge_all()


def verify(db_session: Session, *, progress: Any = None) -> Verification:
    """Recompute the chain and name every broken link, the first one first."""
    breaks: list[ChainBreak] = []
    expected_seq, prev, count = 1, GENESIS, 0
    for event in _iter_events(db_session):
        count += 1
        if event.seq != expected_seq:
            breaks.append(
                ChainBreak(expected_seq, f"events {expected_seq}..{event.seq - 1} are missing")
            )
        if event.prev_hash != prev:
            breaks.append(
                ChainBreak(event.seq, "does not follow the event before it (removed or reordered)")
            )
        if event_hash(event) != event.hash:
            breaks.append(ChainBreak(event.seq, "content does not match its hash (modified)"))
        expected_seq, prev = event.seq + 1, event.hash
        if progress is not None:
            progress(1)
    head = db_session.get(AuditHead, 1)
    head_seq = head.seq if head else 0
    if head and (head.seq != expected_seq - 1 or head.hash != prev):
        breaks.append(
            ChainBreak(expected_seq, f"the log ends before the recorded head (event {head.seq})")
        )
    elif not head and count:
        breaks.append(ChainBreak(1, "the recorded head is missing"))
    return Verification(
        events=count, head_seq=head_seq, breaks=breaks, pending=count_pending(db_session)
    )


def count_events(db_session: Session) -> int:
    head = db_session.get(AuditHead, 1)
    return head.seq if head else 0


def count_pending(db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(_PENDING)) or 0)
