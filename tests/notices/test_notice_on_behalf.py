"""The notice's wording for whoever sends it (the person shown, a parent, someone acting for
them), and its language: English to a company bound by US law whatever the page's language, with
the reader's language beside it; the page's language to a company outside the US."""

from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from accounts import csrf
from tipline.db import Database
from tipline.errors import BadInput
from tipline.notices import directory, texts
from tipline.web import i18n

EN = i18n.translations("en").gettext
ES = i18n.translations("es").gettext
OUTSIDE_US = {
    "name": "EuroBoard (synthetic)",
    "domains": ["euroboard.example"],
    "report_url": "https://euroboard.example/report",
    "email": None,
    "api_url": None,
    "legal_bases": ["dsa", "terms"],
    "deadline_hours": 24,
    "notes": "",
}


@pytest.fixture
def loaded(database: Database) -> None:
    with database.session() as db_session:
        directory.load(db_session, text=directory.sample(), actor="test")
        directory.save(db_session, raw=[OUTSIDE_US], actor="test")
        db_session.commit()


def _notice(**kwargs: object) -> str:
    defaults: dict[str, object] = {
        "platform": "Sample Social (synthetic)",
        "urls": ["https://samplesocial.example/p/1"],
        "bases": ["take_it_down_act", "csam"],
        "deadline_hours": 48,
        "minor": True,
    }
    return texts.notice_text(EN, **{**defaults, **kwargs})  # type: ignore[arg-type]


def test_each_sender_has_its_own_wording() -> None:
    text = _notice()
    made = texts.variants(EN, text, minor=True)
    assert set(made) == set(texts.RELATIONSHIPS)
    assert made["self"] == text
    assert "It shows me" in made["self"]
    assert "on behalf of my child, who is under 18" in made["parent"]
    assert "It shows me" not in made["parent"]
    assert "without my consent" not in made["parent"]
    assert "with their permission" in made["agent"]
    assert "when they were under 18" in made["agent"]
    # Written whole for a sender, a notice says the same as its variant for them.
    for relationship in texts.RELATIONSHIPS:
        assert _notice(relationship=relationship) == made[relationship]
    adult = texts.variants(EN, _notice(minor=False), minor=False)
    assert "under 18" not in adult["parent"]
    assert "on their behalf" in adult["parent"]
    # The blanks the page fills in with the sender's name and contact are in every variant.
    for blanks, gettext in ((texts.placeholders(EN), EN), (texts.placeholders(ES), ES)):
        spanish = texts.variants(gettext, texts.notice_text(gettext, **_args()), minor=True)
        for variant in spanish.values():
            assert blanks["name"] in variant
            assert blanks["contact"] in variant


def _args() -> dict[str, object]:
    return {
        "platform": "X",
        "urls": ["https://x.example/1"],
        "bases": ["csam"],
        "deadline_hours": None,
        "minor": True,
    }


def test_us_law_means_english() -> None:
    assert texts.notice_language(["take_it_down_act", "terms"], "es") == "en"
    assert texts.notice_language(["csam"], "es") == "en"
    assert texts.notice_language(list(texts.UNKNOWN_SITE_BASES), "es") == "en"
    assert texts.notice_language(["dsa", "terms"], "es") == "es"
    assert texts.notice_language(["dsa"], "en") == "en"


def _areas(page: str) -> list[tuple[str, str, str, dict[str, str]]]:
    """Each notice textarea on the page: (class, lang, text, variants), in order."""
    return [
        (kind, lang, html.unescape(text), json.loads(html.unescape(variants)))
        for kind, lang, variants, text in re.findall(
            r'<textarea id="[^"]+" class="(notice-text|notice-reader)" lang="(\w+)"[^>]*'
            r"data-variants='([^']*)'[^>]*>([^<]*)</textarea>",
            page,
        )
    ]


def _prepare(client: TestClient, urls: str, lang: str) -> str:
    headers = {"Accept-Language": lang}
    page = client.get("/take-it-down/notices", headers=headers)
    answer = client.post(
        "/take-it-down/notices",
        data={"csrf_token": csrf(page), "urls": urls, "under_18": "yes"},
        headers=headers,
    )
    assert answer.status_code == 200
    return answer.text


