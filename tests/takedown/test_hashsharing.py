"""NCMEC's Hash Sharing API served by tipline, driven by the client platforms run: PyPI's
threatexchange (its NCMEC hash API client and its exchange class) over real HTTP."""

from __future__ import annotations

import calendar
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
from lxml import etree
from threatexchange.exchanges.clients.ncmec.hash_api import (
    FeedbackType,
    FingerprintType,
    NCMECEntryUpdate,
    NCMECHashAPI,
)
from threatexchange.exchanges.impl.ncmec_api import (
    NCMECCheckpoint,
    NCMECCollabConfig,
    NCMECSignalExchangeAPI,
)
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from accounts import make_org, make_user, sign_in
from media import encode, mp4, photo
from tipline.audit.models import Event
from tipline.auth.service import OrganisationCredentials
from tipline.config import Settings
from tipline.db import Database
from tipline.evidence.hashing import hash_bytes
from tipline.takedown import service
from tipline.takedown.events import TakedownEvent
from tipline.takedown.models import HashEntry, HashFeedback

PAGE = 3
NS = "{https://hashsharing.ncmec.org/hashsharing/v2}"
# What the exchange asks up to: now minus this many seconds (ncmec_api.fetch_iter).
EXCHANGE_MARGIN = 5


@dataclass(frozen=True)
class Environment:
    """Stands in for the client's NCMECEnvironment: it reads only `.value`, the base URL."""

    value: str


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Small pages, so a handful of entries takes several (the client follows <next>).
    return settings.model_copy(update={"hashsharing_page_size": PAGE})


@pytest.fixture(autouse=True)
def utc_clock() -> Iterator[None]:
    """The client writes local time marked Z (hashsharing.py): run it as it must be run."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def _platform(database: Database, name: str = "Synthetic Platform") -> OrganisationCredentials:
    creds = make_org(database, "platform", name)
    assert creds.hashsharing_username
    assert creds.hashsharing_password
    assert creds.ispws_username is None
    return creds


def _client(live_server: str, creds: OrganisationCredentials) -> NCMECHashAPI:
    return NCMECHashAPI(
        creds.hashsharing_username or "",
        creds.hashsharing_password or "",
        Environment(f"{live_server}/hashsharing"),  # type: ignore[arg-type]
    )


def _exchange(live_server: str, creds: OrganisationCredentials) -> NCMECSignalExchangeAPI:
    collab = NCMECCollabConfig(
        name="tipline",
        environment=Environment(f"{live_server}/hashsharing"),  # type: ignore[arg-type]
    )
    return NCMECSignalExchangeAPI(
        collab, creds.hashsharing_username or "", creds.hashsharing_password or ""
    )


def _file_hashes(data: bytes) -> list[dict[str, str]]:
    """What a victim's browser sends for one file: the perceptual hash, SHA-256 and MD5."""
    hashed = hash_bytes(data, max_bytes=50_000_000, max_pixels=64_000_000)
    found = []
    if hashed.pdq:
        found.append({"type": "pdq", "value": hashed.pdq})
    if hashed.vpdq:
        frames = (f"{f['frame']},{f['quality']},{f['pdq']},{f['ts']}" for f in hashed.vpdq)
        found.append({"type": "vpdq", "value": "\n".join(frames)})
    return [
        *found,
        {"type": "sha256", "value": hashed.sha256},
        {"type": "md5", "value": hashed.md5},
    ]


def _open_case(http: httpx.Client, *files: bytes) -> dict[str, str]:
    hashes = [h for data in files for h in _file_hashes(data)]
    opened = http.post(
        "/api/v1/takedown/cases",
        json={"hashes": hashes, "age_at_creation": "under_18", "lang": "en"},
    )
    assert opened.status_code == 201, opened.text
    body: dict[str, str] = opened.json()
    return body


def _image(seed: int) -> bytes:
    return encode(photo(seed), "JPEG", quality=92)


def _reshared(seed: int) -> bytes:
    """The same picture as someone reshares it: smaller, and compressed again."""
    return encode(photo(seed).resize((480, 360)), "JPEG", quality=60)


def _sync(
    exchange: NCMECSignalExchangeAPI,
    state: dict[str, NCMECEntryUpdate],
    checkpoint: NCMECCheckpoint | None,
) -> tuple[NCMECCheckpoint | None, dict[str, NCMECEntryUpdate | None]]:
    """One fetch as HMA runs it: every delta merged into the platform's copy, in order."""
    seen: dict[str, NCMECEntryUpdate | None] = {}
    for delta in exchange.fetch_iter([PdqSignal, VideoMD5Signal], checkpoint):
        exchange.naive_fetch_merge(state, delta.updates)
        seen.update(delta.updates)
        checkpoint = delta.checkpoint
    return checkpoint, seen


