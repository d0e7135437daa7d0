"""The figures: read from the rollup (never from the reports table), suppressed for the public.

`published` is what `/numbers`, `GET /api/v1/stats` and `tipline stats` show: monthly cells of
the whole data, small counts withheld as suppression.py says. `staff` is the console's view:
exact counts over day cells, filtered by dates, agency and platform, plus the work figures.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline import audit
from tipline.auth.models import Organisation
from tipline.db import utcnow
from tipline.errors import BadInput
from tipline.notices.models import NoticePlatform
from tipline.review import service as review
from tipline.review import wellness
from tipline.stats import facts, rollup, vocabulary
from tipline.stats.models import StatCell
from tipline.stats.suppression import Count, Suppressor

# Monthly series, and the breakdowns: (figure, the total its keys add up to, or None when a
# report may count under several keys).
SERIES = ("reports", "incidents", "takedown_cases", "takedown_matches")
BREAKDOWNS: dict[str, str | None] = {
    "incident_type": "reports",
    "disposition": "reports",
    "sextortion": "sextortion",
    "demand": None,
    "victim_age": "victims",
    "victim_gender": "victims",
    "platform": None,
    # Take-down requests tipline sent to companies, and the addresses removed after them.
    "notices": None,
    "notices_removed": None,
}
# The staff's extra figures (never published).
STAFF_BREAKDOWNS = (
    "source",
    "tier",
    "sla",
    "referral_outcome",
    "takedown_feedback",
)
DURATIONS = ("triage_minutes", "referral_minutes", "removal_minutes")
# Figures whose "total" is not a figure of its own but the sum of its keys.
SELF_TOTALLED = ("sextortion",)
# Support for families: requests made, families an advocate reached, referrals to services.
SUPPORT_TOTALS = ("support_requests", "support_reached", "support_referrals")
PUBLIC_FIGURES = (
    *SUPPORT_TOTALS,
    "reports",
    "incidents",
    "takedown_cases",
    "takedown_feedback",
    "victims",
    *BREAKDOWNS,
)

Cube = dict[str, dict[str, dict[str, int]]]  # figure -> key -> period -> count


def refresh(db_session: Session) -> int:
    """Bring the rollup up to the latest event (chaining any pending ones first)."""
    audit.service.chain_pending(db_session)
    return rollup.refresh(db_session)


def _cube(
    db_session: Session,
    *,
    parts: list[tuple[str, str | None, str | None]],
    slice_: str = "",
    figures: tuple[str, ...] | None = None,
) -> Cube:
    """Cells summed by figure, key and month, over (grain, first period, last period) parts."""
    cube: Cube = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for grain, start, end in parts:
        stmt = select(StatCell.figure, StatCell.key, StatCell.period, StatCell.count).where(
            StatCell.slice == slice_, StatCell.grain == grain, StatCell.count != 0
        )
        if figures is not None:
            stmt = stmt.where(StatCell.figure.in_(figures))
        if start is not None:
            stmt = stmt.where(StatCell.period >= start)
        if end is not None:
            stmt = stmt.where(StatCell.period <= end)
        for figure, key, period, count in db_session.execute(stmt):
            cube[figure][key][period[:7]] += count
    return cube


def _month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _parts(start: date | None, end: date | None) -> list[tuple[str, str | None, str | None]]:
    """A range of days as the fewest cells: whole months from the month cells, the days of a
    partial month at either end from the day cells (so a year is 12 lookups, not 365)."""
    parts: list[tuple[str, str | None, str | None]] = []
    first_full = start
    if start is not None and start.day != 1:
        first_full = _month_after(start)
        edge_end = min(end, first_full - timedelta(days=1)) if end else first_full - timedelta(1)
        parts.append(("d", start.isoformat(), edge_end.isoformat()))
    last_full = end
    if end is not None and _month_after(end) - timedelta(days=1) != end:
        last_full = date(end.year, end.month, 1) - timedelta(days=1)
        edge_start = max(date(end.year, end.month, 1), start or date.min)
        if not parts or parts[0][2] != end.isoformat():
            parts.append(("d", edge_start.isoformat(), end.isoformat()))
    if first_full is None or last_full is None or first_full <= last_full:
        parts.append(
            (
                "m",
                first_full.isoformat()[:7] if first_full else None,
                last_full.isoformat()[:7] if last_full else None,
            )
        )
    return parts


def _months(cube: Cube, until: date) -> list[str]:
    periods = {p for keys in cube.values() for per in keys.values() for p in per}
    if not periods:
        return []
    first = min(periods)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    last = max(f"{until.year:04d}-{until.month:02d}", *periods)
    while (current := f"{year:04d}-{month:02d}") <= last:
        out.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass
class _Table:
    """Counts by key and year, with the totals they add up to."""

    by_year: dict[str, dict[str, Count]]  # key -> year -> count
    key_totals: dict[str, Count]  # key -> all time


def _build(cube: Cube, months: list[str], threshold: int) -> dict[str, Any]:
    years = sorted({m[:4] for m in months})
    sup = Suppressor(threshold)
    totals: dict[str, tuple[dict[str, Count], Count]] = {}

    def totals_of(figure: str, per_year: dict[str, int]) -> tuple[dict[str, Count], Count]:
        if figure not in totals:
            cells = {y: Count(per_year.get(y, 0)) for y in years}
            grand = Count(sum(c.value for c in cells.values()))
            sup.add(list(cells.values()), grand)
            totals[figure] = (cells, grand)
        return totals[figure]

    def yearly(figure: str, key: str = "") -> dict[str, int]:
        per: dict[str, int] = defaultdict(int)
        for period, n in cube.get(figure, {}).get(key, {}).items():
            per[period[:4]] += n
        return per

    series: dict[str, dict[str, Count]] = {}
    for figure in SERIES:
        month_cells = {m: Count(cube.get(figure, {}).get("", {}).get(m, 0)) for m in months}
        year_cells, _ = totals_of(figure, yearly(figure))
        for y in years:
            sup.add([c for m, c in month_cells.items() if m[:4] == y], year_cells[y])
        series[figure] = month_cells
    for figure in ("victims", *SUPPORT_TOTALS):
        totals_of(figure, yearly(figure))
    tables: dict[str, _Table] = {}
    for figure, total_of in BREAKDOWNS.items():
        keys = sorted(cube.get(figure, {}))
        per_key = {k: yearly(figure, k) for k in keys}
        if figure in SELF_TOTALLED:
            per_year: dict[str, int] = defaultdict(int)
            for counts in per_key.values():
                for y, n in counts.items():
                    per_year[y] += n
            totals_of(figure, per_year)
        by_year = {k: {y: Count(per_key[k].get(y, 0)) for y in years} for k in keys}
        key_totals = {k: Count(sum(c.value for c in by_year[k].values())) for k in keys}
        for k in keys:
            sup.add(list(by_year[k].values()), key_totals[k])
        if total_of is not None:
            year_cells, grand = totals[total_of]
            for y in years:
                sup.add([by_year[k][y] for k in keys], year_cells[y])
            sup.add(list(key_totals.values()), grand)
        tables[figure] = _Table(by_year, key_totals)
    sup.run()
    return {"years": years, "series": series, "totals": totals, "tables": tables}


def _count(c: Count) -> dict[str, Any]:
    return {"count": c.published(), "suppressed": c.suppressed}


def _view(built: dict[str, Any], year: str | None) -> dict[str, Any]:
    totals = {
        figure: _count(cells[year] if year else grand)
        for figure, (cells, grand) in built["totals"].items()
        if not year or year in cells
    }
    series = {
        figure: [{"period": m, **_count(c)} for m, c in cells.items() if not year or m[:4] == year]
        for figure, cells in built["series"].items()
    }
    breakdowns = {}
    for figure, table in built["tables"].items():
        rows = [
            {"key": k, **_count(table.by_year[k][year] if year else table.key_totals[k])}
            for k in table.by_year
        ]
        rows.sort(key=lambda r: (r["suppressed"], -(r["count"] or 0), r["key"]))
        breakdowns[figure] = rows
    share = None
    money = next((r for r in breakdowns.get("sextortion", []) if r["key"] == "financial"), None)
    all_sext = totals.get("sextortion")
    if money and all_sext and money["count"] is not None and all_sext["count"]:
        share = round(money["count"] / all_sext["count"], 3)
    return {
        "totals": totals,
        "series": series,
        "breakdowns": breakdowns,
        "sextortion_money_share": share,
    }


def notice_platforms(db_session: Session) -> frozenset[str]:
    return frozenset(db_session.scalars(select(NoticePlatform.name)))


def _only_fixed_keys(cube: Cube, notice_names: frozenset[str]) -> None:
    """Drop every key that is not on a fixed list (vocabulary.py) before anything is built from
    the cube: the second guard, after the rollup's own, against publishing typed text."""
    for figure, keys in cube.items():
        for key in [k for k in keys if not vocabulary.published_key(figure, k, notice_names)]:
            del keys[key]


