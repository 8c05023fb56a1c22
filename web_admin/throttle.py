"""Sign-in throttling: failures counted per username and per address in Django's cache
(Redis in production, shared by all servers), in a fixed window."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from reports.ratelimit import client_address, hit, parse_rate

__all__ = ["client_address", "failed", "locked", "lockout_minutes", "reset_allowed", "succeeded"]


def _keys(username: str, address: str) -> list[tuple[str, int, int]]:
    keys = []
    for scope, identity, rate in (
        ("user", username.strip().casefold(), settings.LOGIN_FAILURES_PER_USERNAME),
        ("address", address, settings.LOGIN_FAILURES_PER_ADDRESS),
    ):
        if identity:
            limit, window = parse_rate(rate)
            digest = hashlib.blake2b(f"login-{scope}:{identity}".encode(), digest_size=12)
            keys.append((f"login:{digest.hexdigest()}:{int(time.time() // window)}", limit, window))
    return keys


def locked(username: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit, _ in _keys(username, address))


def failed(username: str, address: str) -> None:
    for key, _, window in _keys(username, address):
        if not cache.add(key, 1, timeout=window + 5):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=window + 5)


def succeeded(username: str) -> None:
    """A right password clears the username's count (not the address's)."""
    for key, _, _ in _keys(username, "")[:1]:
        cache.delete(key)


def lockout_minutes() -> int:
    return max(parse_rate(settings.LOGIN_FAILURES_PER_USERNAME)[1] // 60, 1)


def reset_allowed(address: str) -> bool:
    """Password-reset emails asked for from one address, per window."""
    return hit("password-reset", address, settings.PASSWORD_RESETS_PER_ADDRESS)
