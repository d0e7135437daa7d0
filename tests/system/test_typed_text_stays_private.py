"""Nothing a reporter, a victim, a family or an online service typed is ever published. Names,
a school, a phone number, an email and markup go into every free-text field a report, an
update, an ESP filing, a take-down case and a request for support take; the figures are rolled
up; then every public page and public API answer is read, and none of it may appear there, not
even as a label whose count is withheld.
"""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from routes import walk
from tipline import builders
from tipline.config import Settings
from tipline.db import Database
from tipline.notices import requests as notice_requests
from tipline.stats import service as stats
from tipline.takedown import service as takedown

# Synthetic, but shaped like what people type: a child's name and school, a phone, an email,
# markup, a handle. None may reach a public page.
SECRETS = [
    "Jenny Doe at Riverside High",
    "Riverside High",
    "Jenny Doe",
    "<b>Insta</b>",
    "+1 555 0142",
    "5550142",
    "riverside.kid@example.test",
    "quiet_fox_leak",
    "leaky-site-riverside",
]
TYPED = "Jenny Doe at Riverside High"


def _public_report(client: TestClient, platform: str) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/reports",
        json={
            "reporter_role": "friend",
            "description": f"{TYPED} is being threatened; call +1 555 0142.",
            "sextortion": True,
            "demands": ["money"],
            "suspect_accounts": [
                {
                    "platform": platform,
                    "username": "quiet_fox_leak",
                    "profile_url": "https://leaky-site-riverside.example/u/quiet_fox_leak",
                    "display_name": "<b>Insta</b>",
                }
            ],
            "payment_details": [
                {"method": "other", "handle": "Jenny Doe", "amount": "+1 555 0142"}
            ],
            "victim": {"age": 15, "school": "Riverside High", "country": "US"},
            "contact": {
                "name": "Jenny Doe",
                "email": "riverside.kid@example.test",
                "phone": "+1 555 0142",
            },
        },
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _public_get_routes(client: TestClient) -> list[str]:
    """Every page and API answer anyone may GET without signing in or a key."""
    staff = ("/console", "/agency", "/ispws", "/hashsharing", "/api/v1/hashlist", "/api/v1/whoami")
    return sorted(
        path
        for method, path in walk(list(client.app.routes)) | {("GET", "/healthz")}  # type: ignore[attr-defined]
        if method == "GET" and "{" not in path and not path.startswith(staff)
    )


def test_nothing_typed_reaches_a_public_page_or_api(
    client: TestClient, database: Database, settings: Settings
) -> None:
    for platform in (TYPED, "<b>Insta</b>", "+1 555 0142", "riverside.kid@example.test"):
        for _ in range(3):
            made = _public_report(client, platform)
    # The reporter's later words, through the follow-up API.
    client.post(
        f"/api/v1/reports/{made['report_id']}/files",
        headers={"X-Follow-Up-Token": made["follow_up_token"]},
        files={"file": ("Jenny Doe.txt", b"not an image", "text/plain")},
    )
    # An online service may send anything in any field: a gender, a demand, a type.
    with database.session() as db_session:
        builders.report(
            db_session,
            source="esp",
            description=TYPED,
            demands=["money"],
            people=[{"role": "victim", "age": 14, "gender": "male", "name": "Jenny Doe"}],
            accounts=[{"role": "suspect", "platform": TYPED, "handle": "quiet_fox_leak"}],
        )
    # A family's request for support, every free-text field filled with what people type.
    support = client.post(
        "/api/v1/support",
        json={
            "who": "child",
            "asker": "parent",
            "kinds": ["talk_now", "peer"],
            "call_me": "Jenny Doe",
            "channel": "email",
            "contact": "riverside.kid@example.test",
            "safe_times": "after Riverside High lets out; call +1 555 0142",
            "message": f"{TYPED}: <b>Insta</b> account quiet_fox_leak",
        },
    )
    assert support.status_code == 201, support.text
    # A victim's take-down case, with the addresses where the image is posted.
    case = client.post(
        "/api/v1/takedown/cases",
        json={"hashes": [{"type": "md5", "value": "f" * 32}], "age_at_creation": "under_18"},
    ).json()
    attached = client.post(
        f"/api/v1/takedown/cases/{case['case_id']}/urls",
        json={"urls": ["https://leaky-site-riverside.example/jenny-doe/1"]},
        headers={"X-Case-PIN": case["pin"]},
    )
    assert attached.status_code == 201, attached.text
    with database.session() as db_session:
        found = takedown.case_for_pin(db_session, case_id=case["case_id"], pin=case["pin"])
        notice_requests.request_takedowns(
            db_session,
            subject_type="takedown_case",
            subject_id=found.id,
            urls=["https://leaky-site-riverside.example/jenny-doe/2"],
            actor="user:analyst",
            settings=settings,
        )
        stats.refresh(db_session)

    paths = _public_get_routes(client)
    assert {"/", "/numbers", "/api/v1/stats", "/take-it-down", "/report"} <= set(paths)
    with database.session() as db_session:
        years = stats.published(db_session, threshold=1)["years"]
    pages = [*paths, *(f"/numbers?year={y}" for y in years)]
    pages += [f"/api/v1/stats?year={y}" for y in years]
    pages += ["/lang/es?next=/numbers"]
    for path in pages:
        for lang in ("en", "es"):
            answer = client.get(path, headers={"Accept-Language": lang}, follow_redirects=True)
            assert answer.status_code < 500, path
            text = html.unescape(answer.text)
            folded = re.sub(r"\s+", " ", text).casefold()
            for secret in SECRETS:
                assert secret.casefold() not in folded, f"{secret!r} published on {path}"
    # The figures counted them all the same: as "other", not by name.
    with database.session() as db_session:
        figures = stats.published(db_session, threshold=1)
    platforms = {row["key"] for row in figures["breakdowns"]["platform"]}
    assert platforms == {"other"}
    notices = {row["key"] for row in figures["breakdowns"]["notices"]}
    assert notices <= {"other"}
