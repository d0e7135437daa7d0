"""Synthetic demo data: organisations, staff and reports, so a newcomer sees a living system.

Everything here is invented: no real people, no real accounts, nothing explicit. Reports are
written the way analysts write them up ("asked for images", "demanded money").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tipline import builders
from tipline.auth import service as auth
from tipline.auth.models import Organisation, User
from tipline.config import Settings
from tipline.db import utcnow
from tipline.detect import scan
from tipline.detect import service as detect
from tipline.notices import directory
from tipline.referral import routing
from tipline.referral import service as referral
from tipline.referral.models import Referral
from tipline.reports import service as reports
from tipline.reports.models import Person, Report
from tipline.review import bundling
from tipline.review import service as review
from tipline.support import directory as support_directory
from tipline.support import peers as support_peers
from tipline.support import referrals as support_referrals
from tipline.support import service as support_service
from tipline.support.schemas import Channel, ConsentBy, Outcome
from tipline.takedown import service as takedown

ACTOR = "demo"
DEMO_ESP = "Demo Chat Co (synthetic)"


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str
    # The agency an agency login works for: it sees that agency's referrals only.
    agency: str = ""


_STAFF = [
    ("admin", "demo-admin@tipline.local", "demo-admin-password"),
    ("supervisor", "demo-supervisor@tipline.local", "demo-supervisor-password"),
    ("analyst", "demo-analyst@tipline.local", "demo-analyst-password"),
    ("agency", "demo-agency@tipline.local", "demo-agency-password"),
    ("agency", "demo-agency-tx@tipline.local", "demo-agency-tx-password"),
    ("advocate", "demo-advocate@tipline.local", "demo-advocate-password"),
    ("peer", "demo-peer@tipline.local", "demo-peer-password"),
]

# Names colleagues see, and the zone each person works in (an agency in Texas keeps Central time).
_PROFILES = {
    "demo-admin@tipline.local": ("Demo Admin", "America/New_York"),
    "demo-supervisor@tipline.local": ("Demo Supervisor", "America/New_York"),
    "demo-analyst@tipline.local": ("Demo Analyst", "America/New_York"),
    "demo-agency@tipline.local": ("Demo Investigator (CA)", "America/Los_Angeles"),
    "demo-agency-tx@tipline.local": ("Demo Investigator (TX)", "America/Chicago"),
    "demo-advocate@tipline.local": ("Demo Advocate", "America/Chicago"),
    "demo-peer@tipline.local": ("Rosa", "America/Chicago"),
}

_STORIES = [
    (
        "victim",
        "Someone I met in a game asked for pictures, then said they would send them to my "
        "friends unless I paid 200 dollars in gift cards.",
        True,
        ["money"],
    ),
    (
        "parent_guardian",
        "My son (15) was contacted by an account claiming to be a girl his age. "
        "After he sent an image they demanded money through Cash App and threatened to post it.",
        True,
        ["money"],
    ),
    (
        "friend",
        "My friend is being blackmailed by an account that wants more pictures. She is "
        "scared and says she cannot see a way out.",
        True,
        ["images"],
    ),
    (
        "educator",
        "A student reported an account that approached several pupils after looking "
        "through their followers, asking them to move to another app.",
        False,
        [],
    ),
    (
        "victim",
        "An account says it has fake pictures of me and wants crypto or it will share "
        "them with my school.",
        True,
        ["money"],
    ),
]
_PLATFORMS = ["ExampleGram", "SampleChat", "DemoTube", "PlayNet", "FakeBook"]
_DEADLINES = [
    " They said I have until midnight.",
    " They gave him 2 hours.",
    " They said tonight or they post it.",
]
_STATES = ["US-CA", "US-TX", "US-NY", "US-FL", "US-OH", "US-WA"]
# A few offenders write to many children: their handles and payment handles recur, which is
# what bundling finds.
_OFFENDERS = 60
# The demo agency user works for California's (synthetic) agency; a second one, for Texas's,
# shows that an agency sees only its own referrals.
_AGENCY_LOGINS = {
    "demo-agency@tipline.local": "California Child Exploitation Task Force (synthetic)",
    "demo-agency-tx@tipline.local": "Texas Child Exploitation Task Force (synthetic)",
}
_OUTCOMES = ["investigating", "victim_identified", "arrest", "unfounded", "no_action"]
# Referrals each agency with a demo login has not acknowledged yet, whatever the random work
# left: its investigator signs in to work waiting, not to an empty portal.
_WAITING = 2


def _esp_document(rng: random.Random) -> dict[str, object]:
    # Documentation address ranges only (RFC 5737), which the sample geolocation table covers.
    address = rng.choice(["192.0.2.", "198.51.100."]) + str(rng.randint(1, 254))
    return {"personOrUserReported": [{"ipCaptureEvent": [{"ipAddress": address}]}]}


def load(db_session: Session, *, settings: Settings, reports_count: int = 300) -> list[DemoLogin]:
    """Idempotent: a home that already has the demo data is left as it is."""
    logins = [
        DemoLogin(role, email, password, _AGENCY_LOGINS.get(email, ""))
        for role, email, password in _STAFF
    ]
    if db_session.scalar(select(Organisation).where(Organisation.name == DEMO_ESP)):
        return logins
    esp = builders.organisation(db_session, kind="esp", name=DEMO_ESP, actor=ACTOR).organisation
    sample_platform = builders.organisation(
        db_session, kind="platform", name="Sample Social (synthetic)", actor=ACTOR
    ).organisation
    routing.load_agencies(db_session, text=routing.sample_agencies(), actor=ACTOR)
    routing.load_geo(db_session, text=routing.sample_geo(), actor=ACTOR)

    directory.load(db_session, text=directory.sample(), actor=ACTOR)
    users: dict[str, User] = {}
    for role, email, password in _STAFF:
        existing = db_session.scalar(select(User).where(User.email == email))
        if existing is not None:
            users[role] = existing
            continue
        agency = _AGENCY_LOGINS.get(email)
        if role == "peer":
            users[role] = builders.peer(
                db_session,
                email=email,
                first_name=_PROFILES[email][0],
                languages=("es", "en"),
                experiences=("parent_of_victim", "financial_sextortion"),
                region="US-TX",
                password=password,
            )
            continue
        users[role] = builders.staff(
            db_session,
            role=role,
            email=email,
            password=password,
            organisation_id=(auth.get_organisation(db_session, ref=agency).id if agency else None),
            actor=ACTOR,
            display_name=_PROFILES[email][0],
            time_zone=_PROFILES[email][1],
        )
    rng = random.Random(2026)  # noqa: S311 - repeatable synthetic data, not a secret
    offenders = [
        (f"demo_offender_{n:03d}", f"$demo-pay-{n:03d}", rng.choice(_PLATFORMS))
        for n in range(_OFFENDERS)
    ]
    made: list[tuple[str, int]] = []
    for index in range(reports_count):
        role, story, sextortion, demands = _STORIES[index % len(_STORIES)]
        # Most offenders appear once or twice; a handful of prolific ones, many times.
        offender = rng.randrange(8) if rng.random() < 0.35 else rng.randrange(8, _OFFENDERS)
        handle, payment, platform = offenders[offender]
        if sextortion and rng.random() < 0.15:
            story += rng.choice(_DEADLINES)
        esp_report = index % 3 == 0
        report = builders.report(
            db_session,
            source="esp" if esp_report else "public",
            actor=ACTOR,
            organisation_id=esp.id if esp_report else None,
            reporter_role=None if esp_report else role,
            description=story,
            sextortion=sextortion,
            demands=demands,
            self_harm_risk="no way out" in story or "cannot see a way out" in story,
            people=[
                {
                    "role": "victim",
                    "age": rng.randint(12, 17),
                    # Teenage boys are most of the targets of financial sextortion.
                    "gender": rng.choice(["male", "male", "male", "female", None]),
                    "country": "US",
                    "region": rng.choice(_STATES),
                }
            ],
            accounts=[{"role": "suspect", "platform": platform, "handle": handle}],
            payments=(
                [{"method": "cash_app", "handle": payment, "amount": "200"}]
                if "money" in demands
                else []
            ),
            extra={"cybertipline": _esp_document(rng)} if esp_report else {},
            received_at=utcnow() - timedelta(hours=rng.randint(1, 24 * 60)),
        )
        made.append((report.id, offender))
    _bundle_and_refer(db_session, made, users, rng)
    _keep_work_waiting(db_session, users["analyst"])
    _takedown_cases(db_session, sample_platform, rng)
    _detector_reports(db_session, settings, sample_platform)
    _support_desk(db_session, users)
    return logins


# Requests for support as families write them (synthetic): what the advocate's queue shows.
_SUPPORT: list[dict[str, Any]] = [
    {
        "who": "child",
        "asker": "parent",
        "kinds": ["talk_now", "counselling"],
        "region": "US-TX",
        "channel": "call",
        "contact": "+15125550142",
        "safe_times": "weekdays after 5 pm",
        "no_voicemail": True,
        "message": "My son paid them once and they want more. He will not eat.",
    },
    {
        "who": "child",
        "asker": "child",
        "kinds": ["talk_now"],
        "language": "es",
        "region": "US-CA",
        "channel": "text",
        "contact": "+12135550177",
        "shared_phone": True,
        "message": "ya no aguanto más, no sé qué hacer",
    },
    {
        "who": "parent",
        "asker": "parent",
        "kinds": ["peer"],
        "language": "es",
        "region": "US-TX",
        "channel": "none",
        "call_me": "Marisol",
        "message": "Quisiera hablar con otra mamá que haya pasado por esto.",
    },
    {
        "who": "child",
        "asker": "professional",
        "kinds": ["school_police"],
        "region": "US-NY",
        "channel": "email",
        "contact": "counsellor@school.example",
        "message": "A student's picture is going around; the school wants to know how to help.",
    },
]


def _support_desk(db_session: Session, users: dict[str, User]) -> None:
    """The national lines and a few sample local services; four requests, one of them waiting
    for the demo peer to accept a match, one referred with the family's consent."""
    support_directory.ensure_national(db_session, actor=ACTOR)
    support_directory.load(db_session, text=support_directory.sample_local(), actor=ACTOR)
    made = [builders.support_request(db_session, **fields) for fields in _SUPPORT]
    advocate = users["advocate"]
    first = made[0].request
    support_service.claim(db_session, request=first, user_id=advocate.id)
    support_service.log_contact(
        db_session,
        request=first,
        user_id=advocate.id,
        channel=Channel.CALL,
        outcome=Outcome.REACHED,
        note="Spoke with the mother; the boy is safe tonight.",
    )
    counselling = support_directory.search(db_session, region="US-TX", kind="counselling")[0]
    support_referrals.refer(
        db_session,
        request=first,
        service_id=counselling.id,
        user_id=advocate.id,
        consent=True,
        consent_by=ConsentBy.BOTH,
        consent_how=Channel.CALL,
        for_family="First session: Thursday at 5 pm.",
    )
    support_peers.propose(
        db_session,
        request=made[2].request,
        peer_id=users["peer"].id,
        user_id=advocate.id,
        why="Rosa is a mother whose son went through the same, and she speaks Spanish.",
    )


