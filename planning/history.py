"""The condition history of one asset type as the deterioration model reads it: each asset's
runs of inspections between works, grade indexes (0 = the scale's best) and years between.

A corrected inspection counts once, as corrected. Works are not recorded yet (they come with
the work records of this issue); until then a grade that rises by two or more steps between
two inspections is taken as an unrecorded repair and starts a new run, while a rise by one
step stays in the run, where the joint model reads it as a likely misreading.
"""

from collections.abc import Iterator

from assets.models import AssetType
from inspections.models import Inspection
from planning.deterioration import DAYS_PER_YEAR, Run

UNRECORDED_REPAIR = 2  # grades better at once: a repair nobody recorded


def runs_of_type(asset_type: AssetType) -> Iterator[Run]:
    """Every run of the type's assets, read in one pass in (asset, time) order."""
    rows = (
        Inspection.objects.filter(asset__asset_type=asset_type, superseded_by__isnull=True)
        .order_by("asset_id", "performed_at", "id")
        .values_list("asset_id", "performed_at", "grade_rank")
        .iterator(chunk_size=5000)
    )
    asset, grades, gaps, last = None, [], [], None
    for asset_id, performed_at, rank in rows:
        grade = rank - 1
        repaired = grades and grades[-1] - grade >= UNRECORDED_REPAIR
        if asset_id != asset or repaired:
            if grades:
                yield Run(tuple(grades), tuple(gaps))
            asset, grades, gaps = asset_id, [], []
        elif last is not None:
            gaps.append(max((performed_at - last).total_seconds() / 86400, 1) / DAYS_PER_YEAR)
        grades.append(grade)
        last = performed_at
    if grades:
        yield Run(tuple(grades), tuple(gaps))
