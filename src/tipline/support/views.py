"""The support desk's pages: asking for support and following up (public), the advocates'
queue and request pages, the services directory, and the peers' own matches."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tipline import nul
from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.auth.dependencies import (
    check_csrf,
    check_public_csrf,
    csrf_token_for,
    current_session,
    require_user,
)
from tipline.auth.models import StaffSession, User
from tipline.auth.pages import staff_page
from tipline.auth.roles import SUPERVISOR_ROLES, SUPPORT_ROLES, Role
from tipline.db import utcnow
from tipline.deps import form_data, get_db, get_settings, rate_limit, rate_limit_person
from tipline.errors import BadInput, TiplineError
from tipline.support import directory, peers, referrals, schemas, service
from tipline.support.models import SupportRequest
from tipline.support.schemas import (
    Channel,
    CloseReason,
    ConsentBy,
    Outcome,
    ReferralStatus,
    ServiceKind,
    SupportRequestIn,
)
from tipline.web import i18n
from tipline.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(nul.refuse_in_request)])
api_router = APIRouter(
    prefix="/api/v1", tags=["support"], dependencies=[Depends(nul.refuse_in_request)]
)
ADVOCATES = SUPPORT_ROLES


# Asking for support (public) ------------------------------------------------------------------


@router.get("/help", response_class=HTMLResponse)
def get_help(
    request: Request, db_session: Session = Depends(get_db, scope="function")
) -> HTMLResponse:
    """What to do, who to call, and the services directory: by state, language and kind."""
    params = request.query_params
    search = {k: params.get(k, "")[:20] for k in ("region", "language", "kind")}
    try:
        found = directory.search(
            db_session,
            region=search["region"] or None,
            language=search["language"] or None,
            kind=search["kind"] or None,
        )
    except BadInput as exc:
        return render(
            request,
            "help.html",
            {"services": [], "search": search, "search_error": exc.message, **_options()},
            status_code=400,
        )
    return render(request, "help.html", {"services": found, "search": search, **_options()})


def _options() -> dict[str, Any]:
    return {
        "whos": [w.value for w in schemas.Who],
        "askers": [a.value for a in schemas.Asker],
        "kinds": [k.value for k in schemas.Kind],
        "channels": [c.value for c in Channel],
        "regions": schemas.US_REGIONS,
        "service_kinds": [k.value for k in ServiceKind],
    }


def _form_page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    response = render(
        request,
        "support_form.html",
        {
            "csrf_token": csrf_token_for(request, None),
            "values": values,
            "errors": errors or {},
            **_options(),
        },
        status_code=status_code,
    )
    return i18n.with_csrf_cookie(request, response)


@router.get("/support", response_class=HTMLResponse)
def support_page(request: Request) -> HTMLResponse:
    return _form_page(request, {"language": i18n.language_for(request)})


@router.post(
    "/support/from-report", response_class=HTMLResponse, dependencies=[Depends(check_public_csrf)]
)
def support_from_report(request: Request, form: FormData = Depends(form_data)) -> HTMLResponse:
    """The form, carrying a report's case number and token (from its follow-up page or its
    confirmation) so that the request is linked to the report. Posted, so the token never
    appears in an address or the browser's history."""
    values = {
        "case_number": str(form.get("case_number") or "")[:24],
        "token": str(form.get("token") or "")[:64],
        "language": i18n.language_for(request),
    }
    return _form_page(request, values)


def _values(form: FormData) -> dict[str, Any]:
    def text(name: str, limit: int) -> str:
        return str(form.get(name) or "")[:limit]

    return {
        "who": text("who", 20),
        "asker": text("asker", 20),
        "kinds": [str(k)[:20] for k in form.getlist("kinds")][:8],
        "call_me": text("call_me", 60),
        "child_age": text("child_age", 3),
        "language": text("language", 8) or "en",
        "region": text("region", 8) or "US",
        "channel": text("channel", 8),
        "contact": text("contact", 254),
        "safe_times": text("safe_times", 200),
        "no_voicemail": form.get("no_voicemail") == "yes",
        "shared_phone": form.get("shared_phone") == "yes",
        "self_harm": text("self_harm", 8),
        "message": text("message", schemas.MAX_MESSAGE + 1),
        "case_number": text("case_number", 24),
        "token": text("token", 64),
    }


