"""Referral pages: refer from the console, the agency portal, routing administration.

An agency user reaches only referrals to their own agency: any other referral number answers
404, as if it did not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tipline import nul
from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.auth.dependencies import check_csrf, current_session, require_user
from tipline.auth.models import StaffSession, User
from tipline.auth.pages import staff_page
from tipline.auth.roles import CONSOLE_ROLES, SUPERVISOR_ROLES, Role
from tipline.config import Settings
from tipline.deps import get_db, get_settings
from tipline.errors import BadInput
from tipline.referral import package, retention, routing, service
from tipline.referral.models import Referral
from tipline.reports import service as reports

router = APIRouter(include_in_schema=False, dependencies=[Depends(nul.refuse_in_request)])
MAX_GEO_FILE = 50 * 1024 * 1024


def _actor(user: User) -> str:
    return f"user:{user.id}"


def _to_report(ref: str) -> RedirectResponse:
    return RedirectResponse(f"/console/reports/{ref}#referral", status_code=303)


# The console -------------------------------------------------------------------------------


@router.post("/console/reports/{ref}/refer", dependencies=[Depends(check_csrf)])
def refer(
    ref: str,
    agency: str = Form(""),
    other_agency: str = Form(""),
    override_reason: str = Form(""),
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    """The suggestion chosen (`agency`), or another agency (`other_agency`) with a reason."""
    agency = other_agency or agency
    if not agency:
        raise BadInput("choose an agency", code="agency_required")
    try:
        made = service.refer(
            db,
            report_ref=ref,
            agency_ref=agency,
            actor=_actor(user),
            override_reason=override_reason,
        )
    except service.AlreadyReferred as exc:
        # Sent twice (a double click, a second tab): show the referral that exists, not an error.
        return RedirectResponse(f"/console/referrals/{exc.number}?already=1", status_code=303)
    return RedirectResponse(f"/console/referrals/{made.number}", status_code=303)


@router.post("/console/reports/{ref}/hold", dependencies=[Depends(check_csrf)])
def legal_hold(
    ref: str,
    hold: str = Form(""),
    reason: str = Form(""),
    user: User = Depends(require_user(*SUPERVISOR_ROLES)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    report = reports.get_report(db, ref=ref)
    retention.set_legal_hold(
        db, report=report, hold=hold == "on", reason=reason, actor=_actor(user)
    )
    return _to_report(report.id)


@router.get("/console/referrals", response_class=HTMLResponse)
def referrals_page(
    request: Request,
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    staff_session: StaffSession | None = Depends(current_session),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    return staff_page(
        request,
        "referrals.html",
        staff_session,
        {"referrals": service.list_referrals(db), "portal": False},
    )


def _referral_context(db: Session, referral: Referral) -> dict[str, object]:
    reports = service.reports_of(db, referral=referral)
    timeline = audit.timeline(db, subject_type="referral", subject_id=referral.id)
    return {
        "referral": referral,
        "reports": reports,
        "details": service.report_details(db, reports=reports),
        "files": service.files_of(db, referral=referral, reports=reports),
        "timeline": timeline,
        "actors": auth.actor_names(db, (e.actor for e in timeline)),
        "people": service.people_of(db, referral=referral),
        "cases": {r.id: r.case_number for r in reports},
        "max_note": service.MAX_NOTE,
        "outcomes": service.OUTCOMES,
        "legal_kinds": service.LEGAL_PROCESS_KINDS,
    }


@router.get("/console/referrals/{ref}", response_class=HTMLResponse)
def console_referral(
    ref: str,
    request: Request,
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    staff_session: StaffSession | None = Depends(current_session),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    referral = service.get_referral(db, ref=ref)
    context = {**_referral_context(db, referral), "portal": False}
    return staff_page(request, "referral.html", staff_session, context)


@router.post("/console/referrals/{ref}/legal-process", dependencies=[Depends(check_csrf)])
def console_legal_process(
    ref: str,
    file_id: str = Form(""),
    kind: str = Form(""),
    reference: str = Form(""),
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    referral = service.get_referral(db, ref=ref)
    service.record_legal_process(
        db, referral=referral, file_id=file_id, kind=kind, reference=reference, actor=_actor(user)
    )
    return RedirectResponse(f"/console/referrals/{referral.number}", status_code=303)


@router.post("/console/referrals/{ref}/supplements", dependencies=[Depends(check_csrf)])
def add_supplement(
    ref: str,
    note: str = Form(""),
    report: str = Form(""),
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    """Add information to a referral: a note, or (`report`) a report merged into its incident."""
    referral = service.get_referral(db, ref=ref)
    try:
        service.add_supplement(
            db, referral=referral, note=note, actor=_actor(user), report_ref=report or None
        )
    except service.AlreadyReferred as exc:
        # Sent twice (a double click): the agency has the report already; show where.
        return RedirectResponse(f"/console/referrals/{exc.number}?already=1", status_code=303)
    return RedirectResponse(f"/console/referrals/{referral.number}#supplements", status_code=303)


@router.get("/console/admin/routing", response_class=HTMLResponse)
def routing_page(
    request: Request,
    user: User = Depends(require_user(Role.ADMIN)),
    staff_session: StaffSession | None = Depends(current_session),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    return staff_page(
        request,
        "routing.html",
        staff_session,
        {
            "rules": routing.rules(db),
            "agencies": auth.list_organisations(db, kind="agency"),
        },
    )


@router.post("/console/admin/routing", dependencies=[Depends(check_csrf)])
def set_route(
    country: str = Form(""),
    region: str = Form(""),
    agency: str = Form(""),
    user: User = Depends(require_user(Role.ADMIN)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    org = auth.get_organisation(db, ref=agency)
    if org.kind != "agency":
        raise BadInput(f"{org.name} is not an agency", code="not_an_agency")
    routing.set_rule(db, country=country, region=region, agency=org, actor=_actor(user))
    return RedirectResponse("/console/admin/routing", status_code=303)


@router.post("/console/admin/routing/geo", dependencies=[Depends(check_csrf)])
async def load_geo(
    geo: UploadFile = File(...),
    user: User = Depends(require_user(Role.ADMIN)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    data = await geo.read(MAX_GEO_FILE + 1)
    if len(data) > MAX_GEO_FILE:
        raise BadInput("the geolocation file is over 50 MB", code="too_large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("the geolocation file is not UTF-8 text", code="geo_file") from None
    await run_in_threadpool(routing.load_geo, db, text=text, actor=_actor(user))
    return RedirectResponse("/console/admin/routing", status_code=303)


# The agency portal -------------------------------------------------------------------------


def _own(db: Session, ref: str, user: User) -> Referral:
    return service.get_referral(db, ref=ref, agency_id=user.organisation_id or "-")


def _to_portal(referral: Referral) -> RedirectResponse:
    return RedirectResponse(f"/agency/referrals/{referral.number}", status_code=303)


@router.get("/agency", response_class=HTMLResponse)
def agency_home(
    request: Request,
    user: User = Depends(require_user(Role.AGENCY)),
    staff_session: StaffSession | None = Depends(current_session),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    own = service.list_referrals(db, agency_id=user.organisation_id or "-")
    return staff_page(request, "referrals.html", staff_session, {"referrals": own, "portal": True})


@router.get("/agency/referrals/{ref}", response_class=HTMLResponse)
def agency_referral(
    ref: str,
    request: Request,
    user: User = Depends(require_user(Role.AGENCY)),
    staff_session: StaffSession | None = Depends(current_session),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    context = {**_referral_context(db, _own(db, ref, user)), "portal": True}
    return staff_page(request, "referral.html", staff_session, context)


@router.post("/agency/referrals/{ref}/acknowledge", dependencies=[Depends(check_csrf)])
def acknowledge(
    ref: str,
    user: User = Depends(require_user(Role.AGENCY)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    referral = service.acknowledge(db, referral=_own(db, ref, user), actor=_actor(user))
    return _to_portal(referral)


@router.post(
    "/agency/referrals/{ref}/supplements/{supplement_id}/acknowledge",
    dependencies=[Depends(check_csrf)],
)
def acknowledge_supplement(
    ref: str,
    supplement_id: str,
    user: User = Depends(require_user(Role.AGENCY)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    referral = _own(db, ref, user)
    service.acknowledge_supplement(
        db, referral=referral, supplement_id=supplement_id, actor=_actor(user)
    )
    return RedirectResponse(f"/agency/referrals/{referral.number}#supplements", status_code=303)


@router.post("/agency/referrals/{ref}/outcome", dependencies=[Depends(check_csrf)])
def outcome(
    ref: str,
    outcome: str = Form(""),
    note: str = Form(""),
    user: User = Depends(require_user(Role.AGENCY)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    referral = service.record_outcome(
        db, referral=_own(db, ref, user), outcome=outcome, note=note, actor=_actor(user)
    )
    return _to_portal(referral)


@router.post("/agency/referrals/{ref}/preservation", dependencies=[Depends(check_csrf)])
def preservation(
    ref: str,
    user: User = Depends(require_user(Role.AGENCY)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    referral = service.request_preservation(db, referral=_own(db, ref, user), actor=_actor(user))
    return _to_portal(referral)


@router.post("/agency/referrals/{ref}/destruction", dependencies=[Depends(check_csrf)])
def destruction(
    ref: str,
    user: User = Depends(require_user(Role.AGENCY)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    referral = service.request_destruction(db, referral=_own(db, ref, user), actor=_actor(user))
    return _to_portal(referral)


@router.post("/agency/referrals/{ref}/legal-process", dependencies=[Depends(check_csrf)])
def agency_legal_process(
    ref: str,
    file_id: str = Form(""),
    kind: str = Form(""),
    reference: str = Form(""),
    user: User = Depends(require_user(Role.AGENCY)),
    db: Session = Depends(get_db, scope="function"),
) -> Response:
    referral = _own(db, ref, user)
    service.record_legal_process(
        db, referral=referral, file_id=file_id, kind=kind, reference=reference, actor=_actor(user)
    )
    return _to_portal(referral)


@router.get("/agency/referrals/{ref}/package.zip")
def download_package(
    ref: str,
    user: User = Depends(require_user(Role.AGENCY)),
    db: Session = Depends(get_db, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    referral = _own(db, ref, user)
    data = package.build(db, settings=settings, referral=referral, actor=_actor(user))
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{referral.number}.zip"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/agency/referrals/{ref}/files/{file_id}")
def download_file(
    ref: str,
    file_id: str,
    user: User = Depends(require_user(Role.AGENCY)),
    db: Session = Depends(get_db, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    record, data = service.read_referred_file(
        db, settings=settings, referral=_own(db, ref, user), file_id=file_id, actor=_actor(user)
    )
    return Response(
        data,
        media_type=record.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{record.sha256}"',
            "Cache-Control": "no-store",
        },
    )
