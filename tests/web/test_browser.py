"""In Debian's Chromium, through Playwright, on a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from accounts import make_user
from browser import axe_violations, describe, new_page, shot
from media import encode, synthetic_image
from tipline.db import Database
from tipline.reports import service as reports

pytestmark = pytest.mark.browser
PUBLIC_PAGES = {
    "home": "/",
    "help": "/help",
    "parents": "/parents",
    "report": "/report",
    "follow-up": "/report/follow-up",
    "take-it-down": "/take-it-down",
    "notices": "/take-it-down/notices",
    "numbers": "/numbers",
}


@pytest.fixture
def page(browser: Any) -> Any:
    pg = new_page(browser)
    yield pg
    pg.context.close()


def test_staff_sign_in_with_totp_enrolment(page: Any, live_server: str, database: Database) -> None:
    email = make_user(database, "analyst")
    page.goto(f"{live_server}/console")
    assert page.url.endswith("/console/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/totp/enrol")
    shot(page, "console-totp-enrol")
    assert page.locator(".qr img").is_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_url("**/console")
    assert page.get_by_role("heading", name="Queue").is_visible()
    shot(page, "console-home")


def test_quick_exit_leaves_no_history_entry(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/report")
    page.locator("#quick-exit").click()
    page.wait_for_url("https://www.wikipedia.org/")
    page.go_back()
    # Back skips the report page the exit was pressed on: it was replaced, not stacked.
    assert page.url == f"{live_server}/"


def test_escape_twice_leaves_too(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/help")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url("https://www.wikipedia.org/")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_accessibility_violations_on_public_pages(
    browser: Any,
    live_server: str,
    lang: str,
) -> None:
    pg = new_page(browser, locale="es-MX" if lang == "es" else "en-US", bypass_csp=True)
    try:
        found = {}
        for name, path in PUBLIC_PAGES.items():
            pg.goto(f"{live_server}{path}")
            assert pg.locator("html").get_attribute("lang") == lang
            shot(pg, f"{name}-{lang}")
            violations = axe_violations(pg)
            if violations:
                found[path] = violations
        assert not found, describe([{"page": p, "violations": v} for p, v in found.items()])
    finally:
        pg.context.close()


def test_a_victim_reports_in_spanish_and_comes_back(
    browser: Any,
    live_server: str,
    database: Database,
    tmp_path: Any,
) -> None:
    screenshot = tmp_path / "captura.png"
    screenshot.write_bytes(encode(synthetic_image(21), "PNG"))
    pg = new_page(browser, locale="es-MX")
    try:
        pg.goto(f"{live_server}/")
        pg.get_by_role("link", name="Reporta lo que pasó").first.click()
        pg.wait_for_url("**/report")
        # Step 1: one step at a time with JavaScript.
        assert not pg.get_by_label("Cuéntanos qué pasó, con tus propias palabras").is_visible()
        pg.get_by_label("Soy la persona a la que están amenazando").check()
        pg.get_by_role("button", name="Siguiente").first.click()
        # Step 2
        pg.get_by_role("group", name="¿Alguien amenaza con compartir fotos o videos?").get_by_label(
            "Sí", exact=True
        ).check()
        pg.get_by_label("Dinero, tarjetas de regalo o criptomonedas").check()
        pg.get_by_label("Cuéntanos qué pasó, con tus propias palabras").fill(
            "Una cuenta me pidió fotos y ahora amenaza con enviarlas a mis seguidores si no pago."
        )
        pg.locator('fieldset[data-step="2"]').get_by_role("button", name="Siguiente").click()
        # Step 3: two offender accounts
        pg.locator("#account_0_platform").fill("ExampleGram")
        pg.locator("#account_0_username").fill("demo_uno")
        # One account block at first; "add another" opens the next.
        assert not pg.locator("#account_1_platform").is_visible()
        pg.get_by_role("button", name="Agregar otra cuenta").click()
        pg.locator("#account_1_platform").fill("SampleChat")
        pg.locator("#account_1_username").fill("demo_dos")
        pg.locator('fieldset[data-step="3"]').get_by_role("button", name="Siguiente").click()
        pg.locator('fieldset[data-step="4"]').get_by_role("button", name="Siguiente").click()
        pg.get_by_label("Edad").fill("15")
        pg.locator('fieldset[data-step="5"]').get_by_role("button", name="Siguiente").click()
        pg.get_by_label("Capturas de los mensajes o amenazas").set_input_files(str(screenshot))
        shot(pg, "report-es-last-step")
        pg.get_by_role("button", name="Enviar el reporte").click()
        pg.wait_for_selector("#case-number")
        shot(pg, "report-es-done")
        case = pg.locator("#case-number").inner_text().strip()
        token = pg.locator("#follow-up-token").inner_text().strip()
        with database.session() as db_session:
            report = reports.get_report(db_session, ref=case)
            assert [a.handle for a in report.accounts] == ["demo_uno", "demo_dos"]
            assert report.lang == "es"
        # Later: back with the case number and the code.
        pg.goto(f"{live_server}/report/follow-up")
        pg.get_by_label("Número de caso").fill(case)
        pg.get_by_label("Código de seguimiento").fill(token)
        pg.get_by_role("button", name="Abrir mi reporte").click()
        pg.wait_for_selector("#report-status")
        pg.get_by_label("¿Qué más debemos saber?").fill("Abrieron otra cuenta: demo_tres")
        pg.get_by_role("button", name="Agregar a mi reporte").click()
        pg.wait_for_selector("text=Gracias. Lo que agregaste ya forma parte de tu reporte.")
        assert pg.locator("#update-count").inner_text().strip() == "1"
        shot(pg, "follow-up-es")
    finally:
        pg.context.close()
