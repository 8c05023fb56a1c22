"""Asset types with their fault categories and grading scales, and the assets themselves.
(Organisations and people are in accounts.)"""

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.cities import in_city
from accounts.models import Organization
from assets import fieldspecs
from assets.scales import SCALE_CHOICES, SCALES


class Translated(models.Model):
    """A name in Japanese and English, and in the other resident languages when known."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"pt-br": "…", "zh-hans": "…", "ko": "…", "vi": "…"}'),
    )

    class Meta:
        abstract = True

    def name_in(self, language: str | None = None) -> str:
        language = (language or get_language() or "ja").lower()
        if language.startswith("ja"):
            return self.name_ja
        if language.startswith("en"):
            return self.name_en
        return self.names.get(language) or self.names.get(language.split("-")[0]) or self.name_en

    @property
    def name(self) -> str:
        return self.name_in()

    def __str__(self) -> str:
        return self.name_in()


class FaultCategory(Translated):
    """What can be wrong with an asset; also an Open311 service (its code is service_code)."""

    class Group(models.TextChoices):
        LIGHTING = "lighting", _("lights")
        PARK = "park", _("parks and playgrounds")
        ROAD = "road", _("roads")
        OTHER = "other", _("other")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    severity = models.PositiveSmallIntegerField(
        _("severity"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (minor) to 5 (danger to people)."),
    )
    # The response target is given in one unit: hours for what cannot wait (counted round
    # the clock), business days for routine work (reports/business_days.py).
    response_hours = models.PositiveIntegerField(
        _("response target (hours)"),
        null=True,
        blank=True,
        help_text=_("Time to act from the report, round the clock."),
    )
    response_business_days = models.PositiveSmallIntegerField(
        _("response target (business days)"),
        null=True,
        blank=True,
        help_text=_(
            "Instead of hours: business days after the day of the report (weekends, "
            "national holidays and 29 December to 3 January do not count)."
        ),
    )
    danger = models.BooleanField(
        _("danger to people"),
        default=False,
        db_default=False,
        help_text=_(
            "Faults of this category come before every fault without danger in the queue. "
            "A question can mark danger by its answer too (danger_when)."
        ),
    )
    questions = models.JSONField(_("extra questions"), default=list, blank=True)
    default_owner = models.ForeignKey(
        Organization,
        verbose_name=_("handled by, when no asset is known"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("fault category")
        verbose_name_plural = _("fault categories")
        ordering = ["group", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=5), name="faultcategory_severity_1_5"
            ),
            # isnull spelled out: a NULL compared with 0 is neither true nor false in SQL,
            # and a CHECK that is not false passes.
            models.CheckConstraint(
                condition=Q(
                    response_hours__isnull=False,
                    response_hours__gt=0,
                    response_business_days__isnull=True,
                )
                | Q(
                    response_hours__isnull=True,
                    response_business_days__isnull=False,
                    response_business_days__gt=0,
                ),
                name="faultcategory_one_response_target",
            ),
        ]

    def clean(self):
        errors = {}
        problems = fieldspecs.validate_specs(self.questions, allow_internal=False)
        if problems:
            errors["questions"] = problems
        if (self.response_hours is None) == (self.response_business_days is None):
            errors["response_hours"] = ValidationError(
                _("Give the response target in hours or in business days (one of them)."),
                code="one_response_target",
            )
        elif 0 in (self.response_hours, self.response_business_days):
            errors["response_hours"] = ValidationError(
                _("A response target of zero cannot be met."), code="zero_response_target"
            )
        if errors:
            raise ValidationError(errors)

    def answers_mark_danger(self, answers: dict) -> bool:
        """Whether a report's answers say the fault endangers people (a question's
        danger_when, e.g. "about to fall?" answered yes)."""
        return fieldspecs.marks_danger(self.questions, answers)


class AssetType(Translated):
    class Geometry(models.TextChoices):
        POINT = "point", _("point")
        LINE = "line", _("line")
        POLYGON = "polygon", _("area")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    geometry_kind = models.CharField(_("geometry"), max_length=10, choices=Geometry.choices)
    scale = models.CharField(_("grading scale"), max_length=20, choices=SCALE_CHOICES)
    inspection_cycle_months = models.PositiveSmallIntegerField(
        _("inspection cycle (months)"),
        null=True,
        blank=True,
        help_text=_("Empty when the type has no periodic inspection."),
    )
    parent_type = models.ForeignKey(
        "self",
        verbose_name=_("sits in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("e.g. a swing sits in a park."),
    )
    attribute_schema = models.JSONField(_("attributes"), default=list, blank=True)
    categories = models.ManyToManyField(
        FaultCategory, verbose_name=_("fault categories"), related_name="asset_types", blank=True
    )
    default_criticality = models.PositiveSmallIntegerField(
        _("default criticality"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("asset type")
        verbose_name_plural = _("asset types")
        ordering = ["sort_order", "code"]

    @property
    def grading_scale(self):
        return SCALES[self.scale]

    def clean(self):
        problems = fieldspecs.validate_specs(self.attribute_schema, allow_internal=True)
        if problems:
            raise ValidationError({"attribute_schema": problems})

    def geometry_matches(self, geom) -> bool:
        expected = {
            self.Geometry.POINT: {"Point"},
            self.Geometry.LINE: {"LineString", "MultiLineString"},
            self.Geometry.POLYGON: {"Polygon", "MultiPolygon"},
        }[self.geometry_kind]
        return geom.geom_type in expected


class Asset(models.Model):
    class Status(models.TextChoices):
        IN_SERVICE = "in_service", _("in service")
        RETIRED = "retired", _("retired")

    asset_type = models.ForeignKey(
        AssetType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="assets"
    )
    owner = models.ForeignKey(
        Organization, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="assets"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    ledger_id = models.CharField(
        _("ledger id"),
        max_length=100,
        null=True,
        blank=True,
        help_text=_("The city's own asset number (台帳番号), unique per owner."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    geom = models.GeometryField(_("location"), srid=4326)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    internal_attributes = models.JSONField(
        _("internal attributes"),
        default=dict,
        blank=True,
        help_text=_("Seen only by staff of the owning organisation."),
    )
    install_date = models.DateField(_("installed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_SERVICE
    )
    criticality = models.PositiveSmallIntegerField(
        _("criticality"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (low) to 5 (critical)."),
    )
    # Condition summary, kept up to date by the inspections services.
    condition_grade = models.CharField(_("current grade"), max_length=8, blank=True)
    condition_rank = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    last_inspected_on = models.DateField(_("last inspected"), null=True, blank=True)
    next_inspection_due = models.DateField(_("next inspection due"), null=True, blank=True)
    # Kept by the reports services: the sticker page looks for open reports only when some
    # exist, which saves a query on almost every scan.
    open_reports = models.PositiveIntegerField(
        _("open reports"), default=0, db_default=0, editable=False
    )
    # Stamped by the database on every write (assets/changes.py): the tablets' sync cursor.
    change_seq = models.BigIntegerField(default=0, db_default=0, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "ledger_id"], name="asset_ledger_id_unique_per_owner"
            ),
            models.CheckConstraint(
                condition=Q(criticality__gte=1, criticality__lte=5),
                name="asset_criticality_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["asset_type", "status"], name="asset_type_status"),
            models.Index(fields=["ledger_id"], name="asset_ledger_id"),
            models.Index(fields=["next_inspection_due"], name="asset_next_due"),
        ]

    def __str__(self) -> str:
        label = self.name or self.ledger_id or f"#{self.pk}"
        return f"{self.asset_type} {label}"

    def clean(self):
        errors = {}
        if self.asset_type_id and self.geom is not None:
            if not self.asset_type.geometry_matches(self.geom):
                message = _("A %(type)s is drawn as a %(kind)s, not a %(given)s.") % {
                    "type": self.asset_type,
                    "kind": self.asset_type.get_geometry_kind_display(),
                    "given": self.geom.geom_type,
                }
                errors["geom"] = ValidationError(message, code="wrong_geometry_kind")
            elif self.geom.srid not in (None, 4326):
                errors["geom"] = ValidationError(
                    _("Coordinates must be WGS84 longitude/latitude."), code="not_wgs84"
                )
        if self.asset_type_id:
            specs = self.asset_type.attribute_schema
            merged = {**(self.attributes or {}), **(self.internal_attributes or {})}
            try:
                checked = fieldspecs.coerce_values(specs, merged)
            except fieldspecs.FieldErrors as exc:
                errors["attributes"] = [
                    ValidationError(f"{k}: {v}", code="invalid_attributes")
                    for k, v in exc.errors.items()
                ]
            else:
                self.attributes, self.internal_attributes = fieldspecs.split_internal(
                    specs, checked
                )
            if self.condition_grade:
                scale = self.asset_type.grading_scale
                if self.condition_grade in scale.codes():
                    self.condition_rank = scale.grade(self.condition_grade).rank
                else:
                    errors["condition_grade"] = ValidationError(
                        _("Not a grade of this type's scale."), code="not_in_scale"
                    )
            else:
                self.condition_rank = None
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = ValidationError(
                _("An asset cannot be part of itself."), code="own_parent"
            )
        if errors:
            raise ValidationError(errors)


class Town(models.Model):
    """A town (町名) residents can pick when they cannot share a location: its centre is a
    rough place for a report, refined by the address or landmark they type."""

    # None: the deployment's one city, while no City is configured. Two cities may both
    # have a 本町; one city may not have two.
    city = models.ForeignKey(
        "accounts.City",
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="towns",
    )
    name = models.CharField(_("name"), max_length=60)
    name_kana = models.CharField(_("reading"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    centre = models.PointField(_("centre"), srid=4326)
    radius_m = models.PositiveIntegerField(
        _("radius (m)"), default=500, help_text=_("How far the town reaches from its centre.")
    )

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name_kana", "name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="town_name_unique_in_city"),
            # NULLs are distinct in a unique index (SQLite, PostgreSQL): the one city of a
            # deployment without City rows needs its own, partial, index.
            models.UniqueConstraint(
                fields=["name"], condition=Q(city__isnull=True), name="town_name_unique_no_city"
            ),
        ]

    @classmethod
    def of(cls, where):
        """The towns of the city `where` names (a request, a config.city.City, or None:
        every town, as in a deployment of one city)."""
        return in_city(cls.objects.all(), where, "city")

    def __str__(self) -> str:
        if self.name_en and not (get_language() or "ja").startswith("ja"):
            return f"{self.name} ({self.name_en})"
        return self.name