# Conversations a platform's detector might send, described the way reports describe them.
_CONVERSATIONS = [
    [
        ("p", "saw on your insta you play for the riverside team"),
        ("c", "lol who is this"),
        ("p", "you're so mature for your age. add me on snap, this app isn't private"),
        ("p", "send me a pic without your shirt"),
        ("c", "ok i sent it"),
        ("p", "i screenshotted your followers. send $300 on cash app or they all see it"),
        ("c", "please don't, i want to die"),
    ],
    [
        ("p", "i'm a scout for a modeling agency, you could be a model"),
        ("c", "really?"),
        ("p", "we need test shots in a bikini first, don't tell your parents yet"),
    ],
    [
        ("p", "vi tus fotos de insta, juegas en el equipo de futbol verdad"),
        ("c", "si, quien eres"),
        ("p", "pasemos a whatsapp, aqui no es seguro"),
        ("p", "mandame una foto sin ropa"),
    ],
]


def _detector_reports(db_session: Session, settings: Settings, platform: Organisation) -> None:
    """Reports a platform's detector opened (POST /api/v1/detect with open_report)."""
    for number, lines in enumerate(_CONVERSATIONS, 1):
        conversation = {
            "id": f"demo-conversation-{number}",
            "messages": [{"sender": s, "text": t} for s, t in lines],
        }
        detect.open_report(
            db_session,
            settings=settings,
            conversation=conversation,
            result=scan(conversation),
            organisation_id=platform.id,
        )


