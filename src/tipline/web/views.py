"""Public pages. No account, no tracking; each page carries the quick exit and crisis help."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tipline.web.i18n import LANG_COOKIE, LANGUAGES
from tipline.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/parents", response_class=HTMLResponse)
def parents(request: Request) -> HTMLResponse:
    return render(request, "parents.html")


@router.get("/lang/{lang}")
def switch_language(lang: str, request: Request) -> RedirectResponse:
    """Remember the chosen language; go back to a page of this site only (no open redirect)."""
    back = request.query_params.get("next", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = RedirectResponse(back, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
