"""Request ids in every log line, JSON logs, and request counts and latencies by route.

Imports none of the apps (an import-linter contract): app metrics live with what they
measure (reports/photos.py, api/tablet/sync.py) and /metrics is served by api/metrics.py.
"""

import contextvars
import logging
import re
import time
import uuid

from prometheus_client import Counter, Histogram
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; other proxies send uuids or their own ids. Anything
# else (too long, other characters) is replaced rather than written into our logs.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_request_id = contextvars.ContextVar("request_id", default="-")

# Labels are bounded: the URL pattern's name (never the path, which carries report numbers,
# sticker codes and tokens), a known method, the status code.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter(
    "machimori_http_requests",
    "Requests answered, by route (the URL pattern's name), method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "machimori_http_request_duration_seconds",
    "Time from the request reaching Django to its response (body streaming not included).",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def current_request_id() -> str:
    return _request_id.get()


def request_id_from(value: str | None) -> str:
    """The proxy's id when it is one we can log as it is; a new one otherwise."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Carries nginx's X-Request-ID (or a new one) into every log line of the request and
    back out on the response, so one id finds a request in nginx's and our logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class MetricsMiddleware:
    """Counts and times every request by the name of the URL pattern that answered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        method = request.method if request.method in _METHODS else "other"
        route = route_of(request)
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        LATENCY.labels(route, method).observe(elapsed)
        return response


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Static files (whitenoise answers before the URLs are resolved) and unknown paths.
        return "<unresolved>"
    return match.view_name or "<unnamed>"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (`-` outside a request)."""

    def filter(self, record):
        request_id = _request_id.get()
        if request_id == "-":
            # Django logs 4xx and 5xx answers after the middleware has returned; those
            # records carry the request itself.
            request_id = getattr(getattr(record, "request", None), "request_id", "-")
        record.request_id = request_id
        return True


def json_formatter() -> JsonFormatter:
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request id,
    and the extras a call passes (`logger.info(..., extra={...})`); tracebacks as
    `exc_info`. Django's own `request` extra is left out: its id and status say enough."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        reserved_attrs=[*RESERVED_ATTRS, "request"],
    )
