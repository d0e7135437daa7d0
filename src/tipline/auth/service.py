"""Accounts: staff users with password and TOTP; organisations with API keys and HTTP Basic
logins (an ESP's for /ispws, a platform's for /hashsharing)."""

from __future__ import annotations

import hmac
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast
from zoneinfo import available_timezones

import pyotp
from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.auth import lockout
from tipline.auth import secrets as sec
from tipline.auth.events import AuthEvent
from tipline.auth.models import ApiKey, Organisation, StaffSession, User
from tipline.auth.roles import API_SCOPES, OrgKind, Role
from tipline.config import Settings
from tipline.db import utcnow
from tipline.errors import BadInput, Conflict, Forbidden, Locked, NotFound, Unauthorized

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
API_KEY_PREFIX = "tpl"
TOTP_ISSUER = "tipline"


# Users -------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise BadInput(f"not an email address: {email!r}", code="invalid_email")
    return email


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise BadInput(f"unknown role {role!r}: use one of {names}", code="invalid_role") from None


def create_user(
    db_session: Session,
    *,
    email: str,
    role: str,
    actor: str,
    organisation_id: str | None = None,
    password: str | None = None,
    display_name: str = "",
    time_zone: str = "UTC",
) -> tuple[User, str]:
    """A staff account with a one-time password; the user sets their own at first login."""
    email = normalise_email(email)
    display_name, time_zone = _profile(display_name, time_zone)
    parsed = parse_role(role)
    if parsed is Role.AGENCY:
        if not organisation_id:
            raise BadInput("an agency user needs --agency ID", code="agency_required")
        org = get_organisation(db_session, ref=organisation_id)
        if org.kind != OrgKind.AGENCY:
            raise BadInput(f"{org.name} is not an agency", code="not_an_agency")
        organisation_id = org.id
    elif organisation_id:
        raise BadInput("only agency users belong to an agency", code="agency_not_allowed")
    if db_session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"a user {email} already exists", code="user_exists")
    one_time = password or sec.new_password()
    user = User(
        email=email,
        display_name=display_name,
        time_zone=time_zone,
        role=parsed.value,
        organisation_id=organisation_id,
        password_hash=sec.hash_password(one_time),
        must_change_password=password is None,
    )
    db_session.add(user)
    db_session.flush()
    audit.record(
        db_session,
        actor=actor,
        action=AuthEvent.USER_CREATED,
        subject_type="user",
        subject_id=user.id,
        data={"email": email, "role": parsed.value, "organisation_id": organisation_id},
    )
    return user, one_time


def get_user(db_session: Session, *, ref: str) -> User:
    user = db_session.get(User, ref) or db_session.scalar(
        select(User).where(User.email == ref.strip().lower())
    )
    if user is None:
        raise NotFound(f"no user {ref}")
    return user


ZONES = frozenset(available_timezones())


def _profile(display_name: str, time_zone: str) -> tuple[str, str]:
    name = " ".join(display_name.split())
    if len(name) > 120 or "\x00" in name:
        raise BadInput("a display name is at most 120 characters", code="display_name")
    zone = time_zone.strip() or "UTC"
    if zone not in ZONES:
        raise BadInput(
            f"{zone!r} is not a time zone: use an IANA name such as America/Chicago",
            code="time_zone",
        )
    return name, zone


def set_profile(
    db_session: Session, *, user: User, display_name: str, time_zone: str, actor: str
) -> User:
    """How colleagues see the person, and the zone their pages show times in."""
    name, zone = _profile(display_name, time_zone)
    before = {"display_name": user.display_name, "time_zone": user.time_zone}
    user.display_name, user.time_zone = name, zone
    audit.record(
        db_session,
        actor=actor,
        action=AuthEvent.PROFILE_CHANGED,
        subject_type="user",
        subject_id=user.id,
        data={"before": before, "display_name": name, "time_zone": zone},
    )
    return user


