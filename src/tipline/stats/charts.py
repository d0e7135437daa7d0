"""Charts drawn on the server as inline SVG: no script, readable by a screen reader (a title,
a description, and the same numbers in a table beside each chart), printable.

A withheld count is drawn as an outlined stub labelled with the threshold ("<10"), never as a
bar of some height: the chart must not hint at the number the table withholds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

# Narrow enough that 12-pixel text stays legible on a phone, where the chart fills the width.
WIDTH = 420
BAR_GAP = 2


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: withheld
    note: str = ""  # what a withheld bar says, e.g. "<10"


def _svg(title: str, desc: str, height: int, body: list[str], ident: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def columns(bars: list[Bar], *, title: str, desc: str, ident: str) -> str:
    """Vertical bars over time (one per month), labels under every few bars."""
    height, top, bottom, left = 200, 16, 36, 40
    plot_h = height - top - bottom
    top_value = max([b.value for b in bars if b.value is not None] + [1])
    slot = (WIDTH - left - 8) / max(1, len(bars))
    # A label every few bars, so that labels (about 56 pixels wide) never overlap.
    every = max(1, math.ceil(56 / slot))
    body = [
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 8}" '
        f'y2="{top + plot_h}"/>',
        f'<text class="tick" x="{left - 6}" y="{top + 4}" text-anchor="end">{top_value}</text>',
        f'<text class="tick" x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, bar in enumerate(bars):
        x = left + i * slot + BAR_GAP / 2
        w = max(1.0, slot - BAR_GAP)
        if bar.value is None:
            body.append(
                f'<rect class="withheld" x="{x:.1f}" y="{top + plot_h - 6}" width="{w:.1f}" '
                f'height="6"><title>{escape(bar.label)}: {escape(bar.note)}</title></rect>'
            )
        else:
            h = plot_h * bar.value / top_value
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{w:.1f}" '
                f'height="{h:.1f}"><title>{escape(bar.label)}: {bar.value}</title></rect>'
            )
        if i % every == 0:
            body.append(
                f'<text class="tick" x="{x + w / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
    return _svg(title, desc, height, body, ident)


def rows(bars: list[Bar], *, title: str, desc: str, ident: str) -> str:
    """Horizontal bars for a breakdown, largest first: each label on its own line above its
    bar (labels are long in Spanish), the count at the end of the bar."""
    row_h = 40
    height = max(1, len(bars)) * row_h + 4
    top_value = max([b.value for b in bars if b.value is not None] + [1])
    span = WIDTH - 60
    body = []
    for i, bar in enumerate(bars):
        y = 4 + i * row_h
        body.append(f'<text class="label" x="0" y="{y + 12}">{escape(bar.label[:64])}</text>')
        if bar.value is None:
            body.append(
                f'<rect class="withheld" x="0" y="{y + 18}" width="14" height="14"/>'
                f'<text class="value" x="20" y="{y + 30}">{escape(bar.note)}</text>'
            )
        else:
            w = span * bar.value / top_value
            body.append(
                f'<rect class="bar" x="0" y="{y + 18}" width="{max(w, 1):.1f}" height="14"/>'
                f'<text class="value" x="{w + 6:.1f}" y="{y + 30}">{bar.value}</text>'
            )
    return _svg(title, desc, height, body, ident)
