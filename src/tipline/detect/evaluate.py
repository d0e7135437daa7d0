"""Judging the detector as shared/RED-FLAGS.md says: per-flag precision, recall and F1 at the
conversation level, level accuracy, false alarms on `none`, early warning, distress recall."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tipline.detect.flags import EXTORTION, FLAGS


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """(labels, result) per conversation -> the figures."""
    tp = dict.fromkeys(FLAGS, 0)
    fp = dict.fromkeys(FLAGS, 0)
    fn = dict.fromkeys(FLAGS, 0)
    total = level_right = 0
    none_total = none_alarmed = 0
    hard_total = hard_alarmed = 0
    warned_total = warned_early = 0
    for labels, result in pairs:
        total += 1
        truth = labels.get("flags", {})
        predicted = {f["flag"] for f in result["flags"]}
        for flag in FLAGS:
            if flag in truth and flag in predicted:
                tp[flag] += 1
            elif flag in predicted:
                fp[flag] += 1
            elif flag in truth:
                fn[flag] += 1
        level_right += int(labels.get("level") == result["level"])
        if labels.get("level") == "none":
            none_total += 1
            none_alarmed += int(result["level"] != "none")
            if labels.get("hard_negative"):
                hard_total += 1
                hard_alarmed += int(result["level"] != "none")
        if labels.get("level") == "extortion":
            threat = min(i for f, i in truth.items() if f in EXTORTION)
            signs = [i for f, i in truth.items() if f not in EXTORTION and f != "victim_distress"]
            if signs and min(signs) < threat:
                warned_total += 1
                alert = result.get("first_alert_index")
                warned_early += int(alert is not None and alert < threat)
    per_flag = {}
    for flag in FLAGS:
        precision = _ratio(tp[flag], tp[flag] + fp[flag])
        recall = _ratio(tp[flag], tp[flag] + fn[flag])
        f1 = (
            round(2 * precision * recall / (precision + recall), 4)
            if precision and recall
            else (0.0 if (tp[flag] + fp[flag] + fn[flag]) else None)
        )
        per_flag[flag] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": tp[flag] + fn[flag],
        }
    scored = [v["f1"] for v in per_flag.values() if v["f1"] is not None]
    return {
        "conversations": total,
        "macro_f1": round(sum(scored) / len(scored), 4) if scored else None,
        "level_accuracy": _ratio(level_right, total),
        "false_alarm_rate": _ratio(none_alarmed, none_total),
        "hard_negative_false_alarm_rate": _ratio(hard_alarmed, hard_total),
        "early_warning_rate": _ratio(warned_early, warned_total),
        "victim_distress_recall": per_flag["victim_distress"]["recall"],
        "flags": per_flag,
    }
