"""What anyone may know about reports: Open311 GETs and the open-data feeds both read here.

Never contact details or internal notes. The description only once staff made it public,
photos only the public copies (re-encoded, no EXIF) staff made public, and for the place the
asset's address or the town, never the landmark text a resident typed (it can name people:
"in front of the Tanakas' house").
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import orjson
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from assets.geojson import collection_chunks
from config import city
from reports.models import Photo, Report, ReportEvent
from reports.selectors import reports_public

CHUNK = 1000
PUBLIC_EVENT = (
    Q(kind=ReportEvent.Kind.STATUS)
    | Q(kind__in=[ReportEvent.Kind.NOTE, ReportEvent.Kind.FORWARDED], public=True)
    | Q(kind=ReportEvent.Kind.NOTE) & ~Q(note_code="")
)
# Notes anyone may read: public free text, or a standard note (in the reader's language).
PUBLIC_NOTE = Q(kind__in=[ReportEvent.Kind.NOTE, ReportEvent.Kind.STATUS]) & (
    Q(public=True) | ~Q(note_code="")
)


@dataclass
class PublicReport:
    number: str
    status: str
    close_reason: str
    category_code: str
    category_name: str
    category_group: str
    asset_type: str
    ledger_id: str
    label_code: str
    owner: str
    address: str
    town: str
    lat: float
    lon: float
    created_at: datetime.datetime
    updated_at: datetime.datetime
    ended_at: datetime.datetime | None
    me_too: int
    source: str
    description: str = ""
    status_notes: str = ""
    photo_urls: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in Report.OPEN_STATUSES


def reports_matching(
    *,
    numbers: list[str] | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    categories: list[str] | None = None,
    asset_types: list[str] | None = None,
    state: str = "",
    where=None,
) -> QuerySet[Report]:
    """Public reports, newest first, by number, time of report, category, asset type and
    state ("open": new, accepted, in progress; "closed": fixed or closed; "": both); of the
    city `where` names (a request or a city) when several are served."""
    qs = reports_public(where)
    if numbers is not None:
        qs = qs.filter(number__in=[number.upper() for number in numbers])
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lte=until)
    if categories:
        qs = qs.filter(category__code__in=categories)
    if asset_types:
        qs = qs.filter(asset__asset_type__code__in=asset_types)
    if state == "open":
        qs = qs.filter(status__in=Report.OPEN_STATUSES)
    elif state == "closed":
        qs = qs.exclude(status__in=Report.OPEN_STATUSES)
    return qs.order_by("-created_at", "-id")


def photo_url(token, here: city.City | None = None) -> str:
    """The public photo's address at the city `here` (config.city.City; the settings' city
    by default)."""
    return (here or city.current()).public_base_url + reverse("public-photo", args=[token, "photo"])


def _last_public_notes(ids: list[int], language: str) -> dict[int, str]:
    notes = (
        ReportEvent.objects.filter(PUBLIC_NOTE, report_id__in=ids)
        .order_by("report_id", "at", "id")
        .only("report_id", "note_code", "text", "public")
    )
    # The last one of each report wins.
    return {event.report_id: event.public_words(language) for event in notes}


def _public_photos(ids: list[int], here) -> dict[int, list[str]]:
    photos = defaultdict(list)
    rows = (
        Photo.objects.filter(report_id__in=ids, is_public=True, state=Photo.State.READY)
        .order_by("report_id", "position", "id")
        .values_list("report_id", "token")
    )
    for report_id, token in rows:
        photos[report_id].append(photo_url(token, here))
    return photos


def public_reports(
    qs: QuerySet[Report], *, language: str = "ja", here: city.City | None = None
) -> Iterator[PublicReport]:
    """The public face of each report of qs, in its order: three queries per thousand. Its
    photo addresses are those of the city `here` (the settings' city by default)."""
    qs = qs.select_related("category", "asset__asset_type", "owner")
    batch: list[Report] = []
    for report in qs.iterator(chunk_size=CHUNK):
        batch.append(report)
        if len(batch) == CHUNK:
            yield from _public_batch(batch, language, here)
            batch = []
    if batch:
        yield from _public_batch(batch, language, here)


def _public_batch(reports: list[Report], language: str, here) -> Iterable[PublicReport]:
    ids = [report.pk for report in reports]
    notes, photos = _last_public_notes(ids, language), _public_photos(ids, here)
    english = not language.startswith("ja")
    for report in reports:
        asset, owner = report.asset, report.owner
        yield PublicReport(
            number=report.number,
            status=report.status,
            close_reason=report.close_reason,
            category_code=report.category.code,
            category_name=report.category.name_in(language),
            category_group=report.category.get_group_display(),
            asset_type=asset.asset_type.code if asset else "",
            ledger_id=asset.ledger_id if asset else "",
            label_code=report.label_code,
            owner=(owner.name_en or owner.name) if english else owner.name,
            address=(asset.address if asset and asset.address else report.town),
            town=report.town,
            lat=round(report.location.y, 7),
            lon=round(report.location.x, 7),
            created_at=report.created_at,
            updated_at=report.updated_at,
            ended_at=report.ended_at,
            me_too=report.me_too_count,
            source=report.source,
            description=report.description if report.description_public else "",
            status_notes=notes.get(report.pk, ""),
            photo_urls=photos.get(report.pk, []),
        )


def feed_version(qs: QuerySet) -> tuple[datetime.datetime | None, str]:
    """(latest change, a tag) of a feed's rows, in one query: what its Last-Modified and
    ETag rest on. Count and highest id change when rows come or go, even unchanged ones."""
    row = qs.order_by().aggregate(latest=Max("updated_at"), count=Count("id"), top=Max("id"))
    latest = row["latest"]
    stamp = latest.timestamp() if latest else 0
    return latest, f"{stamp:.6f}-{row['count']}-{row['top'] or 0}"


@dataclass
class PublicEvent:
    event: ReportEvent
    number: str
    status: str  # the report's status just after the event
    close_reason: str


def public_events(
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    limit: int,
    offset: int = 0,
    where=None,
) -> list[PublicEvent]:
    """Public changes in a window, oldest first, with the report's status as it was then:
    status changes, public notes and hand-overs; never internal notes. Of the reports of
    the city `where` names (a request or a city) when several are served."""
    events = list(
        ReportEvent.objects.filter(PUBLIC_EVENT, at__gte=since, at__lte=until)
        .filter(report__in=reports_public(where))
        .select_related("report")
        .order_by("at", "id")[offset : offset + limit]
    )
    report_ids = {event.report_id for event in events}
    # Each report's status as it was at each event: its status changes up to the window's end.
    changes = defaultdict(list)
    for report_id, at, pk, to_value, reason in (
        ReportEvent.objects.filter(
            report_id__in=report_ids,
            kind__in=[ReportEvent.Kind.STATUS, ReportEvent.Kind.SUBMITTED],
            at__lte=until,
        )
        .order_by("at", "id")
        .values_list("report_id", "at", "id", "to_value", "reason")
    ):
        changes[report_id].append(((at, pk), to_value, reason))
    result = []
    for event in events:
        status, close_reason = Report.Status.NEW, ""
        for moment, to_value, reason in changes[event.report_id]:
            if moment > (event.at, event.pk):
                break
            status, close_reason = to_value or status, reason
        result.append(PublicEvent(event, event.report.number, status, close_reason))
    return result


# --- Feeds ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "number",
    "status",
    "close_reason",
    "category",
    "category_name",
    "category_group",
    "asset_type",
    "ledger_id",
    "label_code",
    "owner",
    "address",
    "town",
    "lat",
    "lon",
    "created_at",
    "updated_at",
    "ended_at",
    "me_too",
    "source",
    "description",
    "status_notes",
    "photo_urls",
    "license",
)


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _row(report: PublicReport, licence: str) -> dict:
    return {
        "number": report.number,
        "status": report.status,
        "close_reason": report.close_reason,
        "category": report.category_code,
        "category_name": report.category_name,
        "category_group": report.category_group,
        "asset_type": report.asset_type,
        "ledger_id": report.ledger_id,
        "label_code": report.label_code,
        "owner": report.owner,
        "address": report.address,
        "town": report.town,
        "lat": report.lat,
        "lon": report.lon,
        "created_at": _local(report.created_at),
        "updated_at": _local(report.updated_at),
        "ended_at": _local(report.ended_at),
        "me_too": report.me_too,
        "source": report.source,
        "description": report.description,
        "status_notes": report.status_notes,
        "photo_urls": report.photo_urls,
        "license": licence,
    }


