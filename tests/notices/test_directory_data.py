"""The platform directory that ships (data/platforms.json): the real companies a victim's
addresses are grouped under, each fact with the date it was checked and where it came from; and
the loader that refuses a file with a shared domain, a non-https address or an unknown field,
naming the entry, before anything is written."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accounts import csrf, make_user, sign_in
from tipline.db import Database
from tipline.errors import BadInput
from tipline.notices import directory
from tipline.notices import service as notices
from tipline.notices.models import NoticePlatform

# The companies issue 21 asks for, by the name a victim sees on the notice.
NAMED = {
    "Instagram",
    "Facebook",
    "WhatsApp",
    "Messenger",
    "Snapchat",
    "TikTok",
    "Discord",
    "Roblox",
    "X (Twitter)",
    "Reddit",
    "YouTube",
    "Telegram",
    "Google Search",
    "Bing",
    "OnlyFans",
    "Pornhub",
}
SEARCH_ENGINES = {"Google Search", "Bing"}


def _shipped() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(directory.platforms())
    return entries


def _addresses(entry: dict[str, Any]) -> list[str]:
    urls = [entry.get("report_url"), entry.get("api_url"), *entry["report_urls"].values()]
    return [u for u in [*urls, *entry["sources"]] if u is not None]


def _count(database: Database) -> int:
    with database.session() as db_session:
        return db_session.scalar(select(func.count()).select_from(NoticePlatform)) or 0


@pytest.fixture
def shipped(database: Database) -> None:
    with database.session() as db_session:
        directory.load(db_session, text=directory.platforms(), actor="test")


def test_the_shipped_directory_loads(database: Database) -> None:
    with database.session() as db_session:
        loaded = directory.load(db_session, text=directory.platforms(), actor="test")
    assert loaded == len(_shipped()) == _count(database)
    # Loading it again updates the same companies (by name): nothing is doubled.
    with database.session() as db_session:
        directory.load(db_session, text=directory.platforms(), actor="test")
    assert _count(database) == loaded


def test_every_company_the_issue_names_is_in_it() -> None:
    names = {entry["name"] for entry in _shipped()}
    assert names >= NAMED, sorted(NAMED - names)
    x = next(entry for entry in _shipped() if entry["name"] == "X (Twitter)")
    assert {"x.com", "twitter.com", "twimg.com"} <= set(x["domains"])


def test_every_address_is_https_with_a_host() -> None:
    for entry in _shipped():
        assert set(entry["report_urls"]) == {"intimate_images", "child_safety"}, entry["name"]
        for url in _addresses(entry):
            parts = urlsplit(url)
            assert parts.scheme == "https", (entry["name"], url)
            assert parts.hostname, (entry["name"], url)


def test_every_entry_says_when_it_was_checked_and_where_each_fact_came_from() -> None:
    for entry in _shipped():
        assert date.fromisoformat(entry["checked"]) <= datetime.now(UTC).date(), entry["name"]
        assert entry["sources"], entry["name"]
        assert entry["take_it_down"] in (True, False, None), entry["name"]
        # A fact not found is null, and the notes say so.
        if entry["take_it_down"] is None:
            assert "could not confirm" in entry["notes"], entry["name"]
            assert "Take It Down" in entry["notes"], entry["name"]
        if None in entry["report_urls"].values():
            assert "found no" in entry["notes"] or "not linked" in entry["notes"], entry["name"]


def test_hosting_platforms_have_the_takedown_act_deadline_and_search_engines_none() -> None:
    for entry in _shipped():
        if entry["name"] in SEARCH_ENGINES:
            assert entry["deadline_hours"] is None, entry["name"]
            assert "take_it_down_act" not in entry["legal_bases"], entry["name"]
            assert "search results" in entry["notes"], entry["name"]
        else:
            assert entry["deadline_hours"] == 48, entry["name"]
            assert "take_it_down_act" in entry["legal_bases"], entry["name"]


def test_each_domain_belongs_to_one_company() -> None:
    seen: dict[str, str] = {}
    for entry in _shipped():
        for domain in entry["domains"]:
            assert domain not in seen, (domain, seen.get(domain), entry["name"])
            assert domain == domain.lower()
            assert not set(domain) & set("/:@ "), domain
            seen[domain] = entry["name"]


def test_addresses_on_one_companys_domains_make_one_notice(
    client: TestClient, shipped: None
) -> None:
    urls = [
        "https://x.com/invented_handle/status/1",
        "https://twitter.com/invented_handle/status/2",
        "https://pbs.twimg.com/media/invented.jpg",
        "https://youtu.be/invented01",
        "https://www.youtube.com/watch?v=invented02",
        "https://t.me/invented_channel/3",
    ]
    body = client.post("/api/v1/notices", json={"urls": urls, "under_18": True}).json()
    by_name = {p["platform"]: p for p in body["platforms"]}
    assert list(by_name) == ["X (Twitter)", "YouTube", "Telegram"]
    assert len(by_name["X (Twitter)"]["urls"]) == 3
    assert len(by_name["YouTube"]["urls"]) == 2
    x = by_name["X (Twitter)"]
    assert x["deadline_hours"] == 48
    assert "help.x.com/forms/safety-and-sensitive-content/take-it-down" in x["steps"][0]
    assert "within 48 hours" in x["notice_text"]
    # Telegram has no web form: the steps send the victim to the Report option in the app.
    telegram = by_name["Telegram"]
    assert "Report option" in telegram["steps"][0]
    assert "not in our directory" not in " ".join(telegram["steps"])


def test_a_search_engine_is_promised_no_deadline(client: TestClient, shipped: None) -> None:
    body = client.post(
        "/api/v1/notices", json={"urls": ["https://www.google.com/search?q=invented"]}
    ).json()
    google = body["platforms"][0]
    assert google["platform"] == "Google Search"
    assert google["deadline_hours"] is None
    assert "Please remove it within" not in google["notice_text"]
    assert any("not the picture from the site" in step for step in google["steps"])


def test_an_unknown_site_gets_its_abuse_contact_and_no_promised_deadline(
    client: TestClient, shipped: None
) -> None:
    body = client.post(
        "/api/v1/notices", json={"urls": ["https://img.unlisted-host.example/p/9"]}
    ).json()
    unknown = body["platforms"][0]
    assert unknown["known"] is False
    assert unknown["deadline_hours"] is None
    steps = " ".join(unknown["steps"])
    assert "abuse@unlisted-host.example" in steps
    assert "WHOIS lookup of unlisted-host.example" in steps
    assert "hosting company" in steps
    assert "cannot tell you when it must act" in steps
    assert "Please remove it within" not in unknown["notice_text"]
    # The law is cited only for the case that the site hosts what its users post.
    assert "If your site hosts content that its users post" in unknown["notice_text"]
    page = client.get("/take-it-down/notices")
    shown = client.post(
        "/take-it-down/notices",
        data={
            "csrf_token": csrf(page),
            "urls": "https://unlisted-host.example/a",
            "under_18": "no",
        },
    )
    assert "should remove it within" not in shown.text
    assert 'data-deadline-hours=""' in shown.text


def test_the_unknown_site_steps_are_in_spanish_too(client: TestClient) -> None:
    body = client.post(
        "/api/v1/notices", json={"urls": ["https://unlisted-host.example/"], "lang": "es"}
    ).json()
    steps = " ".join(body["platforms"][0]["steps"])
    assert "WHOIS" in steps
    assert "abuse@unlisted-host.example" in steps
    assert "empresa" in steps


def _entry(name: str, domain: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "domains": [domain], "checked": "2026-01-01", **extra}


@pytest.mark.parametrize(
    ("entries", "named"),
    [
        (
            [_entry("First Site", "shared.example"), _entry("Second Site", "shared.example")],
            "Second Site: domain shared.example is also in First Site",
        ),
        (
            [
                _entry("First Site", "first.example"),
                _entry(
                    "Plain Site",
                    "plain.example",
                    report_urls={"intimate_images": "http://plain.example/report"},
                ),
            ],
            "Plain Site: report_urls.intimate_images must be an https:// address",
        ),
        (
            [_entry("First Site", "first.example"), _entry("Typo Site", "typo.example", emial="x")],
            "Typo Site: unknown field 'emial'",
        ),
        (
            [_entry("First Site", "first.example"), _entry("Upper Site", "Upper.example")],
            "Upper Site: 'Upper.example' is not a bare lowercase domain",
        ),
        (
            [_entry("First Site", "first.example", checked="last spring")],
            "First Site: checked must be a date",
        ),
        (
            [_entry("First Site", "first.example", sources=["ftp://first.example/page"])],
            "First Site: sources[0] must be an https:// address",
        ),
    ],
    ids=["duplicate-domain", "http-report-url", "unknown-field", "not-bare", "date", "source"],
)
def test_a_bad_entry_is_refused_by_name_and_nothing_is_written(
    database: Database, entries: list[dict[str, Any]], named: str
) -> None:
    before = _count(database)
    with pytest.raises(BadInput) as refused, database.session() as db_session:
        directory.load(db_session, text=json.dumps(entries), actor="test")
    assert str(refused.value).startswith(named), str(refused.value)
    assert "\n" not in str(refused.value)
    assert _count(database) == before


def test_a_domain_already_held_by_another_company_is_refused(
    database: Database, shipped: None
) -> None:
    before = _count(database)
    lookalike = json.dumps([_entry("Lookalike", "x.com")])
    with (
        pytest.raises(
            BadInput, match=r"^Lookalike: domain x\.com already belongs to X \(Twitter\)$"
        ),
        database.session() as db_session,
    ):
        directory.load(db_session, text=lookalike, actor="test")
    assert _count(database) == before
    # The same company, loaded again under its own name, may keep its domains.
    with database.session() as db_session:
        directory.load(db_session, text=json.dumps(_shipped()[:1]), actor="test")


def test_the_cli_refuses_a_bad_file_in_one_line(settings: Any, tmp_path: Any) -> None:
    bad = tmp_path / "directory.json"
    bad.write_text(json.dumps([_entry("Typo Site", "typo.example", colour="red")]))
    failed = subprocess.run(
        [sys.executable, "-m", "tipline", "notices", "load-directory", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines() == ["error: Typo Site: unknown field 'colour'"]


def test_an_admin_can_enter_a_platform_with_no_deadline(
    client: TestClient, database: Database
) -> None:
    sign_in(client, make_user(database, "admin"))
    page = client.get("/console/admin/platforms")
    saved = client.post(
        "/console/admin/platforms",
        data={
            "csrf_token": csrf(page),
            "name": "Finder (synthetic)",
            "domains": "Finder.example",
            "report_url": "https://finder.example/remove",
            "legal_bases": ["csam"],
            "deadline_hours": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    body = client.post("/api/v1/notices", json={"urls": ["https://finder.example/q"]}).json()
    assert body["platforms"][0]["platform"] == "Finder (synthetic)"
    assert body["platforms"][0]["deadline_hours"] is None
    edit = client.get("/console/admin/platforms")
    assert "finder.example" in edit.text


def test_a_childs_notice_points_to_the_platforms_child_safety_form(
    shipped: None, database: Database
) -> None:
    """The checked facts are stored with each platform, and for an image of someone under 18
    the steps lead to the platform's child-safety form rather than its adult one."""
    instagram = next(e for e in _shipped() if e["name"] == "Instagram")
    forms = instagram["report_urls"]
    with database.session() as db_session:
        stored = db_session.scalar(select(NoticePlatform).where(NoticePlatform.name == "Instagram"))
        assert stored is not None
        assert stored.facts["checked"] == instagram["checked"]
        assert stored.facts["report_urls"] == forms
        urls = ["https://www.instagram.com/p/example123/"]
        child = notices.group(db_session, urls=urls, gettext=str, under_18=True)
        adult = notices.group(db_session, urls=urls, gettext=str, under_18=False)
    assert child["platforms"][0]["child_safety_url"] == forms["child_safety"]
    assert any(forms["child_safety"] in step for step in child["platforms"][0]["steps"])
    assert adult["platforms"][0]["child_safety_url"] is None
    assert not any(forms["child_safety"] in step for step in adult["platforms"][0]["steps"])
