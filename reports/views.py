"""Pages where residents send a report: the front page, the form (from a sticker or not), "me
too", and the photos a form that came back already holds."""

import secrets
from functools import partial

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.cities import in_city
from assets import selectors as asset_selectors
from assets.models import Asset, FaultCategory
from config import city
from qr_labels import codes
from qr_labels import selectors as label_selectors
from qr_labels import services as label_services
from qr_labels.selectors import Resolution
from reports import idempotency, intake, photo_store, ratelimit, scanpage, selectors, services
from reports.files import serve_stored
from reports.forms import MeTooForm, ReportForm, photo_errors, photo_message
from reports.language import request_language
from reports.models import Report


@require_safe
def home(request):
    return render(request, "home.html", {"counts": selectors.asset_counts_public(request)})


class _FormPage:
    """One report form (from a sticker, or the general one): GET shows it, POST takes it."""

    def __init__(self, request, *, asset=None, label=None, resolution=None):
        self.request, self.asset, self.label, self.resolution = request, asset, label, resolution
        self.language = request_language()
        if asset is not None:
            self.categories = list(asset_selectors.fault_categories_for_type(asset.asset_type))
        else:
            self.categories = list(
                FaultCategory.objects.filter(is_active=True).order_by("group", "sort_order")
            )

    def form(self, data=None, files=None) -> ReportForm:
        return ReportForm(
            data,
            files,
            categories=self.categories,
            language=self.language,
            with_asset=self.asset is not None,
            where=self.request,
        )

    def render(
        self,
        form,
        *,
        status=200,
        photos=(),
        photo_errors=(),
        duplicates=None,
        suggestions=(),
        extra_errors=(),
        asset=None,
        label=None,
        language_next=None,
    ):
        asset = asset or self.asset
        if duplicates is None:
            has_open = asset is not None and asset.open_reports
            duplicates = list(selectors.reports_open_for_asset(asset)[:5]) if has_open else []
        errors = (
            [(field.auto_id, field.label, error) for field in form for error in field.errors]
            if form.is_bound
            else []
        )
        return render(
            self.request,
            "reports/report_form.html",
            {
                "form": form,
                "asset": asset,
                "label": label or self.label,
                "language_next": language_next,
                "resolution": self.resolution,
                "photos": photos,
                "photo_errors": photo_errors,
                "errors": errors
                + [(None, "", e) for e in (*form.non_field_errors(), *extra_errors)],
                "duplicates": duplicates,
                "suggestions": suggestions,
                "max_photos": settings.REPORT_MAX_PHOTOS,
                "map_tiles": settings.MAP_TILE_URL,
                "map_attribution": settings.MAP_TILE_ATTRIBUTION,
                "map_center": selectors.map_centre(self.request),
                # One key per page shown (the form sent again is the same report); the
                # page that comes back after an error keeps the key it was sent with.
                "form_key": _form_key(form),
                "catalogue_version": asset_selectors.catalogue_version(),
            },
            status=status,
        )

    def post(self):
        request = self.request
        form = self.form(request.POST, request.FILES)
        limited = ratelimit.report_limits_exceeded(request, self.asset)
        if limited:
            form.is_valid()
            message = _(
                "Too many reports were sent from here in a short time. Please try again later, "
                "or call %(phone)s."
            ) % {"phone": city.current(request).phone}
            return self.render(form, status=429, extra_errors=[message])
        photos = selectors.photos_staged(request.POST.getlist("photo_tokens"))
        try:
            new_photos, refused = photo_store.photos_stage(
                request.FILES.getlist("photos"),
                room=settings.REPORT_MAX_PHOTOS - len(photos),
                sent=form.photo_exif(),
            )
        except photo_store.StorageUnavailable:
            form.is_valid()
            return self.render(
                form, status=503, photos=photos, extra_errors=[_storage_message(request)]
            )
        photos += new_photos
        if not form.is_valid() or refused:
            return self.render(form, status=400, photos=photos, photo_errors=photo_errors(refused))
        data = form.cleaned_data
        asset, label_code, channel = self.asset, (self.label.code if self.label else ""), "qr"
        if asset is None:
            channel = "web"
            label_code = data.get("label_code", "")
            if not label_code and data.get("asset_choice") not in (None, "", "none"):
                asset = self._chosen_asset(data["asset_choice"])
        place = intake.Place.from_form(
            point=form.point(),
            source=data.get("location_source") or "",
            accuracy_m=data.get("accuracy"),
            address_text=data.get("address_text", ""),
            town=data.get("town"),
        )
        try:
            outcome = intake.report_intake(
                channel=channel,
                acting_user=request.user,
                category=form.category_object(),
                language=self.language,
                asset=asset,
                label_code=label_code,
                place=place,
                description=data.get("description", ""),
                answers=form.answers(),
                photos=photos,
                contact=intake.Contact(
                    email=data.get("email", ""),
                    consent=data.get("consent", False),
                    share=data.get("share", False),
                ),
                join=intake.Join.NEVER if data.get("force_new") else intake.Join.ASK,
                keep_photos=True,
                idempotency_key=idempotency.scoped("form", _sent_key(form.data)),
                city=city.current(request),
            )
        except services.ReportError as exc:
            field = _FORM_FIELDS.get(exc.code, exc.field)
            field = field if field in form.fields else None
            form.add_error(field, _error_text(exc))
            return self.render(form, status=400, photos=photos)
        if outcome.report is None:
            return self.render(
                form,
                photos=photos,
                duplicates=outcome.duplicates,
                suggestions=outcome.suggestions,
            )
        return HttpResponseRedirect(
            reverse("report-status", args=[outcome.receipt.token]) + "?new=1"
        )

    def _chosen_asset(self, choice):
        if not choice.isdecimal():
            return None
        assets = in_city(Asset.objects.all(), self.request)
        return assets.filter(pk=int(choice), status=Asset.Status.IN_SERVICE).first()


