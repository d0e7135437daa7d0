"""Rendering a signed-in page: the user and the session's CSRF token go with every one."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from tipline.auth.dependencies import csrf_token_for
from tipline.auth.models import StaffSession
from tipline.web import i18n
from tipline.web.templating import render


def staff_page(
    request: Request,
    name: str,
    staff_session: StaffSession | None,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx: dict[str, Any] = {"csrf_token": csrf_token_for(request, staff_session), "user": None}
    if staff_session is not None and staff_session.mfa_passed:
        ctx["user"] = staff_session.user
    ctx.update(context or {})
    return i18n.with_csrf_cookie(request, render(request, name, ctx, status_code=status_code))
