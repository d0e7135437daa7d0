"""The second stage: one logistic regression per flag over hashed words and character n-grams,
trained by the project on its own corpus (data/detect/train.jsonl; training.py, run by
scripts/train_detector.py) and shipped as `weights.npz` beside this file. No model is fetched
from anywhere.

Trained by full-batch Adam; its features include the message's ideas (concepts.py), which is
what lets it recognise a request or a threat in words it never saw together.

It runs only where the first stage sees risk: on a message that raised a proposal (to confirm or
drop it) and on the messages of a conversation that already shows a flag (to catch what the
patterns missed, in words close to those it was trained on).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from tipline.detect.features import DIMENSIONS
from tipline.detect.flags import FLAGS

WEIGHTS = Path(__file__).with_name("weights.npz")
# A flag the patterns did not see is raised by the model alone only when it is this sure (0.9
# let it raise a threat from "I know your gamer tag and your school"; 0.95 kept every distress
# it found on the held-out split).
PROPOSE_AT = 0.95


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
