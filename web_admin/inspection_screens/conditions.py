"""The condition charts, one asset type at a time: the spread of its current grades, and the
spread at the end of each of the last years with the change from the year before. A picker
lists every type of the filter with its number of assets."""

from dataclasses import replace

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from inspections import areas, stats
from web_admin import inspection_charts as charts
from web_admin.access import staff_required
from web_admin.inspection_screens.common import (
    filter_form,
    filter_query,
    in_host_city,
    screen_context,
)


@require_safe
@staff_required
def conditions(request):
    """The chosen type's grades now and at the end of each year, each as a chart and a
    table; without a chosen type, the first type of the filter. The picker's links keep
    the other filters."""
    towns = areas.towns(request)
    form = filter_form(request, towns, ("type", "area", "owner", "years"))
    today = timezone.localdate()
    selection = in_host_city(form.selection(), request)
    spreads = stats.condition_distribution(
        request.user, replace(selection, asset_type=None), today=today, towns=towns
    )
    chosen = form.value("type")
    shown = next(
        (d for d in spreads if chosen is None or d.asset_type.pk == chosen.pk),
        None,
    )
    section = None
    if shown is not None:
        by_year = stats.condition_by_year(
            request.user,
            replace(selection, asset_type=shown.asset_type),
            years=form.years_back,
            today=today,
            towns=towns,
        )
        section = charts.type_conditions(shown, by_year[0] if by_year else None)
    picker = [
        {
            "type": d.asset_type,
            "total": d.total,
            "url": f"?{filter_query(form, type=d.asset_type.code)}",
            "current": shown is not None and d.asset_type.pk == shown.asset_type.pk,
        }
        for d in spreads
    ]
    return render(
        request,
        "web_admin/inspections/conditions.html",
        screen_context(
            "conditions",
            form=form,
            picker=picker,
            section=section,
            chosen_missing=chosen is not None and shown is None,
            bar_width=charts.BAR_WIDTH,
            bar_height=charts.BAR_HEIGHT,
        ),
    )
