"""Writes about reports: submit, "me too", the status model, notes, moderation, privacy."""

import datetime
import logging
import secrets
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from assets import fieldspecs, versions
from assets import selectors as asset_selectors
from assets.errors import DomainError
from assets.models import Asset, FaultCategory
from assets.selectors import MANAGING_ROLES, user_scope_ids
from qr_labels import codes
from qr_labels.selectors import label_resolve
from reports import notices, priority, selectors
from reports.models import ContextPlace, MeToo, Photo, Report, ReportEvent, ReportNumber
from reports.photos import ProcessedPhoto, process_photo

logger = logging.getLogger(__name__)


class ReportError(DomainError):
    """A report that cannot be taken or a change that cannot be made."""

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message, code=code)
        self.field = field


def _storage():
    return storages["default"]


# --- Photos -----------------------------------------------------------------------------------


_EXTENSIONS = {"jpeg": "jpg", "png": "png", "heif": "heic", "mpo": "mpo", "webp": "webp"}


def photo_files_store(processed: ProcessedPhoto, *, prefix: str = "reports") -> list[str]:
    """Store a processed photo's original, public copy and thumbnail; on any failure,
    delete what was written and raise."""
    base = f"{prefix}/{timezone.localdate():%Y/%m/%d}/{uuid.uuid4().hex}"
    names = (
        f"{base}-original.{_EXTENSIONS.get(processed.original_format, 'bin')}",
        f"{base}.jpg",
        f"{base}-thumb.jpg",
    )
    storage, written = _storage(), []
    try:
        for name, content in zip(
            names, (processed.original, processed.public, processed.thumbnail), strict=True
        ):
            written.append(storage.save(name, ContentFile(content)))
    except Exception:
        # Nothing half-stored: a sweep would find these, but there is no need to wait.
        delete_files(written)
        raise
    return written


def photo_stage(*, data, filename: str = "") -> Photo:
    """Check and process one upload, store its three files, and keep it until a report
    (or a "me too") takes it. Raises PhotoError for a photo we cannot take."""
    processed: ProcessedPhoto = process_photo(data, filename=filename)
    written = photo_files_store(processed)
    try:
        lat_lon = processed.gps
        return Photo.objects.create(
            original=written[0],
            public=written[1],
            thumbnail=written[2],
            content_type=processed.content_type,
            sha256=processed.sha256,
            width=processed.public_size[0],
            height=processed.public_size[1],
            gps=Point(lat_lon[1], lat_lon[0], srid=4326) if lat_lon else None,
            taken_at=processed.taken_at,
        )
    except Exception:
        delete_files(written)
        raise


def delete_files(names) -> None:
    storage = _storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the sweep removes what could not be deleted now
            logger.warning("could not delete %s; the sweep will", name)


def photos_sweep(*, older_than: datetime.timedelta = datetime.timedelta(hours=24)) -> int:
    """Delete staged photos never attached to a report, with their files."""
    stale = Photo.objects.filter(
        report__isnull=True, me_too__isnull=True, created_at__lt=timezone.now() - older_than
    )
    count = 0
    for photo in stale.iterator():
        delete_files(photo.names)
        photo.delete()
        count += 1
    return count


def photo_files_sweep(*, older_than: datetime.timedelta = datetime.timedelta(hours=24)) -> int:
    """Delete files under reports/ that no photo row names (left by a crash between the
    storage write and the database commit)."""
    storage, known, removed = _storage(), set(), 0
    for names in Photo.objects.values_list("original", "public", "thumbnail").iterator():
        known.update(names)
    cutoff = timezone.now() - older_than

    def walk(folder):
        nonlocal removed
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        for name in files:
            path = f"{folder}/{name}"
            if path in known:
                continue
            try:
                modified = storage.get_modified_time(path)
            except Exception:
                modified = None
            if modified is None or modified < cutoff:
                storage.delete(path)
                removed += 1
        for sub in folders:
            walk(f"{folder}/{sub}")

    walk("reports")
    return removed


