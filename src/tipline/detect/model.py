"""The second stage: one logistic regression per flag over hashed words and character n-grams,
trained by the project on its own corpus (data/detect/train.jsonl; scripts/train_detector.py)
and shipped as `weights.npz` beside this file. No model is fetched from anywhere.

It runs only where the first stage sees risk: on a message that raised a proposal (to confirm or
drop it) and on the messages of a conversation that already shows a flag (to catch what the
patterns missed, in words close to those it was trained on).
"""

from __future__ import annotations

import itertools
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tipline.detect.flags import FLAGS

DIMENSIONS = 1 << 16
WEIGHTS = Path(__file__).with_name("weights.npz")
# A flag the patterns did not see is raised by the model alone only when it is this sure.
PROPOSE_AT = 0.9


def features(norm: str, previous: str, *, from_suspect: bool) -> np.ndarray:
    """Hashed indices: words, word pairs, character 4-grams, a few words of the message before,
    and whether the sender is the one the first stage takes for the suspect."""
    words = norm.split()
    grams = [f"w:{w}" for w in words]
    grams += [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    padded = f" {norm} "
    grams += [f"c:{padded[i : i + 4]}" for i in range(max(0, len(padded) - 3))]
    grams += [f"p:{w}" for w in previous.split()[-6:]]
    grams.append(f"s:{int(from_suspect)}")
    return np.unique(
        np.fromiter((zlib.crc32(g.encode()) % DIMENSIONS for g in grams), dtype=np.int64)
    )


class SecondStage:
    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights = weights.astype(np.float32)  # (DIMENSIONS, len(FLAGS))
        self.bias = bias.astype(np.float32)

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> SecondStage | None:
        if not path.exists():
            return None
        with np.load(path) as data:
            weights = np.zeros((DIMENSIONS, len(FLAGS)), dtype=np.float32)
            weights[data["rows"]] = data["values"].astype(np.float32)
            return cls(weights, data["bias"])

    def save(self, path: Path = WEIGHTS) -> None:
        # Only rows that carry weight: the file stays small enough to ship in the package.
        rows = np.flatnonzero(np.abs(self.weights).max(axis=1) > 1e-3)
        np.savez_compressed(
            path, rows=rows, values=self.weights[rows].astype(np.float16), bias=self.bias
        )

    def probabilities(self, indices: np.ndarray) -> np.ndarray:
        z = self.weights[indices].sum(axis=0) + self.bias
        return 1.0 / (1.0 + np.exp(-z))


@lru_cache(maxsize=1)
def default() -> SecondStage | None:
    return SecondStage.load()


def train(
    samples: list[tuple[np.ndarray, set[str]]],
    *,
    epochs: int = 8,
    rate: float = 0.2,
    l2: float = 1e-6,
    seed: int = 0,
) -> SecondStage:
    """Plain stochastic gradient descent on the logistic loss, one example at a time."""
    rng = np.random.default_rng(seed)
    weights = np.zeros((DIMENSIONS, len(FLAGS)), dtype=np.float32)
    bias = np.full(len(FLAGS), -3.0, dtype=np.float32)
    targets = [
        np.array([1.0 if f in labels else 0.0 for f in FLAGS], dtype=np.float32)
        for _, labels in samples
    ]
    order = np.arange(len(samples))
    for epoch in range(epochs):
        rng.shuffle(order)
        step = rate / (1 + epoch)
        for i in order:
            indices, _ = samples[i]
            z = weights[indices].sum(axis=0) + bias
            error = 1.0 / (1.0 + np.exp(-z)) - targets[i]
            weights[indices] -= step * (error + l2 * weights[indices])
            bias -= step * error
    return SecondStage(weights, bias)


def training_samples(rows: list[dict[str, Any]]) -> list[tuple[np.ndarray, set[str]]]:
    """One sample per message of labelled conversations, with the features the engine uses."""
    from tipline.detect.engine import ConversationState

    samples = []
    for row in rows:
        state = ConversationState(scorer=None)
        for message in row["messages"]:
            sender = str(message.get("sender", ""))
            previous = state.previous
            state.add(sender, str(message.get("text", "")))
            # The state keeps the message's normal form: the same text the engine reads.
            from_suspect = state.suspect is not None and state.suspect == sender
            samples.append(
                (
                    features(state.previous, previous, from_suspect=from_suspect),
                    set(message.get("flags", [])),
                )
            )
    return samples
