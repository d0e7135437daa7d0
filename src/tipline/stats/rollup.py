"""Keeping the rollup current: follow the audit log, recompute what each changed subject
contributes, and apply only the difference. Every change in tipline writes an event, so the
log is the one feed that sees them all; the rollup never scans the reports table to answer."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from tipline.audit.models import Event
from tipline.notices.models import NoticeRequest
from tipline.referral.models import Referral, ReferralReport
from tipline.reports.models import Incident, OnlineAccount, Person, Report
from tipline.review.service import TOP_TIER_SLA
from tipline.stats import facts, vocabulary
from tipline.stats.facts import Contribution, Share
from tipline.stats.models import StatCell, StatContribution, StatCursor
from tipline.support.models import SupportReferral, SupportRequest
from tipline.takedown.events import TakedownEvent
from tipline.takedown.models import TakedownCase

CURSOR = "events"
BATCH = 2000
# Subjects whose events change a figure; anything else (logins, evidence reads) is skipped.
COUNTED = ("report", "incident", "takedown_case", "referral", "notice_request", "support_request")
_REPORT_COLUMNS = (
    Report.id,
    Report.received_at,
    Report.source,
    Report.incident_type,
    Report.priority_tier,
    Report.status,
    Report.referred_at,
    Report.triaged_at,
    Report.demands,
    Report.sextortion,
    Report.financial,
)


def _shares_of_rows(
    db_session: Session, rows: Sequence[Any], *, contiguous: bool = False
) -> dict[str, Share]:
    """Report rows (Core, the columns above) -> their shares, with their victims, platforms
    and agency read in three queries for the whole batch. `contiguous`: the rows are every
    report from the first id to the last (a rebuild's keyset page), so the related rows are
    read by that id range rather than a list of thousands of ids."""

    def of_batch(column: Any) -> Any:
        if contiguous:
            return column.between(rows[0].id, rows[-1].id)
        return column.in_([r.id for r in rows])

    victims: dict[str, list[Any]] = defaultdict(list)
    for person in db_session.execute(
        select(Person.report_id, Person.age, Person.gender).where(
            of_batch(Person.report_id), Person.role == "victim"
        )
    ):
        victims[person.report_id].append(person)
    platforms: dict[str, set[str]] = defaultdict(set)
    for report_id, platform in db_session.execute(
        select(OnlineAccount.report_id, OnlineAccount.platform).where(
            of_batch(OnlineAccount.report_id)
        )
    ):
        if (key := facts.platform_key(platform)) is not None:
            platforms[report_id].add(key)
    agencies: dict[str, str] = {}
    for report_id, agency_id in db_session.execute(
        select(ReferralReport.report_id, Referral.agency_id)
        .join(Referral, Referral.id == ReferralReport.referral_id)
        .where(of_batch(ReferralReport.report_id))
        .order_by(Referral.created_at)
    ):
        agencies[report_id] = agency_id  # the last referral wins
    sla = TOP_TIER_SLA
    return {
        f"report:{r.id}": facts.report_share(
            r,
            victims=victims.get(r.id, []),
            platforms=sorted(platforms.get(r.id, ())),
            agency=agencies.get(r.id),
            sla=sla,
        )
        for r in rows
    }


def _report_shares(db_session: Session, ids: list[str]) -> dict[str, Share]:
    rows = db_session.execute(select(*_REPORT_COLUMNS).where(Report.id.in_(ids))).all()
    return _shares_of_rows(db_session, rows)


def _incident_shares(db_session: Session, ids: list[str]) -> dict[str, Share]:
    rows = db_session.scalars(select(Incident).where(Incident.id.in_(ids)))
    # An incident folded into another by a merge is no longer counted.
    return {
        f"incident:{i.id}": facts.single("incidents", "", i.created_at)
        for i in rows
        if i.merged_into is None
    }


def _case_shares(db_session: Session, ids: list[str]) -> dict[str, Share]:
    rows = db_session.scalars(select(TakedownCase).where(TakedownCase.id.in_(ids)))
    return {f"takedown_case:{c.id}": facts.single("takedown_cases", "", c.created_at) for c in rows}


def _referral_shares(db_session: Session, ids: list[str]) -> dict[str, Share]:
    return {
        f"referral:{r.id}": facts.single(
            "referral_outcome",
            r.outcome or r.status,
            r.created_at,
            slices=("", f"a:{r.agency_id}"),
        )
        for r in db_session.scalars(select(Referral).where(Referral.id.in_(ids)))
    }


def _notice_shares(db_session: Session, ids: list[str]) -> dict[str, Share]:
    """Take-down requests by platform, removals, and the time from sending to removal."""
    out = {}
    for r in db_session.scalars(select(NoticeRequest).where(NoticeRequest.id.in_(ids))):
        # A site outside the directory is named by the address a victim or a report gave:
        # counted as "other", never published by its name.
        name = r.platform_name[:100] if r.platform_id else vocabulary.OTHER
        figures = [("notices", name, 1)]
        if r.status == "removed" and r.removed_at is not None:
            figures.append(("notices_removed", name, 1))
            started = r.sent_at or r.created_at
            figures.append(("removal_minutes", facts.minutes_bucket(started, r.removed_at), 1))
        # Also in the platform's slice: the staff's platform filter gives its time to removal.
        slices = ("", f"p:{vocabulary.slice_key(name)}")
        out[f"notice_request:{r.id}"] = Share(
            r.created_at.date().isoformat(), tuple(figures), slices
        )
    return out


def _support_shares(db_session: Session, ids: list[str]) -> dict[str, Share]:
    """A request for support counts once, on the day it was made; whether an advocate reached
    the family, and how many referrals to services were made for it."""
    made: Counter[str] = Counter(
        dict(
            db_session.execute(
                select(SupportReferral.request_id, func.count())
                .where(SupportReferral.request_id.in_(ids))
                .group_by(SupportReferral.request_id)
            ).all()
        )
    )
    out = {}
    for r in db_session.scalars(select(SupportRequest).where(SupportRequest.id.in_(ids))):
        figures = [("support_requests", "", 1)]
        if r.reached:
            figures.append(("support_reached", "", 1))
        if made[r.id]:
            figures.append(("support_referrals", "", int(made[r.id])))
        out[f"support_request:{r.id}"] = Share(r.created_at.date().isoformat(), tuple(figures))
    return out


_LOADERS: dict[str, Callable[[Session, list[str]], dict[str, Share]]] = {
    "report": _report_shares,
    "incident": _incident_shares,
    "takedown_case": _case_shares,
    "referral": _referral_shares,
    "notice_request": _notice_shares,
    "support_request": _support_shares,
}


def _feedback_share(event: Event) -> Share:
    """A platform's feedback is counted from its event, which says how many of each outcome:
    the event never changes, so neither does what it adds."""
    outcomes = sorted((event.data.get("outcomes") or {}).items())
    return Share(
        event.created_at.date().isoformat(),
        tuple(("takedown_feedback", str(o)[:40], int(n)) for o, n in outcomes),
    )


_CELL_COLUMNS = ("slice", "grain", "period", "figure", "key", "count")
_ON_CONFLICT = (
    " ON CONFLICT (slice, grain, period, figure, key)"
    " DO UPDATE SET count = stat_cells.count + excluded.count"
)
_UPSERT_UNNEST = text(
    "INSERT INTO stat_cells (slice, grain, period, figure, key, count)"  # noqa: S608 - constant
    " SELECT * FROM unnest(CAST(:slice AS text[]), CAST(:grain AS text[]),"
    " CAST(:period AS text[]), CAST(:figure AS text[]), CAST(:key AS text[]),"
    " CAST(:count AS integer[]))" + _ON_CONFLICT
)
_UPSERT_ROWS = text(
    "INSERT INTO stat_cells (slice, grain, period, figure, key, count)"  # noqa: S608 - constant
    " VALUES (:slice, :grain, :period, :figure, :key, :count)" + _ON_CONFLICT
)


def apply_deltas(db_session: Session, deltas: Contribution) -> None:
    """Add each delta to its day cell and its month cell, in one upsert per thousand cells."""
    merged: Counter[tuple[str, str, str, str, str]] = Counter()
    for (figure, key, day, slice_), n in deltas.items():
        if n:
            merged[slice_, "d", day, figure, key] += n
            merged[slice_, "m", day[:7], figure, key] += n
    rows = [
        {"slice": s, "grain": g, "period": p, "figure": f, "key": k, "count": n}
        for (s, g, p, f, k), n in sorted(merged.items())
        if n
    ]
    if not rows:
        return
    connection = db_session.connection()
    if connection.dialect.name == "postgresql":
        # One statement over six arrays per batch: an executemany of upserts runs row by row
        # (a rebuild at 20,000 reports spent 14 s there), and a compiled multi-row VALUES
        # costs more to build than to run.
        for start in range(0, len(rows), 20_000):
            part = rows[start : start + 20_000]
            connection.execute(
                _UPSERT_UNNEST,
                {column: [r[column] for r in part] for column in _CELL_COLUMNS},
            )
    else:
        connection.execute(_UPSERT_ROWS, rows)  # sqlite3's executemany loops in C


def update_subjects(db_session: Session, new: dict[str, Share], subjects: set[str]) -> None:
    """Replace what each subject contributed with what it contributes now."""
    if not subjects:
        return
    stored = {
        c.subject: c
        for c in db_session.scalars(
            select(StatContribution).where(StatContribution.subject.in_(sorted(subjects)))
        )
    }
    deltas: Contribution = Counter()
    for subject in subjects:
        old = Share.decode(stored[subject].cells) if subject in stored else None
        now = new.get(subject)
        if old == now:
            continue
        if old is not None:
            deltas.subtract(old.cells())
        if now is not None:
            deltas.update(now.cells())
        if subject in stored:
            if now is not None:
                stored[subject].cells = now.encode()
            else:
                db_session.delete(stored[subject])
        elif now is not None:
            db_session.add(StatContribution(subject=subject, cells=now.encode()))
    apply_deltas(db_session, deltas)


def _lock_cursor(db_session: Session) -> int:
    """Take the cursor row for this transaction (a write first: SQLite's write lock, a row lock
    on PostgreSQL), so two workers never apply the same events twice."""
    done = db_session.execute(
        update(StatCursor).where(StatCursor.name == CURSOR).values(seq=StatCursor.seq)
    )
    if not getattr(done, "rowcount", 0):
        db_session.add(StatCursor(name=CURSOR, seq=0))
        db_session.flush()
        return 0
    return int(db_session.scalar(select(StatCursor.seq).where(StatCursor.name == CURSOR)) or 0)


def _subjects(events: Iterable[Event]) -> tuple[dict[str, set[str]], dict[str, Share]]:
    changed: dict[str, set[str]] = {kind: set() for kind in COUNTED}
    fixed: dict[str, Share] = {}
    for event in events:
        if event.subject_type in changed:
            changed[event.subject_type].add(event.subject_id)
        elif event.action == TakedownEvent.FEEDBACK:
            fixed[f"event:{event.seq}"] = _feedback_share(event)
    return changed, fixed


def refresh(db_session: Session, *, batch: int = BATCH) -> int:
    """Read the audit log from the cursor on, one batch per transaction; returns events read.
    The caller's session is committed after each batch."""
    total = 0
    while True:
        cursor = _lock_cursor(db_session)
        events = db_session.scalars(
            select(Event).where(Event.seq > cursor).order_by(Event.seq).limit(batch)
        ).all()
        if not events:
            db_session.commit()
            return total
        changed, fixed = _subjects(events)
        if changed["referral"]:
            # A referral moves its reports into the agency's slice.
            changed["report"] |= set(
                db_session.scalars(
                    select(ReferralReport.report_id).where(
                        ReferralReport.referral_id.in_(sorted(changed["referral"]))
                    )
                )
            )
        for kind in COUNTED:
            todo = sorted(changed[kind])
            for start in range(0, len(todo), 500):
                part = todo[start : start + 500]
                update_subjects(
                    db_session,
                    _LOADERS[kind](db_session, part),
                    {f"{kind}:{i}" for i in part},
                )
        update_subjects(db_session, fixed, set(fixed))
        db_session.execute(
            update(StatCursor).where(StatCursor.name == CURSOR).values(seq=events[-1].seq)
        )
        db_session.commit()
        total += len(events)


def _all_shares(db_session: Session, batch: int) -> Iterable[dict[str, Share]]:
    """Every subject's share, a batch at a time (reports by keyset, never all in memory)."""
    last = ""
    while True:
        rows = db_session.execute(
            select(*_REPORT_COLUMNS).where(Report.id > last).order_by(Report.id).limit(batch)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        yield _shares_of_rows(db_session, rows, contiguous=True)

    for kind, model in (
        ("incident", Incident),
        ("takedown_case", TakedownCase),
        ("referral", Referral),
        ("notice_request", NoticeRequest),
        ("support_request", SupportRequest),
    ):
        ids = list(db_session.scalars(select(model.id).order_by(model.id)))
        for start in range(0, len(ids), batch):
            yield _LOADERS[kind](db_session, ids[start : start + batch])
    feedback = db_session.scalars(select(Event).where(Event.action == TakedownEvent.FEEDBACK))
    yield _subjects(feedback)[1]


def rebuild(
    db_session: Session, *, progress: Callable[[int], None] | None = None, batch: int = 5000
) -> int:
    """Throw the rollup away and count everything again from the stored rows (after a restore,
    or to check the incremental path); returns the subjects counted. The cells are summed in
    memory and written once, at the end."""
    _lock_cursor(db_session)
    db_session.execute(delete(StatCell))
    db_session.execute(delete(StatContribution))
    last = db_session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1)) or 0
    totals: Contribution = Counter()
    counted = 0
    for shares in _all_shares(db_session, batch):
        if not shares:
            continue
        db_session.execute(
            insert(StatContribution),
            [{"subject": s, "cells": share.encode()} for s, share in shares.items()],
        )
        for share in shares.values():
            totals.update(share.cells())
        counted += len(shares)
        if progress is not None:
            progress(len(shares))
    apply_deltas(db_session, totals)
    db_session.execute(update(StatCursor).where(StatCursor.name == CURSOR).values(seq=last))
    db_session.commit()
    return counted
