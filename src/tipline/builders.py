"""Builders: an organisation, a staff account, a report, a referral and a take-down case, each
made through its domain's service with plain synthetic defaults.

The demo loads its data with these and the tests build theirs with them, so both take the path
real data takes (validation, events in the audit log, the stored priority), and a change to a
service shows up in one place rather than in a copy per test file. Everything made here is
invented: no real people, no real accounts."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tipline.auth import service as auth
from tipline.auth.models import User
from tipline.db import Database
from tipline.referral import service as referral_service
from tipline.referral.models import Referral
from tipline.reports import service as reports
from tipline.support import peers
from tipline.support import service as support
from tipline.support.schemas import SupportRequestIn
from tipline.takedown import service as takedown
from tipline.takedown.models import TakedownCase

ACTOR = "builder"

# Each builder takes a session (the demo: all in one transaction) or a database (a test: one
# committed transaction per thing built).
Target = Session | Database


@contextmanager
def _session(target: Target) -> Iterator[Session]:
    with target.session() if isinstance(target, Database) else nullcontext(target) as db_session:
        yield db_session


def organisation(
    target: Target, *, kind: str, name: str | None = None, actor: str = ACTOR
) -> auth.OrganisationCredentials:
    """An ESP, platform or agency, with the credentials its kind is given (shown once)."""
    with _session(target) as db_session:
        return auth.create_organisation(
            db_session, name=name or f"{kind} org {secrets.token_hex(3)}", kind=kind, actor=actor
        )


def staff(
    target: Target,
    *,
    role: str,
    email: str | None = None,
    password: str | None = None,
    organisation_id: str | None = None,
    actor: str = ACTOR,
    display_name: str = "",
    time_zone: str = "UTC",
) -> User:
    """A staff or agency account. With a password it is ready to sign in (no forced change);
    an agency account with no agency given gets one of its own."""
    email = email or f"{role}@example.test"
    with _session(target) as db_session:
        if role == "agency" and organisation_id is None:
            organisation_id = organisation(
                db_session, kind="agency", name=f"Agency for {email}", actor=actor
            ).organisation.id
        user, _ = auth.create_user(
            db_session,
            email=email,
            role=role,
            actor=actor,
            password=password,
            organisation_id=organisation_id,
            display_name=display_name,
            time_zone=time_zone,
        )
        if password is not None:
            user.must_change_password = False
        return user


def report(
    target: Target, *, source: str = "public", actor: str = ACTOR, **fields: Any
) -> reports.NewReport:
    """A report as intake stores it; `fields` are create_report's (people, accounts, ...)."""
    with _session(target) as db_session:
        return reports.create_report(db_session, source=source, actor=actor, **fields)


def referral(target: Target, *, report_ref: str, agency_ref: str, actor: str = ACTOR) -> Referral:
    """A referral of the report (and the reports bundled with it) to the agency."""
    with _session(target) as db_session:
        return referral_service.refer(
            db_session, report_ref=report_ref, agency_ref=agency_ref, actor=actor
        )


def takedown_case(
    target: Target,
    *,
    hashes: list[tuple[str, str]] | None = None,
    age_at_creation: str = "under_18",
    lang: str = "en",
) -> tuple[TakedownCase, str]:
    """A victim's case of hashes (of no image at all by default) and its PIN."""
    hashes = hashes or [("md5", secrets.token_hex(16))]
    with _session(target) as db_session:
        case, pin = takedown.open_case(
            db_session,
            hashes=takedown.parse_hashes(hashes, limit=takedown.MAX_HASHES_PER_CASE),
            age_at_creation=age_at_creation,
            lang=lang,
        )
        db_session.flush()
        return case, pin


def support_request(target: Target, **fields: Any) -> support.Made:
    """A family's request for support (a parent asking for someone to talk to, by default)."""
    payload = {
        "who": "child",
        "asker": "parent",
        "kinds": ["talk_now"],
        "channel": "call",
        "contact": "+15125550199",
        "language": "en",
        "region": "US-TX",
        **fields,
    }
    with _session(target) as db_session:
        made = support.create(db_session, payload=SupportRequestIn.model_validate(payload))
        db_session.flush()
        return made


def peer(
    target: Target,
    *,
    email: str,
    first_name: str = "Sam",
    languages: tuple[str, ...] = ("en",),
    experiences: tuple[str, ...] = ("parent_of_victim",),
    region: str = "US",
    vetted_until: date | None = None,
    password: str | None = None,
) -> User:
    """A volunteer peer with a vetted profile (vetting good for a year by default)."""
    user = staff(target, role="peer", email=email, password=password)
    with _session(target) as db_session:
        account = db_session.merge(user)
        peers.save_profile(
            db_session,
            user=account,
            first_name=first_name,
            languages=list(languages),
            region=region,
            experiences=list(experiences),
            vetted_until=vetted_until or date.today() + timedelta(days=365),  # noqa: DTZ011
            trained_on=None,
            actor=ACTOR,
        )
        return account
