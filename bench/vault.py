"""Benchmark: storing 1-megapixel JPEGs through the vault against hashing and writing plainly.

The vault path does everything intake does for a file: sniff, SHA-256, MD5, decode, PDQ,
encrypt with a fresh data key, write atomically (fsync), insert the row and its audit event,
commit. The baseline, in the same run on the same files: PDQ with `pdqhash` and a plain write.
Target (issue 2): the vault keeps at least 0.8x the baseline's files per second.

Run: `make bench-vault` (prints JSON).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from media import synthetic_image  # noqa: E402

FILES = int(os.environ.get("BENCH_FILES", "50"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _jpegs(count: int) -> list[bytes]:
    out = []
    for seed in range(count):
        buf = io.BytesIO()
        synthetic_image(seed, (1280, 800)).save(buf, "JPEG", quality=88)  # 1.02 megapixels
        out.append(buf.getvalue())
    return out


def _baseline_one(data: bytes, target: Path) -> None:
    img = Image.open(io.BytesIO(data)).convert("RGB")
    pdqhash.compute(np.asarray(img))
    target.write_bytes(data)


def main() -> None:
    os.environ["TIPLINE_JOBS_IMMEDIATE"] = "1"
    from tipline.cli import initialise
    from tipline.config import Settings
    from tipline.db import Database
    from tipline.evidence import service as evidence

    files = _jpegs(FILES)
    base_s: list[float] = []
    vault_s: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        home, plain = Path(tmp) / "home", Path(tmp) / "plain"
        plain.mkdir()
        settings = Settings(home=home)
        initialise(settings)
        database = Database(settings.resolved_database_url)
        # File by file, alternating which side goes first: both sides see the same machine
        # (cache, clock, other load) at the same moments, so the ratio is fair on 2 cores.
        for round_ in range(ROUNDS):
            for index, data in enumerate(files):
                order = ("base", "vault") if (index + round_) % 2 else ("vault", "base")
                for side in order:
                    start = time.perf_counter()
                    if side == "base":
                        _baseline_one(data, plain / f"{round_}-{index}.jpg")
                        base_s.append(time.perf_counter() - start)
                    else:
                        with database.session() as db_session:
                            evidence.store_file(
                                db_session,
                                settings=settings,
                                data=data,
                                filename=f"{index}.jpg",
                                actor="bench",
                            )
                        vault_s.append(time.perf_counter() - start)
        database.dispose()
    base_rate, vault_rate = len(base_s) / sum(base_s), len(vault_s) / sum(vault_s)
    result = {
        "benchmark": "vault",
        "files": FILES,
        "rounds": ROUNDS,
        "megapixels": round(1280 * 800 / 1e6, 2),
        "baseline_files_per_s": round(base_rate, 1),
        "vault_files_per_s": round(vault_rate, 1),
        "baseline_p50_ms": round(statistics.median(base_s) * 1000, 2),
        "vault_p50_ms": round(statistics.median(vault_s) * 1000, 2),
        "ratio": round(vault_rate / base_rate, 3),
        "target_ratio": 0.8,
        "meets_target": vault_rate / base_rate >= 0.8,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
