"""schemathesis against the OpenAPI document, over real HTTP: no input the schema allows makes a
5xx, every error has the one JSON shape, and every success matches the documented response."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from accounts import make_org
from tipline.db import Database
from tipline.reports.models import Report


def _operations(live_server: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_api_never_fails_on_input(live_server: str, database: Database) -> None:
    creds = make_org(database, "platform", "Schema Platform")
    operations = _operations(live_server)
    assert {op.path for op in operations} >= {"/api/v1/reports", "/api/v1/whoami"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            headers = {"Authorization": f"Bearer {creds.api_key}"}
            response = case.call(base_url=live_server, headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text)
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"error"}, body
                assert set(body["error"]) == {"code", "message"}
            else:
                case.validate_response(response)

        try:
            check()
        except AssertionError as exc:  # name the operation in the failure
            pytest.fail(f"{operation.method.upper()} {operation.path}: {exc}")
    with database.session() as db_session:
        filed = db_session.scalar(select(func.count(Report.id)))
    # Generated reports were accepted and stored, so the cases really reached the server.
    assert filed
