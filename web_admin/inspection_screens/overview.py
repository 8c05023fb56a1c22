"""The overview: overdue, soon due and never inspected assets per type, each type folded
(its towns open on demand), the open assignments and the held records waiting."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from inspections import areas, held, selectors, stats
from web_admin.access import staff_required
from web_admin.inspection_screens.common import (
    filter_form,
    filter_query,
    in_host_city,
    screen_context,
)

OVERVIEW_ASSIGNMENTS = 10


def _due_table(form, selection, groups) -> list[dict]:
    """Each type's counts per area, each count linked to the list of those assets."""
    list_url = reverse("manage-inspection-assets")
    states = ("overdue", "upcoming", "never", "all")
    table = []
    for group in groups:
        rows = [c for c in group.areas if selection.due == "all" or getattr(c, selection.due)]
        if not rows:
            continue

        def links(area_value, code=group.asset_type.code):
            return {
                state: f"{list_url}?{filter_query(form, type=code, area=area_value, due=state)}"
                for state in states
            }

        table.append(
            {
                "type": group.asset_type,
                "total": group.total,
                "total_links": links(form.value("area")),
                "rows": [
                    {
                        "count": c,
                        "links": links(c.area.pk if c.area else areas.NO_AREA),
                    }
                    for c in rows
                ],
            }
        )
    return table


@require_safe
@staff_required
def overview(request):
    """Overdue, soon due and never inspected assets per type, and per town when a type is
    unfolded; each count opens the list of those assets."""
    towns = areas.towns(request)
    form = filter_form(request, towns, ("type", "area", "owner", "due", "days"))
    selection = in_host_city(form.selection(), request)
    groups = stats.due_counts(request.user, selection, today=timezone.localdate(), towns=towns)
    table = _due_table(form, selection, groups)
    return render(
        request,
        "web_admin/inspections/overview.html",
        screen_context(
            "overview",
            form=form,
            days=selection.days,
            due=selection.due,
            table=table,
            # A type's towns are folded unless there is little to show.
            unfolded=len(table) == 1 or selection.area is not None,
            assignments=selectors.open_assignments_with_progress(
                request.user, limit=OVERVIEW_ASSIGNMENTS, where=request
            ),
            waiting=held.quarantine_waiting_count(request.user, request),
        ),
    )
