"""The access-control matrix: every caller against every route.

A new route fails this test until it is given a row here, so no route ships without a decision
about who may use it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from accounts import make_org, make_user, sign_in
from tipline.db import Database

CALLERS = ["anonymous", "admin", "supervisor", "analyst", "agency", "esp_key", "platform_key"]
STAFF = {"admin", "supervisor", "analyst"}

# route -> the callers who get in; everyone else is turned away.
MATRIX: dict[tuple[str, str], set[str]] = {
    ("GET", "/"): set(CALLERS),
    ("GET", "/help"): set(CALLERS),
    ("GET", "/lang/{lang}"): set(CALLERS),
    ("GET", "/healthz"): set(CALLERS),
    ("GET", "/console"): STAFF,
    ("GET", "/console/admin"): {"admin"},
    ("GET", "/agency"): {"agency"},
    ("GET", "/api/v1/whoami"): {"esp_key", "platform_key"},
}
# The sign-in steps themselves: each is tested in test_auth.py, where the state they need exists.
SIGN_IN_FLOW = {
    ("GET", "/console/login"),
    ("POST", "/console/login"),
    ("GET", "/console/totp"),
    ("POST", "/console/totp"),
    ("GET", "/console/totp/enrol"),
    ("POST", "/console/totp/enrol"),
    ("GET", "/console/password"),
    ("POST", "/console/password"),
    ("POST", "/console/logout"),
}


def _routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                found.add((method, route.path))
    found.add(("GET", "/healthz"))
    return found


def test_every_route_has_a_row(app) -> None:  # type: ignore[no-untyped-def]
    missing = _routes(app) - set(MATRIX) - SIGN_IN_FLOW
    assert not missing, f"routes without an access decision: {sorted(missing)}"


def _caller(client: TestClient, database: Database, caller: str) -> dict[str, str]:
    if caller in {"admin", "supervisor", "analyst", "agency"}:
        sign_in(client, make_user(database, caller))
        return {}
    if caller.endswith("_key"):
        creds = make_org(database, caller.removesuffix("_key"))
        return {"Authorization": f"Bearer {creds.api_key}"}
    return {}


def _concrete(path: str) -> str:
    return path.replace("{lang}", "es")


@pytest.mark.parametrize("caller", CALLERS)
def test_matrix(client: TestClient, database: Database, caller: str) -> None:
    headers = _caller(client, database, caller)
    allowed: Callable[[int], bool] = lambda status: status < 400  # noqa: E731
    for (method, path), who in sorted(MATRIX.items()):
        response = client.request(method, _concrete(path), headers=headers, follow_redirects=False)
        status = response.status_code
        went_to_login = status == 303 and "/console/login" in response.headers.get("location", "")
        if caller in who:
            assert allowed(status), f"{caller} kept out of {method} {path} ({status})"
            assert not went_to_login, f"{caller} sent to sign in for {method} {path}"
        else:
            assert status in (401, 403) or went_to_login, (
                f"{caller} got into {method} {path} ({status})"
            )
