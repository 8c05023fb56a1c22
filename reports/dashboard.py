"""The managers' dashboard in figures: faults in and out per week, what is overdue where, how
long fixes take, and where open faults cluster, for the reports a staff member may read.

Every figure is one or a few grouped queries (two for the weeks, three for the fix times,
four for what is overdue, two for the map), never a loop over reports, and uses the
queue's own conditions (reports.selectors.queue, days_q, fix_time), so that the queue filter
a figure links to lists exactly the reports it counts. Weeks run Monday to Sunday in the
city's time zone; the last is the current week, to date. The SQL is the same on SpatiaLite
and PostGIS: the percentiles are read off the sorted durations with LIMIT/OFFSET (see
fix_times) rather than with PostgreSQL's percentile_cont, which SQLite lacks.

On a city's host (several cities) every figure is of that city's reports and its towns only,
a superuser's too (`where`: the request).
"""

import datetime
import math
from dataclasses import dataclass

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import Floor
from django.utils import timezone

from accounts.cities import in_city
from accounts.models import Organization
from assets.models import FaultCategory, Town
from reports.models import Report
from reports.selectors import (
    QueueFilter,
    day_start,
    days_q,
    fix_time,
    queue,
    reports_for_user,
)

WEEKS = 12
FIXED_STATUSES = (Report.Status.FIXED, Report.Status.CLOSED)
# The map's squares: 0.0125° of longitude by 0.01° of latitude, about 1.1 km each way in
# Japan. Decimal steps keep each square's edges exact in the queue's bbox filter.
CELL_LON, CELL_LAT = 0.0125, 0.01
MAX_CELLS = 400  # the densest squares on the map; the rest are single faults far apart


@dataclass(frozen=True)
class Week:
    first: datetime.date  # a Monday
    last: datetime.date  # the Sunday after it
    new: int  # reports that came in during the week (of any status now)
    fixed: int  # reports fixed during the week (and fixed or closed now)
    still_open: int  # open at the end of the week; for the current week, open now
    current: bool = False


@dataclass(frozen=True)
class FixTimes:
    """Fixes of the last WEEKS weeks: how long they took from report to fix, and how many
    met the response target."""

    count: int
    median: datetime.timedelta | None
    p90: datetime.timedelta | None
    with_target: int  # fixes of reports that had a response target
    within_target: int  # …fixed by it

    @property
    def share_within_target(self) -> float | None:
        return 100 * self.within_target / self.with_target if self.with_target else None


@dataclass(frozen=True)
class Overdue:
    """Open reports past their response target (the queue's "overdue"), per section and per
    category, the most first."""

    total: int
    by_owner: list[tuple[Organization, int]]
    by_category: list[tuple[FaultCategory, int]]


@dataclass(frozen=True)
class Cell:
    """A square of the map with the open faults in it."""

    ix: int
    iy: int
    count: int
    town: str = ""  # the nearest town's name, for the list beside the map
    side: str = ""  # where the square lies from that town's centre ("ne"), "" when on it

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (
            self.ix * CELL_LON,
            self.iy * CELL_LAT,
            (self.ix + 1) * CELL_LON,
            (self.iy + 1) * CELL_LAT,
        )

    @property
    def centre(self) -> tuple[float, float]:
        west, south, east, north = self.bbox
        return ((west + east) / 2, (south + north) / 2)


@dataclass(frozen=True)
class Dashboard:
    now: datetime.datetime
    weeks: list[Week]
    fixes: FixTimes
    overdue: Overdue
    cells: list[Cell]

    @property
    def open_now(self) -> int:
        return self.weeks[-1].still_open

    @property
    def this_week(self) -> Week:
        return self.weeks[-1]

    @property
    def first_day(self) -> datetime.date:
        return self.weeks[0].first


def week_days(now: datetime.datetime, count: int = WEEKS) -> list[datetime.date]:
    """The Mondays of the last `count` weeks, the current week's last."""
    monday = timezone.localdate(now) - datetime.timedelta(days=timezone.localdate(now).weekday())
    return [monday - datetime.timedelta(weeks=count - 1 - index) for index in range(count)]


def _week_bounds(now):
    return [(first, first + datetime.timedelta(days=6)) for first in week_days(now)]


def weekly(reports: QuerySet[Report], *, now: datetime.datetime) -> list[Week]:
    """New, fixed and still open `reports` (those a user may read: reports_for_user) per
    week over the last WEEKS weeks: two queries. A report fixed and reopened since counts
    as open at the ends of the weeks in between (the figures read today's status)."""
    bounds = _week_bounds(now)
    start = day_start(bounds[0][0])
    counts = {}
    for index, (first, last) in enumerate(bounds):
        end = day_start(last + datetime.timedelta(days=1))
        counts[f"new_{index}"] = Count("pk", filter=days_q("created_at", first, last))
        # Open at the end of the week: in by then, and not (ended now, and before it; a
        # fixed or closed report without an end counts as ended long ago).
        ended_before = Q(status__in=FIXED_STATUSES) & (
            Q(ended_at__lt=end) | Q(ended_at__isnull=True)
        )
        counts[f"open_{index}"] = Count("pk", filter=Q(created_at__lt=end) & ~ended_before)
    figures = reports.filter(
        Q(created_at__gte=start)
        | ~Q(status__in=FIXED_STATUSES)
        | Q(ended_at__gte=start)
        | Q(ended_at__isnull=True)
    ).aggregate(**counts)
    fixed = _fixed(reports, start).aggregate(
        **{
            f"fixed_{index}": Count("pk", filter=days_q("fixed_at", first, last))
            for index, (first, last) in enumerate(bounds)
        }
    )
    return [
        Week(
            first=first,
            last=last,
            new=figures[f"new_{index}"],
            fixed=fixed[f"fixed_{index}"],
            still_open=figures[f"open_{index}"],
            current=index == len(bounds) - 1,
        )
        for index, (first, last) in enumerate(bounds)
    ]


