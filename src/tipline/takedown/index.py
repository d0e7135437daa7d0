"""The matching index: every stored PDQ hash within the threshold of a query, exactly.

One index serves the match endpoint and the platform's local copy. Hashes are added to a small
unsealed tail (measured one by one, so an add is visible at once); a full tail is sealed into a
segment with eight chunk tables (see kernels.py), and segments of like size are merged, as a
log-structured store does, so no add ever waits for a full rebuild. Withdrawal is a tombstone,
applied at once; a withdrawn hash is never answered again.

Memory: 32 bytes for the hash and 8 x 4 bytes of table entries per hash, plus per segment
8 x 4 x 2**prefix_bits bytes of bucket starts: at most 64 MiB, however many hashes.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

import numpy as np

from tipline.takedown import kernels

# A segment addresses its rows with 24 bits.
MAX_SEGMENT = 1 << kernels.ID_BITS
TAIL_SEAL = 1 << 14
MAX_PREFIX_BITS = 21
DEFAULT_THRESHOLD = 31
# Per-query result slots before a query is run again with room for all of its matches.
RESULT_CAP = 64


def hex_to_words(values: list[str]) -> np.ndarray:
    """PDQ hex (64 digits) to rows of four big-endian 64-bit words."""
    raw = np.frombuffer(bytes.fromhex("".join(values)), dtype=">u8").reshape(-1, 4)
    return raw.astype(np.uint64)


def words_to_hex(words: np.ndarray) -> list[str]:
    data = np.ascontiguousarray(words, dtype=">u8").tobytes()
    return [data[i : i + 32].hex() for i in range(0, len(data), 32)]


def _prefix_bits(n: int) -> int:
    # Two to five rows to a bucket: fewer buckets mean longer scans and more
    # hashes read to rule out, more buckets mean more probes (bench/match.py measured 18 to 21).
    return max(4, min(MAX_PREFIX_BITS, int(n).bit_length() - 2))


def _masks(prefix_bits: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Every flip pattern of the bucket prefix up to `radius` bits, lightest first."""
    masks: list[int] = []
    weights: list[int] = []
    for weight in range(radius + 1):
        for bits in itertools.combinations(range(prefix_bits), weight):
            masks.append(sum(1 << b for b in bits))
            weights.append(weight)
    return np.array(masks, dtype=np.uint32), np.array(weights, dtype=np.int64)


@dataclass
class Segment:
    base: int  # the index id of row 0
    hashes: np.ndarray  # (n, 4) uint64
    entries: np.ndarray  # (8, n) uint32
    starts: np.ndarray  # (8, 2**prefix_bits + 1) uint32
    prefix_bits: int

    @classmethod
    def build(cls, base: int, hashes: np.ndarray) -> Segment:
        hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
        n = hashes.shape[0]
        if n > MAX_SEGMENT:
            raise ValueError("a segment holds at most 2**24 hashes")
        bits = _prefix_bits(n)
        entries = np.empty((kernels.CHUNKS, n), dtype=np.uint32)
        starts = np.empty((kernels.CHUNKS, (1 << bits) + 1), dtype=np.uint32)
        for table in range(kernels.CHUNKS):
            entries[table], starts[table] = kernels.build_table(hashes, table, bits)
        return cls(base, hashes, entries, starts, bits)

    @property
    def size(self) -> int:
        return int(self.hashes.shape[0])

    @property
    def nbytes(self) -> int:
        return int(self.hashes.nbytes + self.entries.nbytes + self.starts.nbytes)


def _merged(older: Segment, newer: Segment) -> Segment:
    return Segment.build(older.base, np.concatenate([older.hashes, newer.hashes]))


@dataclass(frozen=True)
class Match:
    query: int  # position of the query in the batch
    id: int  # index id of the stored hash
    distance: int


