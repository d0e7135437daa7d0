"""tipline's python-threatexchange extension, as a platform runs it: the real `threatexchange` CLI
from PyPI, in its own process with its own home, fetches tipline's hash list over real HTTP,
matches a reshared copy of a victim's image, and after the victim withdraws and a new fetch,
matches nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from threatexchange.exchanges.fetch_state import SignalOpinion, SignalOpinionCategory
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from accounts import make_org
from media import encode, mp4, photo
from tipline.evidence.hashing import hash_bytes
from tipline.takedown import tx_extension
from tipline.takedown.tx_extension import (
    TiplineCollabConfig,
    TiplineCredentials,
    TiplineSignalExchangeAPI,
)

BIN = Path(sys.executable).parent
COLLAB = "tipline-take-it-down"
# The tipline list's name, which the CLI prints as the match's label.
LIST = "take-it-down"


@dataclass
class Platform:
    """A platform's machine: the CLI's state lives under its home (~/.threatexchange)."""

    home: Path
    env: dict[str, str]

    def tx(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(BIN / "threatexchange"), *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if ok:
            assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done

    def matches(self, content: str, path: Path) -> list[str]:
        return self.tx("match", content, str(path)).stdout.splitlines()


def _platform_home(tmp_path: Path) -> Platform:
    home = tmp_path / "platform"
    home.mkdir()
    # Only the venv's programs and the system's: nothing of the test's own environment (its
    # TIPLINE_HOME, its database) reaches the platform's side.
    env = {"HOME": str(home), "PATH": f"{BIN}:/usr/bin:/bin", "LANG": "C.UTF-8"}
    return Platform(home, env)


@pytest.fixture
def api_key(database) -> str:  # type: ignore[no-untyped-def]
    return make_org(database, "platform").api_key


@pytest.fixture
def platform(tmp_path: Path, live_server: str, api_key: str) -> Platform:
    """The extension added and a collaboration configured, as the README tells a platform."""
    machine = _platform_home(tmp_path)
    key_file = machine.home / ".tx_tipline_api_key"
    key_file.write_text(api_key + "\n")
    key_file.chmod(0o400)
    added = machine.tx("config", "extensions", "add", "tipline.takedown.tx_extension")
    assert "tipline - TiplineSignalExchangeAPI" in added.stdout
    machine.tx(
        "config", "collab", "edit", "tipline", COLLAB, "--create", "--server-url", live_server
    )
    return machine


def _image_hashes(data: bytes) -> list[dict[str, str]]:
    """What the take-it-down page sends for an image, made on the victim's device."""
    hashed = hash_bytes(data, max_bytes=50_000_000, max_pixels=100_000_000)
    assert hashed.pdq
    return [
        {"type": "pdq", "value": hashed.pdq},
        {"type": "sha256", "value": hashed.sha256},
        {"type": "md5", "value": hashed.md5},
    ]


def _video_hashes(data: bytes) -> list[dict[str, str]]:
    hashed = hash_bytes(data, max_bytes=50_000_000, max_pixels=100_000_000)
    assert hashed.vpdq
    frames = "\n".join(f"{f['frame']},{f['quality']},{f['pdq']},{f['ts']}" for f in hashed.vpdq)
    return [
        {"type": "vpdq", "value": frames},
        {"type": "sha256", "value": hashed.sha256},
        {"type": "md5", "value": hashed.md5},
    ]


def _open_case(http: httpx.Client, hashes: list[dict[str, str]]) -> dict[str, str]:
    body = {"hashes": hashes, "age_at_creation": "under_18", "lang": "en"}
    opened = http.post("/api/v1/takedown/cases", json=body)
    assert opened.status_code == 201, opened.text
    return dict(opened.json())