def _takedown_cases(db_session: Session, platform: Organisation, rng: random.Random) -> None:
    """Take-down cases of random hashes (of no image at all), some matched and removed by the
    demo platform, one withdrawn, one hash quarantined after false positives."""

    entries = []
    for n in range(12):
        hashes = [("pdq", f"{rng.getrandbits(256):064x}") for _ in range(rng.randint(1, 3))]
        hashes += [
            ("sha256", f"{rng.getrandbits(256):064x}"),
            ("md5", f"{rng.getrandbits(128):032x}"),
        ]
        case, _ = builders.takedown_case(
            db_session,
            hashes=hashes,
            age_at_creation="under_18" if n % 4 else "18_or_over",
            lang="es" if n % 5 == 0 else "en",
        )
        entries.extend(case.entries)
        if n == 11:
            takedown.withdraw(db_session, case=case)
    feedback = [(e.id, rng.choice(["matched", "removed"]), "") for e in entries[:10]]
    takedown.record_feedback(db_session, organisation=platform, items=feedback)
    suspect = entries[12]
    suspect.false_positives = takedown.QUARANTINE_AFTER
    takedown.quarantine(db_session, entry=suspect, actor=ACTOR)


def _classify_as_filed(db_session: Session, report: Report, analyst: User) -> None:
    """The analyst agrees with what the reporter said (the demo's stories are what they seem)."""
    review.classify(
        db_session,
        report_ref=report.id,
        user=analyst,
        incident_type=report.incident_type,
        sextortion=report.sextortion,
        financial=report.financial,
        minor_to_minor=False,
    )


