"""Training the second stage (model.py) on labelled conversations: the samples are read by the
engine's own first stage, so the model learns on exactly the text it will score.
scripts/train_detector.py runs it and writes weights.npz."""

from __future__ import annotations

from typing import Any

import numpy as np

from tipline.detect.engine import ConversationState
from tipline.detect.features import DIMENSIONS, features
from tipline.detect.flags import FLAGS
from tipline.detect.model import SecondStage


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
        adam(weights, grad_w + l2 * weights, moments, step, rate)
        adam(bias, error.sum(axis=0), bias_moments, step, rate)
    table = np.zeros((DIMENSIONS, len(FLAGS)), dtype=np.float32)
    table[used] = weights
    return SecondStage(table, bias)


def adam(
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
