"""Root URLs. Public paths here are printed on stickers and relied on for years (DESIGN.md)."""

from django.contrib import admin
from django.urls import include, path, re_path

from api import health
from qr_labels import views as qr_views
from reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Printed on stickers for years: /q/CODE, also /Q/CODE (QR alphanumeric mode is upper
    # case), any case, with or without a trailing slash.
    re_path(r"^[qQ]/(?P<code>[^/]{1,40})/?$", qr_views.scan, name="scan"),
    re_path(r"^[qQ]/?$", qr_views.scan_entry, name="scan-entry"),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
