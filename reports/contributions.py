"""What a contribution is (where, who to write to) and how it is written: a new report with
its number, place, owner and priority, or a "me too" on an open one, each with its
receipt. Called only by the intake door (reports/intake.py), inside its lock."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import policy
from accounts.policy import Right
from assets import versions
from assets.models import Asset
from config import city
from reports import notices, photo_store, priority, selectors, services
from reports.models import MeToo, Receipt, Report, ReportEvent, ReportNumber
from reports.services import ReportError


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
    """How the person may be reached, kept privately and deleted after a while, and what
    they agreed to (APPI)."""

    email: str = ""
    name: str = ""
    phone: str = ""
    consent: bool = False  # the city (and whoever does the work) may contact them
    # Their description and photos may go to an owner or contractor outside the city
    # (third-party provision needs consent); their contact details never do.
    share: bool = False

    def cleaned(self) -> "Contact":
        email, phone = self.email.strip(), self.phone.strip()
        return Contact(
            email, self.name.strip(), phone, self.consent and bool(email or phone), self.share
        )


# --- A new report -------------------------------------------------------------------------


def _next_number(now: datetime.datetime) -> str:
    year = timezone.localtime(now).year
    ReportNumber.objects.select_for_update().get_or_create(year=year)
    ReportNumber.objects.filter(pk=year).update(last=F("last") + 1)
    last = ReportNumber.objects.filter(pk=year).values_list("last", flat=True).get()
    return f"R-{year}-{last:06d}"


def _resolve_place(place: Place, asset: Asset | None, photos) -> Place:
    """The report's location, by the order of trust: the asset, the device, a map pin or an
    address, and last the first photo's GPS. Along a road or inside a park the asset is
    long or wide: the resident's place, or else their photo's when it was taken at the
    asset, says where on it."""
    if asset is not None:
        if asset.asset_type.geometry_kind != "point":
            if place.point is not None:
                return place
            taken = _photo_place(place, photos)
            near = settings.PHOTO_FAR_FROM_ASSET_M
            if taken is not None and selectors.asset_distance_m(asset, taken.point) <= near:
                return taken
        point = asset.geom if asset.geom.geom_type == "Point" else asset.geom.point_on_surface
        return Place(
            point=Point(point.x, point.y, srid=4326),
            source="asset",
            address_text=place.address_text or asset.address,
            town=place.town,
        )
    if place.point is not None:
        return place
    taken = _photo_place(place, photos)
    if taken is not None:
        return taken
    raise ReportError(
        "Please tell us where it is: use your location, pick the place on the map, choose the "
        "town and describe the place, or attach a photo taken there.",
        code="no_location",
        field="location",
    )


def _photo_place(place: Place, photos) -> Place | None:
    """Where the first photo with a GPS position was taken."""
    for photo in photos:
        if photo.gps is not None:
            return Place(
                point=photo.gps, source="photo", address_text=place.address_text, town=place.town
            )
    return None


def _check_service_area(point: Point, here=None) -> None:
    area = selectors.service_area_of(here)
    if area is not None and not area.contains(point):
        named = getattr(here, "city", here) or city.current()
        raise ReportError(
            f"This place is outside {named.name_en}'s area. Please report it to the "
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


def _owner(acting_user, channel, category, asset, point, here=None):
    """Who handles it: the asset's owner; else who looks after such faults there (in the
    city `here` when cities are configured) — except that staff filing for a caller keep
    reports they could not see themselves."""
    if asset is not None:
        return asset.owner
    owner = selectors.responsible_owner(category, point, where=here)
    if channel == Report.Source.STAFF and not policy.may_on_owner(
        acting_user, Right.READ, owner=owner, location=point
    ):
        return acting_user.organization or owner
    return owner


@dataclass(frozen=True)
class Contribution:
    """One report as the intake door checked it: through which channel, by whom, about what
    and where, with whose contact and which staged photos."""

    channel: str
    acting_user: Any
    category: Any
    language: str
    asset: Any
    label_code: str
    place: Place
    description: str
    answers: dict
    photos: list
    contact: Contact
    defect_grade: str = ""
    api_client: Any = None
    media_url: str = ""
    idempotency_key: str = ""
    idempotency_digest: str = ""
    city: Any = None  # config.city.City (or a request) it came in at; None: the one city


def report_create(c: Contribution) -> Report:
    """Write a new report (number, place, owner, stored priority, photos, the first event)."""
    channel, acting_user, category, asset, photos = (
        c.channel,
        c.acting_user,
        c.category,
        c.asset,
        c.photos,
    )
    place = _resolve_place(c.place, asset, photos)
    if place.source != "asset":
        _check_service_area(place.point, c.city)
    contact = c.contact.cleaned()
    now = timezone.now()
    report = Report(
        number=_next_number(now),
        source=channel,
        language=c.language,
        category=category,
        answers=c.answers,
        description=c.description.strip(),
        asset=asset,
        label_code=c.label_code,
        owner=_owner(acting_user, channel, category, asset, place.point, c.city),
        location=place.point,
        location_source=place.source,
        location_accuracy_m=place.accuracy_m,
        address_text=place.address_text.strip(),
        town=place.town,
        contact_email=contact.email,
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_consent=contact.consent,
        share_consent=contact.share,
        submitted_by=policy.author(acting_user) if policy.is_staff(acting_user) else None,
        api_client=c.api_client,
        media_url=c.media_url,
        created_at=now,
    )
    _flag_distant_photo(report, photos)
    if c.defect_grade and asset is not None:
        report.defect_grade = c.defect_grade
        report.defect_rank = asset.asset_type.grading_scale.grade(c.defect_grade).rank
    report.respond_by = priority.respond_by(category, now)
    report.created_epoch = int(now.timestamp())
    report.respond_epoch = int(report.respond_by.timestamp())
    report.full_clean(exclude=["number"])
    report.priority_reasons = priority.static_parts(report)
    report.priority_base = sum(part[0] for part in report.priority_reasons)
    report.danger = priority.is_dangerous(report)
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


def me_too_add(
    *,
    report,
    channel,
    description,
    contact,
    language,
    photos,
    api_client=None,
    idempotency_key="",
    idempotency_digest="",
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
    receipt = Receipt.objects.create(
        report=report,
        origin=report,
        me_too=me_too,
        idempotency_key=idempotency_key,
        idempotency_digest=idempotency_digest,
    )
    if contact.email:
        transaction.on_commit(lambda: notices.receipt_given(receipt.pk))
    return receipt
