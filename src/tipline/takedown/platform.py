"""A platform's side of take-down: a local copy of the hash list, kept in step with the server's
change feed, and a scan of local files against it (`tipline platform sync`, `platform scan`).

The copy is one SQLite file: the live entries and the cursor, written in one transaction per page
of the feed, so an interrupted sync resumes where it stopped and never leaves half a page.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pdqhash

from tipline.errors import BadInput, TiplineError, Unauthorized
from tipline.evidence import hashing
from tipline.takedown import signals
from tipline.takedown.matching import Matcher, Query
from tipline.takedown.signals import SignalType

PAGE = 5000
TIMEOUT = 30.0
SKIP_SUFFIXES = {".txt", ".json", ".csv", ".md", ".html", ".xml", ".log", ".db", ".sqlite3"}


class ServerError(TiplineError):
    status_code = 502
    code = "server"
    exit_code = 1


def default_store() -> Path:
    home = os.environ.get("TIPLINE_PLATFORM_HOME") or os.path.expanduser("~/.tipline-platform")
    return Path(home) / "hashlist.sqlite3"


class LocalCopy:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS entries (entry_id INTEGER PRIMARY KEY, record TEXT NOT NULL);
            """
        )

    def close(self) -> None:
        self.db.close()

    def _meta(self, key: str, default: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    @property
    def cursor(self) -> str:
        return self._meta("cursor", "")

    @property
    def lists(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self._meta("lists", "{}"))
        return loaded

    def check_server(self, server: str) -> None:
        """A copy follows one server: its cursor means nothing to another."""
        known = self._meta("server", "")
        if known and known != server:
            raise BadInput(
                f"{self.path} follows {known}; use another --store for {server}",
                code="other_server",
            )

    def apply_page(self, server: str, page: dict[str, Any]) -> tuple[int, int]:
        added = removed = 0
        with self.db:
            for change in page["changes"]:
                if change["action"] == "add":
                    self.db.execute(
                        "INSERT OR REPLACE INTO entries (entry_id, record) VALUES (?, ?)",
                        (change["entry_id"], json.dumps(change)),
                    )
                    added += 1
                else:
                    self.db.execute("DELETE FROM entries WHERE entry_id = ?", (change["entry_id"],))
                    removed += 1
            for key, value in (
                ("cursor", page["next_cursor"]),
                ("server", server),
                ("lists", json.dumps(page.get("lists", {}))),
            ):
                self.db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
                )
        return added, removed

    def live(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM entries").fetchone()[0])

    def matcher(self) -> Matcher:
        """The matching index over the live entries (each replayed as an add)."""
        matcher = Matcher()
        records = (
            json.loads(r[0])
            for r in self.db.execute("SELECT record FROM entries ORDER BY entry_id")
        )
        # Replay in entry order with a running sequence: the copy holds only what is live.
        matcher.apply(
            ({**record, "seq": i, "action": "add"} for i, record in enumerate(records, 1)),
            self.lists,
        )
        return matcher


def _client(server: str, api_key: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.rstrip("/"),
        headers={"Authorization": f"Bearer {api_key}", "User-Agent": "tipline-platform"},
        timeout=TIMEOUT,
    )


def _answer(response: httpx.Response) -> dict[str, Any]:
    if response.status_code in (401, 403):
        raise Unauthorized("the server refused the API key (is it a live platform key?)")
    if response.status_code >= 400:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:200]
        raise ServerError(f"the server answered {response.status_code}: {message}")
    body: dict[str, Any] = response.json()
    return body


def _request(call: Callable[[], httpx.Response]) -> dict[str, Any]:
    try:
        return _answer(call())
    except httpx.HTTPError as exc:
        raise ServerError(f"could not reach the server: {exc}") from None


@dataclass
class SyncResult:
    added: int
    removed: int
    live: int
    cursor: str


