"""What the second stage (model.py) reads of a message: hashed words, word pairs, character
n-grams, the message before, the sender's part, and the message's ideas (concepts.py).

Its own module so that the engine, the model and training share one definition, and none of
them imports another to get it."""

from __future__ import annotations

import itertools
import zlib

import numpy as np

from tipline.detect import concepts

DIMENSIONS = 1 << 16


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
