"""The second reading of the writers' labels (issue 23).

Every writer's conversation is read again by a second, independent reader who sees the
conversation without its labels and labels it by shared/RED-FLAGS.md. Where the two readings
disagree, a third reader settles it by the rules file (never by the detector's output).

    detect_labels.py strip WRITER.txt OUT.txt       the conversations without their labels
    detect_labels.py compare WRITER.txt READER.txt  agreement, and the disagreements to settle
    detect_labels.py disputes WRITER.txt READER.txt  the disagreements, both readings shown, for
                                                     the third reader to label in place
    detect_labels.py settle WRITER.txt SETTLED.txt  write the settled labels back into WRITER.txt

A disagreement is a flag one reading has and the other has not, or the same flag placed more
than two messages apart (the rules place a flag at its first evidence; a small shift is a reading
of where the evidence starts, not a different verdict).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

LABELS = re.compile(r"\s*\[[a-z_, ]+\]\s*$")
SHIFT = 2


def read(path: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Conversation id to its lines, each with the flags marked on it."""
    conversations: dict[str, list[tuple[str, list[str]]]] = {}
    current: list[tuple[str, list[str]]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            current = conversations.setdefault(line[3:].strip(), [])
            continue
        if current is None or not line.strip() or line.startswith("#"):
            continue
        match = LABELS.search(line)
        flags = []
        if match:
            flags = [f.strip() for f in match.group(0).strip(" []").split(",") if f.strip()]
            line = line[: match.start()]
        current.append((line, flags))
    return conversations


def first_index(lines: list[tuple[str, list[str]]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for n, (_, flags) in enumerate(lines):
        for flag in flags:
            found.setdefault(flag, n)
    return found


def strip(source: Path, target: Path) -> None:
    out = [
        "# Conversations to label by shared/RED-FLAGS.md: put [flag, ...] at the end of the first",
        "# message where each flag's evidence appears. Leave everyday ones unmarked.",
        "",
    ]
    for cid, lines in read(source).items():
        out.append(f"## {cid}")
        out.extend(text for text, _ in lines)
        out.append("")
    target.write_text("\n".join(out), encoding="utf-8")


def disagreements(writer: Path, reader: Path) -> tuple[int, list[dict[str, object]]]:
    ours, theirs = read(writer), read(reader)
    found = []
    for cid, lines in ours.items():
        a = first_index(lines)
        b = first_index(theirs.get(cid, []))
        differ = sorted(
            flag
            for flag in set(a) | set(b)
            if flag not in a or flag not in b or abs(a[flag] - b[flag]) > SHIFT
        )
        if differ:
            found.append({"id": cid, "writer": a, "reader": b, "differ": differ})
    return len(ours), found


def disputes(writer: Path, reader: Path) -> str:
    ours = read(writer)
    out = [
        "# Conversations whose two readings disagree. Each shows both readings (flag: index of its",
        "# first message, 0-based). Label each by shared/RED-FLAGS.md alone: put [flag, ...] at",
        "# the end of the first message where each flag's evidence appears.",
        "",
    ]
    for row in disagreements(writer, reader)[1]:
        out.append(f"## {row['id']}")
        out.append(f"# first reading: {json.dumps(row['writer'])}")
        out.append(f"# second reading: {json.dumps(row['reader'])}")
        out.extend(text for text, _ in ours[str(row["id"])])
        out.append("")
    return "\n".join(out)


def settle(writer: Path, settled: Path) -> int:
    """Replace the labels of the conversations in SETTLED (same format) in WRITER's file."""
    decided = read(settled)
    out: list[str] = []
    current = ""
    for raw in writer.read_text(encoding="utf-8").splitlines():
        if raw.startswith("## "):
            current = raw[3:].strip()
            position = 0
            out.append(raw)
            continue
        if current in decided and raw.strip() and not raw.startswith("#"):
            text, flags = decided[current][position]
            position += 1
            out.append(text + (f" [{', '.join(flags)}]" if flags else ""))
            continue
        out.append(raw)
    writer.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(decided)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["strip", "compare", "disputes", "settle"])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args(argv)
    if args.action == "strip":
        strip(args.first, args.second)
        return 0
    if args.action == "disputes":
        print(disputes(args.first, args.second))
        return 0
    if args.action == "settle":
        print(f"{settle(args.first, args.second)} conversations settled")
        return 0
    total, found = disagreements(args.first, args.second)
    for row in found:
        print(json.dumps(row))
    print(f"{total - len(found)} of {total} agree", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
