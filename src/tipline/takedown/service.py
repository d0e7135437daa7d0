"""Take-down cases, the hash list's change feed, and platforms' feedback.

A case is opened with hashes only and kept by a PIN the victim gets once; the PIN is stored as an
argon2 hash and wrong guesses lock the case for a while. Every add and every removal is a row of
the change feed, so a platform that syncs after a withdrawal stops matching.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth import lockout
from tipline.auth import secrets as sec
from tipline.auth.models import Organisation
from tipline.db import utcnow
from tipline.errors import BadInput, Conflict, Locked, NotFound
from tipline.takedown import signals
from tipline.takedown.events import TakedownEvent
from tipline.takedown.matching import Found, Matcher, Query
from tipline.takedown.models import HashChange, HashEntry, HashFeedback, HashList, TakedownCase
from tipline.takedown.signals import SignalType

PUBLIC_ACTOR = "public"
DEFAULT_LIST = "take-it-down"
# A victim hashes a handful of images; a request with more is not a victim's.
MAX_HASHES_PER_CASE = 200
MAX_MATCH_BATCH = 1000
MAX_FEEDBACK_BATCH = 1000
AGES = ("under_18", "18_or_over")
# Wrong PINs before a lock, and the first lock's length; each further lock doubles it.
PIN_ATTEMPTS = 5
FIRST_LOCK = timedelta(minutes=15)
PIN_DIGITS = 8
# False positives from this many reports quarantine a hash until a reviewer looks at it.
QUARANTINE_AFTER = 3
OUTCOMES = ("matched", "removed", "false_positive")
FEED_PAGE = 500
MAX_FEED_PAGE = 5000
_CASE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class SubmittedHash:
    signal_type: SignalType
    value: str


class CaseLocked(Locked):
    """Too many wrong PINs: the case opens again in `retry_after` seconds, which the answer
    says (views.py), so that the victim's page can tell them how long to wait."""

    def __init__(self, retry_after: int) -> None:
        minutes = math.ceil(retry_after / 60)
        super().__init__(
            f"too many wrong PINs: this case is locked for {minutes} more minutes",
            code="case_locked",
        )
        self.retry_after = retry_after


def default_list(db_session: Session) -> HashList:
    found = db_session.scalar(select(HashList).where(HashList.name == DEFAULT_LIST))
    if found is None:
        found = HashList(
            name=DEFAULT_LIST,
            description="Hashes victims made of their own images, on their own devices.",
        )
        db_session.add(found)
        db_session.flush()
    return found


def parse_hashes(
    items: list[tuple[str, str]], *, limit: int, dedupe: bool = True
) -> list[SubmittedHash]:
    """Validate (type, value) pairs; more than `limit` is refused. A case keeps a hash once;
    a match batch keeps every position, so answers refer to the caller's own order."""
    if not items:
        raise BadInput("send at least one hash", code="no_hashes")
    if len(items) > limit:
        raise BadInput(f"at most {limit} hashes in one request", code="too_many_hashes")
    parsed = []
    for kind, value in items:
        signal_type = signals.parse_type(kind)
        parsed.append(SubmittedHash(signal_type, signals.normalise(signal_type, value)))
    return list(dict.fromkeys(parsed)) if dedupe else parsed


def _put_on_list(
    db_session: Session, *, case: TakedownCase, hashes: list[SubmittedHash], reason: str
) -> None:
    hash_list = default_list(db_session)
    for item in hashes:
        entry = HashEntry(
            hash_list=hash_list,
            case=case,
            signal_type=item.signal_type.value,
            value=item.value,
            lookup=signals.lookup_key(item.signal_type, item.value),
        )
        db_session.add(entry)
        db_session.add(HashChange(entry=entry, action="add", reason=reason))


def _new_case_id() -> str:
    body = "".join(secrets.choice(_CASE_ALPHABET) for _ in range(10))
    return f"TD-{body[:5]}-{body[5:]}"


