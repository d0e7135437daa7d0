"""Make accounts and sign in through the real pages, as a person would."""

from __future__ import annotations

import re
import time

import httpx
import pyotp
from fastapi.testclient import TestClient

from tipline import builders
from tipline.auth import service as auth
from tipline.db import Database

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


def csrf(page: httpx.Response) -> str:
    match = _CSRF.search(page.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def make_user(
    database: Database, role: str, email: str | None = None, agency_id: str | None = None
) -> str:
    email = email or f"{role}@example.test"
    with database.session() as db_session:
        builders.staff(
            db_session, role=role, email=email, password=PASSWORD, organisation_id=agency_id
        )
    return email


def make_org(
    database: Database, kind: str, name: str | None = None
) -> auth.OrganisationCredentials:
    with database.session() as db_session:
        return builders.organisation(db_session, kind=kind, name=name or f"{kind} org")


# The code each enrolment used, so that a test can replay exactly it (a fresh `now()` may fall in
# the next 30-second step and be a new, valid code).
USED_CODES: dict[str, str] = {}


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Password, then TOTP enrolment (first time); returns the TOTP secret."""
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console/totp/enrol"
    enrol = client.get("/console/totp/enrol")
    match = _SECRET.search(enrol.text)
    assert match, "no TOTP secret shown"
    secret = match.group(1)
    code = pyotp.TOTP(secret).now()
    USED_CODES[secret] = code
    done = client.post(
        "/console/totp/enrol",
        data={"code": code, "csrf_token": csrf(enrol)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return secret


def next_code(secret: str) -> str:
    """A code for the next time step: the current one was used at enrolment (no replay)."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)