def _signals(
    exchange: NCMECSignalExchangeAPI, state: dict[str, NCMECEntryUpdate]
) -> dict[Any, dict[str, Any]]:
    return exchange.naive_convert_to_signal_type(
        [PdqSignal, VideoMD5Signal], exchange.collab, state
    )


def _matches(signals: dict[Any, dict[str, Any]], data: bytes) -> list[Any]:
    """What a platform's HMA finds for an upload: its PDQ against the fetched PDQs."""
    index = PdqSignal.get_index_cls().build(signals.get(PdqSignal, {}).items())
    return list(index.query(PdqSignal.hash_from_bytes(data)))


def _past_the_margin() -> None:
    # The exchange never asks for the last few seconds, so what was just added is in the
    # window of a fetch only this long after.
    time.sleep(EXCHANGE_MARGIN + 1.5)


def _vote(client: NCMECHashAPI, entry_id: int, kind: FingerprintType, vote: FeedbackType) -> None:
    client.submit_feedback(1, str(entry_id), kind, vote)


def _entry_ids(database: Database, case_id: str, signal_type: str) -> list[int]:
    with database.session() as db_session:
        case = service.find_case(db_session, case_id=case_id)
        assert case is not None
        return [e.id for e in case.entries if e.signal_type == signal_type]


# The whole way: a platform's exchange follows the list --------------------------------------


@pytest.mark.slow
def test_the_exchange_follows_the_list_through_withdrawal_and_quarantine(
    http: httpx.Client, database: Database, live_server: str
) -> None:
    creds = _platform(database)
    exchange = _exchange(live_server, creds)
    victim_a = _open_case(http, _image(1))
    victim_b = _open_case(http, _image(2), mp4(seconds=2, fps=5))
    _past_the_margin()

    state: dict[str, NCMECEntryUpdate] = {}
    checkpoint, _ = _sync(exchange, state, None)
    signals = _signals(exchange, state)
    # Each image's PDQ, and every file's MD5 as a video's; nothing of SHA-256 or vPDQ.
    assert len(signals[PdqSignal]) == 2
    assert len(signals[VideoMD5Signal]) == 3
    assert all(update.member_id == 1 for update in state.values())
    # The platform's own hasher on a reshared copy: it matches what was fetched, within
    # threatexchange's PDQ threshold; a picture no victim sent matches nothing.
    (match_a,) = _matches(signals, _reshared(1))
    assert match_a.similarity_info.distance <= PdqSignal.get_index_cls().get_match_threshold()
    assert _matches(signals, _reshared(2))
    assert _matches(signals, _reshared(3)) == []

    # Victim A withdraws; three platforms vote B's image down, which quarantines it.
    withdrawn = http.delete(
        f"/api/v1/takedown/cases/{victim_a['case_id']}", headers={"X-Case-PIN": victim_a["pin"]}
    )
    assert withdrawn.status_code == 200
    (b_image,) = _entry_ids(database, victim_b["case_id"], "pdq")
    for n in range(service.QUARANTINE_AFTER):
        voter = _client(live_server, _platform(database, f"Voting Platform {n}"))
        _vote(voter, b_image, FingerprintType.pdq, FeedbackType.downvote)
    _past_the_margin()

    checkpoint, seen = _sync(exchange, state, checkpoint)
    tombstones = {key for key, update in seen.items() if update is not None and update.deleted}
    withdrawn_ids = _entry_ids(database, victim_a["case_id"], "pdq") + _entry_ids(
        database, victim_a["case_id"], "md5"
    )
    assert tombstones == {f"1-{i}" for i in [*withdrawn_ids, b_image]}
    signals = _signals(exchange, state)
    assert _matches(signals, _reshared(1)) == []
    assert _matches(signals, _reshared(2)) == []
    # B's video and the MD5s of B's files are still on the list.
    assert len(signals[VideoMD5Signal]) == 2
    assert checkpoint is not None


# The client, call by call -------------------------------------------------------------------


