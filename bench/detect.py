"""Benchmark: red-flag detection in streaming mode, messages per second on one core, against a
plain regex pass over the same messages in the same run.

The messages are the generated corpus (data/detect/train.jsonl and heldout.jsonl), replayed as
streams: each conversation's state takes one message at a time and gives a verdict after each,
as `tipline detect-stream` does. Measured: the detector as shipped (the learned model over the
rules' evidence, learned.py), and in the same run two baselines: the rules alone (engine.py, the
detector before issue 23) and one pass of every pattern with no normalisation, guards or state
(what a naive keyword filter costs).
Target (issues 7 and 23): at least 5,000 messages per second per core.

Run: `make bench-detect` (prints one JSON line; ROUNDS=3 by default).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from tipline.detect import ConversationState, lexicon, model, new_state

ROOT = Path(__file__).resolve().parent.parent


def _conversations() -> list[list[tuple[str, str]]]:
    out = []
    for name in ("train.jsonl", "heldout.jsonl"):
        for line in (ROOT / "data" / "detect" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out.append([(m["sender"], m["text"]) for m in row["messages"]])
    return out


def _stream(conversations: list[list[tuple[str, str]]], *, rules_only: bool) -> tuple[int, int]:
    scorer = model.default()
    messages = alerts = 0
    for conversation in conversations:
        state: Any = ConversationState(scorer=scorer) if rules_only else new_state()
        for sender, text in conversation:
            state.add(sender, text)
            messages += 1
        alerts += state.first_alert_index is not None
    return messages, alerts


def _regex(conversations: list[list[tuple[str, str]]]) -> int:
    hits = 0
    patterns = [p.regex for p in lexicon.PATTERNS]
    for conversation in conversations:
        for _, text in conversation:
            lowered = text.lower()
            hits += sum(1 for p in patterns if p.search(lowered))
    return hits


def main() -> int:
    rounds = int(os.environ.get("ROUNDS", "3"))
    conversations = _conversations()
    best = best_rules = best_regex = float("inf")
    messages = alerts = rule_alerts = 0
    for _ in range(rounds):
        start = time.perf_counter()
        messages, alerts = _stream(conversations, rules_only=False)
        best = min(best, time.perf_counter() - start)
        start = time.perf_counter()
        _, rule_alerts = _stream(conversations, rules_only=True)
        best_rules = min(best_rules, time.perf_counter() - start)
        start = time.perf_counter()
        _regex(conversations)
        best_regex = min(best_regex, time.perf_counter() - start)
    rate = messages / best
    print(
        json.dumps(
            {
                "conversations": len(conversations),
                "messages": messages,
                "alerts": alerts,
                "msgs_per_sec_per_core": round(rate),
                "baseline": {
                    "rules_alone_msgs_per_sec": round(messages / best_rules),
                    "rules_alone_alerts": rule_alerts,
                    "plain_regex_msgs_per_sec": round(messages / best_regex),
                },
                "ratio_to_rules_alone": round(rate * best_rules / messages, 3),
                "target": 5000,
                "meets_target": rate >= 5000,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
