"""Synthetic demo data: organisations, staff and reports, so a newcomer sees a living system.

Everything here is invented: no real people, no real accounts, nothing explicit. Reports are
written the way analysts write them up ("asked for images", "demanded money").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.auth import service as auth
from tipline.auth.models import Organisation, User
from tipline.config import Settings
from tipline.db import utcnow
from tipline.reports import service as reports
from tipline.review import bundling

ACTOR = "demo"
DEMO_ESP = "Demo Chat Co (synthetic)"


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str


_STAFF = [
    ("admin", "demo-admin@tipline.local", "demo-admin-password"),
    ("supervisor", "demo-supervisor@tipline.local", "demo-supervisor-password"),
    ("analyst", "demo-analyst@tipline.local", "demo-analyst-password"),
    ("agency", "demo-agency@tipline.local", "demo-agency-password"),
]

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


def load(db_session: Session, *, settings: Settings, reports_count: int = 40) -> list[DemoLogin]:
    """Idempotent: a home that already has the demo data is left as it is."""
    logins = [DemoLogin(role, email, password) for role, email, password in _STAFF]
    if db_session.scalar(select(Organisation).where(Organisation.name == DEMO_ESP)):
        return logins
    auth.create_organisation(db_session, name=DEMO_ESP, kind="esp", actor=ACTOR)
    auth.create_organisation(
        db_session, name="Sample Social (synthetic)", kind="platform", actor=ACTOR
    )
    agency = auth.create_organisation(
        db_session,
        name="Demo State Police ICAC (synthetic)",
        kind="agency",
        actor=ACTOR,
        country="US",
        region="US-CA",
    ).organisation
    for role, email, password in _STAFF:
        if db_session.scalar(select(User).where(User.email == email)):
            continue
        user, _ = auth.create_user(
            db_session,
            email=email,
            role=role,
            actor=ACTOR,
            password=password,
            organisation_id=agency.id if role == "agency" else None,
        )
        user.must_change_password = False
    rng = random.Random(2026)  # noqa: S311 - repeatable synthetic data, not a secret
    made: list[str] = []
    for index in range(reports_count):
        role, story, sextortion, demands = _STORIES[index % len(_STORIES)]
        handle = f"demo_offender_{rng.randint(100, 999)}"
        report = reports.create_report(
            db_session,
            source="public" if index % 3 else "esp",
            actor=ACTOR,
            reporter_role=role,
            description=story,
            sextortion=sextortion,
            demands=demands,
            self_harm_risk="no way out" in story or "cannot see a way out" in story,
            people=[
                {
                    "role": "victim",
                    "age": rng.randint(12, 17),
                    "country": "US",
                    "region": rng.choice(["US-CA", "US-TX", "US-NY", "US-FL"]),
                }
            ],
            accounts=[{"role": "suspect", "platform": rng.choice(_PLATFORMS), "handle": handle}],
            payments=[{"method": "gift_card", "handle": None, "amount": "200"}]
            if "money" in demands
            else [],
            received_at=utcnow() - timedelta(hours=rng.randint(1, 24 * 30)),
        )
        made.append(report.id)
    bundling.merge(db_session, report_refs=made[:2], actor=ACTOR, title="Same offender")
    return logins
