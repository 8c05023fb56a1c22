"""The deterioration curve of an asset type, drawn on the server: for an asset new today
(grade I), the chance of being in each grade over the years, as stacked bands with the best
grade on top, so that the bands below the action line grow as the type wears. Colours and
grade names as the inspection charts; the same numbers stand in a table beside it."""

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from assets.models import AssetType
from planning.deterioration import Model
from web_admin.inspection_charts import GradeInfo, grade_info

WIDTH = 640
HEIGHT = 240
LEFT = 48
RIGHT = 16
TOP = 12
BOTTOM = 32
STEP = 0.25  # years between the points of a band


@dataclass
class Band:
    grade: GradeInfo
    path: str


@dataclass
class CurveChart:
    bands: list[Band]
    action_path: str  # the chance of the action grade or worse, as a line
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    years: float
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return WIDTH - RIGHT

    @property
    def plot_bottom(self) -> int:
        return HEIGHT - BOTTOM


def horizon(model: Model) -> float:
    """Years the curve spans: until most assets would be at the worst grade (10 to 40)."""
    worst = model.expected_years(0, model.grades - 1)
    return float(min(40, max(10, 5 * math.ceil(1.5 * worst / 5))))


def shares(model: Model, years: float) -> np.ndarray:
    """The chance of each grade `years` after an asset was new."""
    return model.matrix(years)[0]


def curve_chart(asset_type: AssetType, model: Model, action: int) -> CurveChart:
    until = horizon(model)
    times = np.arange(0.0, until + STEP / 2, STEP)
    rows = np.array([shares(model, float(t)) for t in times])  # (T, grades)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(t: float) -> float:
        return round(LEFT + inner_w * t / until, 1)

    def y_of(share: float) -> float:  # share measured from the bottom
        return round(TOP + inner_h * (1 - share), 1)

    grades = [grade_info(asset_type, code) for code in asset_type.grading_scale.codes()]
    # The worst grade lies at the bottom: a grade's band spans the worse grades' sum and
    # that sum plus its own share.
    below = np.cumsum(rows[:, ::-1], axis=1)[:, ::-1]  # below[:, g] = share of g or worse
    bands = []
    for g, info in enumerate(grades):
        upper = below[:, g]
        lower = below[:, g + 1] if g + 1 < len(grades) else np.zeros(len(times))
        top = " L ".join(f"{x_of(t)} {y_of(u)}" for t, u in zip(times, upper, strict=True))
        bottom = " L ".join(
            f"{x_of(t)} {y_of(v)}" for t, v in zip(times[::-1], lower[::-1], strict=True)
        )
        bands.append(Band(info, f"M {top} L {bottom} Z"))
    action_line = "M " + " L ".join(
        f"{x_of(t)} {y_of(v)}" for t, v in zip(times, below[:, action], strict=True)
    )
    tick = 5 if until <= 30 else 10
    x_ticks = [(x_of(t), str(int(t))) for t in np.arange(0, until + 0.5, tick)]
    y_ticks = [(y_of(s), f"{int(s * 100)}%") for s in (0, 0.25, 0.5, 0.75, 1)]
    return CurveChart(bands, action_line, x_ticks, y_ticks, until)


def curve_table(model: Model, action: int, *, until: float) -> list[dict]:
    """Every few years: the chance of each grade and of the action grade or worse."""
    every = 1 if until <= 10 else 2 if until <= 20 else 5
    result = []
    for year in range(0, int(until) + 1, every):
        row = shares(model, float(year))
        result.append(
            {"year": year, "shares": [100 * p for p in row], "action": 100 * row[action:].sum()}
        )
    return result


# --- Scenarios side by side ------------------------------------------------------------------

SCENARIO_STYLES = {
    # key: (colour, dash pattern): told apart by the dash as well as the colour
    "nothing": ("#595959", "2 4"),
    "reactive": ("#b2182b", "8 4"),
    "plan": ("#2166ac", ""),
    "second": ("#1b7837", "12 4 2 4"),
}


@dataclass
class Line:
    key: str
    label: str
    colour: str
    dash: str
    points: str


@dataclass
class LineChart:
    lines: list[Line]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def plot_left(self) -> int:
        return LEFT + 16

    @property
    def plot_right(self) -> int:
        return WIDTH - RIGHT

    @property
    def plot_bottom(self) -> int:
        return HEIGHT - BOTTOM


def line_chart(series: dict[str, tuple[str, list[float]]], labels: list[str], *, unit=1.0):
    """Lines over the years, one per scenario; values divided by `unit` on the axis."""
    left, count = LEFT + 16, max(len(labels), 2)
    inner_w, inner_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    top = max((max(values) for _, values in series.values() if values), default=0) or 1.0
    top = _nice(top)

    def x_of(i: int) -> float:
        return round(left + inner_w * i / (count - 1), 1)

    def y_of(v: float) -> float:
        return round(TOP + inner_h * (1 - v / top), 1)

    lines = []
    for key, (label, values) in series.items():
        if not values:
            continue
        colour, dash = SCENARIO_STYLES.get(key, ("#1a1a1a", ""))
        points = " ".join(f"{x_of(i)},{y_of(v)}" for i, v in enumerate(values))
        lines.append(Line(key, label, colour, dash, points))
    y_ticks = [(y_of(top * f), f"{top * f / unit:,.0f}") for f in (0, 0.25, 0.5, 0.75, 1)]
    x_ticks = [(x_of(i), label) for i, label in enumerate(labels)]
    return LineChart(lines, x_ticks, y_ticks)


def _nice(value: float) -> float:
    """The next round figure above `value` (1, 2 or 5 × a power of ten)."""
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def scenario_context(saved, previous=None) -> dict:
    """The charts and tables comparing a saved plan's scenarios, and its planned spend with
    the plan before it."""
    horizon = saved.inputs.get("horizon", 10)
    labels = [str(saved.first_year + i) for i in range(horizon)]
    names = {
        "nothing": _("Do nothing"),
        "reactive": _("Reactive: renew what fails"),
        "plan": _("The plan, at the budget"),
        "second": _("Preventive, at the second budget"),
    }
    rows, costs, backlogs = [], {}, {}
    for key, label in names.items():
        found = saved.scenarios.get(key) or {}
        if "planned" not in found:
            rows.append({"key": key, "label": label, "feasible": False, **found})
            continue
        yearly = [p + r for p, r in zip(found["planned"], found["reactive"], strict=True)]
        costs[key] = (label, yearly)
        backlogs[key] = (label, found["backlog"])
        rows.append({"key": key, "label": label, "feasible": True, "yearly": yearly, **found})
    compare = None
    if previous is not None and "planned" in (previous.scenarios.get("plan") or {}):
        before = dict(
            zip(
                (
                    previous.first_year + i
                    for i in range(len(previous.scenarios["plan"]["planned"]))
                ),
                previous.scenarios["plan"]["planned"],
                strict=True,
            )
        )
        now = saved.scenarios.get("plan", {}).get("planned") or []
        compare = [
            {"year": saved.first_year + i, "now": v, "before": before.get(saved.first_year + i)}
            for i, v in enumerate(now)
        ]
    return {
        "scenario_rows": rows,
        "year_labels": labels,
        "cost_chart": line_chart(costs, labels, unit=1_000_000) if costs else None,
        "backlog_chart": line_chart(backlogs, labels) if backlogs else None,
        "compare": compare,
    }
