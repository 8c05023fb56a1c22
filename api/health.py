"""/healthz and /healthz/<component>: 200 when it answers, 503 otherwise; never a secret.

/healthz is what load balancers ask each app server: the parts a request needs (database,
S3 when configured, Redis when it is the cache). The task queue and the report mailbox have
their own URLs only: a slow queue or a mailbox down must not take every app server out.
"""

import imaplib
import logging
import ssl
import threading
import uuid
import weakref

from botocore.config import Config
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import city_host
from api.metrics import queue_state
from config import city

logger = logging.getLogger(__name__)

MAIL_TIMEOUT_SECONDS = 5


class Unhealthy(Exception):
    """A component answered, but not as it should; the message is safe to show."""


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "answers"


def _storage() -> str:
    storage = storages["default"]
    with _clients_lock:
        client = _clients.get(storage)
        if client is None:
            client = _clients[storage] = _quick_client(storage)
    client.head_bucket(Bucket=storage.bucket_name)
    return "bucket reachable"


# One S3 client per configured storage, asking once with short timeouts: the storage's own
# client retries for a minute, longer than a load balancer waits for an answer.
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_clients_lock = threading.Lock()
STORAGE_TIMEOUT_SECONDS = 3


def _quick_client(storage):
    quick = Config(
        connect_timeout=STORAGE_TIMEOUT_SECONDS,
        read_timeout=STORAGE_TIMEOUT_SECONDS,
        retries={"max_attempts": 1, "mode": "standard"},
    )
    return storage._create_session().client(  # the storage's own credentials and profile
        "s3",
        region_name=storage.region_name,
        use_ssl=storage.use_ssl,
        endpoint_url=storage.endpoint_url,
        config=storage.client_config.merge(quick),
        verify=storage.verify,
    )


def _cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise Unhealthy("a value written was not read back")
    cache.delete(key)
    return "answers"


def _tasks() -> str:
    state = queue_state()
    limit = settings.TASKS_MAX_QUEUE_AGE
    if state.oldest_ready_age > limit:
        raise Unhealthy(
            f"{state.ready} waiting; the oldest for {state.oldest_ready_age:.0f} s "
            f"(more than {limit} s)"
        )
    return f"{state.ready} waiting, {state.running} running"


def _mailboxes() -> dict:
    """The report mailboxes' IMAP servers to check, each once: (host, port, CA file) -> the
    cities reading it. Every served city's own (from the host map: no query), else the
    settings' one."""
    found = city_host.known()
    if found.configured:
        boxes = [(here.slug, here.mailbox) for here in found.hosts.values() if here.mailbox]
    elif settings.MAIL_INTAKE_HOST:
        boxes = [("", city.current().mailbox)]
    else:
        boxes = []
    servers: dict = {}
    for slug, box in boxes:
        names = servers.setdefault((box.host, box.port, box.ca_file), [])
        if slug and slug not in names:
            names.append(slug)
    return servers


def _greet(host: str, port: int, ca_file: str) -> None:
    """The IMAP server answers a TLS greeting (no sign-in: cheap and no lockouts)."""
    context = ssl.create_default_context(cafile=ca_file or None)
    imap = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=MAIL_TIMEOUT_SECONDS)
    try:
        imap.noop()
    finally:
        try:
            imap.logout()
        except Exception:  # the check has its answer already
            logger.debug("IMAP logout after the health check failed", exc_info=True)


def _mail() -> str:
    """Every report mailbox's IMAP server answers (each city's own when several are served)."""
    servers = _mailboxes()
    if len(servers) == 1:
        _greet(*next(iter(servers)))
        return "IMAP server answers"
    silent = []
    for (host, port, ca_file), slugs in servers.items():
        try:
            _greet(host, port, ca_file)
        except Exception:
            logger.exception("health check mail: the IMAP server of %s failed", ", ".join(slugs))
            silent += slugs
    if silent:
        raise Unhealthy(
            f"{len(silent)} of {sum(len(s) for s in servers.values())} cities' mailboxes do "
            f"not answer: {', '.join(sorted(silent))}"
        )
    return f"{len(servers)} IMAP servers answer"


def _uses_redis() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def components() -> dict:
    """The components this deployment has, each with its check."""
    checks = {"database": _database}
    if settings.S3_BUCKET:
        checks["storage"] = _storage
    if _uses_redis():
        checks["cache"] = _cache
    checks["tasks"] = _tasks
    if _mailboxes():
        checks["mail"] = _mail
    return checks


_SUMMARY = ("database", "storage", "cache")


def _run(name: str, check) -> tuple[bool, str]:
    try:
        return True, check()
    except Unhealthy as exc:
        logger.warning("health check %s: %s", name, exc)
        return False, str(exc)
    except Exception:  # any failure means "not healthy"; the log says why, the body not
        logger.exception("health check %s failed", name)
        return False, "failing (see the server's log)"


@never_cache
@require_safe
def healthz(request):
    results, healthy = {}, True
    for name, check in components().items():
        if name not in _SUMMARY:
            continue
        ok, _detail = _run(name, check)
        results[name] = "ok" if ok else "failing"
        healthy = healthy and ok
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )


@never_cache
@require_safe
def healthz_component(request, component: str):
    check = components().get(component)
    if check is None:  # unknown, or not configured here
        raise Http404
    ok, detail = _run(component, check)
    return JsonResponse(
        {"component": component, "ok": ok, "detail": detail}, status=200 if ok else 503
    )
