"""Benchmark: public reports per second, and p50/p99 latency, on SQLite and on PostgreSQL.

Each backend runs `tipline serve`'s app under uvicorn with two worker processes, loaded by wrk
over loopback, and in the same run a bare FastAPI endpoint that inserts one row (bench/bare_app.py)
under the same server, workers, database and load: the ratio says what tipline's intake costs.
Target (issue 3): at least 300 reports/s on PostgreSQL with p99 under 200 ms, on 2 cores.

Run: `make bench-intake` (prints JSON). Needs wrk (Debian's package; the make target installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BODY = {
    "reporter_role": "parent_guardian",
    "description": "An account asked my son for pictures, then demanded money in gift cards.",
    "sextortion": True,
    "demands": ["money"],
    "suspect_accounts": [{"platform": "ExampleGram", "username": "bench_offender"}],
    "payment_details": [{"method": "gift_card", "amount": "300"}],
    "victim": {"age": 15, "country": "US", "region": "US-CA"},
}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


def _serve(label: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """Two server processes on one port, as `tipline serve --workers 2` runs them."""
    port = _port()
    if label.startswith("baseline"):
        command = [sys.executable, str(ROOT / "bench" / "bare_app.py"), str(port)]
    else:
        command = [sys.executable, "-m", "tipline", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return proc, port


def _wrk(url: str, body: dict[str, Any], workdir: Path) -> dict[str, float]:
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [[{json.dumps(body)}]]\n"
    )
    out = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
        return round(float(m.group(1)) * scale, 2)

    return {
        "requests_per_s": round(rps, 1),
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def _postgres_url(name: str) -> str:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres(name: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def backend_env(backend: str, home: Path, name: str) -> tuple[str, dict[str, str]]:
    """A fresh database for `backend` (PostgreSQL: a new database `name`) and the environment
    that points `tipline` at it and at `home`, with the public rate limit off for load."""
    url = _postgres_url(name) if backend == "postgresql" else f"sqlite:///{home / 'tipline.db'}"
    env = {
        **os.environ,
        "TIPLINE_HOME": str(home),
        "TIPLINE_DATABASE_URL": url,
        "TIPLINE_PUBLIC_RATE_LIMIT": "off",
    }
    return url, env


def run_backend(backend: str, workdir: Path) -> dict[str, Any]:
    name = f"tipline_bench_{os.getpid()}"
    url, env = backend_env(backend, workdir / backend, name)
    env["BENCH_DATABASE_URL"] = url
    subprocess.run(
        [sys.executable, "-m", "tipline", "init"],
        env=env,
        check=True,
        capture_output=True,
    )
    result: dict[str, Any] = {}
    try:
        for label, path, body in (
            ("baseline_bare_insert", "/bare", {"description": "x"}),
            ("tipline_public_report", "/api/v1/reports", BODY),
        ):
            proc, port = _serve(label, env)
            try:
                _wait(
                    f"http://127.0.0.1:{port}/docs"
                    if label.startswith("baseline")
                    else f"http://127.0.0.1:{port}/healthz"
                )
                _wrk(f"http://127.0.0.1:{port}{path}", body, workdir)  # warm-up, discarded
                result[label] = _wrk(f"http://127.0.0.1:{port}{path}", body, workdir)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    finally:
        if backend == "postgresql":
            _drop_postgres(name)
    base, ours = result["baseline_bare_insert"], result["tipline_public_report"]
    result["ratio_to_baseline"] = round(ours["requests_per_s"] / base["requests_per_s"], 3)
    return result


def main() -> None:
    saved = os.environ.get("BENCH_SECONDS")
    out: dict[str, Any] = {
        "benchmark": "intake",
        "seconds": DURATION,
        "connections": CONNECTIONS,
        "server_workers": 2,
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgresql"):
            out[backend] = run_backend(backend, Path(tmp))
    pg = out["postgresql"]["tipline_public_report"]
    out["target"] = {"postgresql_reports_per_s": 300, "postgresql_p99_ms": 200}
    out["meets_target"] = pg["requests_per_s"] >= 300 and pg["p99_ms"] < 200 and not pg["errors"]
    del saved
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
