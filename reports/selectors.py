"""Questions about reports: who handles one, what is already reported nearby, what is public.

Why it is long: every read of reports that more than one screen shares lives here, as in
each app's selectors.py: receipts and photos, the queue with its filters (the days and the
fix time that the dashboard's figures count with too), and what housekeeping is due."""

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts import policy
from accounts.cities import city_id_of, in_city
from accounts.models import Organization
from assets import selectors as asset_selectors
from assets.models import Asset, AssetType, FaultCategory, Town
from config import city
from reports import priority
from reports.models import ContextPlace, Photo, Receipt, Report, ReportEvent

service_area = city.service_area


def asset_distance_m(asset: Asset, point: Point) -> float:
    """Geodesic metres from a point to the asset (its nearest part), by the database."""
    distance = (
        Asset.objects.filter(pk=asset.pk)
        .annotate(d=Distance("geom", point, spheroid=True))
        .values_list("d", flat=True)
        .get()
    )
    return distance.m


def responsible_owner(category: FaultCategory, point: Point, where=None) -> Organization:
    """Who handles a report that names no asset: the category's section, else the most
    local organisation whose service area holds the place, else the city. On a city's host
    (`where`, a request or a city) only among that city's organisations."""
    city_id = city_id_of(where)
    if category.default_owner_id and (city_id is None or category.default_owner.city_id == city_id):
        return category.default_owner
    organisations = in_city(Organization.objects.all(), where, "city")
    local = (
        organisations.filter(service_area__contains=point, is_active=True)
        .order_by("-parent_id")
        .first()
    )
    if local is not None:
        return local
    fallback = organisations.filter(code=settings.REPORT_DEFAULT_OWNER).first()
    if fallback is not None:
        return fallback
    return organisations.filter(kind=Organization.Kind.CITY).order_by("pk").first()


def service_area_of(where=None):
    """The area reports may come from at the city `where` names (a request or a city): its
    own when cities are configured, else the settings' (service_area)."""
    if city_id_of(where) is not None:
        return getattr(where, "city", where).area
    return service_area()


def map_centre(where=None) -> tuple[float, float]:
    """Where the form's map opens: inside the city `where` names (a request) when several
    are served, else settings.MAP_CENTER."""
    area = service_area_of(where) if city_id_of(where) is not None else None
    if area is None:
        return settings.MAP_CENTER
    middle = area.point_on_surface
    return (middle.x, middle.y)


def reports_open_for_asset(asset: Asset) -> QuerySet[Report]:
    return (
        Report.objects.filter(asset=asset, status__in=Report.OPEN_STATUSES)
        .select_related("category")
        .order_by("created_at")
    )


def reports_open_near(
    category: FaultCategory, point: Point, metres: float, where=None
) -> QuerySet[Report]:
    """Open reports of the same category within `metres` (geodesic), of the city `where`
    names (a request or a city) when cities are configured."""
    box = asset_selectors.bbox_around(point, metres)
    return (
        in_city(Report.objects.all(), where)
        .filter(
            category=category,
            status__in=Report.OPEN_STATUSES,
            location__intersects=Polygon.from_bbox(box),
        )
        .annotate(distance=Distance("location", point, spheroid=True))
        .filter(distance__lte=metres)
        .order_by("distance")
    )


def assets_suggested(
    category: FaultCategory, point: Point, *, metres: float = 50, limit=5, where=None
):
    """The nearest assets of a type this category applies to: "is it one of these?" (of
    the city `where` names, when cities are configured)."""
    qs = in_city(Asset.objects.all(), where).filter(
        asset_type__categories=category, status=Asset.Status.IN_SERVICE
    )
    return (
        asset_selectors.assets_within(qs, point, metres)
        .select_related("asset_type")
        .order_by("distance")[:limit]
    )


def receipt_for_token(token: str, where=None) -> Receipt | None:
    """The receipt a link names, with the report it follows; on a city's host (`where`, a
    request) only of that city's reports: another city's is as unknown as a wrong token."""
    if not token or len(token) > 64:
        return None
    return (
        in_city(Receipt.objects.all(), where, "report__owner__city")
        .select_related(
            "report__category", "report__asset__asset_type", "report__owner", "origin", "me_too"
        )
        .filter(token=token)
        .first()
    )


STAGED_PHOTO_LIFETIME = datetime.timedelta(hours=24)


def photos_staged(tokens) -> list[Photo]:
    """Photos uploaded with an earlier try of a form and not used yet, in the order of
    their tokens (the key a resident holds); tokens that are not UUIDs are ignored."""
    valid = []
    for token in list(tokens)[: settings.REPORT_MAX_PHOTOS]:
        try:
            valid.append(str(uuid.UUID(str(token))))
        except ValueError:
            continue
    fresh_since = timezone.now() - STAGED_PHOTO_LIFETIME
    photos = Photo.objects.filter(
        token__in=valid, report__isnull=True, me_too__isnull=True, created_at__gte=fresh_since
    )
    by_token = {str(p.token): p for p in photos}
    return [by_token[t] for t in valid if t in by_token]


