"""The managers' screens under /manage/: thin views over the reports services and selectors.

Reading is for every staff member of the report's organisations (viewers included); changing
is for managers and section staff; reordering the queue is for managers. Reports of other
organisations are 404, as if they did not exist.
"""

import uuid
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import guard, policy
from accounts.forms import GuardedAuthenticationForm
from accounts.policy import Right
from assets.models import FaultCategory
from assets.selectors import organizations_for_user
from config import city
from inspections import selectors as inspection_selectors
from reports import clients, exports, photo_store, priority, selectors, services
from reports import forms as report_forms
from reports import intake as intake_door
from reports import privacy as privacy_services
from reports.files import serve_stored
from reports.models import Photo, Report
from web_admin import forms
from web_admin.access import (
    changer_required,
    manager_required,
    right_required,
    staff_required,
)

MAP_FEATURE_LIMIT = 5000  # the queue's map shows at most this many, the highest first


class LoginView(auth_views.LoginView):
    template_name = "web_admin/login.html"
    authentication_form = GuardedAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "throttled"):
            response.status_code = 429
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web_admin/password_reset.html"
    email_template_name = "web_admin/email/password_reset.txt"
    subject_template_name = "web_admin/email/password_reset_subject.txt"
    success_url = reverse_lazy("manage-password-reset-done")

    def form_valid(self, form):
        # Somebody fishing, or flooding one mailbox: answer the same, send nothing.
        if not guard.password_reset_allowed(self.request, form.cleaned_data["email"]):
            return redirect(self.success_url)
        form.save(
            domain_override=city.current().public_base_url.split("://", 1)[-1],
            use_https=city.current().public_base_url.startswith("https"),
            from_email=settings.DEFAULT_FROM_EMAIL,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            extra_email_context={"city_name": city.current().name},
        )
        return redirect(self.success_url)


# --- The queue --------------------------------------------------------------------------------


def _queue_form(request) -> forms.QueueFilterForm:
    data = request.GET.copy()
    data.setdefault("per_page", "50")
    form = forms.QueueFilterForm(
        data, organisations=organizations_for_user(request.user).order_by("code")
    )
    form.is_valid()
    return form


def _queue(request, form, now=None):
    return selectors.queue(request.user, filters=form.queue_filter(), order=form.order_key, now=now)


@require_safe
@staff_required
def queue(request):
    """What to fix first and why: open reports of my organisations by priority, with reasons."""
    form = _queue_form(request)
    now = timezone.now()
    ids = _queue(request, form, now).values_list("pk", flat=True)
    page = Paginator(ids, form.page_size).get_page(request.GET.get("page"))
    rows = selectors.queue_page_rows(list(page.object_list), now=now)
    reports = [(report, priority.reasons(report, now)) for report in rows]
    filters = urlencode(
        [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]
    )
    return render(
        request,
        "web_admin/queue.html",
        {
            "nav": "queue",
            "form": form,
            "page": page,
            "reports": reports,
            "first_rank": page.start_index(),
            "filters": filters,
            "map_url": f"{reverse('manage-queue-export', args=['geojson'])}?{filters}"
            f"{'&' if filters else ''}limit={MAP_FEATURE_LIMIT}",
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@require_safe
@staff_required
def queue_export(request, fmt: str):
    """The current filter as CSV or GeoJSON (all pages)."""
    form = _queue_form(request)
    qs = _queue(request, form)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(qs), content_type="text/csv")
    elif fmt == "geojson":
        limit = request.GET.get("limit", "")
        limit = min(int(limit), MAP_FEATURE_LIMIT) if limit.isdigit() else None
        response = StreamingHttpResponse(
            exports.geojson_chunks(qs, limit=limit), content_type="application/geo+json"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="reports-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- One report -------------------------------------------------------------------------------


def _report(request, number) -> Report:
    return get_object_or_404(
        selectors.reports_for_user(request.user).select_related(
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
    scope = organizations_for_user(user).filter(is_active=True).order_by("code")
    nearby = list(selectors.reports_open_nearby(report, within=selectors.reports_for_user(user)))
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
        "history": selectors.report_history_full(report),
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
        "status_form": forms.StatusForm(initial={"public_note": True}),
        "note_form": forms.NoteForm(),
        "assign_form": forms.AssignForm(
            organisations=scope,
            initial={"assignee": report.assignee_id, "due_on": forms.default_due(report)},
        ),
        "merge_form": forms.MergeForm(),
        "forward_form": forms.ForwardForm(report=report),
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
        except services.ReportError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, success)
            return redirect("manage-report", number=report.number)
    return _detail(request, report, status=400, **{name: form})


@require_POST
@changer_required
def report_status(request, number: str):
    report = _report(request, number)
    return _act(
        request,
        report,
        forms.StatusForm(request.POST),
        "status_form",
        lambda data: services.report_transition(
            report=report,
            to=data["to"],
            reason=data["reason"],
            note=data["note"],
            public_note=data["public_note"],
            acting_user=request.user,
        ),
        _("Status changed."),
    )


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
            report=report, text=data["text"], public=data["public"], acting_user=request.user
        ),
        _("Note added."),
    )


@require_POST
@changer_required
def report_assign(request, number: str):
    report = _report(request, number)
    scope = organizations_for_user(request.user).filter(is_active=True)
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
        duplicate = (
            selectors.reports_for_user(request.user).filter(number=data["duplicate"]).first()
        )
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
        forms.ForwardForm(request.POST, report=report),
        "forward_form",
        lambda data: services.report_forward(
            report=report, to=data["to"], note=data["note"], acting_user=request.user
        ),
        _("Passed on; they and the resident have been told."),
    )


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
        messages.error(request, str(exc))
    except ValueError:  # a photo token that is not a UUID
        raise Http404 from None
    return redirect("manage-report", number=number)