def _new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def open_case(
    db_session: Session, *, hashes: list[SubmittedHash], age_at_creation: str, lang: str
) -> tuple[TakedownCase, str]:
    """A new case holding `hashes`; returns it with its PIN, which is never stored in the clear."""
    if age_at_creation not in AGES:
        raise BadInput("age_at_creation is under_18 or 18_or_over", code="invalid_age")
    pin = _new_pin()
    case = TakedownCase(
        case_id=_new_case_id(),
        pin_hash=sec.hash_password(pin),
        age_at_creation=age_at_creation,
        lang=lang if lang in ("en", "es") else "en",
    )
    db_session.add(case)
    _put_on_list(db_session, case=case, hashes=hashes, reason="case_opened")
    db_session.flush()
    audit.record(
        db_session,
        actor=PUBLIC_ACTOR,
        action=TakedownEvent.CASE_OPENED,
        subject_type="takedown_case",
        subject_id=case.id,
        data={
            "case_id": case.case_id,
            "hashes": dict(Counter(h.signal_type.value for h in hashes)),
            "age_at_creation": age_at_creation,
        },
    )
    return case, pin


@dataclass(frozen=True)
class Added:
    added: int
    already_in_case: int


def add_hashes(db_session: Session, *, case: TakedownCase, hashes: list[SubmittedHash]) -> Added:
    """Put more of the victim's hashes in their open case: a hash the case already holds is
    not added again, and a case holds at most MAX_HASHES_PER_CASE, as a new one does."""
    # Locked for the rest of the transaction (on PostgreSQL; SQLite has one writer at a time),
    # so that two additions sent together cannot both pass the limit or add the same hash.
    db_session.refresh(case, with_for_update=True)
    if case.status != "open":
        raise Conflict(
            "this case has been withdrawn; open a new case for these pictures or videos",
            code="case_withdrawn",
        )
    held = {(e.signal_type, e.lookup) for e in case.entries}
    new = [
        h
        for h in hashes
        if (h.signal_type.value, signals.lookup_key(h.signal_type, h.value)) not in held
    ]
    if len(held) + len(new) > MAX_HASHES_PER_CASE:
        raise BadInput(
            f"a case holds at most {MAX_HASHES_PER_CASE} hashes and this one has {len(held)};"
            " open another case for the rest",
            code="case_full",
        )
    _put_on_list(db_session, case=case, hashes=new, reason="added_to_case")
    db_session.flush()
    db_session.expire(case, ["entries"])
    audit.record(
        db_session,
        actor=PUBLIC_ACTOR,
        action=TakedownEvent.HASHES_ADDED,
        subject_type="takedown_case",
        subject_id=case.id,
        data={
            "case_id": case.case_id,
            "hashes": dict(Counter(h.signal_type.value for h in new)),
            "already_in_case": len(hashes) - len(new),
        },
    )
    return Added(added=len(new), already_in_case=len(hashes) - len(new))


