"""Volunteer peers who have lived the same: their profiles, matches made with both sides'
consent, and messages relayed through tipline, so that no one's number or address is shared.

A peer has the least access of anyone: their own matches only, the family by the name it chose
and its language, never a report, a referral or a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth.models import User
from tipline.auth.roles import Role
from tipline.db import utcnow
from tipline.errors import BadInput, Conflict, Forbidden, NotFound
from tipline.support import service
from tipline.support.events import SupportEvent
from tipline.support.models import PeerMatch, PeerProfile, RelayMessage, SupportRequest
from tipline.support.schemas import LANGUAGES, MAX_RELAY, REGIONS, Experience, Kind

# A peer is offered to at most this many families at once.
MAX_OPEN_MATCHES = 3
LIVE = ("proposed", "active")


def save_profile(
    db_session: Session,
    *,
    user: User,
    first_name: str,
    languages: list[str],
    region: str,
    experiences: list[str],
    vetted_until: date,
    trained_on: date | None,
    actor: str,
) -> PeerProfile:
    if user.role != Role.PEER:
        raise BadInput("only a peer account has a peer profile", code="not_a_peer")
    first_name = first_name.strip()
    if not first_name or len(first_name) > 60 or " " in first_name:
        raise BadInput("a first name only, up to 60 letters", code="first_name")
    bad = [x for x in languages if x not in LANGUAGES] or ([] if languages else ["(none)"])
    if bad:
        raise BadInput(f"languages: one or more of {', '.join(LANGUAGES)}", code="languages")
    if region not in REGIONS:
        raise BadInput("region: a US state code (US-TX), US or other", code="bad_region")
    known = {e.value for e in Experience}
    if not experiences or any(e not in known for e in experiences):
        raise BadInput(
            f"experiences: one or more of {', '.join(sorted(known))}", code="experiences"
        )
    profile = db_session.get(PeerProfile, user.id) or PeerProfile(user_id=user.id)
    profile.first_name = first_name
    profile.languages = list(dict.fromkeys(languages))
    profile.region = region
    profile.experiences = list(dict.fromkeys(experiences))
    profile.vetted_until = vetted_until
    profile.trained_on = trained_on
    profile.active = True
    db_session.add(profile)
    audit.record(
        db_session,
        actor=actor,
        action=SupportEvent.PEER_PROFILE_SAVED,
        subject_type="user",
        subject_id=user.id,
        data={"vetted_until": vetted_until.isoformat(), "languages": profile.languages},
    )
    return profile


def vetted_profile(db_session: Session, *, user: User, today: date | None = None) -> PeerProfile:
    """A peer may act only with a profile whose vetting has not run out."""
    profile = db_session.get(PeerProfile, user.id)
    today = today or utcnow().date()
    if profile is None or not profile.active:
        raise Forbidden(
            "your peer profile is not set up yet; ask the support desk", code="no_profile"
        )
    if profile.vetted_until < today:
        raise Forbidden(
            "your vetting ended on "
            f"{profile.vetted_until.isoformat()}; the support desk can renew it",
            code="vetting_ended",
        )
    return profile


@dataclass(frozen=True)
class Candidate:
    profile: PeerProfile
    score: int
    why: list[str]


def candidates(
    db_session: Session, *, request: SupportRequest, experience: str | None = None
) -> list[Candidate]:
    """Vetted, active peers who speak the family's language, best first: the same lived
    experience, then the same state, then the fewest open matches."""
    today = utcnow().date()
    load: dict[str, int] = {
        peer_id: int(n)
        for peer_id, n in db_session.execute(
            select(PeerMatch.peer_id, func.count())
            .where(PeerMatch.status.in_(LIVE))
            .group_by(PeerMatch.peer_id)
        )
    }
    already = set(
        db_session.scalars(select(PeerMatch.peer_id).where(PeerMatch.request_id == request.id))
    )
    out = []
    for profile in db_session.scalars(
        select(PeerProfile)
        .join(User, User.id == PeerProfile.user_id)
        .where(
            PeerProfile.active.is_(True),
            PeerProfile.vetted_until >= today,
            User.is_active.is_(True),
        )
    ):
        if profile.user_id in already or load.get(profile.user_id, 0) >= MAX_OPEN_MATCHES:
            continue
        language = request.language if request.language != "other" else "en"
        if language not in profile.languages:
            continue
        score, why = 0, [f"speaks {language}"]
        wanted = experience or _experience_for(request)
        if wanted in profile.experiences:
            score += 10
            why.append(f"has lived: {wanted}")
        if profile.region == request.region and request.region not in ("US", "other"):
            score += 3
            why.append("same state")
        score -= load.get(profile.user_id, 0)
        out.append(Candidate(profile, score, why))
    out.sort(key=lambda c: (-c.score, c.profile.first_name))
    return out


def _experience_for(request: SupportRequest) -> str:
    """Whom a family would most want: a parent for a parent, a survivor for a young person."""
    return (
        Experience.PARENT_OF_VICTIM.value
        if request.who in ("parent", "sibling", "other_family")
        else Experience.SURVIVOR.value
    )


def propose(
    db_session: Session,
    *,
    request: SupportRequest,
    peer_id: str,
    user_id: str,
    why: str = "",
) -> PeerMatch:
    if Kind.PEER.value not in request.kinds:
        request.kinds = [*request.kinds, Kind.PEER.value]
    if request.status == "closed":
        raise Conflict("this request is closed; reopen it first", code="closed")
    if not any(c.profile.user_id == peer_id for c in candidates(db_session, request=request)):
        raise BadInput(
            "that peer cannot take this match (language, vetting, or already busy)",
            code="not_a_candidate",
        )
    match = PeerMatch(
        request_id=request.id, peer_id=peer_id, proposed_by=f"user:{user_id}", why=why[:300]
    )
    db_session.add(match)
    db_session.flush()
    service.record_event(
        db_session,
        request,
        SupportEvent.MATCH_PROPOSED,
        f"user:{user_id}",
        {"match": match.id, "peer": peer_id},
    )
    return match


def match_of_request(db_session: Session, *, request: SupportRequest, match_id: str) -> PeerMatch:
    match = db_session.get(PeerMatch, match_id)
    if match is None or match.request_id != request.id:
        raise NotFound("no such match", code="no_such_match")
    return match


def match_of_peer(db_session: Session, *, user: User, match_id: str) -> PeerMatch:
    """A peer's own match; any other is as if it did not exist."""
    match = db_session.get(PeerMatch, match_id)
    if match is None or match.peer_id != user.id:
        raise NotFound("no such match", code="no_such_match")
    return match


