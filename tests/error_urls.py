"""The site's URLs plus views that fail in each way, for the error-page tests. Django reads
the error handlers from the root URLconf, so they are imported here too."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import path

from config.errors import render_error
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site


def broken(request):
    raise RuntimeError("broken on purpose")


def bad_request(request):
    raise BadRequest("unreadable on purpose")


def forbidden(request):
    raise PermissionDenied("the secret reason, never shown")


def too_many(request):
    return render_error(request, 429)


def unavailable(request):
    return render_error(request, 503)


urlpatterns = [
    path("fail/400/", bad_request),
    path("fail/403/", forbidden),
    path("fail/429/", too_many),
    path("fail/500/", broken),
    path("fail/503/", unavailable),
    path("api/fail/", broken),
    path("open311/fail.json", broken),
    path("open311/fail.xml", broken),
    *site,
]
