"""The managers' dashboard at /manage/: the figures of reports.dashboard and the inspections
falling due, each linked to the queue (or the asset list) filtered to what it counts."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from inspections import stats
from inspections.selectors import AssetSelection
from reports import dashboard as figures
from reports.models import Report
from web_admin import dashboard_charts
from web_admin.access import staff_required
from web_admin.inspection_screens.common import in_host_city

TOP_CELLS = 8  # the squares named in the list beside the map
SIDES = {
    "n": gettext_lazy("north"),
    "ne": gettext_lazy("north-east"),
    "e": gettext_lazy("east"),
    "se": gettext_lazy("south-east"),
    "s": gettext_lazy("south"),
    "sw": gettext_lazy("south-west"),
    "w": gettext_lazy("west"),
    "nw": gettext_lazy("north-west"),
}


def queue_link(*pairs: tuple[str, object]) -> str:
    return f"{reverse('manage-queue')}?{urlencode([(k, str(v)) for k, v in pairs], safe=',')}"


def _statuses(statuses) -> list[tuple[str, str]]:
    return [("status", str(status)) for status in statuses]


def _bbox(cell: figures.Cell) -> str:
    return ",".join(f"{edge:.6f}" for edge in cell.bbox)


def place_text(cell: figures.Cell) -> str:
    """The nearest town, and the side of its centre when the square does not hold it."""
    if not cell.side:
        return cell.town or "—"
    return _("%(town)s (%(side)s)") % {"town": cell.town, "side": SIDES[cell.side]}


def duration_text(value: datetime.timedelta | None) -> str:
    """Hours under two days, days from there, one decimal ("18.5 hours", "3.2 days")."""
    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    if hours < 48:
        return _("%(hours)s hours") % {"hours": f"{hours:.1f}"}
    return _("%(days)s days") % {"days": f"{hours / 24:.1f}"}


def _weeks(weeks) -> list[dict]:
    """Each week with the queue of what came in during it (any status now) and of what was
    fixed during it."""
    every = _statuses(Report.Status.values)
    fixed = _statuses(figures.FIXED_STATUSES)
    return [
        {
            "week": week,
            "new_url": queue_link(*every, ("since", week.first), ("until", week.last)),
            "fixed_url": queue_link(
                *fixed, ("fixed_since", week.first), ("fixed_until", week.last)
            ),
        }
        for week in weeks
    ]


def _inspections(request, today):
    """Per type with an inspection cycle: overdue, due soon, never inspected (the overview's
    selector, without the split by town), each linked to the asset list; of the host's city."""
    user = request.user
    selection = in_host_city(AssetSelection(), request)
    list_url = reverse("manage-inspection-assets")
    rows = []
    for group in stats.due_counts(user, selection, today=today, towns=[]):

        def link(due, code=group.asset_type.code):
            return f"{list_url}?{urlencode({'type': code, 'due': due, 'days': selection.days})}"

        rows.append(
            {
                "type": group.asset_type,
                "count": group.total,
                "links": {due: link(due) for due in ("overdue", "upcoming", "never")},
            }
        )
    total = sum(row["count"].overdue for row in rows)
    overdue_url = f"{list_url}?{urlencode({'due': 'overdue'})}"
    return rows, total, overdue_url, selection.days


@require_safe
@staff_required
def dashboard(request):
    """Faults in and out per week, overdue per section and category, time to fix, where open
    faults cluster, and inspections falling due: for the user's organisations, read-only."""
    now = timezone.now()
    today = timezone.localdate(now)
    board = figures.dashboard(request.user, now=now, where=request)
    inspections, inspections_overdue, inspections_url, days = _inspections(request, today)
    fixes_url = queue_link(*_statuses(figures.FIXED_STATUSES), ("fixed_since", board.first_day))
    cells = [
        {"cell": cell, "url": queue_link(("bbox", _bbox(cell))), "place": place_text(cell)}
        for cell in board.cells
    ]
    return render(
        request,
        "web_admin/dashboard.html",
        {
            "nav": "dashboard",
            "board": board,
            "weeks": _weeks(board.weeks),
            "this_week": _weeks([board.this_week])[0],
            "bars": dashboard_charts.weekly_bars(board.weeks),
            "line": dashboard_charts.open_line(board.weeks),
            "colours": dashboard_charts.SERIES,
            "open_url": queue_link(*_statuses(Report.OPEN_STATUSES)),
            "overdue_url": queue_link(("overdue", "on")),
            "by_owner": [
                (owner, count, queue_link(("overdue", "on"), ("owner", owner.pk)))
                for owner, count in board.overdue.by_owner
            ],
            "by_category": [
                (category, count, queue_link(("category", category.code), ("overdue", "on")))
                for category, count in board.overdue.by_category
            ],
            "fixes_url": fixes_url,
            "median": duration_text(board.fixes.median),
            "p90": duration_text(board.fixes.p90),
            "top_cells": cells[:TOP_CELLS],
            "map_cells": [
                [*(round(edge, 6) for edge in c["cell"].bbox), c["cell"].count, c["url"]]
                for c in cells
            ],
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "inspections": inspections,
            "inspections_overdue": inspections_overdue,
            "inspections_overdue_url": inspections_url,
            "days": days,
        },
    )
