"""The console's queue: most urgent first, with the reason, claims, and the SLA for supervisors."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tipline import nul
from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.auth.dependencies import check_csrf, current_session, require_user
from tipline.auth.models import StaffSession, User
from tipline.auth.pages import staff_page
from tipline.auth.roles import CONSOLE_ROLES, SUPERVISOR_ROLES
from tipline.config import Settings
from tipline.deps import get_db, get_settings
from tipline.evidence import service as evidence
from tipline.notices import requests as notice_requests
from tipline.referral import routing
from tipline.referral import service as referral
from tipline.reports import filed, intake
from tipline.reports import service as reports
from tipline.reports.schemas import IncidentType
from tipline.review import bundling, schemas, service, wellness
from tipline.web.templating import zone_of

router = APIRouter(include_in_schema=False, dependencies=[Depends(nul.refuse_in_request)])
SOURCES = ("public", "esp", "detector")
REVIEWERS = CONSOLE_ROLES


@router.get("/console", response_class=HTMLResponse)
def queue_page(
    request: Request,
    user: User = Depends(require_user(*REVIEWERS)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    params = request.query_params
    q = params.get("q", "").strip()[:200]
    found = reports.list_reports(db_session, search=q, limit=100) if q else None
    flt, page_number = schemas.read_filter(params)
    page = service.queue_page(db_session, flt, user_id=user.id, page=page_number)
    return staff_page(
        request,
        "queue.html",
        staff_session,
        {
            "page": page,
            "filters": flt,
            "params": schemas.as_params(flt),
            "depth": service.queue_depth(db_session),
            "notices_overdue": notice_requests.overdue_count(db_session),
            "supervising": user.role in SUPERVISOR_ROLES,
            "q": q,
            "found": found,
            "agencies": auth.list_organisations(db_session, kind="agency"),
            "incident_types": [t.value for t in IncidentType],
            "sources": SOURCES,
            "sorts": schemas.SORTS,
            "statuses": schemas.STATUS_VIEWS,
            "close_reasons": service.CLOSE_REASONS,
            "bulk": _bulk_outcome(params),
        },
    )


def _bulk_outcome(params: Any) -> dict[str, str] | None:
    """What the last bulk action did, carried on the redirect back to the queue."""
    if "bulk_done" not in params:
        return None
    return {"done": params.get("bulk_done", ""), "skipped": params.get("bulk_skipped", "")}


@router.post("/console/queue/bulk", dependencies=[Depends(check_csrf)])
def bulk(
    report: list[str] = Form([]),
    action: str = Form(""),
    reason: str = Form(""),
    back: str = Form(""),
    user: User = Depends(require_user(*SUPERVISOR_ROLES)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    result = service.bulk(db, report_refs=report, user=user, action=action, reason=reason)
    query = urlencode(
        {
            **_queue_query(back),
            "bulk_done": str(len(result.done)),
            "bulk_skipped": "; ".join(f"{ref}: {why}" for ref, why in result.skipped)[:1500],
        }
    )
    return RedirectResponse(f"/console?{query}", status_code=303)


def _queue_query(back: str) -> dict[str, str]:
    """The queue view to return to: only the queue's own parameters, checked again."""
    params = dict(parse_qsl(back.lstrip("?"), keep_blank_values=False))
    flt, page = schemas.read_filter(params)
    return {**schemas.as_params(flt), **({"page": str(page)} if page > 1 else {})}


