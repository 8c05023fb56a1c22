"""The assets of a filter, to tick and send an inspector to, and the same assets on a map."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import cities
from inspections import areas, assignments, selectors
from web_admin.access import may_change, staff_required
from web_admin.inspection_forms import AssignmentForm
from web_admin.inspection_screens.common import (
    filter_form,
    filter_query,
    in_host_city,
    screen_context,
)
from web_admin.inspection_screens.words import grade_words

ASSETS_PER_PAGE = 50
MAP_FEATURE_LIMIT = 2000
FILTER_FIELDS = ("type", "area", "owner", "due", "days", "likely", "bbox")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def asset_list(request):
    """The assets of a filter, a page at a time, to tick and send an inspector to; the map
    narrows the filter to a box. Posting makes the assignment (managers, section staff)."""
    towns = areas.towns(request)
    form = filter_form(request, towns, FILTER_FIELDS)
    today = timezone.localdate()
    qs = selectors.assets_to_inspect_listed(
        request.user, in_host_city(form.selection(), request), today=today, towns=towns
    )
    can_assign = may_change(request.user)
    if request.method == "POST" and not can_assign:
        raise PermissionDenied
    assignment_form, status = None, 200
    if can_assign:
        inspectors = cities.in_city(
            selectors.inspectors_for_user(request.user), request, "organization__city"
        )
        if request.method == "POST":
            assignment_form = AssignmentForm(request.POST, inspectors=inspectors)
            if assignment_form.is_valid():
                data = assignment_form.cleaned_data
                chosen = qs if data["take"] == AssignmentForm.ALL else data["assets"]
                try:
                    assignment = assignments.assignment_create(
                        name=data["name"],
                        inspector=data["inspector"],
                        assets=chosen,
                        due_on=data["due_on"],
                        acting_user=request.user,
                    )
                except assignments.AssignmentError as exc:
                    assignment_form.add_refusal(exc)
                else:
                    messages.success(
                        request,
                        _("Assignment “%(name)s” made for %(inspector)s.")
                        % {"name": assignment.title, "inspector": data["inspector"]},
                    )
                    return redirect("manage-assignment", pk=assignment.pk)
            status = 400
        else:
            assignment_form = AssignmentForm(
                inspectors=inspectors,
                initial={
                    "take": AssignmentForm.CHOSEN,
                    "due_on": today + datetime.timedelta(days=form.days_ahead),
                },
            )
    page = Paginator(qs, ASSETS_PER_PAGE).get_page(request.GET.get("page"))
    town_by_id = {town.pk: town for town in towns}
    rows = [(asset, town_by_id.get(asset.area_id)) for asset in page]
    for asset, _town in rows:
        asset.grade_words = grade_words(asset.asset_type, asset.condition_grade)
    ticked = set()
    if assignment_form is not None and assignment_form.is_bound:
        ticked = {str(v) for v in request.POST.getlist("assets")}
    query = filter_query(form)
    return render(
        request,
        "web_admin/inspections/asset_list.html",
        screen_context(
            "assets",
            form=form,
            page=page,
            rows=rows,
            ticked=ticked,
            query=query,
            bbox=form.value("bbox"),
            without_bbox=filter_query(form, bbox=None),
            assignment_form=assignment_form,
            can_assign=can_assign,
            map_url=f"{reverse('manage-inspection-assets-map')}?{query}",
            tile_url=settings.MAP_TILE_URL,
            tile_attribution=settings.MAP_TILE_ATTRIBUTION,
            map_center=settings.MAP_CENTER,
            map_zoom=settings.MAP_ZOOM,
        ),
        status=status,
    )


@require_safe
@staff_required
def asset_map(request):
    """The assets of the filter as GeoJSON points (at most MAP_FEATURE_LIMIT), for the map."""
    towns = areas.towns(request)
    form = filter_form(request, towns, FILTER_FIELDS)
    assets, truncated = selectors.assets_to_inspect_mapped(
        request.user,
        in_host_city(form.selection(), request),
        today=timezone.localdate(),
        towns=towns,
        limit=MAP_FEATURE_LIMIT,
    )
    features = [
        {
            "type": "Feature",
            "id": asset.pk,
            "geometry": {"type": "Point", "coordinates": list(asset.geom.point_on_surface.coords)},
            "properties": {
                "label": f"{asset.asset_type.name} {asset.ledger_id or asset.name or asset.pk}",
                "due": asset.next_inspection_due.isoformat() if asset.next_inspection_due else "",
            },
        }
        for asset in assets
    ]
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features, "truncated": truncated}
    )
    response["Cache-Control"] = "private, no-store"
    return response