def test_status_members_and_feedback_reasons(database: Database, live_server: str) -> None:
    creds = _platform(database)
    client = _client(live_server, creds)
    me = client.status()
    assert me.esp_name == "Synthetic Platform"
    members = {m.esp_id: m.esp_name for m in client.members()}
    assert members[1].startswith("tipline")
    assert members[me.esp_id] == "Synthetic Platform"
    assert len(members) == 2  # no other platform is named to a platform
    _platform(database, "Another Platform")
    assert len(client.members()) == 2
    for kind in (FingerprintType.pdq, FingerprintType.md5):
        (name,) = client.feedback_reasons(kind).values()
        assert "False positive" in name
    with pytest.raises(requests.HTTPError) as refused:
        client.feedback_reasons(FingerprintType.sha1)
    assert refused.value.response.status_code == 404


def test_the_client_pages_through_a_window(
    http: httpx.Client, database: Database, live_server: str
) -> None:
    cases = [_open_case(http, _image(seed)) for seed in range(1, 5)]
    client = _client(live_server, _platform(database))
    pages = list(client.get_entries_iter(start_timestamp=0))
    # Four images: a PDQ and an MD5 each, three to a page.
    assert [len(p.updates) for p in pages] == [3, 3, 2]
    for page in pages[:-1]:
        assert page.next.startswith("/v2/entries?from=1970-01-01T00%3A00%3A00.000Z&to=")
        assert page.get_next_info() is not None
    assert pages[-1].next == ""
    fetched = {u.id for p in pages for u in p.updates}
    expected = {
        str(i)
        for c in cases
        for kind in ("pdq", "md5")
        for i in _entry_ids(database, c["case_id"], kind)
    }
    assert fetched == expected
    kinds = {(u.entry_type.value, tuple(u.fingerprints)) for p in pages for u in p.updates}
    assert kinds == {("image", ("pdq",)), ("video", ("md5",))}


def test_windows_include_both_ends_and_take_both_forms_of_timestamp(
    http: httpx.Client, database: Database, live_server: str
) -> None:
    _open_case(http, _image(1))
    creds = _platform(database)
    auth = (creds.hashsharing_username or "", creds.hashsharing_password or "")

    def fetch(since: str, to: str) -> Any:
        answer = httpx.get(
            f"{live_server}/hashsharing/v2/entries", params={"from": since, "to": to}, auth=auth
        )
        assert answer.status_code == 200, answer.text
        return etree.fromstring(answer.content)

    def ids(since: str, to: str) -> list[str]:
        return sorted(e.text or "" for e in fetch(since, to).iter(f"{NS}id"))

    def shifted(stamp: str, seconds: int) -> str:
        when = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")) + seconds
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))

    root = fetch("1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z")
    everything = sorted(e.text or "" for e in root.iter(f"{NS}id"))
    assert len(everything) == 2
    # To the second and without milliseconds: the client parses maxTimestamp in exactly that form.
    newest = [section.get("maxTimestamp") for section in root]
    assert newest
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t or "") for t in newest)
    stamps = sorted(e.text or "" for e in root.iter(f"{NS}timestamp"))
    earliest, latest = stamps[0], stamps[-1]

    # Both ends are in the window, to the second; a second beyond either end is not.
    assert ids(earliest, latest) == everything
    assert ids(earliest, earliest)
    assert ids(latest, latest)
    assert ids("1970-01-01T00:00:00Z", shifted(earliest, -1)) == []
    assert ids(shifted(latest, 1), "2100-01-01T00:00:00Z") == []
    # NCMEC's own form, with milliseconds, reads the same (a fraction of a second is dropped).
    with_ms = ids(earliest.replace("Z", ".000Z"), latest.replace("Z", ".999Z"))
    assert with_ms == everything
    # The form the client itself writes, and the ends a client west or east of UTC may send.
    assert len(_client(live_server, creds).get_entries(start_timestamp=0).updates) == 2
    assert ids("1969-12-31T19:00:00Z", "2100-01-01T00:00:00Z") == everything
    assert ids("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z") == everything


def test_a_client_east_of_utc_misses_no_change(
    http: httpx.Client, database: Database, live_server: str
) -> None:
    """The client writes local time marked Z. East of UTC, a window would start hours after the
    last one ended, and what changed in between (a withdrawal too) would never arrive; the
    server reads such a window back in UTC."""
    client = _client(live_server, _platform(database))
    os.environ["TZ"] = "Asia/Kolkata"  # UTC+5:30 all year: a client in India
    time.tzset()
    try:
        first_end = int(time.time())
        before = client.get_entries(start_timestamp=0, end_timestamp=first_end)
        assert before.updates == []
        case = _open_case(http, _image(7))
        time.sleep(1.1)
        after = client.get_entries(start_timestamp=first_end, end_timestamp=int(time.time()))
        assert {u.id for u in after.updates} == {
            str(i) for kind in ("pdq", "md5") for i in _entry_ids(database, case["case_id"], kind)
        }
        withdrawn_from = int(time.time())
        gone = http.delete(
            f"/api/v1/takedown/cases/{case['case_id']}", headers={"X-Case-PIN": case["pin"]}
        )
        assert gone.status_code == 200
        time.sleep(1.1)
        later = client.get_entries(start_timestamp=withdrawn_from, end_timestamp=int(time.time()))
        assert {u.deleted for u in later.updates} == {True}
    finally:
        os.environ["TZ"] = "UTC"
        time.tzset()


