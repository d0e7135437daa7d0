"""Staff sign-in (argon2id + TOTP), sessions, CSRF, lockout, API keys and /ispws logins."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts import PASSWORD, USED_CODES, csrf, make_org, make_user, next_code, sign_in
from tipline.audit import service as audit
from tipline.auth import service as auth
from tipline.auth.events import AuthEvent
from tipline.auth.models import ApiKey, StaffSession, User
from tipline.config import Settings
from tipline.db import Database
from tipline.errors import BadInput, Conflict


def _user(database: Database, email: str) -> User:
    with database.session() as db_session:
        user = db_session.scalar(select(User).where(User.email == email))
        assert user is not None
        db_session.expunge(user)
        return user


def test_passwords_are_argon2id_and_never_stored_plain(database: Database) -> None:
    email = make_user(database, "analyst")
    user = _user(database, email)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_first_sign_in_enrols_totp_and_reaches_the_console(
    client: TestClient, database: Database
) -> None:
    email = make_user(database, "analyst")
    enrol_page_before = client.get("/console", follow_redirects=False)
    assert enrol_page_before.status_code == 303
    secret = sign_in(client, email)
    home = client.get("/console")
    assert home.status_code == 200
    assert email in home.text
    user = _user(database, email)
    assert user.totp_enabled
    assert secret.encode() not in (user.totp_secret_enc or b"")  # stored encrypted


def test_enrolment_page_shows_a_qr_code(client: TestClient, database: Database) -> None:
    email = make_user(database, "supervisor")
    page = client.get("/console/login")
    client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(page)}
    )
    enrol = client.get("/console/totp/enrol")
    assert 'src="data:image/svg+xml' in enrol.text


def test_second_sign_in_asks_for_a_code_and_refuses_replay(
    client: TestClient, database: Database
) -> None:
    email = make_user(database, "analyst")
    secret = sign_in(client, email)
    client.cookies.clear()
    page = client.get("/console/login")
    step = client.post(
        "/console/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    assert step.headers["location"] == "/console/totp"
    totp_page = client.get("/console/totp")
    replay = client.post(
        "/console/totp",
        data={"code": USED_CODES[secret], "csrf_token": csrf(totp_page)},
        follow_redirects=False,
    )
    assert replay.status_code == 401  # the enrolment code was already used
    ok = client.post(
        "/console/totp",
        data={"code": next_code(secret), "csrf_token": csrf(totp_page)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/console").status_code == 200


def test_password_alone_does_not_open_the_console(client: TestClient, database: Database) -> None:
    email = make_user(database, "admin")
    page = client.get("/console/login")
    client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(page)}
    )
    response = client.get("/console/admin", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


def test_one_time_password_must_be_replaced(client: TestClient, database: Database) -> None:
    with database.session() as db_session:
        _, one_time = auth.create_user(
            db_session, email="new@example.test", role="analyst", actor="test"
        )
    sign_in(client, "new@example.test", one_time)
    response = client.get("/console", follow_redirects=False)
    assert response.headers["location"] == "/console/password"
    page = client.get("/console/password")
    weak = client.post(
        "/console/password",
        data={"current": one_time, "new": "short", "confirm": "short", "csrf_token": csrf(page)},
    )
    assert weak.status_code == 400
    assert "at least 12" in weak.text
    good = client.post(
        "/console/password",
        data={
            "current": one_time,
            "new": "a much longer passphrase",
            "confirm": "a much longer passphrase",
            "csrf_token": csrf(page),
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert client.get("/console").status_code == 200


def test_wrong_passwords_lock_the_account_and_are_logged(
    client: TestClient, database: Database, settings: Settings
) -> None:
    email = make_user(database, "analyst")
    page = client.get("/console/login")
    token = csrf(page)
    for _ in range(settings.login_max_failures):
        response = client.post(
            "/console/login", data={"email": email, "password": "wrong", "csrf_token": token}
        )
        assert response.status_code == 401
        assert "wrong email or password" in response.text
    locked = client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429
    user = _user(database, email)
    with database.session() as db_session:
        actions = [
            e.action for e in audit.timeline(db_session, subject_type="user", subject_id=user.id)
        ]
    assert actions.count(AuthEvent.LOGIN_FAILED) == settings.login_max_failures
    assert AuthEvent.LOCKED in actions


def test_unknown_user_gets_the_same_answer(client: TestClient) -> None:
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"email": "nobody@example.test", "password": "x", "csrf_token": csrf(page)},
    )
    assert response.status_code == 401
    assert "wrong email or password" in response.text


def test_forms_without_the_csrf_token_are_refused(client: TestClient, database: Database) -> None:
    email = make_user(database, "analyst")
    client.get("/console/login")
    response = client.post("/console/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 403
    forged = client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    sign_in(client, email)
    assert client.post("/console/logout", data={}).status_code == 403
    assert client.get("/console").status_code == 200  # still signed in


def test_sign_out_ends_the_session(client: TestClient, database: Database) -> None:
    email = make_user(database, "analyst")
    sign_in(client, email)
    home = client.get("/console")
    client.post("/console/logout", data={"csrf_token": csrf(home)})
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_idle_sessions_expire(client: TestClient, database: Database, settings: Settings) -> None:
    email = make_user(database, "analyst")
    sign_in(client, email)
    with database.session() as db_session:
        for staff_session in db_session.scalars(select(StaffSession)):
            staff_session.last_seen_at -= timedelta(minutes=settings.session_idle_minutes + 1)
    response = client.get("/console", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


def test_session_cookie_is_httponly_and_strict(client: TestClient, database: Database) -> None:
    email = make_user(database, "analyst")
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_users_need_valid_roles_and_agencies(database: Database) -> None:
    with database.session() as db_session:
        with pytest.raises(BadInput, match="unknown role"):
            auth.create_user(db_session, email="a@example.test", role="root", actor="t")
        with pytest.raises(BadInput, match="agency"):
            auth.create_user(db_session, email="b@example.test", role="agency", actor="t")
        auth.create_user(db_session, email="c@example.test", role="analyst", actor="t")
        with pytest.raises(Conflict):
            auth.create_user(db_session, email="C@example.test", role="analyst", actor="t")


# API keys -------------------------------------------------------------------------------------


def test_api_keys_are_stored_hashed_and_shown_once(database: Database) -> None:
    creds = make_org(database, "platform")
    assert creds.api_key
    assert creds.api_key.startswith("tpl_")
    with database.session() as db_session:
        key = db_session.scalar(select(ApiKey))
        assert key is not None
        assert creds.api_key.split("_", 2)[2] not in key.secret_hash


def test_a_live_key_works_over_real_http(http: object, database: Database) -> None:
    assert isinstance(http, httpx.Client)
    creds = make_org(database, "platform", "Sample Platform")
    response = http.get("/api/v1/whoami", headers={"Authorization": f"Bearer {creds.api_key}"})
    assert response.status_code == 200
    assert response.json()["name"] == "Sample Platform"
    assert response.json()["kind"] == "platform"


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer tpl_nope_nope", "Basic dXNlcjpwYXNz", "Bearer tpl_x"],
    ids=["none", "empty", "unknown", "basic", "malformed"],
)
def test_bad_keys_get_401_json(client: TestClient, header: str) -> None:
    response = client.get("/api/v1/whoami", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message"}


def test_a_revoked_key_stops_working(client: TestClient, database: Database) -> None:
    creds = make_org(database, "esp")
    assert creds.api_key
    headers = {"Authorization": f"Bearer {creds.api_key}"}
    assert client.get("/api/v1/whoami", headers=headers).status_code == 200
    with database.session() as db_session:
        auth.revoke_api_key(db_session, key_ref=creds.api_key, actor="test")
    assert client.get("/api/v1/whoami", headers=headers).status_code == 401


def test_agencies_get_no_api_key(database: Database) -> None:
    creds = make_org(database, "agency")
    assert creds.api_key is None
    with database.session() as db_session, pytest.raises(BadInput):
        auth.issue_api_key(db_session, organisation=creds.organisation, actor="t")


def test_esp_gets_ispws_credentials(database: Database) -> None:
    creds = make_org(database, "esp")
    assert creds.ispws_username
    assert creds.ispws_password
    with database.session() as db_session:
        org = auth.authenticate_ispws(
            db_session, username=creds.ispws_username, password=creds.ispws_password
        )
        assert org is not None
        assert org.kind == "esp"
        assert (
            auth.authenticate_ispws(db_session, username=creds.ispws_username, password="wrong")
            is None
        )
        assert auth.authenticate_ispws(db_session, username="nobody", password="x") is None
