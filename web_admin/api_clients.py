"""API keys of other systems (Open311 clients): issuing and revoking them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import cities
from reports import clients
from web_admin import forms
from web_admin.access import staff_required
from web_admin.refusals import refusal_text


def _clients(request):
    """The keys this user manages, of the host's city (a superuser's too)."""
    return cities.in_city(clients.clients_for_user(request.user), request, "organization__city")


def _api_clients_page(request, form, *, status=200, new_client=None, new_key=""):
    listed = _clients(request).annotate(report_count=Count("reports"))
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
            form.add_error(field.get(exc.code), refusal_text(exc))
        else:
            return _api_clients_page(request, forms.ApiClientForm(), new_client=client, new_key=key)
    return _api_clients_page(request, form, status=400)


@require_POST
@staff_required
def api_client_revoke(request, pk: int):
    if not clients.may_manage_clients(request.user):
        raise PermissionDenied
    client = get_object_or_404(_clients(request), pk=pk)
    clients.client_revoke(client=client, acting_user=request.user)
    messages.success(request, _("The key of %(name)s was revoked.") % {"name": client.name})
    return redirect("manage-api-clients")