# --- Submitting -------------------------------------------------------------------------------


@dataclass
class Place:
    """Where the fault is, and how we know."""

    point: Point | None = None
    source: str = ""
    accuracy_m: float | None = None
    address_text: str = ""
    town: str = ""

    @classmethod
    def from_form(cls, *, point=None, source="", accuracy_m=None, address_text="", town=None):
        """What a form gave: a point (a device or a map pin), else the centre of the chosen
        town (町) stands in, with its radius as the accuracy."""
        place = cls(
            point=point,
            source=source or ("map" if point is not None else ""),
            accuracy_m=accuracy_m,
            address_text=address_text,
            town=town.name if town is not None else "",
        )
        if point is None and town is not None:
            place.point, place.source, place.accuracy_m = town.centre, "address", town.radius_m
        return place


@dataclass
class Submission:
    category: FaultCategory
    place: Place
    source: str
    language: str = "ja"
    asset: Asset | None = None
    label_code: str = ""
    description: str = ""
    answers: dict = field(default_factory=dict)
    photos: list[Photo] = field(default_factory=list)
    email: str = ""
    consent: bool = False
    name: str = ""
    phone: str = ""
    submitted_by: object = None
    defect_grade: str = ""  # a fault raised by an inspection
    api_client: object = None  # a report sent by another system (Open311)
    media_url: str = ""


def _next_number(now: datetime.datetime) -> str:
    year = timezone.localtime(now).year
    counter, _ = ReportNumber.objects.select_for_update().get_or_create(year=year)
    ReportNumber.objects.filter(pk=year).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"R-{year}-{counter.last:06d}"


def _checked_answers(category: FaultCategory, answers: dict) -> dict:
    try:
        return fieldspecs.coerce_values(category.questions, answers or {})
    except fieldspecs.FieldErrors as exc:
        key, message = next(iter(exc.errors.items()))
        raise ReportError(f"{key}: {message}", code="invalid_answer", field=key) from None


def _resolve_place(submission: Submission) -> Place:
    """The report's location, by the order of trust: the asset, the device, a map pin or an
    address, and last the first photo's GPS."""
    place, asset = submission.place, submission.asset
    if asset is not None:
        if asset.asset_type.geometry_kind == "point" or place.point is None:
            point = asset.geom if asset.geom.geom_type == "Point" else asset.geom.point_on_surface
            return Place(
                point=Point(point.x, point.y, srid=4326),
                source="asset",
                address_text=place.address_text or asset.address,
                town=place.town,
            )
        return place  # somewhere along a road or inside a park: the resident's place is better
    if place.point is not None:
        return place
    for photo in submission.photos:
        if photo.gps is not None:
            return Place(
                point=photo.gps, source="photo", address_text=place.address_text, town=place.town
            )
    raise ReportError(
        "Please tell us where it is: use your location, pick the place on the map, choose the "
        "town and describe the place, or attach a photo taken there.",
        code="no_location",
        field="location",
    )


def _check_service_area(point: Point) -> None:
    area = selectors.service_area()
    if area is not None and not area.contains(point):
        raise ReportError(
            f"This place is outside {settings.CITY_NAME_EN}'s area. Please report it to the "
            "city or town that looks after it.",
            code="outside_area",
            field="location",
        )


def _flag_distant_photo(report: Report, photos: list[Photo]) -> None:
    """A photo taken far from the scanned asset hints that the sticker was moved."""
    if report.asset is None or report.source != Report.Source.QR:
        return
    distances = [
        selectors.asset_distance_m(report.asset, photo.gps) for photo in photos if photo.gps
    ]
    if distances:
        report.photo_distance_m = round(min(distances), 1)
        report.photo_far_from_asset = report.photo_distance_m > settings.PHOTO_FAR_FROM_ASSET_M


