"""The one door every report comes in by: the web form and its "me too", Open311, phone
intake by staff, inspections, and the channels to come.

`report_intake` resolves the asset (sticker code, ledger number, or the asset itself),
checks the category and answers, takes the staged photos, and decides — under a lock on
the asset, so that simultaneous reports cannot both be first — whether this is a new
report, a "me too" on the open one, or (for the web form) a question to the resident
first. Every contribution gets its own receipt (reports.models.Receipt). Forms and API
views validate their own input and translate the outcome; none builds a report itself.
"""

import datetime
import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import policy
from accounts.policy import Right
from assets import fieldspecs, versions
from assets.models import Asset, FaultCategory
from config import city
from qr_labels import codes
from qr_labels.selectors import label_resolve
from reports import notices, photo_store, priority, selectors, services
from reports.models import MeToo, Photo, Receipt, Report, ReportEvent, ReportNumber
from reports.services import ReportError


class Join(enum.StrEnum):
    """What to do when the asset already has an open report."""

    NEVER = "never"  # a new report whatever (staff intake; a resident who insisted)
    ASK = "ask"  # nothing saved: the open reports (or assets nearby) go back to the resident
    SAME_CATEGORY = "same_category"  # a "me too" on the open report of the same category
    ATTACH = "attach"  # the open report of the same category stands; nothing is added


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


@dataclass(frozen=True)
class Contact:
    """How the person may be reached; kept privately and deleted after a while (APPI)."""

    email: str = ""
    name: str = ""
    phone: str = ""
    consent: bool = False  # the city (and whoever does the work) may contact them

    def cleaned(self) -> "Contact":
        email, phone = self.email.strip(), self.phone.strip()
        return Contact(email, self.name.strip(), phone, self.consent and bool(email or phone))


@dataclass
class Outcome:
    """What became of a contribution. `report` is None when nothing was saved (the web
    form asks first: `duplicates` are open reports of the asset or nearby, `suggestions`
    assets nearby)."""

    report: Report | None = None
    receipt: Receipt | None = None
    created: bool = False
    duplicates: list[Report] = field(default_factory=list)
    suggestions: list[Asset] = field(default_factory=list)

    @property
    def joined(self) -> bool:
        return self.report is not None and not self.created


def report_intake(
    *,
    channel: str,
    acting_user,
    category: FaultCategory,
    language: str = "ja",
    asset: Asset | None = None,
    label_code: str = "",
    ledger_id: str = "",
    asset_type: str = "",
    place: Place | None = None,
    description: str = "",
    answers: dict | None = None,
    photos: list[Photo] = (),
    contact: Contact = Contact(),
    join: Join = Join.NEVER,
    defect_grade: str = "",
    api_client=None,
    media_url: str = "",
    keep_photos: bool = False,
) -> Outcome:
    """Take one contribution through the door. Raises ReportError (with a field and a
    stable code) for what cannot be taken; then nothing is saved, and the staged photos
    are discarded unless `keep_photos` (a form that comes back keeps them)."""
    photos = list(photos)
    try:
        _check_actor(channel, acting_user, api_client)
        asset, label_code = _resolve_asset(
            acting_user,
            channel,
            asset=asset,
            label_code=label_code,
            ledger_id=ledger_id,
            asset_type=asset_type,
            category=category,
        )
        _check_category(category, asset)
        _check_photos(photos)
        answers = _checked_answers(category, answers)
        place = place or Place()
        if join == Join.ASK and asset is None:
            outcome = _nearby(category, place, photos)
            if outcome is not None:
                return outcome
        with transaction.atomic():
            if asset is not None:
                # The lock that makes "is there an open report?" and "make one" a single
                # step: a second report on the same asset waits here until the first is
                # saved, then finds it (SQLite's immediate transactions serialize anyway).
                Asset.objects.select_for_update().filter(pk=asset.pk).first()
                open_reports = selectors.reports_open_for_asset(asset)
                if join == Join.ASK:
                    duplicates = list(open_reports[:5])
                    if duplicates:
                        return Outcome(duplicates=duplicates)
                elif join in (Join.SAME_CATEGORY, Join.ATTACH):
                    same = open_reports.filter(category=category).first()
                    if same is not None and join == Join.ATTACH:
                        return Outcome(report=same)
                    if same is not None:
                        receipt = _me_too_add(
                            report=same,
                            channel=channel,
                            description=description,
                            contact=contact,
                            language=language,
                            photos=photos,
                            api_client=api_client,
                        )
                        return Outcome(report=same, receipt=receipt)
            report = _report_create(
                channel=channel,
                acting_user=acting_user,
                category=category,
                language=language,
                asset=asset,
                label_code=label_code,
                place=place,
                description=description,
                answers=answers,
                photos=photos,
                contact=contact,
                defect_grade=defect_grade,
                api_client=api_client,
                media_url=media_url,
            )
            receipt = None
            if channel != Report.Source.INSPECTION:
                receipt = Receipt.objects.create(report=report, origin=report)
            transaction.on_commit(lambda: notices.report_submitted(report.pk))
            return Outcome(report=report, receipt=receipt, created=True)
    except ReportError:
        if not keep_photos:
            photo_store.photos_discard(photos)
        raise


