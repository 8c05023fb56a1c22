"""Geometry of the small SVG charts on the inspection screens, drawn on the server.

Colours follow a diverging blue-to-red scheme (ColorBrewer RdBu), readable with the common
colour-vision deficiencies; every segment also carries its grade and count as text, and the
same numbers stand in a table beside each chart.
"""

import datetime
import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from assets.models import AssetType
from assets.scales import UnknownGrade
from inspections.stats import NOT_INSPECTED

# rank → (fill, text colour with at least 4.5:1 contrast on that fill)
RANK_COLOURS = {
    1: ("#2166ac", "#ffffff"),
    2: ("#92c5de", "#000000"),
    3: ("#f4a582", "#000000"),
    4: ("#b2182b", "#ffffff"),
}
NOT_INSPECTED_COLOURS = ("#e6e6e6", "#000000")
STRAY_COLOURS = ("#7a7a7a", "#ffffff")  # a recorded code the type's scale no longer knows

BAR_WIDTH = 600
BAR_HEIGHT = 28
LABEL_WIDTH = 110  # the year labels left of the year-on-year bars
MIN_TEXT_WIDTH = 44  # narrower segments carry no text (the table has the number)


@dataclass
class GradeInfo:
    key: str
    code: str
    name: str
    rank: int | None
    fill: str
    ink: str


def grade_info(asset_type: AssetType, key: str) -> GradeInfo:
    if key == NOT_INSPECTED:
        return GradeInfo(key, "—", _("not inspected"), None, *NOT_INSPECTED_COLOURS)
    try:
        grade = asset_type.grading_scale.grade(key)
    except UnknownGrade:
        return GradeInfo(key, key, _("not on the current scale"), None, *STRAY_COLOURS)
    return GradeInfo(key, key, grade.name, grade.rank, *RANK_COLOURS.get(grade.rank, STRAY_COLOURS))


@dataclass
class Segment:
    grade: GradeInfo
    count: int
    share: float  # 0..100
    x: float
    width: float

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def shows_text(self) -> bool:
        return self.width >= MIN_TEXT_WIDTH


def segments(grades: list[GradeInfo], counts: dict[str, int], *, x0=0.0, width=BAR_WIDTH):
    """A 100 % stacked bar: one segment per grade with assets, best grade on the left."""
    total = sum(counts.get(g.key, 0) for g in grades)
    result, x = [], x0
    for grade in grades:
        n = counts.get(grade.key, 0)
        if not n:
            continue
        w = width * n / total
        result.append(Segment(grade, n, 100 * n / total, x, w))
        x += w
    return result


def describe(grades: list[GradeInfo], counts: dict[str, int]) -> str:
    """The bar in words, for its text alternative."""
    parts = [f"{g.code} {g.name}: {counts[g.key]}" for g in grades if counts.get(g.key) and g.key]
    if counts.get(NOT_INSPECTED):
        parts.append(f"{_('not inspected')}: {counts[NOT_INSPECTED]}")
    return "; ".join(parts) or _("no assets")


@dataclass
class BarRow:
    label: str
    y: float
    segments: list[Segment]
    total: int


def year_rows(grades, years) -> tuple[list[BarRow], float]:
    """One bar per year, the oldest on top; (rows, height of the drawing)."""
    rows = []
    for index, year in enumerate(years):
        label = (
            str(year.year) if not year.to_date else _("%(year)s (to date)") % {"year": year.year}
        )
        rows.append(
            BarRow(
                label=label,
                y=index * (BAR_HEIGHT + 8),
                segments=segments(grades, year.counts, x0=LABEL_WIDTH, width=BAR_WIDTH),
                total=year.total,
            )
        )
    return rows, len(rows) * (BAR_HEIGHT + 8)


# --- One asset's grade over time ---------------------------------------------------------------

STEP_WIDTH = 640
STEP_HEIGHT = 200
STEP_LEFT = 70
STEP_RIGHT = 16
STEP_TOP = 12
STEP_BOTTOM = 28


@dataclass
class StepChart:
    path: str
    points: list[tuple[float, float, str, str]]  # x, y, grade code, date
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    width: int = STEP_WIDTH
    height: int = STEP_HEIGHT

    @property
    def plot_left(self) -> int:
        return STEP_LEFT

    @property
    def plot_right(self) -> int:
        return STEP_WIDTH - STEP_RIGHT

    @property
    def plot_bottom(self) -> int:
        return STEP_HEIGHT - STEP_BOTTOM


def step_chart(asset_type: AssetType, history, today: datetime.date) -> StepChart | None:
    """Grade rank over time as steps: each effective inspection holds until the next, the
    last until today. `history` is (date, grade code, rank), oldest first."""
    if not history:
        return None
    ranks = [grade.rank for grade in asset_type.grading_scale.grades] or [1]
    low, high = min(ranks), max(max(ranks), *(rank for _, _, rank in history))
    start = history[0][0]
    end = max(today, history[-1][0])
    span = max((end - start).days, 1)
    inner_w = STEP_WIDTH - STEP_LEFT - STEP_RIGHT
    inner_h = STEP_HEIGHT - STEP_TOP - STEP_BOTTOM

    def x_of(day: datetime.date) -> float:
        return round(STEP_LEFT + inner_w * (day - start).days / span, 1)

    def y_of(rank: int) -> float:  # the best grade on top
        return round(STEP_TOP + inner_h * (rank - low) / max(high - low, 1), 1)

    commands, points = [], []
    for index, (day, code, rank) in enumerate(history):
        x, y = x_of(day), y_of(rank)
        commands.append(f"M {x} {y}" if index == 0 else f"H {x} V {y}")
        points.append((x, y, code, day.isoformat()))
    commands.append(f"H {x_of(end)}")
    y_ticks = [(y_of(g.rank), g.code) for g in asset_type.grading_scale.grades]
    years = range(start.year + 1, end.year + 1)
    step = max(1, math.ceil(len(years) / 6))
    x_ticks = [(x_of(datetime.date(y, 1, 1)), str(y)) for y in years[::step]]
    if not x_ticks:
        x_ticks = [(x_of(start), start.isoformat())]
    return StepChart(" ".join(commands), points, y_ticks, x_ticks)
