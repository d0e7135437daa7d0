"""Turning the figures into what the pages show: a chart, its text alternative and its table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tipline.stats import charts
from tipline.stats.labels import figure_titles, key_labels, label
from tipline.stats.service import SERIES, STAFF_BREAKDOWNS

BREAKDOWN_ORDER = (
    "incident_type",
    "sextortion",
    "demand",
    "victim_age",
    "victim_gender",
    "platform",
    "disposition",
    "notices",
    "notices_removed",
)
STAFF_ORDER = (*BREAKDOWN_ORDER, *STAFF_BREAKDOWNS)


def _shown(count: int | None, withheld: str) -> str:
    return withheld if count is None else f"{count:,}"


def _describe(rows: list[tuple[str, str]], _: Callable[[str], str], limit: int = 6) -> str:
    """The chart's text alternative: its largest few values, in words."""
    parts = [f"{name}: {shown}" for name, shown in rows[:limit]]
    more = len(rows) - limit
    text = "; ".join(parts)
    if more > 0:
        text += "; " + _("and %(n)s more in the table") % {"n": more}
    return text


def figures(
    stats: dict[str, Any], _: Callable[[str], str], *, withheld: str, order: tuple[str, ...]
) -> list[dict[str, Any]]:
    titles = figure_titles(_)
    labels = key_labels(_)
    out = []
    for name in SERIES:
        points = stats["series"].get(name)
        if not points or not any(p["count"] or p.get("suppressed") for p in points):
            continue  # nothing yet: an empty chart says less than no chart
        bars = [charts.Bar(p["period"], p["count"], withheld) for p in points]
        rows = [(p["period"], _shown(p["count"], withheld)) for p in points]
        out.append(
            {
                "id": name,
                "title": titles[name],
                "kind": "series",
                "svg": charts.columns(
                    bars,
                    title=titles[name],
                    desc=_describe(list(reversed(rows)), _),
                    ident=f"fig-{name}",
                ),
                "rows": rows,
            }
        )
    for name in order:
        found = stats["breakdowns"].get(name)
        if not found:
            continue
        named = [(label(labels, name, r["key"]), r["count"]) for r in found]
        rows = [(n, _shown(c, withheld)) for n, c in named]
        out.append(
            {
                "id": name,
                "title": titles[name],
                "kind": "breakdown",
                "svg": charts.rows(
                    [charts.Bar(n, c, withheld) for n, c in named],
                    title=titles[name],
                    desc=_describe(rows, _),
                    ident=f"fig-{name}",
                ),
                "rows": rows,
            }
        )
    return out
