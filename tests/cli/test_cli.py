"""The command line as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts import sign_in
from conftest import PDQ_VECTORS
from media import jpeg, png_bomb
from tipline import builders, demo
from tipline.auth import service as auth
from tipline.config import Settings
from tipline.db import Database
from tipline.referral import service as referral


def tipline(*args: str, env_home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if env_home is not None:
        env["TIPLINE_HOME"] = str(env_home)
        env.pop("TIPLINE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "tipline", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 1, result.stderr


def test_init_is_idempotent_and_prints_the_admin_password_once(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    first = tipline("init", "--json", env_home=home)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["admin_email"] == "admin@tipline.local"
    assert len(data["admin_password"]) >= 16
    assert (home / "master.key").stat().st_mode & 0o777 == 0o600
    second = tipline("init", "--json", env_home=home)
    assert second.returncode == 0
    assert json.loads(second.stdout)["admin_password"] is None
    assert (home / "tipline.db").exists()


def test_an_exposed_master_key_is_a_one_line_error(tmp_path: Path) -> None:
    home = tmp_path / "exposed"
    assert tipline("init", env_home=home).returncode == 0
    (home / "master.key").chmod(0o644)
    result = tipline("init", env_home=home)
    assert result.returncode == 1
    assert "readable by others" in result.stderr
    _no_traceback(result)


def test_users_and_orgs(settings: Settings) -> None:
    agency = tipline("orgs", "add", "Synthetic County Sheriff", "--kind", "agency", "--json")
    assert agency.returncode == 0, agency.stderr
    agency_id = json.loads(agency.stdout)["id"]
    assert "api_key" not in json.loads(agency.stdout)
    esp = json.loads(tipline("orgs", "add", "Example ESP", "--kind", "esp", "--json").stdout)
    assert {"api_key", "ispws_username", "ispws_password"} <= set(esp)
    platform = json.loads(
        tipline("orgs", "add", "Example Platform", "--kind", "platform", "--json").stdout
    )
    assert "api_key" in platform
    assert "ispws_username" not in platform
    user = tipline(
        "users", "add", "officer@example.test", "--role", "agency", "--agency", agency_id, "--json"
    )
    assert user.returncode == 0, user.stderr
    assert json.loads(user.stdout)["role"] == "agency"
    listed = json.loads(tipline("users", "list", "--json").stdout)
    assert [u["email"] for u in listed] == ["officer@example.test"]
    revoke = tipline("orgs", "revoke-key", platform["api_key"])
    assert revoke.returncode == 0, revoke.stderr
    orgs = {o["name"]: o for o in json.loads(tipline("orgs", "list", "--json").stdout)}
    assert orgs["Example Platform"]["live_keys"] == 0


@pytest.mark.parametrize(
    "args",
    [
        ("users", "add", "x@example.test", "--role", "root"),
        ("users", "add", "not-an-email", "--role", "analyst"),
        ("orgs", "add", "X", "--kind", "bank"),
        ("reports", "show", "TL-0000-0000"),
        ("reports", "list", "--status", "lost"),
        ("users", "add", "y@example.test", "--role", "agency"),
    ],
)
def test_bad_input_is_a_one_line_error_with_exit_2(
    settings: Settings, args: tuple[str, ...]
) -> None:
    result = tipline(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    _no_traceback(result)


def test_reports_list_and_show(settings: Settings) -> None:
    database = Database(settings.resolved_database_url)
    with database.session() as db_session:
        report = builders.report(
            db_session,
            reporter_role="parent_guardian",
            description="Account demanded money <b>now</b>",
            demands=["money"],
            sextortion=True,
            accounts=[{"role": "suspect", "platform": "ExampleGram", "handle": "@Demo_Offender"}],
            payments=[{"method": "gift_card", "handle": "$demo-pay", "amount": "100"}],
        )
        case = report.case_number
    database.dispose()
    listed = json.loads(tipline("reports", "list", "--json").stdout)
    assert [r["case_number"] for r in listed] == [case]
    assert listed[0]["financial"] is True
    found = json.loads(tipline("reports", "list", "--search", "demo_offender", "--json").stdout)
    assert len(found) == 1
    shown = tipline("reports", "show", case.lower().replace("-", ""), "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["description"] == "Account demanded money <b>now</b>"
    assert data["accounts"][0]["handle"] == "@Demo_Offender"
    assert data["payments"][0]["method"] == "gift_card"
    human = tipline("reports", "show", case)
    assert "<b>now</b>" in human.stdout


def test_hash_prints_one_json_object_per_file(tmp_path: Path) -> None:
    good = tmp_path / "a.jpg"
    good.write_bytes(jpeg(1))
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb())
    vector = PDQ_VECTORS / "images" / "bridge-mods" / "aaa-orig.jpg"
    result = tipline(
        "hash", str(good), str(vector), str(bomb), str(tmp_path / "missing.jpg"), "--json"
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["path"] for row in lines] == [
        str(good),
        str(vector),
        str(bomb),
        str(tmp_path / "missing.jpg"),
    ]
    assert set(lines[0]) >= {"path", "sha256", "md5", "pdq", "pdq_quality"}
    assert lines[1]["pdq_quality"] == 100
    assert "error" in lines[2]
    assert "error" in lines[3]
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_commands_before_init_say_what_to_do(tmp_path: Path) -> None:
    result = tipline("reports", "list", env_home=tmp_path / "empty")
    assert result.returncode == 1
    assert "tipline init" in result.stderr
    _no_traceback(result)


def test_demo_loads_a_living_system_once(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    first = tipline("demo", "--no-serve", env_home=home)
    assert first.returncode == 0, first.stderr
    assert "demo-analyst@tipline.local" in first.stdout
    # Each agency login says whose referrals it sees.
    assert "demo-agency-tx@tipline.local works for Texas" in first.stdout
    assert "http://127.0.0.1:8000/" in first.stdout
    assert tipline("demo", "--no-serve", env_home=home).returncode == 0
    reports = json.loads(
        tipline("reports", "list", "--limit", "1000", "--json", env_home=home).stdout
    )
    # Loaded once: a second `demo` leaves the data as it was: 300 reports from the public and
    # online services, and 3 a platform's detector opened.
    assert len(reports) == 303
    assert any(r["self_harm_risk"] for r in reports)
    assert sum(r["source"] == "detector" for r in reports) == 3
    statuses = {r["status"] for r in reports}
    assert {"received", "triaged", "referred", "closed"} <= statuses
    verify = tipline("audit", "verify", env_home=home)
    assert verify.returncode == 0, verify.stderr


@pytest.mark.parametrize("reports_count", [300, 12])
def test_the_demo_leaves_referrals_waiting_in_each_agency(
    app: Any, database: Database, settings: Settings, reports_count: int
) -> None:
    # The demo's own numbers, and a small demo whose random work refers almost nothing.
    with database.session() as db_session:
        logins = demo.load(db_session, settings=settings, reports_count=reports_count)
    agency_logins = [login for login in logins if login.role == "agency"]
    assert len(agency_logins) == 2
    for login in agency_logins:
        assert login.agency, f"{login.email} does not say which agency it works for"
        with database.session() as db_session:
            agency = auth.get_organisation(db_session, ref=login.agency)
            waiting = [
                r.number
                for r in referral.list_referrals(db_session, agency_id=agency.id)
                if r.status == "sent" and r.acknowledged_at is None
            ]
        assert len(waiting) >= 2, login.agency
        # The investigator signing in with the demo login sees them waiting.
        with TestClient(app, base_url="http://127.0.0.1") as client:
            sign_in(client, login.email, login.password)
            portal = client.get("/agency")
        assert portal.status_code == 200
        for number in waiting:
            assert number in portal.text, (login.email, number)