def _withdraw(http: httpx.Client, case: dict[str, str]) -> None:
    withdrawn = http.delete(
        f"/api/v1/takedown/cases/{case['case_id']}", headers={"X-Case-PIN": case["pin"]}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"


def _other_victims(http: httpx.Client) -> None:
    """Other people's cases, on the list throughout. Two images, not one: a threatexchange PDQ
    index loaded from disk with a single hash in it never matches (facebook/ThreatExchange#1318,
    open; HMA too), and a list that small would test the library's bug, not the extension."""
    _open_case(http, _image_hashes(encode(photo(2), "PNG")))
    _open_case(http, _image_hashes(encode(photo(8), "PNG")))


def _reshared(seed: int, path: Path) -> Path:
    """The victim's image as it turns up on a platform: scaled down and recompressed."""
    path.write_bytes(encode(photo(seed).resize((480, 360)), "JPEG", quality=70))
    return path


def test_fetch_match_then_withdrawal_stops_the_match(
    http: httpx.Client, platform: Platform, api_key: str, tmp_path: Path
) -> None:
    clip = mp4()
    victim = _open_case(http, _image_hashes(encode(photo(1), "PNG")) + _video_hashes(clip))
    _other_victims(http)
    reshared = _reshared(1, tmp_path / "reshared.jpg")
    other = _reshared(2, tmp_path / "other.jpg")
    unrelated = _reshared(3, tmp_path / "unrelated.jpg")
    video = tmp_path / "clip.mp4"
    video.write_bytes(clip)

    platform.tx("fetch")
    [hit] = platform.matches("photo", reshared)
    signal, distance, collab, *opinion = hit.split()
    assert (signal, collab) == ("pdq", f"({COLLAB})")
    assert 0 < int(distance) <= 31  # a near copy, not the same file
    assert opinion == ["INVESTIGATION_SEED", LIST]
    assert platform.matches("photo", unrelated) == []
    [video_hit] = platform.matches("video", video)
    assert video_hit.startswith("video_md5 ")
    assert f"({COLLAB})" in video_hit

    # The key is in the credential file only: none of the CLI's stored state holds it.
    state = platform.home / ".threatexchange"
    for stored in state.rglob("*"):
        if stored.is_file():
            assert api_key.encode() not in stored.read_bytes(), stored
    config = json.loads((state / "collab_configs" / f"{COLLAB}.json").read_text())
    assert config["server_url"] == str(http.base_url).rstrip("/")

    _withdraw(http, victim)
    platform.tx("fetch")
    assert platform.matches("photo", reshared) == []
    assert platform.matches("video", video) == []
    # The list itself is still there: the other victim's image still matches.
    assert len(platform.matches("photo", other)) == 1


def test_a_platform_label_counts_as_a_match_for_the_victim(
    http: httpx.Client, platform: Platform, tmp_path: Path
) -> None:
    case = _open_case(http, _image_hashes(encode(photo(4), "PNG")))
    _other_victims(http)
    reshared = _reshared(4, tmp_path / "reshared.jpg")
    platform.tx("fetch")
    assert len(platform.matches("photo", reshared)) == 1
    # The platform confirms the match from its own copy's hash.
    hashed = platform.tx("hash", "photo", str(reshared)).stdout.split()
    assert hashed[0] == "pdq"
    hash_file = tmp_path / "match.pdq"
    hash_file.write_text(hashed[1] + "\n")
    platform.tx("label", "-H", "pdq", COLLAB, "photo", str(hash_file))

    status = http.get(
        f"/api/v1/takedown/cases/{case['case_id']}", headers={"X-Case-PIN": case["pin"]}
    ).json()
    assert status["platforms_matched"] == 1


def test_a_wrong_or_missing_key_fetches_nothing(tmp_path: Path, live_server: str) -> None:
    machine = _platform_home(tmp_path)
    machine.tx("config", "extensions", "add", "tipline.takedown.tx_extension")
    machine.tx(
        "config", "collab", "edit", "tipline", COLLAB, "--create", "--server-url", live_server
    )

    missing = machine.tx("fetch", ok=False)
    assert missing.returncode != 0
    assert "TX_TIPLINE_API_KEY" in missing.stderr
    assert "~/.tx_tipline_api_key" in missing.stderr

    machine.env["TX_TIPLINE_API_KEY"] = "tpl_nope_not-a-real-key"
    refused = machine.tx("fetch", ok=False)
    assert refused.returncode != 0
    assert "failed to fetch" in refused.stderr
    assert not list((machine.home / ".threatexchange" / "index").iterdir())


def test_the_key_never_travels_over_plain_http_to_another_host(tmp_path: Path) -> None:
    machine = _platform_home(tmp_path)
    machine.tx("config", "extensions", "add", "tipline.takedown.tx_extension")
    refused = machine.tx(
        "config", "collab", "edit", "tipline", COLLAB, "--create",
        "--server-url", "http://tipline.example.org",
        ok=False,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "https://" in refused.stderr
    assert not (machine.home / ".threatexchange" / "collab_configs" / f"{COLLAB}.json").exists()


def test_the_extension_imports_nothing_of_the_server(tmp_path: Path) -> None:
    """A platform's fetcher loads only the extension, threatexchange and requests."""
    probe = (
        "import sys, tipline.takedown.tx_extension;"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tipline', 'sqlalchemy', 'fastapi', 'pydantic', 'httpx'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe],
        env=_platform_home(tmp_path).env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert loaded == ["tipline", "tipline.takedown", "tipline.takedown.tx_extension"]


# The class itself, as HMA drives it (it constructs the exchange with stored credentials) --------


def _exchange(live_server: str, api_key: str) -> TiplineSignalExchangeAPI:
    collab = TiplineCollabConfig(name=COLLAB, server_url=live_server + "/")
    return TiplineSignalExchangeAPI.for_collab(collab, TiplineCredentials(api_key))


def _fetch(
    exchange: TiplineSignalExchangeAPI,
    held: dict[int, tx_extension.TiplineHashEntry],
    checkpoint: tx_extension.TiplineCheckpoint | None,
) -> tuple[int, tx_extension.TiplineCheckpoint | None]:
    pages = 0
    for delta in exchange.fetch_iter([PdqSignal, VideoMD5Signal], checkpoint):
        TiplineSignalExchangeAPI.naive_fetch_merge(held, delta.updates)
        checkpoint = delta.checkpoint
        pages += 1
    return pages, checkpoint


def test_paging_resumes_from_the_cursor_and_a_shared_hash_survives_one_withdrawal(
    http: httpx.Client, live_server: str, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tx_extension, "PAGE_SIZE", 2)
    image = _image_hashes(encode(photo(5), "PNG"))
    # The same image listed twice (two cases), and a video by its MD5.
    first = _open_case(http, image)
    second = _open_case(http, image)
    video = _video_hashes(mp4())
    _open_case(http, video)
    exchange = _exchange(live_server, api_key)
    held: dict[int, tx_extension.TiplineHashEntry] = {}

    pages, checkpoint = _fetch(exchange, held, None)
    assert pages == 5  # nine changes, two a page, and the short last page says so
    assert checkpoint is not None
    assert checkpoint.get_progress_timestamp()
    signals = TiplineSignalExchangeAPI.naive_convert_to_signal_type(
        [PdqSignal, VideoMD5Signal], exchange.collab, held
    )
    [(pdq, listed)] = signals[PdqSignal].items()
    assert pdq == image[0]["value"]
    assert len(listed.entries) == 2
    # Every MD5 (the images' and the video's) is a video_md5: the feed does not say which file
    # was a video, and an image's MD5 can never match a video.
    assert set(signals[VideoMD5Signal]) == {image[2]["value"], video[2]["value"]}

    # Nothing new: one empty page, the cursor unchanged.
    assert _fetch(exchange, held, checkpoint) == (1, checkpoint)

    _withdraw(http, first)
    _, checkpoint = _fetch(exchange, held, checkpoint)
    signals = TiplineSignalExchangeAPI.naive_convert_to_signal_type(
        [PdqSignal], exchange.collab, held
    )
    assert len(signals[PdqSignal][pdq].entries) == 1

    _withdraw(http, second)
    _fetch(exchange, held, checkpoint)
    signals = TiplineSignalExchangeAPI.naive_convert_to_signal_type(
        [PdqSignal, VideoMD5Signal], exchange.collab, held
    )
    assert PdqSignal not in signals
    assert set(signals[VideoMD5Signal]) == {video[2]["value"]}


def test_opinions_become_feedback_and_a_bad_key_is_refused(
    http: httpx.Client, live_server: str, api_key: str
) -> None:
    image = _image_hashes(encode(photo(6), "PNG"))
    case = _open_case(http, image)
    exchange = _exchange(live_server, api_key)
    negative = SignalOpinion(True, SignalOpinionCategory.NEGATIVE_CLASS, {"not the image"})
    exchange.report_opinion(PdqSignal, image[0]["value"], negative)
    seed = SignalOpinion(True, SignalOpinionCategory.INVESTIGATION_SEED, set())
    with pytest.raises(NotImplementedError):
        exchange.report_opinion(PdqSignal, image[0]["value"], seed)
    # A false positive is not a match the victim hears about.
    status = http.get(
        f"/api/v1/takedown/cases/{case['case_id']}", headers={"X-Case-PIN": case["pin"]}
    ).json()
    assert status["platforms_matched"] == 0

    positive = SignalOpinion(True, SignalOpinionCategory.POSITIVE_CLASS, set())
    exchange.report_opinion(VideoMD5Signal, image[2]["value"], positive)
    status = http.get(
        f"/api/v1/takedown/cases/{case['case_id']}", headers={"X-Case-PIN": case["pin"]}
    ).json()
    assert status["platforms_matched"] == 1

    refused = _exchange(live_server, "tpl_nope_not-a-real-key")
    with pytest.raises(tx_extension.auth.SignalExchangeAPIInvalidAuthException):
        next(refused.fetch_iter([PdqSignal], None))


def test_vpdq_where_the_library_has_it(
    http: httpx.Client, live_server: str, api_key: str, tmp_path: Path
) -> None:
    """threatexchange's vpdq extension needs the `vpdq` package; without it, vPDQ is left out."""
    vpdq = pytest.importorskip(
        "threatexchange.extensions.vpdq.vpdq", reason="the vpdq package is not installed"
    )
    clip = mp4()
    _open_case(http, _video_hashes(clip))
    exchange = _exchange(live_server, api_key)
    held: dict[int, tx_extension.TiplineHashEntry] = {}
    _fetch(exchange, held, None)
    signals = TiplineSignalExchangeAPI.naive_convert_to_signal_type(
        [vpdq.VPDQSignal], exchange.collab, held
    )
    [listed] = signals[vpdq.VPDQSignal]
    video = tmp_path / "clip.mp4"
    video.write_bytes(clip)
    assert vpdq.VPDQSignal.compare_hash(listed, vpdq.VPDQSignal.hash_from_file(video)).match