def _payload(values: dict[str, Any]) -> SupportRequestIn:
    age = values["child_age"].strip()
    return SupportRequestIn.model_validate(
        {
            "who": values["who"],
            "asker": values["asker"],
            "kinds": values["kinds"],
            "call_me": values["call_me"],
            "child_age": int(age) if age.isdigit() else None,
            "language": values["language"],
            "region": values["region"],
            "channel": values["channel"],
            "contact": values["contact"],
            "safe_times": values["safe_times"],
            "no_voicemail": values["no_voicemail"],
            "shared_phone": values["shared_phone"],
            "self_harm": values["self_harm"] == "yes",
            "message": values["message"],
        }
    )


def _field_errors(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err.get("loc") else "form"
        out.setdefault(field, err.get("type", "invalid"))
    return out


_FIELD_OF_CODE = {
    "contact_needed": "contact",
    "bad_email": "contact",
    "bad_region": "region",
    "no_match": "case_number",
}


@router.post("/support", response_class=HTMLResponse, dependencies=[Depends(check_public_csrf)])
def support_submit(
    request: Request,
    form: FormData = Depends(form_data),
    db_session: Session = Depends(get_db, scope="function"),
) -> HTMLResponse:
    values = _values(form)
    if not values["child_age"].strip().isdigit() and values["child_age"].strip():
        return _form_page(request, values, {"child_age": "number"}, 400)
    try:
        payload = _payload(values)
    except ValidationError as exc:
        return _form_page(request, values, _field_errors(exc), 400)
    try:
        rate_limit_person(request, "support")
        if values["case_number"] and values["token"]:
            made = service.create_for_report(
                db_session,
                payload=payload,
                case_number=values["case_number"],
                token=values["token"],
            )
        else:
            made = service.create(db_session, payload=payload)
    except TiplineError as exc:
        db_session.rollback()
        field = _FIELD_OF_CODE.get(exc.code, "form")
        return _form_page(request, values, {field: exc.code}, exc.status_code)
    db_session.commit()
    return render(
        request,
        "support_done.html",
        {"support": made.request, "code": made.code, "asker": payload.asker.value},
    )


@api_router.post("/support", status_code=201, response_model=schemas.SupportRequestOut)
def support_api(
    payload: SupportRequestIn,
    request: Request,
    db_session: Session = Depends(get_db, scope="function"),
) -> dict[str, Any]:
    """Ask for support (a family, or an app on its behalf): 201 with the request's number and
    the code to check on it (shown once)."""
    rate_limit_person(request, "support")
    made = service.create(db_session, payload=payload, actor="public")
    db_session.commit()
    return {
        "number": made.request.number,
        "code": made.code,
        "urgent": made.request.urgency == 1,
    }


# Following up (public) ------------------------------------------------------------------------


def _follow_up_form(
    request: Request, error: str | None = None, number: str = "", status_code: int = 200
) -> HTMLResponse:
    response = render(
        request,
        "support_follow_up.html",
        {"csrf_token": csrf_token_for(request, None), "error": error, "number": number},
        status_code=status_code,
    )
    return i18n.with_csrf_cookie(request, response)


@router.get("/support/follow-up", response_class=HTMLResponse)
def follow_up_page(request: Request) -> HTMLResponse:
    return _follow_up_form(request)


def _family_page(
    request: Request,
    db_session: Session,
    support: SupportRequest,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    matches = peers.matches_of_request(db_session, request=support)
    shown = peers.profiles(db_session, [m.peer_id for m in matches])
    response = render(
        request,
        "support_status.html",
        {
            "support": support,
            "csrf_token": csrf_token_for(request, None),
            "referrals": referrals.of_request(db_session, request=support),
            "matches": [
                {
                    "match": m,
                    "peer_name": shown[m.peer_id].first_name if m.peer_id in shown else "",
                    "messages": peers.messages(db_session, match=m)
                    if m.status in ("active", "ended")
                    else [],
                }
                for m in matches
            ],
            "message": message,
        },
        status_code=status_code,
    )
    return i18n.with_csrf_cookie(request, response)


FAMILY_COOKIE = "tipline_support_pass"
FAMILY_PATH = "/support/follow-up"
DONE = {"add", "consent", "decline", "end", "message"}


def _open_for_family(request: Request, db_session: Session, form: FormData) -> SupportRequest:
    """The request this browser may see: by the number and code just typed, or else by the
    pass it was given when they were typed (never the code itself, which is not kept)."""
    number = str(form.get("number") or "").strip()[:24]
    code = str(form.get("code") or "").strip()[:64]
    if number or code:
        rate_limit(request, "follow-up")
        return service.for_family(db_session, number=number, code=code)
    return service.by_family_pass(
        db_session,
        get_settings(request).master_key,
        value=request.cookies.get(FAMILY_COOKIE, ""),
        now=utcnow(),
    )


def _to_status(request: Request, support: SupportRequest, query: str = "") -> Response:
    """After a family's POST, a GET page (so reloading never posts again) and a fresh pass."""
    response = RedirectResponse(f"{FAMILY_PATH}/status{query}", status_code=303)
    response.set_cookie(
        FAMILY_COOKIE,
        service.family_pass(get_settings(request).master_key, request=support, now=utcnow()),
        path=FAMILY_PATH,
        httponly=True,
        samesite="strict",  # Secure is added by the headers middleware behind HTTPS
    )
    return response


@router.post(
    "/support/follow-up", response_class=HTMLResponse, dependencies=[Depends(check_public_csrf)]
)
def follow_up(
    request: Request,
    form: FormData = Depends(form_data),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    number = str(form.get("number") or "")[:24]
    try:
        if not number or not form.get("code"):
            raise BadInput("enter the number and the code", code="no_match")
        support = _open_for_family(request, db_session, form)
    except TiplineError as exc:
        db_session.commit()
        return _follow_up_form(request, exc.code, number, exc.status_code)
    return _to_status(request, support)


@router.get("/support/follow-up/status", response_class=HTMLResponse)
def follow_up_status(
    request: Request,
    done: str = "",
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """The family's page, reloadable: it shows new messages from a peer without retyping."""
    try:
        support = _open_for_family(request, db_session, FormData())
    except TiplineError as exc:
        return _follow_up_form(request, exc.code, "", exc.status_code)
    message = f"done:{done}" if done in DONE else None
    return _family_page(request, db_session, support, message)


@router.post(
    "/support/follow-up/leave",
    response_class=HTMLResponse,
    dependencies=[Depends(check_public_csrf)],
)
def follow_up_leave(request: Request) -> Response:
    """Close the family's page on this browser (a shared phone) before the pass runs out."""
    response = RedirectResponse(FAMILY_PATH, status_code=303)
    response.delete_cookie(FAMILY_COOKIE, path=FAMILY_PATH)
    return response


@router.post(
    "/support/follow-up/{action}",
    response_class=HTMLResponse,
    dependencies=[Depends(check_public_csrf)],
)
def follow_up_action(
    action: str,
    request: Request,
    form: FormData = Depends(form_data),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """What a family does from its follow-up page: add to the request, say yes to a peer, send
    a peer a message, end a match."""
    try:
        support = _open_for_family(request, db_session, form)
    except TiplineError as exc:
        db_session.commit()
        return _follow_up_form(request, exc.code, "", exc.status_code)
    match_id = str(form.get("match") or "")[:32]
    text = str(form.get("text") or "")
    try:
        if action not in DONE:
            raise BadInput("unknown action", code="unknown_action")
        _FAMILY_ACTIONS[action](db_session, support, match_id, text)
    except TiplineError as exc:
        db_session.rollback()
        support = db_session.get(SupportRequest, support.id) or support
        return _family_page(request, db_session, support, f"error:{exc.code}", exc.status_code)
    db_session.commit()
    return _to_status(request, support, f"?done={action}")


def _family_sends(db_session: Session, support: SupportRequest, match_id: str, text: str) -> None:
    match = peers.match_of_request(db_session, request=support, match_id=match_id)
    peers.send(db_session, match=match, side="family", text=text, actor="family")


_FAMILY_ACTIONS: dict[str, Any] = {
    "add": lambda db, support, _match, text: service.family_adds(db, request=support, text=text),
    "consent": lambda db, support, match, _text: peers.family_consents(
        db, request=support, match_id=match
    ),
    "decline": lambda db, support, match, _text: peers.family_ends(
        db, request=support, match_id=match
    ),
    "end": lambda db, support, match, _text: peers.family_ends(db, request=support, match_id=match),
    "message": _family_sends,
}


# The advocates' console ------------------------------------------------------------------------


@router.get("/console/support", response_class=HTMLResponse)
def support_queue(
    request: Request,
    user: User = Depends(require_user(*ADVOCATES)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    mine = request.query_params.get("mine") == "1"
    try:
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        raise BadInput("page must be a number", code="bad_page") from None
    found = service.queue(db_session, mine=user.id if mine else None, page=max(1, page))
    names = auth.actor_names(
        db_session, [f"user:{i.claimed_by}" for i in found["items"] if i.claimed_by]
    )
    return staff_page(
        request,
        "support_queue.html",
        staff_session,
        {
            "found": found,
            "mine": mine,
            "names": names,
            "can_see_workload": user.role in SUPERVISOR_ROLES,
        },
    )


@router.get("/console/support/workload", response_class=HTMLResponse)
def workload_page(
    request: Request,
    user: User = Depends(require_user(*SUPERVISOR_ROLES)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """The supervisor's view of the desk: each advocate's open requests, the urgent ones, the
    check-ins due, and what nobody has claimed."""
    load = service.workload(db_session)
    names = auth.actor_names(db_session, [f"user:{c.user_id}" for c in load["advocates"]])
    return staff_page(
        request, "support_workload.html", staff_session, {"load": load, "names": names}
    )


def _request_page(
    request: Request,
    db_session: Session,
    staff_session: StaffSession | None,
    support: SupportRequest,
    user: User,
) -> Response:
    params = request.query_params
    region = params.get("region") or (support.region if support.region not in ("other",) else "")
    language = params.get("language") or (support.language if support.language != "other" else "")
    kind = params.get("kind") or ""
    services = directory.search(
        db_session, region=region or None, language=language or None, kind=kind or None
    )
    log = service.log_of(db_session, request=support)
    events = audit.timeline(db_session, subject_type=service.SUBJECT, subject_id=support.id)
    matches = peers.matches_of_request(db_session, request=support)
    profiles = peers.profiles(db_session, [m.peer_id for m in matches])
    actors = auth.actor_names(
        db_session,
        [e.by for e in log]
        + [e.actor for e in events]
        + ([f"user:{support.claimed_by}"] if support.claimed_by else []),
    )
    return staff_page(
        request,
        "support_request.html",
        staff_session,
        {
            "support": support,
            "log": log,
            "events": events,
            "actors": actors,
            "facts": service.report_facts(db_session, request=support),
            "referrals": referrals.of_request(db_session, request=support),
            "services": services,
            "search": {"region": region, "language": language, "kind": kind},
            "matches": [(m, profiles.get(m.peer_id)) for m in matches],
            "candidates": peers.candidates(db_session, request=support)
            if support.status != "closed"
            else [],
            "mine": support.claimed_by == user.id,
            "done": params.get("done", "")[:32],
            "outcomes": [o.value for o in Outcome],
            "channels": [c.value for c in Channel if c != Channel.NONE],
            "consent_bys": [c.value for c in ConsentBy],
            "referral_statuses": [s.value for s in ReferralStatus],
            "close_reasons": [r.value for r in CloseReason],
            **_options(),
        },
    )


@router.get("/console/support/services", response_class=HTMLResponse)
def services_page(
    request: Request,
    user: User = Depends(require_user(*ADVOCATES)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    params = request.query_params
    search = {k: params.get(k, "")[:20] for k in ("region", "language", "kind")}
    found = directory.search(
        db_session,
        region=search["region"] or None,
        language=search["language"] or None,
        kind=search["kind"] or None,
    )
    return staff_page(
        request,
        "support_services.html",
        staff_session,
        {
            "services": found,
            "search": search,
            "admin": user.role == Role.ADMIN,
            "done": params.get("done", "")[:20],
            **_options(),
        },
    )


@router.post("/console/support/services", dependencies=[Depends(check_csrf)])
def services_add(
    user: User = Depends(require_user(Role.ADMIN)),
    form: FormData = Depends(form_data),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """An administrator adds a local service, or changes one (by id)."""

    def text(name: str, limit: int = 500) -> str | None:
        value = str(form.get(name) or "").strip()[:limit]
        return value or None

    entry = {
        "id": text("id", 64),
        "name": text("name", 160),
        "name_es": text("name_es", 160),
        "kind": text("kind", 20),
        "description": text("description", 2000),
        "description_es": text("description_es", 2000),
        "phone": text("phone", 32),
        "sms": text("sms", 32),
        "email": text("email", 254),
        "url": text("url", 500),
        "hours": text("hours", 200),
        "languages": [str(x)[:2] for x in form.getlist("languages")][:10],
        "region": text("region", 8),
        "ages": text("ages", 60),
        "checked": text("checked", 10),
    }
    directory.save(db_session, raw=[entry], actor=f"user:{user.id}")
    db_session.commit()
    return RedirectResponse("/console/support/services?done=saved", status_code=303)


@router.get("/console/support/{number}", response_class=HTMLResponse)
def request_page(
    number: str,
    request: Request,
    user: User = Depends(require_user(*ADVOCATES)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    support = service.get(db_session, number=number)
    return _request_page(request, db_session, staff_session, support, user)


def _when(value: str, user: User) -> datetime:
    """A date and time typed in the advocate's own zone."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput("give the check-in as a date and time", code="bad_time") from None
    zone = ZoneInfo(user.time_zone or "UTC")
    return naive.replace(tzinfo=zone) if naive.tzinfo is None else naive


@router.post("/console/support/{number}/{action}", dependencies=[Depends(check_csrf)])
def request_action(
    number: str,
    action: str,
    user: User = Depends(require_user(*ADVOCATES)),
    form: FormData = Depends(form_data),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """An advocate's step on a request; back to its page, saying what was done."""
    support = service.get(db_session, number=number)

    def field(name: str, limit: int = 4000) -> str:
        return str(form.get(name) or "")[:limit]

    def pick(enum: Any, name: str) -> Any:
        try:
            return enum(field(name, 40))
        except ValueError:
            raise BadInput(
                f"choose a {name.replace('_', ' ')} from the list", code=f"bad_{name}"
            ) from None

    if action == "claim":
        service.claim(db_session, request=support, user_id=user.id)
    elif action == "release":
        service.release(db_session, request=support, user_id=user.id)
    elif action == "contact":
        service.log_contact(
            db_session,
            request=support,
            user_id=user.id,
            channel=pick(Channel, "channel"),
            outcome=pick(Outcome, "outcome"),
            note=field("note"),
        )
    elif action == "note":
        service.add_note(db_session, request=support, user_id=user.id, text=field("note"))
    elif action == "check-in":
        service.schedule_check_in(
            db_session, request=support, user_id=user.id, at=_when(field("at", 40), user)
        )
    elif action == "close":
        service.close(
            db_session, request=support, user_id=user.id, reason=pick(CloseReason, "reason")
        )
    elif action == "refer":
        referrals.refer(
            db_session,
            request=support,
            service_id=field("service", 32),
            user_id=user.id,
            consent=form.get("consent") == "yes",
            consent_by=pick(ConsentBy, "consent_by"),
            consent_how=pick(Channel, "consent_how"),
            for_family=field("for_family", 500),
        )
    elif action == "referral":
        referrals.update(
            db_session,
            request=support,
            referral_id=field("referral", 32),
            user_id=user.id,
            status=pick(ReferralStatus, "status"),
            for_family=field("for_family", 500) if "for_family" in form else None,
        )
    elif action == "match":
        peers.propose(
            db_session,
            request=support,
            peer_id=field("peer", 32),
            user_id=user.id,
            why=field("why", 300),
        )
    elif action == "end-match":
        match = peers.match_of_request(db_session, request=support, match_id=field("match", 32))
        peers.end(db_session, match=match, side="advocate", actor=f"user:{user.id}")
    else:
        raise BadInput("unknown action", code="unknown_action")
    db_session.commit()
    return RedirectResponse(f"/console/support/{support.number}?done={action}", status_code=303)


# The peers' portal ---------------------------------------------------------------------------


@router.get("/peer", response_class=HTMLResponse)
def peer_home(
    request: Request,
    user: User = Depends(require_user(Role.PEER)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    profile = peers.vetted_profile(db_session, user=user)
    matches = peers.matches_of_peer(db_session, user=user)
    families = peers.families_of(db_session, matches)
    return staff_page(
        request,
        "peer_home.html",
        staff_session,
        {"profile": profile, "matches": [(m, families[m.id]) for m in matches]},
    )


@router.get("/peer/matches/{match_id}", response_class=HTMLResponse)
def peer_match(
    match_id: str,
    request: Request,
    user: User = Depends(require_user(Role.PEER)),
    staff_session: StaffSession | None = Depends(current_session),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    peers.vetted_profile(db_session, user=user)
    match = peers.match_of_peer(db_session, user=user, match_id=match_id)
    family = peers.families_of(db_session, [match])[match.id]
    return staff_page(
        request,
        "peer_match.html",
        staff_session,
        {
            "match": match,
            "family": family,
            "messages": peers.messages(db_session, match=match),
            "done": request.query_params.get("done", "")[:20],
        },
    )


@router.post("/peer/matches/{match_id}/{action}", dependencies=[Depends(check_csrf)])
def peer_action(
    match_id: str,
    action: str,
    user: User = Depends(require_user(Role.PEER)),
    form: FormData = Depends(form_data),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    peers.vetted_profile(db_session, user=user)
    if action == "accept":
        peers.peer_accepts(db_session, user=user, match_id=match_id)
    elif action in ("decline", "end"):
        match = peers.match_of_peer(db_session, user=user, match_id=match_id)
        peers.end(db_session, match=match, side="peer", actor=f"user:{user.id}")
    elif action == "message":
        match = peers.match_of_peer(db_session, user=user, match_id=match_id)
        peers.send(
            db_session,
            match=match,
            side="peer",
            text=str(form.get("text") or "")[: schemas.MAX_RELAY + 1],
            actor=f"user:{user.id}",
        )
    else:
        raise BadInput("unknown action", code="unknown_action")
    db_session.commit()
    return RedirectResponse(f"/peer/matches/{match_id}?done={action}", status_code=303)
