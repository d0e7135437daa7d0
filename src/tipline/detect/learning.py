"""Training the learned detector (learned.py) on labelled conversations.

Samples are read by the detector's own `Detection.observe`, so the model learns on exactly what
it will read. A writer marks each flag at the first message that shows it, and later messages
that show it again carry no mark: so for each flag a message counts as a negative before its
first mark, a positive at it, and not at all after it (neither label would be true of it).

Calibration and operating points come from scores the model gave to conversations of writers it
was not trained on (each writer's file held out in turn), never from the scores it gives its own
training data, which are too sure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tipline.detect import learned
from tipline.detect.detector import Detection
from tipline.detect.flags import FLAGS
from tipline.detect.training import adam

N = len(FLAGS)
# One more output than flags: the gate, whether the conversation is one that shows any flag at
# all (learned.GATE): the setting a flag's words are said in, learned on every message.
OUTPUTS = N + 1


@dataclass
class Samples:
    """One row per message: its hashed features, its labels and mask per flag, its conversation."""

    indices: list[np.ndarray]
    targets: np.ndarray  # (messages, flags) 0/1
    mask: np.ndarray  # (messages, flags) 1 where the label is meant
    conversation: np.ndarray  # (messages,) the conversation's position in `rows`
    hard: np.ndarray  # (messages,) whether the conversation is a hard negative


def samples(rows: Sequence[dict[str, Any]], progress: Callable[[], None] | None = None) -> Samples:
    indices: list[np.ndarray] = []
    targets: list[list[float]] = []
    masks: list[list[float]] = []
    owner: list[int] = []
    hard: list[bool] = []
    for number, row in enumerate(rows):
        first = row["labels"]["flags"]
        risky = 1.0 if first else 0.0
        state = Detection(model=None)
        for index, message in enumerate(row["messages"]):
            state.add(str(message.get("sender", "")), str(message.get("text", "")))
            assert state.last_indices is not None  # noqa: S101 - observe() sets it
            assert state.last_setting is not None  # noqa: S101 - observe() sets it
            # Kept apart, not merged: the model sums the setting's weights on top of the
            # message's, so a gram in both counts twice here as it does at run time.
            indices.append(np.concatenate([state.last_indices, state.last_setting]))
            targets.append([1.0 if first.get(f) == index else 0.0 for f in FLAGS] + [risky])
            masks.append([0.0 if first.get(f, 10**6) < index else 1.0 for f in FLAGS] + [1.0])
            owner.append(number)
            hard.append(bool(row["labels"].get("hard_negative")))
        if progress is not None:
            progress()
    return Samples(
        indices,
        np.array(targets),
        np.array(masks),
        np.array(owner, dtype=np.int64),
        np.array(hard, dtype=bool),
    )


def subset(data: Samples, keep: np.ndarray) -> Samples:
    rows = np.flatnonzero(keep)
    return Samples(
        [data.indices[i] for i in rows],
        data.targets[rows],
        data.mask[rows],
        data.conversation[rows],
        data.hard[rows],
    )


def design(data: Samples) -> tuple[Any, np.ndarray]:
    """The messages as a sparse 0/1 matrix over the feature rows that occur, and those rows."""
    from scipy import sparse  # noqa: PLC0415 - training only: the server never imports it

    lengths = np.array([len(ix) for ix in data.indices], dtype=np.int64)
    flat = np.concatenate(data.indices)
    used, compact = np.unique(flat, return_inverse=True)
    pointers = np.concatenate([[0], np.cumsum(lengths)])
    matrix = sparse.csr_matrix(
        (np.ones(len(flat), dtype=np.float32), compact, pointers),
        shape=(len(data.indices), len(used)),
    )
    return matrix, used


def fit(
    data: Samples,
    *,
    steps: int = 300,
    rate: float = 0.05,
    l2: float = 1e-4,
    positive_weight: float = 8.0,
    hard_weight: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch Adam on the masked logistic loss (deterministic). Returns the full weight
    table (DIMENSIONS, flags) and the biases."""
    matrix, used = design(data)
    transposed = matrix.T.tocsr()
    targets = data.targets
    # A flag's first mark is rare among messages and a miss costs more than a second look; the
    # everyday talk that shares the words is what a platform cannot be flooded by.
    scale = np.where(targets > 0, positive_weight, 1.0) * data.mask / max(1, len(data.indices))
    scale *= np.where(data.hard, hard_weight, 1.0)[:, None]
    prior = np.clip((targets * data.mask).sum(0) / np.maximum(data.mask.sum(0), 1), 1e-4, 0.5)
    weights = np.zeros((len(used), targets.shape[1]), dtype=np.float32)
    bias = np.log(prior / (1 - prior))
    moments = [np.zeros_like(weights), np.zeros_like(weights)]
    bias_moments = [np.zeros_like(bias), np.zeros_like(bias)]
    for step in range(1, steps + 1):
        z = matrix @ weights + bias
        error = (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))) - targets) * scale
        grad = transposed @ error.astype(np.float32)
        adam(weights, grad + l2 * weights, moments, step, rate)
        adam(bias, error.sum(axis=0), bias_moments, step, rate)
    table = np.zeros((learned.DIMENSIONS, targets.shape[1]), dtype=np.float32)
    table[used] = weights
    return table, bias