@router.post("/console/queue/{ref}/seen", dependencies=[Depends(check_csrf)])
def seen(
    ref: str,
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    service.mark_seen(db, report_ref=ref, user=user)
    return RedirectResponse(f"/console/reports/{ref}", status_code=303)


def _back() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/console/files/{file_id}")
def file_bytes(
    file_id: str,
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db, scope="function"),
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
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    record = wellness.reveal(db, file_id=file_id, user=user, reason=reason)
    return RedirectResponse(f"/console/reports/{record.report_id}#files", status_code=303)


@router.post("/console/queue/{ref}/claim", dependencies=[Depends(check_csrf)])
def claim(
    ref: str,
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    service.claim(db, report_ref=ref, user=user)
    return RedirectResponse(f"/console/reports/{ref}", status_code=303)


@router.post("/console/queue/{ref}/release", dependencies=[Depends(check_csrf)])
def release(
    ref: str,
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db, scope="function"),
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
    db: Session = Depends(get_db, scope="function"),
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
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    service.close_informational(db, report_ref=ref, user=user, reason=reason)
    return _back()


@router.post("/console/queue/{ref}/assign", dependencies=[Depends(check_csrf)])
def assign(
    ref: str,
    email: str = Form(""),
    user: User = Depends(require_user(*SUPERVISOR_ROLES)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    service.reassign(db, report_ref=ref, user=user, to=auth.get_user(db, ref=email))
    return _back()


@router.post("/console/incidents/merge", dependencies=[Depends(check_csrf)])
def merge(
    report: list[str] = Form([]),
    title: str = Form(""),
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    """Bundle the checked reports (each a `report` field) into one incident."""
    incident = bundling.merge(db, report_refs=report[:200], actor=f"user:{user.id}", title=title)
    return RedirectResponse(f"/console/incidents/{incident.number}", status_code=303)


@router.post("/console/reports/{ref}/split", dependencies=[Depends(check_csrf)])
def split(
    ref: str,
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    report = bundling.split(db, report_ref=ref, actor=f"user:{user.id}")
    return RedirectResponse(f"/console/reports/{report.id}", status_code=303)


@router.get("/console/incidents/{ref}", response_class=HTMLResponse)
def incident_page(
    ref: str,
    request: Request,
    user: User = Depends(require_user(*REVIEWERS)),
    staff_session: StaffSession | None = Depends(current_session),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    incident = bundling.get_incident(db, ref=ref)
    timeline = audit.timeline(db, subject_type="incident", subject_id=incident.id)
    return staff_page(
        request,
        "incident.html",
        staff_session,
        {
            "incident": incident,
            "reports": sorted(incident.reports, key=lambda r: r.received_at),
            "timeline": timeline,
            "actors": auth.actor_names(db, (e.actor for e in timeline)),
            "supplement_prompts": referral.supplement_prompts(db, incident_id=incident.id),
        },
    )


@router.get("/console/reports/{ref}", response_class=HTMLResponse)
def report_page(
    ref: str,
    request: Request,
    user: User = Depends(require_user(*REVIEWERS)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    """One report as it arrived. Everything the reporter wrote is shown as text, never markup."""
    report = reports.get_report(db_session, ref=ref)
    files = evidence.files_for_report(db_session, report_id=report.id)
    timeline = audit.timeline(db_session, subject_type="report", subject_id=report.id)
    related = bundling.related(db_session, report=report)
    return staff_page(
        request,
        "report.html",
        staff_session,
        {
            "report": report,
            "files": files,
            "as_filed": filed.as_filed(report.extra or {}),
            "added_later": intake.updates_of(db_session, report_id=report.id),
            "timeline": timeline,
            "actors": auth.actor_names(db_session, (e.actor for e in timeline)),
            "can_forward": bool(settings.upstream_url),
            "related": related,
            "proposals": bundling.proposals(db_session, report=report, related_reports=related),
            "revealed": wellness.revealed_now(db_session, user=user),
            "seen_before": wellness.already_reviewed(db_session, files=files),
            # Reveals and re-blurs are the files' events; the timeline shows them too.
            "file_reviews": wellness.file_reviews(db_session, files=files),
            "incident_types": [t.value for t in IncidentType],
            "referrals": referral.referrals_of_report(db_session, report_id=report.id),
            "supplement_targets": referral.supplement_targets(db_session, report=report),
            "candidates": routing.route(
                db_session, reports=referral.referral_group(db_session, report=report)
            ),
            "agencies": auth.list_organisations(db_session, kind="agency"),
            "supervising": user.role in SUPERVISOR_ROLES,
            "close_reasons": service.CLOSE_REASONS,
            "claimer": service.live_claimer(db_session, report=report),
            "chats": service.chats_of(
                db_session, settings=settings, report=report, files=files, user=user
            ),
        },
    )


@router.post("/console/files/{file_id}/blur", dependencies=[Depends(check_csrf)])
def blur(
    file_id: str,
    user: User = Depends(require_user(*REVIEWERS)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    """End this reviewer's reveal of the file at once (wellness.blur)."""
    record = wellness.blur(db, file_id=file_id, user=user)
    back = f"/console/reports/{record.report_id}#files" if record.report_id else "/console"
    return RedirectResponse(back, status_code=303)


@router.get("/console/exposure", response_class=HTMLResponse)
def exposure_page(
    request: Request,
    user: User = Depends(require_user(*SUPERVISOR_ROLES)),
    staff_session: StaffSession | None = Depends(current_session),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    """Files revealed per reviewer per week, for supervisors (weeks in the reader's zone)."""
    exposure = wellness.weekly_exposure(db, zone=zone_of(user))
    return staff_page(request, "exposure.html", staff_session, {"exposure": exposure})


@router.get("/console/exposure.csv")
def exposure_csv(
    user: User = Depends(require_user(*SUPERVISOR_ROLES)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    exposure = wellness.weekly_exposure(db, zone=zone_of(user))
    return Response(
        wellness.exposure_csv(exposure),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="exposure.csv"',
            "Cache-Control": "no-store",
        },
    )