def published(
    db_session: Session, *, threshold: int, year: int | None = None, today: date | None = None
) -> dict[str, Any]:
    """The public figures, all time or for one calendar year."""
    today = today or utcnow().date()
    cube = _cube(db_session, parts=[("m", None, None)], figures=PUBLIC_FIGURES)
    _only_fixed_keys(cube, notice_platforms(db_session))
    # Of the platforms' feedback, the public sees the matches they reported.
    feedback = cube.pop("takedown_feedback", {})
    if "matched" in feedback:
        cube["takedown_matches"] = {"": feedback["matched"]}
    months = _months(cube, today)
    built = _build(cube, months, threshold)
    chosen = None
    if year is not None:
        chosen = f"{year:04d}"
        if chosen not in built["years"]:
            raise BadInput(f"no figures for {year}", code="no_such_year")
    return {
        "threshold": threshold,
        "as_of": utcnow().isoformat(timespec="seconds"),
        "year": year,
        "years": [int(y) for y in built["years"]],
        **_view(built, chosen),
    }


# The staff's view -----------------------------------------------------------------------------


def _percentile(counts: dict[str, int], q: float) -> int | None:
    """The q-quantile, in minutes, of a histogram of minute buckets (the bucket's lower edge)."""
    total = sum(counts.values())
    if not total:
        return None
    seen = 0
    for minutes, n in sorted(((int(k), n) for k, n in counts.items())):
        seen += n
        if seen >= q * total:
            return minutes
    return None