def test_upvotes_and_downvotes_are_tipline_feedback(
    http: httpx.Client, client: Any, database: Database, live_server: str
) -> None:
    victim = _open_case(http, _image(1))
    (image,) = _entry_ids(database, victim["case_id"], "pdq")
    (md5,) = _entry_ids(database, victim["case_id"], "md5")
    first = _client(live_server, _platform(database, "First Platform"))
    second = _client(live_server, _platform(database, "Second Platform"))
    first.submit_upvote(1, str(image), FingerprintType.pdq)
    first.submit_upvote(1, str(image), FingerprintType.pdq)  # the same vote again
    second.submit_feedback(1, str(md5), FingerprintType.md5, FeedbackType.downvote)

    # The victim sees that a platform matched the image, and never which.
    status = http.get(
        f"/api/v1/takedown/cases/{victim['case_id']}", headers={"X-Case-PIN": victim["pin"]}
    ).json()
    assert status["platforms_matched"] == 1
    # Staff see both outcomes on the hash list's page.
    sign_in(client, make_user(database, "analyst"))
    page = client.get("/console/hashlist").text
    feedback = page[page.index('id="hashlist-feedback"') :]
    assert "Matched</dt><dd>1<" in feedback
    assert "False positives</dt><dd>1<" in feedback
    with database.session() as db_session:
        rows = db_session.query(HashFeedback).order_by(HashFeedback.at).all()
        assert [(r.entry_id, r.outcome) for r in rows] == [
            (image, "matched"),
            (md5, "false_positive"),
        ]
        assert rows[1].note.startswith("False positive")
        assert db_session.get_one(HashEntry, md5).false_positives == 1
    events = [
        e
        for e in _audit(database)
        if e["action"] == TakedownEvent.FEEDBACK and e["data"].get("via") == "hashsharing"
    ]
    assert [e["data"]["outcomes"] for e in events] == [{"matched": 1}, {"false_positive": 1}]


def _audit(database: Database) -> list[dict[str, Any]]:
    with database.session() as db_session:
        return [
            {"action": e.action, "data": e.data}
            for e in db_session.query(Event).order_by(Event.seq).all()
        ]


# Refusals -----------------------------------------------------------------------------------


def test_a_wrong_login_is_a_401_that_asks_for_basic(database: Database, live_server: str) -> None:
    creds = _platform(database)
    wrong = NCMECHashAPI(
        creds.hashsharing_username or "",
        "not the password",
        Environment(f"{live_server}/hashsharing"),  # type: ignore[arg-type]
    )
    with pytest.raises(requests.HTTPError) as refused:
        wrong.status()
    assert refused.value.response.status_code == 401
    assert refused.value.response.headers["WWW-Authenticate"].startswith("Basic")
    esp = make_org(database, "esp")
    as_esp = httpx.get(
        f"{live_server}/hashsharing/v2/status",
        auth=(esp.ispws_username or "", esp.ispws_password or ""),
    )
    assert as_esp.status_code == 401


