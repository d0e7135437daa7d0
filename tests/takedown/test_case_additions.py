"""A victim adds more pictures or videos to the case they opened, with its PIN: only hashes, each
kept once, up to the case's limit; a withdrawn case refuses, and a locked one says how long it
stays locked. The status counts pictures and videos, not hashes."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts import make_org
from conftest import PDQ_VECTORS
from tipline.audit import service as audit
from tipline.db import Database
from tipline.takedown import service
from tipline.takedown.events import TakedownEvent

CASES = "/api/v1/takedown/cases"


def _picture(n: int) -> list[dict[str, str]]:
    """What the page sends for one picture: its PDQ, SHA-256 and MD5 (synthetic values)."""
    return [
        {"type": "pdq", "value": f"{n:064x}"},
        {"type": "sha256", "value": f"{n:x}".rjust(64, "a")},
        {"type": "md5", "value": f"{n:x}".rjust(32, "b")},
    ]


def _video(n: int) -> list[dict[str, str]]:
    frames = "\n".join(f"{i},100,{n + i:064x},{i:.3f}" for i in range(3))
    return [
        {"type": "vpdq", "value": frames},
        {"type": "sha256", "value": f"{n:x}".rjust(64, "c")},
        {"type": "md5", "value": f"{n:x}".rjust(32, "d")},
    ]


@pytest.fixture
def case(client: TestClient) -> dict[str, str]:
    opened = client.post(CASES, json={"hashes": _picture(1), "age_at_creation": "under_18"})
    assert opened.status_code == 201, opened.text
    body: dict[str, str] = opened.json()
    return body


def _add(client: TestClient, case: dict[str, str], hashes: list[dict[str, str]], **kw: Any) -> Any:
    headers = kw.pop("headers", {"X-Case-PIN": case["pin"]})
    return client.post(
        f"{CASES}/{case['case_id']}/hashes", json={"hashes": hashes}, headers=headers
    )


def _status(client: TestClient, case: dict[str, str]) -> dict[str, Any]:
    seen = client.get(f"{CASES}/{case['case_id']}", headers={"X-Case-PIN": case["pin"]})
    assert seen.status_code == 200, seen.text
    body: dict[str, Any] = seen.json()
    return body


def _wrong(case: dict[str, str]) -> dict[str, str]:
    return {"X-Case-PIN": "0" * 8 if case["pin"] != "0" * 8 else "1" * 8}


def test_more_pictures_and_a_video_join_the_case_and_are_counted_as_files(
    client: TestClient, database: Database, case: dict[str, str]
) -> None:
    assert _status(client, case)["files"] == 1
    added = _add(client, case, _picture(2) + _video(3))
    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["added"], body["already_in_case"]) == (6, 0)
    # Three files of three hashes each: the victim reads "3 pictures or videos", not 9.
    assert (body["files"], body["hashes"], body["images"], body["videos"]) == (3, 9, 2, 1)
    assert _status(client, case)["files"] == 3
    # Platforms get the new hashes with the case's number at their next sync.
    platform = {"Authorization": f"Bearer {make_org(database, 'platform').api_key}"}
    feed = client.get("/api/v1/hashlist/changes", headers=platform).json()["changes"]
    assert [(c["action"], c["reason"]) for c in feed[3:]] == [("add", "added_to_case")] * 6
    assert {c["case_id"] for c in feed} == {case["case_id"]}
    with database.session() as db_session:
        found = service.find_case(db_session, case_id=case["case_id"])
        assert found is not None
        events = audit.timeline(db_session, subject_type="takedown_case", subject_id=found.id)
    assert [e.action for e in events] == [TakedownEvent.CASE_OPENED, TakedownEvent.HASHES_ADDED]
    assert events[1].data["hashes"] == {"pdq": 1, "vpdq": 1, "sha256": 2, "md5": 2}


def test_a_hash_already_in_the_case_is_not_added_twice(
    client: TestClient, case: dict[str, str]
) -> None:
    again = _add(client, case, [*_picture(1), {"type": "pdq", "value": f"{1:064X}"}])
    assert again.status_code == 201, again.text
    assert (again.json()["added"], again.json()["already_in_case"]) == (0, 3)
    assert again.json()["hashes"] == 3
    # A resized copy: the same PDQ, another file. Only its SHA-256 and MD5 are new.
    copy = [_picture(1)[0], *_picture(4)[1:]]
    answer = _add(client, case, copy).json()
    assert (answer["added"], answer["already_in_case"]) == (2, 1)
    assert (answer["hashes"], answer["files"]) == (5, 2)


def test_a_wrong_pin_or_no_pin_adds_nothing(client: TestClient, case: dict[str, str]) -> None:
    assert _add(client, case, _picture(2), headers=_wrong(case)).status_code == 404
    assert _add(client, case, _picture(2), headers={}).status_code == 404
    unknown = client.post(
        f"{CASES}/TD-AAAAA-BBBBB/hashes",
        json={"hashes": _picture(2)},
        headers={"X-Case-PIN": case["pin"]},
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "no_match"
    assert _status(client, case)["hashes"] == 3


def test_a_withdrawn_case_refuses_more_hashes(client: TestClient, case: dict[str, str]) -> None:
    pin = {"X-Case-PIN": case["pin"]}
    assert client.delete(f"{CASES}/{case['case_id']}", headers=pin).status_code == 200
    refused = _add(client, case, _picture(2))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "case_withdrawn"
    assert "withdrawn" in refused.json()["error"]["message"]
    assert _status(client, case)["hashes"] == 3


def test_a_case_holds_no_more_than_a_new_case_may(client: TestClient, case: dict[str, str]) -> None:
    room = service.MAX_HASHES_PER_CASE - 3
    filler = [{"type": "sha256", "value": f"{i:064x}"} for i in range(10, 10 + room - 1)]
    assert _add(client, case, filler).status_code == 201
    over = _add(client, case, _picture(2))  # three more: one too many
    assert over.status_code == 400
    assert over.json()["error"]["code"] == "case_full"
    assert "another case" in over.json()["error"]["message"]
    assert _status(client, case)["hashes"] == service.MAX_HASHES_PER_CASE - 1
    # Hashes the case holds already take no room; the last place is still free.
    last = _add(client, case, [*_picture(1), {"type": "md5", "value": "e" * 32}])
    assert last.status_code == 201
    assert last.json()["hashes"] == service.MAX_HASHES_PER_CASE
    # One request may not carry more than a new case may, either.
    too_many = [
        {"type": "md5", "value": f"{i:032x}"} for i in range(service.MAX_HASHES_PER_CASE + 1)
    ]
    assert _add(client, case, too_many).status_code == 422


def test_a_locked_case_says_how_long_it_stays_locked(
    client: TestClient, database: Database, case: dict[str, str]
) -> None:
    for _ in range(service.PIN_ATTEMPTS):
        assert _add(client, case, _picture(2), headers=_wrong(case)).status_code == 404
    first = service.FIRST_LOCK.total_seconds()
    for method, path, body in (
        ("POST", f"{CASES}/{case['case_id']}/hashes", {"hashes": _picture(2)}),
        ("GET", f"{CASES}/{case['case_id']}", None),
        ("DELETE", f"{CASES}/{case['case_id']}", None),
    ):
        locked = client.request(method, path, json=body, headers={"X-Case-PIN": case["pin"]})
        assert locked.status_code == 429, (method, locked.text)
        error = locked.json()["error"]
        assert error["code"] == "case_locked"
        assert first - 60 < error["retry_after"] <= first
        assert locked.headers["Retry-After"] == str(error["retry_after"])
        assert "15 more minutes" in error["message"]
    # Nothing was added, and nothing was withdrawn, while it was locked.
    with database.session() as db_session:
        found = service.find_case(db_session, case_id=case["case_id"])
        assert found is not None
        assert (found.status, len(found.entries)) == ("open", 3)


def test_file_content_is_refused_when_adding_too(client: TestClient, case: dict[str, str]) -> None:
    image = base64.b64encode((PDQ_VECTORS / "images" / "misc-images" / "c.png").read_bytes())
    for body in (
        {"hashes": [{"type": "sha256", "value": "a" * 64, "data": image.decode()}]},
        {"hashes": _picture(2), "file": image.decode()},
        {"hashes": [{"type": "sha256", "value": image.decode()[:300_000]}]},
    ):
        answer = client.post(
            f"{CASES}/{case['case_id']}/hashes", json=body, headers={"X-Case-PIN": case["pin"]}
        )
        assert 400 <= answer.status_code < 500, answer.text
    multipart = client.post(
        f"{CASES}/{case['case_id']}/hashes",
        files={"file": ("a.png", b"\x89PNG" + b"0" * 100)},
        headers={"X-Case-PIN": case["pin"]},
    )
    assert 400 <= multipart.status_code < 500
    assert _status(client, case)["hashes"] == 3


def test_the_age_question_starts_unanswered(client: TestClient) -> None:
    page = client.get("/take-it-down").text
    radios = re.findall(r"<input[^>]*name=\"age_at_creation\"[^>]*>", page)
    assert len(radios) == 2
    assert not any("checked" in radio for radio in radios)
    assert 'id="td-age-error"' in page
