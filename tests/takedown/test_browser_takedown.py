"""Take it down in Debian's Chromium: the victim's browser hashes the reference images and a
generated video, the case opens with hashes only, the PIN shows the case, and withdrawal works.
Every request the page makes is recorded and none carries a byte of any file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from browser import new_page, shot
from conftest import PDQ_VECTORS
from media import webm
from tipline.evidence.hashing import hamming, hash_bytes

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
    # Each image gives PDQ, SHA-256 and MD5; the video vPDQ, SHA-256 and MD5.
    assert "9" in page.inner_text("#td-status-result")
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
