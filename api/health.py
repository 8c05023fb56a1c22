"""/healthz: 200 when the database (and S3, when configured) answers, 503 otherwise."""

import logging

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _storage() -> None:
    storage = storages["default"]
    client = storage.connection.meta.client
    client.head_bucket(Bucket=storage.bucket_name)


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database}
    if settings.S3_BUCKET:
        checks["storage"] = _storage
    results, healthy = {}, True
    for name, check in checks.items():
        try:
            check()
        except Exception:  # any failure means "not healthy"; the log says why
            logger.exception("health check %s failed", name)
            results[name] = "failing"
            healthy = False
        else:
            results[name] = "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
