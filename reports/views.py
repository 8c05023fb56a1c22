"""Pages for residents: the front page, the report form (from a sticker or not), the receipt
and status page, "me too", and the photos they are allowed to see."""

import datetime
import uuid
from functools import partial

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assets import selectors as asset_selectors
from assets.models import Asset, FaultCategory
from qr_labels import codes
from qr_labels import selectors as label_selectors
from qr_labels import services as label_services
from reports import ratelimit, scanpage, selectors, services
from reports.files import serve_stored
from reports.forms import MeTooForm, ReportForm, photo_message, stage_uploads
from reports.models import Photo, Report
from reports.photos import PhotoError

STAGED_PHOTO_LIFETIME = datetime.timedelta(hours=24)


@require_safe
def home(request):
    return render(request, "home.html", {"counts": asset_selectors.asset_counts_by_type()})


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).lower()


def _staged_photos(tokens) -> list[Photo]:
    """Photos this resident already uploaded with an earlier try of the form."""
    valid = []
    for token in tokens[: settings.REPORT_MAX_PHOTOS]:
        try:
            valid.append(str(uuid.UUID(str(token))))
        except ValueError:
            continue
    fresh_since = timezone.now() - STAGED_PHOTO_LIFETIME
    photos = Photo.objects.filter(
        token__in=valid, report__isnull=True, me_too__isnull=True, created_at__gte=fresh_since
    )
    by_token = {str(p.token): p for p in photos}
    return [by_token[t] for t in valid if t in by_token]


class _FormPage:
    """One report form (from a sticker, or the general one): GET shows it, POST takes it."""

    def __init__(self, request, *, asset=None, label=None, resolution=None):
        self.request, self.asset, self.label, self.resolution = request, asset, label, resolution
        self.language = _language()
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
                "map_center": settings.MAP_CENTER,
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
            ) % {"phone": settings.CITY_PHONE}
            return self.render(form, status=429, extra_errors=[message])
        photos = _staged_photos(request.POST.getlist("photo_tokens"))
        new_photos, photo_errors = stage_uploads(request.FILES.getlist("photos"), len(photos))
        photos += new_photos
        if not form.is_valid() or photo_errors:
            return self.render(form, status=400, photos=photos, photo_errors=photo_errors)
        data = form.cleaned_data
        asset, label_code, source = self.asset, (self.label.code if self.label else ""), "qr"
        if asset is None:
            source = "web"
            if data.get("label_code"):
                resolution = label_selectors.label_resolve(data["label_code"])
                if not resolution.found or resolution.asset.status != Asset.Status.IN_SERVICE:
                    form.add_error(
                        "label_code",
                        _("We cannot find this sticker code. Please check it, or leave it empty."),
                    )
                    return self.render(form, status=400, photos=photos)
                asset, label_code = resolution.asset, resolution.label.code
            elif data.get("asset_choice") and data["asset_choice"] != "none":
                asset = self._chosen_asset(form, data["asset_choice"])
        category = form.category_object()
        if asset is not None and category not in self.categories_for(asset):
            form.add_error(
                "category", _("Please choose what is wrong from the list for this asset.")
            )
            return self.render(form, status=400, photos=photos)
        place = services.Place.from_form(
            point=form.point(),
            source=data.get("location_source") or "",
            accuracy_m=data.get("accuracy"),
            address_text=data.get("address_text", ""),
            town=data.get("town"),
        )
        if not data.get("force_new"):
            check = self._check_first(form, asset, category, place, photos)
            if check is not None:
                return check
        submission = services.Submission(
            category=category,
            place=place,
            source=source,
            language=self.language,
            asset=asset,
            label_code=label_code,
            description=data.get("description", ""),
            answers=form.answers(),
            photos=photos,
            email=data.get("email", ""),
            consent=data.get("consent", False),
        )
        try:
            report = services.report_submit(submission)
        except services.ReportError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.detail if field is None else _error_text(exc))
            return self.render(form, status=400, photos=photos)
        return HttpResponseRedirect(reverse("report-status", args=[report.tracking]) + "?new=1")

    def categories_for(self, asset):
        return list(asset_selectors.fault_categories_for_type(asset.asset_type))

    def _chosen_asset(self, form, choice):
        if not choice.isdigit():
            return None
        return Asset.objects.filter(pk=int(choice), status=Asset.Status.IN_SERVICE).first()

    def _check_first(self, form, asset, category, place, photos):
        """Before a new report: is it already reported, or is it one of the assets nearby?"""
        if asset is not None:
            duplicates = list(selectors.reports_open_for_asset(asset)[:5])
            suggestions = []
        else:
            point = place.point or next((p.gps for p in photos if p.gps), None)
            if point is None:
                return None
            duplicates = list(
                selectors.reports_open_near(category, point, settings.REPORT_DUPLICATE_RADIUS_M)[:5]
            )
            suggestions = list(selectors.assets_suggested(category, point))
        if not duplicates and not suggestions:
            return None
        return self.render(form, photos=photos, duplicates=duplicates, suggestions=suggestions)


