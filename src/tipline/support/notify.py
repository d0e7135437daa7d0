"""Telling a family or a peer, by email, that a relayed message waits for them: never what it
says, who wrote it, or what the site is about beyond "support", because the inbox may be read by
someone else. A family is told only if it chose email as the safe way to reach it; a peer always
(their staff address). Text and calls need a provider tipline does not have: the advocate sees the
message in the request's timeline and can call as the family asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.auth.models import User
from tipline.config import Settings
from tipline.db import utcnow
from tipline.notices import sender
from tipline.support import service
from tipline.support.events import SupportEvent
from tipline.support.models import PeerMatch, RelayMessage, SupportRequest
from tipline.support.schemas import Channel

SUBJECT = {"en": "You have a new message", "es": "Tienes un mensaje nuevo"}
FAMILY_BODY = {
    "en": (
        "Hello,\n\nSomeone has written to you. To read it, open {page} and enter your request "
        "number and code.\n\nFor your privacy this email does not include the message.\n\n"
        "If anyone is in danger now, call 911. If someone is thinking about suicide, call or "
        "text 988.\n"
    ),
    "es": (
        "Hola:\n\nAlguien te escribió. Para leerlo, abre {page} y escribe tu número de "
        "solicitud y tu código.\n\nPara cuidar tu privacidad, este correo no incluye el "
        "mensaje.\n\nSi alguien está en peligro ahora, llama al 911. Si alguien está pensando "
        "en el suicidio, llama o manda un texto al 988.\n"
    ),
}
PEER_BODY = (
    "Hello,\n\nA family you support has written to you. Sign in at {page} to read it and "
    "answer.\n\nThis email does not include the message.\n"
)


@dataclass(frozen=True)
class Waiting:
    """Messages on one match that its other side has not been told of."""

    match: PeerMatch
    request: SupportRequest
    reader: str  # "family" or "peer"
    messages: list[RelayMessage]


def waiting(db_session: Session) -> list[Waiting]:
    rows = db_session.execute(
        select(RelayMessage, PeerMatch, SupportRequest)
        .join(PeerMatch, PeerMatch.id == RelayMessage.match_id)
        .join(SupportRequest, SupportRequest.id == PeerMatch.request_id)
        .where(RelayMessage.notified_at.is_(None))
        .order_by(RelayMessage.match_id, RelayMessage.side, RelayMessage.sent_at)
    ).all()
    found = []
    for (_, side), group in groupby(rows, key=lambda r: (r[0].match_id, r[0].side)):
        items = list(group)
        reader = "peer" if side == "family" else "family"
        found.append(Waiting(items[0][1], items[0][2], reader, [r[0] for r in items]))
    return found


def _address(db_session: Session, item: Waiting) -> str | None:
    if item.reader == "family":
        wanted = item.request.channel == Channel.EMAIL and "@" in item.request.contact
        return item.request.contact if wanted else None
    user = db_session.get(User, item.match.peer_id)
    return user.email if user is not None and user.is_active else None


def _page(settings: Settings, path: str) -> str:
    base = (settings.public_url or "").rstrip("/")
    return f"{base}{path}" if base else f"this site's {path} page"


def notify_waiting(db_session: Session, *, settings: Settings, now: datetime | None = None) -> int:
    """Send one email per match and reader for the messages not yet announced; returns how many
    went. Without a relay configured nothing is sent or marked. A relay that may have taken an
    email marks it sent: a family is never told twice of one message."""
    if not settings.smtp_url:
        return 0
    now = now or utcnow()
    sent = 0
    for item in waiting(db_session):
        address = _address(db_session, item)
        if address is not None:
            lang = "es" if item.reader == "family" and item.request.language == "es" else "en"
            body = (
                FAMILY_BODY[lang].format(page=_page(settings, "/support/follow-up"))
                if item.reader == "family"
                else PEER_BODY.format(page=_page(settings, "/peer"))
            )
            try:
                sender.send_email(
                    relay_url=settings.smtp_url,
                    sender=settings.support_from,
                    to=address,
                    subject=SUBJECT[lang],
                    body=body,
                    message_id=f"<relay-{item.messages[-1].id}@tipline.invalid>",
                )
            except sender.NotSent:
                continue  # certainly not delivered: the next run tries again
            except sender.MaybeSent:
                pass
            sent += 1
            action = (
                SupportEvent.FAMILY_NOTIFIED
                if item.reader == "family"
                else SupportEvent.PEER_NOTIFIED
            )
            # The event holds neither the address nor the messages: only that they were told.
            service.record_event(
                db_session,
                item.request,
                action,
                "system",
                {"match": item.match.id, "messages": len(item.messages)},
            )
        for message in item.messages:
            message.notified_at = now
    return sent
