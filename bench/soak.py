"""Fault and load soak: mixed traffic while the server is killed with SIGKILL three times.

For each backend (SQLite, the embedded default, and PostgreSQL) `tipline serve` runs as it would
in production, and client threads send what a busy morning brings at once: victims' reports
through the public API (each with an Idempotency-Key, retried with the same key when the
connection drops, as the public form does), ESPs filing over /ispws (submit, upload, finish),
an analyst working the console, and anyone reading /numbers and /api/v1/stats.

Two phases per backend, in the same run:
- `steady`: the traffic alone: the baseline for the latencies;
- `faults`: the same traffic while the whole server process group is killed with SIGKILL at a
  quarter, half and three quarters of the phase, and restarted at once.

Afterwards, straight from the database: every report a client was told was stored (201 from the
API, 0 or 5102 from /ispws/finish) is there exactly once; `tipline audit verify` holds; and no
request was answered with a 5xx (a dropped connection while the server is down is not an answer
and is counted apart). p50/p99 per route for both phases.

Run: `make bench-soak` (prints JSON; SOAK_SECONDS per phase, SOAK_BACKENDS=sqlite,postgresql).
The process exits non-zero when a check fails, so the soak can gate a release.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from documents import REPORT  # noqa: E402
from intake import BODY, _drop_postgres, _port, _wait, backend_env  # noqa: E402

SECONDS = float(os.environ.get("SOAK_SECONDS", "40"))
BACKENDS = os.environ.get("SOAK_BACKENDS", "sqlite,postgresql").split(",")
KILLS = (0.25, 0.5, 0.75)
# How long a client keeps retrying one request across a restart before it gives up.
RETRY_FOR = 30.0


@dataclass
class Ledger:
    """What clients saw: every answer by route, and every report they were told was stored."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    dropped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    public: dict[str, str] = field(default_factory=dict)  # marker -> case number
    esp: dict[str, str] = field(default_factory=dict)  # marker -> /ispws report id
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, route: str, send: Any) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response: httpx.Response = send()
        except httpx.TransportError:
            with self.lock:
                self.dropped[route] += 1
            return None
        took = time.perf_counter() - start
        with self.lock:
            self.latencies[route].append(took)
            self.statuses[route][response.status_code] += 1
        return response


def _retrying(ledger: Ledger, route: str, send: Any, done: Any) -> httpx.Response | None:
    """Send until an answer `done` accepts, across restarts and 503s, for up to RETRY_FOR."""
    give_up = time.monotonic() + RETRY_FOR
    while time.monotonic() < give_up:
        response = ledger.call(route, send)
        if response is not None and done(response):
            return response
        if response is not None and response.status_code not in (429, 503):
            return response
        time.sleep(0.3)
    return None


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


def _victim(ledger: Ledger, base: str, stop: float) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() < stop:
            marker = f"soak-{uuid.uuid4().hex}"
            body = {**BODY, "description": f"{BODY['description']} {marker}"}
            headers = {"Idempotency-Key": marker}
            answer = _retrying(
                ledger,
                "POST /api/v1/reports",
                lambda body=body, headers=headers: client.post(
                    "/api/v1/reports", json=body, headers=headers
                ),
                lambda r: r.status_code == 201,
            )
            if answer is not None and answer.status_code == 201:
                with ledger.lock:
                    ledger.public[marker] = answer.json()["case_number"]


def _code(response: httpx.Response) -> str:
    return response.text.split("<responseCode>")[1].split("<")[0]


def _esp(ledger: Ledger, base: str, auth: tuple[str, str], stop: float) -> None:
    image = _png()
    with httpx.Client(base_url=f"{base}/ispws", auth=auth, timeout=30) as client:
        while time.monotonic() < stop:
            marker = f"soak-{uuid.uuid4().hex}"
            document = REPORT.replace(
                b"Account disabled after review.", f"Account disabled. {marker}".encode()
            )
            submitted = ledger.call(
                "POST /ispws/submit", lambda d=document: client.post("/submit", content=d)
            )
            if submitted is None or submitted.status_code != 200 or _code(submitted) != "0":
                time.sleep(0.3)
                continue  # never acknowledged: an ESP files it again, as a new report
            report_id = submitted.text.split("<reportId>")[1].split("<")[0]
            uploaded = _retrying(
                ledger,
                "POST /ispws/upload",
                lambda rid=report_id: client.post(
                    "/upload", data={"id": rid}, files={"file": ("shot.png", image, "image/png")}
                ),
                lambda r: r.status_code == 200,
            )
            if uploaded is None:
                continue
            finished = _retrying(
                ledger,
                "POST /ispws/finish",
                lambda rid=report_id: client.post("/finish", data={"id": rid}),
                lambda r: r.status_code == 200,
            )
            # 5102 (already finished) is how a retried finish learns the first one landed.
            if (
                finished is not None
                and finished.status_code == 200
                and _code(finished) in ("0", "5102")
            ):
                with ledger.lock:
                    ledger.esp[marker] = report_id


def _reader(ledger: Ledger, base: str, stop: float) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() < stop:
            for path in ("/numbers", "/api/v1/stats", "/"):
                if ledger.call(f"GET {path}", lambda p=path: client.get(p)) is None:
                    time.sleep(0.3)


def _analyst(ledger: Ledger, client: httpx.Client, stop: float) -> None:
    """Signed in once, before the phases: a staff session outlives a restart (it is stored)."""
    while time.monotonic() < stop:
        if ledger.call("GET /console", lambda: client.get("/console")) is None:
            time.sleep(0.3)
            continue
        with ledger.lock:
            latest = next(reversed(ledger.public.values()), None)
        if latest is not None:
            ledger.call(
                "GET /console/reports/{ref}",
                lambda ref=latest: client.get(f"/console/reports/{ref}"),
            )