class MatchIndex:
    """Exact PDQ matching. Ids are given in add order, from 0; callers map them to entries."""

    def __init__(self, *, tail_size: int = TAIL_SEAL, background_merges: bool = False) -> None:
        self._segments: list[Segment] = []
        self._tail_size = tail_size
        self._tail = np.empty((tail_size, 4), dtype=np.uint64)
        self._tail_count = 0
        self._next_id = 0
        self._removed: set[int] = set()
        self._mask_cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        # Readers take a snapshot of the segment list; writers replace it whole.
        self._lock = threading.Lock()
        # With background merges, an add never waits for a rebuild: a long-running server
        # would otherwise stall an add for seconds when a merge reaches a large segment.
        self._background = background_merges
        self._merge_wanted = threading.Condition(self._lock)
        self._merging = False
        self._closed = False
        self._merger: threading.Thread | None = None

    def __len__(self) -> int:
        return self._next_id - len(self._removed)

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self._segments) + int(self._tail.nbytes)

    @property
    def directory_nbytes(self) -> int:
        """The bucket starts: fixed by each segment's prefix bits, not by its hashes."""
        return sum(int(s.starts.nbytes) for s in self._segments)

    def add(self, words: np.ndarray) -> range:
        """Add hashes (rows of four uint64); returns their ids."""
        words = np.asarray(words, dtype=np.uint64).reshape(-1, 4)
        with self._lock:
            first = self._next_id
            if words.shape[0] >= self._tail_size:
                # A batch as large as the tail goes straight into segments of its own.
                self._seal()
                self._append_segments(words)
                return range(first, self._next_id)
            done = 0
            while done < words.shape[0]:
                if self._tail_count == self._tail_size:
                    self._seal()
                take = min(self._tail_size - self._tail_count, words.shape[0] - done)
                self._tail[self._tail_count : self._tail_count + take] = words[done : done + take]
                self._tail_count += take
                self._next_id += take
                done += take
            return range(first, self._next_id)

    def remove(self, ids: list[int] | range) -> None:
        with self._lock:
            self._removed.update(i for i in ids if 0 <= i < self._next_id)

    def seal(self) -> None:
        """Move the tail into a segment now (a bulk load calls this once at the end)."""
        with self._lock:
            self._seal()

    def _seal(self) -> None:
        if not self._tail_count:
            return
        base = self._next_id - self._tail_count
        self._segments.append(Segment.build(base, self._tail[: self._tail_count].copy()))
        self._tail = np.empty((self._tail_size, 4), dtype=np.uint64)
        self._tail_count = 0
        self._merge()

    def _merge(self) -> None:
        if self._background:
            self._merging = True
            if self._merger is None:
                self._merger = threading.Thread(
                    target=self._merge_loop, name="match-index-merge", daemon=True
                )
                self._merger.start()
            self._merge_wanted.notify_all()
            return
        while (pair := self._merge_candidate()) is not None:
            older, newer = pair
            self._replace(older, newer, _merged(older, newer))

    def _merge_candidate(self) -> tuple[Segment, Segment] | None:
        # Merge a segment into the one before it once it is as large: sizes then grow
        # geometrically, and each hash is rebuilt about log2(n / TAIL_SEAL) times in all.
        segments = self._segments
        for i in range(len(segments) - 1, 0, -1):
            older, newer = segments[i - 1], segments[i]
            if newer.size >= older.size and older.size + newer.size <= MAX_SEGMENT:
                return older, newer
        return None

    def _replace(self, older: Segment, newer: Segment, merged: Segment) -> None:
        segments = list(self._segments)
        for i in range(len(segments) - 1):
            if segments[i] is older and segments[i + 1] is newer:
                segments[i : i + 2] = [merged]
                self._segments = segments
                return

    def _merge_loop(self) -> None:
        while True:
            with self._lock:
                pair = self._merge_candidate()
                while pair is None:
                    self._merging = False
                    self._merge_wanted.notify_all()
                    if self._closed:
                        return
                    self._merge_wanted.wait()
                    pair = self._merge_candidate()
            # Built outside the lock: adds and searches go on meanwhile.
            merged = _merged(*pair)
            with self._lock:
                self._replace(*pair, merged)

    def close(self) -> None:
        """Stop the background merger once it has nothing left to do."""
        with self._lock:
            self._closed = True
            self._merge_wanted.notify_all()
        if self._merger is not None:
            self._merger.join(timeout=60)

    def wait_for_merges(self, timeout: float = 60.0) -> bool:
        """Until the background merges have caught up (tests, benchmarks, shutdown)."""
        with self._lock:
            return self._merge_wanted.wait_for(
                lambda: not self._merging and self._merge_candidate() is None, timeout
            )

    def _append_segments(self, words: np.ndarray) -> None:
        words = np.ascontiguousarray(words)
        for start in range(0, words.shape[0], MAX_SEGMENT):
            part = words[start : start + MAX_SEGMENT]
            self._segments.append(Segment.build(self._next_id, part))
            self._next_id += part.shape[0]
        self._merge()

    @property
    def segment_sizes(self) -> list[int]:
        return [s.size for s in self._segments]

    def bulk_load(self, words: np.ndarray) -> range:
        """Load many hashes at once: built straight into segments, without the tail."""
        words = np.asarray(words, dtype=np.uint64).reshape(-1, 4)
        with self._lock:
            self._seal()
            first = self._next_id
            self._append_segments(words)
            return range(first, self._next_id)

    def _masks_for(self, prefix_bits: int, threshold: int) -> tuple[np.ndarray, np.ndarray]:
        key = (prefix_bits, threshold // kernels.CHUNKS)
        if key not in self._mask_cache:
            self._mask_cache[key] = _masks(*key)
        return self._mask_cache[key]

    def search(self, queries: np.ndarray, threshold: int = DEFAULT_THRESHOLD) -> list[Match]:
        """Every live stored hash within `threshold` of each query (rows of four uint64)."""
        queries = np.ascontiguousarray(np.asarray(queries, dtype=np.uint64).reshape(-1, 4))
        if not 0 <= threshold <= 256:
            raise ValueError("threshold must be between 0 and 256")
        with self._lock:
            segments = list(self._segments)
            tail = self._tail[: self._tail_count].copy()
            tail_base = self._next_id - self._tail_count
            removed = frozenset(self._removed)
        found: list[Match] = []
        if queries.shape[0] == 0:
            return found
        for segment in segments:
            masks, weights = self._masks_for(segment.prefix_bits, threshold)
            found.extend(
                self._collect(
                    lambda qs, cap, s=segment, m=masks, w=weights: kernels.search(
                        s.hashes, s.entries, s.starts, s.prefix_bits, m, w, qs, threshold, cap
                    ),
                    queries,
                    segment.base,
                )
            )
        if tail.shape[0]:
            found.extend(
                self._collect(
                    lambda qs, cap: kernels.brute_force(tail, tail.shape[0], qs, threshold, cap),
                    queries,
                    tail_base,
                )
            )
        return [m for m in found if m.id not in removed]

    @staticmethod
    def _collect(run, queries: np.ndarray, base: int) -> list[Match]:  # type: ignore[no-untyped-def]
        rows, dists, counts = run(queries, RESULT_CAP)
        out: list[Match] = []
        for q in np.flatnonzero(counts):
            count = int(counts[q])
            if count > RESULT_CAP:
                # Many near copies of one image: run this query alone with room for all.
                rows_q, dists_q, _ = run(queries[q : q + 1], count)
                pairs = zip(rows_q[0, :count], dists_q[0, :count], strict=True)
            else:
                pairs = zip(rows[q, :count], dists[q, :count], strict=True)
            out.extend(Match(int(q), base + int(r), int(d)) for r, d in pairs)
        return out
