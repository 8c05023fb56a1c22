"""Read-only questions of the inspection overviews: what falls due where, how the assets'
conditions are spread, and how that spread moved year on year.

Each answer is a handful of grouped queries (one per year for the year-on-year spread),
never a query per asset. A year's spread is read from the condition history (grades_as_of),
and this year's is the current spread itself, so the two never disagree. The assets are
those in service of the user's organisations (inspections.selectors.assets_to_inspect); the
area is the town of inspections/areas.py.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import Case, CharField, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from assets.models import AssetType, Town
from inspections import areas
from inspections.selectors import (
    AssetSelection,
    assets_to_inspect,
    due_condition,
    effective_inspections,
)

NOT_INSPECTED = ""  # the grade key of assets without an effective inspection
MAX_YEARS = 10


# --- What falls due ---------------------------------------------------------------------------


@dataclass
class DueCount:
    area: Town | None
    overdue: int = 0
    upcoming: int = 0
    never: int = 0
    total: int = 0

    def add(self, other: "DueCount") -> None:
        self.overdue += other.overdue
        self.upcoming += other.upcoming
        self.never += other.never
        self.total += other.total


@dataclass
class DueByType:
    asset_type: AssetType
    areas: list[DueCount]
    total: DueCount


def due_counts(
    user, selection: AssetSelection, *, today: datetime.date, towns: list[Town] | None = None
) -> list[DueByType]:
    """Per asset type with an inspection cycle and per area: how many assets are overdue,
    fall due within `selection.days`, were never inspected, and are in service. The
    selection's due state is ignored (these are the due states)."""
    towns = areas.towns() if towns is None else towns
    qs = assets_to_inspect(
        user, replace(selection, due="all"), today=today, towns=towns, annotate_area=True
    ).filter(asset_type__inspection_cycle_months__isnull=False)

    def count(state):
        return Count("pk", filter=due_condition(state, today=today, days=selection.days))

    rows = (
        qs.values("asset_type_id", "area_id")
        .annotate(
            overdue=count("overdue"),
            upcoming=count("upcoming"),
            never=count("never"),
            total=Count("pk"),
        )
        .order_by()
    )
    town_by_id = {town.pk: town for town in towns}
    order = {town.pk: index for index, town in enumerate(towns)}
    grouped: dict[int, list[DueCount]] = {}
    for row in rows:
        grouped.setdefault(row["asset_type_id"], []).append(
            DueCount(
                area=town_by_id.get(row["area_id"]),
                overdue=row["overdue"],
                upcoming=row["upcoming"],
                never=row["never"],
                total=row["total"],
            )
        )
    result = []
    for asset_type in AssetType.objects.filter(pk__in=grouped):
        counts = sorted(
            grouped[asset_type.pk],
            key=lambda c: order[c.area.pk] if c.area is not None else len(order),
        )
        total = DueCount(area=None)
        for item in counts:
            total.add(item)
        result.append(DueByType(asset_type=asset_type, areas=counts, total=total))
    return result


# --- How conditions are spread ----------------------------------------------------------------


def grade_keys(asset_type: AssetType, counts: dict[str, int]) -> list[str]:
    """The scale's grades best first, then any recorded code the scale no longer knows,
    then NOT_INSPECTED."""
    known = asset_type.grading_scale.codes()
    strays = sorted(k for k in counts if k not in known and k != NOT_INSPECTED)
    return [*known, *strays, NOT_INSPECTED]


@dataclass
class Distribution:
    """How many assets of a type stand at each grade (NOT_INSPECTED included)."""

    asset_type: AssetType
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def ordered_keys(self) -> list[str]:
        return grade_keys(self.asset_type, self.counts)

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def share(self, key: str) -> float:
        """The percentage of the assets at this grade key (0 when there are none)."""
        return 100 * self.count(key) / self.total if self.total else 0.0


def _by_type(rows, key: str) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        grade = row[key] or NOT_INSPECTED
        per_type = counts.setdefault(row["asset_type_id"], {})
        per_type[grade] = per_type.get(grade, 0) + row["n"]
    return counts


def _recorded_grades(qs) -> dict[int, dict[str, int]]:
    """Per type, how many of the assets stand at each grade recorded on them now."""
    rows = qs.values("asset_type_id", "condition_grade").annotate(n=Count("pk")).order_by()
    return _by_type(rows, "condition_grade")


def condition_distribution(
    user, selection: AssetSelection, *, today: datetime.date, towns: list[Town] | None = None
) -> list[Distribution]:
    """The current grade of each type's assets (the condition the inspections services
    keep on every asset), per type."""
    qs = assets_to_inspect(user, replace(selection, due="all"), today=today, towns=towns)
    counts = _recorded_grades(qs)
    return [
        Distribution(asset_type=asset_type, counts=counts[asset_type.pk])
        for asset_type in AssetType.objects.filter(pk__in=counts)
    ]


