"""The inspection screens under /manage/inspections/: what falls due where, assignments for
inspectors, field records held in quarantine, an asset's condition history and the
condition charts. Thin views over inspections.selectors, .stats and .services.

Every staff member reads (viewers included); managers and section staff make assignments;
managers decide held records (the service allows no one else). Whatever lies outside the
user's organisations is 404, as if it did not exist.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assets.models import Asset
from assets.selectors import organizations_for_user, user_scope_ids
from inspections import areas, selectors, services, stats
from inspections.models import Assignment, Inspection, Quarantine
from reports.selectors import reports_for_user
from web_admin import inspection_charts as charts
from web_admin.access import is_manager, may_change, staff_required
from web_admin.inspection_forms import AssetFilterForm, AssignmentForm

ASSETS_PER_PAGE = 50
STOPS_PER_PAGE = 100
RECORDS_PER_PAGE = 25
MAP_FEATURE_LIMIT = 2000
OVERVIEW_ASSIGNMENTS = 10
HISTORY_REPORTS = 50


def _filters(request, towns, fields) -> AssetFilterForm:
    return AssetFilterForm(
        request.GET,
        organisations=organizations_for_user(request.user).order_by("code"),
        towns=towns,
        fields=fields,
    )


def _query(form: AssetFilterForm, **changes) -> str:
    """The filter as a query string (valid fields only), with some values changed."""
    params = {}
    for name in ("type", "area", "owner", "due", "days", "bbox"):
        value = form.value(name)
        if name not in form.fields or value is None:
            continue
        if name in ("type", "owner"):
            value = value.code
        elif name == "bbox":
            value = ",".join(f"{v:.6f}" for v in value)
        params[name] = value
    params.update(changes)
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _context(subnav: str, **context) -> dict:
    return {"nav": "inspections", "subnav": subnav, "today": timezone.localdate(), **context}


# --- What falls due ---------------------------------------------------------------------------


@require_safe
@staff_required
def overview(request):
    """Overdue, soon due and never inspected assets per type and area; each count opens the
    list of those assets."""
    towns = areas.towns()
    form = _filters(request, towns, ("type", "area", "owner", "due", "days"))
    today = timezone.localdate()
    selection = form.selection()
    groups = stats.due_counts(request.user, selection, today=today, towns=towns)
    list_url = reverse("manage-inspection-assets")
    states = ("overdue", "upcoming", "never", "all")
    table = []
    for group in groups:
        rows = [c for c in group.areas if selection.due == "all" or getattr(c, selection.due)]
        if not rows:
            continue

        def links(area_value, code=group.asset_type.code):
            return {
                state: f"{list_url}?{_query(form, type=code, area=area_value, due=state)}"
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
    user_assignments = selectors.assignments_for_user(request.user)
    open_assignments = selectors.assignments_with_progress(
        user_assignments.filter(status=Assignment.Status.OPEN).select_related("inspector")
    ).order_by("due_date", "id")[:OVERVIEW_ASSIGNMENTS]
    waiting = selectors.quarantine_for_user(request.user).filter(resolved_at__isnull=True).count()
    return render(
        request,
        "web_admin/inspections/overview.html",
        _context(
            "overview",
            form=form,
            days=selection.days,
            due=selection.due,
            table=table,
            assignments=open_assignments,
            waiting=waiting,
        ),
    )


# --- Assets to inspect, and a new assignment --------------------------------------------------


def _assets(request, form, towns, today):
    return (
        selectors.assets_to_inspect(
            request.user, form.selection(), today=today, towns=towns, annotate_area=True
        )
        .select_related("asset_type", "owner")
        .defer("geom", "attributes", "internal_attributes", "owner__service_area")
        .order_by(F("next_inspection_due").asc(nulls_last=True), "asset_type", "ledger_id", "pk")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def asset_list(request):
    """The assets of a filter, a page at a time, to tick and send an inspector to; the map
    narrows the filter to a box. Posting makes the assignment (managers, section staff)."""
    towns = areas.towns()
    form = _filters(request, towns, ("type", "area", "owner", "due", "days", "bbox"))
    today = timezone.localdate()
    qs = _assets(request, form, towns, today)
    can_assign = may_change(request.user)
    if request.method == "POST" and not can_assign:
        raise PermissionDenied
    assignment_form, status = None, 200
    if can_assign:
        inspectors = selectors.inspectors_for_user(request.user)
        if request.method == "POST":
            assignment_form = AssignmentForm(request.POST, inspectors=inspectors)
            if assignment_form.is_valid():
                data = assignment_form.cleaned_data
                chosen = qs if data["take"] == AssignmentForm.ALL else data["assets"]
                try:
                    assignment = services.assignment_create(
                        name=data["name"],
                        inspector=data["inspector"],
                        assets=chosen,
                        due_on=data["due_on"],
                        acting_user=request.user,
                    )
                except services.AssignmentError as exc:
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
    ticked = set()
    if assignment_form is not None and assignment_form.is_bound:
        ticked = {str(v) for v in request.POST.getlist("assets")}
    query = _query(form)
    return render(
        request,
        "web_admin/inspections/asset_list.html",
        _context(
            "assets",
            form=form,
            page=page,
            rows=rows,
            ticked=ticked,
            query=query,
            bbox=form.value("bbox"),
            without_bbox=_query(form, bbox=None),
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
    towns = areas.towns()
    form = _filters(request, towns, ("type", "area", "owner", "due", "days", "bbox"))
    qs = (
        selectors.assets_to_inspect(
            request.user, form.selection(), today=timezone.localdate(), towns=towns
        )
        .select_related("asset_type")
        .only(
            "pk",
            "ledger_id",
            "name",
            "geom",
            "next_inspection_due",
            "asset_type__name_ja",
            "asset_type__name_en",
            "asset_type__names",
        )
        .order_by("pk")
    )
    assets = list(qs[: MAP_FEATURE_LIMIT + 1])
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
        for asset in assets[:MAP_FEATURE_LIMIT]
    ]
    response = JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "truncated": len(assets) > MAP_FEATURE_LIMIT,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Assignments ------------------------------------------------------------------------------


@require_safe
@staff_required
def assignment_list(request):
    qs = selectors.assignments_with_progress(
        selectors.assignments_for_user(request.user).select_related("inspector", "organization")
    ).order_by("-due_date", "-id")
    page = Paginator(qs, ASSETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web_admin/inspections/assignment_list.html",
        _context("assignments", page=page),
    )


@require_safe
@staff_required
def assignment_detail(request, pk: int):
    """An assignment's assets, inspector and due date, and how many of its assets were
    inspected since it was made."""
    assignment = get_object_or_404(
        selectors.assignments_with_progress(
            selectors.assignments_for_user(request.user).select_related(
                "inspector", "organization", "created_by"
            )
        ),
        pk=pk,
    )
    page = Paginator(selectors.assignment_stops(assignment), STOPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web_admin/inspections/assignment_detail.html",
        _context("assignments", assignment=assignment, page=page),
    )


# --- Held field records -----------------------------------------------------------------------

KIND_LABELS = dict(Inspection.Kind.choices)
RESOLVE_ERRORS = {
    "forbidden": gettext_lazy("Only a manager of the organisation decides."),
    "already_resolved": gettext_lazy("This record was already decided."),
}


def _payload(record: Quarantine) -> dict:
    return record.payload if isinstance(record.payload, dict) else {}


def _payload_text(value, limit=200) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _payload_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _held_when(value) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def _shown(value) -> str:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value or "—"


def _kind_label(kind) -> str:
    if isinstance(kind, str) and kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    return _payload_text(kind, 20)


def _defects_text(defects) -> str:
    return "; ".join(
        f"{d.get('component') or ''} {d.get('kind') or ''} ({d.get('grade') or ''})".strip()
        for d in defects
        if isinstance(d, dict)
    )


def _held_summary(record: Quarantine, assets: dict, synced: dict) -> dict:
    """What the held record says, and where it differs from the version already synced."""
    payload = _payload(record)
    defects = payload.get("defects") if isinstance(payload.get("defects"), list) else []
    held = {
        "performed_at": _held_when(payload.get("performed_at")),
        "kind": _kind_label(payload.get("kind")),
        "grade": _payload_text(payload.get("overall_grade"), 8),
        "notes": _payload_text(payload.get("notes")),
        "defects": _payload_text(_defects_text(defects)),
    }
    first = synced.get(str(record.uuid))
    differences = []
    if first is not None:
        was = {
            "performed_at": first.performed_at,
            "kind": first.get_kind_display(),
            "grade": first.overall_grade,
            "notes": _payload_text(first.notes),
            "defects": _payload_text(
                _defects_text(
                    {"component": d.component, "kind": d.kind, "grade": d.grade}
                    for d in first.defects.all()
                )
            ),
        }
        labels = {
            "performed_at": _("Performed at"),
            "kind": _("Kind"),
            "grade": _("Grade"),
            "notes": _("Notes"),
            "defects": _("Defects"),
        }
        differences = [
            {"label": labels[key], "synced": _shown(was[key]), "held": _shown(held[key])}
            for key in labels
            if was[key] != held[key]
        ]
    return {
        "record": record,
        "asset_id": _payload_int(payload.get("asset")),
        "asset": assets.get(_payload_int(payload.get("asset"))),
        "held": held,
        "synced": first,
        "differences": differences,
    }


@require_safe
@staff_required
def quarantine(request):
    """Field records the server could not take as they were, waiting for a manager."""
    decided = request.GET.get("show") == "decided"
    qs = (
        selectors.quarantine_for_user(request.user)
        .filter(resolved_at__isnull=not decided)
        .select_related("inspector", "resolved_by", "inspection")
        .order_by("-resolved_at" if decided else "received_at", "-id")
    )
    page = Paginator(qs, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    records = list(page)
    asset_ids = {_payload_int(_payload(r).get("asset")) for r in records} - {None}
    assets = {
        a.pk: a
        for a in selectors.assets_for_inspector(request.user)
        .filter(pk__in=asset_ids)
        .select_related("asset_type", "owner")
        .defer("geom", "attributes", "internal_attributes", "owner__service_area")
    }
    synced = {
        str(i.uuid): i
        for i in Inspection.objects.filter(
            uuid__in=[r.uuid for r in records],
            asset__in=selectors.assets_for_inspector(request.user),
        ).prefetch_related("defects")
    }
    return render(
        request,
        "web_admin/inspections/quarantine.html",
        _context(
            "quarantine",
            page=page,
            items=[_held_summary(r, assets, synced) for r in records],
            decided=decided,
            can_decide=is_manager(request.user),
        ),
    )


@require_POST
@staff_required
def quarantine_resolve(request, pk: int):
    """Accept a held record (it becomes a correction of the one with its id) or discard it."""
    if not is_manager(request.user):
        raise PermissionDenied
    record = get_object_or_404(selectors.quarantine_for_user(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("accept", "discard"):
        messages.error(request, _("Choose to accept or to discard the record."))
        return redirect("manage-quarantine")
    try:
        services.quarantine_resolve(
            record=record, accept=decision == "accept", acting_user=request.user
        )
    except services.InspectionError as exc:
        messages.error(
            request,
            RESOLVE_ERRORS.get(exc.code)
            or _("The record cannot be recorded as it is: %(detail)s") % {"detail": exc},
        )
    except Asset.DoesNotExist:
        messages.error(request, _("The asset of this record no longer exists."))
    else:
        messages.success(
            request,
            _("The record was recorded as a correction.")
            if decision == "accept"
            else _("The record was discarded."),
        )
    return redirect("manage-quarantine")


# --- One asset's condition history ------------------------------------------------------------


@require_safe
@staff_required
def asset_history(request, pk: int):
    """The asset's facts, its inspections over time (corrections shown), its grade as a step
    chart and its reports."""
    asset = get_object_or_404(
        selectors.assets_for_inspector(request.user).select_related(
            "asset_type", "owner", "parent__asset_type"
        ),
        pk=pk,
    )
    towns = areas.towns()
    area_id = (
        areas.with_area(Asset.objects.filter(pk=asset.pk), towns)
        .values_list("area_id", flat=True)
        .first()
    )
    inspections = list(selectors.asset_history(asset))
    corrected_by = {i.supersedes_id: i for i in inspections if i.supersedes_id}
    effective = [i for i in reversed(inspections) if i.pk not in corrected_by]
    today = timezone.localdate()
    chart = charts.step_chart(
        asset.asset_type,
        [(timezone.localdate(i.performed_at), i.overall_grade, i.grade_rank) for i in effective],
        today,
    )
    fault_ids = {d.fault_id for i in inspections for d in i.defects.all() if d.fault_id}
    visible_faults = set(
        reports_for_user(request.user).filter(pk__in=fault_ids).values_list("pk", flat=True)
    )
    scale = asset.asset_type.grading_scale
    rows = [
        {
            "inspection": i,
            "corrected_by": corrected_by.get(i.pk),
            "grade": charts.grade_info(asset.asset_type, i.overall_grade),
            "defects": [(d, d.fault_id in visible_faults) for d in i.defects.all()],
        }
        for i in inspections
    ]
    reports = (
        reports_for_user(request.user)
        .filter(asset=asset)
        .select_related("category")
        .order_by("-created_at")[:HISTORY_REPORTS]
    )
    return render(
        request,
        "web_admin/inspections/asset_history.html",
        _context(
            "assets",
            asset=asset,
            area=next((t for t in towns if t.pk == area_id), None),
            scale=scale,
            current=charts.grade_info(asset.asset_type, asset.condition_grade)
            if asset.condition_grade
            else None,
            overdue=asset.next_inspection_due is not None and asset.next_inspection_due < today,
            rows=rows,
            chart=chart,
            effective=effective,
            reports=reports,
            scope_all=user_scope_ids(request.user) is None,
        ),
    )


# --- Condition charts -------------------------------------------------------------------------


@require_safe
@staff_required
def conditions(request):
    """For each asset type: the spread of current grades, and the spread at the end of each
    of the last years with the change from the year before; each as a chart and a table."""
    towns = areas.towns()
    form = _filters(request, towns, ("type", "area", "owner", "years"))
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
        _context(
            "conditions",
            form=form,
            sections=sections,
            bar_width=charts.BAR_WIDTH,
            bar_height=charts.BAR_HEIGHT,
            label_width=charts.LABEL_WIDTH,
            years_width=charts.LABEL_WIDTH + charts.BAR_WIDTH,
        ),
    )
