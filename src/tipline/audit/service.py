"""The append-only, hash-chained event log.

Each event's hash covers its own fields and the hash of the event before it, so changing,
removing or reordering any stored event breaks the chain from that point on. `audit_head` keeps
the latest link apart from the events, so that cutting events off the end shows too.

The hashes are keyed (HMAC-SHA256) with a key kept outside the database, and the appender
anchors the chain in a signed file outside it (audit/seal.py): with only the database, nobody
can recompute the chain after an edit, nor cut its end off and move the head back unnoticed.
Triggers (migrations 0001, 0004, 0013) refuse edits of every audit table on both databases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, null, select, union_all, update
from sqlalchemy.orm import Session

from tipline.audit import seal as seals
from tipline.audit.events import Action
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


def event_hash(event: Event, key: bytes | None = None) -> str:
    """HMAC-SHA256 under the chain key; plain SHA-256 (key None) for events chained before the
    installation had one (see audit/seal.py)."""
    body = _canonical(
        seq=event.seq,
        created_at=event.created_at,
        actor=event.actor,
        action=event.action,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        data=event.data,
        prev_hash=event.prev_hash,
    )
    return seals.plain_hash(body) if key is None else seals.keyed_hash(key, body)


def seal_for(db_session: Session) -> seals.Seal:
    """The key and anchors of the database this session writes to."""
    return seals.for_database(db_session.get_bind().engine.url)


_PENDING_FLAG = "tipline.audit.pending"


def record(
    db_session: Session,
    *,
    actor: str,
    action: Action,
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
    action: Action,
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
        "action": action.value,  # the plain name: no driver is asked to adapt an enum
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": json.loads(json.dumps(data or {}, default=str)),
    }


def had_events(db_session: Session) -> bool:
    """Whether this session recorded events since last asked (for waking the appender)."""
    return bool(db_session.info.pop(_PENDING_FLAG, False))


_CHAINED = "tipline.audit.chained"


def append_pending(db_session: Session, *, batch: int = 500) -> int:
    """Chain up to `batch` committed pending events, oldest first; returns how many.

    Runs in its own transaction. The head row is the lock: one appender at a time extends the
    chain, each event linked to the one before it. The new head is anchored by `chain_pending`
    once committed (an anchor must never name a link that was rolled back).
    """
    head = db_session.execute(
        select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
    ).first()
    if head is None:
        raise RuntimeError("the audit head row is missing: run `tipline db upgrade`")
    # Before looking for pending rows: the first round in a home makes its key and "start"
    # line, even with nothing to chain, so that `verify` can tell plain hashes from keyed ones.
    key, plain_upto = seal_for(db_session).for_chaining(
        head.seq, head.hash, lambda k: _is_keyed(db_session, head.seq, k)
    )
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
        event.hash = prev = event_hash(event, key if seq > plain_upto else None)
        events.append({c.key: getattr(event, c.key) for c in _EVENTS.columns})
    # In this order: the pending-delete trigger lets a row go only once its event is in
    # `events`, and the head trigger moves the head only to a chained event (migration 0013).
    db_session.execute(insert(_EVENTS), events)
    db_session.execute(delete(_PENDING).where(_PENDING.c.id.in_([r.id for r in rows])))
    db_session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    db_session.info[_CHAINED] = (seq, prev)
    return len(rows)


def _is_keyed(db_session: Session, seq: int, key: bytes) -> bool:
    event = db_session.get(Event, seq)
    return event is not None and event_hash(event, key) == event.hash


def chain_pending(db_session: Session, *, anchor_every: float = seals.ANCHOR_EVERY) -> int:
    """Chain everything pending now (each batch its own transaction); returns how many.

    Then anchor the new head, if this process has not done so in the last `anchor_every`
    seconds (else it is anchored by a later round: the appender runs one every second).
    """
    seal = seal_for(db_session)
    total = 0
    try:
        while done := append_pending(db_session):
            db_session.commit()
            total += done
            seal.note(*db_session.info.pop(_CHAINED))
        db_session.commit()  # the last, empty round still took the head row's lock
    finally:
        db_session.info.pop(_CHAINED, None)
        seal.flush(every=anchor_every)
    return total


def drain(database: Database, *, anchor_every: float = 0.0) -> int:
    """Chain what is pending and anchor the new head (at once, unless `anchor_every` says how
    often: the appender's rounds)."""
    with database.session() as db_session:
        return chain_pending(db_session, anchor_every=anchor_every)


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
    # The anchors file (audit/seal.py): lines whose MAC holds, the latest anchored event, and
    # the first event hashed with the key (None when the file does not say).
    anchors: int = 0
    latest_anchor: int | None = None
    keyed_from: int | None = None

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None


def _iter_events(db_session: Session, batch: int = 2000) -> Iterator[Event]:
    # From below 1: an event inserted at seq 0 or less must be seen too.
    last = -(2**31)
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


def verify(
    db_session: Session, *, progress: Any = None, seal: seals.Seal | None = None
) -> Verification:
    """Recompute the chain, check it against its anchors, and name every broken link, the
    first one first."""
    # The anchors first: each names a link committed before it was written, so all of them
    # must be in the chain read after (read the other way round, a fresh anchor would look
    # like a cut-off end).
    anchors = (seal or seal_for(db_session)).read()
    breaks = [ChainBreak(seq, reason) for seq, reason in anchors.problems]
    count, last, prev = _check_links(db_session, anchors, breaks, progress)
    head = db_session.get(AuditHead, 1)
    _check_ends(anchors, head, breaks, count=count, last=last, prev=prev)
    breaks.sort(key=lambda b: b.seq)
    plain_upto = None if anchors.keys is None else anchors.plain_upto
    return Verification(
        events=count,
        head_seq=head.seq if head else 0,
        breaks=breaks,
        pending=count_pending(db_session),
        anchors=anchors.count,
        latest_anchor=anchors.latest,
        keyed_from=None if plain_upto is None else plain_upto + 1,
    )


def _check_links(
    db_session: Session, anchors: seals.Anchors, breaks: list[ChainBreak], progress: Any
) -> tuple[int, int, str]:
    """Every event against the one before it, its hash and its anchor: (count, last, hash)."""
    key = anchors.keys.chain if anchors.keys else None
    plain_upto = anchors.plain_upto
    expected_seq, prev, count = 1, GENESIS, 0
    for event in _iter_events(db_session):
        count += 1
        if progress is not None:
            progress(1)
        if event.seq < expected_seq:
            breaks.append(ChainBreak(event.seq, "lies before the first event (inserted)"))
            continue
        if event.seq != expected_seq:
            breaks.append(
                ChainBreak(expected_seq, f"events {expected_seq}..{event.seq - 1} are missing")
            )
        if event.prev_hash != prev:
            breaks.append(
                ChainBreak(event.seq, "does not follow the event before it (removed or reordered)")
            )
        # Without a "start" line every event is checked as plain: right for a log made before
        # the key, and the missing line is itself reported (`_check_ends`).
        keyed = key is not None and plain_upto is not None and event.seq > plain_upto
        if event_hash(event, key if keyed else None) != event.hash:
            breaks.append(ChainBreak(event.seq, "content does not match its hash (modified)"))
        anchored = anchors.links.get(event.seq)
        if anchored is not None and anchored != event.hash:
            breaks.append(ChainBreak(event.seq, "differs from its anchor (rewritten)"))
        expected_seq, prev = event.seq + 1, event.hash
    return count, expected_seq - 1, prev


def _check_ends(
    anchors: seals.Anchors,
    head: AuditHead | None,
    breaks: list[ChainBreak],
    *,
    count: int,
    last: int,
    prev: str,
) -> None:
    """The chain's start and end against the anchors and the recorded head."""
    if anchors.links.get(0, GENESIS) != GENESIS:
        breaks.append(ChainBreak(0, "the anchored start of the log differs (rewritten)"))
    if count and anchors.keys is not None and anchors.plain_upto is None:
        breaks.append(
            ChainBreak(0, f"{seals.ANCHORS_FILE} has no start line: keyed hashes unchecked")
        )
    latest = anchors.latest
    if head is None:
        if count:
            breaks.append(ChainBreak(1, "the recorded head is missing"))
    elif head.seq > last:
        breaks.append(
            ChainBreak(last + 1, f"the log ends before the recorded head (event {head.seq})")
        )
    elif head.seq < last:
        breaks.append(
            ChainBreak(head.seq + 1, f"events after the recorded head (event {head.seq})")
        )
    elif head.hash != prev:
        breaks.append(ChainBreak(head.seq, "the recorded head does not match the last event"))
    if latest is not None and latest > last:
        breaks.append(
            ChainBreak(
                last + 1,
                f"the log ends at event {last}, before its anchor at event {latest} "
                "(events cut off the end)",
            )
        )
    if head is not None and latest is not None and head.seq < latest:
        breaks.append(
            ChainBreak(
                head.seq + 1,
                f"the recorded head (event {head.seq}) is behind the anchor at event {latest}",
            )
        )


def count_events(db_session: Session) -> int:
    head = db_session.get(AuditHead, 1)
    return head.seq if head else 0


def count_pending(db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(_PENDING)) or 0)
