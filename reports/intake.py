"""The one door every report comes in by: the web form and its "me too", Open311, phone
intake by staff, inspections, and the channels to come.

`report_intake` resolves the asset (sticker code, ledger number, or the asset itself),
checks the category and answers, takes the staged photos, and decides — under a lock on
the asset, so that simultaneous reports cannot both be first — whether this is a new
report, a "me too" on the open one, or (for the web form) a question to the resident
first. Every contribution gets its own receipt (reports.models.Receipt). Forms and API
views validate their own input and translate the outcome; none builds a report itself.
"""

import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts import policy
from accounts.cities import city_id_of
from accounts.policy import Right
from assets import fieldspecs
from assets.models import Asset, FaultCategory
from reports import asset_lookup, contributions, idempotency, notices, photo_store, selectors
from reports.asset_lookup import asset_for_address_id, town_in_address
from reports.contributions import Contact, Contribution, Place
from reports.models import Photo, Receipt, Report
from reports.services import ReportError

# What channels hand to the door, and the lookups they make before they call it.
__all__ = [
    "Contact",
    "Join",
    "Outcome",
    "Place",
    "asset_for_address_id",
    "me_too_intake",
    "report_intake",
    "town_in_address",
]


class Join(enum.StrEnum):
    """What to do when the asset already has an open report."""

    NEVER = "never"  # a new report whatever (staff intake; a resident who insisted)
    ASK = "ask"  # nothing saved: the open reports (or assets nearby) go back to the resident
    SAME_CATEGORY = "same_category"  # a "me too" on the open report of the same category
    ATTACH = "attach"  # the open report of the same category stands; nothing is added


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
    replayed: bool = False  # the same contribution sent again: the first outcome

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
    contact: Contact = Contact(),  # noqa: B008 (frozen: a shared default is safe)
    join: Join = Join.NEVER,
    defect_grade: str = "",
    api_client=None,
    media_url: str = "",
    keep_photos: bool = False,
    idempotency_key: str = "",
    idempotency_digest: str = "",
    city=None,
) -> Outcome:
    """Take one contribution through the door. Raises ReportError (with a field and a
    stable code) for what cannot be taken; then nothing is saved, and the staged photos
    are discarded unless `keep_photos` (a form that comes back keeps them). The same
    `idempotency_key` sent again (a double tap, a resend after a dropped connection) gets
    the first receipt back and saves nothing more (keys are stored scoped by channel or
    client: reports/idempotency.py; `idempotency_digest` is the request's, kept with it).
    `city` (config.city.City, or a request) is the city it came in at when several are
    served: its assets, its area, its organisations and its open reports only."""
    photos = list(photos)
    replay = _replayed(idempotency_key, photos)
    if replay is not None:
        return replay
    try:
        _check_actor(channel, acting_user, api_client)
        asset, label_code = asset_lookup.resolve_asset(
            acting_user,
            channel,
            asset=asset,
            label_code=label_code,
            ledger_id=ledger_id,
            asset_type=asset_type,
            category=category,
            city=city,
        )
        _check_city(city, asset, label_code)
        _check_category(category, asset)
        _check_photos(photos)
        answers = _checked_answers(category, answers)
        place = place or Place()
        if join == Join.ASK and asset is None:
            outcome = _nearby(category, place, photos, city)
            if outcome is not None:
                return outcome
        contribution = Contribution(
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
            idempotency_key=idempotency_key,
            idempotency_digest=idempotency_digest,
            city=city,
        )
        try:
            return _decide_and_write(contribution, join)
        except IntegrityError:
            # The same key at the same moment: the first one won, this one is its echo.
            replay = _replayed(idempotency_key, photos)
            if replay is None:
                raise
            return replay
    except ReportError:
        if not keep_photos:
            photo_store.photos_discard(photos)
        raise


