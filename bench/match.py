"""Benchmark: the take-down matching index against faiss, exact range search at PDQ distance 31.

Stored hashes: half uniformly random, half in clusters (a centre and copies within 20 bits, as
re-encodings of one photo look). Queries: half are stored hashes with 0 to 31 bits flipped
(planted near-duplicates), half are fresh random hashes (the common case on a platform: no
match). Recall is measured against brute force over every stored hash; faiss IndexBinaryFlat
(brute force) and IndexBinaryMultiHash (16 tables, one flip) answer the same queries in the
same run. rss_mib is the index's own memory (arrays it holds), and the process's peak RSS.
Target (issue 6): recall 1.0; 10x faiss flat's qps at 10,000,000 hashes; index under 1 GiB.

Run: `make bench-match N=10000000 Q=2000` (prints one JSON line).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

import numpy as np

from tipline.takedown import kernels
from tipline.takedown.index import MatchIndex

THRESHOLD = 31


def stored_hashes(n: int, rng: np.random.Generator) -> np.ndarray:
    words = rng.integers(0, np.iinfo(np.uint64).max, size=(n, 4), dtype=np.uint64, endpoint=True)
    clustered = n // 2
    centres = words[: max(1, clustered // 20)].copy()
    pick = rng.integers(0, centres.shape[0], size=clustered)
    members = centres[pick]
    # Up to 20 random bits flipped per copy (a bit drawn twice flips back: close enough here,
    # and vectorised, where a loop over five million rows would take minutes).
    bits = rng.integers(0, 256, size=(clustered, 20))
    keep = np.arange(20)[None, :] < rng.integers(0, 21, size=clustered)[:, None]
    rows = np.broadcast_to(np.arange(clustered)[:, None], bits.shape)[keep]
    chosen = bits[keep]
    np.bitwise_xor.at(
        members, (rows, chosen // 64), np.left_shift(np.uint64(1), (chosen % 64).astype(np.uint64))
    )
    words[n - clustered :] = members
    return words


def flip_bits(words: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> None:
    for row, count in enumerate(counts):
        for bit in rng.choice(256, size=int(count), replace=False):
            words[row, bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)


def queries_for(stored: np.ndarray, q: int, rng: np.random.Generator) -> np.ndarray:
    planted = stored[rng.integers(0, stored.shape[0], size=q // 2)].copy()
    flip_bits(planted, np.arange(planted.shape[0]) % (THRESHOLD + 1), rng)
    fresh = rng.integers(0, np.iinfo(np.uint64).max, size=(q - q // 2, 4), dtype=np.uint64)
    return np.concatenate([planted, fresh])


def as_bytes(words: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(words.astype(">u8")).view(np.uint8).reshape(-1, 32)


def pairs_of_faiss(lims: np.ndarray, ids: np.ndarray) -> set[tuple[int, int]]:
    return {(q, int(i)) for q in range(len(lims) - 1) for i in ids[lims[q] : lims[q + 1]]}


def main() -> None:
    import faiss

    n = int(os.environ.get("N", "1000000"))
    q = int(os.environ.get("Q", "2000"))
    rng = np.random.default_rng(6)
    stored = stored_hashes(n, rng)
    queries = queries_for(stored, q, rng)

    # Compile the kernels before anything is timed.
    warm = MatchIndex()
    warm.bulk_load(stored[:1000])
    warm.search(queries[:10])

    start = time.perf_counter()
    index = MatchIndex()
    index.bulk_load(stored)
    build_s = time.perf_counter() - start
    index.search(queries[:10])
    start = time.perf_counter()
    found = index.search(queries, THRESHOLD)
    qps = q / (time.perf_counter() - start)
    ours = {(m.query, m.id) for m in found}

    rows, _, counts = kernels.brute_force(stored, n, queries, THRESHOLD, 256)
    truth = {(qi, int(rows[qi, k])) for qi in range(q) for k in range(min(int(counts[qi]), 256))}
    recall = len(ours & truth) / len(truth) if truth else 1.0
    exact = ours <= truth

    as_u8 = as_bytes(stored)
    q_u8 = as_bytes(queries)
    flat = faiss.IndexBinaryFlat(256)
    flat.add(as_u8)
    start = time.perf_counter()
    lims, _, ids = flat.range_search(q_u8, THRESHOLD + 1)  # faiss: distance < radius
    flat_qps = q / (time.perf_counter() - start)
    faiss_recall = len(pairs_of_faiss(lims, ids) & truth) / len(truth) if truth else 1.0
    del flat
    mih = faiss.IndexBinaryMultiHash(256, 16, 16)
    mih.nflip = 1
    mih.add(as_u8)
    start = time.perf_counter()
    lims, _, ids = mih.range_search(q_u8, THRESHOLD + 1)
    mih_qps = q / (time.perf_counter() - start)
    mih_recall = len(pairs_of_faiss(lims, ids) & truth) / len(truth) if truth else 1.0

    print(
        json.dumps(
            {
                "n_hashes": n,
                "queries": q,
                "qps": round(qps, 1),
                "recall": round(recall, 6),
                "false_matches": 0 if exact else len(ours - truth),
                "matches": len(truth),
                "build_s": round(build_s, 2),
                "rss_mib": round(index.nbytes / 2**20, 1),
                "bytes_per_hash": round(index.nbytes / n, 2),
                "bytes_per_hash_without_directory": round(
                    (index.nbytes - index.directory_nbytes) / n, 2
                ),
                "directory_mib": round(index.directory_nbytes / 2**20, 1),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "baseline": {
                    "faiss_flat_qps": round(flat_qps, 1),
                    "faiss_mih_qps": round(mih_qps, 1),
                    "faiss_flat_recall": round(faiss_recall, 6),
                    "faiss_mih_recall": round(mih_recall, 6),
                },
                "speedup_vs_flat": round(qps / flat_qps, 2),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
