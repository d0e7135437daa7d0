"""The access-control matrix: every caller against every route.

A new route fails this test until it is given a row here, so no route ships without a decision
about who may use it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts import PASSWORD, csrf, make_org, make_user, sign_in
from media import encode, synthetic_image
from routes import walk
from tipline import builders
from tipline.db import Database
from tipline.evidence import service as evidence
from tipline.notices.models import NoticeRequest
from tipline.referral import service as referral_service
from tipline.review import bundling
from tipline.support import peers
from tipline.support import service as support

CALLERS = [
    "anonymous",
    "reporter",
    "admin",
    "supervisor",
    "analyst",
    "agency",
    "agency_b",
    "advocate",
    "peer",
    "esp_key",
    "platform_key",
]
STAFF = {"admin", "supervisor", "analyst"}
# The support desk: advocates with the supervisors and admins who oversee them; peers apart.
SUPPORT = {"admin", "supervisor", "advocate"}
SIGNED_IN = STAFF | {"agency", "agency_b", "advocate", "peer"}
SUPERVISING = {"admin", "supervisor"}
AGENCY_A = {"agency"}
EVERYONE = set(CALLERS)
PUBLIC_REPORT = {"reporter_role": "friend", "description": "matrix check"}

# route -> the callers who get in; everyone else is turned away (401, 403, 404 for another
# agency's referral, or sent to sign in).
MATRIX: dict[tuple[str, str], set[str]] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/help"): EVERYONE,
    ("GET", "/parents"): EVERYONE,
    ("GET", "/lang/{lang}"): EVERYONE,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/report"): EVERYONE,
    ("GET", "/report/follow-up"): EVERYONE,
    ("POST", "/api/v1/reports"): EVERYONE,
    ("GET", "/console"): STAFF,
    ("GET", "/console/forwardings"): STAFF,
    ("GET", "/console/reports/{ref}"): STAFF,
    ("GET", "/console/files/{file_id}"): STAFF,
    ("GET", "/console/incidents/{ref}"): STAFF,
    ("GET", "/console/referrals"): STAFF,
    ("GET", "/console/referrals/{ref}"): STAFF,
    ("GET", "/console/admin"): {"admin"},
    ("GET", "/console/exposure"): SUPERVISING,
    ("GET", "/console/exposure.csv"): SUPERVISING,
    # Everyone signed in sets their own name and time zone.
    ("GET", "/console/account"): SIGNED_IN,
    ("GET", "/console/admin/routing"): {"admin"},
    ("GET", "/agency"): {"agency", "agency_b"},
    ("GET", "/agency/referrals/{ref}"): AGENCY_A,
    ("GET", "/agency/referrals/{ref}/package.zip"): AGENCY_A,
    ("GET", "/agency/referrals/{ref}/files/{file_id}"): AGENCY_A,
    ("GET", "/api/v1/whoami"): {"esp_key", "platform_key"},
    ("GET", "/take-it-down"): EVERYONE,
    ("GET", "/console/hashlist"): STAFF,
    ("POST", "/api/v1/takedown/cases"): EVERYONE,
    ("GET", "/api/v1/hashlist/changes"): {"esp_key", "platform_key"},
    ("POST", "/api/v1/hashlist/match"): {"esp_key", "platform_key"},
    ("POST", "/api/v1/hashlist/feedback"): {"esp_key", "platform_key"},
    ("POST", "/api/v1/detect"): {"esp_key", "platform_key"},
    ("GET", "/numbers"): EVERYONE,
    ("GET", "/api/v1/stats"): EVERYONE,
    ("GET", "/console/numbers"): STAFF,
    ("GET", "/console/numbers/export"): STAFF,
    ("GET", "/take-it-down/notices"): EVERYONE,
    ("GET", "/console/notices"): STAFF,
    ("GET", "/console/admin/platforms"): {"admin"},
    ("POST", "/api/v1/notices"): EVERYONE,
    ("GET", "/support"): EVERYONE,
    ("GET", "/support/follow-up"): EVERYONE,
    ("POST", "/api/v1/support"): EVERYONE,
    ("GET", "/console/support"): SUPPORT,
    ("GET", "/console/support/services"): SUPPORT,
    ("GET", "/console/support/workload"): SUPERVISING,
    ("GET", "/console/support/{number}"): SUPPORT,
    # A peer sees only its own matches; nobody else has a peer's portal.
    ("GET", "/peer"): {"peer"},
    ("GET", "/peer/matches/{match_id}"): {"peer"},
}
HASHES = [{"type": "md5", "value": "c" * 32}]
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/reports"): PUBLIC_REPORT,
    ("POST", "/api/v1/takedown/cases"): {"hashes": HASHES, "age_at_creation": "under_18"},
    ("POST", "/api/v1/hashlist/match"): {"hashes": HASHES},
    ("POST", "/api/v1/detect"): {"id": "c", "messages": [{"sender": "a", "text": "hi"}]},
    ("POST", "/api/v1/notices"): {"urls": ["https://samplesocial.example/p/1"]},
    ("POST", "/api/v1/support"): {
        "who": "child",
        "asker": "friend",
        "kinds": ["talk_now"],
        "channel": "none",
    },
    ("POST", "/api/v1/takedown/cases/{case_id}/urls"): {"urls": ["https://a.example/1"]},
    ("POST", "/api/v1/takedown/cases/{case_id}/hashes"): {
        "hashes": [{"type": "md5", "value": "e" * 32}]
    },
}

# Form posts, sent with the caller's own valid CSRF token: who may act. (Each is also sent
# without a token below, and refused for everyone.)
ROLE_FORMS: dict[tuple[str, str], set[str]] = {
    ("POST", "/console/account"): SIGNED_IN,
    ("POST", "/console/support/services"): {"admin"},
    ("POST", "/console/support/{number}/{action}"): SUPPORT,
    ("POST", "/peer/matches/{match_id}/{action}"): {"peer"},
    ("POST", "/console/reports/{ref}/forward"): STAFF,
    ("POST", "/console/reports/{ref}/refer"): STAFF,
    ("POST", "/console/reports/{ref}/hold"): SUPERVISING,
    ("POST", "/console/reports/{ref}/split"): STAFF,
    ("POST", "/console/queue/{ref}/claim"): STAFF,
    ("POST", "/console/queue/{ref}/release"): STAFF,
    ("POST", "/console/queue/{ref}/assign"): SUPERVISING,
    ("POST", "/console/queue/{ref}/classify"): STAFF,
    ("POST", "/console/queue/{ref}/close"): STAFF,
    ("POST", "/console/queue/{ref}/seen"): STAFF,
    ("POST", "/console/queue/bulk"): SUPERVISING,
    ("POST", "/console/files/{file_id}/reveal"): STAFF,
    ("POST", "/console/files/{file_id}/blur"): STAFF,
    ("POST", "/console/incidents/merge"): STAFF,
    ("POST", "/console/referrals/{ref}/legal-process"): STAFF,
    ("POST", "/console/referrals/{ref}/supplements"): STAFF,
    ("POST", "/console/admin/routing"): {"admin"},
    ("POST", "/console/hashlist/{entry_id}/review"): STAFF,
    ("POST", "/console/hashlist/lists/{name}"): {"admin"},
    ("POST", "/console/notices"): STAFF,
    ("POST", "/console/admin/platforms"): {"admin"},
    ("POST", "/console/notices/{req_id}/{action}"): STAFF,
    ("POST", "/console/admin/routing/geo"): {"admin"},
    ("POST", "/agency/referrals/{ref}/acknowledge"): AGENCY_A,
    ("POST", "/agency/referrals/{ref}/outcome"): AGENCY_A,
    ("POST", "/agency/referrals/{ref}/preservation"): AGENCY_A,
    ("POST", "/agency/referrals/{ref}/destruction"): AGENCY_A,
    ("POST", "/agency/referrals/{ref}/legal-process"): AGENCY_A,
    ("POST", "/agency/referrals/{ref}/supplements/{supplement_id}/acknowledge"): AGENCY_A,
}

# Opened by a follow-up token only: the reporter holding it gets in; no session or key of any
# other caller opens them (404 for all).
TOKEN_ONLY = {
    ("POST", "/api/v1/reports/{report_id}/files"),
    ("GET", "/api/v1/reports/{report_id}/status"),
}
# Opened by a take-down case's PIN only: no session, key or token of any caller opens them (404).
CASE_PIN_ONLY = {
    ("GET", "/api/v1/takedown/cases/{case_id}"),
    ("DELETE", "/api/v1/takedown/cases/{case_id}"),
    ("POST", "/api/v1/takedown/cases/{case_id}/urls"),
    ("POST", "/api/v1/takedown/cases/{case_id}/hashes"),
}
# Opened by a family's pass (a cookie set when the request's number and code were typed): no
# session, key or token of any caller opens it (404, with the form to type them again).
FAMILY_PASS_ONLY = {("GET", "/support/follow-up/status")}
# CyberTipline's API: HTTP Basic with an ESP's /ispws login only (401 for every other caller).
ISPWS = {
    ("GET", "/ispws/status"),
    ("GET", "/ispws/xsd"),
    ("POST", "/ispws/submit"),
    ("POST", "/ispws/upload"),
    ("POST", "/ispws/fileinfo"),
    ("POST", "/ispws/finish"),
    ("POST", "/ispws/retract"),
}
# NCMEC's Hash Sharing API: HTTP Basic with a platform's login only (401, asking for Basic, for
# every other caller; an ESP's /ispws login and a platform's are each refused by the other's).
HASHSHARING = {
    ("GET", "/hashsharing/v2/status"),
    ("GET", "/hashsharing/v2/members"),
    ("GET", "/hashsharing/v2/feedback/{fingerprint_type}/reasons"),
    ("GET", "/hashsharing/v2/entries"),
    ("PUT", "/hashsharing/v2/entries/{member_id}/{entry_id}/{fingerprint_type}/feedback"),
}
HASHSHARING_QUERY = {"from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}
UPVOTE = (
    b'<feedbackSubmission xmlns="https://hashsharing.ncmec.org/hashsharing/v2">'
    b"<affirmative/></feedbackSubmission>"
)
# Form posts need the page's CSRF token: tested with it in test_public_pages.py and
# test_auth.py, where the state they need exists; here, without it, all are refused.
FORM_POSTS = {
    ("POST", "/report"),
    ("POST", "/report/follow-up"),
    ("POST", "/report/follow-up/add"),
    ("POST", "/console/login"),
    ("POST", "/console/totp"),
    ("POST", "/console/totp/enrol"),
    ("POST", "/console/password"),
    ("POST", "/console/logout"),
    ("POST", "/take-it-down/notices"),
    ("POST", "/support"),
    ("POST", "/support/from-report"),
    ("POST", "/support/follow-up"),
    ("POST", "/support/follow-up/{action}"),
    ("POST", "/support/follow-up/leave"),
} | set(ROLE_FORMS)
# The sign-in pages themselves (each tested in test_auth.py).
SIGN_IN_PAGES = {
    ("GET", "/console/login"),
    ("GET", "/console/totp"),
    ("GET", "/console/totp/enrol"),
    ("GET", "/console/password"),
}


def test_every_route_has_a_row(app: Any) -> None:
    routes = walk(list(app.routes)) | {("GET", "/healthz")}
    assert len(routes) > 30, "route discovery is broken"
    decided = (
        set(MATRIX)
        | TOKEN_ONLY
        | CASE_PIN_ONLY
        | FAMILY_PASS_ONLY
        | ISPWS
        | HASHSHARING
        | FORM_POSTS
        | SIGN_IN_PAGES
    )
    assert not routes - decided, f"routes without an access decision: {sorted(routes - decided)}"
    assert not decided - routes, f"rows for routes that no longer exist: {decided - routes}"


@dataclass
class World:
    """What the matrix acts on: a report with a file (in an incident, referred to agency A)
    and the follow-up token of the report's reporter."""

    report_id: str
    file_id: str
    incident: str
    referral: str
    agency_a: str
    token: str
    case_id: str
    pin: str
    entry_id: int
    notice_request: str
    supplement: str
    support_number: str
    match_id: str


