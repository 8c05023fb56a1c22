"""Per-device tokens for the inspectors' tablets."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets import keys


class DeviceToken(models.Model):
    """A revocable sign-in of one device. Only a hash of the secret is stored; the token
    is shown once, when it is issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_tokens"
    )
    name = models.CharField(_("device"), max_length=100)
    prefix = models.CharField(max_length=keys.PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @classmethod
    def issue(cls, *, user, name: str, lifetime: datetime.timedelta) -> tuple["DeviceToken", str]:
        """A new token and its clear text ("prefix.secret"), which is never stored."""
        prefix, text, key_hash = keys.new_key()
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            key_hash=key_hash,
            expires_at=timezone.now() + lifetime,
        )
        return token, text

    def matches(self, secret: str) -> bool:
        return keys.matches(self.key_hash, secret)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active