@transaction.atomic
def report_submit(submission: Submission) -> Report:
    """Take a report with its photos: all of it is saved, or nothing is."""
    category, asset = submission.category, submission.asset
    if not category.is_active:
        raise ReportError("This kind of fault cannot be reported any more.", code="bad_category")
    if asset is not None and not asset.asset_type.categories.filter(pk=category.pk).exists():
        raise ReportError(
            "Please choose what is wrong from the list for this asset.",
            code="bad_category",
            field="category",
        )
    if len(submission.photos) > settings.REPORT_MAX_PHOTOS:
        raise ReportError(
            f"At most {settings.REPORT_MAX_PHOTOS} photos.", code="too_many_photos", field="photos"
        )
    if any(photo.report_id or photo.me_too_id for photo in submission.photos):
        raise ReportError("A photo was already used.", code="photo_taken", field="photos")
    answers = _checked_answers(category, submission.answers)
    place = _resolve_place(submission)
    if place.source != "asset":
        _check_service_area(place.point)
    now = timezone.now()
    owner = asset.owner if asset else selectors.responsible_owner(category, place.point)
    report = Report(
        number=_next_number(now),
        tracking=secrets.token_urlsafe(18),
        source=submission.source,
        language=submission.language,
        category=category,
        answers=answers,
        description=submission.description.strip(),
        asset=asset,
        label_code=submission.label_code,
        owner=owner,
        location=place.point,
        location_source=place.source,
        location_accuracy_m=place.accuracy_m,
        address_text=place.address_text.strip(),
        town=place.town,
        contact_email=submission.email.strip(),
        contact_name=submission.name.strip(),
        contact_phone=submission.phone.strip(),
        contact_consent=submission.consent and bool(submission.email or submission.phone),
        submitted_by=submission.submitted_by,
        api_client=submission.api_client,
        media_url=submission.media_url,
        created_at=now,
    )
    _flag_distant_photo(report, submission.photos)
    if submission.defect_grade and asset is not None:
        report.defect_grade = submission.defect_grade
        report.defect_rank = asset.asset_type.grading_scale.grade(submission.defect_grade).rank
    report.respond_by = now + datetime.timedelta(hours=category.response_hours)
    report.created_epoch = int(now.timestamp())
    report.respond_epoch = int(report.respond_by.timestamp())
    report.full_clean(exclude=["tracking", "number"])
    report.priority_reasons = priority.static_parts(report)
    report.priority_base = sum(part[0] for part in report.priority_reasons)
    report.save()
    for position, photo in enumerate(submission.photos):
        photo.report, photo.position = report, position
        photo.save(update_fields=["report", "position"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.SUBMITTED,
        to_value=Report.Status.NEW,
        by=submission.submitted_by,
        public=True,
        at=now,
    )
    if asset is not None:
        _asset_reports_changed(asset.pk)
    transaction.on_commit(lambda: notices.report_submitted(report.pk))
    return report


def _asset_reports_changed(asset_id: int) -> None:
    """Recount the asset's open reports and retire its cached sticker pages."""
    count = Report.objects.filter(asset_id=asset_id, status__in=Report.OPEN_STATUSES).count()
    Asset.objects.filter(pk=asset_id).update(open_reports=count)
    transaction.on_commit(lambda: versions.asset_changed(asset_id))


@transaction.atomic
def report_me_too(
    *, report: Report, email: str = "", language: str = "ja", photo: Photo | None = None
) -> MeToo:
    """Another resident saw the same fault: count it, keep their photo, tell them of changes."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not report.is_open:
        raise ReportError("This report is already dealt with.", code="report_not_open")
    if photo is not None and (photo.report_id or photo.me_too_id):
        raise ReportError("A photo was already used.", code="photo_taken", field="photo")
    me_too = MeToo.objects.create(report=report, email=email.strip(), language=language)
    if photo is not None:
        photo.report, photo.me_too = report, me_too
        photo.position = report.photos.count()
        photo.save(update_fields=["report", "me_too", "position"])
    Report.objects.filter(pk=report.pk).update(me_too_count=F("me_too_count") + 1)
    priority_refresh(report=Report.objects.get(pk=report.pk))
    if report.asset_id:
        transaction.on_commit(lambda: versions.asset_changed(report.asset_id))
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.ME_TOO)
    return me_too


# --- The status model -------------------------------------------------------------------------

S = Report.Status
TRANSITIONS = {
    S.NEW: {S.ACCEPTED, S.IN_PROGRESS, S.FIXED, S.CLOSED},
    S.ACCEPTED: {S.IN_PROGRESS, S.FIXED, S.CLOSED},
    S.IN_PROGRESS: {S.FIXED, S.CLOSED, S.ACCEPTED},
    S.FIXED: {S.CLOSED, S.ACCEPTED},  # back to accepted = reopened
    S.CLOSED: {S.ACCEPTED},  # reopened
}


def _check_staff(user, report: Report) -> None:
    if user is None:
        return  # the system itself (inspections, Open311 updates, commands)
    scope = user_scope_ids(user)
    if scope is None:
        return
    if report.owner_id not in scope or getattr(user, "role", "") not in MANAGING_ROLES:
        raise ReportError("You may not change this report.", code="forbidden")


@transaction.atomic
def report_transition(
    *,
    report: Report,
    to: str,
    acting_user=None,
    reason: str = "",
    note: str = "",
    public_note: bool = True,
) -> Report:
    """Move a report along new → accepted → in progress → fixed, close it with a reason, or
    reopen it. Residents who left an email hear of each change."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _check_staff(acting_user, report)
    if to not in TRANSITIONS.get(report.status, set()):
        raise ReportError(
            f"A {report.get_status_display()} report cannot become {to}.",
            code="already_closed" if report.status == S.CLOSED else "invalid_transition",
        )
    if to == S.CLOSED and reason not in Report.CloseReason.values:
        raise ReportError(
            "Closing needs a reason: duplicate, not our asset or no fault found.",
            code="close_reason_needed",
            field="reason",
        )
    now, before = timezone.now(), report.status
    report.status = to
    report.close_reason = reason if to == S.CLOSED else ""
    report.ended_at = now if to in (S.FIXED, S.CLOSED) else None
    report.save(update_fields=["status", "close_reason", "ended_at", "updated_at"])
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.STATUS,
        from_value=before,
        to_value=to,
        reason=report.close_reason,
        text=note.strip(),
        public=public_note,
        by=acting_user,
        at=now,
    )
    transaction.on_commit(lambda: notices.report_changed(event.pk))
    if report.asset_id:
        _asset_reports_changed(report.asset_id)
    return report


