"""The field app's addresses: its shell, its service worker (whose scope is /field/, so it
must be served from here, not from /static/) and its web app manifest."""

from django.urls import path

from field import views

app_name = "field"

urlpatterns = [
    path("", views.shell, name="app"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