class Server:
    """`tipline serve` in its own process group, so that SIGKILL takes every process of it."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "tipline", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait(f"http://127.0.0.1:{self.port}/healthz", timeout=60)

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _phase(server: Server, auth: tuple[str, str], analyst: httpx.Client, kills: bool) -> Ledger:
    ledger = Ledger()
    base = f"http://127.0.0.1:{server.port}"
    start = time.monotonic()
    stop = start + SECONDS
    threads = [
        *(threading.Thread(target=_victim, args=(ledger, base, stop)) for _ in range(3)),
        *(threading.Thread(target=_esp, args=(ledger, base, auth, stop)) for _ in range(2)),
        *(threading.Thread(target=_reader, args=(ledger, base, stop)) for _ in range(2)),
        threading.Thread(target=_analyst, args=(ledger, analyst, stop)),
    ]
    for thread in threads:
        thread.start()
    if kills:
        for at in KILLS:
            time.sleep(max(0.0, start + at * SECONDS - time.monotonic()))
            server.kill()
            server.start()
    for thread in threads:
        thread.join()
    return ledger


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1)


def _routes(ledger: Ledger) -> dict[str, Any]:
    return {
        route: {
            "requests": len(values),
            "p50_ms": _pct(values, 0.5),
            "p99_ms": _pct(values, 0.99),
            "statuses": dict(sorted(ledger.statuses[route].items())),
            "dropped_while_down": ledger.dropped.get(route, 0),
        }
        for route, values in sorted(ledger.latencies.items())
    }


def _stored_once(url: str, ledger: Ledger) -> dict[str, Any]:
    """Each acknowledged report, looked up by the marker only its own request carried."""
    engine = create_engine(url)
    problems: list[str] = []
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT case_number, id, description FROM reports WHERE description LIKE '%soak-%'"
            )
        ).all()
        finished = {
            str(r[0])
            for r in conn.execute(
                text("SELECT report_id FROM ispws_submissions WHERE state = 'finished'")
            )
        }
    engine.dispose()
    by_marker: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for case_number, report_id, description in rows:
        marker = "soak-" + description.rsplit("soak-", 1)[1].split()[0].rstrip(".")
        by_marker[marker].append((case_number, report_id))
    for marker, case_number in ledger.public.items():
        found = by_marker.get(marker, [])
        if [c for c, _ in found] != [case_number]:
            problems.append(f"public {case_number}: stored {len(found)} times")
    for marker in ledger.esp:
        found = by_marker.get(marker, [])
        if len(found) != 1 or found[0][1] not in finished:
            problems.append(f"ispws {marker}: stored {len(found)} times, finished: {bool(found)}")
    acknowledged = set(ledger.public) | set(ledger.esp)
    return {
        "acknowledged_public": len(ledger.public),
        "acknowledged_ispws": len(ledger.esp),
        "stored_but_never_acknowledged": len(set(by_marker) - acknowledged),
        "problems": problems[:20],
    }


def _run_backend(backend: str, workdir: Path) -> dict[str, Any]:
    from accounts import make_user, sign_in
    from tipline.db import Database

    name = f"tipline_soak_{os.getpid()}"
    url, env = backend_env(backend, workdir / backend, name)
    env.pop("TIPLINE_REDIS_URL", None)

    def cli(*args: str) -> str:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tipline", *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    try:
        cli("init")
        creds = json.loads(cli("orgs", "add", "Soak ESP", "--kind", "esp", "--json"))
        database = Database(url)
        email = make_user(database, "analyst", "soak-analyst@example.test")
        database.engine.dispose()
        auth = (creds["ispws_username"], creds["ispws_password"])
        server = Server(env, _port())
        server.start()
        analyst = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=30)
        try:
            sign_in(analyst, email)  # type: ignore[arg-type]  # a TestClient is an httpx.Client
            steady = _phase(server, auth, analyst, kills=False)
            faults = _phase(server, auth, analyst, kills=True)
        finally:
            analyst.close()
            server.stop()
        verify = subprocess.run(
            [sys.executable, "-m", "tipline", "audit", "verify", "--json"],
            check=False,
            env=env,
            capture_output=True,
            text=True,
        )
        five_xx = {
            f"{phase}: {route}": {code: n for code, n in codes.items() if code >= 500}
            for phase, ledger in (("steady", steady), ("faults", faults))
            for route, codes in ledger.statuses.items()
            if any(code >= 500 for code in codes)
        }
        merged = Ledger()
        merged.public = {**steady.public, **faults.public}
        merged.esp = {**steady.esp, **faults.esp}
        stored = _stored_once(url, merged)
        return {
            "kills": len(KILLS),
            "steady": _routes(steady),
            "faults": _routes(faults),
            "stored_exactly_once": stored,
            "responses_5xx": five_xx,
            "audit_verify": {"exit": verify.returncode, "output": verify.stdout.strip()[-400:]},
            "ok": not stored["problems"] and not five_xx and verify.returncode == 0,
        }
    finally:
        if backend == "postgresql":
            _drop_postgres(name)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = {backend: _run_backend(backend, Path(tmp)) for backend in BACKENDS}
    print(
        json.dumps(
            {"benchmark": "soak", "seconds_per_phase": SECONDS, "backends": results}, indent=2
        )
    )
    sys.exit(0 if all(r["ok"] for r in results.values()) else 1)


if __name__ == "__main__":
    main()
