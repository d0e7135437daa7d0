"""Sign-in pages (password, then TOTP) for staff and agencies, and the API's key check."""

from __future__ import annotations

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tipline import nul
from tipline.auth import service
from tipline.auth.dependencies import (
    SESSION_COOKIE,
    check_csrf,
    current_session,
    home_for,
    require_org,
    require_user,
)
from tipline.auth.models import Organisation, StaffSession, User
from tipline.auth.pages import staff_page
from tipline.auth.roles import API_SCOPES, OrgKind, Role
from tipline.auth.schemas import WhoAmI
from tipline.config import Settings
from tipline.deps import count_failure, get_db, get_settings, refuse_if_failing
from tipline.errors import BadInput, LoginRequired, TiplineError, Unauthorized
from tipline.web.i18n import PRE_SESSION_CSRF_COOKIE

# NUL in a login e-mail or a new password would be a 500 on PostgreSQL: refused as input here.
router = APIRouter(include_in_schema=False, dependencies=[Depends(nul.refuse_in_request)])
api_router = APIRouter(prefix="/api/v1", tags=["organisations"])


_page = staff_page


def _pending(staff_session: StaffSession | None) -> StaffSession:
    """A session that has passed the password but may still owe the second factor."""
    if staff_session is None:
        raise LoginRequired()
    return staff_session


def _next_step(staff_session: StaffSession) -> str:
    user = staff_session.user
    if not staff_session.mfa_passed:
        return "/console/totp" if user.totp_enabled else "/console/totp/enrol"
    if user.must_change_password:
        return "/console/password"
    return home_for(user)


@router.get("/console/login", response_class=HTMLResponse)
def login_form(
    request: Request, staff_session: StaffSession | None = Depends(current_session)
) -> Response:
    if staff_session is not None:
        return RedirectResponse(_next_step(staff_session), status_code=303)
    return _page(request, "login.html", None)