def _world(database: Database, settings: Any) -> World:
    with database.session() as db_session:
        made = builders.report(db_session, with_follow_up_token=True)
        file_id = evidence.store_file(
            db_session,
            settings=settings,
            data=encode(synthetic_image(1), "PNG"),
            filename="s.png",
            actor="t",
            report_id=made.id,
        ).file.id
        other = builders.report(db_session).id
        incident = bundling.merge(db_session, report_refs=[made.id, other], actor="t").number
        agency_a = builders.organisation(db_session, kind="agency", name="Agency A").organisation.id
        sent = builders.referral(db_session, report_ref=made.id, agency_ref=agency_a)
        number = sent.number
        supplement = referral_service.add_supplement(
            db_session, referral=sent, note="matrix check", actor="t"
        ).id
        case, pin = builders.takedown_case(db_session, hashes=[("md5", "d" * 32)])
        entry_id = case.entries[0].id
        case_id = case.case_id
        notice = NoticeRequest(
            subject_type="report",
            subject_id=made.id,
            url="https://a.example/1",
            url_hash="0" * 64,
            host="a.example",
            platform_name="a.example",
            channel="manual",
            created_by="t",
        )
        db_session.add(notice)
        db_session.flush()
        notice_id = notice.id
        support_number = builders.support_request(db_session).request.number
    peer = builders.peer(database, email="peer@example.test", password=PASSWORD)
    with database.session() as db_session:
        advocate = builders.staff(db_session, role="advocate", email="matrix-adv@example.test")
        request = support.get(db_session, number=support_number)
        match_id = peers.propose(
            db_session, request=request, peer_id=peer.id, user_id=advocate.id
        ).id
    return World(
        made.id,
        file_id,
        incident,
        number,
        agency_a,
        made.follow_up_token or "",
        case_id,
        pin,
        entry_id,
        notice_id,
        supplement,
        support_number,
        match_id,
    )


