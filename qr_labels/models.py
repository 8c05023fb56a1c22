"""QR labels: the stickers on poles and swings, their history, and the scans of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets.models import Asset
from qr_labels import codes


class Label(models.Model):
    """One printed code. Codes are never deleted nor reused: a sticker may outlive its use."""

    class State(models.TextChoices):
        ACTIVE = "active", _("in use")
        REPLACED = "replaced", _("replaced")
        RETIRED = "retired", _("withdrawn")

    code = models.CharField(_("code"), max_length=8, unique=True, editable=False)
    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="labels"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    keeps_working = models.BooleanField(
        _("old code keeps working"),
        default=False,
        help_text=_("After a replacement, scanning this code still opens the report form."),
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    printed_at = models.DateTimeField(_("last printed"), null=True, blank=True)

    class Meta:
        verbose_name = _("QR label")
        verbose_name_plural = _("QR labels")
        ordering = ["-issued_at", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(state="active"),
                name="label_one_active_per_asset",
            ),
        ]
        indexes = [models.Index(fields=["asset", "state"], name="label_asset_state")]

    def __str__(self) -> str:
        return codes.display(self.code)

    @property
    def display_code(self) -> str:
        return codes.display(self.code)


class LabelEvent(models.Model):
    """The history of a label: who issued, replaced, moved or withdrew it, and why."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("issued")
        REPLACED = "replaced", _("replaced")
        MOVED = "moved", _("moved to another asset")
        RETIRED = "retired", _("withdrawn")
        PRINTED = "printed", _("printed")

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("label event")
        verbose_name_plural = _("label events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.kind} {self.at:%Y-%m-%d}"


class Scan(models.Model):
    """A scan of a sticker. Deliberately nothing about the person: no IP, no browser."""

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="scans")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="scans")
    scanned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [
            models.Index(fields=["asset", "scanned_at"], name="scan_asset_time"),
            models.Index(fields=["scanned_at"], name="scan_time"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.scanned_at:%Y-%m-%d %H:%M}"
