"""Notices: the victim's page and the public grouping API (nothing stored)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tipline import nul, queue
from tipline.auth.dependencies import (
    check_csrf,
    check_public_csrf,
    csrf_token_for,
    current_session,
    require_user,
)
from tipline.auth.models import StaffSession, User
from tipline.auth.pages import staff_page
from tipline.auth.roles import CONSOLE_ROLES, Role
from tipline.deps import form_data, get_db, rate_limit
from tipline.errors import BadInput, TiplineError
from tipline.notices import directory, requests, service, tasks, texts
from tipline.notices.models import NoticePlatform
from tipline.notices.schemas import CaseUrlsIn, CaseUrlsOut, NoticesIn, NoticesOut
from tipline.notices.texts import legal_bases
from tipline.notices.urls import MAX_URLS
from tipline.takedown.dependencies import CaseRoute, case_by_pin
from tipline.web import i18n
from tipline.web.templating import render

# CaseRoute: a take-down case locked by wrong PINs answers with how long it stays locked.
api_router = APIRouter(
    prefix="/api/v1",
    tags=["notices"],
    dependencies=[Depends(nul.refuse_in_request)],
    route_class=CaseRoute,
)
router = APIRouter(include_in_schema=False, dependencies=[Depends(nul.refuse_in_request)])


@api_router.post("/notices", response_model=NoticesOut)
def notices_api(
    payload: NoticesIn, request: Request, db_session: Session = Depends(get_db, scope="function")
) -> dict[str, Any]:
    """Where an image is posted -> per platform, the steps and a ready notice. Stores nothing."""
    rate_limit(request, "notices")
    return service.for_reader(
        db_session,
        urls=payload.urls,
        page_lang=payload.lang,
        under_18=payload.under_18,
        gettext_for=_gettext_for,
    )


def _gettext_for(lang: str) -> texts.Gettext:
    return i18n.translations(lang).gettext


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
    "/take-it-down/notices", response_class=HTMLResponse, dependencies=[Depends(check_public_csrf)]
)
def notices_submit(
    request: Request,
    form: FormData = Depends(form_data),
    db_session: Session = Depends(get_db, scope="function"),
) -> HTMLResponse:
    text = str(form.get("urls") or "")[: MAX_URLS * 2100]
    lines = [line for line in text.splitlines() if line.strip()]
    context: dict[str, Any] = {"urls_text": text, "under_18": form.get("under_18") == "yes"}
    if not lines:
        return _page(request, {**context, "result": None, "error": "empty"}, 400)
    page_lang = i18n.language_for(request)
    try:
        rate_limit(request, "notices")
        result = service.for_reader(
            db_session,
            urls=lines,
            page_lang=page_lang,
            under_18=context["under_18"],
            gettext_for=_gettext_for,
        )
    except TiplineError as exc:
        return _page(request, {**context, "result": None, "error": exc.code}, exc.status_code)
    for mine in result["platforms"]:
        mine["blocks"] = _blocks(
            page_lang, mine["notice_lang"], mine["texts"], minor=context["under_18"]
        )
    return _page(request, {**context, "result": result})


def _blocks(
    page_lang: str, notice_lang: str, text: dict[str, str], *, minor: bool
) -> list[dict[str, Any]]:
    """The notice to copy, in the company's language; then, if the reader's is another, the
    same notice in theirs, to read. Each with its wording for every sender (texts.variants)
    and the blanks that notices.js fills in, in the browser, with the sender's name and email."""
    out = []
    for lang in dict.fromkeys([notice_lang, page_lang]):
        gettext = i18n.translations(lang).gettext
        out.append(
            {
                "lang": lang,
                "to_send": lang == notice_lang,
                "text": text[lang],
                "variants": texts.variants(gettext, text[lang], minor=minor),
                "blanks": texts.placeholders(gettext),
            }
        )
    return out


# The victim's case: addresses attached with the PIN ------------------------------------------


