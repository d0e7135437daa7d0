"""The learned detector (issue 23): one logistic model per flag over each message, read with the
conversation so far, calibrated, and deciding which flags a conversation shows.

What a message is, to the model (`grams`): its words, word pairs and character 4-grams after the
normaliser (robust to chat spelling), its ideas (concepts.py) alone and in pairs, a few words and
the ideas of the message before, who is speaking (the sender the patterns take for the suspect,
the one who spoke first, whether they spoke last too), how far into the conversation and into
the sender's own messages it is, and the patterns' verdicts as evidence: the flags the first
stage raised at this message and holds so far, and what it has seen of the context (adults,
a minor, a sexual context, someone holding the child's pictures, a benign setting, a speaker
explaining the red flags).

Each flag's raw score goes through its own Platt calibration (fitted on scores the model gave to
writers it was not trained on), so a score is a probability a platform can set an operating point
on; a flag is raised at the first message whose probability reaches the flag's threshold (chosen
the same way). Trained by scripts/train_detector.py on the writers' conversations; shipped as
`learned.npz` with `learned.json` (its training data's hash, its thresholds, its figures).
Nothing is fetched at run time.
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tipline.detect.flags import FLAGS

MODEL = Path(__file__).with_name("learned.npz")
META = Path(__file__).with_name("learned.json")
DIMENSIONS = 1 << 18
# Operating points a platform may choose (TIPLINE_DETECT_OPERATING_POINT): each a threshold per
# flag, chosen on the calibration data for what the name says.
OPERATING_POINTS = ("balanced", "precision", "recall")
# The last output is the gate: how likely the conversation so far is one that shows a flag at
# all. A flag's probability is weighed by it (words of a threat between siblings teasing are not
# a threat), except distress: a child's despair is escalated whatever the setting.
GATE = len(FLAGS)
UNGATED = frozenset({FLAGS.index("victim_distress")})


def combined(probs: np.ndarray) -> np.ndarray:
    """Each flag's probability weighed by the gate (rows of messages, or one message)."""
    gate = probs[..., GATE : GATE + 1]
    flags = probs[..., :GATE] * gate
    for j in UNGATED:
        flags[..., j] = probs[..., j]
    return flags


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1" if n == 1 else "2" if n == 2 else "3-5" if n <= 5 else "6+"


# Grams recur (words, 4-grams): their rows are remembered, up to a bound, so most messages hash
# nothing at all.
_ROWS: dict[str, int] = {}
_MOST_REMEMBERED = 500_000


def row_of(gram: str) -> int:
    """A gram's row: CRC-32 (stable across processes, unlike hash()) masked to the table."""
    row = _ROWS.get(gram)
    if row is None:
        row = zlib.crc32(gram.encode()) & (DIMENSIONS - 1)
        if len(_ROWS) < _MOST_REMEMBERED:
            _ROWS[gram] = row
    return row


def rows(grams: Iterable[str]) -> set[int]:
    """The distinct rows of some grams (the remembered ones looked up without a call)."""
    get = _ROWS.get
    return {get(g) or row_of(g) for g in grams}


def hashed(grams: Iterable[str]) -> np.ndarray:
    """The distinct rows of a message's grams, as the model indexes them."""
    found = rows(grams)
    return np.fromiter(found, dtype=np.int64, count=len(found))


