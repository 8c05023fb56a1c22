"""Work done on an asset: part of its condition history beside the inspections, so that the
deterioration model separates wear from repair."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from assets.models import Asset


class Work(models.Model):
    class Kind(models.TextChoices):
        REPAIR = "repair", _("repair")
        RENEWAL = "renewal", _("renewal")
        PREVENTIVE = "preventive", _("preventive treatment")

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="works"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    done_on = models.DateField(_("date"))
    cost_yen = models.PositiveBigIntegerField(_("cost (yen)"), null=True, blank=True)
    contractor = models.ForeignKey(
        Organization,
        verbose_name=_("contractor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The grade after the work, on the asset type's scale, when somebody looked.
    grade_after = models.CharField(_("grade after the work"), max_length=8, blank=True)
    reports = models.ManyToManyField(
        "reports.Report",
        verbose_name=_("fault reports it closed"),
        blank=True,
        related_name="works",
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("work")
        verbose_name_plural = _("works")
        ordering = ["-done_on", "-id"]
        constraints = [
            # A re-import of the same ledger changes nothing: one work per asset, day and kind.
            models.UniqueConstraint(fields=["asset", "done_on", "kind"], name="work_once_a_day")
        ]
        indexes = [models.Index(fields=["asset", "done_on"], name="work_asset_day")]

    def __str__(self) -> str:
        return f"{self.asset} {self.done_on:%Y-%m-%d} {self.get_kind_display()}"