def me_too_intake(
    *,
    report: Report,
    channel: str = Report.Source.WEB,
    acting_user,
    contact: Contact = Contact(),
    language: str = "ja",
    photos: list[Photo] = (),
    description: str = "",
) -> Outcome:
    """Somebody says "me too" on an open report they saw (the web form's button)."""
    try:
        _check_actor(channel, acting_user, None)
        _check_photos(photos)
        with transaction.atomic():
            receipt = _me_too_add(
                report=report,
                channel=channel,
                description=description,
                contact=contact,
                language=language,
                photos=list(photos),
            )
        return Outcome(report=receipt.report, receipt=receipt)
    except ReportError:
        photo_store.photos_discard(photos)
        raise


# --- Who is at the door -------------------------------------------------------------------


def _check_actor(channel: str, actor, api_client) -> None:
    """Residents (signed out, or anybody) report through the public channels; staff file
    for callers; other systems need their key; inspections come from inspectors or the
    system. Nobody (None) reports nothing."""
    if actor is None:
        raise ReportError("Nobody to report as.", code="forbidden")
    if channel == Report.Source.STAFF and not policy.may(actor, Right.INTAKE):
        raise ReportError("You may not file reports for callers.", code="forbidden")
    if channel == Report.Source.INSPECTION and not policy.may(actor, Right.INSPECT):
        raise ReportError("Only inspections raise faults this way.", code="forbidden")
    if channel == Report.Source.OPEN311 and api_client is None:
        raise ReportError("Reports from other systems need their key.", code="forbidden")
    if channel not in Report.Source.values:
        raise ReportError(f"Unknown channel {channel}.", code="bad_channel")


# --- Which asset --------------------------------------------------------------------------


def _resolve_asset(
    actor, channel, *, asset, label_code, ledger_id, asset_type, category
) -> tuple[Asset | None, str]:
    """(the asset meant, the sticker code read) from what was given."""
    staff = channel == Report.Source.STAFF
    if asset is None and label_code.strip():
        resolution = label_resolve(label_code)
        found = resolution.asset
        if found is None or (not staff and found.status != Asset.Status.IN_SERVICE):
            outcome = resolution.outcome if found is None else "retired"
            message = {
                "mistyped": "This sticker code has a typo: please read it out again.",
                "retired": "This sticker was withdrawn: find the asset by its ledger number.",
            }.get(outcome, "There is no sticker with this code.")
            raise ReportError(message, code=f"label_{outcome}", field="label_code")
        asset, label_code = found, resolution.label.code
    elif asset is None and ledger_id.strip():
        asset = _asset_by_ledger(ledger_id.strip(), asset_type, category, staff=staff)
    else:
        label_code = codes.normalize(label_code) if asset is not None and label_code else ""
    if asset is not None and staff and not _may_file_on(actor, asset):
        raise ReportError(
            "This asset is not among those your organisation looks after.",
            code="asset_out_of_scope",
            field="label_code" if label_code else "ledger_id",
        )
    return asset, label_code


def _may_file_on(actor, asset: Asset) -> bool:
    return policy.may_on_owner(actor, Right.INTAKE, owner=asset.owner, location=asset.geom)


