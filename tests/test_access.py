"""The access-control matrix: every caller against every route.

A new route fails this test until it is given a row here, so no route ships without a decision
about who may use it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from accounts import make_org, make_user, sign_in
from tipline.db import Database
from tipline.reports import service as reports

CALLERS = ["anonymous", "admin", "supervisor", "analyst", "agency", "esp_key", "platform_key"]
STAFF = {"admin", "supervisor", "analyst"}
EVERYONE = set(CALLERS)
PUBLIC_REPORT = {"reporter_role": "friend", "description": "matrix check"}

# route -> the callers who get in; everyone else is turned away (401, 403, or sent to sign in).
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
    ("GET", "/console/admin"): {"admin"},
    ("GET", "/agency"): {"agency"},
    ("GET", "/api/v1/whoami"): {"esp_key", "platform_key"},
}
BODIES: dict[tuple[str, str], dict[str, Any]] = {("POST", "/api/v1/reports"): PUBLIC_REPORT}

# Opened by a follow-up token only: no session or key of any caller opens them (404 for all).
TOKEN_ONLY = {
    ("POST", "/api/v1/reports/{report_id}/files"),
    ("GET", "/api/v1/reports/{report_id}/status"),
}
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
    ("POST", "/console/reports/{ref}/forward"),
    ("POST", "/console/queue/{ref}/claim"),
    ("POST", "/console/queue/{ref}/release"),
    ("POST", "/console/queue/{ref}/assign"),
    ("POST", "/console/queue/{ref}/classify"),
    ("POST", "/console/queue/{ref}/close"),
    ("POST", "/console/files/{file_id}/reveal"),
}
# The sign-in pages themselves (each tested in test_auth.py).
SIGN_IN_PAGES = {
    ("GET", "/console/login"),
    ("GET", "/console/totp"),
    ("GET", "/console/totp/enrol"),
    ("GET", "/console/password"),
}


def _walk(routes: list[Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, APIRoute):
            found |= {(m, route.path) for m in route.methods - {"HEAD"}}
        original = getattr(route, "original_router", None)
        if original is not None:
            found |= _walk(list(original.routes))
    return found


def test_every_route_has_a_row(app: Any) -> None:
    routes = _walk(list(app.routes)) | {("GET", "/healthz")}
    assert len(routes) > 30, "route discovery is broken"
    decided = set(MATRIX) | TOKEN_ONLY | ISPWS | FORM_POSTS | SIGN_IN_PAGES
    assert not routes - decided, f"routes without an access decision: {sorted(routes - decided)}"
    assert not decided - routes, f"rows for routes that no longer exist: {decided - routes}"


def _caller(client: TestClient, database: Database, caller: str) -> dict[str, str]:
    if caller in {"admin", "supervisor", "analyst", "agency"}:
        sign_in(client, make_user(database, caller))
        return {}
    if caller.endswith("_key"):
        creds = make_org(database, caller.removesuffix("_key"))
        return {"Authorization": f"Bearer {creds.api_key}"}
    return {}


def _concrete(path: str, report_id: str = "0" * 32, file_id: str = "0" * 32) -> str:
    return (
        path.replace("{lang}", "es")
        .replace("{report_id}", "0" * 32)
        .replace("{ref}", report_id)
        .replace("{file_id}", file_id)
    )


@pytest.mark.parametrize("caller", CALLERS)
def test_matrix(client: TestClient, database: Database, settings: Any, caller: str) -> None:
    from media import encode, synthetic_image
    from tipline.evidence import service as evidence

    headers = _caller(client, database, caller)
    with database.session() as db_session:
        report_id = reports.create_report(db_session, source="public", actor="t").id
        file_id = evidence.store_file(
            db_session,
            settings=settings,
            data=encode(synthetic_image(1), "PNG"),
            filename="s.png",
            actor="t",
            report_id=report_id,
        ).file.id
    for (method, path), who in sorted(MATRIX.items()):
        response = client.request(
            method,
            _concrete(path, report_id, file_id),
            headers=headers,
            json=BODIES.get((method, path)),
            follow_redirects=False,
        )
        status = response.status_code
        went_to_login = status == 303 and "/console/login" in response.headers.get("location", "")
        if caller in who:
            assert status < 400, f"{caller} kept out of {method} {path} ({status})"
            assert not went_to_login, f"{caller} sent to sign in for {method} {path}"
        else:
            assert status in (401, 403) or went_to_login, (
                f"{caller} got into {method} {path} ({status})"
            )
    for method, path in sorted(TOKEN_ONLY):
        files = {"file": ("a.png", b"\x89PNG")} if method == "POST" else None
        response = client.request(method, _concrete(path), headers=headers, files=files)
        assert response.status_code == 404, f"{caller}: {method} {path}"
    for method, path in sorted(ISPWS):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 401, f"{caller}: {method} {path}"
        assert response.content == b""
    for method, path in sorted(FORM_POSTS):
        response = client.request(
            method,
            _concrete(path, report_id, file_id),
            headers=headers,
            data={},
            follow_redirects=False,
        )
        assert response.status_code in (403, 422), f"{caller}: {method} {path}"
