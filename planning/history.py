"""The condition history of one asset type as the deterioration model reads it: each asset's
runs of inspections between works, grade indexes (0 = the scale's best) and years between,
and where the asset stands now (the grade and day a forecast starts from).

A corrected inspection counts once, as corrected. A recorded work (planning.models.Work)
between two inspections starts a new run; a work on the day of an inspection is taken to
follow it (the repair of what the inspection found). Where no work was recorded, a grade that
rises by two or more steps at once is taken as an unrecorded repair and also starts a new
run, while a rise by one step stays in the run, where the joint model reads it as a likely
misreading. A work after the last inspection sets where the asset stands: the grade after
the work when somebody recorded it, else the best grade for a repair or renewal, and the
grade as last inspected for a preventive treatment (it slows wear; it does not undo it).
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from assets.models import AssetType
from inspections.models import Inspection
from planning.deterioration import DAYS_PER_YEAR, Run
from planning.models import Work

UNRECORDED_REPAIR = 2  # grades better at once: a repair nobody recorded


@dataclass
class AssetHistory:
    asset_id: int
    runs: list[Run] = field(default_factory=list)
    grade: int = 0  # where the asset stands now (grade index) ...
    since: datetime.date | None = None  # ... and since when


def runs_of_type(asset_type: AssetType) -> Iterator[Run]:
    """Every run of the type's assets."""
    for history in histories_of_type(asset_type):
        yield from history.runs


def histories_of_type(asset_type: AssetType) -> Iterator[AssetHistory]:
    """Each inspected asset's runs and standing, read in one pass in (asset, time) order."""
    rows = (
        Inspection.objects.filter(asset__asset_type=asset_type, superseded_by__isnull=True)
        .order_by("asset_id", "performed_at", "id")
        .values_list("asset_id", "performed_at", "grade_rank")
        .iterator(chunk_size=5000)
    )
    works: dict[int, list] = {}
    for asset_id, done_on, kind, grade_after in (
        Work.objects.filter(asset__asset_type=asset_type)
        .order_by("done_on", "id")
        .values_list("asset_id", "done_on", "kind", "grade_after")
    ):
        works.setdefault(asset_id, []).append((done_on, kind, grade_after))
    codes = asset_type.grading_scale.codes()
    history, grades, gaps, last = None, [], [], None
    for asset_id, performed_at, rank in rows:
        grade, day = rank - 1, timezone.localdate(performed_at)
        if history is None or asset_id != history.asset_id:
            if history is not None:
                yield _close(history, grades, gaps, last, works, codes)
            history, grades, gaps = AssetHistory(asset_id), [], []
        elif _repaired(grades, grade, last, day, works.get(asset_id, ())):
            history.runs.append(Run(tuple(grades), tuple(gaps)))
            grades, gaps = [], []
        else:
            gaps.append(max((performed_at - last[0]).total_seconds() / 86400, 1) / DAYS_PER_YEAR)
        grades.append(grade)
        last = (performed_at, day)
    if history is not None:
        yield _close(history, grades, gaps, last, works, codes)


def _close(history, grades, gaps, last, works, codes) -> AssetHistory:
    history.runs.append(Run(tuple(grades), tuple(gaps)))
    history.grade, history.since = grades[-1], last[1]
    for done_on, kind, grade_after in works.get(history.asset_id, ()):
        if done_on < history.since:
            continue
        if grade_after in codes:
            history.grade = codes.index(grade_after)
        elif kind != Work.Kind.PREVENTIVE:
            history.grade = 0
        history.since = done_on
    return history


def _repaired(grades, grade, last, day, works) -> bool:
    """Was the asset repaired since the last inspection: a work recorded from the day of
    the last inspection up to the day before this one, or a rise of two grades at once?"""
    if not grades:
        return False
    return grades[-1] - grade >= UNRECORDED_REPAIR or any(last[1] <= w[0] < day for w in works)
