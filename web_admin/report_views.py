"""One report on the managers' screens: its page, what staff do to it, and its photos.

Reading is for every staff member of the report's organisations (viewers included); changing
is for managers and section staff; reordering the queue is for managers. Reports of other
organisations are 404, as if they did not exist.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts import cities, policy
from accounts.errors import DomainError
from accounts.policy import Right
from assets.selectors import organizations_for_user
from inspections import selectors as inspection_selectors
from planning import services as planning_services
from reports import form_photos, notices, owner_links, photo_store, priority, selectors, services
from reports.files import serve_stored
from reports.models import OwnerLink, Photo, Report
from web_admin import forms
from web_admin.access import (
    changer_required,
    manager_required,
    right_required,
    staff_required,
)
from web_admin.refusals import refusal_text


def _readable(request):
    """The reports this user may read on this host: a superuser's are the host's city's."""
    return cities.in_city(selectors.reports_for_user(request.user), request)


def _organisations(request):
    """The user's active organisations of the host's city: whom a report is assigned to."""
    scope = organizations_for_user(request.user).filter(is_active=True)
    return cities.in_city(scope, request, "city")


def _report(request, number) -> Report:
    return get_object_or_404(
        _readable(request).select_related(
            "category",
            "asset__asset_type",
            "asset__owner",
            "owner",
            "assignee",
            "duplicate_of",
            "api_client",
        ),
        number=number,
    )


def _detail(request, report: Report, *, status: int = 200, **bound):
    """The report page; a form that failed comes back bound, with what was typed."""
    user = request.user
    scope = _organisations(request).order_by("code")
    nearby = list(selectors.reports_open_nearby(report, within=_readable(request)))
    history = inspection_selectors.asset_history(report.asset)[:8] if report.asset else []
    map_data = {
        "report": [report.location.y, report.location.x],
        "asset": [report.asset.geom.centroid.y, report.asset.geom.centroid.x]
        if report.asset
        else None,
        "nearby": [[r.location.y, r.location.x, r.number] for r in nearby],
    }
    context = {
        "nav": "queue",
        "report": report,
        "score": priority.score(report),
        "reasons": priority.reasons(report),
        "history": selectors.report_history_described(report),
        "photos": report.photos.select_related("me_too"),
        "nearby": nearby,
        "inspections": history,
        "map_data": map_data,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "can_change": policy.may_on_report(user, Right.CHANGE_REPORTS, report),
        "can_forward": policy.may_on_report(user, Right.FORWARD_REPORTS, report),
        "is_manager": policy.may_on_report(user, Right.REORDER_REPORTS, report),
        "next_statuses": sorted(services.TRANSITIONS.get(report.status, ())),
        "status_form": forms.StatusForm(),
        "links": owner_links.owner_links_of(report),
        "outside_kinds": policy.OUTSIDE_OWNER_KINDS,
        "now": timezone.now(),
        "link_targets": _link_targets(user, report),
        "note_form": forms.NoteForm(),
        "assign_form": forms.AssignForm(
            organisations=scope,
            initial={"assignee": report.assignee_id, "due_on": forms.default_due(report)},
        ),
        "merge_form": forms.MergeForm(),
        "forward_form": forms.ForwardForm(report=report, user=user),
        "priority_form": forms.PriorityForm(
            initial={
                "points": report.priority_override,
                "reason": report.priority_override_reason,
            }
        ),
    }
    context.update(bound)
    return render(request, "web_admin/report_detail.html", context, status=status)


@require_safe
@staff_required
def report_detail(request, number: str):
    return _detail(request, _report(request, number))


