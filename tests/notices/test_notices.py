"""Notices to companies, the victim's side: addresses in, grouped by platform with the steps and a
ready notice out; hostile and malformed lines refused with a reason; nothing stored."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from accounts import csrf, make_user, sign_in
from tipline.audit.models import Event, PendingEvent
from tipline.cli import app as cli
from tipline.db import Database
from tipline.errors import BadInput
from tipline.notices import directory
from tipline.notices.models import NoticePlatform, NoticeRequest
from tipline.notices.urls import Parsed, Rejected, parse

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "ftp://files.example/x",
    "http://127.0.0.1/admin",
    "http://10.1.2.3/",
    "http://192.168.0.10/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://0x7f.1/",
    "http://2130706433/",
    "http://localhost:8000/",
    "http://router.local/",
    "http://user:secret@samplesocial.example/",
    "http://samplesocial.example/a b",
    "https://samplesocial.example/\x00",
    "",
    "https://" + "a" * 3000 + ".example/",
    "http://[not-an-ip/",
]


@pytest.fixture
def loaded(database: Database) -> None:
    with database.session() as db_session:
        directory.load(db_session, text=directory.sample(), actor="test")


def test_hostile_and_malformed_lines_are_refused_with_a_reason() -> None:
    for line in HOSTILE:
        result = parse(line)
        assert isinstance(result, Rejected), line
        assert result.reason
        assert len(result.url) <= 200


@hsettings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
@example("0.\u00af")  # a macron: IDNA once made it a label with a space in it
def test_any_line_is_an_address_or_a_reason(line: str) -> None:
    result = parse(line)
    if isinstance(result, Parsed):
        assert result.url.startswith(("http://", "https://"))
        assert parse(result.url) == result  # normal form is stable
        assert "@" not in result.url.split("/")[2]


def test_grouped_by_platform_with_steps_and_notices(client: TestClient, loaded: None) -> None:
    urls = [
        "https://samplesocial.example/p/123",
        "cdn.samplesocial.example/img/9.jpg",  # no scheme, a subdomain: the same platform
        "https://www.clipshare.example/v/77#t=10",
        "https://unknown-host.example.org/leak/5",
        "javascript:alert(1)",
        "https://samplesocial.example/p/123",  # twice: once
    ]
    body = client.post("/api/v1/notices", json={"urls": urls, "under_18": True}).json()
    names = [p["platform"] for p in body["platforms"]]
    assert names == ["Sample Social (synthetic)", "ClipShare (synthetic)", "example.org"]
    social, clips, unknown = body["platforms"]
    assert social["urls"] == [
        "https://samplesocial.example/p/123",
        "https://cdn.samplesocial.example/img/9.jpg",
    ]
    assert social["deadline_hours"] == 48
    assert "help.samplesocial.example/report" in social["steps"][0]
    notice = social["notice_text"]
    for url in social["urls"]:
        assert url in notice
    assert "TAKE IT DOWN Act" in notice
    assert "under 18" in notice
    assert "2258A" in notice
    assert "preserve" in notice
    assert clips["urls"] == ["https://www.clipshare.example/v/77"]
    assert unknown["known"] is False
    assert "abuse@example.org" in unknown["steps"][0]
    assert body["rejected"] == [
        {
            "url": "javascript:alert(1)",
            "reason": "only http and https addresses can be named in a notice",
        }
    ]


def test_in_spanish_and_for_an_adult(client: TestClient, loaded: None) -> None:
    body = client.post(
        "/api/v1/notices",
        json={"urls": ["https://picboard.example/i/1", "file:///x"], "lang": "es"},
    ).json()
    # PicBoard cites US law: the notice to send is in English, the Spanish is the reader's copy.
    assert body["platforms"][0]["notice_lang"] == "en"
    assert "TAKE IT DOWN Act" in body["platforms"][0]["notice_text"]
    notice = body["platforms"][0]["reader_text"]
    assert "Ley TAKE IT DOWN" in notice
    assert "2258A" not in notice  # not a minor: the child-image law is not cited
    assert "conserven" in notice
    assert body["rejected"][0]["reason"].startswith("solo se pueden")
    assert "abuse@picboard.example" in body["platforms"][0]["steps"][0]


def test_nothing_is_stored(client: TestClient, database: Database, loaded: None) -> None:
    def counts() -> tuple[int, int]:
        with database.session() as db_session:
            events = (db_session.scalar(select(func.count()).select_from(Event)) or 0) + (
                db_session.scalar(select(func.count()).select_from(PendingEvent)) or 0
            )
            return events, db_session.scalar(select(func.count()).select_from(NoticeRequest)) or 0

    before = counts()
    assert (
        client.post("/api/v1/notices", json={"urls": ["https://picboard.example/i/1"]}).status_code
        == 200
    )
    page = client.get("/take-it-down/notices")
    client.post(
        "/take-it-down/notices",
        data={"csrf_token": csrf(page), "urls": "https://picboard.example/i/2", "under_18": "yes"},
    )
    assert counts() == before


def test_ten_thousand_urls_get_a_clear_answer(client: TestClient, loaded: None) -> None:
    many = [f"https://samplesocial.example/p/{i}" for i in range(10_000)]
    response = client.post("/api/v1/notices", json={"urls": many})
    assert response.status_code == 422
    assert "500" in response.text
    page = client.get("/take-it-down/notices")
    answer = client.post(
        "/take-it-down/notices", data={"csrf_token": csrf(page), "urls": "\n".join(many)}
    )
    assert answer.status_code == 400
    assert "more addresses than we can prepare at once" in answer.text
    # 500 hostile lines at once: every one refused, each with its reason.
    body = client.post("/api/v1/notices", json={"urls": (HOSTILE * 30)[:500]}).json()
    assert body["platforms"] == []
    assert len(body["rejected"]) == 500


def test_the_page_works_without_javascript(client: TestClient, loaded: None) -> None:
    page = client.get("/take-it-down/notices")
    assert page.status_code == 200
    result = client.post(
        "/take-it-down/notices",
        data={
            "csrf_token": csrf(page),
            "urls": "https://samplesocial.example/p/1\nhttps://clipshare.example/v/2\nfile:///x",
            "under_18": "yes",
        },
    )
    assert result.status_code == 200
    assert result.text.count('class="notice"') == 2
    assert "TAKE IT DOWN Act" in result.text
    assert "only http and https addresses" in result.text
    refused = client.post("/take-it-down/notices", data={"urls": "https://samplesocial.example/"})
    assert refused.status_code == 403


def test_directory_load_checks_everything_first(database: Database, loaded: None) -> None:
    with database.session() as db_session:
        before = db_session.scalar(select(func.count()).select_from(NoticePlatform))
        for bad in (
            "not json",
            '{"name": "x"}',
            '[{"name": "Good", "domains": ["good.example"]},'
            ' {"name": "", "domains": ["x.example"]}]',
            '[{"name": "Bad", "domains": ["127.0.0.1"]}]',
            '[{"name": "Bad", "domains": ["bad.example"], "report_url": "javascript:x"}]',
            '[{"name": "Bad", "domains": ["bad.example"], "deadline_hours": 0}]',
        ):
            with pytest.raises(BadInput):
                directory.load(db_session, text=bad, actor="test")
        db_session.rollback()
        assert db_session.scalar(select(func.count()).select_from(NoticePlatform)) == before == 4


def test_cli_loads_the_directory(settings: Any, tmp_path: Any) -> None:
    # With no file, the shipped directory of real companies (the sample is for tests and demo).
    result = CliRunner().invoke(cli, ["notices", "load-directory", "--json"])
    assert result.exit_code == 0, result.output
    shipped = len(json.loads(directory.platforms()))
    assert json.loads(result.stdout) == {"platforms": shipped}
    bad = tmp_path / "d.json"
    bad.write_text("[1]")
    failed = subprocess.run(
        [sys.executable, "-m", "tipline", "notices", "load-directory", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines() == ["error: entry 1: not an object"]


def test_an_admin_edits_the_directory(client: TestClient, database: Database, loaded: None) -> None:
    sign_in(client, make_user(database, "admin"))
    page = client.get("/console/admin/platforms")
    assert "Sample Social (synthetic)" in page.text
    saved = client.post(
        "/console/admin/platforms",
        data={
            "csrf_token": csrf(page),
            "name": "New Site (synthetic)",
            "domains": "newsite.example, img.newsite.example",
            "email": "abuse@newsite.example",
            "legal_bases": ["take_it_down_act"],
            "deadline_hours": "24",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    body = client.post("/api/v1/notices", json={"urls": ["https://img.newsite.example/1"]}).json()
    assert body["platforms"][0]["platform"] == "New Site (synthetic)"
    assert body["platforms"][0]["deadline_hours"] == 24
    refused = client.post(
        "/console/admin/platforms",
        data={"csrf_token": csrf(page), "name": "Bad", "domains": "10.0.0.1"},
        follow_redirects=False,
    )
    assert refused.status_code == 400
