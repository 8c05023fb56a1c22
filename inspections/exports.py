"""The inspection lists as Excel files people open: the assets of a filter (what is due,
overdue, never inspected), the due counts per type and town, the assignments, and one
assignment's stops. Column names and words (grades with their names, due states, statuses)
in the active language, dates as Excel dates, what was asked for in the first rows
(assets/xlsxfiles.py)."""

import datetime
from collections.abc import Iterable, Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from assets import xlsxfiles
from assets.models import AssetType
from assets.scales import UnknownGrade
from assets.xlsxfiles import DATE, DATETIME, NUMBER, Column
from inspections.models import Assignment


def grade_words(asset_type: AssetType, code: str) -> str:
    """ "III 早期措置段階": a grade's code with its name on the type's scale (the code alone
    when the scale does not know it)."""
    if not code:
        return ""
    try:
        grade = asset_type.grading_scale.grade(code)
    except (UnknownGrade, KeyError):
        return code
    return f"{grade.code} {grade.name}"


def due_words(asset, *, today: datetime.date, days: int) -> str:
    """The asset's due state as the filter names it: overdue, due soon, never inspected."""
    due = asset.next_inspection_due
    if due is not None and due < today:
        return _("Overdue")
    if due is not None and due <= today + datetime.timedelta(days=days):
        return _("Due soon")
    if asset.last_inspected_on is None and asset.asset_type.inspection_cycle_months:
        return _("Never inspected")
    return ""


def _file(title: str, about, columns, rows, now) -> IO[bytes]:
    return xlsxfiles.table_file(
        title=title,
        sheet_title=title,
        about=[*about, (_("Exported at"), now)],
        columns=columns,
        rows=rows,
    )


# --- The assets of a filter ----------------------------------------------------------------


def asset_columns() -> list[Column]:
    return [
        Column(_("Ledger id"), 14),
        Column(_("Asset type"), 16),
        Column(_("Name"), 20),
        Column(_("Address"), 28),
        Column(_("Area (town)"), 14),
        Column(_("Owner section"), 20),
        Column(_("Grade"), 18),
        Column(_("Last inspected"), 12, DATE),
        Column(_("Next due"), 12, DATE),
        Column(_("Due state"), 14),
    ]


def asset_rows(assets: Iterable, *, towns: list, today: datetime.date, days: int) -> Iterator[list]:
    """One row per asset of a listed queryset (its type, owner and `area_id` at hand)."""
    town_by_id = {town.pk: town for town in towns}
    for asset in assets:
        area = town_by_id.get(getattr(asset, "area_id", None))
        yield [
            asset.ledger_id,
            asset.asset_type.name,
            asset.name,
            asset.address,
            str(area) if area else _("Area unknown"),
            str(asset.owner),
            grade_words(asset.asset_type, asset.condition_grade),
            asset.last_inspected_on,
            asset.next_inspection_due,
            due_words(asset, today=today, days=days),
        ]


def assets_file(
    assets: QuerySet,
    *,
    towns: list,
    today: datetime.date,
    days: int,
    about: list[tuple[str, object]],
    now: datetime.datetime,
) -> IO[bytes]:
    """The assets of a filter (inspections.selectors.assets_to_inspect_listed), in its order."""
    rows = asset_rows(assets.iterator(chunk_size=2000), towns=towns, today=today, days=days)
    return _file(
        _("Assets to inspect"),
        [*about, (_("Number of assets"), assets.count())],
        asset_columns(),
        rows,
        now,
    )


# --- What falls due, per type and town --------------------------------------------------


def due_count_rows(groups: list) -> Iterator[list]:
    """inspections.stats.due_counts as rows: each town of a type, then the type's total."""
    for group in groups:
        for count in group.areas:
            area = str(count.area) if count.area else _("Area unknown")
            yield [group.asset_type.name, area, count.overdue, count.upcoming, count.never,
                   count.total]  # fmt: skip
        total = group.total
        yield [group.asset_type.name, _("Total"), total.overdue, total.upcoming, total.never,
               total.total]  # fmt: skip


def due_counts_file(
    groups: list, *, days: int, about: list[tuple[str, object]], now: datetime.datetime
) -> IO[bytes]:
    columns = [
        Column(_("Asset type"), 18),
        Column(_("Area (town)"), 16),
        Column(_("Overdue"), 10, NUMBER),
        Column(_("Due within %(days)s days") % {"days": days}, 12, NUMBER),
        Column(_("Never inspected"), 10, NUMBER),
        Column(_("In service"), 10, NUMBER),
    ]
    return _file(_("Inspections due"), about, columns, due_count_rows(groups), now)


# --- Assignments -------------------------------------------------------------------------


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def assignment_rows(assignments: Iterable[Assignment]) -> Iterator[list]:
    """Rows of inspections.selectors.assignments_listed (progress annotated)."""
    for assignment in assignments:
        total, done = assignment.stop_count, assignment.done_count
        yield [
            assignment.title,
            _person(assignment.inspector),
            str(assignment.organization),
            assignment.due_date,
            assignment.get_status_display(),
            total,
            done,
            round(100 * done / total) if total else 0,
            assignment.created_at,
        ]


def assignments_file(
    assignments: QuerySet[Assignment], *, about: list[tuple[str, object]], now
) -> IO[bytes]:
    columns = [
        Column(_("Assignment"), 28),
        Column(_("Inspector"), 16),
        Column(_("Organisation"), 20),
        Column(_("Due date"), 12, DATE),
        Column(_("Status"), 10),
        Column(_("Assets (count)"), 10, NUMBER),
        Column(_("Inspected"), 10, NUMBER),
        Column(_("Progress (per cent)"), 10, NUMBER),
        Column(_("Made at"), 17, DATETIME),
    ]
    return _file(
        _("Assignments"),
        [*about, (_("Number of assignments"), assignments.count())],
        columns,
        assignment_rows(assignments.iterator(chunk_size=500)),
        now,
    )


def stop_rows(stops: Iterable) -> Iterator[list]:
    """Rows of inspections.selectors.assignment_stops (inspected since the assignment)."""
    for position, stop in enumerate(stops, start=1):
        asset = stop.asset
        yield [
            position,
            asset.ledger_id,
            asset.asset_type.name,
            asset.name,
            asset.address,
            str(asset.owner),
            stop.inspected_at,
            grade_words(asset.asset_type, stop.inspected_grade or ""),
        ]


def stops_file(assignment: Assignment, stops: QuerySet, *, now) -> IO[bytes]:
    """One assignment's assets in its order, with what was inspected since it was made."""
    columns = [
        Column(_("No."), 6, NUMBER),
        Column(_("Ledger id"), 14),
        Column(_("Asset type"), 16),
        Column(_("Name"), 20),
        Column(_("Address"), 28),
        Column(_("Owner section"), 20),
        Column(_("Inspected at"), 17, DATETIME),
        Column(_("Grade"), 18),
    ]
    about = [
        (_("Assignment"), assignment.title),
        (_("Inspector"), _person(assignment.inspector)),
        (_("Due date"), assignment.due_date),
        (_("Status"), assignment.get_status_display()),
    ]
    return _file(_("Assignment"), about, columns, stop_rows(stops.iterator(chunk_size=500)), now)