def actor_names(db_session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Who an audit actor is, as staff read it: `user:<id>` as the person's email and role,
    `org:<id>` as the organisation's name; anything else (system, cli, victim) as it is."""
    wanted = set(actors)
    users = {a.removeprefix("user:") for a in wanted if a.startswith("user:")}
    orgs = {a.removeprefix("org:") for a in wanted if a.startswith("org:")}
    names = {a: a for a in wanted}
    if users:
        for user in db_session.scalars(select(User).where(User.id.in_(users))):
            names[f"user:{user.id}"] = f"{user.display_name or user.email} ({user.role})"
    if orgs:
        for org in db_session.scalars(select(Organisation).where(Organisation.id.in_(orgs))):
            names[f"org:{org.id}"] = org.name
    return names


def list_users(db_session: Session) -> list[User]:
    return list(db_session.scalars(select(User).order_by(User.created_at)))


def reset_password(db_session: Session, *, user: User, actor: str) -> str:
    one_time = sec.new_password()
    user.password_hash = sec.hash_password(one_time)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    audit.record(
        db_session,
        actor=actor,
        action=AuthEvent.PASSWORD_RESET,
        subject_type="user",
        subject_id=user.id,
    )
    return one_time


def change_password(db_session: Session, *, user: User, current: str, new: str) -> None:
    if not sec.verify_password(user.password_hash, current):
        raise Unauthorized("the current password is wrong", code="wrong_password")
    if len(new) < sec.MIN_PASSWORD_LENGTH:
        raise BadInput(
            f"choose a password of at least {sec.MIN_PASSWORD_LENGTH} characters",
            code="weak_password",
        )
    if new == current:
        raise BadInput("choose a password different from the one-time one", code="weak_password")
    user.password_hash = sec.hash_password(new)
    user.must_change_password = False
    audit.record(
        db_session,
        actor=f"user:{user.id}",
        action=AuthEvent.PASSWORD_CHANGED,
        subject_type="user",
        subject_id=user.id,
    )


# Login: password, lockout, TOTP ---------------------------------------------------------------


_USERS = cast(Table, User.__table__)
# Passwords and TOTP codes share one count per user.
_SIGN_IN = lockout.Lockout(_USERS, counter="failed_logins", lock="locked_until")


def _lock_for(settings: Settings) -> Callable[[int], timedelta | None]:
    def lock_for(failures: int) -> timedelta | None:
        if failures >= settings.login_max_failures:
            return timedelta(minutes=settings.login_lockout_minutes)
        return None

    return lock_for


def _reserve(
    db_session: Session, *, where: list[Any], settings: Settings
) -> lockout.Attempt | None:
    """Count this sign-in step as failed before it is checked (auth/lockout.py); committed at
    once so that parallel guesses see it."""
    attempt = _SIGN_IN.reserve(db_session, where=where, now=utcnow(), lock_for=_lock_for(settings))
    db_session.commit()
    return attempt


def _record_failure(
    db_session: Session, *, user: User, attempt: lockout.Attempt, step: str
) -> None:
    audit.record(
        db_session,
        actor="public",
        action=AuthEvent.LOGIN_FAILED,
        subject_type="user",
        subject_id=user.id,
        data={"step": step, "failures": attempt.failures},
    )
    if attempt.locked_until is not None:
        audit.record(
            db_session,
            actor="system",
            action=AuthEvent.LOCKED,
            subject_type="user",
            subject_id=user.id,
            data={"until": attempt.locked_until.isoformat()},
        )


def _account_locked() -> Locked:
    return Locked("too many failed attempts; try again later", code="account_locked")


def check_password(db_session: Session, *, email: str, password: str, settings: Settings) -> User:
    """First factor. Failures count towards a lockout; every failure is an event."""
    address = email.strip().lower()
    attempt = _reserve(
        db_session, where=[_USERS.c.email == address, _USERS.c.is_active], settings=settings
    )
    if attempt is None:
        user = db_session.scalar(select(User).where(User.email == address))
        if user is None or not user.is_active:
            sec.verify_password(None, password)  # same time as a real check
            raise Unauthorized("wrong email or password", code="login_failed")
        raise _account_locked()
    user = db_session.get_one(User, attempt.row_id, populate_existing=True)
    if not sec.verify_password(user.password_hash, password):
        _record_failure(db_session, user=user, attempt=attempt, step="password")
        raise Unauthorized("wrong email or password", code="login_failed")
    # The password was right: it is not a failure (the count starts again after the TOTP step).
    _SIGN_IN.refund(db_session, attempt)
    db_session.refresh(user)
    return user


def enrolment_secret(db_session: Session, *, user: User, settings: Settings) -> str:
    """The secret being enrolled: kept encrypted and inactive until a code confirms it.

    An unconfirmed secret is reused, so a reload of the page does not invalidate a scan.
    """
    if user.totp_enabled:
        raise Conflict("two-factor sign-in is already set up", code="totp_enrolled")
    existing = totp_secret(user, settings)
    if existing is not None:
        return existing
    secret = pyotp.random_base32()
    user.totp_secret_enc = sec.seal_secret(settings.master_key, secret, label=f"totp:{user.id}")
    return secret


def totp_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def totp_secret(user: User, settings: Settings) -> str | None:
    if user.totp_secret_enc is None:
        return None
    return sec.open_secret(settings.master_key, user.totp_secret_enc, label=f"totp:{user.id}")


def check_totp(
    db_session: Session, *, user: User, code: str, settings: Settings, enrolling: bool = False
) -> None:
    """Second factor. A code is accepted once (no replay), one step of clock drift allowed."""
    secret = totp_secret(user, settings)
    if secret is None or (user.totp_enabled == enrolling):
        raise BadInput("two-factor sign-in is not in the expected state", code="totp_state")
    attempt = _reserve(db_session, where=[_USERS.c.id == user.id], settings=settings)
    if attempt is None:
        raise _account_locked()
    db_session.refresh(user)
    code = re.sub(r"\s", "", code)
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in (now_step, now_step - 1, now_step + 1):
        if step > user.totp_last_step and secrets.compare_digest(
            totp.at(step * totp.interval), code
        ):
            user.totp_last_step = step
            _SIGN_IN.clear(db_session, row_id=user.id)
            if enrolling:
                user.totp_enabled = True
                audit.record(
                    db_session,
                    actor=f"user:{user.id}",
                    action=AuthEvent.TOTP_ENROLLED,
                    subject_type="user",
                    subject_id=user.id,
                )
            return
    _record_failure(db_session, user=user, attempt=attempt, step="totp")
    raise Unauthorized("that code is not right; check the time on your phone", code="totp_failed")


def reset_totp(db_session: Session, *, user: User, actor: str) -> None:
    user.totp_enabled = False
    user.totp_secret_enc = None
    audit.record(
        db_session,
        actor=actor,
        action=AuthEvent.TOTP_RESET,
        subject_type="user",
        subject_id=user.id,
    )


# Sessions ------------------------------------------------------------------------------------


def start_session(db_session: Session, *, user: User) -> tuple[str, StaffSession]:
    token = secrets.token_urlsafe(32)
    staff_session = StaffSession(
        id=sec.token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32)
    )
    db_session.add(staff_session)
    db_session.flush()
    return token, staff_session