@router.post("/console/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    db_session: Session = Depends(get_db, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    try:
        refuse_if_failing(request)
        user = service.check_password(db_session, email=email, password=password, settings=settings)
    except TiplineError as exc:
        if isinstance(exc, Unauthorized):
            count_failure(request)
        # The failure count and lockout must persist even though sign-in failed.
        db_session.commit()
        return _page(
            request, "login.html", None, {"error": exc.message, "email": email}, exc.status_code
        )
    token, staff_session = service.start_session(db_session, user=user)
    response = RedirectResponse(_next_step(staff_session), status_code=303)
    # Secure whenever the request came over HTTPS: web/headers.py marks every cookie.
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict")
    response.delete_cookie(PRE_SESSION_CSRF_COOKIE)
    return response


@router.get("/console/totp/enrol", response_class=HTMLResponse)
def enrol_form(
    request: Request,
    staff_session: StaffSession | None = Depends(current_session),
    settings: Settings = Depends(get_settings),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    pending = _pending(staff_session)
    user = pending.user
    if user.totp_enabled or pending.mfa_passed:
        return RedirectResponse(_next_step(pending), status_code=303)
    # Keep an unconfirmed secret across reloads, so a code from the first scan still works.
    secret = service.enrolment_secret(db_session, user=user, settings=settings)
    return _page(request, "enrol.html", pending, _enrolment(user, secret))


def _enrolment(user: User, secret: str) -> dict[str, str]:
    """The QR code (an inline SVG, nothing fetched) and the key to type by hand."""
    uri = service.totp_uri(user=user, secret=secret)
    return {"qr": segno.make(uri, error="m").svg_data_uri(scale=5), "secret": secret}


@router.post("/console/totp/enrol", dependencies=[Depends(check_csrf)])
def enrol(
    request: Request,
    code: str = Form(""),
    staff_session: StaffSession | None = Depends(current_session),
    settings: Settings = Depends(get_settings),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    pending = _pending(staff_session)
    return _second_factor(
        request, db_session, pending=pending, code=code, settings=settings, enrolling=True
    )


@router.get("/console/totp", response_class=HTMLResponse)
def totp_form(
    request: Request, staff_session: StaffSession | None = Depends(current_session)
) -> Response:
    pending = _pending(staff_session)
    if pending.mfa_passed or not pending.user.totp_enabled:
        return RedirectResponse(_next_step(pending), status_code=303)
    return _page(request, "totp.html", pending)


@router.post("/console/totp", dependencies=[Depends(check_csrf)])
def totp(
    request: Request,
    code: str = Form(""),
    staff_session: StaffSession | None = Depends(current_session),
    settings: Settings = Depends(get_settings),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    pending = _pending(staff_session)
    return _second_factor(
        request, db_session, pending=pending, code=code, settings=settings, enrolling=False
    )


def _second_factor(
    request: Request,
    db_session: Session,
    *,
    pending: StaffSession,
    code: str,
    settings: Settings,
    enrolling: bool,
) -> Response:
    if pending.mfa_passed:
        return RedirectResponse(_next_step(pending), status_code=303)
    try:
        refuse_if_failing(request)
        service.check_totp(
            db_session, user=pending.user, code=code, settings=settings, enrolling=enrolling
        )
    except TiplineError as exc:
        if isinstance(exc, Unauthorized):
            count_failure(request)
        db_session.commit()
        if enrolling and pending.user.totp_enabled:
            return RedirectResponse(_next_step(pending), status_code=303)
        if enrolling:
            # A code sent before any secret was made (a second tab, a lost page) gets one now,
            # not a broken page.
            secret = service.enrolment_secret(db_session, user=pending.user, settings=settings)
            db_session.commit()
            ctx = _enrolment(pending.user, secret)
            return _page(
                request, "enrol.html", pending, {**ctx, "error": exc.message}, exc.status_code
            )
        return _page(request, "totp.html", pending, {"error": exc.message}, exc.status_code)
    service.complete_login(db_session, staff_session=pending)
    return RedirectResponse(_next_step(pending), status_code=303)


@router.get("/console/password", response_class=HTMLResponse)
def password_form(
    request: Request, staff_session: StaffSession | None = Depends(current_session)
) -> Response:
    pending = _pending(staff_session)
    if not pending.mfa_passed:
        return RedirectResponse(_next_step(pending), status_code=303)
    return _page(request, "password.html", pending)


@router.post("/console/password", dependencies=[Depends(check_csrf)])
def change_password(
    request: Request,
    current: str = Form(""),
    new: str = Form(""),
    confirm: str = Form(""),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    pending = _pending(staff_session)
    if not pending.mfa_passed:
        return RedirectResponse(_next_step(pending), status_code=303)
    try:
        if new != confirm:
            raise BadInput("the two new passwords differ", code="mismatch")
        service.change_password(db_session, user=pending.user, current=current, new=new)
    except TiplineError as exc:
        return _page(request, "password.html", pending, {"error": exc.message}, exc.status_code)
    return RedirectResponse(_next_step(pending), status_code=303)


@router.get("/console/account", response_class=HTMLResponse)
def account_page(
    request: Request,
    user: User = Depends(require_user(*Role)),
    staff_session: StaffSession | None = Depends(current_session),
) -> Response:
    """Your name as colleagues see it and the time zone your pages use."""
    return staff_page(
        request,
        "account.html",
        staff_session,
        {"zones": sorted(service.ZONES), "saved": "saved" in request.query_params},
    )


@router.post("/console/account", dependencies=[Depends(check_csrf)])
def save_account(
    request: Request,
    display_name: str = Form(""),
    time_zone: str = Form(""),
    user: User = Depends(require_user(*Role)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    try:
        service.set_profile(
            db_session,
            user=user,
            display_name=display_name,
            time_zone=time_zone,
            actor=f"user:{user.id}",
        )
    except TiplineError as exc:
        db_session.rollback()
        context = {"zones": sorted(service.ZONES), "error": exc.message}
        return staff_page(request, "account.html", staff_session, context, exc.status_code)
    return RedirectResponse("/console/account?saved=1", status_code=303)


@router.post("/console/logout", dependencies=[Depends(check_csrf)])
def logout(
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    if staff_session is not None:
        service.end_session(db_session, staff_session=staff_session)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/console/admin", response_class=HTMLResponse)
def admin_home(
    request: Request,
    user: User = Depends(require_user(Role.ADMIN)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    return _page(
        request,
        "admin.html",
        staff_session,
        {
            "users": service.list_users(db_session),
            "organisations": service.list_organisations(db_session),
        },
    )


@api_router.get("/whoami", response_model=WhoAmI)
def whoami(organisation: Organisation = Depends(require_org("hashlist"))) -> WhoAmI:
    """Check an API key: which organisation it belongs to and what it may do."""
    return WhoAmI(
        organisation_id=organisation.id,
        name=organisation.name,
        kind=organisation.kind,
        scopes=sorted(API_SCOPES[OrgKind(organisation.kind)]),
    )
