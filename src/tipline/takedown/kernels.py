"""The compiled inner loops of the PDQ matching index (numba, no C toolchain at install).

A PDQ hash is four 64-bit words. It is cut into eight 32-bit chunks; two hashes within distance
`threshold` differ in at most `threshold // 8` bits of at least one chunk (pigeonhole), so each
chunk has a table of the hashes sorted by that chunk (multi-index hashing, Norouzi et al.). A
table entry is 4 bytes: a 24-bit position in the segment and the 8 chunk bits just below the
bucket prefix, which rule out most of a bucket without touching the hash itself.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

CHUNKS = 8
TAG_BITS = 8
ID_BITS = 24
ID_MASK = (1 << ID_BITS) - 1


@njit(cache=True, inline="always")
def chunk_of(hashes: np.ndarray, row: int, table: int) -> np.uint32:
    word = hashes[row, table >> 1]
    if table & 1 == 0:
        return np.uint32(word >> np.uint64(32))
    return np.uint32(word & np.uint64(0xFFFFFFFF))


@njit(cache=True, inline="always")
def popcount64(x: np.uint64) -> int:
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True, inline="always")
def popcount32(x: np.uint32) -> int:
    # numba widens 32-bit arithmetic to 64 bits, so count in 64 bits outright.
    return popcount64(np.uint64(x))


@njit(cache=True, inline="always")
def distance(a: np.ndarray, i: int, b: np.ndarray, j: int) -> int:
    return (
        popcount64(a[i, 0] ^ b[j, 0])
        + popcount64(a[i, 1] ^ b[j, 1])
        + popcount64(a[i, 2] ^ b[j, 2])
        + popcount64(a[i, 3] ^ b[j, 3])
    )


@njit(cache=True)
def build_table(hashes: np.ndarray, table: int, prefix_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """One table: entries sorted by the chunk, and the start of each prefix bucket."""
    n = hashes.shape[0]
    keys = np.empty(n, dtype=np.uint64)
    for row in range(n):
        # Sort by chunk, then position: the position rides in the low bits of the sort key.
        keys[row] = (np.uint64(chunk_of(hashes, row, table)) << np.uint64(32)) | np.uint64(row)
    keys.sort()
    entries = np.empty(n, dtype=np.uint32)
    starts = np.zeros((1 << prefix_bits) + 1, dtype=np.uint32)
    shift = 32 - prefix_bits
    for k in range(n):
        chunk = np.uint32(keys[k] >> np.uint64(32))
        position = np.uint32(keys[k] & np.uint64(0xFFFFFFFF))
        tag = (chunk >> np.uint32(shift - TAG_BITS)) & np.uint32(0xFF)
        entries[k] = (tag << np.uint32(ID_BITS)) | position
        starts[(chunk >> np.uint32(shift)) + 1] += 1
    for bucket in range(1 << prefix_bits):
        starts[bucket + 1] += starts[bucket]
    return entries, starts


@njit(cache=True)
def _search_one(  # noqa: PLR0917 - numba kernels take arrays positionally
    hashes: np.ndarray,
    entries: np.ndarray,
    starts: np.ndarray,
    prefix_bits: int,
    masks: np.ndarray,
    mask_weights: np.ndarray,
    queries: np.ndarray,
    q: int,
    threshold: int,
    out_rows: np.ndarray,
    out_dist: np.ndarray,
) -> int:
    chunk_radius = threshold // CHUNKS
    shift = 32 - prefix_bits
    found = 0
    cap = out_rows.shape[0]
    for table in range(CHUNKS):
        qchunk = chunk_of(queries, q, table)
        qprefix = qchunk >> np.uint32(shift)
        qtag = (qchunk >> np.uint32(shift - TAG_BITS)) & np.uint32(0xFF)
        for m in range(masks.shape[0]):
            spare = chunk_radius - mask_weights[m]
            if spare < 0:
                break  # masks come lightest first
            bucket = qprefix ^ masks[m]
            for k in range(starts[table, bucket], starts[table, bucket + 1]):
                entry = entries[table, k]
                if popcount32((entry >> np.uint32(ID_BITS)) ^ qtag) > spare:
                    continue
                row = int(entry & np.uint32(ID_MASK))
                if popcount32(chunk_of(hashes, row, table) ^ qchunk) > chunk_radius:
                    continue
                d = distance(hashes, row, queries, q)
                if d > threshold:
                    continue
                # Report each hash once: from the first table whose chunk is close enough.
                first = True
                for earlier in range(table):
                    near = popcount32(
                        chunk_of(hashes, row, earlier) ^ chunk_of(queries, q, earlier)
                    )
                    if near <= chunk_radius:
                        first = False
                        break
                if not first:
                    continue
                if found < cap:
                    out_rows[found] = row
                    out_dist[found] = d
                found += 1
    return found


@njit(cache=True)
def _results(nq: int, cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per query: up to `cap` rows and distances, and how many there were in all."""
    rows = np.empty((nq, cap), dtype=np.int64)
    dists = np.empty((nq, cap), dtype=np.int16)
    counts = np.zeros(nq, dtype=np.int64)
    return rows, dists, counts


@njit(cache=True, parallel=True)
def search(  # noqa: PLR0917 - numba kernels take arrays positionally
    hashes: np.ndarray,
    entries: np.ndarray,
    starts: np.ndarray,
    prefix_bits: int,
    masks: np.ndarray,
    mask_weights: np.ndarray,
    queries: np.ndarray,
    threshold: int,
    cap: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every stored row within `threshold` of each query; counts over `cap` mean "run again"."""
    nq = queries.shape[0]
    rows, dists, counts = _results(nq, cap)
    for q in prange(nq):
        counts[q] = _search_one(
            hashes,
            entries,
            starts,
            prefix_bits,
            masks,
            mask_weights,
            queries,
            q,
            threshold,
            rows[q],
            dists[q],
        )
    return rows, dists, counts


@njit(cache=True, parallel=True)
def brute_force(
    hashes: np.ndarray, count: int, queries: np.ndarray, threshold: int, cap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same answer by measuring every row: for the small unsealed tail, and as a reference."""
    nq = queries.shape[0]
    rows, dists, counts = _results(nq, cap)
    for q in prange(nq):
        found = 0
        for row in range(count):
            d = distance(hashes, row, queries, q)
            if d <= threshold:
                if found < cap:
                    rows[q, found] = row
                    dists[q, found] = d
                found += 1
        counts[q] = found
    return rows, dists, counts
