"""Referring a family to a service, with their consent recorded; what became of it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.db import utcnow
from tipline.errors import BadInput, Conflict, NotFound
from tipline.support import service
from tipline.support.events import SupportEvent
from tipline.support.models import SupportReferral, SupportRequest, SupportService
from tipline.support.schemas import Channel, ConsentBy, ReferralStatus

MAX_FOR_FAMILY = 500


def refer(
    db_session: Session,
    *,
    request: SupportRequest,
    service_id: str,
    user_id: str,
    consent: bool,
    consent_by: ConsentBy,
    consent_how: Channel,
    for_family: str = "",
) -> SupportReferral:
    """No referral without the family's consent: the advocate records who agreed and how."""
    if not consent:
        raise BadInput(
            "a referral needs the family's consent: ask them first, then tick the box",
            code="no_consent",
        )
    if consent_how == Channel.NONE:
        raise BadInput("say how the family gave consent (call, text or email)", code="consent_how")
    if request.status == "closed":
        raise Conflict("this request is closed; reopen it first", code="closed")
    target = db_session.get(SupportService, service_id)
    if target is None or not target.active:
        raise NotFound("no such service in the directory", code="no_such_service")
    referral = SupportReferral(
        request_id=request.id,
        service_id=target.id,
        consent_by=consent_by.value,
        consent_how=consent_how.value,
        consent_at=utcnow(),
        made_by=f"user:{user_id}",
        for_family=for_family.strip()[:MAX_FOR_FAMILY],
    )
    db_session.add(referral)
    db_session.flush()
    service.record_event(
        db_session,
        request,
        SupportEvent.REFERRED,
        f"user:{user_id}",
        {
            "referral": referral.id,
            "service": target.slug,
            "kind": target.kind,
            "consent_by": consent_by.value,
            "consent_how": consent_how.value,
        },
    )
    return referral


def update(
    db_session: Session,
    *,
    request: SupportRequest,
    referral_id: str,
    user_id: str,
    status: ReferralStatus,
    for_family: str | None = None,
) -> SupportReferral:
    referral = db_session.get(SupportReferral, referral_id)
    if referral is None or referral.request_id != request.id:
        raise NotFound("no such referral on this request", code="no_such_referral")
    referral.status = status.value
    if for_family is not None:
        referral.for_family = for_family.strip()[:MAX_FOR_FAMILY]
    referral.updated_at = utcnow()
    service.record_event(
        db_session,
        request,
        SupportEvent.REFERRAL_UPDATED,
        f"user:{user_id}",
        {"referral": referral.id, "status": status.value},
    )
    return referral


def of_request(
    db_session: Session, *, request: SupportRequest
) -> list[tuple[SupportReferral, SupportService]]:
    return [
        (r, s)
        for r, s in db_session.execute(
            select(SupportReferral, SupportService)
            .join(SupportService, SupportService.id == SupportReferral.service_id)
            .where(SupportReferral.request_id == request.id)
            .order_by(SupportReferral.made_at)
        )
    ]
