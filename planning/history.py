"""The condition history of one asset type as the deterioration model reads it: each asset's
runs of inspections between works, grade indexes (0 = the scale's best) and years between.

A corrected inspection counts once, as corrected. A recorded work (planning.models.Work)
between two inspections starts a new run; a work on the day of an inspection is taken to
follow it (the repair of what the inspection found). Where no work was recorded, a grade that
rises by two or more steps at once is taken as an unrecorded repair and also starts a new
run, while a rise by one step stays in the run, where the joint model reads it as a likely
misreading.
"""

from collections.abc import Iterator

from django.utils import timezone

from assets.models import AssetType
from inspections.models import Inspection
from planning.deterioration import DAYS_PER_YEAR, Run
from planning.models import Work

UNRECORDED_REPAIR = 2  # grades better at once: a repair nobody recorded


def runs_of_type(asset_type: AssetType) -> Iterator[Run]:
    """Every run of the type's assets, read in one pass in (asset, time) order."""
    rows = (
        Inspection.objects.filter(asset__asset_type=asset_type, superseded_by__isnull=True)
        .order_by("asset_id", "performed_at", "id")
        .values_list("asset_id", "performed_at", "grade_rank")
        .iterator(chunk_size=5000)
    )
    works: dict[int, list] = {}
    for asset_id, done_on in Work.objects.filter(asset__asset_type=asset_type).values_list(
        "asset_id", "done_on"
    ):
        works.setdefault(asset_id, []).append(done_on)
    asset, grades, gaps, last = None, [], [], None
    for asset_id, performed_at, rank in rows:
        grade, day = rank - 1, timezone.localdate(performed_at)
        if asset_id != asset or _repaired(grades, grade, last, day, works.get(asset_id, ())):
            if grades:
                yield Run(tuple(grades), tuple(gaps))
            asset, grades, gaps = asset_id, [], []
        else:
            gaps.append(max((performed_at - last[0]).total_seconds() / 86400, 1) / DAYS_PER_YEAR)
        grades.append(grade)
        last = (performed_at, day)
    if grades:
        yield Run(tuple(grades), tuple(gaps))


def _repaired(grades, grade, last, day, work_days) -> bool:
    """Was the asset repaired since the last inspection: a work recorded from the day of
    the last inspection up to the day before this one, or a rise of two grades at once?"""
    if not grades:
        return False
    return grades[-1] - grade >= UNRECORDED_REPAIR or any(last[1] <= w < day for w in work_days)
