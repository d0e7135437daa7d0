"""Train the learned red-flag detector and write src/tipline/detect/learned.npz and learned.json.

    .venv/bin/python scripts/train_detector.py [--batches b01,b02] [--generated] [--dry-run]

Training data: the writers' batches named (data/detect/writers/BATCH/BATCH.jsonl, built by
scripts/detect_data.py), the hand-written sets of earlier sessions (data/detect/handwritten*,
everyday*) and, with --generated, the generated corpus (data/detect/train.jsonl: by writer-held-out
scores it makes the model worse, 0.88 -> 0.81 macro F1, so it is left out by default).

Calibration and operating points come from writer-held-out scores: the writers are dealt into
five folds, and each fold's conversations are scored by a model trained without that fold's
writers. Those scores also give the cross-validated figures printed at the end (fitted in the
sense that the operating points were chosen on them; the honest figure is a fresh batch's first
score: data/detect/README.md). The final model is trained on everything, deterministically; its
metadata names the training data's hash, so a model file says what it learned from.

`--rules-second-stage` instead retrains the rules' own second stage (model.py, weights.npz).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import Progress

from tipline.detect import learned, learning, model, training
from tipline.detect.evaluate import evaluate
from tipline.detect.flags import FLAGS, level_of

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "detect"
FOLDS = 5


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load(batches: list[str], generated: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """Conversations, and each one's group: its writer, or '' for data always trained on."""
    rows: list[dict[str, Any]] = []
    groups: list[str] = []
    for batch in batches:
        for row in _rows(DATA / "writers" / batch / f"{batch}.jsonl"):
            rows.append(row)
            groups.append(str(row["writer"]))
    extra = sorted(DATA.glob("handwritten*.jsonl")) + sorted(DATA.glob("everyday*.jsonl"))
    if generated:
        extra.append(DATA / "train.jsonl")
    for path in extra:
        for row in _rows(path):
            rows.append(row)
            groups.append("")
    return rows, groups


def _result(probs: np.ndarray, thresholds: np.ndarray, messages: int) -> dict[str, Any]:
    """A conversation's verdict from its messages' calibrated probabilities (first crossing)."""
    flags = []
    for j, flag in enumerate(FLAGS):
        over = np.flatnonzero(probs[:messages, j] >= thresholds[j])
        if len(over):
            flags.append({"flag": flag, "message_index": int(over[0])})
    return {"flags": flags}