def staff_slice(agency: str | None, platform: str | None) -> str:
    key = vocabulary.slice_key(platform)
    parts = ([f"a:{agency}"] if agency else []) + ([f"p:{key}"] if key else [])
    return "|".join(parts)


def staff(
    db_session: Session,
    *,
    start: date | None = None,
    end: date | None = None,
    agency: str | None = None,
    platform: str | None = None,
) -> dict[str, Any]:
    """Exact figures for staff, over any range of days and one agency and/or platform."""
    if start and end and start > end:
        raise BadInput("the start date is after the end date", code="bad_range")
    cube = _cube(db_session, parts=_parts(start, end), slice_=staff_slice(agency, platform))
    figures = (*SERIES[:3], "victims")
    months = sorted({p for keys in cube.values() for per in keys.values() for p in per})
    out: dict[str, Any] = {
        "filters": {
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
            "agency": agency,
            "platform": facts.platform_key(platform),
        },
        "totals": {
            **{f: sum(cube.get(f, {}).get("", {}).values()) for f in figures},
            **{f: sum(cube.get(f, {}).get("", {}).values()) for f in SUPPORT_TOTALS},
            # A platform's detector alert becomes a report when it opens one.
            "detector_reports": sum(cube.get("source", {}).get("detector", {}).values()),
        },
        "series": {
            f: [{"period": m, "count": cube.get(f, {}).get("", {}).get(m, 0)} for m in months]
            for f in SERIES[:3]
        },
        "breakdowns": {},
        "durations": {},
    }
    for figure in (*BREAKDOWNS, *STAFF_BREAKDOWNS):
        counted = sorted(
            ((k, sum(per.values())) for k, per in cube.get(figure, {}).items()),
            key=lambda kn: (-kn[1], kn[0]),
        )
        out["breakdowns"][figure] = [{"key": k, "count": n} for k, n in counted]
    for figure in DURATIONS:
        hist = {k: sum(per.values()) for k, per in cube.get(figure, {}).items()}
        out["durations"][figure] = {
            "count": sum(hist.values()),
            "median_minutes": _percentile(hist, 0.5),
            "p90_minutes": _percentile(hist, 0.9),
        }
    return out


def live(db_session: Session) -> dict[str, Any]:
    """What is true right now (not a rollup): the queue, the top tier's overdue reports, and
    how much material each reviewer has been shown."""

    depth = review.queue_depth(db_session)
    overdue = sum(1 for item in review.queue(db_session, limit=500, tier=1) if item.overdue)
    return {
        "queue_depth": {str(t): n for t, n in sorted(depth.items())},
        "queue_total": sum(depth.values()),
        "overdue_now": overdue,
        "exposure": [{"reviewer": who, "reveals": n} for who, n in wellness.exposure(db_session)],
    }


def parse_day(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        if len(str(value)) != 10:
            raise ValueError(value)
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadInput(f"{name} must be a date as YYYY-MM-DD", code="bad_date") from None


def agencies(db_session: Session) -> list[tuple[str, str]]:
    """(id, name) of every agency, for the staff's filter."""
    rows = db_session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == "agency")
        .order_by(Organisation.name)
    )
    return [(i, n) for i, n in rows]


def as_csv(stats: dict[str, Any]) -> str:
    """One row per number: section, figure, key, value (the staff's export)."""

    def cell(value: Any) -> Any:
        # A platform name typed by the public must not become a spreadsheet formula.
        text = "" if value is None else str(value)
        return f"'{text}" if text[:1] in ("=", "+", "-", "@") else value

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "figure", "key", "value"])
    for name, value in stats["filters"].items():
        writer.writerow(["filter", name, "", "" if value is None else value])
    for figure, value in stats["totals"].items():
        writer.writerow(["total", figure, "", value])
    for figure, points in stats["series"].items():
        for point in points:
            writer.writerow(["month", figure, point["period"], point["count"]])
    for figure, rows in stats["breakdowns"].items():
        for row in rows:
            writer.writerow(["breakdown", figure, cell(row["key"]), row["count"]])
    for figure, summary in stats["durations"].items():
        for name, value in summary.items():
            writer.writerow(["duration", figure, name, "" if value is None else value])
    return out.getvalue()
