"""Reliability under concurrency, over real HTTP against a served app (issue 17).

Each case here failed on the code before it: concurrent reads of the numbers deadlocked the
embedded SQLite server (500s after 60 s), same-key retries got a duplicate-key 500 on
PostgreSQL, parallel wrong PINs were all checked, a slow body held the write lock, and hashing
a large image froze the event loop.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select, update

from accounts import PASSWORD, csrf, make_org, make_user, sign_in
from conftest import BACKEND
from documents import GOOD, REPORT
from media import encode, jpeg
from tipline.app import create_app
from tipline.auth.models import User
from tipline.config import Settings
from tipline.db import Database
from tipline.reports.models import Report
from tipline.takedown.models import TakedownCase

PDQ = "f" * 16 + "0" * 48


def _all_at_once(n: int, call: Callable[[int], Any]) -> list[Any]:
    """`n` calls released together, each in its own thread."""
    start = threading.Barrier(n)

    def run(i: int) -> Any:
        start.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def _client(live_server: str) -> httpx.Client:
    return httpx.Client(base_url=live_server, timeout=httpx.Timeout(40, connect=10))


@pytest.mark.parametrize(("path", "callers"), [("/numbers", 12), ("/api/v1/stats", 16)])
def test_concurrent_reads_of_the_numbers_all_answer(
    live_server: str, path: str, callers: int
) -> None:
    def read(_: int) -> int:
        with _client(live_server) as http:
            return http.get(path).status_code

    with _client(live_server) as http:
        assert http.post("/api/v1/reports", json=GOOD).status_code == 201
    statuses = _all_at_once(callers, read)
    assert statuses == [200] * callers


def test_a_victims_report_is_not_kept_waiting_by_readers(live_server: str) -> None:
    """Readers never take the write lock: a report sent among 16 readers is stored at once."""
    done = threading.Event()

    def read(_: int) -> int:
        with _client(live_server) as http:
            codes = []
            while not done.is_set():
                codes.append(http.get("/api/v1/stats").status_code)
            return max(codes, default=200)

    with ThreadPoolExecutor(8) as pool:
        readers = [pool.submit(read, i) for i in range(8)]
        time.sleep(0.3)
        with _client(live_server) as http:
            answer = http.post("/api/v1/reports", json=GOOD)
        done.set()
        assert answer.status_code == 201
        assert [r.result() for r in readers] == [200] * 8


def test_same_key_retries_at_once_store_one_report(live_server: str, database: Database) -> None:
    body = {**GOOD, "description": "Retried eight times at once: one report, one answer."}

    def send(_: int) -> tuple[int, dict[str, Any]]:
        with _client(live_server) as http:
            answer = http.post(
                "/api/v1/reports", json=body, headers={"Idempotency-Key": "retry-storm-1"}
            )
            return answer.status_code, answer.json()

    answers = _all_at_once(8, send)
    assert {status for status, _ in answers} == {201}
    assert len({created["report_id"] for _, created in answers}) == 1
    with database.session() as db_session:
        stored = db_session.scalar(
            select(func.count(Report.id)).where(Report.description == body["description"])
        )
    assert stored == 1


def test_parallel_wrong_pins_cannot_outrun_the_lock(live_server: str, database: Database) -> None:
    with _client(live_server) as http:
        opened = http.post(
            "/api/v1/takedown/cases",
            json={"hashes": [{"type": "pdq", "value": PDQ}], "age_at_creation": "under_18"},
        )
    assert opened.status_code == 201, opened.text
    case_id, pin = opened.json()["case_id"], opened.json()["pin"]
    wrong = [f"{(int(pin) + 1 + i) % 10 ** len(pin):0{len(pin)}d}" for i in range(25)]

    def guess(i: int) -> int:
        with _client(live_server) as http:
            return http.get(
                f"/api/v1/takedown/cases/{case_id}", headers={"X-Case-PIN": wrong[i]}
            ).status_code

    statuses = _all_at_once(25, guess)
    # Five guesses are checked (404); every other one meets the lock unchecked (429).
    assert statuses.count(404) == 5, statuses
    assert statuses.count(429) == 20, statuses
    with database.session() as db_session:
        case = db_session.scalar(select(TakedownCase).where(TakedownCase.case_id == case_id))
        assert case is not None
        assert case.failed_attempts == 5
        assert case.locked_until is not None
    with _client(live_server) as http:
        right = http.get(f"/api/v1/takedown/cases/{case_id}", headers={"X-Case-PIN": pin})
    assert right.status_code == 429  # even the right PIN waits out the lock


@pytest.fixture
def esp_auth(database: Database) -> tuple[str, str]:
    creds = make_org(database, "esp", "Slow Sender ESP")
    assert creds.ispws_username
    assert creds.ispws_password
    return creds.ispws_username, creds.ispws_password


def _slow_submit(live_server: str, auth: tuple[str, str], release: threading.Event) -> bytes:
    """An /ispws/submit whose body arrives in two halves, the second only once `release`."""
    url = urlsplit(live_server)
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    head = (
        f"POST /ispws/submit HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Basic {token}\r\n"
        f"Content-Type: text/xml\r\nContent-Length: {len(REPORT)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((url.hostname, url.port), timeout=60) as sock:
        sock.sendall(head + REPORT[: len(REPORT) // 2])
        release.wait(60)
        sock.sendall(REPORT[len(REPORT) // 2 :])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_slow_body_holds_no_lock(live_server: str, esp_auth: tuple[str, str]) -> None:
    release = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(_slow_submit, live_server, esp_auth, release)
        time.sleep(0.5)  # the headers and half the body are in; the server is waiting
        try:
            with httpx.Client(base_url=live_server, timeout=15) as http:
                answer = http.post("/api/v1/reports", json=GOOD)
        finally:
            release.set()
        assert answer.status_code == 201
        assert b" 200 " in slow.result().split(b"\r\n", 1)[0]


@pytest.mark.skipif(BACKEND != "sqlite", reason="the write lock of the embedded database")
def test_a_writer_waits_a_bounded_time_then_gets_503_and_readers_go_on(
    settings: Settings,
) -> None:

    app = create_app(settings.model_copy(update={"db_lock_timeout": 0.5}))
    held = sqlite3.connect(str(settings.home / "tipline.db"), isolation_level=None)

    with TestClient(app, base_url="http://127.0.0.1") as client:
        held.execute("BEGIN IMMEDIATE")  # someone else holds the write lock
        try:
            refused = client.post("/api/v1/reports", json=GOOD)
            numbers = client.get("/api/v1/stats")
        finally:
            held.execute("ROLLBACK")
            held.close()
        assert refused.status_code == 503
        assert refused.headers["Retry-After"].isdigit()
        assert refused.json()["error"]["code"] == "busy"
        assert numbers.status_code == 200
        assert client.post("/api/v1/reports", json=GOOD).status_code == 201


def _big_png(side: int) -> bytes:
    # Cheap to send (a flat image compresses to almost nothing), costly to decode.
    return encode(Image.new("RGB", (side, side), (90, 120, 150)), "PNG")


@pytest.fixture
def big_png() -> bytes:
    return _big_png(6000)


def test_hashing_a_large_image_does_not_freeze_the_server(
    live_server: str, esp_auth: tuple[str, str], big_png: bytes
) -> None:
    with httpx.Client(base_url=f"{live_server}/ispws", auth=esp_auth, timeout=60) as ispws:
        submitted = ispws.post("/submit", content=REPORT, headers={"Content-Type": "text/xml"})
        report_id = submitted.text.split("<reportId>")[1].split("<")[0]
        finished: dict[str, float] = {}

        def upload() -> int:
            answer = ispws.post(
                "/upload", data={"id": report_id}, files={"file": ("big.png", big_png)}
            )
            finished["upload"] = time.monotonic()
            return answer.status_code

        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(upload)
            time.sleep(0.2)
            with httpx.Client(base_url=live_server, timeout=30) as http:
                alive = http.get("/healthz")
                finished["healthz"] = time.monotonic()
            assert pending.result() == 200
    assert alive.status_code == 200
    # Answered while the image was still being decoded, not after it.
    assert finished["healthz"] < finished["upload"]


def test_image_decoding_is_charged_to_the_senders_budget(
    live_server: str, settings: Settings, database: Database
) -> None:

    tight = settings.model_copy(update={"image_pixel_budget": "60/hour"})
    app = create_app(tight, database)

    with TestClient(app, base_url="http://127.0.0.1") as client:
        created = client.post("/api/v1/reports", json=GOOD).json()
        headers = {"X-Follow-Up-Token": created["follow_up_token"]}
        path = f"/api/v1/reports/{created['report_id']}/files"
        small = client.post(path, headers=headers, files={"file": ("a.jpg", jpeg(1))})
        assert small.status_code == 201
        big = _big_png(6000)  # 36 megapixels: one fits the budget of 60, a second does not
        assert client.post(path, headers=headers, files={"file": ("b.png", big)}).status_code == 201
        refused = client.post(path, headers=headers, files={"file": ("c.png", big)})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"


def test_failed_logins_from_one_address_are_limited(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"failed_login_limit": "3/minute"}))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        # Different keys each time: no one account's lockout sees them all, the address does.
        statuses = [
            client.get(
                "/api/v1/hashlist/changes",
                headers={"Authorization": f"Bearer tl_{i:08d}_{hashlib.sha256(b'x').hexdigest()}"},
            ).status_code
            for i in range(5)
        ]
    assert statuses == [401, 401, 401, 429, 429]


def test_staff_work_and_public_reports_at_once_never_stall(
    live_server: str, database: Database
) -> None:
    """Found by bench/soak.py: a staff request takes the write lock in one worker thread (its
    session check) and goes on in another (the view). With every thread held by reports
    waiting for that lock, the holder could not get one: everything stalled until the lock
    timeout, and the waiting reports were answered 503. Writers now queue for their turn on the
    event loop, holding no thread."""
    email = make_user(database, "analyst", "busy-analyst@example.test")
    with _client(live_server) as staff:
        sign_in(staff, email)  # type: ignore[arg-type]  # a TestClient is an httpx.Client
        report = staff.post("/api/v1/reports", json=GOOD).json()["case_number"]
        token = csrf(staff.get(f"/console/reports/{report}"))
        stop = time.monotonic() + 3
        slowest: list[float] = []

        def reports(_: int) -> set[int]:
            seen = set()
            with _client(live_server) as http:
                while time.monotonic() < stop:
                    started = time.monotonic()
                    seen.add(http.post("/api/v1/reports", json=GOOD).status_code)
                    slowest.append(time.monotonic() - started)
            return seen

        with ThreadPoolExecutor(8) as pool:
            public = [pool.submit(reports, i) for i in range(8)]
            staff_codes = set()
            while time.monotonic() < stop:
                for action in ("claim", "release"):
                    started = time.monotonic()
                    answer = staff.post(
                        f"/console/queue/{report}/{action}",
                        data={"csrf_token": token},
                        follow_redirects=False,
                    )
                    staff_codes.add(answer.status_code)
                    slowest.append(time.monotonic() - started)
            public_codes = set().union(*(p.result() for p in public))
    assert public_codes == {201}
    assert staff_codes == {303}
    assert max(slowest) < 2.5, max(slowest)


def test_a_code_sent_before_the_enrolment_page_gets_a_page_not_a_500(
    client: TestClient, database: Database
) -> None:
    email = make_user(database, "analyst")
    page = client.get("/console/login")
    client.post(
        "/console/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    token = csrf(client.get("/console/totp/enrol"))
    # As when the code arrives before the page's secret was stored (a second tab, a page
    # answered before its commit, as it once was).
    with database.session() as db_session:
        db_session.execute(update(User).values(totp_secret_enc=None))
    early = client.post("/console/totp/enrol", data={"code": "123456", "csrf_token": token})
    assert early.status_code == 400, early.text
    assert 'id="totp-secret"' in early.text
