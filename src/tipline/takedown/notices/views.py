"""Notices: the victim's page and the public grouping API (nothing stored)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tipline.auth.dependencies import check_csrf, csrf_token_for
from tipline.deps import get_db, rate_limit
from tipline.errors import TiplineError
from tipline.takedown.notices import service
from tipline.takedown.notices.schemas import NoticesIn, NoticesOut
from tipline.takedown.notices.urls import MAX_URLS
from tipline.web import i18n
from tipline.web.templating import render

api_router = APIRouter(prefix="/api/v1", tags=["notices"])
router = APIRouter(include_in_schema=False)


@api_router.post("/notices", response_model=NoticesOut)
def notices_api(
    payload: NoticesIn, request: Request, db_session: Session = Depends(get_db)
) -> dict[str, Any]:
    """Where an image is posted -> per platform, the steps and a ready notice. Stores nothing."""
    rate_limit(request, "notices")
    return service.group(
        db_session,
        urls=payload.urls,
        gettext=i18n.translations(payload.lang).gettext,
        under_18=payload.under_18,
    )


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = render(
        request,
        "notices.html",
        {"csrf_token": csrf_token_for(request, None), "max_urls": MAX_URLS, **context},
        status_code=status_code,
    )
    return i18n.with_csrf_cookie(request, response)


@router.get("/take-it-down/notices", response_class=HTMLResponse)
def notices_page(request: Request) -> HTMLResponse:
    return _page(request, {"urls_text": "", "result": None})


@router.post(
    "/take-it-down/notices", response_class=HTMLResponse, dependencies=[Depends(check_csrf)]
)
async def notices_submit(request: Request, db_session: Session = Depends(get_db)) -> HTMLResponse:
    form = await request.form(max_fields=10)
    text = str(form.get("urls") or "")[: MAX_URLS * 2100]
    lines = [line for line in text.splitlines() if line.strip()]
    context: dict[str, Any] = {"urls_text": text, "under_18": form.get("under_18") == "yes"}
    if not lines:
        return _page(request, {**context, "result": None, "error": "empty"}, 400)
    try:
        rate_limit(request, "notices")
        result = service.group(
            db_session,
            urls=lines,
            gettext=i18n.translations(i18n.language_for(request)).gettext,
            under_18=context["under_18"],
        )
    except TiplineError as exc:
        return _page(request, {**context, "result": None, "error": exc.code}, exc.status_code)
    return _page(request, {**context, "result": result})
