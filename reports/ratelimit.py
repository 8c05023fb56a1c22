"""Fixed-window rate limits in Django's cache (Redis in production, shared by all servers)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/3600' is 60 requests per 3600 seconds."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 3600)


def client_address(request) -> str:
    """The client's address; behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (anything further left can be forged by the client)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hit(scope: str, identity: str, rate: str) -> bool:
    """Count one request; False when the limit for this window is already used up."""
    if not identity:
        return True
    limit, window = parse_rate(rate)
    # Hashed: addresses and session keys never sit in the cache in clear.
    digest = hashlib.blake2b(f"{scope}:{identity}".encode(), digest_size=12).hexdigest()
    key = f"rl:{digest}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 5):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def report_limits_exceeded(request, asset=None) -> str | None:
    """Which limit a new report would break ("address", "session", "asset"), or None."""
    checks = [
        ("address", client_address(request), settings.RATE_LIMIT_REPORTS_PER_ADDRESS),
        # The browser's CSRF cookie identifies it without a session row per visitor.
        (
            "session",
            request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
            settings.RATE_LIMIT_REPORTS_PER_SESSION,
        ),
    ]
    if asset is not None:
        checks.append(("asset", str(asset.pk), settings.RATE_LIMIT_REPORTS_PER_ASSET))
    for scope, identity, rate in checks:
        if not hit(f"report-{scope}", identity, rate):
            return scope
    return None
