"""What each subject adds to the numbers: the cells a report, an incident, a take-down case,
a referral or a platform's feedback counts in. Pure functions of the stored rows."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tipline.stats import vocabulary

# A cell: (figure, key, day "YYYY-MM-DD", slice). A contribution counts each cell some times.
Cell = tuple[str, str, str, str]
Contribution = Counter[Cell]


@dataclass(frozen=True)
class Share:
    """What one subject adds: some figures, on one day, in each of some slices. Kept in this
    short form (a few hundred bytes a report) and expanded into cells only to apply a change."""

    day: str
    figures: tuple[tuple[str, str, int], ...]
    slices: tuple[str, ...] = ("",)

    def cells(self) -> Contribution:
        out: Contribution = Counter()
        for slice_ in self.slices:
            for figure, key, n in self.figures:
                out[figure, key, self.day, slice_] += n
        return out

    def encode(self) -> list[Any]:
        return [self.day, [list(f) for f in self.figures], list(self.slices)]

    @classmethod
    def decode(cls, stored: list[Any]) -> Share:
        day, figures, slices = stored
        return cls(day, tuple((f, k, int(n)) for f, k, n in figures), tuple(slices))


AGE_BANDS = ("0-9", "10-12", "13-15", "16-17", "18+", "unknown")
DISPOSITIONS = ("referred", "informational", "in_review")


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return "unknown"
    for top, band in ((9, "0-9"), (12, "10-12"), (15, "13-15"), (17, "16-17")):
        if age <= top:
            return band
    return "18+"


# Durations are kept as buckets whose edges grow by a sixth each: any time to triage, from a
# minute to 90 days, falls in one of about 75 buckets, and a median or p90 read off them is
# within a sixth of the exact one. Finer buckets would multiply the cells (every bucket, every
# day, every slice) for precision nobody acts on.
_GROWTH = 7 / 6
_EDGES = [0, 1]
while _EDGES[-1] < 90 * 24 * 60:
    _EDGES.append(max(_EDGES[-1] + 1, round(_EDGES[-1] * _GROWTH)))


def minutes_bucket(start: datetime, end: datetime) -> str:
    """The lower edge, in minutes, of the bucket the time between start and end falls in."""
    minutes = max(0, int((end - start).total_seconds() // 60))
    return str(_EDGES[bisect.bisect_right(_EDGES, minutes) - 1])


def platform_key(name: str | None) -> str | None:
    """How a platform is counted: its key on the fixed list, or "other" (vocabulary.py)."""
    return vocabulary.platform_key(name)


def disposition(status: str, referred_at: datetime | None) -> str:
    if status == "referred" or (status == "closed" and referred_at is not None):
        return "referred"
    return "informational" if status == "closed" else "in_review"


def _slices(agency: str | None, platforms: list[str]) -> list[str]:
    slices = [""]
    if agency:
        slices.append(f"a:{agency}")
    for p in platforms:
        slices.append(f"p:{p}")
        if agency:
            slices.append(f"a:{agency}|p:{p}")
    return slices


def report_share(
    report: Any, *, victims: list[Any], platforms: list[str], agency: str | None, sla: Any
) -> Share:
    """The cells of one report, counted on the day it was received (a cohort: its triage and
    referral times count there too, so a figure for a month never changes its denominator)."""
    day = report.received_at.date().isoformat()
    figures: Counter[tuple[str, str]] = Counter()
    figures["reports", ""] += 1
    figures["source", vocabulary.one_of(report.source, vocabulary.SOURCES)] += 1
    figures[
        "incident_type", vocabulary.one_of(report.incident_type, vocabulary.INCIDENT_TYPES)
    ] += 1
    figures["tier", str(report.priority_tier)] += 1
    figures["disposition", disposition(report.status, report.referred_at)] += 1
    # A financial report counts as a demand for money in both figures, so that "sextortion
    # with money demanded" and "money" among the demands are one number: were they to differ,
    # their difference would be a count nobody checked for suppression.
    demands = {vocabulary.one_of(d, vocabulary.DEMANDS) for d in report.demands or []}
    demands |= {"money"} if report.financial else set()
    if report.sextortion or demands:
        figures["sextortion", "financial" if "money" in demands else "other"] += 1
    for demand in sorted(demands):
        figures["demand", demand] += 1
    for platform in platforms:
        figures["platform", platform] += 1
    for person in victims:
        figures["victims", ""] += 1
        figures["victim_age", age_band(person.age)] += 1
        figures["victim_gender", vocabulary.one_of(person.gender, vocabulary.GENDERS)] += 1
    if report.triaged_at is not None:
        figures["triage_minutes", minutes_bucket(report.received_at, report.triaged_at)] += 1
        if report.priority_tier == 1:
            late = report.triaged_at > report.received_at + sla
            figures["sla", "missed" if late else "met"] += 1
    if report.referred_at is not None:
        figures["referral_minutes", minutes_bucket(report.received_at, report.referred_at)] += 1
    return Share(
        day,
        tuple((f, k, n) for (f, k), n in sorted(figures.items())),
        tuple(_slices(agency, platforms)),
    )


def single(
    figure: str, key: str, at: datetime, count: int = 1, slices: tuple[str, ...] = ("",)
) -> Share:
    return Share(at.date().isoformat(), ((figure, key, count),), slices)