def feed_csv_rows(
    qs: QuerySet[Report], *, language: str = "ja", here: city.City | None = None
) -> Iterator[list]:
    """The header, then one row per report, with the licence and photo addresses of the
    city `here` (the settings' by default). Free text is made harmless for spreadsheets."""
    here = here or city.current()
    yield list(CSV_COLUMNS)
    for report in public_reports(qs, language=language, here=here):
        row = _row(report, here.open_data_license)
        row["photo_urls"] = " ".join(row["photo_urls"])
        yield [spreadsheet_safe(row[column]) for column in CSV_COLUMNS]


def feed_geojson_chunks(
    qs: QuerySet[Report], *, language: str = "ja", here: city.City | None = None
) -> Iterator[bytes]:
    """A FeatureCollection of public reports, streamed feature by feature, with the licence
    and photo addresses of the city `here` (the settings' by default)."""
    here = here or city.current()
    licence = here.open_data_license
    features = (
        orjson.dumps(
            {
                "type": "Feature",
                "id": report.number,
                "geometry": {"type": "Point", "coordinates": [report.lon, report.lat]},
                "properties": {
                    k: v for k, v in _row(report, licence).items() if k not in ("lat", "lon")
                },
            }
        ).decode()
        for report in public_reports(qs, language=language, here=here)
    )
    return collection_chunks(features, license=licence)


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula (=, +, -, @) is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
