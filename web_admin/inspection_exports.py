"""The inspection lists as Excel files: the assets of the list's filter, the due counts of
the overview's, the assignments, and one assignment's stops. Each takes the same query
string as its screen, so a link beside the screen's table downloads what it shows (every
page of it). Any staff member who may read the screen may download it."""

from django.http import FileResponse, Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assets.xlsxfiles import CONTENT_TYPE
from inspections import areas, exports, selectors, stats
from web_admin.access import staff_required
from web_admin.filter_words import inspection_filter_words
from web_admin.inspection_screens.common import filter_form, in_host_city

# The filters of the asset list and of the overview (web_admin/inspection_screens/).
ASSET_FILTER = ("type", "area", "owner", "due", "days", "likely", "bbox")
OVERVIEW_FILTER = ("type", "area", "owner", "due", "days")


def _download(file, stem: str) -> FileResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(
        file, as_attachment=True, filename=f"{stem}-{stamp}.xlsx", content_type=CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@staff_required
def assets_export(request):
    """The assets of the asset list's filter, the soonest due first, as on the screen."""
    towns = areas.towns(request)
    form = filter_form(request, towns, ASSET_FILTER)
    today = timezone.localdate()
    qs = selectors.assets_to_inspect_listed(
        request.user, in_host_city(form.selection(), request), today=today, towns=towns
    )
    about = [(_("Filter conditions"), inspection_filter_words(form))]
    file = exports.assets_file(
        qs, towns=towns, today=today, days=form.days_ahead, about=about, now=timezone.now()
    )
    return _download(file, "inspection-assets")


@require_safe
@staff_required
def due_counts_export(request):
    """The overview's counts of what falls due, per type and town."""
    towns = areas.towns(request)
    form = filter_form(request, towns, OVERVIEW_FILTER)
    selection = in_host_city(form.selection(), request)
    groups = stats.due_counts(request.user, selection, today=timezone.localdate(), towns=towns)
    about = [(_("Filter conditions"), inspection_filter_words(form))]
    file = exports.due_counts_file(groups, days=selection.days, about=about, now=timezone.now())
    return _download(file, "inspections-due")


@require_safe
@staff_required
def assignments_export(request):
    assignments = selectors.assignments_listed(request.user, request)
    return _download(
        exports.assignments_file(assignments, about=[], now=timezone.now()), "assignments"
    )


@require_safe
@staff_required
def assignment_export(request, pk: int):
    """One assignment's assets in order, with what was inspected since it was made."""
    assignment = selectors.assignment_with_progress(request.user, pk, request)
    if assignment is None:
        raise Http404
    file = exports.stops_file(
        assignment, selectors.assignment_stops(assignment), now=timezone.now()
    )
    return _download(file, f"assignment-{assignment.pk}")


# Included under /manage/inspections/ (web_admin/inspection_urls.py).
urlpatterns = [
    path("assets.xlsx", assets_export, name="manage-inspection-assets-export"),
    path("due.xlsx", due_counts_export, name="manage-inspections-export"),
    path("assignments.xlsx", assignments_export, name="manage-assignments-export"),
    path("assignments/<int:pk>.xlsx", assignment_export, name="manage-assignment-export"),
]