def complete_login(db_session: Session, *, staff_session: StaffSession) -> None:
    staff_session.mfa_passed = True
    user = staff_session.user
    user.last_login_at = utcnow()
    audit.record(
        db_session,
        actor=f"user:{user.id}",
        action=AuthEvent.LOGIN,
        subject_type="user",
        subject_id=user.id,
    )


TOUCH_EVERY = timedelta(minutes=1)


def session_from_token(
    db_session: Session, *, token: str | None, settings: Settings
) -> StaffSession | None:
    """The live session for a cookie, or None once idle too long, too old, or ended."""
    if not token:
        return None
    staff_session = db_session.get(StaffSession, sec.token_hash(token))
    if staff_session is None or staff_session.ended_at is not None:
        return None
    now = utcnow()
    idle = now - staff_session.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
    aged = now - staff_session.created_at > timedelta(hours=settings.session_max_hours)
    if idle or aged or not staff_session.user.is_active:
        staff_session.ended_at = now
        return None
    # Touched at most once a minute: a staff page is mostly reads, and a write on every one of
    # them would make each page wait for the database's write lock (SQLite) for a timestamp
    # that the idle timeout (minutes) does not need to the second.
    if now - staff_session.last_seen_at >= TOUCH_EVERY:
        staff_session.last_seen_at = now
    return staff_session


def end_session(db_session: Session, *, staff_session: StaffSession) -> None:
    staff_session.ended_at = utcnow()
    audit.record(
        db_session,
        actor=f"user:{staff_session.user_id}",
        action=AuthEvent.LOGOUT,
        subject_type="user",
        subject_id=staff_session.user_id,
    )


