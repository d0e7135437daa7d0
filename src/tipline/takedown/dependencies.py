"""What the victim's case routes share, in takedown and in the domains built on it (notices)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from tipline.deps import count_failure, rate_limit, refuse_if_failing
from tipline.errors import NotFound, TiplineError
from tipline.takedown import service
from tipline.takedown.models import TakedownCase


def case_by_pin(db_session: Session, request: Request, case_id: str, pin: str) -> TakedownCase:
    """The case a victim's PIN opens; wrong guesses count toward locking the case and the
    address, so a PIN cannot be guessed through any of the routes that take one."""
    rate_limit(request, "follow-up")
    refuse_if_failing(request)
    try:
        return service.case_for_pin(db_session, case_id=case_id, pin=pin)
    except TiplineError as exc:
        db_session.commit()  # a wrong PIN counts toward the lock even though the request fails
        if isinstance(exc, NotFound):
            count_failure(request)
        raise


def locked_answer(exc: service.CaseLocked) -> Response:
    """The usual error, and how long the lock lasts: `retry_after` seconds in the body and the
    Retry-After header, so that the victim's page can say when to try again."""
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message, "retry_after": exc.retry_after}},
        status_code=exc.status_code,
        headers={"Retry-After": str(exc.retry_after)},
    )


class CaseRoute(APIRoute):
    """A route that takes a case's PIN answers a locked case with `locked_answer`. (The app's
    error handler knows only a code and a message; a router opts in with `route_class`.)"""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except service.CaseLocked as exc:
                return locked_answer(exc)

        return answer
