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

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from tipline.audit.models import AuditHead, Event
from tipline.db import utcnow

GENESIS = "0" * 64
# Plain tables: the event log is written with Core statements (see `record`).
_EVENTS = cast(Table, Event.__table__)
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


def record(
    db_session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event in the caller's transaction; it commits or rolls back with the change.

    Written with Core statements, not the ORM's unit of work: every change in tipline makes an
    event, and this is on the path of every public report (see bench/intake.py).
    """
    payload = json.loads(json.dumps(data or {}, default=str))
    # The head row (made by migration 0003) is the lock: appends queue on it, row by row, so
    # each event follows the one committed before it. SQLite: BEGIN IMMEDIATE (db.py) already
    # serialises writers.
    head = db_session.execute(
        select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
    ).first()
    if head is None:
        raise RuntimeError("the audit head row is missing: run `tipline db upgrade`")
    seq = head.seq + 1
    event = Event(
        seq=seq,
        created_at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=payload,
        prev_hash=head.hash,
    )
    event.hash = event_hash(event)
    row = {c.key: getattr(event, c.key) for c in Event.__table__.columns}
    db_session.execute(insert(_EVENTS), [row])
    db_session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=event.hash))
    return event


def timeline(db_session: Session, *, subject_type: str, subject_id: str) -> list[Event]:
    stmt = (
        select(Event)
        .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
        .order_by(Event.seq)
    )
    return list(db_session.scalars(stmt))


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class Verification:
    events: int
    head_seq: int
    breaks: list[ChainBreak]

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
    return Verification(events=count, head_seq=head_seq, breaks=breaks)


def count_events(db_session: Session) -> int:
    head = db_session.get(AuditHead, 1)
    return head.seq if head else 0
