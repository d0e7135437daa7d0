"""One matcher over a hash list, fed by its change feed: the server's and the platform's.

The server feeds it from its own `hash_changes` table; a platform feeds it from the copy it keeps
with `tipline platform sync`. Both see the same records (`service.change_record`), so both answer
alike. PDQ and each distinct vPDQ frame live in the exact `MatchIndex`; SHA-256 and MD5 in a
dictionary.
"""

from __future__ import annotations

import sys
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tipline.takedown import signals
from tipline.takedown.index import DEFAULT_THRESHOLD, MatchIndex, hex_to_words
from tipline.takedown.signals import SignalType

DEFAULT_FRAME_SHARE = 0.8
# Hashes held before they go into the index in one batch (about 100 MiB of hex at most).
FLUSH_AT = 1 << 20


@dataclass(slots=True)
class Entry:
    entry_id: int
    signal_type: str
    list_name: str
    case_id: str | None
    added_at: str
    index_ids: range = field(default_factory=lambda: range(0))
    frames: int = 0
    exact: tuple[str, str] | None = None


@dataclass(frozen=True)
class Query:
    signal_type: SignalType
    value: str  # normalised (signals.normalise)
    # The PDQ of each rotation and flip, when the image itself was at hand (exact); otherwise
    # they are estimated from the hash (signals.dihedral).
    variants: tuple[tuple[str, str], ...] = ()


@dataclass
class Found:
    index: int  # which query
    entry: Entry
    distance: int
    transform: str = "original"
    query_share: float | None = None
    stored_share: float | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "entry_id": self.entry.entry_id,
            "signal_type": self.entry.signal_type,
            "list": self.entry.list_name,
            "case_id": self.entry.case_id,
            "added_at": self.entry.added_at,
            "distance": self.distance,
            "transform": self.transform,
        }
        if self.query_share is not None:
            out["query_share"] = round(self.query_share, 3)
            out["stored_share"] = round(self.stored_share or 0.0, 3)
        return out


