"""Checklists, assignments, inspections with their defects and photos, and the quarantine
where conflicting field records wait for a manager."""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from assets.models import Asset, AssetType
from reports.models import Report


class ChecklistTemplate(models.Model):
    """The questions of an inspection of one asset type, versioned: an inspection records the
    version it used, so old inspections stay readable after the template changes."""

    asset_type = models.ForeignKey(
        AssetType,
        verbose_name=_("asset type"),
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    version = models.PositiveIntegerField(_("version"))
    items = models.JSONField(_("items"), default=list)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by the database on every write (see inspections/changes.py): the tablets' cursor.
    change_seq = models.BigIntegerField(default=0, db_default=0, editable=False, db_index=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["asset_type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["asset_type", "version"], name="checklist_version"),
            models.UniqueConstraint(
                fields=["asset_type"], condition=Q(is_current=True), name="checklist_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_type} v{self.version}"


class Assignment(models.Model):
    """A route of assets given to an inspector, with a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    assets = models.ManyToManyField(
        Asset, through="AssignmentAsset", related_name="assignments", verbose_name=_("assets")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    change_seq = models.BigIntegerField(default=0, db_default=0, editable=False, db_index=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class AssignmentAsset(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="stops")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "asset"], name="assignment_asset_once")
        ]

    def __str__(self) -> str:
        return f"{self.assignment} #{self.position}"


class Inspection(models.Model):
    """One inspection as the tablet recorded it. Immutable once synced: a correction is a
    new inspection that supersedes this one."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("routine")
        PERIODIC = "periodic", _("periodic")
        FOLLOW_UP = "follow_up", _("follow-up")
        AFTER_REPORT = "after_report", _("after a report")

    uuid = models.UUIDField(unique=True, editable=False)
    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    performed_at = models.DateTimeField(_("performed at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    gps = models.PointField(_("where the inspector stood"), srid=4326, null=True, blank=True)
    gps_accuracy_m = models.FloatField(null=True, blank=True)
    overall_grade = models.CharField(_("grade"), max_length=8)
    grade_rank = models.PositiveSmallIntegerField(editable=False)
    template = models.ForeignKey(
        ChecklistTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    report = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
        help_text=_("The report this inspection followed up."),
    )
    content_hash = models.CharField(max_length=64, editable=False)
    device = models.ForeignKey(
        "accounts.DeviceToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-performed_at", "-id"]
        indexes = [
            models.Index(fields=["asset", "performed_at"], name="inspection_asset_time"),
            models.Index(fields=["inspector", "received_at"], name="inspection_inspector"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} {self.performed_at:%Y-%m-%d} {self.overall_grade}"


class Defect(models.Model):
    """Damage found on a component; a grade that calls for action raises a fault."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="defects")
    position = models.PositiveSmallIntegerField(default=0)
    component = models.CharField(_("component"), max_length=100)
    kind = models.CharField(_("kind (fault category)"), max_length=60)
    grade = models.CharField(_("grade"), max_length=8)
    measurement = models.FloatField(_("measurement"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    fault = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="defects",
        help_text=_("The fault this defect raised, or the open one it joined."),
    )

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.component}: {self.kind} {self.grade}"


class InspectionPhoto(models.Model):
    """A photo of an inspection or of one of its defects; one per content hash."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    defect = models.ForeignKey(
        Defect, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    sha256 = models.CharField(max_length=64)
    original = models.CharField(max_length=200)
    public = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    gps = models.PointField(srid=4326, null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "sha256"], name="inspection_photo_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.sha256[:12]}"


class Quarantine(models.Model):
    """A record from the field the server could not accept as it was: kept, never dropped,
    until a manager decides."""

    class Reason(models.TextChoices):
        CHANGED_CONTENT = "changed_content", _("same id, different content")
        ASSET_RETIRED = "asset_retired", _("the asset was retired")
        OWNER_CHANGED = "owner_changed", _("the asset changed owner")

    class Resolution(models.TextChoices):
        ACCEPTED = "accepted", _("accepted as a correction")
        DISCARDED = "discarded", _("discarded")

    uuid = models.UUIDField(_("record id"))
    payload = models.JSONField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(
        "accounts.DeviceToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("quarantined record")
        verbose_name_plural = _("quarantined records")
        ordering = ["-received_at"]
        constraints = [
            # A record resent many times is quarantined once.
            models.UniqueConstraint(fields=["uuid", "content_hash"], name="quarantine_once"),
        ]

    def __str__(self) -> str:
        return f"{self.uuid} ({self.reason})"
