"""The assignments of the user's organisations, and one assignment's stops and progress."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from inspections import selectors
from web_admin.access import staff_required
from web_admin.inspection_screens.common import screen_context
from web_admin.inspection_screens.words import grade_words

ASSIGNMENTS_PER_PAGE = 50
STOPS_PER_PAGE = 100


@require_safe
@staff_required
def assignment_list(request):
    listed = selectors.assignments_listed(request.user, request)
    page = Paginator(listed, ASSIGNMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web_admin/inspections/assignment_list.html",
        screen_context("assignments", page=page),
    )


@require_safe
@staff_required
def assignment_detail(request, pk: int):
    """An assignment's assets, inspector and due date, and how many of its assets were
    inspected since it was made."""
    assignment = selectors.assignment_with_progress(request.user, pk, request)
    if assignment is None:
        raise Http404
    page = Paginator(selectors.assignment_stops(assignment), STOPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for stop in page:
        stop.inspected_grade_words = grade_words(stop.asset.asset_type, stop.inspected_grade)
    return render(
        request,
        "web_admin/inspections/assignment_detail.html",
        screen_context("assignments", assignment=assignment, page=page),
    )
