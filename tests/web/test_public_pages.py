"""The public pages and the report form, as a browser without JavaScript would use them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accounts import csrf
from media import encode, png_bomb, synthetic_image
from tipline.app import create_app
from tipline.db import Database
from tipline.evidence.models import EvidenceFile
from tipline.reports import service as reports
from tipline.reports.models import Report, ReporterUpdate

PUBLIC_PAGES = ["/", "/help", "/parents", "/report", "/report/follow-up", "/take-it-down"]


def _form(client: TestClient, lang: str = "en") -> dict[str, str]:
    page = client.get("/report", headers={"accept-language": lang})
    assert page.status_code == 200
    return {"csrf_token": csrf(page)}


def _count(database: Database) -> int:
    with database.session() as db_session:
        return int(db_session.scalar(select(func.count(Report.id))) or 0)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_exit_help_and_language_switch(client: TestClient, path: str) -> None:
    for lang, other in (("en", "/lang/es"), ("es", "/lang/en")):
        html = client.get(path, headers={"accept-language": lang}).text
        assert f'<html lang="{lang}">' in html
        assert 'id="quick-exit"' in html
        assert 'href="/help"' in html
        assert other in html
        assert "988" in html


def test_home_page_weighs_under_100_kb_with_everything_it_loads(client: TestClient) -> None:
    html = client.get("/").text
    total = len(html.encode())
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        total += len(client.get(url).content)
    assert total < 100 * 1024, total


def test_home_page_says_what_to_do(client: TestClient) -> None:
    html = client.get("/", headers={"accept-language": "en"}).text
    for words in (
        "not your fault",
        "Do not pay",
        "do not delete",
        "trusted" if False else "trust",
        "1-800-THE-LOST",
        "gethelp@ncmec.org",
        "988",
        "911",
        "Red flags",
    ):
        assert words in html
    spanish = client.get("/", headers={"accept-language": "es"}).text
    assert "No es tu culpa" in spanish
    assert "No pagues" in spanish


def test_a_report_through_the_form_without_javascript(
    client: TestClient, database: Database
) -> None:
    shot = encode(synthetic_image(5), "PNG")
    data = {
        **_form(client, "es"),
        "reporter_role": "victim",
        "incident_type": "online_enticement",
        "sextortion": "yes",
        "demands": ["money", "images"],
        "description": "Una cuenta me pidió fotos y ahora quiere dinero.",
        "account_0_platform": "ExampleGram",
        "account_0_username": "demo_one",
        "account_1_platform": "SampleChat",
        "account_1_username": "demo_two",
        "payment_0_method": "cash_app",
        "payment_0_handle": "$demo-cash",
        "payment_0_amount": "150",
        "victim_age": "16",
        "victim_country": "US",
        "victim_region": "TX",
    }
    response = client.post(
        "/report",
        data=data,
        files=[("files", ("captura.png", shot, "image/png"))],
        headers={"accept-language": "es"},
    )
    assert response.status_code == 200, response.text
    assert "Tu reporte fue enviado" in response.text
    case = re.search(r'id="case-number">([^<]+)<', response.text)
    token = re.search(r'id="follow-up-token">([^<]+)<', response.text)
    assert case
    assert token
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=case.group(1))
        assert report.lang == "es"
        assert sorted(report.demands) == ["images", "money"]
        assert [a.handle for a in report.accounts] == ["demo_one", "demo_two"]
        assert report.payments[0].handle == "$demo-cash"
        assert next(p for p in report.people if p.role == "victim").region == "US-TX"
        files = list(
            db_session.scalars(select(EvidenceFile).where(EvidenceFile.report_id == report.id))
        )
        assert [f.filename for f in files] == ["captura.png"]


def test_form_errors_are_explained_in_the_page_language(
    client: TestClient, database: Database
) -> None:
    response = client.post(
        "/report",
        data={
            **_form(client, "es"),
            "description": "",
            "victim_age": "200",
            "account_0_profile_url": "x" * 2001,
        },
        headers={"accept-language": "es"},
    )
    assert response.status_code == 400
    assert "Elige quién eres." in response.text
    assert "Cuéntanos qué pasó" in response.text
    assert _count(database) == 0


def test_a_bad_file_refuses_the_whole_report(client: TestClient, database: Database) -> None:
    response = client.post(
        "/report",
        data={**_form(client), "reporter_role": "friend", "description": "see screenshot"},
        files=[("files", ("bomb.png", png_bomb(), "image/png"))],
    )
    assert response.status_code == 413
    assert "too large" in response.text
    assert "see screenshot" in response.text  # what they wrote is kept in the form
    assert _count(database) == 0


def test_the_form_needs_its_csrf_token(client: TestClient, database: Database) -> None:
    client.get("/report")
    response = client.post("/report", data={"reporter_role": "victim", "description": "x"})
    assert response.status_code == 403
    assert _count(database) == 0


def test_self_harm_leads_the_confirmation_with_crisis_help(client: TestClient) -> None:
    response = client.post(
        "/report",
        data={
            **_form(client),
            "reporter_role": "victim",
            "description": "they will send it to everyone, I want to kill myself",
        },
    )
    assert response.status_code == 200
    main = response.text.split('<main id="main">', 1)[1]
    assert main.index("988") < main.index("Your report was sent")
    assert 'href="tel:988"' in main


def test_coming_back_with_the_token_to_add_information(
    client: TestClient, database: Database
) -> None:
    done = client.post(
        "/report",
        data={
            **_form(client),
            "reporter_role": "parent_guardian",
            "description": "first words of the report",
        },
    )
    case = re.search(r'id="case-number">([^<]+)<', done.text)
    token = re.search(r'id="follow-up-token">([^<]+)<', done.text)
    assert case
    assert token
    page = client.get("/report/follow-up")
    wrong = client.post(
        "/report/follow-up",
        data={"csrf_token": csrf(page), "case_number": case.group(1), "token": "nope"},
    )
    assert wrong.status_code == 404
    opened = client.post(
        "/report/follow-up",
        data={"csrf_token": csrf(page), "case_number": case.group(1), "token": token.group(1)},
    )
    assert opened.status_code == 200
    assert "waiting for our team" in opened.text
    added = client.post(
        "/report/follow-up/add",
        data={
            "csrf_token": csrf(opened),
            "case_number": case.group(1),
            "token": token.group(1),
            "text": "They made a new account: demo_three",
        },
        files=[("files", ("more.png", encode(synthetic_image(8), "PNG"), "image/png"))],
    )
    assert added.status_code == 200
    assert 'id="update-count">1<' in added.text
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=case.group(1))
        updates = list(
            db_session.scalars(select(ReporterUpdate).where(ReporterUpdate.report_id == report.id))
        )
        assert [u.text for u in updates] == ["They made a new account: demo_three"]


# Catalogs ---------------------------------------------------------------------------------------

TEMPLATES = sorted(Path("src/tipline").glob("**/templates/*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_no_user_visible_text_is_hard_coded(template: Path) -> None:
    source = template.read_text()
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}", " ", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", source, flags=re.S)
    # Attributes people read: alt, title, aria-label, placeholder.
    for attr in re.findall(r'(?:alt|title|aria-label|placeholder)="([^"]*)"', source):
        assert not re.search(r"[A-Za-z]{2}", attr), f"{template.name}: {attr!r}"
    text = re.sub(r"<[^>]+>", " ", source)
    words = [
        w
        for w in re.findall(r"[A-Za-zÀ-ÿ]{2,}", text)
        if w not in {"tipline", "English", "Español"}
    ]
    assert not words, f"{template.name}: hard-coded text {words[:10]}"


def test_the_spanish_catalog_is_complete_and_committed() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/i18n.py", "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_an_expired_form_comes_back_with_what_was_typed(client: TestClient) -> None:
    client.get("/report")
    refused = client.post(
        "/report",
        data={
            "csrf_token": "an-old-token-from-yesterday",
            "reporter_role": "victim",
            "description": "Words typed over a long evening that must not be lost",
        },
        headers={"accept": "text/html"},
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Words typed over a long evening that must not be lost" in refused.text
    assert "We kept what you wrote" in refused.text
    # The page carries a fresh token: sending it again works.
    again = client.post(
        "/report",
        data={
            "csrf_token": csrf(refused),
            "reporter_role": "victim",
            "description": "Words typed over a long evening that must not be lost",
        },
    )
    assert again.status_code == 200
    assert 'id="case-number"' in again.text


def test_an_oversized_report_gets_a_page_not_json(settings: Any, database: Any) -> None:
    small = create_app(settings.model_copy(update={"max_upload_bytes": 1024}), database)
    with TestClient(small) as client:
        too_big = client.post(
            "/report",
            content=b"x" * (4 * 1024 * 1024),
            headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
        )
    assert too_big.status_code == 413
    assert too_big.headers["content-type"].startswith("text/html")
    assert "too large to send" in too_big.text
    assert "demasiado grande" in too_big.text