def receipt_own_photos(receipt: Receipt) -> QuerySet[Photo]:
    """The photos this person sent themselves (never another person's)."""
    if receipt.public_only:
        return Photo.objects.none()
    if receipt.me_too_id:
        return Photo.objects.filter(me_too_id=receipt.me_too_id, report__isnull=False)
    return Photo.objects.filter(
        origin_id=receipt.origin_id, me_too__isnull=True, report__isnull=False
    )


def receipt_visible_photos(receipt: Receipt) -> QuerySet[Photo]:
    """Photos the link may show: the person's own, those staff made public, and those of
    the repair."""
    public = Q(report_id=receipt.report_id) & (Q(is_public=True) | Q(kind=Photo.Kind.AFTER))
    own = receipt_own_photos(receipt)
    return Photo.objects.filter(public | Q(pk__in=own.values("pk")))


def report_history_public(report: Report) -> list[ReportEvent]:
    """What the resident sees on the tracking page: status changes, "still broken", public
    and standard notes, and to whom the report was passed on (`event.organisation`)."""
    events = list(
        report.events.filter(
            Q(
                kind__in=[
                    ReportEvent.Kind.SUBMITTED,
                    ReportEvent.Kind.STATUS,
                    ReportEvent.Kind.STILL_BROKEN,
                ]
            )
            | Q(kind__in=[ReportEvent.Kind.NOTE, ReportEvent.Kind.FORWARDED], public=True)
            | Q(kind=ReportEvent.Kind.NOTE) & ~Q(note_code="")
        )
        .select_related("by_organization")
        .order_by("at", "id")
    )
    codes = {event.to_value for event in events if event.kind == ReportEvent.Kind.FORWARDED}
    if codes:
        names = {org.code: org for org in Organization.objects.filter(code__in=codes)}
        for event in events:
            event.organisation = names.get(event.to_value)
    return events


def report_subscribers(report: Report) -> list[Receipt]:
    """The receipts of the people to tell about a public change of this report, each
    written to through their own link: those who follow it (its reporter, its "me too"s,
    the people of reports merged into it) and those who sent it before it was merged
    away. One receipt per e-mail address; old shared links are written to by nobody."""
    receipts = (
        Receipt.objects.filter(Q(report=report) | Q(origin=report), public_only=False)
        .select_related("origin", "me_too")
        .order_by("created_at", "pk")
    )
    seen, result = set(), []
    for receipt in receipts:
        email = receipt.contact[0].lower()
        if email and email not in seen:
            seen.add(email)
            result.append(receipt)
    return result


def reports_public(where=None) -> QuerySet[Report]:
    """Reports as anyone may list them (open data, Open311, public maps): never contact
    details; description and photos only where staff made them public. On a city's host
    (`where`, a request or a city) only that city's."""
    return in_city(Report.objects.all(), where).exclude(
        status=Report.Status.CLOSED, close_reason="duplicate"
    )


def photos_public_any(where=None) -> QuerySet[Photo]:
    """Photos staff made public, of the reports of the city `where` names (all without
    cities configured)."""
    return in_city(
        Photo.objects.filter(is_public=True, report__isnull=False), where, "report__owner__city"
    )