def _bundle_and_refer(
    db_session: Session,
    made: list[tuple[str, int]],
    users: dict[str, User],
    rng: random.Random,
) -> None:
    """Work as a hotline would have: older reports bundled by offender, classified, referred
    to the agency routing suggests, some with an outcome; a few closed as informational. The
    newest reports stay in the queue."""

    analyst = users["analyst"]
    by_offender: dict[int, list[str]] = {}
    for report_id, offender in made:
        by_offender.setdefault(offender, []).append(report_id)
    worked = 0
    for offender, ids in sorted(by_offender.items()):
        old = [
            r
            for r in (reports.get_report(db_session, ref=i) for i in ids)
            if r.received_at < utcnow() - timedelta(days=7)
        ]
        if not old or worked >= len(made) // 2:
            continue
        if len(old) > 1 and offender % 4:
            bundling.merge(
                db_session,
                report_refs=[r.id for r in old],
                actor=f"user:{analyst.id}",
                title=f"Offender {offender:03d}",
            )
        for report in old:
            _classify_as_filed(db_session, report, analyst)
        worked += len(old)
        first = old[0]
        if offender % 9 == 5:
            for report in old:
                review.close_informational(
                    db_session,
                    report_ref=report.id,
                    user=analyst,
                    reason="insufficient_information",
                )
            continue
        group = referral.referral_group(db_session, report=first)
        candidates = routing.route(db_session, reports=group)
        if not candidates:
            continue
        made_referral = builders.referral(
            db_session,
            report_ref=first.id,
            agency_ref=candidates[0].agency.id,
            actor=f"user:{analyst.id}",
        )
        if rng.random() < 0.6:
            referral.acknowledge(db_session, referral=made_referral, actor=ACTOR)
            if rng.random() < 0.6:
                referral.record_outcome(
                    db_session,
                    referral=made_referral,
                    outcome=rng.choice(_OUTCOMES),
                    note="",
                    actor=ACTOR,
                )


def _keep_work_waiting(db_session: Session, analyst: User) -> None:
    """Refer to each agency with a demo login until it has `_WAITING` referrals sent and not
    acknowledged: the oldest open reports routing sends to it first, then, if none is left (a
    small demo), a new report from its state."""
    for name in dict.fromkeys(_AGENCY_LOGINS.values()):
        agency = auth.get_organisation(db_session, ref=name)
        short = _WAITING - _waiting(db_session, agency)
        for report in _open_reports_from(db_session, agency):
            if short <= 0:
                break
            if _refer_to(db_session, report, agency, analyst):
                short -= 1
        while short > 0:
            made = builders.report(
                db_session,
                actor=ACTOR,
                reporter_role="parent_guardian",
                description=_STORIES[1][1],
                sextortion=True,
                demands=["money"],
                people=[{"role": "victim", "age": 15, "country": "US", "region": agency.region}],
                accounts=[{"role": "suspect", "platform": "SampleChat", "handle": "demo_waiting"}],
                received_at=utcnow() - timedelta(days=8),
            )
            report = reports.get_report(db_session, ref=made.id)
            if not _refer_to(db_session, report, agency, analyst):
                break  # routing sends its own state elsewhere: nothing more to try
            short -= 1


def _waiting(db_session: Session, agency: Organisation) -> int:
    waiting = select(func.count()).where(
        Referral.agency_id == agency.id,
        Referral.status == "sent",
        Referral.acknowledged_at.is_(None),
    )
    return int(db_session.scalar(waiting) or 0)


def _open_reports_from(db_session: Session, agency: Organisation) -> list[Report]:
    """Open reports whose child lives where the agency works, oldest first."""
    if not agency.region:
        return []
    return list(
        db_session.scalars(
            select(Report)
            .where(
                Report.status.in_(("received", "triaged")),
                Report.id.in_(
                    select(Person.report_id).where(
                        Person.role == "victim", Person.region == agency.region
                    )
                ),
            )
            .order_by(Report.received_at)
        )
    )


def _refer_to(db_session: Session, report: Report, agency: Organisation, analyst: User) -> bool:
    """Classify and refer the report (with its incident) if routing suggests this agency first."""
    if report.status not in ("received", "triaged"):  # referred with its incident meanwhile
        return False
    group = referral.referral_group(db_session, report=report)
    candidates = routing.route(db_session, reports=group)
    if not candidates or candidates[0].agency.id != agency.id:
        return False
    for member in group:
        if member.status == "received":
            _classify_as_filed(db_session, member, analyst)
    try:
        builders.referral(
            db_session, report_ref=report.id, agency_ref=agency.id, actor=f"user:{analyst.id}"
        )
    except referral.AlreadyReferred:  # another report of its incident is already there
        return False
    return True
