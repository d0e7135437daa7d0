"""Take it down in Debian's Chromium: the victim's browser hashes the reference images and a
generated video, the case opens with hashes only, the PIN shows the case, more pictures and the
addresses where they are posted join it, a lock says how long it lasts, and withdrawal works.
Every request the page makes is recorded and none carries a byte of any file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx
import pytest

from browser import axe_violations, describe, new_page, shot
from conftest import PDQ_VECTORS
from media import webm
from tipline import builders
from tipline.db import Database
from tipline.evidence.hashing import hamming, hash_bytes
from tipline.takedown import service

pytestmark = pytest.mark.browser

VECTORS = PDQ_VECTORS


def _reference() -> dict[str, str]:
    with (VECTORS / "expected.csv").open() as f:
        return {
            row["image"]: row["pdq_reference_python"] or row["pdq_reference_wasm"]
            for row in csv.DictReader(f)
        }


@pytest.fixture
def page(browser: Any) -> Any:
    page = new_page(browser)
    yield page
    page.context.close()


def _hash_in_page(page: Any, files: list[Path]) -> list[dict[str, str]]:
    page.set_input_files("#td-files-input", [str(f) for f in files])
    page.wait_for_function(
        "n => document.querySelectorAll('.td-file[data-state=ready], .td-file[data-state=failed]')"
        ".length === n",
        arg=len(files),
        timeout=120_000,
    )
    items: list[dict[str, str]] = page.eval_on_selector_all(
        ".td-file", "els => els.map(e => Object.assign({}, e.dataset))"
    )
    return items


def test_browser_pdq_agrees_with_the_reference_and_with_tipline_hash(
    page: Any, live_server: str
) -> None:
    reference = _reference()
    page.goto(f"{live_server}/take-it-down")
    names = sorted(reference)
    items = _hash_in_page(page, [VECTORS / "images" / name for name in names])
    assert len(items) == len(names)
    checked = 0
    for name, item in zip(names, items, strict=True):
        assert item["state"] == "ready", name
        data = (VECTORS / "images" / name).read_bytes()
        server = hash_bytes(data, max_bytes=10**8, max_pixels=10**8)
        assert item["sha256"] == server.sha256
        assert item["md5"] == server.md5
        assert int(item["quality"]) == server.pdq_quality, name
        if server.pdq_quality == 100:
            assert hamming(item["pdq"], reference[name]) <= 16, name
            assert hamming(item["pdq"], server.pdq or "") <= 16, name
            checked += 1
        else:
            assert item.get("lowQuality") == "true", name
    assert checked >= 25


def test_a_victim_opens_a_case_keeps_the_pin_and_withdraws(
    page: Any, live_server: str, tmp_path: Path
) -> None:
    video = tmp_path / "clip.webm"
    video.write_bytes(webm())
    images = [
        VECTORS / "images" / "bridge-mods" / "aaa-orig.jpg",
        VECTORS / "images" / "misc-images" / "c.png",
    ]
    files = [*images, video]
    contents = [f.read_bytes() for f in files]
    requests: list[Any] = []
    page.on("request", lambda request: requests.append(request))  # noqa: PLW0108 - Playwright needs a Python function
    page.goto(f"{live_server}/take-it-down")
    items = _hash_in_page(page, files)
    assert [i["state"] for i in items] == ["ready", "ready", "ready"]
    vpdq_lines = items[2]["vpdq"].splitlines()
    assert len(vpdq_lines) == 4  # one frame a second
    server_frames = hash_bytes(contents[2], max_bytes=10**8, max_pixels=10**8).vpdq or []
    assert len(server_frames) == len(vpdq_lines)
    for line, frame in zip(vpdq_lines, server_frames, strict=True):
        assert hamming(line.split(",")[2], frame["pdq"]) <= 16
    shot(page, "takedown-hashed")

    page.get_by_label("Under 18").check()
    page.click("#td-submit")
    page.wait_for_selector("#td-done:not([hidden])")
    case_id = page.inner_text("#td-case-id")
    pin = page.inner_text("#td-pin")
    assert case_id.startswith("TD-")
    assert len(pin) == 8
    shot(page, "takedown-case-open")

    page.fill("#td-status-pin", pin)
    page.click("#td-status-form button[type=submit]")
    page.wait_for_selector("#td-status-result[data-status=open]")
    # Each image gives PDQ, SHA-256 and MD5, the video vPDQ, SHA-256 and MD5: nine hashes,
    # which the victim reads as the three files they chose.
    assert page.inner_text("#td-status-files") == "In this case: 3 pictures or videos"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#td-withdraw")
    page.wait_for_selector("#td-status-result[data-status=withdrawn]")
    shot(page, "takedown-withdrawn")

    # Every request the page made: none carries file bytes, only hashes went to the server.
    posted = [r for r in requests if r.method not in ("GET", "HEAD")]
    assert [(r.method, r.url.split("/api/v1/")[-1].split("/")[0]) for r in posted] == [
        ("POST", "takedown"),
        ("DELETE", "takedown"),
    ]
    for request in requests:
        body = request.post_data_buffer or b""
        assert len(body) < 20_000
        for content in contents:
            assert content[1000:1064] not in body
        assert request.url.startswith(live_server), request.url


def test_with_the_pin_a_victim_adds_a_picture_and_an_address(
    browser: Any, live_server: str
) -> None:
    page = new_page(browser, bypass_csp=True)  # for axe-core
    first = VECTORS / "images" / "bridge-mods" / "aaa-orig.jpg"
    second = VECTORS / "images" / "misc-images" / "c.png"
    contents = [first.read_bytes(), second.read_bytes()]
    requests: list[Any] = []
    page.on("request", lambda request: requests.append(request))  # noqa: PLW0108 - Playwright needs a Python function
    try:
        page.goto(f"{live_server}/take-it-down")
        _hash_in_page(page, [first])
        # No age is chosen for the victim: without an answer nothing is sent, and the question
        # says why.
        page.click("#td-submit")
        assert page.locator("#td-age-error").is_visible()
        assert "Choose an answer" in page.inner_text("#td-age")
        assert [r for r in requests if r.method == "POST"] == []
        page.get_by_label("18 or over").check()
        assert page.locator("#td-age-error").is_hidden()
        page.click("#td-submit")
        page.wait_for_selector("#td-done:not([hidden])")
        page.fill("#td-status-pin", page.inner_text("#td-pin"))
        page.click("#td-status-form button[type=submit]")
        page.wait_for_selector("#td-status-result[data-status=open]")
        assert page.inner_text("#td-status-files") == "In this case: 1 picture or video"

        # One more picture, and the first one again: hashed here, only the new one is added.
        page.set_input_files("#td-more-files-input", [str(second), str(first)])
        page.wait_for_function(
            "document.querySelectorAll('#td-more-files .td-file[data-state=ready]').length === 2",
            timeout=120_000,
        )
        page.click("#td-more-submit")
        page.wait_for_selector("#td-status-result[data-files='2']")
        assert page.inner_text("#td-status-files") == "In this case: 2 pictures or videos"
        assert page.inner_text("#td-more-progress") == (
            "Added to your case. Only the hashes were sent."
        )
        assert page.locator("#td-more-files .td-file").count() == 0

        page.get_by_label("Where is it posted? (addresses, one per line)").fill(
            "https://samplesocial.example/p/1\nnot an address"
        )
        page.click("#td-urls-submit")
        page.wait_for_selector("#td-urls-result .td-url")
        assert page.inner_text("#td-urls-result .td-url") == (
            "https://samplesocial.example/p/1: Our team is checking it"
        )
        assert "not an address: contains spaces or control characters" in page.inner_text(
            "#td-urls-rejected"
        )
        # The refused line stays in the box to be corrected.
        assert page.input_value("#td-urls") == "not an address"
        shot(page, "takedown-case-additions")
        violations = axe_violations(page)
        assert violations == [], describe(violations)

        posted = [r for r in requests if r.method not in ("GET", "HEAD")]
        assert [(r.method, r.url.rsplit("/", 1)[-1]) for r in posted] == [
            ("POST", "cases"),
            ("POST", "hashes"),
            ("POST", "urls"),
        ]
        assert set(posted[1].post_data_json) == {"hashes"}
        assert len(posted[1].post_data_json["hashes"]) == 6
        for request in requests:
            body = request.post_data_buffer or b""
            assert len(body) < 20_000
            for content in contents:
                assert content[1000:1064] not in body
            assert request.url.startswith(live_server), request.url
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("locale", "says"),
    [
        ("en-US", "Too many wrong PINs: try again in 15 minutes."),
        ("es-MX", "Demasiados PIN incorrectos: inténtalo de nuevo en 15 minutos."),
    ],
)
def test_a_locked_case_says_how_long_to_wait(
    browser: Any, live_server: str, database: Database, locale: str, says: str
) -> None:
    with database.session() as db_session:
        case, pin = builders.takedown_case(db_session)
        case_id = case.case_id
    wrong = "0" * 8 if pin != "0" * 8 else "1" * 8
    with httpx.Client(base_url=live_server) as http:
        for _ in range(service.PIN_ATTEMPTS):
            answer = http.get(f"/api/v1/takedown/cases/{case_id}", headers={"X-Case-PIN": wrong})
            assert answer.status_code == 404
    page = new_page(browser, locale=locale)
    try:
        page.goto(f"{live_server}/take-it-down")
        page.fill("#td-status-case", case_id)
        page.fill("#td-status-pin", pin)
        page.click("#td-status-form button[type=submit]")
        page.wait_for_selector("#td-status-result[data-status=error]")
        assert page.inner_text("#td-status-result") == says
        assert page.locator("#td-case-more").is_hidden()
    finally:
        page.context.close()
