"""Train the red-flag detector's second stage on data/detect/train.jsonl and write
src/tipline/detect/weights.npz (deterministic: the same corpus gives the same weights).

Run: `.venv/bin/python scripts/train_detector.py` then `tipline scan --evaluate` on the
held-out and hand-written sets (data/detect/README.md).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tipline.detect import model, training

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    lines = (ROOT / "data" / "detect" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    start = time.perf_counter()
    samples = training.training_samples(rows)
    stage = training.train(samples)
    stage.save()
    sys.stdout.write(
        f"trained on {len(samples)} messages in {time.perf_counter() - start:.1f}s; "
        f"wrote {model.WEIGHTS} ({model.WEIGHTS.stat().st_size} bytes)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