def _caller(client: TestClient, database: Database, caller: str, world: World) -> dict[str, str]:
    if caller in STAFF or caller == "advocate":
        sign_in(client, make_user(database, caller))
    elif caller == "peer":
        sign_in(client, "peer@example.test")
    elif caller == "agency":
        sign_in(client, make_user(database, "agency", agency_id=world.agency_a))
    elif caller == "agency_b":
        sign_in(client, make_user(database, "agency", email="agency-b@example.test"))
    elif caller.endswith("_key"):
        creds = make_org(database, caller.removesuffix("_key"))
        return {"Authorization": f"Bearer {creds.api_key}"}
    elif caller == "reporter":
        return {"X-Follow-Up-Token": world.token}
    return {}


def _concrete(path: str, world: World) -> str:
    if path.startswith("/console/incidents/"):
        path = path.replace("{ref}", world.incident)
    if "/referrals/" in path:
        path = path.replace("{ref}", world.referral)
    # Each form of many actions is tried with one harmless action.
    for prefix, action in (
        ("/console/support/", "note"),
        ("/peer/", "accept"),
        ("/support/follow-up/", "add"),
    ):
        if path.startswith(prefix):
            path = path.replace("{action}", action)
    return (
        path.replace("{lang}", "es")
        .replace("{report_id}", world.report_id)
        .replace("{ref}", world.report_id)
        .replace("{file_id}", world.file_id)
        .replace("{case_id}", world.case_id)
        .replace("{entry_id}", str(world.entry_id))
        .replace("{name}", "take-it-down")
        .replace("{req_id}", world.notice_request)
        .replace("{action}", "removed")
        .replace("{fingerprint_type}", "MD5")  # the world's entry is an MD5
        .replace("{member_id}", "1")
        .replace("{supplement_id}", world.supplement)
        .replace("{number}", world.support_number)
        .replace("{match_id}", world.match_id)
    )


