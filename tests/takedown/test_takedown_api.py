"""The take-down API over real HTTP: a victim's case (hashes only, PIN, lock, withdrawal) and a
platform's side (change feed, match with rotations and flips, feedback and quarantine)."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import numpy as np
import pdqhash
import pytest
from PIL import Image

from accounts import csrf, make_org, make_user, sign_in
from conftest import PDQ_VECTORS
from tipline.evidence.hashing import hamming, hash_bytes, pdq_hex
from tipline.takedown import service
from tipline.takedown.signals import dihedral

VECTORS = PDQ_VECTORS / "images"
PDQ_A = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"
SHA = "a" * 64
MD5 = "b" * 32


def _pdq_of(path: Path) -> str:
    hashed = hash_bytes(path.read_bytes(), max_bytes=50_000_000, max_pixels=100_000_000)
    assert hashed.pdq
    return hashed.pdq


def _vpdq(hashes: list[str]) -> str:
    return "\n".join(f"{i},100,{h},{i:.3f}" for i, h in enumerate(hashes))


def _open(http: httpx.Client, hashes: list[dict[str, str]], **extra: object) -> httpx.Response:
    body = {"hashes": hashes, "age_at_creation": "under_18", "lang": "en", **extra}
    return http.post("/api/v1/takedown/cases", json=body)


@pytest.fixture
def platform(database) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {make_org(database, 'platform').api_key}"}


def test_a_case_opens_from_hashes_and_gives_a_pin_once(http: httpx.Client) -> None:
    opened = _open(
        http, [{"type": "pdq", "value": PDQ_A.upper()}, {"type": "sha256", "value": SHA}]
    )
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert set(body) == {"case_id", "pin"}
    assert body["case_id"].startswith("TD-")
    assert len(body["pin"]) == service.PIN_DIGITS
    seen = http.get(
        f"/api/v1/takedown/cases/{body['case_id']}", headers={"X-Case-PIN": body["pin"]}
    )
    assert seen.status_code == 200
    status = seen.json()
    assert status["status"] == "open"
    assert status["hashes"] == 2
    assert status["images"] == 1
    assert status["platforms_matched"] == 0
    # The PIN is nowhere in what the server answers later.
    assert body["pin"] not in seen.text


@pytest.mark.parametrize(
    ("hashes", "code"),
    [
        ([{"type": "pdq", "value": PDQ_A[:-1]}], 400),
        ([{"type": "pdq", "value": "z" * 64}], 400),
        ([{"type": "md5", "value": SHA}], 400),
        ([{"type": "sha1", "value": "c" * 40}], 422),
        ([{"type": "vpdq", "value": "1,100,nothex,0"}], 400),
        ([], 422),
        (
            [
                {"type": "sha256", "value": f"{i:064x}"}
                for i in range(service.MAX_HASHES_PER_CASE + 1)
            ],
            422,
        ),
    ],
)
def test_anything_but_well_formed_hashes_is_refused(
    http: httpx.Client, hashes: list[dict[str, str]], code: int
) -> None:
    answer = _open(http, hashes)
    assert answer.status_code == code, answer.text
    assert "error" in answer.json()


def test_file_content_is_refused_in_any_field(http: httpx.Client) -> None:
    image = base64.b64encode((VECTORS / "bridge-mods" / "aaa-orig.jpg").read_bytes()).decode()
    for body in (
        {"hashes": [{"type": "pdq", "value": PDQ_A, "data": image}], "age_at_creation": "under_18"},
        {"hashes": [{"type": "pdq", "value": PDQ_A}], "age_at_creation": "under_18", "file": image},
        {"hashes": [{"type": "sha256", "value": image[:300_000]}], "age_at_creation": "under_18"},
    ):
        answer = http.post("/api/v1/takedown/cases", json=body)
        assert 400 <= answer.status_code < 500, answer.text
    multipart = http.post(
        "/api/v1/takedown/cases", files={"file": ("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100)}
    )
    assert 400 <= multipart.status_code < 500


def test_wrong_pins_lock_the_case(http: httpx.Client) -> None:
    body = _open(http, [{"type": "md5", "value": MD5}]).json()
    url = f"/api/v1/takedown/cases/{body['case_id']}"
    wrong = "0" * service.PIN_DIGITS if body["pin"] != "0" * service.PIN_DIGITS else "1" * 8
    for _ in range(service.PIN_ATTEMPTS):
        assert http.get(url, headers={"X-Case-PIN": wrong}).status_code == 404
    locked = http.get(url, headers={"X-Case-PIN": body["pin"]})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "case_locked"
    assert http.delete(url, headers={"X-Case-PIN": body["pin"]}).status_code == 429
    # An unknown case answers like a wrong PIN.
    assert (
        http.get("/api/v1/takedown/cases/TD-NOPE", headers={"X-Case-PIN": "1"}).status_code == 404
    )


def _sync(http: httpx.Client, headers: dict[str, str], cursor: str = "") -> tuple[list[dict], str]:
    changes: list[dict] = []
    while True:
        page = http.get(
            "/api/v1/hashlist/changes", params={"cursor": cursor, "limit": 2}, headers=headers
        )
        assert page.status_code == 200, page.text
        body = page.json()
        changes += body["changes"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return changes, cursor


def test_the_feed_carries_adds_then_tombstones_and_matching_stops(
    http: httpx.Client, platform: dict[str, str]
) -> None:
    image = VECTORS / "bridge-mods" / "aaa-orig.jpg"
    pdq = _pdq_of(image)
    other = f"{(int(pdq, 16) ^ (2**256 - 1)):064x}"  # every bit different
    case = _open(
        http,
        [
            {"type": "pdq", "value": pdq},
            {"type": "sha256", "value": SHA},
            {"type": "vpdq", "value": _vpdq([other, other, PDQ_A])},
        ],
    ).json()
    changes, cursor = _sync(http, platform)
    assert [c["action"] for c in changes] == ["add", "add", "add"]
    assert {c["case_id"] for c in changes} == {case["case_id"]}
    assert {c["signal_type"] for c in changes} == {"pdq", "sha256", "vpdq"}
    assert all(c["list"] == service.DEFAULT_LIST for c in changes)

    # A mirrored copy of the image matches through the query's transforms.
    with Image.open(image) as img:
        mirrored = np.asarray(img.convert("RGB"))[:, ::-1]

    bits, _ = pdqhash.compute(np.ascontiguousarray(mirrored))
    mirror_pdq = pdq_hex(bits)
    query = {
        "hashes": [
            {"type": "pdq", "value": mirror_pdq},
            {"type": "sha256", "value": SHA},
            {"type": "md5", "value": MD5},
            {"type": "vpdq", "value": _vpdq([other, PDQ_A])},
        ]
    }
    found = http.post("/api/v1/hashlist/match", json=query, headers=platform).json()["matches"]
    by_index = {m["index"]: m for m in found}
    assert by_index[0]["transform"] == "flipy"
    assert by_index[0]["distance"] <= 31
    assert by_index[0]["case_id"] == case["case_id"]
    assert by_index[1]["signal_type"] == "sha256"
    assert by_index[1]["distance"] == 0
    assert 2 not in by_index
    videos = [m for m in found if m["index"] == 3 and m["signal_type"] == "vpdq"]
    assert len(videos) == 1
    assert videos[0]["query_share"] == 1.0
    # Without transforms the mirror is too far.
    plain = http.post(
        "/api/v1/hashlist/match", json={**query, "transforms": False}, headers=platform
    ).json()["matches"]
    assert 0 not in {m["index"] for m in plain}

    withdrawn = http.delete(
        f"/api/v1/takedown/cases/{case['case_id']}", headers={"X-Case-PIN": case["pin"]}
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    tombstones, _ = _sync(http, platform, cursor)
    assert [c["action"] for c in tombstones] == ["remove", "remove", "remove"]
    assert {c["reason"] for c in tombstones} == {"withdrawn"}
    after = http.post("/api/v1/hashlist/match", json=query, headers=platform).json()
    assert after["matches"] == []


def test_feedback_counts_for_the_victim_and_false_positives_quarantine(
    http: httpx.Client,
    database,
    platform: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    case = _open(http, [{"type": "pdq", "value": PDQ_A}]).json()
    pin = {"X-Case-PIN": case["pin"]}
    (change,), cursor = _sync(http, platform)
    entry = change["entry_id"]
    sent = http.post(
        "/api/v1/hashlist/feedback",
        json={"feedback": [{"entry_id": entry, "outcome": "removed"}]},
        headers=platform,
    )
    assert sent.status_code == 202
    status = http.get(f"/api/v1/takedown/cases/{case['case_id']}", headers=pin).json()
    assert status["platforms_matched"] == 1
    assert status["platforms_removed"] == 1
    # The victim never learns which platform.
    assert "platform" not in str({k: v for k, v in status.items() if not k.startswith("platforms")})

    others = [
        {"Authorization": f"Bearer {make_org(database, 'platform', f'p{i}').api_key}"}
        for i in range(service.QUARANTINE_AFTER)
    ]
    for headers in others:
        http.post(
            "/api/v1/hashlist/feedback",
            json={"feedback": [{"entry_id": entry, "outcome": "false_positive"}]},
            headers=headers,
        )
    tombstones, _ = _sync(http, platform, cursor)
    assert [(c["action"], c["reason"]) for c in tombstones] == [("remove", "quarantined")]
    found = http.post(
        "/api/v1/hashlist/match",
        json={"hashes": [{"type": "pdq", "value": PDQ_A}]},
        headers=platform,
    ).json()
    assert found["matches"] == []


def test_feedback_for_an_unknown_entry_is_a_404(
    http: httpx.Client, platform: dict[str, str]
) -> None:
    answer = http.post(
        "/api/v1/hashlist/feedback",
        json={"feedback": [{"entry_id": 999999, "outcome": "matched"}]},
        headers=platform,
    )
    assert answer.status_code == 404


@pytest.mark.parametrize("cursor", ["abc", "-1", "9" * 30])
def test_a_bad_cursor_is_a_400(http: httpx.Client, platform: dict[str, str], cursor: str) -> None:
    answer = http.get("/api/v1/hashlist/changes", params={"cursor": cursor}, headers=platform)
    assert 400 <= answer.status_code < 500


def test_the_hash_list_needs_a_platform_key(http: httpx.Client) -> None:
    assert http.get("/api/v1/hashlist/changes").status_code == 401
    assert http.post("/api/v1/hashlist/match", json={"hashes": []}).status_code == 401


def test_dihedral_estimates_land_near_the_transformed_images_hash() -> None:
    # The reference's own rotated and flipped copies of one photo, named as ThreatExchange names
    # the transforms.
    dih = VECTORS / "reg-test-input" / "dih"
    names = {
        "bridge-2-rotate-90.jpg": "rotate90",
        "bridge-3-rotate-180.jpg": "rotate180",
        "bridge-4-rotate-270.jpg": "rotate270",
        "bridge-5-flipx.jpg": "flipx",
        "bridge-6-flipy.jpg": "flipy",
        "bridge-7-flip-plus-1.jpg": "flipplus1",
        "bridge-8-flip-minus-1.jpg": "flipminus1",
    }

    def pdq_of(path: Path) -> str:
        with Image.open(path) as img:
            return pdq_hex(pdqhash.compute(np.asarray(img.convert("RGB")))[0])

    estimates = dihedral(pdq_of(dih / "bridge-1-original.jpg"))
    for file_name, transform in names.items():
        truth = pdq_of(dih / file_name)
        assert hamming(truth, estimates[transform]) <= 16, file_name
        others = [v for k, v in estimates.items() if k != transform]
        assert min(hamming(truth, v) for v in others) > 64, file_name


def test_staff_release_a_quarantined_hash_back_onto_the_list(
    http: httpx.Client,
    client,
    database,
    platform: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:

    _open(http, [{"type": "pdq", "value": PDQ_A}, {"type": "md5", "value": MD5}])
    changes, cursor = _sync(http, platform)
    pdq_entry, md5_entry = (c["entry_id"] for c in changes)
    with database.session() as db_session:
        for entry_id in (pdq_entry, md5_entry):
            entry = service.get_entry(db_session, entry_id=entry_id)
            entry.false_positives = service.QUARANTINE_AFTER
            service.quarantine(db_session, entry=entry, actor="test")
    sign_in(client, make_user(database, "analyst"))
    page = client.get("/console/hashlist")
    assert page.status_code == 200
    assert page.text.count('name="decision" value="release"') == 2
    token = csrf(page)
    for entry_id, decision in ((pdq_entry, "release"), (md5_entry, "keep_off")):
        done = client.post(
            f"/console/hashlist/{entry_id}/review",
            data={"csrf_token": token, "decision": decision},
            follow_redirects=False,
        )
        assert done.status_code == 303
    again = client.post(
        f"/console/hashlist/{md5_entry}/review",
        data={"csrf_token": token, "decision": "release"},
        follow_redirects=False,
    )
    assert again.status_code == 400  # kept off is final
    feed, _ = _sync(http, platform, cursor)
    assert [(c["action"], c["reason"], c["entry_id"]) for c in feed] == [
        ("remove", "quarantined", pdq_entry),
        ("remove", "quarantined", md5_entry),
        ("add", "released", pdq_entry),
    ]
    assert "Nothing is quarantined." in client.get("/console/hashlist").text


def test_an_admin_sets_the_lists_threshold_and_platforms_follow_it(
    http: httpx.Client,
    client,
    database,
    platform: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    _open(http, [{"type": "pdq", "value": PDQ_A}])
    near = f"{int(PDQ_A, 16) ^ (2**20 - 1):064x}"  # 20 bits away
    query = {"hashes": [{"type": "pdq", "value": near}], "transforms": False}
    assert (
        len(http.post("/api/v1/hashlist/match", json=query, headers=platform).json()["matches"])
        == 1
    )
    sign_in(client, make_user(database, "admin"))
    token = csrf(client.get("/console/hashlist"))
    url = f"/console/hashlist/lists/{service.DEFAULT_LIST}"
    for bad in (
        {"pdq_threshold": "200", "vpdq_frame_share": "0.8"},
        {"pdq_threshold": "10", "vpdq_frame_share": "0"},
    ):
        refused = client.post(url, data={"csrf_token": token, **bad}, follow_redirects=False)
        assert refused.status_code == 400
    saved = client.post(
        url,
        data={"csrf_token": token, "pdq_threshold": "15", "vpdq_frame_share": "0.9"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert http.post("/api/v1/hashlist/match", json=query, headers=platform).json()["matches"] == []
    feed = http.get("/api/v1/hashlist/changes", headers=platform).json()
    assert feed["lists"][service.DEFAULT_LIST] == {"pdq_threshold": 15, "vpdq_frame_share": 0.9}
