"""/metrics for Prometheus: from this machine (loopback) or with METRICS_TOKEN only.

The request metrics come from config/observability.py, the photo and sync ones from where
they happen; the task queue is read here, at scrape time, with one query. Under gunicorn
several workers each count their own requests: with PROMETHEUS_MULTIPROC_DIR set (before
the workers start) prometheus_client writes every worker's values there and a scrape sums
them all, whichever worker answers it.
"""

import dataclasses
import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.db.models import Case, Count, F, Min, Q, When
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from accounts.limits import client_address

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class QueueState:
    ready: int
    running: int
    oldest_ready_age: float  # seconds; 0 when nothing waits


def queue_state() -> QueueState:
    """Tasks waiting and running, and how long the oldest ready one has waited (since it
    became due: a delayed task waits from its run_after). One query on the status index."""
    now = timezone.now()
    never = get_date_max()
    ready = Q(status=TaskResultStatus.READY) & (Q(run_after=never) | Q(run_after__lte=now))
    due = Case(When(run_after=never, then=F("enqueued_at")), default=F("run_after"))
    row = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).aggregate(
        ready=Count("id", filter=ready),
        running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
        oldest=Min(due, filter=ready),
    )
    oldest = row["oldest"]
    age = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
    return QueueState(ready=row["ready"], running=row["running"], oldest_ready_age=age)


class TaskQueueCollector:
    """Reads the queue when Prometheus scrapes (one query), not on every task."""

    def collect(self):
        up = GaugeMetricFamily(
            "machimori_tasks_query_ok", "1 when the task queue could be read at this scrape."
        )
        try:
            state = queue_state()
        except Exception:  # a scrape must answer; the failure is this gauge and the log
            logger.exception("reading the task queue for /metrics failed")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "machimori_tasks_ready", "Tasks due and waiting for a worker.", value=state.ready
        )
        yield GaugeMetricFamily(
            "machimori_tasks_running", "Tasks a worker is running now.", value=state.running
        )
        yield GaugeMetricFamily(
            "machimori_tasks_oldest_ready_age_seconds",
            "How long the oldest due task has waited for a worker (0 when none waits).",
            value=state.oldest_ready_age,
        )


_queue_registry = CollectorRegistry(auto_describe=False)
_queue_registry.register(TaskQueueCollector())


def _process_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def allowed(request) -> bool:
    """A bearer token equal to METRICS_TOKEN, or no token and a loopback client (behind
    TRUSTED_PROXY_COUNT proxies, the address they forward, as for the rate limits)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, given = header.partition(" ")
        expected = settings.METRICS_TOKEN
        return bool(
            expected
            and scheme.lower() == "bearer"
            and hmac.compare_digest(given.strip().encode(), expected.encode())
        )
    try:
        return ipaddress.ip_address(client_address(request)).is_loopback
    except ValueError:
        return False


@never_cache
@require_safe
def metrics(request):
    # 404, not 403: from outside there is nothing here.
    if not allowed(request):
        raise Http404
    body = b""
    for registry in (_process_registry(), _queue_registry):
        try:
            body += generate_latest(registry)
        except Exception:  # one broken source must not hide the others
            logger.exception("a metrics registry failed")
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
