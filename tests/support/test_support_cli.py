"""The support desk's commands, run as an administrator runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from accounts import sign_in
from tipline import builders, demo
from tipline.db import Database
from tipline.support import directory


def test_services_and_peers_from_the_command_line(
    database: Database, tmp_path: Path, settings: object
) -> None:
    from cli.test_cli import tipline  # noqa: PLC0415 - the CLI tests' own runner

    loaded = tipline("support", "load-services", "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["services"] >= 10
    local = tmp_path / "local.json"
    local.write_text(directory.sample_local(), encoding="utf-8")
    assert tipline("support", "load-services", str(local)).returncode == 0
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "x y", "name": "n", "kind": "crisis"}]', encoding="utf-8")
    refused = tipline("support", "load-services", str(broken))
    assert refused.returncode == 2
    assert "lowercase letters" in refused.stderr
    assert "Traceback" not in refused.stderr
    added = tipline("users", "add", "peer-cli@example.test", "--role", "peer", "--json")
    assert added.returncode == 0, added.stderr
    profile = tipline(
        "support",
        "peer",
        "peer-cli@example.test",
        "--first-name",
        "Ana",
        "--languages",
        "es,en",
        "--experiences",
        "parent_of_victim",
        "--vetted-until",
        "2027-12-01",
        "--json",
    )
    assert profile.returncode == 0, profile.stderr
    assert json.loads(profile.stdout)["vetted_until"] == "2027-12-01"
    bad_day = tipline(
        "support",
        "peer",
        "peer-cli@example.test",
        "--first-name",
        "Ana",
        "--experiences",
        "survivor",
        "--vetted-until",
        "next year",
    )
    assert bad_day.returncode == 2
    assert "YYYY-MM-DD" in bad_day.stderr
    analyst = builders.staff(database, role="analyst", email="an-cli@example.test")
    assert analyst.id
    not_peer = tipline(
        "support",
        "peer",
        "an-cli@example.test",
        "--first-name",
        "Al",
        "--experiences",
        "survivor",
        "--vetted-until",
        "2027-01-01",
    )
    assert not_peer.returncode == 2
    assert "only a peer account" in not_peer.stderr


def test_the_demo_has_a_support_desk_at_work(app: Any, database: Database, settings: Any) -> None:
    with database.session() as db_session:
        logins = {
            login.role: login
            for login in demo.load(db_session, settings=settings, reports_count=12)
        }
    with TestClient(app, base_url="http://127.0.0.1") as client:
        sign_in(client, logins["advocate"].email, logins["advocate"].password)
        queue = client.get("/console/support")
        assert queue.status_code == 200
        # The Spanish-speaking child's words of despair are first.
        assert queue.text.index("Despair or self-harm") < queue.text.index("Routine")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        sign_in(client, logins["peer"].email, logins["peer"].password)
        home = client.get("/peer")
        assert "Marisol" in home.text
        assert "Waiting for your answer" in home.text
