from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urls


def bare(request):
    """The floor: a view that does nothing, behind the same middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *project_urls]
