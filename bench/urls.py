from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from linebot.v3.webhook import SignatureValidator

from config.urls import urlpatterns as project_urls


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


urlpatterns = [path("bench/bare", bare), path("bench/line-bare", line_bare), *project_urls]
