"""Forwarding upstream, against a second tipline serving /ispws as the upstream, with the
connection dropped after each step in turn: no report is filed twice, none is lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts import csrf, make_user, sign_in
from conftest import _free_port
from media import encode, synthetic_image
from tipline import builders
from tipline.app import create_app
from tipline.config import Settings, write_master_key
from tipline.db import Database, upgrade
from tipline.evidence import service as evidence
from tipline.ispws import forwarding
from tipline.ispws.client import CyberTiplineClient, UpstreamUnavailable
from tipline.ispws.models import Forwarding, IspwsSubmission
from tipline.reports import service as reports
from tipline.reports.models import Report


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A second tipline, on its own home and database, serving /ispws."""
    home = tmp_path / "upstream"
    home.mkdir()
    write_master_key(home / "master.key")
    url = f"sqlite:///{home / 'tipline.db'}"
    upgrade(url)
    settings = Settings(home=home, database_url=url, jobs_immediate=True)
    database = Database(url)
    with database.session() as db_session:
        creds = builders.organisation(db_session, kind="esp", name="Hotline forwarding in")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield {
        "url": f"http://127.0.0.1:{port}/ispws",
        "username": creds.ispws_username,
        "password": creds.ispws_password,
        "database": database,
    }
    server.should_exit = True
    thread.join(timeout=10)
    database.dispose()


class DropAfter(httpx.BaseTransport):
    """Delivers every request, but loses the answer to the n-th one (1-based)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen = 0
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        response = self.real.handle_request(request)
        if self.seen == self.n:
            response.read()
            raise httpx.ReadError("connection dropped after the request", request=request)
        return response


def _report_with_a_file(database: Database, settings: Settings) -> str:
    with database.session() as db_session:
        made = builders.report(
            db_session,
            reporter_role="parent_guardian",
            description="An account demanded gift cards after asking for images.",
            sextortion=True,
            demands=["money"],
            people=[{"role": "victim", "age": 15}],
            accounts=[{"role": "suspect", "platform": "ExampleGram", "handle": "demo_fwd"}],
        )
        evidence.store_file(
            db_session,
            settings=settings,
            data=encode(synthetic_image(40), "PNG"),
            filename="threat.png",
            actor="test",
            report_id=made.id,
        )
    return made.id


def _client(upstream: dict[str, Any], transport: httpx.BaseTransport | None = None) -> Any:
    return CyberTiplineClient(
        upstream["url"], upstream["username"], upstream["password"], transport=transport
    )


def _upstream_state(upstream: dict[str, Any]) -> tuple[list[str], int]:
    with upstream["database"].session() as db_session:
        states = [s.state for s in db_session.scalars(select(IspwsSubmission))]
        filed = len(db_session.scalars(select(Report)).all())
    return states, filed


def test_a_report_is_forwarded(
    database: Database, settings: Settings, upstream: dict[str, Any]
) -> None:
    report_id = _report_with_a_file(database, settings)
    with database.session() as db_session:
        queued = forwarding.queue(db_session, report_ref=report_id, actor="user:analyst")
    client = _client(upstream)
    row = forwarding.forward(database, settings=settings, forwarding_id=queued.id, client=client)
    assert row.state == "finished"
    assert row.upstream_report_id
    with upstream["database"].session() as db_session:
        filed = reports.get_report(db_session, ref=row.upstream_report_id)
        assert filed.source == "esp"
        assert filed.sextortion
        assert [a.handle for a in filed.accounts if a.role == "suspect"] == ["demo_fwd"]
        assert len(evidence.files_for_report(db_session, report_id=filed.id)) == 1


# Steps: 1 status, 2 submit, 3 upload, 4 fileinfo, 5 finish.
@pytest.mark.parametrize(
    "drop_at", [1, 2, 3, 4, 5], ids=["status", "submit", "upload", "fileinfo", "finish"]
)
def test_a_dropped_connection_at_any_step_files_exactly_once(
    database: Database, settings: Settings, upstream: dict[str, Any], drop_at: int
) -> None:
    report_id = _report_with_a_file(database, settings)
    with database.session() as db_session:
        queued = forwarding.queue(db_session, report_ref=report_id, actor="user:analyst")
    with pytest.raises(UpstreamUnavailable):
        forwarding.forward(
            database,
            settings=settings,
            forwarding_id=queued.id,
            client=_client(upstream, DropAfter(drop_at)),
        )
    with database.session() as db_session:
        failed = db_session.get(Forwarding, queued.id)
        assert failed is not None
        assert failed.state in ("failed", "submitted")
        assert failed.last_error
    row = forwarding.forward(
        database, settings=settings, forwarding_id=queued.id, client=_client(upstream)
    )
    assert row.state == "finished"
    states, filed = _upstream_state(upstream)
    assert states.count("finished") == 1, states
    assert filed == 1
    # Retrying a finished forwarding does nothing upstream.
    forwarding.forward(
        database, settings=settings, forwarding_id=queued.id, client=_client(upstream)
    )
    assert _upstream_state(upstream)[1] == 1


def test_an_analyst_forwards_from_the_console(
    database: Database,
    settings: Settings,
    upstream: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    for key, value in (
        ("URL", upstream["url"]),
        ("USERNAME", upstream["username"]),
        ("PASSWORD", upstream["password"]),
    ):
        monkeypatch.setenv(f"TIPLINE_UPSTREAM_{key}", value)
    configured = settings.model_copy(update={"upstream_url": upstream["url"]})
    report_id = _report_with_a_file(database, settings)
    with TestClient(create_app(configured, database)) as client:
        sign_in(client, make_user(database, "analyst"))
        page = client.get(f"/console/reports/{report_id}")
        assert "Forward upstream" in page.text
        done = client.post(f"/console/reports/{report_id}/forward", data={"csrf_token": csrf(page)})
        assert done.status_code == 200  # followed to the forwardings page
        assert "finished" in done.text
    assert _upstream_state(upstream) == (["finished"], 1)


def test_the_report_page_shows_the_reporters_words_as_text(client: Any, database: Database) -> None:
    words = '<script>alert("x")</script><img src=x onerror=alert(1)> 😢'
    with database.session() as db_session:
        made = builders.report(db_session, description=words)
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{made.id}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "Forward upstream" not in page.text  # no upstream configured