def _consented(db_session: Session, match: PeerMatch, side: str, actor: str) -> None:
    if match.status != "proposed":
        raise Conflict("this match is no longer waiting for an answer", code="not_proposed")
    now = utcnow()
    if side == "family":
        match.family_consent_at = now
    else:
        match.peer_consent_at = now
    if match.family_consent_at and match.peer_consent_at:
        match.status = "active"
    request = _request_of(db_session, match)
    service.record_event(
        db_session,
        request,
        SupportEvent.MATCH_CONSENTED,
        actor,
        {"match": match.id, "side": side, "active": match.status == "active"},
    )


def _request_of(db_session: Session, match: PeerMatch) -> SupportRequest:
    request = db_session.get(SupportRequest, match.request_id)
    assert request is not None  # noqa: S101 - a match always has its request (foreign key)
    return request


def family_consents(db_session: Session, *, request: SupportRequest, match_id: str) -> PeerMatch:
    match = match_of_request(db_session, request=request, match_id=match_id)
    _consented(db_session, match, "family", "family")
    return match


def peer_accepts(db_session: Session, *, user: User, match_id: str) -> PeerMatch:
    vetted_profile(db_session, user=user)
    match = match_of_peer(db_session, user=user, match_id=match_id)
    _consented(db_session, match, "peer", f"user:{user.id}")
    return match


