"""Idempotency keys: a contribution sent again (a double tap, a resend after a dropped
connection, a client retrying through another app server) gets the first receipt back and
saves nothing more.

The key is claimed by the receipt itself (Receipt.idempotency_key, unique when not empty),
in the transaction that writes the report, so two requests with the same key at the same
moment make one report: the second waits on the asset's lock or fails the unique
constraint, and reports/intake.py answers it with the first one's receipt. Keys are stored
scoped — `<channel>:<client>:<digest of the key>` — so two clients (or a form and an API
client) that pick the same key never meet. Open311 also stores a digest of the request,
so the same key with another body is refused instead of answered with the wrong receipt.
Keys are forgotten after KEY_LIFETIME (reports_housekeeping); the receipts stay.
"""

import datetime
import hashlib
import re
import uuid

from django.utils import timezone

from reports.models import Receipt

KEY_LIFETIME = datetime.timedelta(hours=24)

# What a client may send: a UUID, or up to 64 letters, digits and - _ . : (at least 8, so
# that a counter like "1" is not taken for a key).
_CLIENT_KEY = re.compile(r"[A-Za-z0-9_.:\-]{8,64}")


class BadKey(ValueError):
    """A key that cannot be one (too long, empty, characters outside the allowed set)."""


def form_key(sent: str) -> str:
    """The key a residents' or staff form sent, normalized (32 hex digits), or "" when what
    was sent is not one: a bad key counts as no key, never as an error."""
    try:
        return uuid.UUID(sent.strip()).hex if sent and len(sent) <= 36 else ""
    except ValueError:
        return ""


def client_key(sent: str) -> str:
    """The key another system sent, checked; raises BadKey when it cannot be a key."""
    sent = sent.strip()
    if not _CLIENT_KEY.fullmatch(sent):
        raise BadKey("Idempotency-Key must be 8 to 64 letters, digits or - _ . :")
    return sent


def scoped(scope: str, key: str) -> str:
    """The stored form of `key` for `scope` (a channel, or a channel and a client): at most
    64 characters, distinct between scopes."""
    if not key:
        return ""
    digest = hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()
    return f"{scope}:{digest}"[:64] if len(scope) <= 20 else digest


def request_digest(params, files=()) -> str:
    """A digest of a request's fields and files, in a stable order, without the key itself
    and the client's credential: the same request sent again has the same digest."""
    digest = hashlib.sha256()
    for name in sorted(params):
        if name in ("api_key", "idempotency_key"):
            continue
        for value in params.getlist(name) if hasattr(params, "getlist") else [params[name]]:
            digest.update(f"{name}={value}\n".encode())
    for upload in files:
        digest.update(f"file:{upload.name}:{upload.size}\n".encode())
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return digest.hexdigest()


def receipt_for(key: str) -> Receipt | None:
    """The receipt that claimed this stored key, if any."""
    if not key:
        return None
    return Receipt.objects.select_related("report").filter(idempotency_key=key).first()


def keys_expire(*, older_than: datetime.timedelta = KEY_LIFETIME) -> int:
    """Forget the keys of receipts older than `older_than` (a resend after a day is a new
    contribution); returns how many."""
    return keys_expired(older_than=older_than).update(idempotency_key="", idempotency_digest="")


def keys_expired(*, older_than: datetime.timedelta = KEY_LIFETIME):
    return Receipt.objects.exclude(idempotency_key="").filter(
        created_at__lt=timezone.now() - older_than
    )
