from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as project_urls


@csrf_exempt  # the slow-phone floor POSTs to it
def bare(request):
    """The floor: a view that does nothing, behind the same middleware (it reads what is
    posted to it, as any view that takes a form must)."""
    while request.read(65536):
        pass
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *project_urls]
