"""The numbers: `/numbers` and `GET /api/v1/stats` for everyone, `/console/numbers` for staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from tipline.auth.dependencies import current_session, require_user
from tipline.auth.models import StaffSession, User
from tipline.auth.pages import staff_page
from tipline.auth.roles import CONSOLE_ROLES, SUPERVISOR_ROLES
from tipline.deps import get_db
from tipline.stats import pages, service
from tipline.stats.schemas import PublishedStats
from tipline.web import i18n
from tipline.web.templating import render

api_router = APIRouter(prefix="/api/v1", tags=["numbers"])
router = APIRouter(include_in_schema=False)

YEAR = Query(None, ge=2000, le=2100, description="one calendar year; all time if left out")


def _published(request: Request, db_session: Session, year: int | None) -> dict[str, Any]:
    threshold = request.app.state.settings.stats_threshold
    return service.published(db_session, threshold=threshold, year=year)


@api_router.get("/stats", response_model=PublishedStats)
def stats_api(
    request: Request,
    year: int | None = YEAR,
    db_session: Session = Depends(get_db, scope="function"),
) -> dict[str, Any]:
    """The public numbers, small counts withheld."""
    return _published(request, db_session, year)


@router.get("/numbers", response_class=HTMLResponse)
def numbers_page(
    request: Request,
    year: int | None = YEAR,
    db_session: Session = Depends(get_db, scope="function"),
) -> HTMLResponse:

    stats = _published(request, db_session, year)
    _ = i18n.gettext_for(request)
    withheld = f"<{stats['threshold']}"
    return render(
        request,
        "numbers.html",
        {
            "stats": stats,
            "withheld": withheld,
            "figures": pages.figures(stats, _, withheld=withheld, order=pages.BREAKDOWN_ORDER),
        },
    )


def _staff_stats(
    db_session: Session,
    start: str | None,
    end: str | None,
    agency: str | None,
    platform: str | None,
) -> dict[str, Any]:
    return service.staff(
        db_session,
        start=service.parse_day(start, "from"),
        end=service.parse_day(end, "to"),
        agency=agency or None,
        platform=platform or None,
    )


@router.get("/console/numbers", response_class=HTMLResponse)
def console_numbers(
    request: Request,
    start: str | None = Query(None, alias="from", max_length=10),
    end: str | None = Query(None, alias="to", max_length=10),
    agency: str | None = Query(None, max_length=32),
    platform: str | None = Query(None, max_length=100),
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> HTMLResponse:
    stats = _staff_stats(db_session, start, end, agency, platform)
    _ = i18n.gettext_for(request)
    live = service.live(db_session)
    if user.role not in SUPERVISOR_ROLES:
        live["exposure"] = None  # per-reviewer exposure is for supervisors
    return staff_page(
        request,
        "console_numbers.html",
        staff_session,
        {
            "stats": stats,
            "live": live,
            "agencies": service.agencies(db_session),
            "figures": pages.figures(stats, _, withheld="", order=pages.STAFF_ORDER),
        },
    )


@router.get("/console/numbers/export")
def console_numbers_export(
    fmt: str = Query("csv", alias="format", pattern="^(csv|json)$"),
    start: str | None = Query(None, alias="from", max_length=10),
    end: str | None = Query(None, alias="to", max_length=10),
    agency: str | None = Query(None, max_length=32),
    platform: str | None = Query(None, max_length=100),
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    stats = _staff_stats(db_session, start, end, agency, platform)
    if fmt == "json":
        return JSONResponse(
            stats, headers={"Content-Disposition": 'attachment; filename="numbers.json"'}
        )
    return Response(
        service.as_csv(stats),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="numbers.csv"'},
    )