def expire_idle_sessions(db_session: Session, *, settings: Settings) -> int:
    cutoff = utcnow() - timedelta(minutes=settings.session_idle_minutes)
    result = db_session.execute(
        update(StaffSession)
        .where(StaffSession.ended_at.is_(None), StaffSession.last_seen_at < cutoff)
        .values(ended_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


# Organisations, API keys, HTTP Basic logins --------------------------------------------------


def parse_kind(kind: str) -> OrgKind:
    try:
        return OrgKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in OrgKind)
        raise BadInput(f"unknown kind {kind!r}: use one of {names}", code="invalid_kind") from None


@dataclass
class OrganisationCredentials:
    organisation: Organisation
    api_key: str | None = None
    api_key_id: str | None = None
    ispws_username: str | None = None
    ispws_password: str | None = None
    hashsharing_username: str | None = None
    hashsharing_password: str | None = None


# Each organisation has at most one HTTP Basic login, kept in the `ispws_*` columns (named for
# the first API that used them). What it opens follows from the organisation's kind, and from
# nothing else: an ESP's opens CyberTipline's /ispws, a platform's NCMEC's Hash Sharing API
# (/hashsharing), and neither opens the other's.
BASIC_LOGIN_KINDS = {OrgKind.ESP: "esp", OrgKind.PLATFORM: "platform"}


def _new_basic_login(org: Organisation) -> tuple[str, str]:
    """Give `org` a login (a new password; the username stays once it has one)."""
    prefix = BASIC_LOGIN_KINDS[OrgKind(org.kind)]
    username = org.ispws_username or f"{prefix}-{secrets.token_hex(4)}"
    password = sec.new_password()
    org.ispws_username = username
    org.ispws_password_hash = sec.hash_password(password)
    return username, password


def create_organisation(
    db_session: Session,
    *,
    name: str,
    kind: str,
    actor: str,
    country: str | None = None,
    region: str | None = None,
) -> OrganisationCredentials:
    """A new organisation; its secrets are returned here once and never again."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise BadInput("an organisation needs a name of 1 to 200 characters", code="invalid_name")
    parsed = parse_kind(kind)
    if db_session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower())):
        raise Conflict(f"an organisation named {name!r} already exists", code="org_exists")
    org = Organisation(name=name, kind=parsed.value, country=country, region=region)
    db_session.add(org)
    db_session.flush()
    creds = OrganisationCredentials(organisation=org)
    if parsed is OrgKind.ESP:
        creds.ispws_username, creds.ispws_password = _new_basic_login(org)
    elif parsed is OrgKind.PLATFORM:
        creds.hashsharing_username, creds.hashsharing_password = _new_basic_login(org)
    audit.record(
        db_session,
        actor=actor,
        action=AuthEvent.ORGANISATION_CREATED,
        subject_type="organisation",
        subject_id=org.id,
        data={"name": name, "kind": parsed.value},
    )
    if parsed is not OrgKind.AGENCY:
        key_row, creds.api_key = issue_api_key(db_session, organisation=org, actor=actor)
        creds.api_key_id = key_row.id
    return creds


def issue_basic_login(
    db_session: Session, *, organisation: Organisation, actor: str
) -> tuple[str, str]:
    """A new password for an ESP's or a platform's HTTP Basic login (a first login for one made
    before platforms had them); the old password stops working at once. Shown here once."""
    if OrgKind(organisation.kind) not in BASIC_LOGIN_KINDS:
        raise BadInput("agencies use the portal, not an HTTP Basic login", code="no_basic_login")
    username, password = _new_basic_login(organisation)
    audit.record(
        db_session,
        actor=actor,
        action=AuthEvent.BASIC_LOGIN_ISSUED,
        subject_type="organisation",
        subject_id=organisation.id,
        data={"username": username},
    )
    return username, password


def get_organisation(db_session: Session, *, ref: str) -> Organisation:
    org = db_session.get(Organisation, ref) or db_session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == ref.strip().lower())
    )
    if org is None:
        raise NotFound(f"no organisation {ref}")
    return org


def list_organisations(db_session: Session, *, kind: str | None = None) -> list[Organisation]:
    stmt = select(Organisation).order_by(Organisation.created_at)
    if kind:
        stmt = stmt.where(Organisation.kind == parse_kind(kind).value)
    return list(db_session.scalars(stmt))


def issue_api_key(
    db_session: Session, *, organisation: Organisation, actor: str
) -> tuple[ApiKey, str]:
    if organisation.kind == OrgKind.AGENCY:
        raise BadInput("agencies use the portal, not API keys", code="no_api_for_agency")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        organisation_id=organisation.id,
        prefix=prefix,
        secret_hash=sec.token_hash(secret),
        scope=organisation.kind,
    )
    db_session.add(key)
    db_session.flush()
    audit.record(
        db_session,
        actor=actor,
        action=AuthEvent.API_KEY_ISSUED,
        subject_type="organisation",
        subject_id=organisation.id,
        data={"key_id": key.id, "prefix": prefix},
    )
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


def revoke_api_key(db_session: Session, *, key_ref: str, actor: str) -> ApiKey:
    """Revoke by key id, prefix, or the whole key."""
    ref = key_ref.strip()
    if ref.startswith(f"{API_KEY_PREFIX}_"):
        ref = ref.split("_")[1] if ref.count("_") >= 2 else ref
    key = db_session.get(ApiKey, ref) or db_session.scalar(
        select(ApiKey).where(ApiKey.prefix == ref)
    )
    if key is None:
        raise NotFound("no such API key")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(
            db_session,
            actor=actor,
            action=AuthEvent.API_KEY_REVOKED,
            subject_type="organisation",
            subject_id=key.organisation_id,
            data={"key_id": key.id, "prefix": key.prefix},
        )
    return key


def authenticate_api_key(db_session: Session, *, presented: str | None, scope: str) -> Organisation:
    """The organisation behind a bearer key, if the key is live and its kind grants `scope`."""
    if not presented:
        raise Unauthorized("an API key is required (Authorization: Bearer <key>)", code="no_key")
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        raise Unauthorized("unknown or revoked API key", code="bad_key")
    key = db_session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not sec.constant_time_equal(key.secret_hash, sec.token_hash(parts[2])):
        raise Unauthorized("unknown or revoked API key", code="bad_key")
    if key.revoked_at is not None or not key.organisation.is_active:
        raise Unauthorized("unknown or revoked API key", code="bad_key")
    if scope not in API_SCOPES[OrgKind(key.scope)]:
        raise Forbidden(f"a {key.scope} key may not use {scope}", code="scope")
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:  # see session_from_token
        key.last_used_at = now
    return key.organisation


# HTTP Basic sends the password with every request; argon2 is slow on purpose. A login
# verified recently is remembered for a short while, keyed by a keyed hash of the pair (never
# the password itself), and forgotten when the organisation's hash changes.
_ISPWS_CACHE_SECONDS = 300
_ispws_verified: dict[str, tuple[float, str, str]] = {}
_ISPWS_CACHE_KEY = secrets.token_bytes(32)


def _ispws_cache_key(username: str, password: str) -> str:
    message = f"{username}\x00{password}".encode()
    return hmac.new(_ISPWS_CACHE_KEY, message, "sha256").hexdigest()


def authenticate_ispws(db_session: Session, *, username: str, password: str) -> Organisation | None:
    """The ESP whose /ispws login this is, or None."""
    return authenticate_basic(db_session, username=username, password=password, kind=OrgKind.ESP)


def authenticate_hashsharing(
    db_session: Session, *, username: str, password: str
) -> Organisation | None:
    """The platform whose /hashsharing login this is, or None."""
    return authenticate_basic(
        db_session, username=username, password=password, kind=OrgKind.PLATFORM
    )


def authenticate_basic(
    db_session: Session, *, username: str, password: str, kind: OrgKind
) -> Organisation | None:
    """The live organisation of `kind` whose HTTP Basic login this is, or None. A login of
    another kind is refused like an unknown one, after the same work."""
    org = db_session.scalar(select(Organisation).where(Organisation.ispws_username == username))
    if org is None or org.kind != kind:
        sec.verify_password(None, password)
        return None
    if not org.is_active or org.ispws_password_hash is None:
        return None
    key = _ispws_cache_key(username, password)
    cached = _ispws_verified.get(key)
    now = time.monotonic()
    if cached and cached[0] > now and cached[1:] == (org.id, org.ispws_password_hash):
        return org
    if not sec.verify_password(org.ispws_password_hash, password):
        return None
    if len(_ispws_verified) > 10_000:
        _ispws_verified.clear()
    _ispws_verified[key] = (now + _ISPWS_CACHE_SECONDS, org.id, org.ispws_password_hash)
    return org