def _bad_requests(entry: int) -> list[tuple[str, str, dict[str, str] | None, bytes | None]]:
    affirmative = (
        b'<feedbackSubmission xmlns="https://hashsharing.ncmec.org/hashsharing/v2">'
        b"<affirmative/></feedbackSubmission>"
    )
    window = {"from": "2020-01-01T00:00:00Z", "to": "2020-01-02T00:00:00Z"}
    return [
        ("GET", "/v2/entries", {}, None),
        ("GET", "/v2/entries", {"from": "2020-01-01"}, None),
        ("GET", "/v2/entries", {"from": "2020-01-01T00:00:00", "to": "2020-01-01T00:00:00Z"}, None),
        (
            "GET",
            "/v2/entries",
            {"from": "2020-02-30T00:00:00Z", "to": "2020-03-01T00:00:00Z"},
            None,
        ),
        (
            "GET",
            "/v2/entries",
            {"from": "2020-01-02T00:00:00Z", "to": "2020-01-01T00:00:00Z"},
            None,
        ),
        ("GET", "/v2/entries", {**window, "size": "0"}, None),
        ("GET", "/v2/entries", {**window, "size": "-3"}, None),
        ("GET", "/v2/entries", {**window, "start": "x"}, None),
        ("GET", "/v2/entries", {**window, "max": "9" * 40}, None),
        ("GET", "/v2/feedback/NOPE/reasons", None, None),
        ("PUT", f"/v2/entries/1/{entry}/PDQ/feedback", None, b"not xml"),
        ("PUT", f"/v2/entries/1/{entry}/PDQ/feedback", None, b""),
        ("PUT", f"/v2/entries/1/{entry}/PDQ/feedback", None, b"<feedbackSubmission/>"),
        (
            "PUT",
            f"/v2/entries/1/{entry}/PDQ/feedback",
            None,
            b"<feedbackSubmission><negative/></feedbackSubmission>",
        ),
        (
            "PUT",
            f"/v2/entries/1/{entry}/PDQ/feedback",
            None,
            b"<feedbackSubmission><negative><reasonIds><guid>0</guid></reasonIds></negative>"
            b"</feedbackSubmission>",
        ),
        (
            "PUT",
            f"/v2/entries/1/{entry}/PDQ/feedback",
            None,
            b'<!DOCTYPE x [<!ENTITY a "b">]>'
            b"<feedbackSubmission><affirmative/></feedbackSubmission>",
        ),
        ("PUT", f"/v2/entries/1/{entry}/PDQ/feedback", None, b"<a>" * 30_000),
        ("PUT", f"/v2/entries/1/{entry}/MD5/feedback", None, affirmative),
        ("PUT", f"/v2/entries/7/{entry}/PDQ/feedback", None, affirmative),
        ("PUT", "/v2/entries/1/99999999/PDQ/feedback", None, affirmative),
        ("PUT", "/v2/entries/1/abc/PDQ/feedback", None, affirmative),
        ("PUT", f"/v2/entries/1/{entry}/SHA1/feedback", None, affirmative),
    ]


def test_bad_parameters_are_a_4xx_in_xml(
    http: httpx.Client, database: Database, live_server: str
) -> None:
    victim = _open_case(http, _image(1))
    (image,) = _entry_ids(database, victim["case_id"], "pdq")
    creds = _platform(database)
    auth = (creds.hashsharing_username or "", creds.hashsharing_password or "")
    for method, path, params, body in _bad_requests(image):
        answer = httpx.request(
            method,
            f"{live_server}/hashsharing{path}",
            params=params,
            content=body,
            auth=auth,
            headers={"Content-Type": "application/xml; charset=utf-8"},
        )
        where = f"{method} {path} {params} {body!r:.60}"
        assert 400 <= answer.status_code < 500, f"{where}: {answer.status_code} {answer.text}"
        error = etree.fromstring(answer.content)
        assert error.tag == f"{NS}error", where
        assert error.findtext(f"{NS}message"), where
    with database.session() as db_session:
        assert db_session.query(HashFeedback).count() == 0


# The login a platform is given --------------------------------------------------------------


def _tipline(*args: str) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "tipline", *args, "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, str] = json.loads(done.stdout)
    return result


def test_the_login_orgs_add_prints_works_until_it_is_replaced(
    settings: Settings, live_server: str
) -> None:
    added = _tipline("orgs", "add", "Synthetic Video Site", "--kind", "platform")
    assert "ispws_username" not in added
    first = OrganisationCredentials(
        organisation=None,  # type: ignore[arg-type]
        hashsharing_username=added["hashsharing_username"],
        hashsharing_password=added["hashsharing_password"],
    )
    assert _client(live_server, first).status().esp_name == "Synthetic Video Site"
    renewed = _tipline("orgs", "new-login", "Synthetic Video Site")
    assert renewed["hashsharing_username"] == added["hashsharing_username"]
    second = OrganisationCredentials(
        organisation=None,  # type: ignore[arg-type]
        hashsharing_username=renewed["hashsharing_username"],
        hashsharing_password=renewed["hashsharing_password"],
    )
    assert _client(live_server, second).status().esp_name == "Synthetic Video Site"
    with pytest.raises(requests.HTTPError) as refused:
        _client(live_server, first).status()
    assert refused.value.response.status_code == 401