def _json_body(method: str, path: str, world: World) -> dict[str, Any] | None:
    if path == "/api/v1/hashlist/feedback":
        return {"feedback": [{"entry_id": world.entry_id, "outcome": "matched"}]}
    return BODIES.get((method, path))


def _turned_away(response: Any) -> bool:
    went_to_login = response.status_code == 303 and "/console/login" in response.headers.get(
        "location", ""
    )
    # 404: another agency's referral does not exist for the asker.
    return response.status_code in (401, 403, 404) or went_to_login


def _refusal(caller: str, path: str) -> int:
    """Exactly what a caller kept out of `path` is answered."""
    signed_in = caller in SIGNED_IN
    if path.startswith("/api/"):
        # The API knows only keys: a signed-in person without one is not authenticated there; a
        # key of the wrong kind is authenticated and refused.
        return 403 if caller.endswith("_key") else 401
    if not signed_in:
        return 303  # to the sign-in page (checked below)
    if caller == "agency_b" and path.startswith("/agency/referrals/{ref}"):
        return 404  # another agency's referral does not exist for the asker
    return 403


def _refused_as_expected(response: Any, caller: str, path: str) -> bool:
    expected = _refusal(caller, path)
    if expected == 303:
        return response.status_code == 303 and "/console/login" in response.headers.get(
            "location", ""
        )
    return response.status_code == expected