def end(db_session: Session, *, match: PeerMatch, side: str, actor: str) -> None:
    """Either side ends a match at once (or declines one not yet begun); nothing more is
    relayed. The messages stay until the retention setting removes them."""
    if match.status in ("ended", "declined"):
        return
    declined = match.status == "proposed"
    match.status = "declined" if declined else "ended"
    match.ended_by, match.ended_at = side, utcnow()
    request = _request_of(db_session, match)
    service.record_event(
        db_session,
        request,
        SupportEvent.MATCH_DECLINED if declined else SupportEvent.MATCH_ENDED,
        actor,
        {"match": match.id, "by": side},
    )


def family_ends(db_session: Session, *, request: SupportRequest, match_id: str) -> None:
    end(
        db_session,
        match=match_of_request(db_session, request=request, match_id=match_id),
        side="family",
        actor="family",
    )


def send(
    db_session: Session, *, match: PeerMatch, side: str, text: str, actor: str
) -> RelayMessage:
    if match.status != "active":
        raise Conflict(
            "messages go only through a match both sides have said yes to, until it ends",
            code="match_not_active",
        )
    text = text.strip()
    if not text:
        raise BadInput("the message is empty", code="empty_message")
    if len(text) > MAX_RELAY:
        raise BadInput(f"a message of at most {MAX_RELAY} characters", code="too_long")
    message = RelayMessage(match_id=match.id, side=side, text=text)
    db_session.add(message)
    request = _request_of(db_session, match)
    # The event says that a message went, never what it said.
    service.record_event(
        db_session, request, SupportEvent.MESSAGE_RELAYED, actor, {"match": match.id, "side": side}
    )
    return message


def messages(db_session: Session, *, match: PeerMatch) -> list[RelayMessage]:
    return list(
        db_session.scalars(
            select(RelayMessage)
            .where(RelayMessage.match_id == match.id)
            .order_by(RelayMessage.sent_at)
        )
    )


def matches_of_request(db_session: Session, *, request: SupportRequest) -> list[PeerMatch]:
    return list(
        db_session.scalars(
            select(PeerMatch)
            .where(PeerMatch.request_id == request.id)
            .order_by(PeerMatch.proposed_at)
        )
    )


def matches_of_peer(db_session: Session, *, user: User) -> list[PeerMatch]:
    return list(
        db_session.scalars(
            select(PeerMatch)
            .where(PeerMatch.peer_id == user.id)
            .order_by(PeerMatch.proposed_at.desc())
        )
    )


def families_of(db_session: Session, matches: list[PeerMatch]) -> dict[str, dict[str, str]]:
    """What a peer knows of each family: the name it chose to be called and its language,
    and who in it is being supported. Nothing else of the request, and never its report."""
    ids = sorted({m.request_id for m in matches})
    rows = (
        {
            r.id: r
            for r in db_session.scalars(select(SupportRequest).where(SupportRequest.id.in_(ids)))
        }
        if ids
        else {}
    )
    out = {}
    for m in matches:
        r = rows[m.request_id]
        out[m.id] = {
            "call_me": r.call_me or "",
            "language": r.language,
            "who": r.who,
            "asker": r.asker,
        }
    return out


def profiles(db_session: Session, user_ids: list[str]) -> dict[str, PeerProfile]:
    if not user_ids:
        return {}
    return {
        p.user_id: p
        for p in db_session.scalars(select(PeerProfile).where(PeerProfile.user_id.in_(user_ids)))
    }


def purge(db_session: Session, *, retention_days: int, now: datetime | None = None) -> int:
    """Delete relayed messages older than the retention setting; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    done = db_session.execute(delete(RelayMessage).where(RelayMessage.sent_at < cutoff))
    count = int(getattr(done, "rowcount", 0) or 0)
    if count:
        audit.record(
            db_session,
            actor="system",
            action=SupportEvent.MESSAGES_PURGED,
            subject_type="support_messages",
            subject_id="relay",
            data={"deleted": count, "older_than_days": retention_days},
        )
    return count