@api_router.post(
    "/takedown/cases/{case_id}/urls",
    response_model=CaseUrlsOut,
    status_code=201,
    responses={404: {"description": "No case matches that id and PIN"}},
)
def attach_urls(
    case_id: str,
    payload: CaseUrlsIn,
    request: Request,
    x_case_pin: str = Header(default="", alias="X-Case-PIN"),
    db_session: Session = Depends(get_db, scope="function"),
) -> dict[str, Any]:
    """Attach the addresses where the image is posted to the case: an analyst reviews them and
    asks each company to take it down; the case's status shows how each one stands."""
    case = case_by_pin(db_session, request, case_id, x_case_pin)
    made, rejected = requests.request_takedowns(
        db_session,
        subject_type="takedown_case",
        subject_id=case.id,
        urls=payload.urls,
        actor="victim",
        settings=request.app.state.settings,
    )
    db_session.commit()
    return {
        "attached": len(made),
        "rejected": [{"url": r.url, "reason": r.reason} for r in rejected],
        **requests.victim_view(db_session, case_pk=case.id),
    }


# The console: requests tipline sends, deadlines, checks --------------------------------------


@router.get("/console/notices", response_class=HTMLResponse)
def console_notices(
    request: Request,
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> HTMLResponse:
    return staff_page(
        request,
        "console_notices.html",
        staff_session,
        {
            **requests.console(db_session),
            "result": request.query_params.get("made"),
            "subject": request.query_params.get("subject", "")[:40],
        },
    )


@router.post("/console/notices", dependencies=[Depends(check_csrf)])
def console_request(
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    db_session: Session = Depends(get_db, scope="function"),
) -> RedirectResponse:
    subject_type, subject_id = requests.subject_of(db_session, str(form.get("subject") or ""))
    lines = [x for x in str(form.get("urls") or "").splitlines() if x.strip()]
    made, rejected = requests.request_takedowns(
        db_session,
        subject_type=subject_type,
        subject_id=subject_id,
        urls=lines,
        actor=f"user:{user.id}",
        settings=request.app.state.settings,
    )
    if made:
        queue.after_commit(db_session, tasks.SEND)
    db_session.commit()
    return RedirectResponse(f"/console/notices?made={len(made)}-{len(rejected)}", 303)


@router.post("/console/notices/{req_id}/{action}", dependencies=[Depends(check_csrf)])
def console_mark(
    req_id: str,
    action: str,
    request: Request,
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    db_session: Session = Depends(get_db, scope="function"),
) -> RedirectResponse:
    if action not in ("filed", "removed", "resend", "withdrawn", "approve"):
        raise BadInput(f"no such step: {action}", code="bad_action")
    requests.mark(db_session, req_id=req_id, action=action, actor=f"user:{user.id}")
    if action in ("resend", "approve"):
        queue.after_commit(db_session, tasks.SEND)
    db_session.commit()
    return RedirectResponse("/console/notices", 303)


# The directory, for admins ---------------------------------------------------------------------


@router.get("/console/admin/platforms", response_class=HTMLResponse)
def directory_page(
    request: Request,
    user: User = Depends(require_user(Role.ADMIN)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> HTMLResponse:
    platforms = db_session.scalars(select(NoticePlatform).order_by(NoticePlatform.name)).all()
    edit = request.query_params.get("edit", "")
    return staff_page(
        request,
        "platforms.html",
        staff_session,
        {
            "platforms": platforms,
            "editing": next((p for p in platforms if p.id == edit), None),
            "bases": list(legal_bases(lambda s: s)),
        },
    )


@router.post("/console/admin/platforms", dependencies=[Depends(check_csrf)])
def directory_save(
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user(Role.ADMIN)),
    db_session: Session = Depends(get_db, scope="function"),
) -> RedirectResponse:
    """Add a platform, or change one (by name): checked as a directory file's entry is."""

    def field(name: str) -> str | None:
        value = str(form.get(name) or "").strip()
        return value or None

    # An empty deadline: none is promised (a search engine, say), as null is in a directory file.
    hours = field("deadline_hours")
    entry = {
        "name": field("name") or "",
        "domains": [d.strip().lower() for d in (field("domains") or "").split(",") if d.strip()],
        "report_url": field("report_url"),
        "email": field("email"),
        "api_url": field("api_url"),
        "legal_bases": [str(b) for b in form.getlist("legal_bases")],
        "deadline_hours": None if hours is None else int(hours) if hours.isdigit() else -1,
        "notes": field("notes") or "",
    }
    directory.save(db_session, raw=[entry], actor=f"user:{user.id}")
    db_session.commit()
    return RedirectResponse("/console/admin/platforms", 303)
