"""Read-only questions of the inspection overviews: what falls due where, how the assets'
conditions are spread, and how that spread moved year on year.

Each answer is a handful of grouped queries (one per year for the year-on-year spread),
never a query per asset. The assets are those in service of the user's organisations
(inspections.selectors.assets_to_inspect); the area is the town of inspections/areas.py.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
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


def _by_type(rows, key: str) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        grade = row[key] or NOT_INSPECTED
        per_type = counts.setdefault(row["asset_type_id"], {})
        per_type[grade] = per_type.get(grade, 0) + row["n"]
    return counts


def condition_distribution(
    user, selection: AssetSelection, *, today: datetime.date, towns: list[Town] | None = None
) -> list[Distribution]:
    """The current grade of each type's assets (the condition the inspections services
    keep on every asset), per type."""
    qs = assets_to_inspect(user, replace(selection, due="all"), today=today, towns=towns)
    rows = qs.values("asset_type_id", "condition_grade").annotate(n=Count("pk")).order_by()
    counts = _by_type(rows, "condition_grade")
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


@dataclass
class TypeYears:
    asset_type: AssetType
    years: list[YearDistribution]

    def ordered_keys(self) -> list[str]:
        merged: dict[str, int] = {}
        for year in self.years:
            merged.update(year.counts)
        return grade_keys(self.asset_type, merged)


def grades_at_year_end(
    user,
    selection: AssetSelection,
    year: int,
    *,
    today: datetime.date,
    towns: list[Town] | None = None,
) -> dict[int, dict[str, int]]:
    """Per type, how many assets stood at each grade at the end of `year`: the grade of each
    asset's latest effective (not superseded) inspection performed before the next year
    began, local time. The assets are those in service today, less those installed after
    that year; an asset without such an inspection counts as NOT_INSPECTED."""
    end = datetime.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    latest = (
        effective_inspections()
        .filter(asset=OuterRef("pk"), performed_at__lt=end)
        .order_by("-performed_at", "-id")
        .values("overall_grade")[:1]
    )
    qs = (
        assets_to_inspect(user, replace(selection, due="all"), today=today, towns=towns)
        .exclude(install_date__gt=datetime.date(year, 12, 31))
        .annotate(grade=Coalesce(Subquery(latest), Value(NOT_INSPECTED)))
        .values("asset_type_id", "grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _by_type(qs, "grade")


def condition_by_year(
    user,
    selection: AssetSelection,
    *,
    years: int = 5,
    today: datetime.date,
    towns: list[Town] | None = None,
) -> list[TypeYears]:
    """For each of the last `years` years (this one included, as of today), each type's
    spread of grades at the year's end and its change from the year before. One grouped
    query per year, plus one for the year before the first."""
    years = max(1, min(years, MAX_YEARS))
    if towns is None and selection.area is not None:
        towns = areas.towns()  # once, not once a year
    first = today.year - years + 1
    per_year = {
        year: grades_at_year_end(user, selection, year, today=today, towns=towns)
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