# --- Year on year -----------------------------------------------------------------------------


@dataclass
class YearDistribution:
    year: int
    as_of: datetime.date  # the 31st of December, or today for the current year
    counts: dict[str, int]
    changes: dict[str, int]  # against the year before, per grade key

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def to_date(self) -> bool:
        return self.as_of.month != 12 or self.as_of.day != 31

    def share(self, key: str) -> float:
        """The percentage of the year's assets at this grade key (0 when there are none)."""
        return 100 * self.counts.get(key, 0) / self.total if self.total else 0.0


@dataclass
class TypeYears:
    asset_type: AssetType
    years: list[YearDistribution]

    def ordered_keys(self) -> list[str]:
        merged: dict[str, int] = {}
        for year in self.years:
            merged.update(year.counts)
        return grade_keys(self.asset_type, merged)


def grades_as_of(
    user,
    selection: AssetSelection,
    as_of: datetime.date,
    *,
    today: datetime.date,
    towns: list[Town] | None = None,
) -> dict[int, dict[str, int]]:
    """Per type, how many assets stood at each grade at the end of the day `as_of`, read from
    the condition history: each asset's latest effective (not superseded) inspection of that
    day or before (local time), or the grade recorded on the asset when that was recorded on
    the same day or later without an inspection behind it (a grade from the paper ledger,
    entered by hand). Assets installed after `as_of` are left out; an asset with neither
    counts as NOT_INSPECTED.

    From `today` on, the latest grade is the one recorded on each asset, so the answer is
    exactly the current spread (condition_distribution): the assets in service today,
    whatever their install date."""
    qs = assets_to_inspect(user, replace(selection, due="all"), today=today, towns=towns)
    if as_of >= today:
        return _recorded_grades(qs)
    tz = timezone.get_current_timezone()
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time(), tz)
    latest = (
        effective_inspections()
        .filter(asset=OuterRef("pk"), performed_at__lt=end)
        .order_by("-performed_at", "-id")
    )
    # The grade recorded on the asset is the newest point of its history; it stands for the
    # end of `as_of` when it dates from then or before and no later inspection replaced it.
    recorded_counts = Q(
        condition_grade__gt="", last_inspected_on__isnull=False, last_inspected_on__lte=as_of
    ) & (Q(inspected_on__isnull=True) | Q(last_inspected_on__gte=F("inspected_on")))
    rows = (
        qs.exclude(install_date__gt=as_of)
        .annotate(
            inspected_grade=Subquery(latest.values("overall_grade")[:1]),
            inspected_on=Subquery(
                latest.annotate(day=TruncDate("performed_at", tzinfo=tz)).values("day")[:1]
            ),
        )
        .annotate(
            grade=Case(
                When(recorded_counts, then=F("condition_grade")),
                default=Coalesce("inspected_grade", Value(NOT_INSPECTED)),
                output_field=CharField(),
            )
        )
        .values("asset_type_id", "grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _by_type(rows, "grade")


def condition_by_year(
    user,
    selection: AssetSelection,
    *,
    years: int = 5,
    today: datetime.date,
    towns: list[Town] | None = None,
) -> list[TypeYears]:
    """For each of the last `years` years (this one included, as of today), each type's
    spread of grades at the year's end (grades_as_of) and its change from the year before.
    This year's spread is the current one. One grouped query per year, plus one for the
    year before the first."""
    years = max(1, min(years, MAX_YEARS))
    if towns is None and selection.area is not None:
        towns = areas.towns()  # once, not once a year
    first = today.year - years + 1
    per_year = {
        year: grades_as_of(
            user, selection, min(datetime.date(year, 12, 31), today), today=today, towns=towns
        )
        for year in range(first - 1, today.year + 1)
    }
    type_ids = {type_id for counts in per_year.values() for type_id in counts}
    result = []
    for asset_type in AssetType.objects.filter(pk__in=type_ids):
        rows = []
        for year in range(first, today.year + 1):
            counts = per_year[year].get(asset_type.pk, {})
            before = per_year[year - 1].get(asset_type.pk, {})
            keys = set(counts) | set(before)
            rows.append(
                YearDistribution(
                    year=year,
                    as_of=min(datetime.date(year, 12, 31), today),
                    counts=counts,
                    changes={k: counts.get(k, 0) - before.get(k, 0) for k in keys},
                )
            )
        result.append(TypeYears(asset_type=asset_type, years=rows))
    return result
