"""Geometry of the dashboard's weekly charts, drawn on the server like the inspection and plan
charts: new and fixed faults as bars side by side, the faults still open as a line. The
colours (blue and orange) stay apart with the common colour-vision deficiencies, and the
same figures stand in a table beside the charts."""

import math
from dataclasses import dataclass

from reports.dashboard import Week

WIDTH = 480
LEFT = 34
RIGHT = 12
TOP = 12
BOTTOM = 28
BAR_GAP = 0.3  # the share of a week's slot left empty between its bars and the next week's

SERIES = {
    "new": "#2166ac",
    "fixed": "#d66a00",
    "open": "#1a1a1a",
}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: str

    @property
    def colour(self) -> str:
        return SERIES[self.series]


@dataclass(frozen=True)
class Chart:
    height: int
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    bars: list[Bar]
    points: list[tuple[float, float, int]]  # x, y, value (the line)
    width: int = WIDTH

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _ in self.points)


def scale(top_value: int) -> tuple[int, int]:
    """(axis top, tick step): whole numbers, the step 1, 2 or 5 × a power of ten, at most
    five steps."""
    rough = max(top_value, 1) / 4
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= rough)
    step = max(int(step), 1)
    return max(step, math.ceil(max(top_value, 1) / step) * step), step


def _frame(weeks: list[Week], height: int, top_value: int):
    top, step = scale(top_value)
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = height - TOP - BOTTOM
    slot = inner_w / len(weeks)

    def y_of(value: float) -> float:
        return round(TOP + inner_h * (1 - value / top), 1)

    y_ticks = [(y_of(v), str(v)) for v in range(0, top + 1, step)]
    centres = [round(LEFT + slot * (index + 0.5), 1) for index in range(len(weeks))]
    # Every other Monday is named (the current week's among them), so that dates never touch.
    x_ticks = [
        (x, f"{week.first.month}/{week.first.day}")
        for index, (x, week) in enumerate(zip(centres, weeks, strict=True))
        if (len(weeks) - 1 - index) % 2 == 0
    ]
    return slot, y_of, centres, x_ticks, y_ticks


def weekly_bars(weeks: list[Week], height: int = 170) -> Chart:
    """New and fixed faults per week, a pair of bars each, the oldest week on the left."""
    top_value = max((max(w.new, w.fixed) for w in weeks), default=0)
    slot, y_of, _centres, x_ticks, y_ticks = _frame(weeks, height, top_value)
    bar_w = round(slot * (1 - BAR_GAP) / 2, 1)
    base = y_of(0)
    bars = []
    for index, week in enumerate(weeks):
        left = LEFT + slot * index + slot * BAR_GAP / 2
        for offset, (series, value) in enumerate((("new", week.new), ("fixed", week.fixed))):
            y = y_of(value)
            bars.append(
                Bar(round(left + offset * bar_w, 1), y, bar_w, round(base - y, 1), value, series)
            )
    return Chart(height, x_ticks, y_ticks, bars, [])


def open_line(weeks: list[Week], height: int = 120) -> Chart:
    """Faults still open at the end of each week, as a line with a dot per week."""
    top_value = max((w.still_open for w in weeks), default=0)
    _slot, y_of, centres, x_ticks, y_ticks = _frame(weeks, height, top_value)
    points = [
        (x, y_of(week.still_open), week.still_open) for x, week in zip(centres, weeks, strict=True)
    ]
    return Chart(height, x_ticks, y_ticks, [], points)