def report_accept(*, report, acting_user=None, note=""):
    return report_transition(report=report, to=S.ACCEPTED, acting_user=acting_user, note=note)


def report_start(*, report, acting_user=None, note=""):
    return report_transition(report=report, to=S.IN_PROGRESS, acting_user=acting_user, note=note)


def report_fix(*, report, acting_user=None, note=""):
    return report_transition(report=report, to=S.FIXED, acting_user=acting_user, note=note)


def report_close(*, report, reason, acting_user=None, note=""):
    return report_transition(
        report=report, to=S.CLOSED, reason=reason, acting_user=acting_user, note=note
    )


@transaction.atomic
def report_reopen(*, report, acting_user=None, note=""):
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status not in (S.FIXED, S.CLOSED):
        raise ReportError("Only a fixed or closed report can be reopened.", code="not_closed")
    return report_transition(report=report, to=S.ACCEPTED, acting_user=acting_user, note=note)


@transaction.atomic
def report_note_add(*, report: Report, text: str, public: bool, acting_user=None) -> ReportEvent:
    """A note from staff: public ones reach the resident, internal ones stay inside."""
    _check_staff(acting_user, report)
    text = text.strip()
    if not text:
        raise ReportError("A note needs some text.", code="empty_note", field="text")
    event = ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.NOTE, text=text, public=public, by=acting_user
    )
    if public:
        _touch(report)  # public lists and open-data feeds show what changed since when
        transaction.on_commit(lambda: notices.report_changed(event.pk))
    return event


