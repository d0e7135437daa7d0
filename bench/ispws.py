"""Benchmark: full /ispws filing sequences per second (submit, one 200 KB upload, finish),
against the public JSON intake (POST /api/v1/reports) in the same run, same server.

`tipline serve --workers 2` on PostgreSQL; the load comes from client threads on this machine.
Run: `make bench-ispws` (prints JSON).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))

from documents import REPORT  # noqa: E402
from intake import BODY, _drop_postgres, _port, _postgres_url, _wait  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))


def _upload_bytes() -> bytes:
    from media import synthetic_image

    buf = io.BytesIO()
    synthetic_image(7, (900, 700)).save(buf, "JPEG", quality=92)
    # A JPEG of about 200 KB: decoded, hashed (PDQ too) and encrypted like any upload.
    return buf.getvalue()


def _run(work: Any) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + SECONDS

    def loop() -> None:
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < stop:
                start = time.perf_counter()
                ok = work(client)
                latencies.append(time.perf_counter() - start)
                if not ok:
                    errors[0] += 1

    threads = [threading.Thread(target=loop) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "per_s": round(len(latencies) / SECONDS, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "errors": errors[0],
    }


def main() -> None:
    name = f"tipline_bench_ispws_{os.getpid()}"
    url = _postgres_url(name)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "TIPLINE_HOME": tmp,
            "TIPLINE_DATABASE_URL": url,
            "TIPLINE_PUBLIC_RATE_LIMIT": "off",
        }
        subprocess.run(
            [sys.executable, "-m", "tipline", "init"], env=env, check=True, capture_output=True
        )
        creds = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tipline",
                    "orgs",
                    "add",
                    "Bench ESP",
                    "--kind",
                    "esp",
                    "--json",
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        port = _port()
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tipline", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        auth = (creds["ispws_username"], creds["ispws_password"])
        upload = _upload_bytes()

        def ispws_sequence(client: httpx.Client) -> bool:
            submitted = client.post(f"{base}/ispws/submit", content=REPORT, auth=auth)
            if b"<responseCode>0<" not in submitted.content:
                return False
            report_id = submitted.text.split("<reportId>")[1].split("<")[0]
            up = client.post(
                f"{base}/ispws/upload",
                data={"id": report_id},
                auth=auth,
                files={"file": ("shot.jpg", upload, "image/jpeg")},
            )
            done = client.post(f"{base}/ispws/finish", data={"id": report_id}, auth=auth)
            return b"<responseCode>0<" in up.content and b"<responseCode>0<" in done.content

        def public_report(client: httpx.Client) -> bool:
            return client.post(f"{base}/api/v1/reports", json=BODY).status_code == 201

        try:
            _wait(f"{base}/healthz")
            _run(ispws_sequence)  # warm-up
            result = {
                "benchmark": "ispws",
                "seconds": SECONDS,
                "clients": CLIENTS,
                "upload_bytes": len(upload),
                "ispws_submit_upload_finish": _run(ispws_sequence),
                "baseline_public_json_report": _run(public_report),
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
            _drop_postgres(name)
    seq = result["ispws_submit_upload_finish"]["per_s"]
    pub = result["baseline_public_json_report"]["per_s"]
    result["ratio_to_baseline"] = round(seq / pub, 3) if pub else None
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