def raw_scores(weights: np.ndarray, bias: np.ndarray, data: Samples) -> np.ndarray:
    return np.stack([weights[ix].sum(axis=0) + bias for ix in data.indices])


def platt(z: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """a, b so that sigmoid(a*z + b) is calibrated on (z, y) where mask: Newton's method on the
    log loss, with Platt's smoothed targets (a flag seen few times is not made certain)."""
    z, y = z[mask > 0], y[mask > 0]
    positives, negatives = y.sum(), len(y) - y.sum()
    t = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    a, b = 1.0, 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(a * z + b, -30, 30)))
        w = p * (1 - p) + 1e-9
        g = np.array([((p - t) * z).sum(), (p - t).sum()])
        h = np.array([[(w * z * z).sum(), (w * z).sum()], [(w * z).sum(), w.sum()]])
        step = np.linalg.solve(h + 1e-6 * np.eye(2), g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def conversation_peaks(probs: np.ndarray, data: Samples, conversations: int) -> np.ndarray:
    """The highest probability each conversation reached for each flag."""
    peaks = np.zeros((conversations, N))
    np.maximum.at(peaks, data.conversation, probs)
    return peaks


GRID = np.round(np.arange(0.05, 0.991, 0.01), 2)
# Each operating point: the share of hard negatives (everyday talk that shares the words) on
# which any flag may fire, at most. "recall" has no bound: each flag at its best F1.
BUDGETS = {"precision": 0.02, "balanced": 0.05, "recall": 1.0}
# Distress triggers crisis escalation: no operating point buys precision with it.
DISTRESS_RECALL = 0.95


def _f1(said: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = float((said & truth).sum())
    if not tp:
        return 0.0, 0.0
    precision, recall = tp / said.sum(), tp / truth.sum()
    return 2 * precision * recall / (precision + recall), recall


def operating_points(
    peaks: np.ndarray, truth: np.ndarray, hard: np.ndarray
) -> dict[str, np.ndarray]:
    """Per flag, a threshold on a conversation's peak probability, for each operating point.
    Start from each flag's best F1; then, while more of the hard negatives than the point's
    budget raise any flag, raise the threshold that silences the most hard-negative flags for
    the least F1 lost (never taking distress recall under DISTRESS_RECALL)."""
    positives = truth > 0
    best = np.full(N, 0.95)
    for j in range(N):
        if positives[:, j].any():
            best[j] = max(GRID, key=lambda t: (_f1(peaks[:, j] >= t, positives[:, j])[0], t))
    distress = FLAGS.index("victim_distress")
    points = {}
    for point, budget in BUDGETS.items():
        t = best.copy()
        while (peaks[hard] >= t).any(axis=1).mean() > budget:
            choice = None
            for j in range(N):
                higher = GRID[t[j] < GRID]
                if not len(higher):
                    continue
                fired = peaks[hard, j] >= t[j]
                if not fired.any():
                    continue
                # The next threshold that silences at least one hard negative.
                cut = next((u for u in higher if (peaks[hard, j] >= u).sum() < fired.sum()), None)
                if cut is None:
                    continue
                f1_now, _ = _f1(peaks[:, j] >= t[j], positives[:, j])
                f1_then, recall_then = _f1(peaks[:, j] >= cut, positives[:, j])
                if j == distress and recall_then < DISTRESS_RECALL:
                    continue
                silenced = fired.sum() - (peaks[hard, j] >= cut).sum()
                value = silenced / (f1_now - f1_then + 1e-3)
                if choice is None or value > choice[0]:
                    choice = (value, j, cut)
            if choice is None:
                break
            t[choice[1]] = choice[2]
        points[point] = t
    return points


def data_hash(texts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(hashlib.sha256(text.encode()).digest())
    return digest.hexdigest()