@require_safe
@staff_required
def photo(request, token, variant: str):
    """Photos for staff of the report's organisation, the private original included."""
    item = get_object_or_404(
        Photo.objects.filter(report__in=selectors.reports_for_user(request.user)), token=token
    )
    if variant == "original":
        return serve_stored(item.original, private=True, content_type=item.content_type)
    if variant not in ("photo", "thumb"):
        raise Http404
    return serve_stored(item.public if variant == "photo" else item.thumbnail, private=True)


# --- Phone and counter intake ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@right_required(Right.INTAKE)
def intake(request):
    """A report taken for a caller, through the same door as the residents' form."""
    if request.method != "POST":
        return render(request, "web_admin/intake.html", _intake_context(forms.IntakeForm()))
    form = forms.IntakeForm(request.POST, request.FILES)
    outcome = _file_intake(request, form) if form.is_valid() else None
    if outcome is not None:
        report = outcome.report
        url = f"{city.current().public_base_url}/r/{outcome.receipt.token}"
        messages.success(
            request,
            _("Report %(number)s filed. Tell the caller the number; progress: %(url)s")
            % {"number": report.number, "url": url},
        )
        return redirect("manage-report", number=report.number)
    status = 503 if form.has_error("photos", "storage_unavailable") else 400
    return render(request, "web_admin/intake.html", _intake_context(form), status=status)


def _intake_context(form) -> dict:
    return {
        "nav": "intake",
        "form": form,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "map_center": settings.MAP_CENTER,
        "map_zoom": settings.MAP_ZOOM,
    }


def _file_intake(request, form):
    """The caller's report through the intake door; None (with errors on the form) when it
    cannot be filed."""
    data = form.cleaned_data
    try:
        photos, refused = photo_store.photos_stage(data["photos"], room=settings.REPORT_MAX_PHOTOS)
    except photo_store.StorageUnavailable:
        form.add_error(
            "photos",
            ValidationError(
                _(
                    "The photos could not be stored just now: file the report without them, "
                    "or try again in a few minutes."
                ),
                code="storage_unavailable",
            ),
        )
        return None
    for problem in report_forms.photo_errors(refused):
        form.add_error("photos", problem)
    if refused:
        photo_store.photos_discard(photos)
        return None
    lat, lon = data.get("lat"), data.get("lon")
    place = intake_door.Place.from_form(
        point=Point(lon, lat, srid=4326) if lat is not None and lon is not None else None,
        address_text=data["address_text"],
        town=data.get("town"),
    )
    try:
        return intake_door.report_intake(
            channel=Report.Source.STAFF,
            acting_user=request.user,
            category=FaultCategory.objects.get(code=data["category"]),
            language=data["language"],
            label_code=data["label_code"],
            ledger_id=data["ledger_id"],
            asset_type=data["asset_type"],
            place=place,
            description=data["description"],
            photos=photos,
            contact=intake_door.Contact(
                email=data["email"], name=data["name"], phone=data["phone"], consent=data["consent"]
            ),
        )
    except services.ReportError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return None