def _form_key(form) -> str:
    """The key for the page shown: the one the form was sent with, or a new one."""
    return (_sent_key(form.data) if form.is_bound else "") or secrets.token_hex(16)


def _sent_key(data) -> str:
    """The key a form sent (normalized), or "" for none or one that cannot be a key."""
    return idempotency.form_key(data.get("idempotency_key", ""))


# Errors of the intake that belong to a field of the residents' form.
_FORM_FIELDS = {
    "label_mistyped": "label_code",
    "label_unknown": "label_code",
    "label_retired": "label_code",
    "no_such_asset": "label_code",
    "bad_category": "category",
}


def _storage_message(request) -> str:
    return _(
        "We could not save your photos just now. Everything you typed is still here: please "
        "try again in a moment, or send the report without photos, or call %(phone)s."
    ) % {"phone": city.current(request).phone}


def _error_text(exc) -> str:
    sticker = _("We cannot find this sticker code. Please check it, or leave it empty.")
    messages = {
        "label_mistyped": sticker,
        "label_unknown": sticker,
        "label_retired": sticker,
        "no_such_asset": sticker,
        "no_location": _(
            "Please tell us where it is: use your location, pick the place on the map, choose "
            "the town and describe the place, or attach a photo taken there."
        ),
        "outside_area": _(
            "This place is outside the city's area. Please report it to the city or town that "
            "looks after it."
        ),
        "invalid_answer": _("Please check this answer."),
        "bad_category": _("Please choose what is wrong from the list for this asset."),
        "report_not_open": _("This report is already dealt with."),
        "too_many_photos": _("Too many photos."),
    }
    return messages.get(exc.code, exc.detail)


