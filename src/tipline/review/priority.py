"""Which report comes first, and why (the reason is shown to the analyst).

1. self-harm risk, or a child in imminent danger;
2. a minor threatened with a deadline;
3. financial sextortion;
4. everything else. Within a tier, the oldest report first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tipline.reports.distress import normalise
from tipline.reports.models import Report

_DEADLINE = re.compile(
    r"\b(\d+\s*(hours?|hrs?|h|mins?|minutes?|horas?|minutos?)|tonight|today|by tomorrow|"
    r"midnight|deadline|countdown|clock is ticking|last chance|"
    r"esta noche|hoy|para manana|medianoche|plazo|ultima oportunidad)\b"
)


@dataclass(frozen=True)
class Priority:
    tier: int
    reason: str


def is_minor(report: Report) -> bool:
    """A victim under 18, or, when no age was given, a report from the public (mostly teens)."""
    ages = [p.age for p in report.people if p.role == "victim" and p.age is not None]
    if ages:
        return min(ages) < 18
    return report.source == "public"


def has_deadline(report: Report) -> bool:
    return bool(_DEADLINE.search(normalise(report.description or "")))


def priority_of(report: Report) -> Priority:
    if report.self_harm_risk:
        return Priority(1, "self-harm risk")
    if report.child_in_danger:
        return Priority(1, "child in imminent danger")
    if report.sextortion and is_minor(report) and has_deadline(report):
        return Priority(2, "minor threatened with a deadline")
    if report.sextortion and report.financial:
        return Priority(3, "financial sextortion")
    return Priority(4, "by age")
