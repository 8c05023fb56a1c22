"""Root URLs. Public paths here are printed on stickers and relied on for years (DESIGN.md)."""

from django.contrib import admin
from django.urls import include, path

from api import health
from reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
