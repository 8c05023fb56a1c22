"""Counting requests: the client's address, and fixed-window limits in Django's cache
(Redis in production, shared by all app servers). The one rate limiter of the project;
limits are settings parsed at start (config.env.Rate)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from config.env import Rate


def client_address(request) -> str:
    """The client's address; behind N trusted proxies, the Nth from the right of
    X-Forwarded-For (what lies further left can be forged by the client)."""
    if request is None:
        return ""
    meta = getattr(request, "META", {})
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return meta.get("REMOTE_ADDR", "")


def hashed(scope: str, identity: str) -> str:
    """A cache key part: addresses, usernames and session keys never sit in the cache in
    clear."""
    return hashlib.blake2b(f"{scope}:{identity}".encode(), digest_size=12).hexdigest()


def hit(scope: str, identity: str, rate: Rate) -> bool:
    """Count one request; False when the limit for this window is already used up."""
    if not identity:
        return True
    key = f"rl:{hashed(scope, identity)}:{int(time.time() // rate.seconds)}"
    timeout = rate.seconds + 5
    if cache.add(key, 1, timeout=timeout):
        return rate.count >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        count = 1
    return count <= rate.count