def text_grams(norm: str) -> list[str]:
    """Words, word pairs and character 4- and 5-grams of a normalised message. (The 5-grams
    were added after writer-held-out scores on b01..b05: macro F1 0.850 -> 0.896, early warning
    0.76 -> 0.92, at the same 5% of hard negatives; 3-grams added 0.004 more, not worth their
    time.)"""
    words = norm.split()
    grams = [f"w:{w}" for w in words]
    grams += [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    padded = f" {norm} "
    grams += [f"c:{padded[i : i + 4]}" for i in range(max(0, len(padded) - 3))]
    grams += [f"c5:{padded[i : i + 5]}" for i in range(max(0, len(padded) - 4))]
    return grams


def context_grams(context: dict[str, Any]) -> list[str]:
    """Everything but the message's own words: see the module's docstring."""
    ideas = sorted(context["ideas"])
    grams = [f"k:{k}" for k in ideas]
    grams += [f"kk:{a}+{b}" for a, b in itertools.combinations(ideas, 2)]
    grams += [f"pk:{k}" for k in context["previous_ideas"]]
    grams += [f"p:{w}" for w in context["previous"].split()[-6:]]
    grams.append(f"who:suspect={context['from_suspect']}")
    grams.append(f"who:first={context['first_speaker']}")
    grams.append(f"who:again={context['same_as_last']}")
    grams.append(f"pos:{_bucket(context['index'])}")
    grams.append(f"own:{_bucket(context['own'])}")
    grams += [f"rnew:{f}" for f in context["rule_new"]]
    grams += [f"rhas:{f}" for f in context["rule_has"]]
    grams += [f"ctx:{c}" for c in context["state"]]
    # The rules' verdict on this message crossed with who says it: a flag the patterns raise
    # from the suspect is not the same evidence as from the child.
    grams += [f"rnew:{f}:{context['from_suspect']}" for f in context["rule_new"]]
    return grams


def setting_grams(norm: str, ideas: Iterable[str]) -> list[str]:
    """What a message adds to the setting every later message is read in: its words and its
    ideas (a parent's "mom", a coach's "practice", a counsellor's "assembly" change what "send
    it to me" means three messages on)."""
    return [f"x:{w}" for w in set(norm.split())] + [f"xk:{k}" for k in ideas]


class LearnedModel:
    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        calibration: np.ndarray,
        thresholds: dict[str, np.ndarray],
        meta: dict[str, Any],
    ) -> None:
        self.weights = weights.astype(np.float32)  # (DIMENSIONS, flags and the gate)
        self.bias = bias.astype(np.float32)
        self.calibration = calibration.astype(np.float64)  # (outputs, 2): a, b
        self.thresholds = thresholds
        self.meta = meta
        # The calibration folded into the weights: a message costs one sum and one sigmoid.
        a, b = self.calibration[:, 0], self.calibration[:, 1]
        self.scaled = (self.weights * a).astype(np.float32)
        self.scaled_bias = (self.bias * a + b).astype(np.float32)

    @classmethod
    def load(cls, path: Path = MODEL, meta_path: Path = META) -> LearnedModel | None:
        if not path.exists():
            return None
        with np.load(path) as data:
            weights = np.zeros((DIMENSIONS, data["values"].shape[1]), dtype=np.float32)
            weights[data["rows"]] = data["values"].astype(np.float32)
            thresholds = {p: data[f"threshold_{p}"] for p in OPERATING_POINTS}
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
            return cls(weights, data["bias"], data["calibration"], thresholds, meta)

    def save(self, path: Path = MODEL, meta_path: Path = META) -> None:
        rows = np.flatnonzero(np.abs(self.weights).max(axis=1) > 1e-3)
        arrays: dict[str, np.ndarray] = {
            "rows": rows,
            "values": self.weights[rows].astype(np.float16),
            "bias": self.bias,
            "calibration": self.calibration,
        }
        arrays.update({f"threshold_{p}": t for p, t in self.thresholds.items()})
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
        meta_path.write_text(json.dumps(self.meta, indent=2, sort_keys=True) + "\n", "utf-8")

    def probabilities(self, indices: np.ndarray, setting: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probabilities of a message's features, plus the summed (calibrated)
        weights of the conversation's setting so far, kept by the caller (`scaled` rows)."""
        z = self.scaled[indices].sum(axis=0) + self.scaled_bias
        if setting is not None:
            z += setting
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def evidence(self, grams: list[str], flag: int, most: int = 3) -> list[str]:
        """The message's words that weigh most toward a flag: what --explain quotes."""
        weighed = [
            (float(self.scaled[row_of(g), flag]), g)
            for g in dict.fromkeys(grams)
            if g[:2] in ("w:", "b:")
        ]
        best = sorted((w, g) for w, g in weighed if w > 0)[::-1][:most]
        return [g[2:] for _, g in best]


@lru_cache(maxsize=1)
def default() -> LearnedModel | None:
    return LearnedModel.load()
