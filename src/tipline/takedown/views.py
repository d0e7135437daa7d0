"""Take it down: the victim's page and case API, and the platforms' hash list API."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tipline import nul
from tipline.auth.dependencies import check_csrf, current_session, require_org, require_user
from tipline.auth.models import Organisation, StaffSession, User
from tipline.auth.pages import staff_page
from tipline.auth.roles import CONSOLE_ROLES, Role
from tipline.deps import get_db, rate_limit_person
from tipline.errors import BadInput
from tipline.takedown import service
from tipline.takedown.dependencies import CaseRoute, case_by_pin
from tipline.takedown.matching import Matcher
from tipline.takedown.schemas import (
    CaseCreated,
    CaseIn,
    CaseStatus,
    ChangesOut,
    FeedbackIn,
    FeedbackOut,
    HashesAdded,
    HashesIn,
    LockedOut,
    MatchesOut,
    MatchIn,
)
from tipline.web.templating import render

api_router = APIRouter(
    prefix="/api/v1",
    tags=["take it down"],
    dependencies=[Depends(nul.refuse_in_request)],
    route_class=CaseRoute,
)
router = APIRouter(include_in_schema=False, dependencies=[Depends(nul.refuse_in_request)])
_matcher_lock = threading.Lock()

_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A hash is malformed, of an unknown type, or there are too many"},
    422: {"description": "A field is missing or not allowed (file content never is)"},
}


def _matcher(request: Request) -> Matcher:
    with _matcher_lock:
        matcher: Matcher | None = getattr(request.app.state, "takedown_matcher", None)
        if matcher is None:
            # A long-running server: merges in the background, so no match waits on one.
            matcher = Matcher(background_merges=True)
            request.app.state.takedown_matcher = matcher
        return matcher


# The victim's case ---------------------------------------------------------------------------


@api_router.post(
    "/takedown/cases",
    status_code=201,
    response_model=CaseCreated,
    responses={**_REFUSALS, 429: {"description": "Too many cases from this address"}},
)
def open_case(
    payload: CaseIn, request: Request, db_session: Session = Depends(get_db, scope="function")
) -> Response:
    """Open a take-down case from hashes made on the victim's device. The PIN is shown once."""
    hashes = service.parse_hashes(
        [(h.type, h.value) for h in payload.hashes], limit=service.MAX_HASHES_PER_CASE
    )
    rate_limit_person(request, "takedown")
    case, pin = service.open_case(
        db_session, hashes=hashes, age_at_creation=payload.age_at_creation, lang=payload.lang
    )
    db_session.commit()
    return JSONResponse(CaseCreated(case_id=case.case_id, pin=pin).model_dump(), status_code=201)


_PIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No case matches that id and PIN"},
    429: {
        "model": LockedOut,
        "description": "Too many wrong PINs: the case is locked for `retry_after` seconds"
        " (also the Retry-After header), or too many tries from this address",
    },
}


@api_router.get("/takedown/cases/{case_id}", response_model=CaseStatus, responses=_PIN_RESPONSES)
def case_status(
    case_id: str,
    request: Request,
    x_case_pin: str = Header(default="", alias="X-Case-PIN"),
    db_session: Session = Depends(get_db, scope="function"),
) -> CaseStatus:
    """How the case stands: how many platforms reported a match, never which."""
    case = case_by_pin(db_session, request, case_id, x_case_pin)
    return CaseStatus(**service.case_status(db_session, case=case))


@api_router.delete("/takedown/cases/{case_id}", response_model=CaseStatus, responses=_PIN_RESPONSES)
def withdraw_case(
    case_id: str,
    request: Request,
    x_case_pin: str = Header(default="", alias="X-Case-PIN"),
    db_session: Session = Depends(get_db, scope="function"),
) -> CaseStatus:
    """Withdraw the case: every hash leaves the list, and platforms stop matching at next sync."""
    case = case_by_pin(db_session, request, case_id, x_case_pin)
    service.withdraw(db_session, case=case)
    db_session.commit()
    return CaseStatus(**service.case_status(db_session, case=case))


@api_router.post(
    "/takedown/cases/{case_id}/hashes",
    status_code=201,
    response_model=HashesAdded,
    responses={
        **_REFUSALS,
        **_PIN_RESPONSES,
        400: {"description": "A hash is malformed, or the case would hold too many"},
        409: {"description": "The case has been withdrawn"},
    },
)
def add_hashes(
    case_id: str,
    payload: HashesIn,
    request: Request,
    x_case_pin: str = Header(default="", alias="X-Case-PIN"),
    db_session: Session = Depends(get_db, scope="function"),
) -> HashesAdded:
    """Add the hashes of more pictures or videos, made on the victim's device, to their open
    case. A hash the case holds already is not added twice."""
    hashes = service.parse_hashes(
        [(h.type, h.value) for h in payload.hashes], limit=service.MAX_HASHES_PER_CASE
    )
    case = case_by_pin(db_session, request, case_id, x_case_pin)
    added = service.add_hashes(db_session, case=case, hashes=hashes)
    db_session.commit()
    return HashesAdded(
        added=added.added,
        already_in_case=added.already_in_case,
        **service.case_status(db_session, case=case),
    )