def _decide_and_write(c: Contribution, join: Join) -> Outcome:
    """Under the asset's lock: the open report to join, the question to ask, or a new
    report, with the contributor's receipt."""
    with transaction.atomic():
        if c.asset is not None:
            # The lock that makes "is there an open report?" and "make one" a single
            # step: a second report on the same asset waits here until the first is
            # saved, then finds it (SQLite's immediate transactions serialize anyway).
            Asset.objects.select_for_update().filter(pk=c.asset.pk).first()
            # A resend of a contribution that was still being saved when it arrived.
            replay = _replayed(c.idempotency_key, c.photos)
            if replay is not None:
                return replay
            open_reports = selectors.reports_open_for_asset(c.asset)
            if join == Join.ASK:
                duplicates = list(open_reports[:5])
                if duplicates:
                    return Outcome(duplicates=duplicates)
            elif join in (Join.SAME_CATEGORY, Join.ATTACH):
                same = open_reports.filter(category=c.category).first()
                if same is not None and join == Join.ATTACH:
                    return Outcome(report=same)
                if same is not None:
                    receipt = contributions.me_too_add(
                        report=same,
                        channel=c.channel,
                        description=c.description,
                        contact=c.contact,
                        language=c.language,
                        photos=c.photos,
                        api_client=c.api_client,
                        idempotency_key=c.idempotency_key,
                        idempotency_digest=c.idempotency_digest,
                    )
                    return Outcome(report=same, receipt=receipt)
        report = contributions.report_create(c)
        receipt = None
        if c.channel != Report.Source.INSPECTION:
            receipt = Receipt.objects.create(
                report=report,
                origin=report,
                idempotency_key=c.idempotency_key,
                idempotency_digest=c.idempotency_digest,
            )
        transaction.on_commit(lambda: notices.report_submitted(report.pk))
        return Outcome(report=report, receipt=receipt, created=True)


def _replayed(key: str, photos) -> Outcome | None:
    """The outcome already given for this key (its staged photos are not needed again)."""
    receipt = idempotency.receipt_for(key)
    if receipt is None:
        return None
    photo_store.photos_discard(photos)
    return Outcome(report=receipt.report, receipt=receipt, replayed=True)


def me_too_intake(
    *,
    report: Report,
    channel: str = Report.Source.WEB,
    acting_user,
    contact: Contact = Contact(),  # noqa: B008 (frozen: a shared default is safe)
    language: str = "ja",
    photos: list[Photo] = (),
    description: str = "",
    idempotency_key: str = "",
) -> Outcome:
    """Somebody says "me too" on an open report they saw (the web form's button). The same
    `idempotency_key` again gets the first receipt back and counts nobody twice."""
    photos = list(photos)
    replay = _replayed(idempotency_key, photos)
    if replay is not None:
        return replay
    try:
        _check_actor(channel, acting_user, None)
        _check_photos(photos)
        try:
            with transaction.atomic():
                receipt = contributions.me_too_add(
                    report=report,
                    channel=channel,
                    description=description,
                    contact=contact,
                    language=language,
                    photos=photos,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            # The same key at the same moment: the first one won (the report's lock made
            # this one wait), this one is its echo.
            replay = _replayed(idempotency_key, photos)
            if replay is None:
                raise
            return replay
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


# --- Checks -------------------------------------------------------------------------------


def _check_city(city, asset: Asset | None, label_code: str) -> None:
    """An asset of another city is not reported at this one (its sticker, its ledger id or
    its id as unknown here as a wrong one)."""
    if asset is None or city_id_of(city) is None:
        return
    if asset.owner.city_id != city_id_of(city):
        if label_code:
            raise ReportError("No sticker has this code.", code="label_unknown", field="label_code")
        raise ReportError("No such asset.", code="no_such_asset", field="asset")


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


def _nearby(category: FaultCategory, place: Place, photos, city=None) -> Outcome | None:
    """Before a report without an asset: open reports of the kind close by, or assets of
    the kind to choose from; None when there are neither."""
    point = place.point or next((p.gps for p in photos if p.gps), None)
    if point is None:
        return None
    duplicates = list(
        selectors.reports_open_near(
            category, point, settings.REPORT_DUPLICATE_RADIUS_M, where=city
        )[:5]
    )
    suggestions = list(selectors.assets_suggested(category, point, where=city))
    if not duplicates and not suggestions:
        return None
    return Outcome(duplicates=duplicates, suggestions=suggestions)
