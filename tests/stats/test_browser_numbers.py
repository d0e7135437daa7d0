"""/numbers in Debian's Chromium, in English and Spanish: the charts are drawn, each has its text
alternative and its table, small counts show as withheld, axe finds nothing; screenshots saved
to test-artifacts/."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts import PASSWORD, make_user
from browser import axe_violations, describe, new_page, shot, sign_in_with_totp
from tipline import builders
from tipline.db import Database
from tipline.stats import service as stats

pytestmark = pytest.mark.browser


def _fill(database: Database) -> None:
    rng = random.Random(4)
    with database.session() as db_session:
        for i in range(260):
            sextortion = rng.random() < 0.7
            builders.report(
                db_session,
                incident_type="online_enticement" if i % 40 else "child_pornography",
                sextortion=sextortion,
                demands=(["money"] if rng.random() < 0.75 else ["images"]) if sextortion else [],
                people=[
                    {
                        "role": "victim",
                        "age": rng.choice([13, 14, 15, 16, 17]),
                        "gender": rng.choice(["male", "male", "female"]),
                    }
                ],
                accounts=[
                    {
                        "role": "suspect",
                        "platform": rng.choice(["Instagram", "Snapchat", "Discord"]),
                        "handle": f"synthetic_{i}",
                    }
                ],
                received_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(300)),
            )
    with database.session() as db_session:
        stats.refresh(db_session)


@pytest.mark.parametrize(("lang", "locale"), [("en", "en-US"), ("es", "es-MX")])
def test_numbers_page_in_a_real_browser(
    browser: Any, live_server: str, database: Database, lang: str, locale: str
) -> None:
    _fill(database)
    page = new_page(browser, locale=locale, bypass_csp=True)
    try:
        page.goto(f"{live_server}/numbers")
        assert page.locator("html").get_attribute("lang") == lang
        charts = page.locator("svg.chart")
        assert charts.count() >= 6
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box is not None
            assert box["height"] > 30
        # Each chart is named by its title and described in words.
        first = page.get_by_role("img").first
        assert first.get_attribute("aria-labelledby")
        assert (page.locator("svg.chart desc").first.text_content() or "").strip()
        # Seven reports of one type: withheld on the page, and drawn as a stub.
        assert page.locator("td.n", has_text="<10").count() >= 1
        assert page.locator("rect.withheld").count() >= 1
        note = page.locator("#numbers-not-prevalence").inner_text()
        assert ("not how often" if lang == "en" else "no cuántas veces") in note
        shot(page, f"numbers-{lang}")
        violations = axe_violations(page)
        assert not violations, describe(violations)
    finally:
        page.context.close()


def test_staff_numbers_in_a_real_browser(
    browser: Any, live_server: str, database: Database
) -> None:
    _fill(database)
    email = make_user(database, "supervisor")
    page = new_page(browser, bypass_csp=True)
    try:
        sign_in_with_totp(page, live_server, email, PASSWORD)
        page.goto(f"{live_server}/console/numbers?platform=Discord")
        assert page.locator('[data-figure="reports"]').inner_text() != "0"
        assert page.locator("svg.chart").count() >= 5
        shot(page, "console-numbers")
        violations = axe_violations(page)
        assert not violations, describe(violations)
    finally:
        page.context.close()
