"""The second stage: one logistic regression per flag over hashed words and character n-grams,
trained by the project on its own corpus (data/detect/train.jsonl; scripts/train_detector.py)
and shipped as `weights.npz` beside this file. No model is fetched from anywhere.

Trained by full-batch Adam; its features include the message's ideas (concepts.py), which is
what lets it recognise a request or a threat in words it never saw together.

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

from tipline.detect import concepts
from tipline.detect.flags import FLAGS

DIMENSIONS = 1 << 16
WEIGHTS = Path(__file__).with_name("weights.npz")
# A flag the patterns did not see is raised by the model alone only when it is this sure (0.9
# let it raise a threat from "I know your gamer tag and your school"; 0.95 kept every distress
# it found on the held-out split).
PROPOSE_AT = 0.95


def features(
    norm: str, previous: str, *, from_suspect: bool, ideas: dict[str, str] | None = None
) -> np.ndarray:
    """Hashed indices: words, word pairs, character 4-grams, a few words of the message before,
    whether the sender is the one the first stage takes for the suspect, and the message's
    ideas (concepts.py) alone and in pairs, the part that carries over to words never seen."""
    if ideas is None:
        ideas = concepts.read(norm)
    words = norm.split()
    grams = [f"w:{w}" for w in words]
    grams += [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    padded = f" {norm} "
    grams += [f"c:{padded[i : i + 4]}" for i in range(max(0, len(padded) - 3))]
    grams += [f"p:{w}" for w in previous.split()[-6:]]
    grams.append(f"s:{int(from_suspect)}")
    grams += concepts.features(ideas)
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
    steps: int = 300,
    rate: float = 0.05,
    l2: float = 1e-6,
    positive_weight: float = 5.0,
) -> SecondStage:
    """Full-batch Adam on the logistic loss (deterministic: no sampling). A flag's positive
    messages count `positive_weight` times: each flag is rare among messages, and a missed sign
    costs more than a second look."""
    lengths = np.array([len(ix) for ix, _ in samples], dtype=np.int64)
    flat = np.concatenate([ix for ix, _ in samples])
    # Train only the rows that occur, then scatter them into the full table.
    used, compact = np.unique(flat, return_inverse=True)
    owner = np.repeat(np.arange(len(samples)), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    targets = np.array(
        [[1.0 if f in labels else 0.0 for f in FLAGS] for _, labels in samples], dtype=np.float64
    )
    scale = np.where(targets > 0, positive_weight, 1.0) / len(samples)
    prior = np.clip(targets.mean(axis=0), 1e-4, 0.5)
    weights = np.zeros((len(used), len(FLAGS)))
    bias = np.log(prior / (1 - prior))
    moments = [np.zeros_like(weights), np.zeros_like(weights)]
    bias_moments = [np.zeros_like(bias), np.zeros_like(bias)]
    for step in range(1, steps + 1):
        z = np.add.reduceat(weights[compact], starts, axis=0) + bias
        error = (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))) - targets) * scale
        grad_w = np.stack(
            [
                np.bincount(compact, weights=error[owner, j], minlength=len(used))
                for j in range(len(FLAGS))
            ],
            axis=1,
        )
        _adam(weights, grad_w + l2 * weights, moments, step, rate)
        _adam(bias, error.sum(axis=0), bias_moments, step, rate)
    table = np.zeros((DIMENSIONS, len(FLAGS)), dtype=np.float32)
    table[used] = weights
    return SecondStage(table, bias)


def _adam(
    param: np.ndarray, grad: np.ndarray, moments: list[np.ndarray], step: int, rate: float
) -> None:
    """One Adam update of `param` in place (the usual betas)."""
    beta1, beta2 = 0.9, 0.999
    first, second = moments
    first *= beta1
    first += (1 - beta1) * grad
    second *= beta2
    second += (1 - beta2) * grad * grad
    param -= rate * (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + 1e-8)


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
