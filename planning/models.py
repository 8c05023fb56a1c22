"""Work done on an asset: part of its condition history beside the inspections, so that the
deterioration model separates wear from repair."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from assets.models import Asset, AssetType


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


class DeteriorationModel(models.Model):
    """An asset type's estimated model (or one stratum's: road class, material, lamp type),
    as last fitted from the history, with what it rests on; `planning.forecasting` writes
    it and reads it back as a `deterioration.Model`."""

    asset_type = models.ForeignKey(
        AssetType, verbose_name=_("type"), on_delete=models.CASCADE, related_name="+"
    )
    # Both empty for the whole type; otherwise the attribute and its value.
    stratum_key = models.CharField(max_length=50, blank=True)
    stratum_value = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=10)  # "joint", "hazard"
    enough = models.BooleanField(default=False)
    why_not = models.TextField(blank=True)
    pairs = models.PositiveIntegerField(default=0)
    pairs_per_grade = models.JSONField(default=list)
    improvements = models.PositiveIntegerField(default=0)
    assets = models.PositiveIntegerField(default=0)
    # Per grade but the worst: hazard per year and its 95 % interval (empty when not enough).
    hazards = models.JSONField(default=list)
    low = models.JSONField(default=list)
    high = models.JSONField(default=list)
    misread = models.FloatField(default=0.0)
    fitted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deterioration model")
        verbose_name_plural = _("deterioration models")
        constraints = [
            models.UniqueConstraint(
                fields=["asset_type", "stratum_key", "stratum_value"], name="one_model_a_stratum"
            )
        ]

    def __str__(self) -> str:
        stratum = f" {self.stratum_key}={self.stratum_value}" if self.stratum_key else ""
        return f"{self.asset_type.code}{stratum}"


class Forecast(models.Model):
    """One asset's chance of reaching its type's action grade (the first grade that calls
    for action: III, C, III-1), from its last inspection (or the work since), under the
    model that fits it best. Rewritten whenever the models are fitted."""

    asset = models.OneToOneField(
        Asset, primary_key=True, on_delete=models.CASCADE, related_name="forecast"
    )
    model = models.ForeignKey(DeteriorationModel, on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(max_length=8)  # the grade the forecast starts from
    since = models.DateField()  # the day of that grade: the last inspection or work
    within_1 = models.FloatField()  # years from `since`
    within_5 = models.FloatField()
    within_10 = models.FloatField()
    # From the day of the fit: the "likely to need work within two years" filter.
    next_2 = models.FloatField(db_index=True)
    computed_on = models.DateField()

    class Meta:
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.next_2:.0%} within two years"


# --- The long-life repair plan (長寿命化修繕計画) ------------------------------------------


class Action(models.TextChoices):
    PREVENTIVE = "preventive", _("preventive treatment")
    REPAIR = "repair", _("repair")
    RENEWAL = "renewal", _("renewal")


class Policy(models.TextChoices):
    PREVENTIVE_II = "preventive-ii", _("preventive: act from grade II/B")
    PREVENTIVE_III = "preventive-iii", _("preventive: act from grade III/C")
    REACTIVE = "reactive", _("reactive: renew at grade IV/D only")


class PlanSettings(models.Model):
    """What an organisation's managers set for its plan: budgets, horizon, policy, the
    levelling limit. One row per organisation; each change is kept in InputChange."""

    organisation = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="plan_settings"
    )
    first_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    horizon = models.PositiveSmallIntegerField(_("horizon (years)"), default=10)
    budget = models.PositiveBigIntegerField(_("annual budget (yen)"), default=0)
    # One figure per fiscal year when they differ; empty: `budget` every year.
    budgets = models.JSONField(_("budget per fiscal year (yen)"), default=list, blank=True)
    second_budget = models.PositiveBigIntegerField(
        _("second budget level to compare (yen)"), null=True, blank=True
    )
    policy = models.CharField(
        _("policy"), max_length=20, choices=Policy.choices, default=Policy.PREVENTIVE_II
    )
    levelling = models.PositiveBigIntegerField(
        _("levelling limit (yen)"),
        null=True,
        blank=True,
        help_text=_("The largest change of planned spend from one year to the next."),
    )

    class Meta:
        verbose_name = _("plan settings")
        verbose_name_plural = _("plan settings")

    def __str__(self) -> str:
        return f"{self.organisation} FY{self.first_year}+{self.horizon}"

    def yearly_budgets(self) -> list[int]:
        given = [int(b) for b in self.budgets or []]
        return (given + [self.budget] * self.horizon)[: self.horizon]


class UnitCost(models.Model):
    """Yen per asset of a type for an action: the managers' prices. The shipped figures are
    examples (`example`), to be replaced with the city's."""

    organisation = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="unit_costs"
    )
    asset_type = models.ForeignKey(AssetType, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    yen = models.PositiveBigIntegerField(_("unit cost (yen)"))
    example = models.BooleanField(_("example value"), default=True)

    class Meta:
        verbose_name = _("unit cost")
        verbose_name_plural = _("unit costs")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "asset_type", "action"], name="one_unit_cost"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asset_type.code} {self.action}: ¥{self.yen:,}"


class InputChange(models.Model):
    """The audit of the plan's inputs: who changed what, from what to what, when."""

    organisation = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=100)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.before} → {self.after}"


class SavedPlan(models.Model):
    """A plan as made, with the inputs it was made from and its scenarios, so that next
    year's can be compared with it. Its works are PlannedWork rows."""

    organisation = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    first_year = models.PositiveSmallIntegerField()
    inputs = models.JSONField()  # budgets, policy, levelling, unit costs, as used
    feasible = models.BooleanField()
    why_not = models.TextField(blank=True)
    # Per scenario: yearly planned and reactive spend, backlog, grades; and the totals.
    scenarios = models.JSONField(default=dict)
    assets = models.PositiveIntegerField(default=0)  # assets with a forecast, planned over
    unplanned = models.PositiveIntegerField(default=0)  # assets without one

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} FY{self.first_year} ({self.made_at:%Y-%m-%d})"


class PlannedWork(models.Model):
    plan = models.ForeignKey(SavedPlan, on_delete=models.CASCADE, related_name="works")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=12, choices=Action.choices)
    cost_yen = models.PositiveBigIntegerField()
    grade_now = models.CharField(max_length=8)  # where its forecast starts
    grade_then = models.CharField(max_length=8)  # the likely grade in that year

    class Meta:
        ordering = ["fiscal_year", "id"]
        indexes = [models.Index(fields=["plan", "fiscal_year", "id"], name="plannedwork_year")]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.asset_id} {self.action}"
