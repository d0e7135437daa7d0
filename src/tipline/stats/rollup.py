"""Keeping the rollup current: follow the audit log, recompute what each changed subject
contributes, and apply only the difference. Every change in tipline writes an event, so the
log is the one feed that sees them all; the rollup never scans the reports table to answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from tipline.audit.models import Event
from tipline.referral.models import Referral, ReferralReport
from tipline.reports.models import Incident, Report
from tipline.stats import facts
from tipline.stats.facts import Contribution
from tipline.stats.models import StatCell, StatContribution, StatCursor
from tipline.takedown.models import TakedownCase

CURSOR = "events"
BATCH = 2000
# Subjects whose events change a figure; anything else (logins, evidence reads) is skipped.
COUNTED = ("report", "incident", "takedown_case", "referral")


def _sla() -> Any:
    from tipline.review.service import TOP_TIER_SLA

    return TOP_TIER_SLA


def _agencies(db_session: Session, report_ids: list[str]) -> dict[str, str]:
    """The agency each report was (last) referred to."""
    rows = db_session.execute(
        select(ReferralReport.report_id, Referral.agency_id)
        .join(Referral, Referral.id == ReferralReport.referral_id)
        .where(ReferralReport.report_id.in_(report_ids))
        .order_by(Referral.created_at)
    )
    return {report_id: agency_id for report_id, agency_id in rows}  # noqa: C416 - Row pairs


def _report_contributions(db_session: Session, ids: list[str]) -> dict[str, Contribution]:
    found = db_session.scalars(
        select(Report)
        .where(Report.id.in_(ids))
        .options(selectinload(Report.people), selectinload(Report.accounts))
    ).all()
    agencies = _agencies(db_session, ids)
    sla = _sla()
    out: dict[str, Contribution] = {}
    for report in found:
        platforms = sorted(
            {p for a in report.accounts if (p := facts.platform_key(a.platform)) is not None}
        )
        out[f"report:{report.id}"] = facts.report_cells(
            report,
            victims=[p for p in report.people if p.role == "victim"],
            platforms=platforms,
            agency=agencies.get(report.id),
            sla=sla,
        )
    return out


def _incident_contributions(db_session: Session, ids: list[str]) -> dict[str, Contribution]:
    rows = db_session.scalars(select(Incident).where(Incident.id.in_(ids)))
    # An incident folded into another by a merge is no longer counted.
    return {
        f"incident:{i.id}": facts.single("incidents", "", i.created_at)
        for i in rows
        if i.merged_into is None
    }


def _case_contributions(db_session: Session, ids: list[str]) -> dict[str, Contribution]:
    rows = db_session.scalars(select(TakedownCase).where(TakedownCase.id.in_(ids)))
    return {f"takedown_case:{c.id}": facts.single("takedown_cases", "", c.created_at) for c in rows}


def _referral_contributions(db_session: Session, ids: list[str]) -> dict[str, Contribution]:
    out: dict[str, Contribution] = {}
    for r in db_session.scalars(select(Referral).where(Referral.id.in_(ids))):
        key = r.outcome or r.status
        cells = facts.single("referral_outcome", key, r.created_at)
        cells += facts.single("referral_outcome", key, r.created_at, slice_=f"a:{r.agency_id}")
        out[f"referral:{r.id}"] = cells
    return out


_LOADERS: dict[str, Callable[[Session, list[str]], dict[str, Contribution]]] = {
    "report": _report_contributions,
    "incident": _incident_contributions,
    "takedown_case": _case_contributions,
    "referral": _referral_contributions,
}


def _feedback_contribution(event: Event) -> Contribution:
    """A platform's feedback is counted from its event, which says how many of each outcome:
    the event never changes, so neither does what it adds."""
    cells: Contribution = Counter()
    for outcome, n in (event.data.get("outcomes") or {}).items():
        cells += facts.single("takedown_feedback", str(outcome)[:40], event.created_at, int(n))
    return cells


def _encode(cells: Contribution) -> list[list[Any]]:
    return [[*cell, n] for cell, n in sorted(cells.items()) if n]


def _decode(stored: list[Any]) -> Contribution:
    return Counter({(f, k, d, s): int(n) for f, k, d, s, n in stored})


def apply_deltas(db_session: Session, deltas: Contribution) -> None:
    """Add each delta to its day cell and its month cell, in one upsert per batch."""
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
    dialect = postgresql if db_session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(StatCell)
    stmt = stmt.on_conflict_do_update(
        index_elements=["slice", "grain", "period", "figure", "key"],
        set_={"count": StatCell.count + stmt.excluded.count},
    )
    for start in range(0, len(rows), 1000):
        db_session.execute(stmt, rows[start : start + 1000])


def update_subjects(db_session: Session, new: dict[str, Contribution], subjects: set[str]) -> None:
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
        old = _decode(stored[subject].cells) if subject in stored else Counter()
        now = new.get(subject, Counter())
        if old == now:
            continue
        for cell in old.keys() | now.keys():
            deltas[cell] += now.get(cell, 0) - old.get(cell, 0)
        if subject in stored:
            if now:
                stored[subject].cells = _encode(now)
            else:
                db_session.delete(stored[subject])
        elif now:
            db_session.add(StatContribution(subject=subject, cells=_encode(now)))
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


def _subjects(events: Iterable[Event]) -> tuple[dict[str, set[str]], dict[str, Contribution]]:
    changed: dict[str, set[str]] = {kind: set() for kind in COUNTED}
    fixed: dict[str, Contribution] = {}
    for event in events:
        if event.subject_type in changed:
            changed[event.subject_type].add(event.subject_id)
        elif event.action == "hashlist.feedback":
            fixed[f"event:{event.seq}"] = _feedback_contribution(event)
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
        for kind, ids in changed.items():
            if kind == "referral" and ids:
                # A referral moves its reports into the agency's slice.
                changed["report"] |= set(
                    db_session.scalars(
                        select(ReferralReport.report_id).where(
                            ReferralReport.referral_id.in_(sorted(ids))
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


def rebuild(db_session: Session, *, progress: Callable[[int], None] | None = None) -> int:
    """Throw the rollup away and count everything again from the stored rows (after a restore,
    or to check the incremental path); returns the subjects counted."""
    _lock_cursor(db_session)
    db_session.execute(delete(StatCell))
    db_session.execute(delete(StatContribution))
    last = db_session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1)) or 0
    counted = 0
    models: dict[str, Any] = {
        "report": Report,
        "incident": Incident,
        "takedown_case": TakedownCase,
        "referral": Referral,
    }
    for kind, model in models.items():
        ids = list(db_session.scalars(select(model.id).order_by(model.id)))
        for start in range(0, len(ids), 2000):
            part = ids[start : start + 2000]
            new = _LOADERS[kind](db_session, part)
            db_session.add_all(
                StatContribution(subject=s, cells=_encode(c)) for s, c in new.items() if c
            )
            total: Contribution = Counter()
            for cells in new.values():
                total += cells
            apply_deltas(db_session, total)
            counted += len(part)
            if progress is not None:
                progress(len(part))
    feedback = db_session.scalars(select(Event).where(Event.action == "hashlist.feedback"))
    _, fixed = _subjects(feedback)
    update_subjects(db_session, fixed, set(fixed))
    db_session.execute(update(StatCursor).where(StatCursor.name == CURSOR).values(seq=last))
    db_session.commit()
    return counted
