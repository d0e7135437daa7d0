"""The writers' conversations as the detector reads them (issue 23).

    .venv/bin/python scripts/detect_data.py

For every batch folder data/detect/writers/BATCH/ it reads each writer's file (BATCH-wN.txt, its
labels as settled after the second reading), tags each conversation with its writer, language and
card, and writes BATCH.jsonl beside them; then data/detect/writers/MANIFEST.json, which names each
batch's file, its SHA-256, its size, whether a second reader checked it, and whether it has been
used for training (a batch is a fresh set until it is: see data/detect/README.md).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detect_corpus import handwritten

ROOT = Path(__file__).resolve().parent.parent
WRITERS = ROOT / "data" / "detect" / "writers"
CARDS = ROOT / "data" / "detect" / "cards"


def cards_of(batch: str) -> dict[str, dict[str, Any]]:
    rows = [
        json.loads(line)
        for path in sorted(CARDS.glob(f"{batch}*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]
    return {str(r["card"]).rsplit("-", 1)[1]: r for r in rows}


def batch_rows(folder: Path) -> list[dict[str, Any]]:
    batch = folder.name
    cards = cards_of(batch)
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob(f"{batch}-w*.txt")):
        writer = path.stem
        for row in handwritten(path.read_text(encoding="utf-8")):
            card = cards.get(str(row["id"]).rsplit("-", 1)[1], {})
            row["writer"] = writer
            row["lang"] = card.get("lang", "")
            row["scenario"] = card.get("scenario", "")
            labels = row["labels"]
            if labels["level"] == "none" and card.get("kind") != "negative":
                # A positive card written without a flag: everyday, but not one of the hard
                # negatives the grid drew.
                labels.pop("hard_negative", None)
            rows.append(row)
    return rows


def main() -> int:
    manifest_path = WRITERS / "MANIFEST.json"
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    )
    for folder in sorted(p for p in WRITERS.iterdir() if p.is_dir()):
        rows = batch_rows(folder)
        if not rows:
            continue
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        target = folder / f"{folder.name}.jsonl"
        target.write_text(text, encoding="utf-8")
        entry = manifest.setdefault(folder.name, {})
        entry.update(
            {
                "file": str(target.relative_to(ROOT)),
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "conversations": len(rows),
                "hard_negatives": sum(1 for r in rows if r["labels"].get("hard_negative")),
                "writers": len({r["writer"] for r in rows}),
                "second_read": (folder / "second").is_dir(),
            }
        )
        entry.setdefault("used_for_training", False)
        print(f"{folder.name}: {len(rows)} conversations")
    manifest_path.write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