def cross_validated(
    rows: list[dict[str, Any]],
    groups: list[str],
    data: learning.Samples,
    progress: Progress,
    settings: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray]:
    """Raw scores of every writer's message from a model trained without its writer's fold."""
    writers = sorted({g for g in groups if g})
    fold_of = {w: i % FOLDS for i, w in enumerate(writers)}
    conv_fold = np.array([fold_of.get(g, -1) for g in groups])
    message_fold = conv_fold[data.conversation]
    scores = np.zeros((len(data.indices), learning.OUTPUTS))
    task = progress.add_task("cross-validating", total=FOLDS)
    for fold in range(FOLDS):
        weights, bias = learning.fit(learning.subset(data, message_fold != fold), **settings)
        held = learning.subset(data, message_fold == fold)
        scores[message_fold == fold] = learning.raw_scores(weights, bias, held)
        progress.advance(task)
    return scores, message_fold >= 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", default="b01,b02")
    parser.add_argument(
        "--generated", action="store_true", help="also the generated corpus (worse by writer)"
    )
    parser.add_argument("--dry-run", action="store_true", help="figures only; write no model")
    parser.add_argument("--rules-second-stage", action="store_true")
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--positive-weight", type=float, default=8.0)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--hard-weight", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.rules_second_stage:
        stage = training.train(training.training_samples(_rows(DATA / "train.jsonl")))
        stage.save()
        print(f"wrote {model.WEIGHTS}")
        return 0
    start = time.perf_counter()
    batches = [b for b in args.batches.split(",") if b]
    rows, groups = load(batches, generated=args.generated)
    with Progress(transient=True) as progress:
        task = progress.add_task("reading", total=len(rows))
        data = learning.samples(rows, progress=lambda: progress.advance(task))
        settings = {
            "l2": args.l2,
            "positive_weight": args.positive_weight,
            "steps": args.steps,
            "hard_weight": args.hard_weight,
        }
        raw, scored = cross_validated(rows, groups, data, progress, settings)
        calibration = np.array(
            [
                learning.platt(raw[scored, j], data.targets[scored, j], data.mask[scored, j])
                for j in range(learning.OUTPUTS)
            ]
        )
        calibrated = 1 / (
            1 + np.exp(-np.clip(raw * calibration[:, 0] + calibration[:, 1], -30, 30))
        )
        probs = learned.combined(calibrated)
        writer_rows = sorted({int(c) for c in data.conversation[scored]})
        peaks = learning.conversation_peaks(probs, data, len(rows))[writer_rows]
        truth = np.array(
            [[1.0 if f in rows[i]["labels"]["flags"] else 0.0 for f in FLAGS] for i in writer_rows]
        )
        hard = np.array([bool(rows[i]["labels"].get("hard_negative")) for i in writer_rows])
        points = learning.operating_points(peaks, truth, hard)
        figures = {}
        for point, thresholds in points.items():
            pairs = []
            for i in writer_rows:
                own = probs[data.conversation == i]
                pairs.append((rows[i]["labels"], _result(own, thresholds, len(own))))
            figures[point] = _summary(evaluate(_with_levels(pairs)))
            figures[point]["hard_negative_flags"] = _false_flags(pairs)
        task = progress.add_task("training the final model", total=None)
        weights, bias = learning.fit(data, **settings)
    texts = [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows]
    meta = {
        "trained_on": {
            "writer_batches": batches,
            "generated": args.generated,
            "conversations": len(rows),
            "writer_conversations": len(writer_rows),
            "messages": len(data.indices),
            "data_sha256": learning.data_hash(texts),
        },
        "settings": settings,
        "cross_validated_by_writer": figures,
        "thresholds": {p: dict(zip(FLAGS, map(float, t), strict=True)) for p, t in points.items()},
    }
    print(json.dumps(meta["cross_validated_by_writer"], indent=1))
    if not args.dry_run:
        learned.LearnedModel(weights, bias, calibration, points, meta).save()
        # A batch trained on is no longer a fresh set: the manifest says so from now on.
        manifest_path = DATA / "writers" / "MANIFEST.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for batch in batches:
            manifest[batch]["used_for_training"] = True
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8")
        print(f"wrote {learned.MODEL} ({learned.MODEL.stat().st_size} bytes) and {learned.META}")
    print(
        f"{len(rows)} conversations, {len(data.indices)} messages, "
        f"{time.perf_counter() - start:.0f}s",
        file=sys.stderr,
    )
    return 0


def _with_levels(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[Any]:
    """Each result with its level, and its first flag taken for its first alert."""
    out = []
    for labels, result in pairs:
        names = frozenset(f["flag"] for f in result["flags"])
        indices = [f["message_index"] for f in result["flags"]]
        first = min(indices) if indices else None
        out.append((labels, {**result, "level": level_of(names), "first_alert_index": first}))
    return out


def _false_flags(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, int]:
    """Which flags the hard negatives raised, and how often: what to read first."""
    counts: dict[str, int] = {}
    for labels, result in pairs:
        if labels.get("hard_negative"):
            for f in result["flags"]:
                counts[f["flag"]] = counts.get(f["flag"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _summary(figures: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "conversations",
        "macro_f1",
        "level_accuracy",
        "hard_negative_false_alarm_rate",
        "early_warning_rate",
        "victim_distress_recall",
    )
    return {k: figures[k] for k in keys}


if __name__ == "__main__":
    raise SystemExit(main())
