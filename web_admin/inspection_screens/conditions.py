"""The condition charts: for each asset type, the spread of current grades and of each of
the last years' ends, with the change from the year before."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from inspections import areas, stats
from web_admin import inspection_charts as charts
from web_admin.access import staff_required
from web_admin.inspection_screens.common import filter_form, screen_context


@require_safe
@staff_required
def conditions(request):
    """For each asset type: the spread of current grades, and the spread at the end of each
    of the last years with the change from the year before; each as a chart and a table."""
    towns = areas.towns()
    form = filter_form(request, towns, ("type", "area", "owner", "years"))
    today = timezone.localdate()
    selection = form.selection()
    current = stats.condition_distribution(request.user, selection, today=today, towns=towns)
    yearly = {
        item.asset_type.pk: item
        for item in stats.condition_by_year(
            request.user, selection, years=form.years_back, today=today, towns=towns
        )
    }
    sections = []
    for distribution in current:
        asset_type = distribution.asset_type
        years = yearly.get(asset_type.pk)
        keys = distribution.ordered_keys()
        if years is not None:
            keys += [k for k in years.ordered_keys() if k not in keys]
            keys = stats.grade_keys(asset_type, dict.fromkeys(keys, 1))
        grades = [charts.grade_info(asset_type, key) for key in keys]
        year_rows, height = charts.year_rows(grades, years.years if years else [])
        sections.append(
            {
                "type": asset_type,
                "scale": asset_type.grading_scale,
                "grades": grades,
                "total": distribution.total,
                "current": [
                    {
                        "grade": g,
                        "count": distribution.count(g.key),
                        "share": 100 * distribution.count(g.key) / (distribution.total or 1),
                    }
                    for g in grades
                ],
                "segments": charts.segments(grades, distribution.counts),
                "description": charts.describe(grades, distribution.counts),
                "years": [
                    {
                        "year": y,
                        "cells": [
                            {"count": y.counts.get(g.key, 0), "change": y.changes.get(g.key, 0)}
                            for g in grades
                        ],
                        "description": f"{row.label}: {charts.describe(grades, y.counts)}",
                        "row": row,
                    }
                    for y, row in zip(years.years if years else [], year_rows, strict=True)
                ],
                "years_height": height,
            }
        )
    return render(
        request,
        "web_admin/inspections/conditions.html",
        screen_context(
            "conditions",
            form=form,
            sections=sections,
            bar_width=charts.BAR_WIDTH,
            bar_height=charts.BAR_HEIGHT,
            label_width=charts.LABEL_WIDTH,
            years_width=charts.LABEL_WIDTH + charts.BAR_WIDTH,
        ),
    )