def _form_body(path: str, caller: str, world: World) -> dict[str, Any]:
    # Enough for the action to be attempted; whether it then succeeds is other tests' business.
    if path.endswith("/assign"):
        return {"email": f"{caller}@example.test"}
    if path.endswith("/review"):
        return {"decision": "release"}
    if path == "/console/support/{number}/{action}":
        return {"note": "matrix check"}
    if path.startswith("/console/hashlist/lists/"):
        return {"pdq_threshold": "31", "vpdq_frame_share": "0.8"}
    return {
        "/console/admin/platforms": {
            "name": "Matrix Site",
            "domains": "matrix.example",
            "email": "a@matrix.example",
        },
        "/console/notices": {"subject": world.report_id, "urls": "https://b.example/2"},
        "/console/admin/routing": {"country": "US", "region": "US-TX", "agency": world.agency_a},
        "/console/support/services": {
            "id": "matrix-service",
            "name": "Matrix Service",
            "kind": "counselling",
            "url": "https://matrix.example",
        },
    }.get(path, {})


@pytest.mark.parametrize("caller", CALLERS)
def test_matrix(client: TestClient, database: Database, settings: Any, caller: str) -> None:
    world = _world(database, settings)
    headers = _caller(client, database, caller, world)
    for (method, path), who in sorted(MATRIX.items()):
        response = client.request(
            method,
            _concrete(path, world),
            headers=headers,
            json=_json_body(method, path, world),
            follow_redirects=False,
        )
        if caller in who:
            assert response.status_code < 400, f"{caller} kept out of {method} {path}"
            assert not _turned_away(response), f"{caller} sent to sign in for {method} {path}"
        else:
            assert _refused_as_expected(response, caller, path), (
                f"{caller} got {response.status_code} from {method} {path},"
                f" not {_refusal(caller, path)}"
            )
    for method, path in sorted(TOKEN_ONLY):
        files = {"file": ("a.png", b"\x89PNG")} if method == "POST" else None
        response = client.request(method, _concrete(path, world), headers=headers, files=files)
        if caller == "reporter":
            assert response.status_code != 404, f"reporter kept out of {method} {path}"
        else:
            assert response.status_code == 404, f"{caller}: {method} {path}"
    for method, path in sorted(CASE_PIN_ONLY):
        response = client.request(
            method, _concrete(path, world), headers=headers, json=BODIES.get((method, path))
        )
        assert response.status_code == 404, f"{caller}: {method} {path}"
    for method, path in sorted(FAMILY_PASS_ONLY):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 404, f"{caller}: {method} {path}"
        assert 'name="code"' in response.text  # the form to type them again
    pin = {**headers, "X-Case-PIN": world.pin}
    for method, path in sorted(CASE_PIN_ONLY, reverse=True):  # POST, GET, then DELETE
        response = client.request(
            method, _concrete(path, world), headers=pin, json=BODIES.get((method, path))
        )
        assert response.status_code in (200, 201), f"{caller} with the PIN: {method} {path}"
    _basic_apis_refuse(client, headers, world, caller)
    # With the caller's own valid CSRF token (a signed-in page's, or the public form's).
    home = {
        "agency": "/agency",
        "agency_b": "/agency",
        "advocate": "/console/support",
        "peer": "/peer",
    }.get(caller, "/console" if caller in STAFF else "/report")
    token = csrf(client.get(home, headers=headers))
    for (method, path), who in sorted(ROLE_FORMS.items()):
        response = client.request(
            method,
            _concrete(path, world),
            headers=headers,
            data={"csrf_token": token, **_form_body(path, caller, world)},
            follow_redirects=False,
        )
        assert response.status_code < 500, f"{caller}: {method} {path}"
        if caller in who:
            assert not _turned_away(response), f"{caller} kept out of {method} {path}"
        else:
            assert _refused_as_expected(response, caller, path), (
                f"{caller} got {response.status_code} from {method} {path},"
                f" not {_refusal(caller, path)}"
            )