def sync(*, server: str, api_key: str, store: Path) -> SyncResult:
    copy = LocalCopy(store)
    try:
        copy.check_server(server)
        added = removed = 0
        with _client(server, api_key) as client:
            while True:
                cursor = copy.cursor
                page = _request(
                    lambda c=cursor: client.get(  # type: ignore[misc]
                        "/api/v1/hashlist/changes", params={"cursor": c, "limit": PAGE}
                    )
                )
                a, r = copy.apply_page(server, page)
                added, removed = added + a, removed + r
                if not page["has_more"]:
                    break
        return SyncResult(added, removed, copy.live(), copy.cursor)
    finally:
        copy.close()


# Scanning -----------------------------------------------------------------------------------


def media_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        raise BadInput(f"{root} is not a file or a directory", code="no_such_path")
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() not in SKIP_SUFFIXES:
            yield path


def hash_for_scan(path: str) -> dict[str, Any]:
    """Hashes of one file (run in a worker process): digests, PDQ of all eight rotations and
    flips for an image (computed from the pixels, exact), vPDQ for a video."""

    try:
        data = Path(path).read_bytes()
        media_type = hashing.sniff(data)
        sha256, md5 = hashing.digests(data)
        out: dict[str, Any] = {"path": path, "sha256": sha256, "md5": md5}
        if media_type in hashing.IMAGE_TYPES:
            img = hashing.decode_image(data, max_pixels=200_000_000)
            bits, quality = pdqhash.compute_dihedral(np.asarray(img))
            out["pdq"] = [hashing.pdq_hex(b) for b in bits]
            out["quality"] = int(quality)
        elif media_type in hashing.VIDEO_TYPES:
            frames = hashing.vpdq_of_video(data)
            out["vpdq"] = signals.format_vpdq(
                [signals.VpdqFrame(f["frame"], f["quality"], f["pdq"], f["ts"]) for f in frames]
            )
        return out
    except (OSError, TiplineError) as exc:
        return {"path": path, "error": getattr(exc, "message", None) or str(exc)}


def queries_for(hashed: dict[str, Any]) -> list[Query]:
    queries = [
        Query(SignalType.SHA256, hashed["sha256"]),
        Query(SignalType.MD5, hashed["md5"]),
    ]
    if "pdq" in hashed:
        variants = tuple(zip(signals.TRANSFORMS, hashed["pdq"], strict=True))
        queries.append(Query(SignalType.PDQ, hashed["pdq"][0], variants))
    if "vpdq" in hashed:
        queries.append(Query(SignalType.VPDQ, hashed["vpdq"]))
    return queries


def hashed_files(paths: list[Path], workers: int) -> Iterator[dict[str, Any]]:
    if workers <= 1 or len(paths) < 4:
        yield from (hash_for_scan(str(p)) for p in paths)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(hash_for_scan, [str(p) for p in paths], chunksize=4)


def scan_matches(matcher: Matcher, hashed: dict[str, Any]) -> list[dict[str, Any]]:
    """One line per matching entry for a file: the closest way it matched."""
    best: dict[int, dict[str, Any]] = {}
    for found in matcher.match(queries_for(hashed)):
        line = {
            "path": hashed["path"],
            "case_id": found.entry.case_id,
            "signal_type": found.entry.signal_type,
            "distance": found.distance,
            "entry_id": found.entry.entry_id,
            "transform": found.transform,
        }
        held = best.get(found.entry.entry_id)
        if held is None or found.distance < held["distance"]:
            best[found.entry.entry_id] = line
    return sorted(best.values(), key=lambda m: (m["distance"], m["entry_id"]))


def report_matches(*, server: str, api_key: str, matches: list[dict[str, Any]]) -> int:
    items = [
        {"entry_id": entry_id, "outcome": "matched"}
        for entry_id in sorted({m["entry_id"] for m in matches})
    ]
    sent = 0
    with _client(server, api_key) as client:
        for start in range(0, len(items), 1000):
            batch = items[start : start + 1000]
            _request(lambda b=batch: client.post("/api/v1/hashlist/feedback", json={"feedback": b}))  # type: ignore[misc]
            sent += len(batch)
    return sent
