"""Geometry of the small SVG charts on the inspection screens, drawn on the server: a type's
grades now (one stacked bar), their trend year on year (stacked columns, one a year, the
current year's being the current bar), and one asset's grade over time (steps).

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
from inspections.stats import NOT_INSPECTED, Distribution, TypeYears, YearDistribution, grade_keys

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
MIN_TEXT_WIDTH = 44  # narrower segments carry no text (the table has the number)


@dataclass
class GradeInfo:
    key: str
    code: str
    name: str
    rank: int | None
    fill: str
    ink: str

    @property
    def label(self) -> str:
        """The grade in words: "II 予防保全段階", or only "未点検"."""
        return f"{self.code} {self.name}" if self.key and self.key != NOT_INSPECTED else self.name


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


# --- The trend: one stacked column a year ------------------------------------------------------

TREND_WIDTH = 560
TREND_HEIGHT = 300
TREND_LEFT = 48  # the percentage ticks
TREND_RIGHT = 8
TREND_TOP = 10
TREND_BOTTOM = 44  # the year, and "to date" under the current one
MIN_TEXT_HEIGHT = 16  # lower segments carry no text (the table has the number)
MAX_COLUMN_WIDTH = 64


@dataclass
class ColumnSegment:
    grade: GradeInfo
    count: int
    share: float  # 0..100
    y: float
    height: float

    @property
    def shows_text(self) -> bool:
        return self.height >= MIN_TEXT_HEIGHT

    @property
    def text_y(self) -> float:
        return self.y + self.height / 2


@dataclass
class Column:
    year: int
    to_date: bool
    x: float  # left edge
    width: float
    segments: list[ColumnSegment]

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass
class TrendChart:
    columns: list[Column]
    y_ticks: list[tuple[float, str]]  # y, "50%"
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT

    @property
    def plot_left(self) -> int:
        return TREND_LEFT

    @property
    def plot_right(self) -> int:
        return TREND_WIDTH - TREND_RIGHT

    @property
    def plot_bottom(self) -> int:
        return TREND_HEIGHT - TREND_BOTTOM

    @property
    def year_y(self) -> int:
        return TREND_HEIGHT - TREND_BOTTOM + 18

    @property
    def to_date_y(self) -> int:
        return TREND_HEIGHT - 6


def trend_chart(grades: list[GradeInfo], years: list[YearDistribution]) -> TrendChart:
    """A 100 % stacked column per year, the oldest on the left; in each the best grade at
    the bottom and the assets not inspected on top."""
    inner_h = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    bottom = TREND_HEIGHT - TREND_BOTTOM
    slot = (TREND_WIDTH - TREND_LEFT - TREND_RIGHT) / max(len(years), 1)
    width = min(MAX_COLUMN_WIDTH, slot * 0.64)
    columns = []
    for index, year in enumerate(years):
        y, stack = float(bottom), []
        for grade in grades:
            count = year.counts.get(grade.key, 0)
            if not count:
                continue
            height = inner_h * count / year.total
            y -= height
            stack.append(ColumnSegment(grade, count, year.share(grade.key), y, height))
        x = TREND_LEFT + slot * index + (slot - width) / 2
        columns.append(Column(year.year, year.to_date, x, width, stack))
    ticks = [(bottom - inner_h * p / 100, f"{p}%") for p in (0, 25, 50, 75, 100)]
    return TrendChart(columns, ticks)


# --- A type's figures, as the conditions page shows them -------------------------------------


@dataclass
class GradeCount:
    grade: GradeInfo
    count: int
    share: float


@dataclass
class YearCell:
    count: int
    share: float
    change: int


@dataclass
class YearRow:
    year: YearDistribution
    label: str
    cells: list[YearCell]
    description: str


@dataclass
class TypeConditions:
    """A type's grades now (bar and table) and year on year (columns and table)."""

    asset_type: AssetType
    grades: list[GradeInfo]
    total: int
    current: list[GradeCount]
    segments: list[Segment]
    description: str
    years: list[YearRow]
    trend: TrendChart


def year_label(year: YearDistribution) -> str:
    return _("%(year)s (to date)") % {"year": year.year} if year.to_date else str(year.year)


def type_conditions(distribution: Distribution, by_year: TypeYears | None) -> TypeConditions:
    """The figures of one type: its grades (those of the scale, then any stray code, then
    "not inspected"), the current spread and the spread at the end of each year."""
    asset_type = distribution.asset_type
    years = by_year.years if by_year is not None else []
    merged = dict(distribution.counts)
    for year in years:
        merged.update(year.counts)
    grades = [grade_info(asset_type, key) for key in grade_keys(asset_type, merged)]
    return TypeConditions(
        asset_type=asset_type,
        grades=grades,
        total=distribution.total,
        current=[
            GradeCount(g, distribution.count(g.key), distribution.share(g.key)) for g in grades
        ],
        segments=segments(grades, distribution.counts),
        description=describe(grades, distribution.counts),
        years=[
            YearRow(
                year=year,
                label=year_label(year),
                cells=[
                    YearCell(
                        year.counts.get(g.key, 0), year.share(g.key), year.changes.get(g.key, 0)
                    )
                    for g in grades
                ],
                description=f"{year_label(year)}: {describe(grades, year.counts)}",
            )
            for year in years
        ],
        trend=trend_chart(grades, years),
    )


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
