"""/hashsharing/v2: NCMEC's Hash Sharing API over tipline's take-down list (hashsharing.py).

HTTP Basic with a platform's login (`tipline orgs add --kind platform` prints it), checked and
limited as /ispws checks an ESP's. Every answer is XML, errors included.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from tipline import nul
from tipline.auth import service as auth
from tipline.auth.models import Organisation
from tipline.config import Settings
from tipline.db import utcnow
from tipline.deps import (
    basic_login,
    client_address,
    get_db,
    get_read_db,
    get_settings,
    raw_body,
)
from tipline.errors import BadInput, NotFound, TiplineError
from tipline.takedown import hashsharing, service
from tipline.takedown.models import HashEntry


class LoginRefused(Exception):
    """No login, or a wrong one: 401, and the client is told to use Basic."""


def _xml(body: bytes, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type=hashsharing.XML_TYPE)


class _XmlAnswers(APIRoute):
    """Errors answered in XML, as everything else here: a refused login (401 with
    WWW-Authenticate), anything the caller sent wrong (4xx). A 5xx stays the app's own."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handle(request)
            except LoginRefused:
                refused = _xml(hashsharing.error(401, "log in with the platform's login"), 401)
                refused.headers["WWW-Authenticate"] = 'Basic realm="hashsharing"'
                return refused
            except RequestValidationError as exc:
                problem = "; ".join(str(e.get("msg", "invalid")) for e in exc.errors()[:3])
                return _xml(hashsharing.error(422, problem), 422)
            except TiplineError as exc:
                if exc.status_code >= 500:
                    raise
                return _xml(hashsharing.error(exc.status_code, exc.message), exc.status_code)

        return answer


def platform(
    request: Request, db_session: Session = Depends(get_read_db, scope="function")
) -> Organisation:
    """The platform whose Basic login came with the request. Checked in a read transaction of its
    own, before any write lock; wrong logins count against the address, as on /ispws."""
    org = basic_login(
        request,
        lambda user, password: auth.authenticate_hashsharing(
            db_session, username=user, password=password
        ),
    )
    if org is None:
        raise LoginRefused
    db_session.close()
    return org


router = APIRouter(
    prefix="/hashsharing/v2",
    include_in_schema=False,
    route_class=_XmlAnswers,
    # The login first: without one, every route answers 401 whatever else is wrong.
    dependencies=[Depends(platform), Depends(nul.refuse_in_request)],
)


def _number(value: str, *, name: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) >= 2**63:
        raise BadInput(f"{name} is a whole number", code=f"invalid_{name}")
    return int(value)


def _optional_number(value: str | None, *, name: str) -> int | None:
    return None if value is None else _number(value, name=name)


@router.get("/status")
def status(request: Request, org: Organisation = Depends(platform)) -> Response:
    """Who the caller is."""
    return _xml(
        hashsharing.status(
            member=hashsharing.member_of(org.id, org.name),
            username=org.ispws_username or "",
            address=client_address(request),
        )
    )


@router.get("/members")
def members(org: Organisation = Depends(platform)) -> Response:
    """The list's member and the caller; no other platform is named to a platform."""
    listed = [hashsharing.LIST_MEMBER, hashsharing.member_of(org.id, org.name)]
    return _xml(hashsharing.members(listed))


@router.get("/feedback/{fingerprint_type}/reasons")
def feedback_reasons(fingerprint_type: str) -> Response:
    return _xml(hashsharing.reasons(hashsharing.feedback_type(fingerprint_type)))


@router.get("/entries")
def entries(
    request: Request,
    settings: Settings = Depends(get_settings),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """Entries and tombstones changed from `from` to `to`, both included; paged by <next>."""
    query = request.query_params
    if "from" not in query or "to" not in query:
        raise BadInput("from and to are required, e.g. from=2024-01-01T00:00:00Z", code="no_window")
    since = hashsharing.parse_timestamp(query["from"], name="from")
    to = hashsharing.parse_timestamp(query["to"], name="to")
    if since > to:
        raise BadInput("from is after to", code="invalid_window")
    # A client east of UTC writes its local time marked Z: read its window in UTC instead, and
    # hand out paging URLs in UTC (hashsharing.py).
    offset = hashsharing.client_offset(to, now=utcnow())
    since, to = since - offset, to - offset
    size = _optional_number(query.get("size"), name="size")
    if size is None:
        size = settings.hashsharing_page_size
    page = service.shared_changes(
        db_session,
        since=since,
        until=hashsharing.window_end(to),
        start=_optional_number(query.get("start"), name="start") or 0,
        newest=_optional_number(query.get("max"), name="max"),
        limit=size,
    )
    next_url = None
    if page.next_start is not None:
        next_url = hashsharing.next_path(
            since=since, to=to, start=page.next_start, size=size, newest=page.newest
        )
    return _xml(hashsharing.query_result(page, next_url=next_url))


@router.put("/entries/{member_id}/{entry_id}/{fingerprint_type}/feedback")
def feedback(
    member_id: str,
    entry_id: str,
    fingerprint_type: str,
    *,
    org: Organisation = Depends(platform),
    body: bytes = Depends(raw_body),
    db_session: Session = Depends(get_db, scope="function"),
) -> Response:
    """An upvote (tipline's `matched`) or a downvote (`false_positive`) on one entry."""
    kind = hashsharing.feedback_type(fingerprint_type)
    vote = hashsharing.parse_vote(body)
    entry = _entry(member_id, entry_id, kind, db_session)
    if vote.affirmative:
        outcome, note = "matched", ""
    else:
        outcome = "false_positive"
        note = "; ".join(hashsharing.reason_names(kind, vote.reason_ids))
    recorded = service.record_vote(
        db_session, organisation=org, entry=entry, outcome=outcome, note=note
    )
    db_session.commit()
    return _xml(hashsharing.submission_result(recorded=recorded))


def _entry(member_id: str, entry_id: str, kind: str, db_session: Session) -> HashEntry:
    member = _number(member_id, name="member")
    number = _number(entry_id, name="entry")
    if member != hashsharing.LIST_MEMBER.id:
        raise NotFound(f"member {member_id[:20]} has no entries here", code="unknown_member")
    entry = service.shared_entry(db_session, entry_id=number)
    if entry.signal_type != hashsharing.FEEDBACK_TYPES[kind]:
        raise NotFound(f"entry {number} has no {kind} fingerprint", code="wrong_type")
    return entry