class Matcher:
    def __init__(self, *, background_merges: bool = False) -> None:
        self.index = MatchIndex(background_merges=background_merges)
        self.cursor = 0
        self.lists: dict[str, dict[str, Any]] = {}
        self._entries: dict[int, Entry] = {}
        # index id -> entry id; grows with the index, one slot per indexed hash.
        self._owner = np.empty(0, dtype=np.int64)
        self._owner_count = 0
        self._exact: dict[tuple[str, str], set[int]] = defaultdict(set)
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._entries)

    def apply(self, changes: Iterable[dict[str, Any]], lists: dict[str, Any] | None = None) -> int:
        """Apply change records in feed order; returns how many were new.

        Adds are held and go into the index in large batches (a big list loads with few
        segment builds); an entry withdrawn before its batch went in is simply dropped.
        """
        applied = 0
        with self._lock:
            if lists:
                self.lists.update(lists)
            pending: dict[int, tuple[Entry, list[str]]] = {}
            held = 0
            for change in changes:
                if change["seq"] <= self.cursor:
                    continue
                entry_id = int(change["entry_id"])
                if change["action"] == "add":
                    added = self._entry_for(change)
                    if added is not None:
                        pending[entry_id] = added
                        held += len(added[1])
                        if held >= FLUSH_AT:
                            self._flush(pending)
                            held = 0
                elif pending.pop(entry_id, None) is not None:
                    self._entries.pop(entry_id, None)
                else:
                    self._remove(entry_id)
                self.cursor = int(change["seq"])
                applied += 1
            self._flush(pending)
        return applied

    def _entry_for(self, change: dict[str, Any]) -> tuple[Entry, list[str]] | None:
        entry_id = int(change["entry_id"])
        if entry_id in self._entries:
            return None
        kind = SignalType(change["signal_type"])
        # Interned: every hash of a case shares its case id and time, every entry its list.
        case_id = change.get("case_id")
        entry = Entry(
            entry_id,
            kind.value,
            sys.intern(str(change["list"])),
            sys.intern(case_id) if isinstance(case_id, str) else None,
            sys.intern(str(change.get("added_at", ""))),
        )
        self._entries[entry_id] = entry
        if kind in (SignalType.SHA256, SignalType.MD5):
            entry.exact = (kind.value, change["value"])
            self._exact[entry.exact].add(entry_id)
            return None
        if kind is SignalType.PDQ:
            hashes = [change["value"]]
        else:
            hashes = signals.distinct_frames(signals.parse_vpdq(change["value"]))
        entry.frames = len(hashes)
        return entry, hashes

    def _flush(self, pending: dict[int, tuple[Entry, list[str]]]) -> None:
        if not pending:
            return
        batch = list(pending.values())
        ids = self.index.add(hex_to_words([h for _, hashes in batch for h in hashes]))
        start = ids.start
        for entry, hashes in batch:
            entry.index_ids = range(start, start + len(hashes))
            self._own(entry.index_ids, entry.entry_id)
            start += len(hashes)
        pending.clear()

    def _own(self, ids: range, entry_id: int) -> None:
        needed = ids.stop
        if needed > self._owner.shape[0]:
            grown = np.empty(max(needed, 2 * self._owner.shape[0], 1024), dtype=np.int64)
            grown[: self._owner_count] = self._owner[: self._owner_count]
            self._owner = grown
        self._owner[ids.start : ids.stop] = entry_id
        self._owner_count = max(self._owner_count, needed)

    def _remove(self, entry_id: int) -> None:
        entry = self._entries.pop(entry_id, None)
        if entry is None:
            return
        if entry.index_ids:
            self.index.remove(entry.index_ids)
        if entry.exact is not None:
            holders = self._exact[entry.exact]
            holders.discard(entry_id)
            if not holders:
                del self._exact[entry.exact]

    def _threshold(self, entry: Entry) -> int:
        return int(self.lists.get(entry.list_name, {}).get("pdq_threshold", DEFAULT_THRESHOLD))

    def _share(self, entry: Entry) -> float:
        return float(
            self.lists.get(entry.list_name, {}).get("vpdq_frame_share", DEFAULT_FRAME_SHARE)
        )

    def _max_threshold(self) -> int:
        return max(
            [DEFAULT_THRESHOLD, *(int(v.get("pdq_threshold", 0)) for v in self.lists.values())]
        )

    def match(self, queries: list[Query], *, transforms: bool = True) -> list[Found]:
        """Every live entry each query matches: exact digests, PDQ within the list's threshold
        (and, with `transforms`, the query's rotations and flips), videos by shared frames."""
        # One at a time with changes being applied: the kernels use every core anyway.
        with self._lock:
            return self._match(queries, transforms=transforms)

    def _match(self, queries: list[Query], *, transforms: bool) -> list[Found]:
        found: list[Found] = []
        pdq_rows: list[str] = []
        pdq_meta: list[tuple[int, str]] = []  # (query index, transform)
        videos: list[tuple[int, list[str]]] = []
        for position, query in enumerate(queries):
            if query.signal_type in (SignalType.SHA256, SignalType.MD5):
                for entry_id in sorted(self._exact.get((query.signal_type.value, query.value), ())):
                    found.append(Found(position, self._entries[entry_id], 0))
            elif query.signal_type is SignalType.PDQ:
                variants = (
                    signals.dihedral(query.value) if transforms else {"original": query.value}
                )
                for name, value in variants.items():
                    pdq_rows.append(value)
                    pdq_meta.append((position, name))
            else:
                videos.append((position, signals.distinct_frames(signals.parse_vpdq(query.value))))
        found.extend(self._match_images(pdq_rows, pdq_meta))
        for position, frames in videos:
            found.extend(self._match_video(position, frames))
        return found

    def _search(self, rows: list[str]) -> list[tuple[int, int, int]]:
        """(row, entry id, distance) for every indexed hash near each row."""
        if not rows:
            return []
        hits = self.index.search(hex_to_words(rows), self._max_threshold())
        return [(m.query, int(self._owner[m.id]), m.distance) for m in hits]

    def _match_images(self, rows: list[str], meta: list[tuple[int, str]]) -> list[Found]:
        best: dict[tuple[int, int], Found] = {}
        for row, entry_id, distance in self._search(rows):
            entry = self._entries.get(entry_id)
            if entry is None or distance > self._threshold(entry):
                continue
            position, transform = meta[row]
            key = (position, entry_id)
            if key not in best or distance < best[key].distance:
                best[key] = Found(position, entry, distance, transform)
        return sorted(best.values(), key=lambda f: (f.index, f.distance, f.entry.entry_id))

    def _match_video(self, position: int, frames: list[str]) -> list[Found]:
        # Which query frames, and which stored frames, found a partner in each entry.
        query_hits: dict[int, set[int]] = defaultdict(set)
        stored_hits: dict[int, set[int]] = defaultdict(set)
        nearest: dict[int, int] = {}
        hits = self.index.search(hex_to_words(frames), self._max_threshold()) if frames else []
        for hit in hits:
            entry_id = int(self._owner[hit.id])
            entry = self._entries.get(entry_id)
            if entry is None or hit.distance > self._threshold(entry):
                continue
            query_hits[entry_id].add(hit.query)
            stored_hits[entry_id].add(hit.id)
            nearest[entry_id] = min(nearest.get(entry_id, 256), hit.distance)
        out = []
        for entry_id, matched in query_hits.items():
            entry = self._entries[entry_id]
            query_share = len(matched) / len(frames)
            stored_share = len(stored_hits[entry_id]) / max(entry.frames, 1)
            # A clip of a stored video, or a stored clip inside a longer upload, both count.
            if max(query_share, stored_share) >= self._share(entry):
                out.append(
                    Found(position, entry, nearest[entry_id], "original", query_share, stored_share)
                )
        return sorted(out, key=lambda f: (f.distance, f.entry.entry_id))
