"""Fault reports from residents, staff, inspections and other systems, with their photos,
their "me too"s, their receipts, the links owners act through and a trail of every change.

Why it is long: one models module per app is Django's convention (migrations, the admin
and every reader look for the tables here); the behaviour lives in services and selectors,
and what stays is fields, choices and the small properties that read them."""

import secrets
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiClient, Organization
from assets.models import Asset, FaultCategory
from reports import standard_notes, words
from reports.addresses import validate_address


class Report(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        FIXED = "fixed", _("Fixed")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        DUPLICATE = "duplicate", _("Duplicate")
        NOT_OURS = "not_ours", _("Not our asset")
        NO_FAULT = "no_fault", _("No fault found")

    class Source(models.TextChoices):
        QR = "qr", _("QR sticker")
        WEB = "web", _("web form")
        OPEN311 = "open311", _("Open311")
        INSPECTION = "inspection", _("inspection")
        STAFF = "staff", _("staff intake")
        LINE = "line", _("LINE")
        EMAIL = "email", _("e-mail")

    class LocationSource(models.TextChoices):
        ASSET = "asset", _("the asset")
        DEVICE = "device", _("the phone's location")
        MAP = "map", _("a map pin")
        ADDRESS = "address", _("an address")
        PHOTO = "photo", _("a photo's GPS")

    OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS)

    number = models.CharField(_("report number"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    language = models.CharField(_("language"), max_length=10, default="ja")
    category = models.ForeignKey(
        FaultCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    description_public = models.BooleanField(_("description is public"), default=False)
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    label_code = models.CharField(_("sticker code"), max_length=8, blank=True)
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    location = models.PointField(_("location"), srid=4326)
    location_source = models.CharField(max_length=10, choices=LocationSource.choices)
    location_accuracy_m = models.FloatField(null=True, blank=True)
    address_text = models.CharField(_("address or landmark"), max_length=300, blank=True)
    town = models.CharField(_("town"), max_length=60, blank=True)
    photo_distance_m = models.FloatField(
        _("photo taken this far from the asset (m)"), null=True, blank=True
    )
    photo_far_from_asset = models.BooleanField(_("photo taken far from the asset"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    close_reason = models.CharField(
        _("close reason"), max_length=12, choices=CloseReason.choices, blank=True
    )
    ended_at = models.DateTimeField(_("fixed or closed at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    me_too_count = models.PositiveIntegerField(_("me too"), default=0)
    defect_grade = models.CharField(
        _("defect grade"), max_length=8, blank=True, help_text=_("For faults from inspections.")
    )
    defect_rank = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Repair work: who does it, by when.
    assignee = models.ForeignKey(
        Organization,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_reports",
    )
    work_due_on = models.DateField(_("work due"), null=True, blank=True)
    # Priority: the parts that do not change with time are stored when they change
    # (reports/priority.py); the part that grows as the response target nears is computed
    # in the query from the two epochs, in plain integers on both databases.
    priority_base = models.IntegerField(_("priority"), default=0, db_default=0, editable=False)
    priority_reasons = models.JSONField(default=list, blank=True, editable=False)
    priority_override = models.IntegerField(_("manual priority"), default=0, db_default=0)
    priority_override_reason = models.CharField(
        _("why the priority was changed"), max_length=300, blank=True
    )
    # Danger to people (the category, an answer, a merged report): ranks the report before
    # every one without danger, whatever the score (reports/priority.py).
    danger = models.BooleanField(
        _("danger to people"), default=False, db_default=False, editable=False
    )
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    created_epoch = models.BigIntegerField(default=0, db_default=0, editable=False)
    respond_epoch = models.BigIntegerField(default=0, db_default=0, editable=False)
    # Residents who said "still broken" after a fix (counts in the priority).
    still_broken_count = models.PositiveSmallIntegerField(
        _("still broken after a fix"), default=0, db_default=0, editable=False
    )
    # Contact details: never public, deleted a set time after the report ends (APPI).
    # Carriers' addresses Django refuses are kept (reports/addresses.py).
    contact_email = models.CharField(
        _("email"), max_length=254, blank=True, validators=[validate_address]
    )
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_consent = models.BooleanField(_("may be contacted"), default=False)
    # The resident agreed that their description and photos go to an owner or contractor
    # outside the city (APPI: third-party provision needs consent).
    share_consent = models.BooleanField(
        _("description and photos may go to the owner"), default=False
    )
    contacts_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Reports from other systems (Open311): which one, and the photo link it sent. The link
    # is shown to staff only and never fetched by the server (it could point anywhere).
    api_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("sent by system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    media_url = models.URLField(_("photo link sent with the report"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="report_status_created"),
            models.Index(fields=["asset", "status"], name="report_asset_status"),
            models.Index(fields=["category", "status"], name="report_category_status"),
            models.Index(fields=["owner", "status"], name="report_owner_status"),
            models.Index(fields=["ended_at"], name="report_ended"),
            # Open311 GETs and the open-data feeds: newest first, within a window.
            models.Index(fields=["created_at"], name="report_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", close_reason__gt="") | ~Q(status="closed"),
                name="report_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def target_date(self):
        """The day the resident may expect it dealt with: the work's due date when the work
        was given out, else the category's response target; None when there is none."""
        if self.work_due_on is not None:
            return self.work_due_on
        return timezone.localdate(self.respond_by) if self.respond_by else None

    def is_overdue(self, today=None) -> bool:
        """Open and past its target date (the whole target day counts as in time)."""
        target = self.target_date
        return self.is_open and target is not None and (today or timezone.localdate()) > target

    @property
    def answers_described(self) -> list[tuple[str, str]]:
        """The answers to the category's extra questions, (question, answer) in words of the
        active language: [("いつからですか", "今日")]."""
        return words.answers(self.category.questions, self.answers)


class ReportNumber(models.Model):
    """The last number given out each year: R-2026-000123 counts up within 2026."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def _photo_path(prefix: str) -> str:
    today = timezone.localdate()
    return f"{prefix}/{today:%Y/%m/%d}/{uuid.uuid4().hex}"


class Photo(models.Model):
    """An uploaded photo: the original (private), a public copy without EXIF and a thumbnail.

    Most are a resident's (or a caller's, an inspector's); an "after" photo shows the
    repair, taken by whoever fixed it, and is shown on every receipt of the report.

    A photo is staged first (uploaded with a form that may still come back with an error)
    and attached to a report when the report is saved; staged photos that are never attached
    are swept away.
    """

    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    # Whose photo it is: sent with the report `origin` (its first reporter), or with a "me
    # too". A merge moves `report` to the report that stays; these never change, so each
    # person's receipt shows their own photos and nobody else's. No origin: nobody's own.
    origin = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    me_too = models.ForeignKey(
        "MeToo", null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    original = models.CharField(max_length=200)
    public = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    gps = models.PointField(srid=4326, null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)

    class Kind(models.TextChoices):
        REPORTED = "reported", _("sent with a report")
        AFTER = "after", _("after the repair")

    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.REPORTED, db_default="reported"
    )
    is_public = models.BooleanField(_("shown publicly"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class State(models.TextChoices):
        # Kept and checked; its public copy and thumbnail are still being made by a task
        # worker (reports/photo_tasks.py): `public` and `thumbnail` are empty until then.
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")

    state = models.CharField(
        max_length=12, choices=State.choices, default=State.READY, db_default="ready"
    )
    # When its processing was last queued, and how many runs have failed: a photo whose
    # task was lost (a worker killed mid-way) is queued again (photo_tasks.photos_resume).
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["report", "created_at"], name="photo_report_created"),
            models.Index(
                fields=["queued_at"],
                name="photo_processing_queued",
                condition=models.Q(state="processing"),
            ),
        ]

    @property
    def ready(self) -> bool:
        return self.state == self.State.READY

    def __str__(self) -> str:
        return f"photo {self.token}"

    @property
    def names(self) -> tuple[str, ...]:
        """Its files in the storage (the public copy and thumbnail only once made)."""
        return tuple(name for name in (self.original, self.public, self.thumbnail) if name)


class MeToo(models.Model):
    """Another person saw the same fault ("me too"; a report of another system on the same
    asset and service joins this way too). What they sent is theirs: private to staff and
    to their own receipt."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="me_toos")
    source = models.CharField(
        _("source"), max_length=12, choices=Report.Source.choices, default=Report.Source.WEB
    )
    description = models.TextField(_("description"), max_length=4000, blank=True)
    email = models.CharField(max_length=254, blank=True, validators=[validate_address])
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    consent = models.BooleanField(_("may be contacted"), default=False)
    api_client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(max_length=10, default="ja")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("me too")
        verbose_name_plural = _("me toos")

    def __str__(self) -> str:
        return f"me too on {self.report_id}"


def new_receipt_token() -> str:
    return secrets.token_urlsafe(24)


class Receipt(models.Model):
    """One person's own link to a report they contributed to: /r/<token>.

    Every contribution gets one: the report itself (its first reporter), each "me too",
    each post of another system, a phone intake. The link shows the report's public face
    and only that person's own text and photos; e-mails carry the recipient's own link.
    `report` is the report the person follows (a merge moves it to the report that stays);
    `origin` is where they sent what they sent."""

    token = models.CharField(max_length=40, unique=True, default=new_receipt_token, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="receipts")
    origin = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    me_too = models.OneToOneField(
        MeToo, null=True, blank=True, on_delete=models.CASCADE, related_name="receipt"
    )
    # An old link that others may also hold (before links were per person): it shows the
    # public face only, and nobody is written to through it.
    public_only = models.BooleanField(default=False)
    # A new link its holder has not been sent yet (links given out again once).
    announce = models.BooleanField(default=False)
    # The key the sending form or system gave this contribution: the same form sent again
    # (a double tap, a resend after a dropped connection) gets this receipt back.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # A digest of the request that claimed the key (Open311): the same key with another
    # body is refused rather than answered with this receipt (reports/idempotency.py).
    idempotency_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    # When its holder said the fix did not hold ("still broken"): once per receipt.
    still_broken_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        indexes = [models.Index(fields=["report", "created_at"], name="receipt_report")]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="receipt_idempotency_key_once",
            )
        ]

    def __str__(self) -> str:
        return f"receipt for {self.origin_id}"

    @property
    def contact(self) -> tuple[str, str]:
        """(email, language) to write to; no email for an old shared link."""
        if self.public_only:
            return "", "ja"
        if self.me_too_id:
            return self.me_too.email, self.me_too.language
        return self.origin.contact_email, self.origin.language


class ReportEvent(models.Model):
    """The audit trail: who changed what, when, from what to what; notes public or internal."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        STATUS = "status", _("status changed")
        NOTE = "note", _("note")
        ME_TOO = "me_too", _("me too")
        MODERATED = "moderated", _("made public or hidden")
        MERGED = "merged", _("merged")
        ASSIGNED = "assigned", _("assigned")
        FORWARDED = "forwarded", _("forwarded")
        PRIORITY = "priority", _("priority changed")
        CONTACT_DELETED = "contact_deleted", _("contact details deleted")
        DATA_DISCLOSED = "data_disclosed", _("personal data disclosed on request")
        DATA_ERASED = "data_erased", _("personal data erased on request")
        STILL_BROKEN = "still_broken", _("still broken, says a resident")
        ACKNOWLEDGED = "acknowledged", _("seen by the owner or contractor")
        LINK_SENT = "link_sent", _("link sent to an organisation")
        LINK_REVOKED = "link_revoked", _("link withdrawn")
        REMINDED = "reminded", _("reminder: no answer from the owner")
        PHOTO_DROPPED = "photo_dropped", _("a photo could not be read and was removed")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # A standard public note (reports/standard_notes.py), shown in the reader's language;
    # `text` is free text in Japanese, shown to residents only when `public`.
    note_code = models.CharField(max_length=40, blank=True)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=12, choices=Report.CloseReason.choices, blank=True)
    text = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An organisation that acted through its link (no user to name).
    by_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["at", "id"]
        # Open311's servicerequestupdates: what changed in a window.
        indexes = [models.Index(fields=["at"], name="report_event_at")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def to_status_label(self) -> str:
        return Report.Status(self.to_value).label if self.to_value in Report.Status.values else ""

    @property
    def from_status_label(self) -> str:
        values = Report.Status.values
        return Report.Status(self.from_value).label if self.from_value in values else ""

    # Kinds whose from/to values are organisation codes, and kinds whose `text` is a value
    # the system wrote (a due date, a photo count, public/hidden) rather than words typed.
    ORGANISATION_KINDS = (
        Kind.ASSIGNED,
        Kind.FORWARDED,
        Kind.LINK_SENT,
        Kind.LINK_REVOKED,
        Kind.REMINDED,
    )
    SYSTEM_TEXT_KINDS = (Kind.ASSIGNED, Kind.MERGED, Kind.MODERATED, Kind.PHOTO_DROPPED)

    @property
    def typed_text(self) -> str:
        """The words somebody typed with the event ('' when its text is the system's)."""
        return "" if self.kind in self.SYSTEM_TEXT_KINDS else self.text

    def change(self, organisations: dict[str, str] | None = None) -> str:
        """What changed, in the active language: "受付済 → 対応中 (重複)", "道路河川維持課 →
        出雲電設 (期限 2026-05-01)", "説明を公開"; organisations by name from `organisations`
        (code: name; reports.selectors.report_history_described reads them). '' when the
        kind says it all."""
        names = organisations or {}

        def organisation(code: str) -> str:
            return names.get(code, code) if code else "—"

        kind = self.kind
        if kind == self.Kind.STATUS:
            said = f"{self.from_status_label or '—'} → {self.to_status_label or self.to_value}"
            return f"{said} ({self.get_reason_display()})" if self.reason else said
        if kind in (self.Kind.ASSIGNED, self.Kind.FORWARDED):
            said = f"{organisation(self.from_value)} → {organisation(self.to_value)}"
            if kind == self.Kind.ASSIGNED and self.text:
                said += " (" + gettext("due %(date)s") % {"date": self.text} + ")"
            return said
        if kind == self.Kind.PRIORITY:
            return f"{self.from_value or 0} → {self.to_value}"
        if kind == self.Kind.MERGED:
            photos = self.text.split(" ")[0] if self.text.endswith(" photos") else ""
            if photos.isdecimal() and int(photos):
                return ngettext(
                    "%(number)s, with %(count)s photo",
                    "%(number)s, with %(count)s photos",
                    int(photos),
                ) % {"number": self.from_value, "count": int(photos)}
            return self.from_value
        if kind == self.Kind.MODERATED:
            public = self.text == "public"
            if self.to_value == "description":
                return (
                    gettext("description made public") if public else gettext("description hidden")
                )
            return gettext("photo made public") if public else gettext("photo hidden")
        if kind == self.Kind.PHOTO_DROPPED:  # `text` is the refusal's code
            return {
                "truncated": gettext("the file was cut off"),
                "decompression_bomb": gettext("the file expands to an unreasonable size"),
                "too_many_pixels": gettext("the image has too many pixels"),
            }.get(self.text, gettext("the file could not be read as a photo"))
        if kind in (self.Kind.LINK_SENT, self.Kind.LINK_REVOKED, self.Kind.REMINDED):
            purpose = OwnerLink.Purpose
            role = purpose(self.from_value).label if self.from_value in purpose.values else ""
            return (
                f"{organisation(self.to_value)} ({role})" if role else organisation(self.to_value)
            )
        return ""

    @property
    def standard_note(self) -> str:
        """The standard note in the active language ('' when there is none)."""
        return standard_notes.text(self.note_code)

    @property
    def shows_note(self) -> bool:
        """Does the resident see a note with this event (a standard one, or public text)?"""
        return bool(self.note_code) or (self.public and bool(self.text))

    def public_words(self, language: str | None = None) -> str:
        """What anyone may read of the note: the standard note in `language`, then the free
        text (Japanese, as typed) when it is public."""
        lines = [standard_notes.text(self.note_code, language)] if self.note_code else []
        if self.public and self.text:
            lines.append(self.text)
        return "\n".join(lines)


class OwnerLink(models.Model):
    """A signed, expiring link that lets an organisation without staff in the system act on
    one report: the owner who looks after the thing, or the contractor given the work.

    The URL carries a signed random nonce; only its hash is kept here, so the database alone
    cannot rebuild a link. A link is withdrawn when the report goes to someone else, and
    reads only once the report is dealt with (reports/owner_links.py)."""

    class Purpose(models.TextChoices):
        OWNER = "owner", _("owner")
        CONTRACTOR = "contractor", _("contractor")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="owner_links")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    nonce_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # When the organisation should have acted by (the response target, or the work's due
    # date): past it without a step through the link, the city is reminded once.
    respond_by = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("owner link")
        verbose_name_plural = _("owner links")
        indexes = [
            models.Index(fields=["report", "organization"], name="owner_link_report_org"),
            models.Index(fields=["respond_by"], name="owner_link_respond_by"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} link of {self.organization_id} to {self.report_id}"


class ContextPlace(models.Model):
    """A school, hospital or station: a fault near one matters more (manage.py import_places)."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("school")
        HOSPITAL = "hospital", _("hospital")
        STATION = "station", _("station")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    location = models.PointField(_("location"), srid=4326)
    # The file it came from: importing the same file again replaces its places.
    source = models.CharField(_("source"), max_length=200, blank=True, db_index=True)

    class Meta:
        verbose_name = _("context place")
        verbose_name_plural = _("context places")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
