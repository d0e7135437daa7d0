"""Who is calling: staff sessions (with CSRF), organisation API keys."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from fastapi import Depends, Form, Request
from sqlalchemy.orm import Session

from tipline.auth import secrets as sec
from tipline.auth import service
from tipline.auth.models import Organisation, StaffSession, User
from tipline.auth.roles import Role
from tipline.config import Settings
from tipline.deps import count_failure, get_db, get_settings, refuse_if_failing
from tipline.errors import Forbidden, LoginRequired, Unauthorized
from tipline.web.i18n import PRE_SESSION_CSRF_COOKIE

SESSION_COOKIE = "tipline_session"


def current_session(
    request: Request,
    db_session: Session = Depends(get_db, scope="function"),
    settings: Settings = Depends(get_settings),
) -> StaffSession | None:
    return service.session_from_token(
        db_session, token=request.cookies.get(SESSION_COOKIE), settings=settings
    )


def home_for(user: User) -> str:
    return {
        Role.AGENCY: "/agency",
        Role.ADVOCATE: "/console/support",
        Role.PEER: "/peer",
    }.get(Role(user.role), "/console")


def require_user(*roles: Role) -> Callable[..., User]:
    """A page dependency: a fully signed-in user (password and TOTP) with one of `roles`."""
    allowed = frozenset(roles)

    def _dependency(staff_session: StaffSession | None = Depends(current_session)) -> User:
        if staff_session is None or not staff_session.mfa_passed:
            raise LoginRequired()
        user = staff_session.user
        if user.must_change_password:
            raise LoginRequired("/console/password")
        if user.role not in allowed:
            raise Forbidden("your role does not give access to this page", code="role")
        return user

    return _dependency


def csrf_token_for(request: Request, staff_session: StaffSession | None) -> str:
    """The token to put in a form: the session's, or a pre-session one kept in a cookie."""
    if staff_session is not None:
        return staff_session.csrf_token
    token = request.cookies.get(PRE_SESSION_CSRF_COOKIE) or secrets.token_urlsafe(32)
    request.state.new_csrf_cookie = token
    return token


def check_csrf(
    request: Request,
    csrf_token: str = Form(""),
    staff_session: StaffSession | None = Depends(current_session),
) -> None:
    """Every form POST carries the token; a cross-site form cannot know it."""
    expected = (
        staff_session.csrf_token
        if staff_session is not None
        else request.cookies.get(PRE_SESSION_CSRF_COOKIE, "")
    )
    _compare_csrf(expected, csrf_token)


def check_public_csrf(request: Request, csrf_token: str = Form("")) -> None:
    """The public forms' check: their token is always the pre-session cookie's
    (`csrf_token_for(request, None)`), whoever is signed in, so no database is needed, and a
    public upload does not wait for, or hold, a turn to write while its files are hashed."""
    _compare_csrf(request.cookies.get(PRE_SESSION_CSRF_COOKIE, ""), csrf_token)


def _compare_csrf(expected: str, csrf_token: str) -> None:
    if not expected or not csrf_token or not sec.constant_time_equal(expected, csrf_token):
        raise Forbidden(
            "the form expired or did not come from this site; reload and try again", code="csrf"
        )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def require_org(scope: str) -> Callable[..., Organisation]:
    """An API dependency: the organisation behind a live key whose kind grants `scope`."""

    def _dependency(
        request: Request, db_session: Session = Depends(get_db, scope="function")
    ) -> Organisation:
        refuse_if_failing(request)
        try:
            return service.authenticate_api_key(db_session, presented=_bearer(request), scope=scope)
        except Unauthorized:
            count_failure(request)
            raise

    return _dependency
