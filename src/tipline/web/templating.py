"""One Jinja environment for every domain's templates, with gettext for EN and ES."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from tipline.web import i18n, labels

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _template_dirs() -> list[str]:
    # web/templates first (base layout), then each domain's own templates/ folder.
    dirs = [PACKAGE_DIR / "web" / "templates"]
    dirs += sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.parent.name != "web")
    return [str(d) for d in dirs]


def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(d) for d in _template_dirs()]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["duration"] = duration
    env.filters["minutes"] = lambda m: duration(timedelta(minutes=m))
    env.filters["clock"] = clock
    env.filters["label"] = _label
    env.filters["local"] = _local
    env.filters["person"] = person
    return env


def clock(delta: timedelta) -> str:
    """A queue clock, short enough for a table cell: days and hours, or hours and minutes."""
    days, hours, mins = _days_hours_minutes(delta)
    return f"{days} d {hours} h" if days else f"{hours} h {mins:02d} min"


@pass_context
def _label(ctx: Context, code: object, kind: str) -> str:
    """`{{ report.incident_type | label("incident_type") }}`: the name, in the page's language."""
    return labels.label(kind, code, ctx.get("_"))


def zone_of(user: object) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "time_zone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@pass_context
def _local(ctx: Context, moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) time in the signed-in person's own time zone; UTC for everyone else."""
    if moment is None:
        return ""
    return moment.astimezone(zone_of(ctx.get("user"))).strftime(fmt)


def person(user: object) -> str:
    """A colleague as people name them: the display name, else the email."""
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or getattr(user, "email", ""))


def duration(delta: timedelta) -> str:
    """Hours and minutes, as a supervisor reads a time to triage or to referral."""
    days, hours, mins = _days_hours_minutes(delta)
    return f"{days} d {hours} h {mins:02d} min" if days else f"{hours} h {mins:02d} min"


def _days_hours_minutes(delta: timedelta) -> tuple[int, int, int]:
    """Whole minutes of a (non-negative) span, split into days, hours and minutes."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return days, hours, mins


templates = Jinja2Templates(env=_environment())


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    lang = i18n.language_for(request)
    catalog = i18n.translations(lang)
    # Per render, not on the shared environment: requests in other threads may use another
    # language at the same moment.
    ctx: dict[str, Any] = {
        "lang": lang,
        "request": request,
        "_": catalog.gettext,
        "gettext": catalog.gettext,
        "ngettext": catalog.ngettext,
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
