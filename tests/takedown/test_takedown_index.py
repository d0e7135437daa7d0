"""The matching index against brute force: exact at every threshold, through adds, seals,
merges and tombstones interleaved with queries (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tipline.takedown.index import MatchIndex, hex_to_words, words_to_hex
from tipline.takedown.matching import Matcher, Query
from tipline.takedown.signals import SignalType

WORDS = st.lists(st.integers(0, 2**64 - 1), min_size=4, max_size=4)


def _brute(
    stored: dict[int, np.ndarray], query: np.ndarray, threshold: int
) -> set[tuple[int, int]]:
    out = set()
    for index_id, words in stored.items():
        d = sum(int(a ^ b).bit_count() for a, b in zip(words.tolist(), query.tolist(), strict=True))
        if d <= threshold:
            out.add((index_id, d))
    return out


def _near(base: list[int], flips: list[int]) -> np.ndarray:
    words = np.array(base, dtype=np.uint64)
    for bit in flips:
        words[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return words


# One step: add a hash near an earlier one (or fresh), remove one, or query near one.
STEP = st.one_of(
    st.tuples(st.just("add"), WORDS, st.lists(st.integers(0, 255), max_size=40)),
    st.tuples(st.just("remove"), st.integers(0, 10_000), st.just([])),
    st.tuples(st.just("query"), WORDS, st.lists(st.integers(0, 255), max_size=40)),
    st.tuples(st.just("seal"), st.just(0), st.just([])),
)


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(STEP, min_size=1, max_size=80),
    threshold=st.sampled_from([0, 7, 15, 31, 40]),
    near_existing=st.booleans(),
    background=st.booleans(),
)
def test_index_answers_exactly_what_brute_force_does(
    steps: list[tuple[str, object, list[int]]],
    threshold: int,
    near_existing: bool,
    background: bool,
) -> None:
    # A tiny tail: seals and merges happen all the time, in this thread or behind it.
    index = MatchIndex(tail_size=4, background_merges=background)
    try:
        _run_steps(index, steps, threshold, near_existing)
    finally:
        index.close()


def _run_steps(
    index: MatchIndex,
    steps: list[tuple[str, object, list[int]]],
    threshold: int,
    near_existing: bool,
) -> None:
    stored: dict[int, np.ndarray] = {}
    added: list[np.ndarray] = []
    for action, arg, flips in steps:
        if action == "seal":
            index.seal()
            continue
        if action == "remove":
            if added:
                victim = int(arg) % len(added)  # type: ignore[call-overload]
                index.remove([victim])
                stored.pop(victim, None)
            continue
        base = arg if not (near_existing and added) else added[len(added) // 2].tolist()
        words = _near(base, flips)  # type: ignore[arg-type]
        if action == "add":
            (new_id,) = index.add(words[None, :])
            assert new_id == len(added)
            stored[new_id] = words
            added.append(words)
        else:
            found = {(m.id, m.distance) for m in index.search(words[None, :], threshold)}
            assert found == _brute(stored, words, threshold)
    assert len(index) == len(stored)


@settings(max_examples=30, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=20))
def test_hex_round_trips(rows: list[list[int]]) -> None:
    words = np.array(rows, dtype=np.uint64)
    hexes = words_to_hex(words)
    assert all(len(h) == 64 for h in hexes)
    assert np.array_equal(hex_to_words(hexes), words)


def test_bulk_load_and_many_matches_per_query() -> None:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**63, size=(1, 4), dtype=np.uint64)
    # 300 copies within a few bits of one hash: more than a query's first result slots.
    copies = np.repeat(base, 300, axis=0)
    for row in range(300):
        copies[row, row % 4] ^= np.uint64(1) << np.uint64(row % 64)
    noise = rng.integers(0, 2**63, size=(5000, 4), dtype=np.uint64)
    index = MatchIndex()
    index.bulk_load(np.concatenate([noise, copies]))
    found = index.search(base, 31)
    assert sorted(m.id for m in found) == list(range(5000, 5300))
    assert all(m.distance <= 2 for m in found)


def test_segments_merge_as_they_grow() -> None:
    index = MatchIndex(tail_size=8)
    rng = np.random.default_rng(4)
    rows = rng.integers(0, 2**63, size=(200, 4), dtype=np.uint64)
    for row in rows:
        index.add(row[None, :])
    sizes = index.segment_sizes
    # Sizes fall from oldest to newest, so there are only about log2(n) of them.
    assert sizes == sorted(sizes, reverse=True)
    assert len(sizes) <= 5
    assert {m.id for m in index.search(rows[17:18], 0)} == {17}


# The matcher over a feed: adds, withdrawals and re-adds in one stream, queried in between.
FEED_STEP = st.tuples(
    st.sampled_from(["add", "remove", "query"]),
    st.integers(0, 11),  # which of twelve entries
    st.integers(0, 40),  # bits flipped for a query
)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(FEED_STEP, min_size=1, max_size=60), batch=st.integers(1, 7))
def test_matcher_follows_the_feed_exactly(steps: list[tuple[str, int, int]], batch: int) -> None:
    rng = np.random.default_rng(len(steps) * 31 + batch)
    hashes = [f"{int(rng.integers(0, 2**63)):016x}" * 4 for _ in range(12)]
    matcher = Matcher()
    live: set[int] = set()
    seq = 0
    queued: list[dict[str, object]] = []

    def change(action: str, entry: int) -> dict[str, object]:
        nonlocal seq
        seq += 1
        return {
            "seq": seq,
            "action": action,
            "entry_id": entry + 1,
            "signal_type": "pdq",
            "value": hashes[entry],
            "list": "l",
            "case_id": f"TD-{entry}",
            "added_at": "",
        }

    for action, entry, flips in steps:
        if action == "add" and entry not in live:
            queued.append(change("add", entry))
            live.add(entry)
        elif action == "remove" and entry in live:
            queued.append(change("remove", entry))
            live.discard(entry)
        elif action == "query":
            # Changes reach the matcher in pages of `batch`, as a sync would bring them.
            for start in range(0, len(queued), batch):
                matcher.apply(queued[start : start + batch])
            queued.clear()
            bits = rng.choice(256, size=flips, replace=False)
            value = int(hashes[entry], 16)
            for bit in bits:
                value ^= 1 << int(bit)
            query = f"{value:064x}"
            found = matcher.match([Query(SignalType.PDQ, query)], transforms=False)
            expected = {e + 1 for e in live if (int(hashes[e], 16) ^ value).bit_count() <= 31}
            assert {f.entry.entry_id for f in found} == expected


def test_background_merges_keep_every_answer_exact() -> None:
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 2**63, size=(600, 4), dtype=np.uint64)
    index = MatchIndex(tail_size=8, background_merges=True)
    for i, row in enumerate(rows):
        index.add(row[None, :])
        if i % 37 == 0:
            # Mid-merge or not, a search sees every hash added so far, once.
            probe = rows[[0, i]]
            found = sorted((m.query, m.id) for m in index.search(probe, 0))
            assert found == sorted({(0, 0), (1, i)})
    assert index.wait_for_merges()
    index.close()
    sizes = index.segment_sizes
    assert sizes == sorted(sizes, reverse=True)
    assert len(sizes) <= 8
    assert len(index) == 600
    for j in rng.choice(600, size=40, replace=False):
        assert [m.id for m in index.search(rows[j : j + 1], 0)] == [int(j)]