def _fixed(reports: QuerySet[Report], start: datetime.datetime) -> QuerySet[Report]:
    """Reports fixed since `start` (and fixed or closed now), with `fixed_at`: what the
    queue lists for status=fixed&status=closed&fixed_since=<start's day>."""
    return (
        reports.filter(status__in=FIXED_STATUSES)
        .filter(Q(ended_at__gte=start) | Q(ended_at__isnull=True))
        .annotate(fixed_at=fix_time())
        .filter(fixed_at__gte=start)
    )


def fix_times(reports: QuerySet[Report], *, now: datetime.datetime) -> FixTimes:
    """From report to fix, over the fixes of the last WEEKS weeks: the median and the 90th
    percentile (interpolated between the two nearest fixes, as PostgreSQL's percentile_cont
    does), and the share fixed within the response target. Three queries: the counts, and
    for each percentile the one or two durations around it, sorted by the database."""
    start = day_start(week_days(now)[0])
    fixed = _fixed(reports, start).filter(fixed_at__lte=now)
    counts = fixed.aggregate(
        count=Count("pk"),
        with_target=Count("pk", filter=Q(respond_by__isnull=False)),
        within_target=Count(
            "pk", filter=Q(respond_by__isnull=False, fixed_at__lte=F("respond_by"))
        ),
    )
    durations = (
        fixed.annotate(
            took=ExpressionWrapper(F("fixed_at") - F("created_at"), output_field=DurationField())
        )
        .order_by("took", "pk")
        .values_list("took", flat=True)
    )

    def percentile(share: float) -> datetime.timedelta | None:
        if not counts["count"]:
            return None
        rank = share * (counts["count"] - 1)
        low = math.floor(rank)
        around = list(durations[low : low + 2])
        if len(around) == 1 or rank == low:
            return around[0]
        return around[0] + (around[1] - around[0]) * (rank - low)

    return FixTimes(
        count=counts["count"],
        median=percentile(0.5),
        p90=percentile(0.9),
        with_target=counts["with_target"],
        within_target=counts["within_target"],
    )


def overdue(user, *, now: datetime.datetime, where=None) -> Overdue:
    """The queue's overdue reports per section and per category: two grouped queries over
    the queue itself, and one each for the names."""
    late = in_city(queue(user, filters=QueueFilter(overdue=True), now=now), where).order_by()
    by_owner = list(late.values("owner_id").annotate(n=Count("pk")).order_by("-n", "owner_id"))
    by_category = list(
        late.values("category_id").annotate(n=Count("pk")).order_by("-n", "category_id")
    )
    owners = Organization.objects.in_bulk([row["owner_id"] for row in by_owner])
    categories = FaultCategory.objects.in_bulk([row["category_id"] for row in by_category])
    return Overdue(
        total=sum(row["n"] for row in by_owner),
        by_owner=[(owners[row["owner_id"]], row["n"]) for row in by_owner],
        by_category=[(categories[row["category_id"]], row["n"]) for row in by_category],
    )


def _coordinate(function: str):
    return Func("location", function=function, output_field=FloatField())  # ST_X / ST_Y on both


def open_cells(reports: QuerySet[Report], *, named: int = 8, where=None) -> list[Cell]:
    """Open `reports` counted per square of the map (CELL_LON × CELL_LAT), the densest
    first; the first `named` carry the name of the town nearest to them."""
    rows = (
        reports.filter(status__in=Report.OPEN_STATUSES)
        .annotate(
            ix=Floor(_coordinate("ST_X") / CELL_LON), iy=Floor(_coordinate("ST_Y") / CELL_LAT)
        )
        .values("ix", "iy")
        .annotate(n=Count("pk"))
        .order_by("-n", "iy", "ix")[:MAX_CELLS]
    )
    cells = [Cell(int(row["ix"]), int(row["iy"]), row["n"]) for row in rows]
    towns = list(Town.of(where).only("name", "centre")) if cells else []
    return [_named(c, towns) if index < named and towns else c for index, c in enumerate(cells)]


SIDES = ("e", "ne", "n", "nw", "w", "sw", "s", "se")  # anticlockwise from the east


def _named(cell: Cell, towns: list[Town]) -> Cell:
    """The cell with the town whose centre is nearest to its own, and the side of that
    centre it lies on (none when the centre lies in the square)."""
    lon, lat = cell.centre
    scale = math.cos(math.radians(lat))

    def offset(town):
        return ((lon - town.centre.x) * scale, lat - town.centre.y)

    town = min(towns, key=lambda t: math.hypot(*offset(t)))
    west, south, east, north = cell.bbox
    if west <= town.centre.x < east and south <= town.centre.y < north:
        return Cell(cell.ix, cell.iy, cell.count, town.name)
    dx, dy = offset(town)
    sector = round(math.degrees(math.atan2(dy, dx)) / 45) % 8
    return Cell(cell.ix, cell.iy, cell.count, town.name, SIDES[sector])


def dashboard(user, *, now: datetime.datetime | None = None, where=None) -> Dashboard:
    """Every figure of the dashboard for this user's reports of the city `where` names (a
    request; None: every city's), as of `now`."""
    now = now or timezone.now()
    reports = in_city(reports_for_user(user), where)
    return Dashboard(
        now=now,
        weeks=weekly(reports, now=now),
        fixes=fix_times(reports, now=now),
        overdue=overdue(user, now=now, where=where),
        cells=open_cells(reports, where=where),
    )
