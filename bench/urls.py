import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from linebot.v3.webhook import SignatureValidator

from api.views import AssetListApi
from config.urls import (  # the project's error pages, not Django's defaults
    handler400,
    handler403,
    handler404,
    handler500,
)
from config.urls import urlpatterns as project_urls

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@csrf_exempt  # the slow-phone floor POSTs to it
def bare(request):
    """The floor: a view that does nothing, behind the same middleware (it reads what is
    posted to it, as any view that takes a form must)."""
    while request.read(65536):
        pass
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
@require_POST
def line_bare(request):
    """The LINE webhook's floor (bench/line.py): X-Line-Signature verified with the same
    SDK validator as /line/webhook, then 200, and nothing kept."""
    signature = request.headers.get("X-Line-Signature", "")
    validator = SignatureValidator(settings.LINE_CHANNEL_SECRET)
    if not signature or not validator.validate(request.body.decode("utf-8"), signature):
        return HttpResponse(status=401)
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def store(request):
    """The floor of a submission with a photo (bench/cluster.py): the body read and stored,
    whole, to the same storage (S3 on make cluster), then 200; nothing checked."""
    body = bytearray()
    while chunk := request.read(1 << 20):
        body += chunk
    name = storages["default"].save(f"bench/{uuid.uuid4().hex}.bin", ContentFile(bytes(body)))
    return HttpResponse(name.encode(), content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare),
    path("bench/line-bare", line_bare),
    path("bench/store", store),
    # The asset bbox list, the same view, at an address the replica router does not take
    # as a public read (config/replica.py): read from the primary (bench/cluster.py).
    path("bench/primary/api/v1/assets/", AssetListApi.as_view()),
    *project_urls,
]
