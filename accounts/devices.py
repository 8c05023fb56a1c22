"""The tablets an inspector signs in for field work: issuing a device's token, listing a
user's devices, signing one out."""

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import DeviceToken


def device_sign_in(*, user, name: str) -> tuple[DeviceToken, str]:
    """A new token for the user's device: (the stored token, its text, shown only once)."""
    return DeviceToken.issue(
        user=user, name=name, lifetime=datetime.timedelta(days=settings.DEVICE_TOKEN_DAYS)
    )


def devices_for_user(user) -> QuerySet[DeviceToken]:
    return DeviceToken.objects.filter(user=user)


def device_sign_out(*, device_id: int, acting_user) -> bool:
    """Revoke one of the acting user's own tokens; False when there is no such token still
    in use."""
    updated = DeviceToken.objects.filter(
        pk=device_id, user=acting_user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return bool(updated)