def _error_text(exc) -> str:
    messages = {
        "no_location": _(
            "Please tell us where it is: use your location, pick the place on the map, choose "
            "the town and describe the place, or attach a photo taken there."
        ),
        "outside_area": _(
            "This place is outside the city's area. Please report it to the city or town that "
            "looks after it."
        ),
        "invalid_answer": _("Please check this answer."),
        "bad_category": _("Please choose what is wrong from the list."),
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
            return response
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
    return response


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
    return page.render(form)


@never_cache
@require_safe
def report_status(request, tracking: str):
    """/r/<tracking>: the receipt and the status history, for the person who holds the link."""
    report = selectors.report_for_tracking(tracking)
    if report is None:
        raise Http404
    return render(
        request,
        "reports/status.html",
        {
            "report": report,
            "history": selectors.report_history_public(report),
            "photos": report.photos.filter(me_too__isnull=True),
            "just_sent": request.GET.get("new") == "1",
        },
    )


@require_POST
def me_too(request, number: str):
    """ "I saw it too": counted on an open report, with an optional email and photo."""
    report = get_object_or_404(Report, number=number, status__in=Report.OPEN_STATUSES)
    form = MeTooForm(request.POST, request.FILES)
    if ratelimit.report_limits_exceeded(request, report.asset):
        return render(
            request, "reports/me_too.html", {"report": report, "limited": True}, status=429
        )
    if not form.is_valid():
        return render(request, "reports/me_too.html", {"report": report, "form": form}, status=400)
    photo = None
    if form.cleaned_data.get("photo"):
        try:
            photo = services.photo_stage(
                data=form.cleaned_data["photo"], filename=form.cleaned_data["photo"].name
            )
        except PhotoError as exc:
            form.add_error("photo", photo_message(exc))
            return render(
                request, "reports/me_too.html", {"report": report, "form": form}, status=400
            )
    elif form.cleaned_data.get("photo_token"):
        staged = _staged_photos([form.cleaned_data["photo_token"]])
        photo = staged[0] if staged else None
    services.report_me_too(
        report=report,
        email=form.cleaned_data.get("email", ""),
        language=_language(),
        photo=photo,
    )
    report.refresh_from_db()
    return render(request, "reports/me_too.html", {"report": report, "done": True})


@require_safe
def report_photo(request, tracking: str, token, variant: str):
    """The resident's own photos on their status page (public copy or thumbnail only)."""
    photo = get_object_or_404(Photo, token=token, report__tracking=tracking)
    return serve_stored(photo.public if variant == "photo" else photo.thumbnail, private=True)


@require_safe
def staged_photo(request, token):
    """A thumbnail of a photo uploaded with a form that came back (its token is the key)."""
    photo = get_object_or_404(
        Photo,
        token=token,
        report__isnull=True,
        created_at__gte=timezone.now() - STAGED_PHOTO_LIFETIME,
    )
    return serve_stored(photo.thumbnail, private=True)


@require_safe
def public_photo(request, token, variant: str):
    """A photo staff made public (moderated), for public lists and open data."""
    photo = get_object_or_404(
        Photo.objects.filter(Q(is_public=True) & Q(report__isnull=False)), token=token
    )
    return serve_stored(photo.public if variant == "photo" else photo.thumbnail, private=False)