def _touch(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())


@transaction.atomic
def report_set_description_public(*, report: Report, public: bool, acting_user=None) -> Report:
    """Moderation: the description appears in public lists only once staff allowed it."""
    _check_staff(acting_user, report)
    report.description_public = public
    report.save(update_fields=["description_public", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.MODERATED,
        to_value="description",
        text="public" if public else "hidden",
        by=acting_user,
    )
    return report


@transaction.atomic
def photo_set_public(*, photo: Photo, public: bool, acting_user=None) -> Photo:
    _check_staff(acting_user, photo.report)
    photo.is_public = public
    photo.save(update_fields=["is_public"])
    _touch(photo.report)
    ReportEvent.objects.create(
        report=photo.report,
        kind=ReportEvent.Kind.MODERATED,
        to_value=f"photo {photo.pk}",
        text="public" if public else "hidden",
        by=acting_user,
    )
    return photo


@transaction.atomic
def reports_purge_contacts(*, now: datetime.datetime | None = None) -> int:
    """Delete contact details a set time after a report ended (Japan's APPI: keep personal
    data no longer than needed). Returns how many reports were cleaned."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS)
    due = Report.objects.filter(
        ended_at__lt=cutoff, contacts_deleted_at__isnull=True
    ).select_for_update()
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    Report.objects.filter(pk__in=ids).update(
        contact_email="",
        contact_name="",
        contact_phone="",
        contact_consent=False,
        contacts_deleted_at=now,
    )
    MeToo.objects.filter(report_id__in=ids).update(email="")
    ReportEvent.objects.bulk_create(
        [ReportEvent(report_id=pk, kind=ReportEvent.Kind.CONTACT_DELETED, at=now) for pk in ids]
    )
    return len(ids)


# --- Phone and counter intake -------------------------------------------------------------------


def intake_asset(*, label_code: str = "", ledger_id: str = "", type_code: str = "", acting_user):
    """The asset a caller means, by the code on its sticker or its ledger number (with the
    asset type when ledger numbers repeat across types); None when neither was given."""
    if label_code.strip():
        found = label_resolve(label_code)
        if found.asset is None:
            message = {
                "mistyped": "This sticker code has a typo: please read it out again.",
                "retired": "This sticker was withdrawn: find the asset by its ledger number.",
            }.get(found.outcome, "There is no sticker with this code.")
            raise ReportError(message, code=f"label_{found.outcome}", field="label_code")
        return found.asset
    if not ledger_id.strip():
        return None
    assets = asset_selectors.assets_for_user(acting_user).filter(
        ledger_id=ledger_id.strip(), status=Asset.Status.IN_SERVICE
    )
    if type_code:
        assets = assets.filter(asset_type__code=type_code)
    return _only_asset(
        assets,
        none=("No asset in service has this ledger number.", "ledger_id"),
        several=(
            "Several assets have this ledger number: choose the asset type too.",
            "asset_type",
        ),
    )


def _only_asset(assets: QuerySet[Asset], *, none: tuple, several: tuple) -> Asset:
    """The one asset of a lookup by ledger number; ReportError (message, field) otherwise."""
    found = list(assets.select_related("asset_type", "owner")[:2])
    if len(found) == 1:
        return found[0]
    (message, field), code = (none, "no_such_asset") if not found else (several, "ambiguous_asset")
    raise ReportError(message, code=code, field=field)


# --- Priority, assignment, merging, forwarding -------------------------------------------------


def priority_refresh(*, report: Report) -> Report:
    """Recompute the parts of the priority that do not change with time."""
    report.priority_reasons = priority.static_parts(report)
    report.priority_base = sum(part[0] for part in report.priority_reasons)
    Report.objects.filter(pk=report.pk).update(
        priority_reasons=report.priority_reasons, priority_base=report.priority_base
    )
    return report


@transaction.atomic
def priorities_refresh(*, reports: QuerySet[Report] | None = None) -> int:
    """Recompute the stored parts of many open reports (after new context places, new
    weights or changed assets); returns how many changed."""
    if reports is None:
        reports = Report.objects.filter(status__in=Report.OPEN_STATUSES)
    places = list(ContextPlace.objects.all())
    changed, count = [], 0
    rows = reports.select_related("category", "asset").only(
        "location",
        "me_too_count",
        "defect_rank",
        "defect_grade",
        "priority_base",
        "priority_reasons",
        "category__severity",
        "asset__criticality",
        "asset__attributes",
    )
    for report in rows.iterator(chunk_size=1000):
        parts = priority.static_parts(report, places)
        if parts != report.priority_reasons:
            report.priority_reasons = parts
            report.priority_base = sum(part[0] for part in parts)
            changed.append(report)
        if len(changed) >= 1000:
            count += _save_priorities(changed)
    return count + _save_priorities(changed)


def _save_priorities(reports: list[Report]) -> int:
    Report.objects.bulk_update(reports, ["priority_reasons", "priority_base"], batch_size=500)
    count = len(reports)
    reports.clear()
    return count


@transaction.atomic
def report_set_priority(*, report: Report, points: int, reason: str, acting_user) -> Report:
    """A manager moves a report up or down the queue, with a reason: audited."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _check_staff(acting_user, report)
    if getattr(acting_user, "role", "manager") != "manager" and not acting_user.is_superuser:
        raise ReportError("Only a manager changes the order.", code="forbidden")
    if points and not reason.strip():
        raise ReportError("Say why the order changes.", code="reason_needed", field="reason")
    if not -100 <= points <= 100:
        raise ReportError("Between -100 and +100.", code="invalid", field="points")
    before = report.priority_override
    report.priority_override, report.priority_override_reason = points, reason.strip()
    report.save(update_fields=["priority_override", "priority_override_reason", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.PRIORITY,
        from_value=str(before),
        to_value=str(points),
        text=reason.strip(),
        by=acting_user,
    )
    return report


@transaction.atomic
def report_assign(
    *, report: Report, assignee, due_on: datetime.date | None = None, acting_user=None
) -> Report:
    """Give the work to a section or a contractor, by a date (the category's response
    target unless said otherwise); they are told by email."""
    report = Report.objects.select_for_update().select_related("category").get(pk=report.pk)
    _check_staff(acting_user, report)
    scope = user_scope_ids(acting_user) if acting_user is not None else None
    if scope is not None and assignee.pk not in scope:
        raise ReportError("Assign within your organisation.", code="forbidden", field="assignee")
    if not report.is_open:
        raise ReportError("This report is already dealt with.", code="report_not_open")
    if due_on is None:
        due_on = timezone.localdate(report.respond_by) if report.respond_by else None
    before = report.assignee.code if report.assignee_id else ""
    report.assignee, report.work_due_on = assignee, due_on
    report.save(update_fields=["assignee", "work_due_on", "updated_at"])
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.ASSIGNED,
        from_value=before,
        to_value=assignee.code,
        text=due_on.isoformat() if due_on else "",
        by=acting_user,
    )
    transaction.on_commit(lambda: notices.report_assigned(event.pk))
    return report


@transaction.atomic
def report_merge(*, duplicate: Report, into: Report, acting_user=None) -> Report:
    """Fold a duplicate into the report that stays: its photos, its "me too"s and its
    people come along; it is closed as a duplicate and its resident is told where to look."""
    duplicate = Report.objects.select_for_update().get(pk=duplicate.pk)
    into = Report.objects.select_for_update().get(pk=into.pk)
    _check_staff(acting_user, duplicate)
    _check_staff(acting_user, into)
    if duplicate.pk == into.pk:
        raise ReportError("A report cannot be merged into itself.", code="same_report")
    if not duplicate.is_open or not into.is_open:
        raise ReportError("Both reports must be open.", code="report_not_open")
    moved_photos = duplicate.photos.update(report=into)
    duplicate.me_toos.update(report=into)
    if duplicate.contact_email:
        # The duplicate's reporter hears of the kept report from now on.
        MeToo.objects.create(
            report=into, email=duplicate.contact_email, language=duplicate.language
        )
    Report.objects.filter(pk=into.pk).update(
        me_too_count=F("me_too_count") + duplicate.me_too_count + 1
    )
    duplicate.duplicate_of = into
    duplicate.save(update_fields=["duplicate_of", "updated_at"])
    ReportEvent.objects.create(
        report=into,
        kind=ReportEvent.Kind.MERGED,
        from_value=duplicate.number,
        text=f"{moved_photos} photos",
        by=acting_user,
    )
    report_transition(
        report=duplicate,
        to=Report.Status.CLOSED,
        reason=Report.CloseReason.DUPLICATE,
        acting_user=acting_user,
        public_note=True,
        note=f"同じ不具合の通報 {into.number} にまとめました / Merged into report {into.number}",
    )
    into.refresh_from_db()
    return priority_refresh(report=into)


@transaction.atomic
def report_forward(*, report: Report, to, acting_user=None, note: str = "") -> Report:
    """Not ours: hand the report to the organisation that looks after the thing (the
    prefecture, an association…); they are told, and so is the resident."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _check_staff(acting_user, report)
    if to.pk == report.owner_id:
        raise ReportError("It is already with them.", code="same_owner", field="to")
    if not report.is_open:
        raise ReportError("This report is already dealt with.", code="report_not_open")
    before = report.owner.code
    report.owner, report.assignee, report.work_due_on = to, None, None
    report.save(update_fields=["owner", "assignee", "work_due_on", "updated_at"])
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.FORWARDED,
        from_value=before,
        to_value=to.code,
        text=note.strip(),
        public=True,
        by=acting_user,
    )
    transaction.on_commit(lambda: notices.report_forwarded(event.pk))
    return report


# --- Reports from other systems (Open311) -----------------------------------------------------


def asset_for_address_id(text: str, category: FaultCategory) -> Asset:
    """The asset another system names: the code on its sticker, else its ledger number among
    the assets this kind of fault can happen to."""
    text = text.strip()
    if codes.is_valid(codes.normalize(text)):
        found = label_resolve(text)
        if found.asset is not None and found.asset.status == Asset.Status.IN_SERVICE:
            return found.asset
    assets = Asset.objects.filter(
        ledger_id=text, status=Asset.Status.IN_SERVICE, asset_type__categories=category
    )
    return _only_asset(
        assets,
        none=(
            "address_id is neither a sticker code nor the ledger number of an asset in service "
            "that this service applies to.",
            "address_id",
        ),
        several=(
            "Several assets have this ledger number: send the sticker code or lat and long.",
            "address_id",
        ),
    )


def town_in_address(text: str):
    """The town (町) named in an address, the longest match winning (今市町 over 今市)."""
    text = text.strip()
    if not text:
        return None
    found = [town for town in selectors.towns() if town.name in text]
    return max(found, key=lambda town: len(town.name), default=None)


def report_submit_or_join(submission: Submission) -> tuple[Report, bool]:
    """Another system's report: a new one, or — when the asset already has an open report of
    the same kind — a "me too" on that one (its first photo kept, the others discarded), as
    the web form offers residents. (report, True when it is new)."""
    asset = submission.asset
    same = None
    if asset is not None:
        same = selectors.reports_open_for_asset(asset).filter(category=submission.category).first()
    if same is None:
        return report_submit(submission), True
    photos = submission.photos
    report_me_too(
        report=same,
        email=submission.email,
        language=submission.language,
        photo=photos[0] if photos else None,
    )
    photos_discard(photos[1:])
    return same, False


def photos_discard(photos: list[Photo]) -> None:
    """Staged photos of a report that was not taken: gone now, not at the next sweep."""
    for photo in photos:
        if photo.report_id is None and photo.pk is not None:
            names = photo.names
            photo.delete()
            delete_files(names)