def _asset_by_ledger(ledger_id: str, type_code: str, category, *, staff: bool) -> Asset:
    """The one asset in service with this ledger number (of the type, when given)."""
    assets = Asset.objects.filter(ledger_id=ledger_id, status=Asset.Status.IN_SERVICE)
    if type_code:
        assets = assets.filter(asset_type__code=type_code)
    elif not staff:
        assets = assets.filter(asset_type__categories=category)
    found = list(assets.select_related("asset_type", "owner")[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ReportError(
            "No asset in service has this ledger number.", code="no_such_asset", field="ledger_id"
        )
    raise ReportError(
        "Several assets have this ledger number: choose the asset type too, or use the "
        "sticker code.",
        code="ambiguous_asset",
        field="asset_type",
    )


def asset_for_address_id(text: str, category: FaultCategory) -> Asset:
    """The asset another system names (Open311 address_id): the code on its sticker, else
    its ledger number among the assets this kind of fault can happen to."""
    text = text.strip()
    if codes.is_valid(codes.normalize(text)):
        found = label_resolve(text)
        if found.asset is not None and found.asset.status == Asset.Status.IN_SERVICE:
            return found.asset
    return _asset_by_ledger(text, "", category, staff=False)


def town_in_address(text: str):
    """The town (町) named in an address, the longest match winning (今市町 over 今市)."""
    text = text.strip()
    if not text:
        return None
    found = [town for town in selectors.towns() if town.name in text]
    return max(found, key=lambda town: len(town.name), default=None)


# --- Checks -------------------------------------------------------------------------------


def _check_category(category: FaultCategory, asset: Asset | None) -> None:
    if not category.is_active:
        raise ReportError(
            "This kind of fault cannot be reported any more.", code="bad_category", field="category"
        )
    if asset is not None and not asset.asset_type.categories.filter(pk=category.pk).exists():
        raise ReportError(
            "Please choose what is wrong from the list for this asset.",
            code="bad_category",
            field="category",
        )


def _check_photos(photos) -> None:
    if len(photos) > settings.REPORT_MAX_PHOTOS:
        raise ReportError(
            f"At most {settings.REPORT_MAX_PHOTOS} photos.", code="too_many_photos", field="photos"
        )
    if any(photo.report_id or photo.me_too_id for photo in photos):
        raise ReportError("A photo was already used.", code="photo_taken", field="photos")


def _checked_answers(category: FaultCategory, answers: dict | None) -> dict:
    try:
        return fieldspecs.coerce_values(category.questions, answers or {})
    except fieldspecs.FieldErrors as exc:
        key, message = next(iter(exc.errors.items()))
        raise ReportError(f"{key}: {message}", code="invalid_answer", field=key) from None


def _nearby(category: FaultCategory, place: Place, photos) -> Outcome | None:
    """Before a report without an asset: open reports of the kind close by, or assets of
    the kind to choose from; None when there are neither."""
    point = place.point or next((p.gps for p in photos if p.gps), None)
    if point is None:
        return None
    duplicates = list(
        selectors.reports_open_near(category, point, settings.REPORT_DUPLICATE_RADIUS_M)[:5]
    )
    suggestions = list(selectors.assets_suggested(category, point))
    if not duplicates and not suggestions:
        return None
    return Outcome(duplicates=duplicates, suggestions=suggestions)


# --- A new report -------------------------------------------------------------------------


def _next_number(now: datetime.datetime) -> str:
    year = timezone.localtime(now).year
    ReportNumber.objects.select_for_update().get_or_create(year=year)
    ReportNumber.objects.filter(pk=year).update(last=F("last") + 1)
    last = ReportNumber.objects.filter(pk=year).values_list("last", flat=True).get()
    return f"R-{year}-{last:06d}"


def _resolve_place(place: Place, asset: Asset | None, photos) -> Place:
    """The report's location, by the order of trust: the asset, the device, a map pin or an
    address, and last the first photo's GPS."""
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
    for photo in photos:
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
            f"This place is outside {city.current().name_en}'s area. Please report it to the "
            "city or town that looks after it.",
            code="outside_area",
            field="location",
        )


def _flag_distant_photo(report: Report, photos) -> None:
    """A photo taken far from the scanned asset hints that the sticker was moved."""
    if report.asset is None or report.source != Report.Source.QR:
        return
    distances = [
        selectors.asset_distance_m(report.asset, photo.gps) for photo in photos if photo.gps
    ]
    if distances:
        report.photo_distance_m = round(min(distances), 1)
        report.photo_far_from_asset = report.photo_distance_m > settings.PHOTO_FAR_FROM_ASSET_M


def _owner(acting_user, channel, category, asset, point):
    """Who handles it: the asset's owner; else who looks after such faults there — except
    that staff filing for a caller keep reports they could not see themselves."""
    if asset is not None:
        return asset.owner
    owner = selectors.responsible_owner(category, point)
    if channel == Report.Source.STAFF and not policy.may_on_owner(
        acting_user, Right.READ, owner=owner, location=point
    ):
        return acting_user.organization or owner
    return owner


def _report_create(
    *,
    channel,
    acting_user,
    category,
    language,
    asset,
    label_code,
    place,
    description,
    answers,
    photos,
    contact,
    defect_grade,
    api_client,
    media_url,
) -> Report:
    place = _resolve_place(place, asset, photos)
    if place.source != "asset":
        _check_service_area(place.point)
    contact = contact.cleaned()
    now = timezone.now()
    report = Report(
        number=_next_number(now),
        source=channel,
        language=language,
        category=category,
        answers=answers,
        description=description.strip(),
        asset=asset,
        label_code=label_code,
        owner=_owner(acting_user, channel, category, asset, place.point),
        location=place.point,
        location_source=place.source,
        location_accuracy_m=place.accuracy_m,
        address_text=place.address_text.strip(),
        town=place.town,
        contact_email=contact.email,
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_consent=contact.consent,
        submitted_by=policy.author(acting_user) if policy.is_staff(acting_user) else None,
        api_client=api_client,
        media_url=media_url,
        created_at=now,
    )
    _flag_distant_photo(report, photos)
    if defect_grade and asset is not None:
        report.defect_grade = defect_grade
        report.defect_rank = asset.asset_type.grading_scale.grade(defect_grade).rank
    report.respond_by = now + datetime.timedelta(hours=category.response_hours)
    report.created_epoch = int(now.timestamp())
    report.respond_epoch = int(report.respond_by.timestamp())
    report.full_clean(exclude=["number"])
    report.priority_reasons = priority.static_parts(report)
    report.priority_base = sum(part[0] for part in report.priority_reasons)
    report.save()
    for position, photo in enumerate(photos):
        photo.report, photo.origin, photo.position = report, report, position
        photo.save(update_fields=["report", "origin", "position"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.SUBMITTED,
        to_value=Report.Status.NEW,
        by=report.submitted_by,
        public=True,
        at=now,
    )
    if asset is not None:
        services.asset_reports_changed(asset.pk)
    return report


# --- "Me too" -----------------------------------------------------------------------------


def _me_too_add(
    *, report, channel, description, contact, language, photos, api_client=None
) -> Receipt:
    """Another person saw the same fault: counted, their words and photos kept as theirs,
    their own receipt given."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not report.is_open:
        raise ReportError("This report is already dealt with.", code="report_not_open")
    contact = contact.cleaned()
    me_too = MeToo.objects.create(
        report=report,
        source=channel,
        description=description.strip()[:4000],
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        consent=contact.consent,
        api_client=api_client,
        language=language,
    )
    # Other systems send up to five photos; a "me too" keeps the first, as on the web.
    kept, extra = photos[:1], photos[1:]
    for photo in kept:
        # No origin: the photo is this person's through `me_too`, never the reporter's.
        photo.report, photo.origin, photo.me_too = report, None, me_too
        photo.position = report.photos.count()
        photo.save(update_fields=["report", "origin", "me_too", "position"])
    photo_store.photos_discard(extra)
    Report.objects.filter(pk=report.pk).update(me_too_count=F("me_too_count") + 1)
    services.priority_refresh(report=Report.objects.get(pk=report.pk))
    if report.asset_id:
        transaction.on_commit(lambda: versions.asset_changed(report.asset_id))
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.ME_TOO)
    receipt = Receipt.objects.create(report=report, origin=report, me_too=me_too)
    if contact.email:
        transaction.on_commit(lambda: notices.receipt_given(receipt.pk))
    return receipt