def _act(request, report, form, name: str, action, success: str):
    """Run a service with a valid form; otherwise the page comes back with the form bound."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except DomainError as exc:
            field = getattr(exc, "field", None)
            form.add_error(field if field in form.fields else None, refusal_text(exc))
        else:
            messages.success(request, success)
            return redirect("manage-report", number=report.number)
    return _detail(request, report, status=400, **{name: form})


@require_POST
@changer_required
def report_status(request, number: str):
    report = _report(request, number)
    form = forms.StatusForm(request.POST, request.FILES)
    if form.is_valid():
        photos = form_photos.stage(form, "photos", form.cleaned_data["photos"], room=3)
        if photos is None:
            status = 503 if form.has_error("photos", "storage_unavailable") else 400
            return _detail(request, report, status=status, status_form=form)
    else:
        photos = []

    def change(data):
        transition = {
            "note": data["note"],
            "note_code": data["note_code"],
            "public_note": data["public_note"],
            "after_photos": photos,
            "acting_user": request.user,
        }
        try:
            if data["work_kind"]:
                planning_services.fault_fix_with_work(
                    report=report,
                    kind=data["work_kind"],
                    cost_yen=data["work_cost_yen"],
                    **transition,
                )
            else:
                services.report_transition(
                    report=report, to=data["to"], reason=data["reason"], **transition
                )
        except DomainError:
            photo_store.photos_discard(photos)
            raise

    return _act(request, report, form, "status_form", change, _("Status changed."))


@require_POST
@changer_required
def report_note(request, number: str):
    report = _report(request, number)
    return _act(
        request,
        report,
        forms.NoteForm(request.POST),
        "note_form",
        lambda data: services.report_note_add(
            report=report,
            text=data["text"],
            note_code=data["note_code"],
            public=data["public"],
            acting_user=request.user,
        ),
        _("Note added."),
    )


@require_POST
@changer_required
def report_assign(request, number: str):
    report = _report(request, number)
    scope = _organisations(request)
    return _act(
        request,
        report,
        forms.AssignForm(request.POST, organisations=scope),
        "assign_form",
        lambda data: services.report_assign(
            report=report,
            assignee=data["assignee"],
            due_on=data["due_on"],
            acting_user=request.user,
        ),
        _("Assigned; they have been told by email."),
    )


@require_POST
@changer_required
def report_merge(request, number: str):
    """Fold another report (a duplicate) into this one."""
    report = _report(request, number)

    def merge(data):
        duplicate = _readable(request).filter(number=data["duplicate"]).first()
        if duplicate is None:
            raise services.ReportError(
                _("There is no report %(number)s among yours.") % {"number": data["duplicate"]},
                code="no_such_report",
                field="duplicate",
            )
        services.report_merge(duplicate=duplicate, into=report, acting_user=request.user)

    return _act(request, report, forms.MergeForm(request.POST), "merge_form", merge, _("Merged."))


@require_POST
@right_required(Right.FORWARD_REPORTS)
def report_forward(request, number: str):
    report = _report(request, number)
    return _act(
        request,
        report,
        forms.ForwardForm(request.POST, report=report, user=request.user),
        "forward_form",
        lambda data: services.report_forward(
            report=report, to=data["to"], note=data["note"], acting_user=request.user
        ),
        _("Passed on; they and the resident have been told."),
    )


def _link_targets(user, report) -> list[tuple[str, object]]:
    """(purpose, organisation) the user may send a new link to: the owner when it has no
    staff here (city staff keep sight of outside owners' reports), the contractor when it
    has none and the user may change the report."""
    targets = []
    if (
        report.is_open
        and policy.may_on_report(user, Right.FORWARD_REPORTS, report)
        and owner_links.needs_link(report.owner)
    ):
        targets.append((OwnerLink.Purpose.OWNER, report.owner))
    if (
        report.is_open
        and report.assignee_id
        and policy.may_on_report(user, Right.CHANGE_REPORTS, report)
        and owner_links.needs_link(report.assignee)
    ):
        targets.append((OwnerLink.Purpose.CONTRACTOR, report.assignee))
    return targets


@require_POST
@staff_required
def report_link(request, number: str):
    """Send an owner or contractor without an account a new link to the report (the old
    one stops working); the address is shown once, to pass on by phone or fax too."""
    report = _report(request, number)
    if not any(
        policy.may_on_report(request.user, right, report)
        for right in (Right.CHANGE_REPORTS, Right.FORWARD_REPORTS)
    ):
        raise PermissionDenied
    targets = dict(_link_targets(request.user, report))
    organisation = targets.get(request.POST.get("purpose", ""))
    if organisation is None:
        messages.error(request, _("No link can be sent for this report."))
        return redirect("manage-report", number=number)
    issued = notices.link_resend(report, organisation, request.POST["purpose"])
    if organisation.contact_email:
        text = _("A new link was emailed to %(organisation)s. It is also: %(url)s")
    else:
        text = _("%(organisation)s has no email: pass them this link by phone or fax: %(url)s")
    messages.success(request, text % {"organisation": organisation, "url": issued.url})
    return redirect("manage-report", number=number)


@require_POST
@manager_required
def report_priority(request, number: str):
    report = _report(request, number)
    return _act(
        request,
        report,
        forms.PriorityForm(request.POST),
        "priority_form",
        lambda data: services.report_set_priority(
            report=report, points=data["points"], reason=data["reason"], acting_user=request.user
        ),
        _("The order has changed."),
    )


@require_POST
@changer_required
def report_moderate(request, number: str):
    report = _report(request, number)
    try:
        if "description" in request.POST:
            services.report_set_description_public(
                report=report,
                public=request.POST["description"] == "public",
                acting_user=request.user,
            )
        if "photo" in request.POST:
            token = uuid.UUID(request.POST["photo"])
            photo = get_object_or_404(report.photos, token=token)
            services.photo_set_public(
                photo=photo, public=request.POST.get("public") == "1", acting_user=request.user
            )
    except services.ReportError as exc:
        messages.error(request, refusal_text(exc))
    except ValueError:  # a photo token that is not a UUID
        raise Http404 from None
    return redirect("manage-report", number=number)


@require_safe
@staff_required
def photo(request, token, variant: str):
    """Photos for staff of the report's organisation, the private original included."""
    item = get_object_or_404(Photo.objects.filter(report__in=_readable(request)), token=token)
    if variant == "original":
        return serve_stored(item.original, private=True, content_type=item.content_type)
    if variant not in ("photo", "thumb"):
        raise Http404
    return serve_stored(item.public if variant == "photo" else item.thumbnail, private=True)