# The platforms' side -------------------------------------------------------------------------


@api_router.get(
    "/hashlist/changes",
    response_model=ChangesOut,
    responses={400: {"description": "The cursor or limit is not valid"}},
)
def hashlist_changes(
    cursor: str | None = Query(default=None, max_length=24),
    limit: int = Query(default=service.FEED_PAGE, ge=1, le=service.MAX_FEED_PAGE),
    organisation: Organisation = Depends(require_org("hashlist")),
    db_session: Session = Depends(get_db, scope="function"),
) -> ChangesOut:
    """Hashes added and withdrawn after `cursor`, oldest first. Resume from `next_cursor`."""
    after = service.parse_cursor(cursor)
    page = service.changes(db_session, after=after, limit=limit)
    return ChangesOut.model_validate(
        {
            "changes": page,
            "next_cursor": str(page[-1]["seq"] if page else after),
            "has_more": len(page) == limit,
            "lists": service.list_settings(db_session),
        }
    )


@api_router.post("/hashlist/match", response_model=MatchesOut, responses=_REFUSALS)
def hashlist_match(
    payload: MatchIn,
    request: Request,
    organisation: Organisation = Depends(require_org("hashlist")),
    db_session: Session = Depends(get_db, scope="function"),
) -> MatchesOut:
    """Hashes in, matches out: each with its distance, the transform that matched, provenance."""
    queries = service.parse_hashes(
        [(h.type, h.value) for h in payload.hashes], limit=service.MAX_MATCH_BATCH, dedupe=False
    )
    found = service.match(
        db_session, matcher=_matcher(request), queries=queries, transforms=payload.transforms
    )
    out = [f.as_json() for f in found]
    return MatchesOut.model_validate({"matches": out})


@api_router.post(
    "/hashlist/feedback",
    status_code=202,
    response_model=FeedbackOut,
    responses={404: {"description": "An entry id is not on the list"}},
)
def hashlist_feedback(
    payload: FeedbackIn,
    organisation: Organisation = Depends(require_org("hashlist")),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """Say what was done with a match: matched, removed, or false positive."""
    accepted = service.record_feedback(
        db_session,
        organisation=organisation,
        items=[(i.entry_id, i.outcome, i.note) for i in payload.feedback],
    )
    db_session.commit()
    return JSONResponse({"accepted": accepted}, status_code=202)


# The page -----------------------------------------------------------------------------------


@router.get("/take-it-down", response_class=HTMLResponse)
def take_it_down_page(request: Request) -> HTMLResponse:
    return render(
        request,
        "take_it_down.html",
        {"max_files": service.MAX_HASHES_PER_CASE // 4},
    )


# The console: the list at a glance, and quarantined hashes to review -------------------------


@router.get("/console/hashlist", response_class=HTMLResponse)
def hashlist_page(
    request: Request,
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    return staff_page(
        request,
        "hashlist.html",
        staff_session,
        {
            "overview": service.overview(db_session),
            "quarantined": service.quarantined(db_session),
            "lists": service.hash_lists(db_session),
            "admin": user.role == "admin",
            "max_threshold": service.MAX_PDQ_THRESHOLD,
        },
    )


@router.post("/console/hashlist/{entry_id}/review", dependencies=[Depends(check_csrf)])
def review_quarantined(
    entry_id: int,
    decision: str = Form(...),
    user: User = Depends(require_user(*CONSOLE_ROLES)),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """Release a quarantined hash back onto the list, or keep it off for good."""
    entry = service.get_entry(db_session, entry_id=entry_id)
    if decision == "release":
        service.release(db_session, entry=entry, actor=f"user:{user.id}")
    elif decision == "keep_off":
        service.keep_off(db_session, entry=entry, actor=f"user:{user.id}")
    else:
        raise BadInput("decision is release or keep_off", code="invalid_decision")
    return RedirectResponse("/console/hashlist", status_code=303)


@router.post("/console/hashlist/lists/{name}", dependencies=[Depends(check_csrf)])
def configure_hash_list(
    name: str,
    pdq_threshold: int = Form(...),
    vpdq_frame_share: float = Form(...),
    user: User = Depends(require_user(Role.ADMIN)),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """An admin sets a list's PDQ threshold and vPDQ frame share."""
    service.configure_list(
        db_session,
        name=name,
        pdq_threshold=pdq_threshold,
        vpdq_frame_share=vpdq_frame_share,
        actor=f"user:{user.id}",
    )
    return RedirectResponse("/console/hashlist", status_code=303)
