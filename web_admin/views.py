"""The managers' screens under /manage/: thin views over the reports services."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from assets.selectors import user_scope_ids
from reports import selectors, services
from reports.files import serve_stored
from reports.models import Photo, Report


def staff_required(view):
    """Signed in, and a member of an organisation's staff (or a superuser)."""

    @login_required(login_url="manage-login")
    def wrapped(request, *args, **kwargs):
        if user_scope_ids(request.user) == frozenset():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class LoginView(auth_views.LoginView):
    template_name = "web_admin/login.html"
    redirect_authenticated_user = True


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=Report.Status.choices)
    reason = forms.ChoiceField(choices=[("", "—"), *Report.CloseReason.choices], required=False)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    public_note = forms.BooleanField(required=False, initial=True)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(required=False, label=_("Public (the resident sees it)"))


@require_safe
@staff_required
def queue(request):
    """Open reports of my organisations, newest first (the prioritised queue comes later)."""
    reports = (
        selectors.reports_for_user(request.user)
        .filter(status__in=Report.OPEN_STATUSES)
        .select_related("category", "asset__asset_type", "owner")
        .order_by("-created_at")
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "web_admin/queue.html", {"page": page})


def _report(request, number) -> Report:
    return get_object_or_404(
        selectors.reports_for_user(request.user).select_related(
            "category", "asset__asset_type", "owner"
        ),
        number=number,
    )


@require_safe
@staff_required
def report_detail(request, number: str):
    report = _report(request, number)
    return render(
        request,
        "web_admin/report_detail.html",
        {
            "report": report,
            "history": selectors.report_history_full(report),
            "photos": report.photos.all(),
            "status_form": StatusForm(initial={"public_note": True}),
            "note_form": NoteForm(),
            "next_statuses": sorted(services.TRANSITIONS.get(report.status, ())),
        },
    )


@require_POST
@staff_required
def report_status(request, number: str):
    report = _report(request, number)
    form = StatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_transition(
                report=report,
                to=data["to"],
                reason=data["reason"],
                note=data["note"],
                public_note=data["public_note"],
                acting_user=request.user,
            )
            messages.success(request, _("Status changed."))
        except services.ReportError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("manage-report", number=number)


@require_POST
@staff_required
def report_note(request, number: str):
    report = _report(request, number)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.report_note_add(
                report=report,
                text=form.cleaned_data["text"],
                public=form.cleaned_data["public"],
                acting_user=request.user,
            )
            messages.success(request, _("Note added."))
        except services.ReportError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("A note needs some text."))
    return redirect("manage-report", number=number)


@require_POST
@staff_required
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
            photo = get_object_or_404(report.photos, token=request.POST["photo"])
            services.photo_set_public(
                photo=photo, public=request.POST.get("public") == "1", acting_user=request.user
            )
    except services.ReportError as exc:
        messages.error(request, str(exc))
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
    return serve_stored(item.public if variant == "photo" else item.thumbnail, private=True)