def asset_counts_public(where=None) -> list[dict]:
    """How many assets of each type are in service, for the public front page: of the city
    `where` names (a request) when several are served."""
    if city_id_of(where) is None:
        return asset_selectors.asset_counts_by_type()
    counts = dict(
        in_city(Asset.objects.filter(status=Asset.Status.IN_SERVICE), where)
        .values_list("asset_type_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {"code": t.code, "name": t.name, "count": counts[t.pk]}
        for t in AssetType.objects.all()
        if counts.get(t.pk)
    ]


def photos_public(report: Report) -> QuerySet[Photo]:
    return report.photos.filter(is_public=True)


def towns(where=None) -> QuerySet[Town]:
    """The towns of the city `where` names (a request or a city; None: every town)."""
    return Town.of(where)


def reports_for_user(user) -> QuerySet[Report]:
    """Reports staff may see in full (contacts, internal notes): those of their
    organisations, and for city staff the outside owners' reports in the city's area
    (accounts/policy.py)."""
    visible = policy.reports_q(user)
    qs = Report.objects.all()
    return qs if visible is None else qs.filter(visible)


def report_history_full(report: Report) -> QuerySet[ReportEvent]:
    return report.events.select_related("by", "by_organization").order_by("at", "id")


def report_history_described(report: Report) -> list[ReportEvent]:
    """The whole trail, each event's `words` saying what changed in the active language,
    organisations by name (one query for all of them)."""
    events = list(report_history_full(report))
    codes = {
        value
        for event in events
        if event.kind in ReportEvent.ORGANISATION_KINDS
        for value in (event.from_value, event.to_value)
        if value
    }
    names = {org.code: str(org) for org in Organization.objects.filter(code__in=codes)}
    for event in events:
        event.words = event.change(names)
    return events


@dataclass
class QueueFilter:
    """What the managers' queue shows; empty fields do not narrow."""

    asset_type: str = ""
    category: str = ""
    town: str = ""
    bbox: tuple | None = None
    statuses: tuple = ()
    owner: int | None = None
    assignee: int | None = None
    unassigned: bool = False
    overdue: bool = False
    source: str = ""
    text: str = ""
    # Local days, both ends included: when the report came in, when it was fixed (fix_time).
    since: datetime.date | None = None
    until: datetime.date | None = None
    fixed_since: datetime.date | None = None
    fixed_until: datetime.date | None = None
    # A condition from an app above (planning's "likely to need work within two years").
    also: Q | None = None


# Danger to people first, whatever the score (reports/priority.py); then the score.
QUEUE_ORDERS = {
    "priority": ("-danger", "-score", "created_at"),
    "newest": ("-created_at",),
    "oldest": ("created_at",),
    "respond_by": ("respond_by", "created_at"),
}


def queue(user, *, filters: QueueFilter, order: str = "priority", now=None) -> QuerySet[Report]:
    """The managers' queue: reports of their organisations, each with its score."""
    now = now or timezone.now()
    fixed = filters.fixed_since or filters.fixed_until
    default = (Report.Status.FIXED, Report.Status.CLOSED) if fixed else Report.OPEN_STATUSES
    qs = (
        reports_for_user(user)
        .filter(status__in=filters.statuses or default)
        .annotate(score=priority.score_expression(now))
    )
    if filters.since or filters.until:
        qs = qs.filter(days_q("created_at", filters.since, filters.until))
    if fixed:
        # A fix is never later than the report's end (a close after it moves the end on), so
        # the indexed end narrows the reports before each one's fix time is looked up.
        if filters.fixed_since:
            start = day_start(filters.fixed_since)
            qs = qs.filter(Q(ended_at__gte=start) | Q(ended_at__isnull=True))
        qs = qs.annotate(fixed_at=fix_time()).filter(
            days_q("fixed_at", filters.fixed_since, filters.fixed_until)
        )
    if filters.asset_type:
        qs = qs.filter(asset__asset_type__code=filters.asset_type)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.town:
        qs = qs.filter(
            Q(town=filters.town)
            | Q(address_text__contains=filters.town)
            | Q(asset__address__contains=filters.town)
        )
    if filters.bbox:
        qs = qs.filter(location__intersects=Polygon.from_bbox(filters.bbox))
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    elif filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if filters.overdue:
        qs = qs.filter(respond_epoch__gt=0, respond_epoch__lte=int(now.timestamp()))
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.also is not None:
        qs = qs.filter(filters.also)
    if filters.text:
        qs = qs.filter(
            Q(number__icontains=filters.text)
            | Q(description__icontains=filters.text)
            | Q(asset__ledger_id__icontains=filters.text)
        )
    return qs.order_by(*QUEUE_ORDERS.get(order, QUEUE_ORDERS["priority"]))


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a day in the city's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def days_q(field: str, since: datetime.date | None, until: datetime.date | None) -> Q:
    """`field` (a time) falls on one of the local days from `since` to `until`, both included;
    an end left out does not narrow."""
    q = Q()
    if since:
        q &= Q(**{f"{field}__gte": day_start(since)})
    if until:
        q &= Q(**{f"{field}__lt": day_start(until + datetime.timedelta(days=1))})
    return q


def fix_time() -> Subquery:
    """When a report was fixed, as a database expression: its latest change to "fixed".
    Not `ended_at`, which a later close (a fix confirmed, then closed) moves on; NULL for a
    report closed without a fix (a duplicate, not ours, no fault found)."""
    return Subquery(
        ReportEvent.objects.filter(
            report=OuterRef("pk"), kind=ReportEvent.Kind.STATUS, to_value=Report.Status.FIXED
        )
        .order_by("-at", "-pk")
        .values("at")[:1],
        output_field=DateTimeField(),
    )


def queue_page_rows(ids: list[int], *, now) -> list[Report]:
    """The rows of one page of the queue, in the order of `ids`.

    The queue sorts narrow and fetches wide: the sort runs over the report table alone
    (queue(...).values_list("pk")), and only the page's rows are then joined to their
    category, asset and organisations — joining every open report before sorting cost four
    times as much at 100,000 (bench/fault_queue.py)."""
    rows = (
        Report.objects.filter(pk__in=ids)
        .annotate(score=priority.score_expression(now))
        .select_related("category", "asset__asset_type", "owner", "assignee")
        .only(
            "number",
            "status",
            "created_at",
            "respond_by",
            "me_too_count",
            "address_text",
            "town",
            "photo_far_from_asset",
            "priority_base",
            "priority_override",
            "priority_reasons",
            "priority_override_reason",
            "danger",
            "source",
            "work_due_on",
            "respond_epoch",
            "created_epoch",
            "category__code",
            "category__name_ja",
            "category__name_en",
            "category__names",
            "asset__ledger_id",
            "asset__address",
            "asset__asset_type__name_ja",
            "asset__asset_type__name_en",
            "asset__asset_type__names",
            "owner__name",
            "owner__name_en",
            "owner__names",
            "owner__kind",
            "assignee__name",
            "assignee__name_en",
            "assignee__names",
        )
    )
    position = {pk: index for index, pk in enumerate(ids)}
    return sorted(rows, key=lambda report: position[report.pk])


def reports_open_nearby(
    report: Report, *, within: QuerySet[Report] | None = None, metres: float = 150
) -> QuerySet[Report]:
    """Other open reports close to this one (duplicates to merge, work to combine), nearest
    first; `within` limits them to what the viewer may see."""
    box = asset_selectors.bbox_around(report.location, metres)
    base = within if within is not None else Report.objects.all()
    return (
        base.filter(status__in=Report.OPEN_STATUSES, location__intersects=Polygon.from_bbox(box))
        .exclude(pk=report.pk)
        .annotate(distance=Distance("location", report.location, spheroid=True))
        .filter(distance__lte=metres)
        .select_related("category", "asset__asset_type")
        .order_by("distance")[:10]
    )


# --- What housekeeping is due: read by reports_housekeeping, and alone by its --dry-run ---


def reports_contacts_due(*, now: datetime.datetime | None = None) -> QuerySet[Report]:
    """Ended reports whose contact details are kept past REPORT_CONTACT_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS)
    return Report.objects.filter(ended_at__lt=cutoff, contacts_deleted_at__isnull=True)


def photos_unattached(*, older_than: datetime.timedelta) -> QuerySet[Photo]:
    """Staged photos that no report or "me too" took within `older_than`."""
    return Photo.objects.filter(
        report__isnull=True, me_too__isnull=True, created_at__lt=timezone.now() - older_than
    )


# A photo's processing not finished after this long is taken as lost and queued again.
PHOTO_PROCESSING_LOST_AFTER = datetime.timedelta(minutes=5)


def photos_processing_lost(
    *, lost_after: datetime.timedelta = PHOTO_PROCESSING_LOST_AFTER
) -> QuerySet[Photo]:
    """Photos still processing whose processing was last queued longer than `lost_after` ago
    (a worker killed mid-way, or a failed run whose retry could not be deferred)."""
    cutoff = timezone.now() - lost_after
    return Photo.objects.filter(
        Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True), state=Photo.State.PROCESSING
    )


def priorities_outdated(*, reports: QuerySet[Report] | None = None) -> Iterator[Report]:
    """Open reports (or `reports`) whose stored priority parts are not what they would be now,
    each carrying its new parts, unsaved."""
    if reports is None:
        reports = Report.objects.filter(status__in=Report.OPEN_STATUSES)
    places = list(ContextPlace.objects.all())
    merged = Report.objects.filter(duplicate_of=OuterRef("pk"), danger=True)
    rows = reports.select_related("category", "asset").annotate(merged_danger=Exists(merged))
    rows = rows.only(
        "location",
        "answers",
        "danger",
        "me_too_count",
        "still_broken_count",
        "defect_rank",
        "defect_grade",
        "priority_base",
        "priority_reasons",
        "category__severity",
        "category__danger",
        "category__questions",
        "asset__criticality",
        "asset__attributes",
    )
    for report in rows.iterator(chunk_size=1000):
        parts, danger = priority.static_parts(report, places), priority.is_dangerous(report)
        if parts != report.priority_reasons or danger != report.danger:
            report.priority_reasons, report.danger = parts, danger
            report.priority_base = sum(part[0] for part in parts)
            yield report


def receipts_to_announce() -> QuerySet[Receipt]:
    """Receipts whose holder has not been sent their own new link yet."""
    return Receipt.objects.filter(announce=True)


def after_photos(report: Report) -> QuerySet[Photo]:
    return Photo.objects.filter(report_id=report.pk, kind=Photo.Kind.AFTER).order_by("id")