def test_the_spanish_page_sends_a_us_company_english_with_spanish_beside(
    client: TestClient, loaded: None
) -> None:
    page = _prepare(client, "https://samplesocial.example/p/1", "es")
    areas = _areas(page)
    assert [(kind, lang) for kind, lang, _, _ in areas] == [
        ("notice-text", "en"),
        ("notice-reader", "es"),
    ]
    (_, _, english, english_variants), (_, _, spanish, spanish_variants) = areas
    assert english.startswith("To the trust and safety team of Sample Social (synthetic),")
    assert "Ley TAKE IT DOWN" in spanish
    assert "on behalf of my child, who is under 18" in english_variants["parent"]
    assert "en nombre de mi hijo o hija, que es menor de 18 años" in spanish_variants["parent"]
    assert "En español, para que sepas lo que dice" in page
    assert "El aviso que hay que enviar, en inglés" in page


def test_a_company_outside_the_us_keeps_the_page_language(client: TestClient, loaded: None) -> None:
    page = _prepare(client, "https://euroboard.example/t/1", "es")
    areas = _areas(page)
    assert [(kind, lang) for kind, lang, _, _ in areas] == [("notice-text", "es")]
    assert texts.legal_bases(ES)["dsa"] in areas[0][2]
    assert "En español, para que sepas lo que dice" not in page


def test_the_english_page_shows_one_notice(client: TestClient, loaded: None) -> None:
    page = _prepare(client, "https://samplesocial.example/p/1", "en")
    assert [(kind, lang) for kind, lang, _, _ in _areas(page)] == [("notice-text", "en")]
    # The sender's fields belong to no form: the browser never sends them to us.
    form = page.split('id="notices-form"', 1)[1].split("</form>", 1)[0]
    assert "notices-name" not in form
    assert "notices-email" not in form
    assert "notices-relationship" not in form


def test_the_company_country_sets_the_language() -> None:
    # Where the directory says where a company is based, that decides, not the law it cites.
    assert texts.notice_language(["dsa"], "es", country="US") == "en"
    assert texts.notice_language(["terms"], "es", country="AE") == "en"
    assert texts.notice_language(["take_it_down_act"], "en", country="MX") == "es"
    assert texts.country_of_host("fotos.ejemplo.com.mx") == "MX"
    assert texts.country_of_host("board.example.com") is None


def test_the_api_gives_the_notice_to_send_and_the_readers_copy(
    client: TestClient, loaded: None
) -> None:
    answer = client.post(
        "/api/v1/notices",
        json={
            "urls": ["https://samplesocial.example/p/1", "https://fotos.ejemplo.mx/a/2"],
            "lang": "es",
            "under_18": True,
        },
    )
    assert answer.status_code == 200, answer.text
    us_company, mexican_site = answer.json()["platforms"]
    # A Spanish reader's notice to a US company is sent in English; the Spanish is to read.
    assert us_company["notice_lang"] == "en"
    assert us_company["notice_text"].startswith("To the trust and safety team of Sample Social")
    assert "Ley TAKE IT DOWN" in us_company["reader_text"]
    # A site on a Mexican domain is written to in Spanish; nothing else to read.
    assert mexican_site["country"] == "MX"
    assert mexican_site["notice_lang"] == "es"
    assert mexican_site["reader_text"] is None
    english_reader = client.post(
        "/api/v1/notices", json={"urls": ["https://fotos.ejemplo.mx/a/2"], "lang": "en"}
    ).json()["platforms"][0]
    assert english_reader["notice_lang"] == "es"
    assert "TAKE IT DOWN" in english_reader["reader_text"]
    assert english_reader["reader_text"].startswith("To the trust and safety team")


def test_a_country_that_is_not_a_code_is_refused(database: Database) -> None:
    entry = {**OUTSIDE_US, "name": "Typo Board (synthetic)", "domains": ["typo.example"]}
    with database.session() as db_session, pytest.raises(BadInput, match="two-letter ISO code"):
        directory.save(db_session, raw=[{**entry, "country": "usa"}], actor="test")
