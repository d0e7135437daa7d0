"""What the console's queue is asked for: the filter and the page, read from the URL (so a
filtered view can be bookmarked and shared), every value checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date

from tipline.errors import BadInput
from tipline.reports.schemas import IncidentType, Source

SORTS = ("priority", "deadline", "age", "activity")
STATUS_VIEWS = ("open", "referred", "closed", "all")
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    """What the analyst asked the queue for; every field combines with the others (AND), and
    each round-trips through the page's URL (views.py reads it from the query string)."""

    status: str = "open"
    tier: int | None = None
    source: str | None = None
    incident_type: str | None = None
    # "mine", "unclaimed" or "claimed" (by anyone, the claim still live)
    claim: str | None = None
    # reports referred to this agency (an organisation id)
    agency_id: str | None = None
    lang: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    has_files: bool = False
    added_info: bool = False
    overdue: bool = False
    sort: str = "priority"


CLAIMS = ("mine", "unclaimed", "claimed")
LANGUAGES = ("en", "es")
MAX_PAGE = 100_000


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise BadInput(f"{name}: choose one of {', '.join(allowed)}", code="queue_filter")
    return value


def _day(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{name}: a date as YYYY-MM-DD", code="queue_filter") from None


def _number(params: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadInput(f"{name}: a whole number from {low} to {high}", code="queue_filter")
    return int(value)


def read_filter(params: Mapping[str, str]) -> tuple[QueueFilter, int]:
    """The filter and the page number a queue URL asks for; a value that is not one the form
    offers is a 400 naming it, never silently dropped (the analyst would read a wrong list)."""
    flag = {
        name: params.get(name, "") in ("1", "on", "true")
        for name in ("has_files", "added_info", "overdue")
    }
    flt = QueueFilter(
        status=_choice(params, "status", STATUS_VIEWS) or "open",
        tier=_number(params, "tier", 1, 4),
        source=_choice(params, "source", tuple(s.value for s in Source)),
        incident_type=_choice(params, "type", tuple(t.value for t in IncidentType)),
        claim=_choice(params, "claim", CLAIMS),
        agency_id=params.get("agency", "").strip()[:32] or None,
        lang=_choice(params, "lang", LANGUAGES),
        received_from=_day(params, "from"),
        received_to=_day(params, "to"),
        sort=_choice(params, "sort", SORTS) or "priority",
        **flag,
    )
    return flt, _number(params, "page", 1, MAX_PAGE) or 1


# The URL parameter each filter field is read from (and written back to, for links).
PARAMS = {
    "status": "status", "tier": "tier", "source": "source", "incident_type": "type",
    "claim": "claim", "agency_id": "agency", "lang": "lang", "received_from": "from",
    "received_to": "to", "has_files": "has_files", "added_info": "added_info",
    "overdue": "overdue", "sort": "sort",
}  # fmt: skip
DEFAULTS = QueueFilter()


def as_params(flt: QueueFilter) -> dict[str, str]:
    """The filter as URL parameters, defaults left out (for paging and sorting links)."""
    out: dict[str, str] = {}
    for field in fields(flt):
        value = getattr(flt, field.name)
        if value == getattr(DEFAULTS, field.name) or value is None:
            continue
        out[PARAMS[field.name]] = "1" if value is True else str(value)
    return out
