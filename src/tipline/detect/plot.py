"""The detector's honest history as a picture: each fresh set's first score against how many
writers' conversations the detector had learned from when it was scored
(`tipline scan --plot FILE.png`). Drawn with Pillow, which tipline already ships with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

HISTORY = Path(__file__).with_name("first_scores.json")
SERIES = (
    ("macro_f1", "macro F1", (31, 119, 180)),
    ("level_accuracy", "level accuracy", (44, 160, 44)),
    ("hard_negative_false_alarm_rate", "hard negatives flagged", (214, 39, 40)),
    ("early_warning_rate", "early warning", (148, 103, 189)),
)
# The targets of issue 23: F1, level and early warning at least 0.85; false alarms at most 0.05.
TARGETS = ((0.85, "target 0.85"), (0.05, "false alarms at most 0.05"))
WIDTH, HEIGHT, MARGIN = 900, 560, 70


def history(path: Path = HISTORY) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return sorted(rows, key=lambda r: (r["training_writer_conversations"], r["set"]))


def draw(rows: list[dict[str, Any]], target: Path) -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    most = max([r["training_writer_conversations"] for r in rows] + [100])
    left, right, top, bottom = MARGIN, WIDTH - 200, 40, HEIGHT - MARGIN

    def at(x: float, y: float) -> tuple[float, float]:
        return left + (right - left) * x / most, bottom - (bottom - top) * y

    pen.line([(left, top), (left, bottom), (right, bottom)], fill="black", width=2)
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        _, y = at(0, tick)
        pen.line([(left - 5, y), (left, y)], fill="black")
        pen.text((left - 40, y - 6), f"{tick:.2f}", fill="black", font=font)
    for value, label in TARGETS:
        _, y = at(0, value)
        for dash in range(left, right, 12):
            pen.line([(dash, y), (dash + 6, y)], fill=(150, 150, 150))
        pen.text((right + 6, y - 6), label, fill=(110, 110, 110), font=font)
    for row in rows:
        tick_x, _ = at(row["training_writer_conversations"], 0)
        pen.line([(tick_x, bottom), (tick_x, bottom + 5)], fill="black")
        size = str(row["training_writer_conversations"])
        pen.text((tick_x - 12, bottom + 8), size, fill="black", font=font)
        pen.text((tick_x - 12, bottom + 22), row["set"], fill=(90, 90, 90), font=font)
    for number, (key, label, colour) in enumerate(SERIES):
        points = [
            at(r["training_writer_conversations"], r[key]) for r in rows if r.get(key) is not None
        ]
        if len(points) > 1:
            pen.line(points, fill=colour, width=3)
        for px, py in points:
            pen.ellipse([(px - 4, py - 4), (px + 4, py + 4)], fill=colour)
        legend = top + 160 + 20 * number
        pen.rectangle([(right + 6, legend), (right + 18, legend + 12)], fill=colour)
        pen.text((right + 24, legend), label, fill="black", font=font)
    pen.text(
        (left, 12),
        "First score of each fresh set, by writers' conversations learned from",
        fill="black",
        font=font,
    )
    pen.text(
        ((left + right) // 2 - 120, HEIGHT - 24),
        "writers' conversations the detector had learned from",
        fill="black",
        font=font,
    )
    image.save(target, format="PNG")