# --- API keys of other systems (Open311) --------------------------------------------------------


def _api_clients_page(request, form, *, status=200, new_client=None, new_key=""):
    listed = clients.clients_for_user(request.user).annotate(report_count=Count("reports"))
    response = render(
        request,
        "web_admin/api_clients.html",
        {
            "nav": "api-clients",
            "form": form,
            "clients": listed,
            "default_rate": settings.OPEN311_RATE_LIMIT,
            "new_client": new_client,
            "new_key": new_key,
        },
        status=status,
    )
    if new_key:  # shown once: never kept by a browser's or a proxy's cache
        response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def api_clients(request):
    if not clients.may_manage_clients(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return _api_clients_page(request, forms.ApiClientForm())
    form = forms.ApiClientForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            client, key = clients.client_create(
                name=data["name"],
                contact_email=data["contact_email"],
                rate_limit=data["rate_limit"],
                services=data["services"],
                acting_user=request.user,
            )
        except clients.ClientError as exc:
            field = {"name_taken": "name", "empty_name": "name", "bad_rate": "rate_limit"}
            form.add_error(field.get(exc.code), exc.detail)
        else:
            return _api_clients_page(request, forms.ApiClientForm(), new_client=client, new_key=key)
    return _api_clients_page(request, form, status=400)


@require_POST
@staff_required
def api_client_revoke(request, pk: int):
    if not clients.may_manage_clients(request.user):
        raise PermissionDenied
    client = get_object_or_404(clients.clients_for_user(request.user), pk=pk)
    clients.client_revoke(client=client, acting_user=request.user)
    messages.success(request, _("The key of %(name)s was revoked.") % {"name": client.name})
    return redirect("manage-api-clients")


# --- A resident's personal data (APPI requests) ------------------------------------------------


def _privacy_page(request, form, *, status=200, found=None, erase_form=None):
    return render(
        request,
        "web_admin/privacy.html",
        {
            "nav": "privacy",
            "form": form,
            "found": found,
            "erase_form": erase_form,
            "query": urlencode({k: v for k, v in form.cleaned_data.items() if v})
            if found is not None
            else "",
        },
        status=status,
    )


@require_safe
@right_required(Right.PERSONAL_DATA)
def privacy(request):
    """Find what one resident sent, to show it to them or erase it at their request."""
    if not request.GET:
        return _privacy_page(request, forms.PersonalDataForm())
    form = forms.PersonalDataForm(request.GET)
    if not form.is_valid():
        return _privacy_page(request, form, status=400)
    found = privacy_services.personal_data_find(acting_user=request.user, **form.cleaned_data)
    erase_form = forms.PersonalDataEraseForm(initial=form.cleaned_data)
    response = _privacy_page(request, form, found=found, erase_form=erase_form)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@right_required(Right.PERSONAL_DATA)
def privacy_export(request):
    """Everything held about the person, as a JSON file to hand over (the disclosure is
    recorded on each report)."""
    form = forms.PersonalDataForm(request.GET)
    if not form.is_valid():
        return _privacy_page(request, form, status=400)
    document = privacy_services.personal_data_export(acting_user=request.user, **form.cleaned_data)
    response = HttpResponse(
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@right_required(Right.PERSONAL_DATA)
def privacy_erase(request):
    form = forms.PersonalDataEraseForm(request.POST)
    if not form.is_valid():
        search = forms.PersonalDataForm(request.POST)
        found = None
        if search.is_valid():
            found = privacy_services.personal_data_find(
                acting_user=request.user, **search.cleaned_data
            )
        return _privacy_page(request, search, status=400, found=found, erase_form=form)
    data = {key: form.cleaned_data[key] for key in ("email", "phone")}
    count = privacy_services.personal_data_erase(acting_user=request.user, **data)
    messages.success(
        request,
        _("Erased: %(count)s contributions. Their reports stay, without personal data.")
        % {"count": count},
    )
    return redirect("manage-privacy")
