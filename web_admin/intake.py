"""Phone and counter intake: a report taken for a caller, through the residents' door."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.gis.geos import Point
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.policy import Right
from assets.models import FaultCategory
from config import city
from reports import form_photos, idempotency, services
from reports import intake as intake_door
from reports.models import Report
from web_admin import forms
from web_admin.access import right_required
from web_admin.refusals import refusal_text


@require_http_methods(["GET", "HEAD", "POST"])
@right_required(Right.INTAKE)
def intake(request):
    """A report taken for a caller, through the same door as the residents' form."""
    if request.method != "POST":
        context = _intake_context(forms.IntakeForm(where=request), secrets.token_hex(16))
        return render(request, "web_admin/intake.html", context)
    form = forms.IntakeForm(request.POST, request.FILES, where=request)
    outcome = _file_intake(request, form) if form.is_valid() else None
    if outcome is not None:
        report = outcome.report
        url = f"{city.current(request).public_base_url}/r/{outcome.receipt.token}"
        messages.success(
            request,
            _("Report %(number)s filed. Tell the caller the number; progress: %(url)s")
            % {"number": report.number, "url": url},
        )
        return redirect("manage-report", number=report.number)
    status = 503 if form.has_error("photos", "storage_unavailable") else 400
    # The form that comes back keeps its key: sent again, it is still one report.
    key = idempotency.form_key(request.POST.get("idempotency_key", "")) or secrets.token_hex(16)
    return render(request, "web_admin/intake.html", _intake_context(form, key), status=status)


def _intake_context(form, form_key: str) -> dict:
    return {
        "nav": "intake",
        "form": form,
        "form_key": form_key,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "map_center": settings.MAP_CENTER,
        "map_zoom": settings.MAP_ZOOM,
    }


def _file_intake(request, form):
    """The caller's report through the intake door; None (with errors on the form) when it
    cannot be filed."""
    data = form.cleaned_data
    photos = form_photos.stage(form, "photos", data["photos"], room=settings.REPORT_MAX_PHOTOS)
    if photos is None:
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
                email=data["email"],
                name=data["name"],
                phone=data["phone"],
                consent=data["consent"],
                share=data["share"],
            ),
            # A double click, or the page sent again after a dropped connection: one report.
            idempotency_key=idempotency.scoped(
                f"staff:{request.user.pk}",
                idempotency.form_key(request.POST.get("idempotency_key", "")),
            ),
        )
    except services.ReportError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, refusal_text(exc))
        return None
