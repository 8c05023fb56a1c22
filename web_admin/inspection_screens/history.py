"""One asset's condition history: its facts, its inspections over time (corrections shown),
its grade as a step chart, and its reports."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from assets.selectors import user_scope_ids
from inspections import areas, history, selectors
from web_admin import inspection_charts as charts
from web_admin.access import staff_required
from web_admin.inspection_screens.common import screen_context

HISTORY_REPORTS = 50


@require_safe
@staff_required
def asset_history(request, pk: int):
    """The asset's facts, its inspections over time (corrections shown), its grade as a step
    chart and its reports."""
    asset = selectors.asset_for_inspector(request.user, pk)
    if asset is None:
        raise Http404
    timeline = history.asset_timeline(asset)
    visible_faults = history.faults_visible(request.user, timeline)
    today = timezone.localdate()
    chart = charts.step_chart(
        asset.asset_type,
        [
            (timezone.localdate(i.performed_at), i.overall_grade, i.grade_rank)
            for i in timeline.effective
        ],
        today,
    )
    rows = [
        {
            "inspection": entry.inspection,
            "corrected_by": entry.corrected_by,
            "grade": charts.grade_info(asset.asset_type, entry.inspection.overall_grade),
            "defects": [(d, d.fault_id in visible_faults) for d in entry.inspection.defects.all()],
        }
        for entry in timeline.entries
    ]
    return render(
        request,
        "web_admin/inspections/asset_history.html",
        screen_context(
            "assets",
            asset=asset,
            area=areas.area_of(asset, areas.towns()),
            scale=asset.asset_type.grading_scale,
            current=charts.grade_info(asset.asset_type, asset.condition_grade)
            if asset.condition_grade
            else None,
            overdue=asset.next_inspection_due is not None and asset.next_inspection_due < today,
            rows=rows,
            chart=chart,
            effective=timeline.effective,
            reports=history.asset_reports(request.user, asset, limit=HISTORY_REPORTS),
            scope_all=user_scope_ids(request.user) is None,
        ),
    )