def _pin_lock_for(failures: int) -> timedelta | None:
    # Every PIN_ATTEMPTS wrong PINs lock the case, each lock twice as long as the one before.
    if failures % PIN_ATTEMPTS:
        return None
    return FIRST_LOCK * (2 ** (failures // PIN_ATTEMPTS - 1))


_CASES = cast(Table, TakedownCase.__table__)
_PINS = lockout.Lockout(_CASES, counter="failed_attempts", lock="locked_until")


def case_for_pin(db_session: Session, *, case_id: str, pin: str) -> TakedownCase:
    """The case a PIN opens. A wrong case or PIN look alike; guessing locks the case.

    The guess is counted and committed before the PIN is checked (auth/lockout.py), so that
    guesses sent in parallel cannot outrun the lock. The caller commits even when this raises.
    """
    number = case_id.strip().upper()
    now = utcnow()
    attempt = _PINS.reserve(
        db_session, where=[_CASES.c.case_id == number], now=now, lock_for=_pin_lock_for
    )
    if attempt is None:
        case = db_session.scalar(select(TakedownCase).where(TakedownCase.case_id == number))
        if case is None or case.locked_until is None:
            sec.verify_password(None, pin)  # the same work as a real check
            raise NotFound("no case matches that case number and PIN", code="no_match")
        raise CaseLocked(max(1, math.ceil((case.locked_until - now).total_seconds())))
    db_session.commit()
    case = db_session.get_one(TakedownCase, attempt.row_id, populate_existing=True)
    if not sec.verify_password(case.pin_hash, pin.strip()):
        if attempt.locked_until is not None:
            audit.record(
                db_session,
                actor=PUBLIC_ACTOR,
                action=TakedownEvent.CASE_LOCKED,
                subject_type="takedown_case",
                subject_id=case.id,
                data={"failed_attempts": attempt.failures},
            )
        raise NotFound("no case matches that case number and PIN", code="no_match")
    _PINS.clear(db_session, row_id=case.id)
    db_session.refresh(case)
    return case


# What other domains add to a victim's case status, by key: notices adds the addresses the
# victim asked it to take down. They register here, so the import runs one way (notices ->
# takedown) and takedown never imports the domains built on it.
StatusPart = Callable[[Session, str], dict[str, Any]]
_STATUS_PARTS: dict[str, StatusPart] = {}
_CORE_STATUS = frozenset(
    {"case_id", "status", "created_at", "withdrawn_at", "hashes", "files", "images", "videos"}
    | {"platforms_matched", "platforms_removed"}
)


def add_status_part(name: str, part: StatusPart) -> None:
    """Add a part to every case status; the app does it when it is built (app.py), so no part
    depends on which modules a process happened to import."""
    if name in _CORE_STATUS:
        raise ValueError(f"{name} is part of the case status itself")
    _STATUS_PARTS[name] = part


def find_case(db_session: Session, *, case_id: str) -> TakedownCase | None:
    """A case by its TD- number, for staff (no PIN): None when there is no such case."""
    return db_session.scalar(select(TakedownCase).where(TakedownCase.case_id == case_id.upper()))


def files_in(kinds: Counter[str]) -> int:
    """How many pictures and videos a case's hashes were made from, by their kinds.

    The page sends one SHA-256 and one MD5 for every file, and a PDQ for a picture or a vPDQ
    for a video; the case keeps each hash once. Two different files never share a SHA-256 (or
    an MD5), but may share a PDQ (a resized copy), and a client may send only some kinds: the
    largest count is the number of files."""
    return max(
        kinds.get("sha256", 0), kinds.get("md5", 0), kinds.get("pdq", 0) + kinds.get("vpdq", 0)
    )


def case_status(db_session: Session, *, case: TakedownCase) -> dict[str, Any]:
    """What the victim may see: how many platforms reported a match or a removal, never where."""
    counts = dict(
        db_session.execute(
            select(HashFeedback.outcome, func.count(func.distinct(HashFeedback.organisation_id)))
            .join(HashEntry, HashEntry.id == HashFeedback.entry_id)
            .where(HashEntry.case_pk == case.id)
            .group_by(HashFeedback.outcome)
        ).all()
    )
    kinds = Counter(e.signal_type for e in case.entries)
    return {
        "case_id": case.case_id,
        "status": case.status,
        "created_at": case.created_at,
        "withdrawn_at": case.withdrawn_at,
        "hashes": sum(kinds.values()),
        "files": files_in(kinds),
        "images": kinds.get("pdq", 0),
        "videos": kinds.get("vpdq", 0),
        "platforms_matched": int(counts.get("matched", 0)) + int(counts.get("removed", 0)),
        "platforms_removed": int(counts.get("removed", 0)),
        **{name: part(db_session, case.id) for name, part in _STATUS_PARTS.items()},
    }


def withdraw(db_session: Session, *, case: TakedownCase) -> TakedownCase:
    """Take every hash of the case off the list; platforms learn it at their next sync."""
    if case.status == "withdrawn":
        return case
    now = utcnow()
    case.status = "withdrawn"
    case.withdrawn_at = now
    removed = 0
    for entry in case.entries:
        if entry.status in ("active", "quarantined"):
            if entry.status == "active":
                db_session.add(HashChange(entry=entry, action="remove", reason="withdrawn"))
            entry.status = "withdrawn"
            entry.status_changed_at = now
            removed += 1
    audit.record(
        db_session,
        actor=PUBLIC_ACTOR,
        action=TakedownEvent.CASE_WITHDRAWN,
        subject_type="takedown_case",
        subject_id=case.id,
        data={"case_id": case.case_id, "hashes_removed": removed},
    )
    return case


# The change feed ------------------------------------------------------------------------------


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def list_settings(db_session: Session) -> dict[str, dict[str, Any]]:
    return {
        row.name: {"pdq_threshold": row.pdq_threshold, "vpdq_frame_share": row.vpdq_frame_share}
        for row in db_session.scalars(select(HashList))
    }


def parse_cursor(cursor: str | None) -> int:
    if cursor in (None, ""):
        return 0
    if not cursor.isascii() or not cursor.isdigit() or int(cursor) >= 2**63:
        raise BadInput("cursor is the next_cursor of an earlier page", code="invalid_cursor")
    return int(cursor)


def changes(db_session: Session, *, after: int, limit: int = FEED_PAGE) -> list[dict[str, Any]]:
    """One page of the feed, as plain rows (no ORM objects: the server's matcher reads the
    whole list through here when it starts)."""
    if not 1 <= limit <= MAX_FEED_PAGE:
        raise BadInput(f"limit is between 1 and {MAX_FEED_PAGE}", code="invalid_limit")
    rows = db_session.execute(
        select(
            HashChange.seq,
            HashChange.action,
            HashChange.reason,
            HashChange.at,
            HashEntry.id,
            HashEntry.signal_type,
            HashEntry.value,
            HashList.name,
            TakedownCase.case_id,
            HashEntry.added_at,
        )
        .join(HashEntry, HashEntry.id == HashChange.entry_id)
        .join(HashList, HashList.id == HashEntry.list_id)
        .outerjoin(TakedownCase, TakedownCase.id == HashEntry.case_pk)
        .where(HashChange.seq > after)
        .order_by(HashChange.seq)
        .limit(limit)
    )
    fields = ("seq", "action", "reason", "at", "entry_id", "signal_type", "value", "list")
    out = []
    for row in rows:
        record: dict[str, Any] = dict(zip(fields, row[:8], strict=True))
        record["at"] = _iso(record["at"])
        record["case_id"] = row[8]
        record["added_at"] = _iso(row[9])
        out.append(record)
    return out


# Feedback ---------------------------------------------------------------------------------


def record_feedback(
    db_session: Session,
    *,
    organisation: Organisation,
    items: list[tuple[int, str, str]],
    via: str | None = None,
) -> int:
    """(entry id, outcome, note) from a platform; repeated false positives quarantine a hash.
    `via` names the API it came through when that is not tipline's own (the audit event says)."""
    if not items:
        raise BadInput("send at least one feedback item", code="no_feedback")
    if len(items) > MAX_FEEDBACK_BATCH:
        raise BadInput(f"at most {MAX_FEEDBACK_BATCH} items at once", code="too_many_items")
    for _, outcome, _ in items:
        if outcome not in OUTCOMES:
            raise BadInput(f"outcome is one of {', '.join(OUTCOMES)}", code="invalid_outcome")
    wanted = {entry_id for entry_id, _, _ in items}
    entries = {
        e.id: e for e in db_session.scalars(select(HashEntry).where(HashEntry.id.in_(wanted)))
    }
    missing = sorted(wanted - entries.keys())
    if missing:
        raise NotFound(f"no hash list entry {missing[0]}", code="unknown_entry")
    for entry_id, outcome, note in items:
        entry = entries[entry_id]
        db_session.add(
            HashFeedback(
                entry_id=entry_id,
                organisation_id=organisation.id,
                outcome=outcome,
                note=note[:500],
            )
        )
        if outcome == "false_positive":
            entry.false_positives += 1
            if entry.false_positives >= QUARANTINE_AFTER and entry.status == "active":
                quarantine(db_session, entry=entry, actor=f"org:{organisation.id}")
    audit.record(
        db_session,
        actor=f"org:{organisation.id}",
        action=TakedownEvent.FEEDBACK,
        subject_type="organisation",
        subject_id=organisation.id,
        data={
            "items": len(items),
            "outcomes": dict(Counter(o for _, o, _ in items)),
            **({"via": via} if via else {}),
        },
    )
    return len(items)


_ENTRY_EVENTS = {
    "quarantined": TakedownEvent.ENTRY_QUARANTINED,
    "released": TakedownEvent.ENTRY_RELEASED,
}


def _change_status(
    db_session: Session, *, entry: HashEntry, status: str, action: str, reason: str, actor: str
) -> None:
    """Put an entry in a new state, tell the feed, and record who did it."""
    entry.status = status
    entry.status_changed_at = utcnow()
    db_session.add(HashChange(entry=entry, action=action, reason=reason))
    audit.record(
        db_session,
        actor=actor,
        action=_ENTRY_EVENTS[reason],
        subject_type="hash_entry",
        subject_id=str(entry.id),
        data={"false_positives": entry.false_positives},
    )


def quarantine(db_session: Session, *, entry: HashEntry, actor: str) -> None:
    """Too many false positives: off the list (a tombstone in the feed) until reviewed."""
    _change_status(
        db_session,
        entry=entry,
        status="quarantined",
        action="remove",
        reason="quarantined",
        actor=actor,
    )


def release(db_session: Session, *, entry: HashEntry, actor: str) -> None:
    """A reviewer found the quarantined hash sound: it goes back on the list."""
    if entry.status != "quarantined":
        raise BadInput("only a quarantined hash can be released", code="not_quarantined")
    entry.false_positives = 0
    _change_status(
        db_session, entry=entry, status="active", action="add", reason="released", actor=actor
    )


def quarantined(db_session: Session) -> list[HashEntry]:
    return list(
        db_session.scalars(
            select(HashEntry)
            .where(HashEntry.status == "quarantined")
            .order_by(HashEntry.status_changed_at)
        )
    )


# The server's matcher ---------------------------------------------------------------------


def refresh(db_session: Session, matcher: Matcher) -> int:
    """Bring a matcher up to the newest change: adds and withdrawals apply at the next match."""

    def pages() -> Iterator[dict[str, Any]]:
        after = matcher.cursor
        while True:
            page = changes(db_session, after=after, limit=MAX_FEED_PAGE)
            yield from page
            if len(page) < MAX_FEED_PAGE:
                return
            after = page[-1]["seq"]

    return matcher.apply(pages(), list_settings(db_session))


def match(
    db_session: Session, *, matcher: Matcher, queries: list[SubmittedHash], transforms: bool
) -> list[Found]:
    refresh(db_session, matcher)
    return matcher.match([Query(q.signal_type, q.value) for q in queries], transforms=transforms)


def keep_off(db_session: Session, *, entry: HashEntry, actor: str) -> None:
    """A reviewer agreed with the platforms: the quarantined hash stays off the list for good."""
    if entry.status != "quarantined":
        raise BadInput("only a quarantined hash can be kept off", code="not_quarantined")
    entry.status = "removed"
    entry.status_changed_at = utcnow()
    audit.record(
        db_session,
        actor=actor,
        action=TakedownEvent.ENTRY_KEPT_OFF,
        subject_type="hash_entry",
        subject_id=str(entry.id),
        data={"false_positives": entry.false_positives},
    )


def get_entry(db_session: Session, *, entry_id: int) -> HashEntry:
    entry = db_session.get(HashEntry, entry_id) if 0 < entry_id < 2**63 else None
    if entry is None:
        raise NotFound(f"no hash list entry {entry_id}", code="unknown_entry")
    return entry


def overview(db_session: Session) -> dict[str, Any]:
    """The list at a glance for staff: cases, entries by type and state, platforms' feedback."""
    cases = dict(
        db_session.execute(
            select(TakedownCase.status, func.count()).group_by(TakedownCase.status)
        ).all()
    )
    entries: dict[str, dict[str, int]] = {}
    for signal_type, status, count in db_session.execute(
        select(HashEntry.signal_type, HashEntry.status, func.count()).group_by(
            HashEntry.signal_type, HashEntry.status
        )
    ):
        entries.setdefault(signal_type, {})[status] = int(count)
    feedback = dict(
        db_session.execute(
            select(HashFeedback.outcome, func.count()).group_by(HashFeedback.outcome)
        ).all()
    )
    return {
        "cases": {k: int(v) for k, v in cases.items()},
        "entries": entries,
        "feedback": {k: int(v) for k, v in feedback.items()},
    }


MAX_PDQ_THRESHOLD = 48


def configure_list(
    db_session: Session, *, name: str, pdq_threshold: int, vpdq_frame_share: float, actor: str
) -> HashList:
    """Set how close a hash must be to match on this list; platforms learn it at next sync."""
    hash_list = db_session.scalar(select(HashList).where(HashList.name == name))
    if hash_list is None:
        raise NotFound(f"no hash list {name!r}", code="unknown_list")
    if not 0 <= pdq_threshold <= MAX_PDQ_THRESHOLD:
        raise BadInput(
            f"the PDQ threshold is between 0 and {MAX_PDQ_THRESHOLD} (31 is Meta's advice)",
            code="invalid_threshold",
        )
    if not 0.1 <= vpdq_frame_share <= 1.0:
        raise BadInput("the share of frames is between 0.1 and 1", code="invalid_share")
    before = {
        "pdq_threshold": hash_list.pdq_threshold,
        "vpdq_frame_share": hash_list.vpdq_frame_share,
    }
    hash_list.pdq_threshold = pdq_threshold
    hash_list.vpdq_frame_share = vpdq_frame_share
    audit.record(
        db_session,
        actor=actor,
        action=TakedownEvent.CONFIGURED,
        subject_type="hash_list",
        subject_id=hash_list.id,
        data={
            "before": before,
            "pdq_threshold": pdq_threshold,
            "vpdq_frame_share": vpdq_frame_share,
        },
    )
    return hash_list


def hash_lists(db_session: Session) -> list[HashList]:
    default_list(db_session)
    return list(db_session.scalars(select(HashList).order_by(HashList.name)))


# NCMEC's Hash Sharing API (hashsharing.py) ------------------------------------------------------

# What the Hash Sharing API carries of the list: PDQ, as an image's fingerprint, and MD5, as a
# video's (hashsharing.py says why, and why not SHA-256 or vPDQ).
SHARED_SIGNALS = (SignalType.PDQ.value, SignalType.MD5.value)
HASHSHARING = "hashsharing"


@dataclass(frozen=True)
class SharedChange:
    """A change of the list as the Hash Sharing API shows it: an entry, or its tombstone."""

    seq: int
    entry_id: int
    signal_type: str
    value: str
    removed: bool
    at: datetime


@dataclass(frozen=True)
class SharedPage:
    changes: list[SharedChange]
    # Where the next page starts (a `seq`); None on the last page.
    next_start: int | None
    # The newest change in the window when the first page was read: NCMEC's `max`, which its
    # clients use only to estimate how much is left.
    newest: int


def shared_changes(
    db_session: Session,
    *,
    since: datetime,
    until: datetime,
    start: int = 0,
    newest: int | None = None,
    limit: int,
) -> SharedPage:
    """Changes of the shared entries made at or after `since` and before `until`, from `seq`
    `start` on, oldest first: an entry and its later tombstone come in that order, so a client
    that keeps the last word for each entry ends with the list as it stands.

    Paged by `seq`, not by time, so a page boundary never falls inside a second. A change is
    stamped when its transaction writes it and seen when it commits: one that took longer to
    commit than a client's margin (threatexchange's exchange asks up to 5 s before now) falls
    behind a window already read. Writers here commit at once.
    """
    if not 1 <= limit <= MAX_FEED_PAGE:
        raise BadInput(f"size is between 1 and {MAX_FEED_PAGE}", code="invalid_size")
    in_window = (
        select(HashChange.seq)
        .join(HashEntry, HashEntry.id == HashChange.entry_id)
        .join(HashList, HashList.id == HashEntry.list_id)
        .where(
            HashList.name == DEFAULT_LIST,
            HashEntry.signal_type.in_(SHARED_SIGNALS),
            HashChange.at >= since,
            HashChange.at < until,
        )
    )
    if newest is None:
        newest = int(db_session.scalar(select(func.max(in_window.subquery().c.seq))) or 0)
    rows = db_session.execute(
        in_window.add_columns(
            HashChange.action, HashChange.at, HashEntry.id, HashEntry.signal_type, HashEntry.value
        )
        .where(HashChange.seq >= start)
        .order_by(HashChange.seq)
        .limit(limit + 1)
    ).all()
    changes = [
        SharedChange(
            seq=seq,
            entry_id=entry_id,
            signal_type=signal_type,
            value=value,
            removed=action == "remove",
            at=at,
        )
        for seq, action, at, entry_id, signal_type, value in rows[:limit]
    ]
    next_start = rows[limit][0] if len(rows) > limit else None
    return SharedPage(changes=changes, next_start=next_start, newest=newest)


def shared_entry(db_session: Session, *, entry_id: int) -> HashEntry:
    """An entry the Hash Sharing API shows (whatever its state now), or NotFound."""
    entry = db_session.get(HashEntry, entry_id) if 0 < entry_id < 2**63 else None
    if (
        entry is None
        or entry.signal_type not in SHARED_SIGNALS
        or entry.hash_list.name != DEFAULT_LIST
    ):
        raise NotFound(f"no shared entry {entry_id}", code="unknown_entry")
    return entry


def record_vote(
    db_session: Session, *, organisation: Organisation, entry: HashEntry, outcome: str, note: str
) -> bool:
    """A platform's vote on an entry through the Hash Sharing API, recorded as its feedback.

    There a member's vote is its standing opinion of an entry, not a tally: the same vote sent
    again (a retry, a second upload that matched) is not recorded twice. A changed vote is.
    Returns whether it was recorded.
    """
    latest = db_session.scalar(
        select(HashFeedback.outcome)
        .where(
            HashFeedback.entry_id == entry.id,
            HashFeedback.organisation_id == organisation.id,
        )
        .order_by(HashFeedback.at.desc())
        .limit(1)
    )
    if latest == outcome:
        return False
    record_feedback(
        db_session, organisation=organisation, items=[(entry.id, outcome, note)], via=HASHSHARING
    )
    return True
