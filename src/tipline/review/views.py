"""The console's queue: most urgent first, with the reason, claims, and the SLA for supervisors."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tipline.auth import service as auth
from tipline.auth.dependencies import check_csrf, csrf_token_for, current_session, require_user
from tipline.auth.models import StaffSession, User
from tipline.auth.roles import CONSOLE_ROLES, SUPERVISOR_ROLES
from tipline.config import Settings
from tipline.deps import get_db, get_settings
from tipline.evidence import service as evidence
from tipline.review import service, wellness
from tipline.web.templating import render

router = APIRouter(include_in_schema=False)
REVIEWERS = CONSOLE_ROLES


@router.get("/console", response_class=HTMLResponse)
def queue_page(
    request: Request,
    user: User = Depends(require_user(*REVIEWERS)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db),
) -> Response:
    from tipline.reports import service as reports

    q = request.query_params.get("q", "").strip()[:200]
    found = reports.list_reports(db_session, search=q, limit=100) if q else None
    return render(
        request,
        "queue.html",
        {
            "user": user,
            "csrf_token": csrf_token_for(request, staff_session),
            "items": service.queue(db_session),
            "supervising": user.role in SUPERVISOR_ROLES,
            "q": q,
            "found": found,
            "exposure": wellness.exposure(db_session) if user.role in SUPERVISOR_ROLES else [],
        },
    )


def _back() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/console/files/{file_id}")
def file_bytes(
    file_id: str,
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The file, decrypted in memory for this response only; every read is a custody event.
    The page shows it blurred and greyscale until the reviewer reveals it."""
    record = evidence.get_file(db, file_id=file_id)
    data = evidence.read_file(
        db, settings=settings, file_id=file_id, actor=f"user:{user.id}", reason="review"
    )
    return Response(
        data,
        media_type=record.media_type,
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )


@router.post("/console/files/{file_id}/reveal", dependencies=[Depends(check_csrf)])
def reveal(
    file_id: str,
    reason: str = Form(""),
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db),
) -> Response:
    record = wellness.reveal(db, file_id=file_id, user=user, reason=reason)
    return RedirectResponse(f"/console/reports/{record.report_id}#files", status_code=303)


@router.post("/console/queue/{ref}/claim", dependencies=[Depends(check_csrf)])
def claim(
    ref: str, user: User = Depends(require_user(*REVIEWERS)), db: Session = Depends(get_db)
) -> Response:
    service.claim(db, report_ref=ref, user=user)
    return RedirectResponse(f"/console/reports/{ref}", status_code=303)


@router.post("/console/queue/{ref}/release", dependencies=[Depends(check_csrf)])
def release(
    ref: str, user: User = Depends(require_user(*REVIEWERS)), db: Session = Depends(get_db)
) -> Response:
    service.release(db, report_ref=ref, user=user)
    return _back()


@router.post("/console/queue/{ref}/classify", dependencies=[Depends(check_csrf)])
def classify(
    ref: str,
    incident_type: str = Form(""),
    sextortion: str = Form(""),
    financial: str = Form(""),
    minor_to_minor: str = Form(""),
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db),
) -> Response:
    service.classify(
        db,
        report_ref=ref,
        user=user,
        incident_type=incident_type,
        sextortion=sextortion == "on",
        financial=financial == "on",
        minor_to_minor=minor_to_minor == "on",
    )
    return RedirectResponse(f"/console/reports/{ref}", status_code=303)


@router.post("/console/queue/{ref}/close", dependencies=[Depends(check_csrf)])
def close(
    ref: str,
    reason: str = Form(""),
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db),
) -> Response:
    service.close_informational(db, report_ref=ref, user=user, reason=reason)
    return _back()


@router.post("/console/queue/{ref}/assign", dependencies=[Depends(check_csrf)])
def assign(
    ref: str,
    email: str = Form(""),
    user: User = Depends(require_user(*SUPERVISOR_ROLES)),
    db: Session = Depends(get_db),
) -> Response:
    service.reassign(db, report_ref=ref, user=user, to=auth.get_user(db, ref=email))
    return _back()
