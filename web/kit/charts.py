"""Server-rendered bar charts: geometry for an SVG that templates draw.

Charts are images for sighted readers; every chart on the site sits next to a
data table with the same numbers, and the SVG carries a title and description.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROW_HEIGHT = 28
LABEL_WIDTH = 150
BAR_WIDTH = 170
VALUE_WIDTH = 50


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    highlighted: bool
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    title: str  # English msgid
    value_label: str  # English msgid
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = ROW_HEIGHT - 8


def bar_chart(rows: Sequence[tuple[str, int, bool]], *, title: str, value_label: str) -> BarChart:
    """Horizontal bars scaled to the largest value; labels shortened to fit."""
    top = max([value for _, value, _ in rows] + [1])
    bars = [
        Bar(
            label if len(label) <= 10 else label[:9] + "…",
            value,
            highlighted,
            n * ROW_HEIGHT,
            round(BAR_WIDTH * value / top),
        )
        for n, (label, value, highlighted) in enumerate(rows)
    ]
    return BarChart(
        title,
        value_label,
        bars,
        LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        max(1, len(bars)) * ROW_HEIGHT,
    )
