"""One asset's condition history: its facts, its inspections and works over time (corrections
shown), its grade as a step chart, and its reports; and the form that records a work."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from accounts import policy
from accounts.policy import Right
from assets.selectors import user_scope_ids
from inspections import areas, history, selectors
from planning import selectors as planning_selectors
from planning import services as planning_services
from web_admin import inspection_charts as charts
from web_admin.access import staff_required
from web_admin.inspection_forms import WorkForm
from web_admin.inspection_screens.common import screen_context
from web_admin.inspection_screens.words import defect_words, grade_words

HISTORY_REPORTS = 50


@require_safe
@staff_required
def asset_history(request, pk: int):
    """The asset's facts, its inspections and works over time (corrections shown), its grade
    as a step chart and its reports."""
    asset = selectors.asset_for_inspector(request.user, pk, request)
    if asset is None:
        raise Http404
    return _history_page(request, asset, WorkForm(asset=asset))


@require_POST
@staff_required
def asset_work(request, pk: int):
    """Record a work done on the asset (managers and staff of its owner)."""
    asset = selectors.asset_for_inspector(request.user, pk, request)
    if asset is None:
        raise Http404
    if not policy.may(request.user, Right.RECORD_WORKS, owner_id=asset.owner_id):
        raise PermissionDenied
    form = WorkForm(request.POST, asset=asset)
    if form.is_valid():
        try:
            planning_services.work_record(
                asset=asset, acting_user=request.user, **form.cleaned_data
            )
        except planning_services.WorkError as exc:
            form.add_error(
                exc.field if exc.field in form.fields else None, WORK_ERRORS.get(exc.code, str(exc))
            )
        else:
            messages.success(request, _("The work is recorded in the asset's history."))
            return redirect("manage-asset-history", pk=asset.pk)
    return _history_page(request, asset, form, status=400)


WORK_ERRORS = {
    "future_date": _("The date is in the future."),
    "duplicate_work": _("This work is already recorded (same day and kind)."),
    "bad_grade": _("That grade is not on this asset's scale."),
}


def _history_page(request, asset, work_form, *, status=200):
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
    asset_type = asset.asset_type
    categories = selectors.fault_categories_by_code(
        d.kind for entry in timeline.entries for d in entry.inspection.defects.all()
    )

    def defects(inspection):
        items = inspection.template.items if inspection.template is not None else ()
        return [
            {
                "defect": d,
                "words": defect_words(
                    {"component": d.component, "kind": d.kind, "grade": d.grade},
                    asset_type=asset_type,
                    categories=categories,
                    items=items,
                ),
                "visible": d.fault_id in visible_faults,
            }
            for d in inspection.defects.all()
        ]

    rows = [
        {
            "inspection": entry.inspection,
            "corrected_by": entry.corrected_by,
            "corrected_grade": grade_words(
                asset_type, getattr(entry.corrected_by, "overall_grade", "")
            ),
            "supersedes_grade": grade_words(
                asset_type, getattr(entry.inspection.supersedes, "overall_grade", "")
            ),
            "grade": charts.grade_info(asset_type, entry.inspection.overall_grade),
            "defects": defects(entry.inspection),
        }
        for entry in timeline.entries
    ]
    works = [
        {"on": work.done_on, "work": work, "grade_after": grade_words(asset_type, work.grade_after)}
        for work in planning_selectors.works_of(asset)
    ]
    timeline_rows = sorted(
        [{"on": timezone.localdate(r["inspection"].performed_at), **r} for r in rows] + works,
        key=lambda row: (row["on"], "work" in row),
        reverse=True,
    )
    return render(
        request,
        "web_admin/inspections/asset_history.html",
        screen_context(
            "assets",
            asset=asset,
            area=areas.area_of(asset, areas.towns(request)),
            scale=asset.asset_type.grading_scale,
            current=charts.grade_info(asset.asset_type, asset.condition_grade)
            if asset.condition_grade
            else None,
            overdue=asset.next_inspection_due is not None and asset.next_inspection_due < today,
            rows=timeline_rows,
            inspections_count=len(rows),
            chart=chart,
            forecast=planning_selectors.forecast_of(asset),
            work_form=work_form
            if policy.may(request.user, Right.RECORD_WORKS, owner_id=asset.owner_id)
            else None,
            effective=timeline.effective,
            reports=history.asset_reports(request.user, asset, limit=HISTORY_REPORTS),
            scope_all=user_scope_ids(request.user) is None,
        ),
        status=status,
    )
