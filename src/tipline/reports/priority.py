"""Which report comes first, and why (the reason is shown to the analyst).

1. self-harm risk, or a child in imminent danger;
2. a minor threatened with a deadline;
3. financial sextortion;
4. everything else. Within a tier, the oldest report first.

The tier is stored on the report (and indexed with the arrival time) so that the queue is one
index scan however many reports are waiting; it is set at intake and again whenever a fact it
depends on changes (classification, a reporter's words of despair).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tipline.reports.deadline import deadline_words
from tipline.reports.models import Report

# How long each tier may wait for a decision (referred or closed), from arrival: the queue's
# clock. A child in danger is an hour; a deadline threat is often hours away, so four; money
# demands a day; the rest three days. (The same figures are written into migration 0014.)
TARGETS = {
    1: timedelta(hours=1),
    2: timedelta(hours=4),
    3: timedelta(hours=24),
    4: timedelta(hours=72),
}


def due(received_at: datetime, tier: int) -> datetime:
    return received_at + TARGETS.get(tier, TARGETS[4])


@dataclass(frozen=True)
class Priority:
    tier: int
    reason: str


def is_minor(victim_ages: Iterable[int | None], source: str) -> bool:
    """A victim under 18, or, when no age was given, a report from the public (mostly teens)."""
    ages = [age for age in victim_ages if age is not None]
    if ages:
        return min(ages) < 18
    return source == "public"


def has_deadline(description: str) -> bool:
    return bool(deadline_words(description))


def deadline_given(extra: dict[str, Any] | None) -> bool:
    """The reporter answered the form's "did they give a deadline?" (reporter_answers)."""
    answers = (extra or {}).get("reporter_answers") or {}
    return bool(isinstance(answers, dict) and str(answers.get("deadline") or "").strip())


def assess(
    *,
    self_harm_risk: bool,
    child_in_danger: bool,
    sextortion: bool,
    financial: bool,
    victim_ages: Iterable[int | None],
    source: str,
    description: str,
    deadline_answered: bool = False,
) -> Priority:
    if self_harm_risk:
        return Priority(1, "self-harm risk")
    if child_in_danger:
        return Priority(1, "child in imminent danger")
    if (
        sextortion
        and is_minor(victim_ages, source)
        and (deadline_answered or has_deadline(description))
    ):
        return Priority(2, "minor threatened with a deadline")
    if sextortion and financial:
        return Priority(3, "financial sextortion")
    return Priority(4, "by age")


def priority_of(report: Report) -> Priority:
    return assess(
        self_harm_risk=report.self_harm_risk,
        child_in_danger=report.child_in_danger,
        sextortion=report.sextortion,
        financial=report.financial,
        victim_ages=[p.age for p in report.people if p.role == "victim"],
        source=report.source,
        description=report.description,
        deadline_answered=deadline_given(report.extra),
    )


def refresh(report: Report) -> Priority:
    """Store the report's priority again after a fact it depends on changed."""
    prio = priority_of(report)
    report.priority_tier, report.priority_reason = prio.tier, prio.reason
    report.due_at = due(report.received_at, prio.tier)
    return prio