def _basic_apis_refuse(
    client: TestClient, headers: dict[str, str], world: World, caller: str
) -> None:
    """The APIs of HTTP Basic logins turn every other caller away with a 401."""
    for method, path in sorted(ISPWS):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 401, f"{caller}: {method} {path}"
        assert response.content == b""
    for method, path in sorted(HASHSHARING):
        response = _hashsharing(client, method, _concrete(path, world), headers)
        assert response.status_code == 401, f"{caller}: {method} {path}"
        assert response.headers["WWW-Authenticate"].startswith("Basic"), f"{method} {path}"


def _hashsharing(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    return client.request(
        method,
        path,
        headers={**headers, "Content-Type": "application/xml"},
        params=HASHSHARING_QUERY if path.endswith("/entries") else None,
        content=UPVOTE if method == "PUT" else None,
    )


def _basic(username: str | None, password: str | None) -> dict[str, str]:
    pair = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def test_basic_logins_open_only_their_own_api(
    client: TestClient, database: Database, settings: Any
) -> None:
    """A platform's login opens the Hash Sharing API and not /ispws; an ESP's the reverse."""
    world = _world(database, settings)
    platform = make_org(database, "platform")
    esp = make_org(database, "esp")
    as_platform = _basic(platform.hashsharing_username, platform.hashsharing_password)
    as_esp = _basic(esp.ispws_username, esp.ispws_password)
    for method, path in sorted(HASHSHARING):
        concrete = _concrete(path, world)
        response = _hashsharing(client, method, concrete, as_platform)
        assert response.status_code == 200, f"platform kept out of {method} {path}"
        assert _hashsharing(client, method, concrete, as_esp).status_code == 401, path
    for method, path in sorted(ISPWS):
        response = client.request(method, path, headers=as_platform)
        assert response.status_code == 401, f"platform: {method} {path}"
    assert client.get("/ispws/status", headers=as_esp).status_code == 200


@pytest.mark.parametrize("caller", CALLERS)
def test_form_posts_without_a_token_are_refused(
    client: TestClient, database: Database, settings: Any, caller: str
) -> None:
    world = _world(database, settings)
    headers = _caller(client, database, caller, world)
    for method, path in sorted(FORM_POSTS):
        response = client.request(
            method, _concrete(path, world), headers=headers, data={}, follow_redirects=False
        )
        assert response.status_code == 403, f"{caller}: {method} {path}"
