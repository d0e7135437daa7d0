"""A platform's side end to end, over real HTTP and the real command line: a victim's case opens
from hashes of generated photos; the platform syncs and scans a folder of edited copies among
unrelated photos, finds the copies and nothing else, reports them; after the victim withdraws
and the platform syncs again, the same scan finds nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from accounts import make_org
from media import photo, webm
from tipline.evidence.hashing import hash_bytes

LIMITS = {"max_bytes": 10**8, "max_pixels": 10**8}


def _jpeg(img: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _watermarked(img: Image.Image) -> Image.Image:
    base = img.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rectangle((500, 440, 630, 470), fill=(255, 255, 255, 110))
    draw.text((508, 448), "sample.site", fill=(0, 0, 0, 200))
    return Image.alpha_composite(base, layer).convert("RGB")


def _edits(img: Image.Image) -> dict[str, bytes]:
    """The copies a platform sees of one photo."""
    recompressed = io.BytesIO(_jpeg(img, 35))
    return {
        "resized.jpg": _jpeg(img.resize((320, 240))),
        "recompressed.jpg": recompressed.getvalue(),
        "brightened.jpg": _jpeg(ImageEnhance.Brightness(img).enhance(1.2)),
        "greyscale.png": _png(ImageOps.grayscale(img)),
        "watermarked.jpg": _jpeg(_watermarked(img)),
        "rotated.jpg": _jpeg(img.rotate(90, expand=True)),
        "mirrored.webp": _webp(ImageOps.mirror(img)),
    }


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _webp(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "WEBP", quality=80)
    return buf.getvalue()


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TIPLINE_PLATFORM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "tipline", "platform", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, dict[str, bytes], set[str]]:
    """Victim photos 1 and 2 (kept apart), and a folder of their edits among 30 unrelated."""
    victims = {"one": photo(1), "two": photo(2)}
    root = tmp_path / "uploads"
    copies: set[str] = set()
    for name, img in victims.items():
        for edit, data in _edits(img).items():
            path = root / name / edit
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            copies.add(str(path))
    for seed in range(100, 130):
        (root / "other").mkdir(parents=True, exist_ok=True)
        (root / "other" / f"{seed}.jpg").write_bytes(_jpeg(photo(seed)))
    (root / "other" / "notes.bin").write_bytes(b"not an image at all")
    (root / "other" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    video = webm()
    (root / "clips").mkdir()
    (root / "clips" / "clip.webm").write_bytes(video)
    copies.add(str(root / "clips" / "clip.webm"))
    originals = {name: _jpeg(img) for name, img in victims.items()} | {"clip": video}
    return root, originals, copies


def test_sync_scan_report_withdraw_and_scan_again(
    http: httpx.Client,
    live_server: str,
    database,
    folder,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    root, originals, copies = folder
    hashes = []
    for data in originals.values():
        h = hash_bytes(data, **LIMITS)
        if h.pdq:
            hashes.append({"type": "pdq", "value": h.pdq})
        if h.vpdq:
            lines = [f"{f['frame']},{f['quality']},{f['pdq']},{f['ts']}" for f in h.vpdq]
            hashes.append({"type": "vpdq", "value": "\n".join(lines)})
        hashes += [{"type": "sha256", "value": h.sha256}, {"type": "md5", "value": h.md5}]
    opened = http.post(
        "/api/v1/takedown/cases", json={"hashes": hashes, "age_at_creation": "under_18"}
    )
    assert opened.status_code == 201
    case = opened.json()
    key = make_org(database, "platform").api_key
    home = tmp_path / "platform"
    common = ["--server", live_server, "--api-key", key]

    synced = _cli("sync", *common, "--json", home=home)
    assert synced.returncode == 0, synced.stderr
    assert _json_lines(synced.stdout)[0]["live"] == len(hashes)

    scanned = _cli("scan", str(root), *common, "--no-sync", "--json", "--report", home=home)
    assert scanned.returncode == 0, scanned.stderr
    found = _json_lines(scanned.stdout)
    assert {line["path"] for line in found} == copies
    assert {line["case_id"] for line in found} == {case["case_id"]}
    assert all(int(line["distance"]) <= 31 for line in found)  # type: ignore[call-overload]
    assert {line["signal_type"] for line in found} >= {"pdq", "vpdq"}
    rotated = [line for line in found if str(line["path"]).endswith("rotated.jpg")]
    assert {line["transform"] for line in rotated} <= {"rotate90", "rotate270"}

    # The report reached the victim's case as a count, without naming the platform.
    status = http.get(
        f"/api/v1/takedown/cases/{case['case_id']}", headers={"X-Case-PIN": case["pin"]}
    ).json()
    assert status["platforms_matched"] == 1

    withdrawn = http.delete(
        f"/api/v1/takedown/cases/{case['case_id']}", headers={"X-Case-PIN": case["pin"]}
    )
    assert withdrawn.status_code == 200
    again = _cli("scan", str(root), *common, "--json", home=home)  # syncs first
    assert again.returncode == 0, again.stderr
    assert _json_lines(again.stdout) == []


def test_cli_errors_are_one_line(live_server: str, tmp_path: Path) -> None:
    refused = _cli("sync", "--server", live_server, "--api-key", "nope", home=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "API key" in refused.stderr
    unreachable = _cli("sync", "--server", "http://127.0.0.1:9", "--api-key", "k", home=tmp_path)
    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith("error: could not reach the server")
    missing = _cli(
        "scan",
        str(tmp_path / "nowhere"),
        "--server",
        live_server,
        "--api-key",
        "k",
        "--no-sync",
        home=tmp_path,
    )
    assert missing.returncode == 2
    assert "not a file or a directory" in missing.stderr