def _count_after_response(response, label_id: int, asset_id: int) -> None:
    # Counted after the page has gone out (the response's close), so a slow disk or a
    # locked SQLite file never delays the resident.
    response._resource_closers.append(
        partial(label_services.scan_record, label_id=label_id, asset_id=asset_id)
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def scan(request, code: str):
    """/q/<code>: the report form of the asset the sticker is on."""
    if request.method != "POST":
        cached = scanpage.cached_response(request, code)
        if cached is not None:
            response, (label_id, asset_id) = cached
            if request.method == "GET":
                _count_after_response(response, label_id, asset_id)
            return ratelimit.form_session_keep(request, response)
    resolution = label_selectors.label_resolve(code)
    if not resolution.found:
        display = (
            codes.display(resolution.code)
            if len(resolution.code) == codes.BODY_LENGTH + 1
            else resolution.code
        )
        return render(
            request,
            "qr_labels/not_found.html",
            {"resolution": resolution, "typed": code[:40], "display": display},
            status=404,
        )
    asset = resolution.asset
    if not label_selectors.label_is_here(asset.owner.city_id, request):
        return _elsewhere(request, resolution)
    if asset.status != Asset.Status.IN_SERVICE:
        # The asset is gone: say so, and offer the general form for the place.
        return render(
            request,
            "reports/asset_gone.html",
            {"asset": asset, "label": resolution.label, "resolution": resolution},
        )
    page = _FormPage(request, asset=asset, label=resolution.label, resolution=resolution)
    if request.method == "POST":
        return page.post()
    if scanpage.cacheable(resolution):
        response = scanpage.skeleton_response(
            request,
            resolution,
            lambda skeleton, label, language_next: page.render(
                page.form(), asset=skeleton, label=label, language_next=language_next
            ),
        )
    else:
        response = page.render(page.form())
    if request.method == "GET":
        _count_after_response(response, resolution.label.pk, asset.pk)
    return ratelimit.form_session_keep(request, response)


def _elsewhere(request, resolution):
    """Another city's sticker, on this city's host: refused, with the address of its own
    city (a sticker moved across the boundary, or a link passed on)."""
    other = label_selectors.city_elsewhere(resolution.asset.owner.city_id)
    display = resolution.label.display_code
    if other is None:  # an organisation of no configured city: no sticker of any
        return render(
            request,
            "qr_labels/not_found.html",
            {"resolution": Resolution("unknown", resolution.code), "typed": "", "display": display},
            status=404,
        )
    return render(
        request,
        "qr_labels/other_city.html",
        {"other": other, "other_name": other.name_in(), "display": display},
        status=404,
    )


@require_safe
def scan_entry(request):
    """/q/ with ?code=…: the code read off a sticker, typed in by hand."""
    typed = request.GET.get("code", "").strip()
    if typed:
        return redirect(reverse("scan", args=[codes.normalize(typed)[:40] or "-"]))
    return render(request, "qr_labels/not_found.html", {"resolution": None, "typed": ""})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_new(request):
    """/report/: a report without a sticker."""
    page = _FormPage(request)
    if request.method == "POST":
        return page.post()
    initial = {}
    if request.GET.get("code"):
        initial["label_code"] = request.GET["code"][:20]
    form = page.form()
    form.initial.update(initial)
    return ratelimit.form_session_keep(request, page.render(form))


@require_POST
def me_too(request, number: str):
    """ "I saw it too": counted on an open report, with an optional email and photo; the
    person gets a receipt of their own."""
    report = get_object_or_404(
        in_city(Report.objects.all(), request), number=number, status__in=Report.OPEN_STATUSES
    )
    form = MeTooForm(request.POST, request.FILES)
    context = {"report": report, "form": form}
    if ratelimit.report_limits_exceeded(request, report.asset):
        return render(request, "reports/me_too.html", {**context, "limited": True}, status=429)
    if not form.is_valid():
        return render(request, "reports/me_too.html", context, status=400)
    photos = []
    if form.cleaned_data.get("photo"):
        try:
            photos, refused = photo_store.photos_stage([form.cleaned_data["photo"]], room=1)
        except photo_store.StorageUnavailable:
            form.add_error("photo", _storage_message(request))
            return render(request, "reports/me_too.html", context, status=503)
        if refused:
            form.add_error("photo", photo_message(refused[0][1]))
            return render(request, "reports/me_too.html", context, status=400)
    elif form.cleaned_data.get("photo_token"):
        photos = selectors.photos_staged([form.cleaned_data["photo_token"]])
    try:
        outcome = intake.me_too_intake(
            report=report,
            acting_user=request.user,
            contact=intake.Contact(email=form.cleaned_data.get("email", "")),
            language=request_language(),
            photos=photos,
            # Per report: the same page may offer "me too" on several.
            idempotency_key=idempotency.scoped(f"metoo:{report.pk}", _sent_key(request.POST)),
        )
    except services.ReportError as exc:
        form.add_error(None, _error_text(exc))
        return render(request, "reports/me_too.html", context, status=400)
    report.refresh_from_db()
    return render(
        request,
        "reports/me_too.html",
        {"report": report, "done": True, "receipt": outcome.receipt},
    )


@require_safe
def staged_photo(request, token):
    """A thumbnail of a photo uploaded with a form that came back (its token is the key)."""
    photo = selectors.photos_staged([token])
    if not photo:
        raise Http404
    return serve_stored(photo[0].thumbnail, private=True)
