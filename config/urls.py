"""Root URLs. Public paths here are printed on stickers and relied on for years (DESIGN.md)."""

from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path

from api import health, metrics
from channels import line
from config import errors
from reports import owner_views, receipt_views
from reports import views as report_views


def favicon(request):
    """Browsers ask for /favicon.ico by themselves; the icon is a static file (cached)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


urlpatterns = [
    path("", report_views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/<slug:component>", health.healthz_component, name="healthz-component"),
    # Prometheus: loopback or METRICS_TOKEN only; 404 to anyone else (api/metrics.py).
    path("metrics", metrics.metrics, name="metrics"),
    # Printed on stickers for years: /q/CODE, also /Q/CODE (QR alphanumeric mode is upper
    # case), any case, with or without a trailing slash.
    re_path(r"^[qQ]/(?P<code>[^/]{1,40})/?$", report_views.scan, name="scan"),
    re_path(r"^[qQ]/?$", report_views.scan_entry, name="scan-entry"),
    path("report/", report_views.report_new, name="report-new"),
    path("report/me-too/<str:number>/", report_views.me_too, name="report-me-too"),
    path("report/staged/<uuid:token>.jpg", report_views.staged_photo, name="report-staged-photo"),
    path("r/<str:token>", receipt_views.report_status, name="report-status"),
    path(
        "r/<str:token>/<uuid:photo>/<str:variant>.jpg",
        receipt_views.report_photo,
        name="report-photo",
    ),
    path("r/<str:token>/still-broken", receipt_views.still_broken, name="report-still-broken"),
    path("photos/<uuid:token>/<str:variant>.jpg", receipt_views.public_photo, name="public-photo"),
    # An owner's or contractor's link to one report (no account): emailed, never printed.
    path("owner/<str:token>/", owner_views.owner_page, name="owner-page"),
    path(
        "owner/<str:token>/photos/<uuid:photo>/<str:variant>.jpg",
        owner_views.owner_photo,
        name="owner-photo",
    ),
    path("api/", include("api.urls")),
    path("open311/v2/", include("api.open311_urls")),
    path("open-data/", include("api.opendata_urls")),
    path("ogc/", include("api.ogc_urls")),
    path("manage/", include("web_admin.urls")),
    # The inspectors' offline field app (on the tablet API).
    path("field/", include("field.urls")),
    # LINE's webhook (404 while the city has no LINE channel set up).
    path("line/webhook", line.webhook, name="line-webhook"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
