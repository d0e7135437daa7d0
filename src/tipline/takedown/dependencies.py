"""What the victim's case routes share, in takedown and in the domains built on it (notices)."""

from __future__ import annotations

from fastapi import Request
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
