"""Secrets shown once and stored hashed: device tokens and API keys ("prefix.secret").

The prefix finds the row; only a hash of the secret is kept. The secret has 256 bits of
entropy, so a plain hash is enough (no password stretching) and a leaked table gives nothing.
"""

import datetime
import hashlib
import hmac
import secrets

from django.utils import timezone

PREFIX_LENGTH = 10
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """(prefix, clear text "prefix.secret", hash of the secret)."""
    prefix, secret = secrets.token_hex(PREFIX_LENGTH // 2), secrets.token_urlsafe(32)
    return prefix, f"{prefix}.{secret}", digest(secret)


def split_key(text: str) -> tuple[str, str] | None:
    """(prefix, secret) of a key as typed, or None when it cannot be one."""
    prefix, dot, secret = (text or "").strip().partition(".")
    if not dot or len(prefix) != PREFIX_LENGTH or not secret:
        return None
    return prefix, secret


def matches(key_hash: str, secret: str) -> bool:
    return hmac.compare_digest(key_hash, digest(secret))


def mark_used(row) -> None:
    """Note when a key was last used, at most once per LAST_USED_RESOLUTION."""
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        type(row).objects.filter(pk=row.pk).update(last_used_at=now)
