"""The managers' queue as CSV and GeoJSON: whatever the current filter shows, streamed.

Exports are for the organisation's own work (a contractor's list, a GIS layer); they carry
no contact details, which never leave the report page. GeoJSON features are written by the
database (assets/geojson.py); Python only joins them.
"""

from collections.abc import Iterator

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import Organization
from assets import csvfiles
from assets.geojson import AsJSON, JSONBuild, collection_chunks
from assets.models import AssetType, FaultCategory
from config import city
from reports.opendata import spreadsheet_safe

COLUMNS = [
    "number",
    "status",
    "priority",
    "category",
    "category_name",
    "asset_type",
    "ledger_id",
    "owner",
    "assignee",
    "work_due_on",
    "respond_by",
    "created_at",
    "source",
    "me_too",
    "town",
    "address",
    "latitude",
    "longitude",
    "photo_far_from_asset",
    "description",
    "url",
]


def _names() -> tuple[dict, dict, dict]:
    """Display names by id, in the active language: a few dozen rows, read once."""
    categories = {c.pk: (c.code, c.name) for c in FaultCategory.objects.all()}
    types = {t.pk: t.code for t in AssetType.objects.all()}
    organisations = {o.pk: str(o) for o in Organization.objects.all()}
    return categories, types, organisations


def _text(value) -> str:
    """Neutralise spreadsheet formulas in free text typed by residents (CSV injection)."""
    return spreadsheet_safe("" if value is None else str(value))


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def csv_chunks(qs: QuerySet) -> Iterator[str]:
    """The queue as CSV (UTF-8 with BOM, so Excel in Japan opens it right), row by row."""
    return csvfiles.csv_chunks(_csv_rows(qs), bom=True, rows_per_chunk=200)


def _csv_rows(qs: QuerySet) -> Iterator[list]:
    categories, types, organisations = _names()
    base = city.current().public_base_url
    yield COLUMNS
    rows = qs.values_list(
        "number",
        "status",
        "score",
        "category_id",
        "asset__asset_type_id",
        "asset__ledger_id",
        "owner_id",
        "assignee_id",
        "work_due_on",
        "respond_by",
        "created_at",
        "source",
        "me_too_count",
        "town",
        "address_text",
        "location",
        "photo_far_from_asset",
        "description",
    )
    for row in rows.iterator(chunk_size=2000):
        (
            number,
            status,
            score,
            category_id,
            type_id,
            ledger_id,
            owner_id,
            assignee_id,
            due,
            respond_by,
            created_at,
            source,
            me_too,
            town,
            address,
            point,
            far,
            description,
        ) = row
        code, name = categories.get(category_id, ("", ""))
        yield [
            number, status, score, code, name, types.get(type_id, ""), ledger_id or "",
            organisations.get(owner_id, ""), organisations.get(assignee_id, ""),
            due.isoformat() if due else "",
            _local(respond_by), _local(created_at), source, me_too, _text(town),
            _text(address), f"{point.y:.6f}" if point else "", f"{point.x:.6f}" if point else "",
            "yes" if far else "", _text(description), f"{base}/manage/reports/{number}/",
        ]  # fmt: skip


def feature_expression():
    base = city.current().public_base_url
    return Cast(
        JSONBuild(
            type=Value("Feature"),
            id=F("number"),
            geometry=AsJSON(AsGeoJSON("location", precision=6)),
            properties=JSONBuild(
                number=F("number"),
                status=F("status"),
                priority=F("score"),
                category=F("category__code"),
                asset_type=F("asset__asset_type__code"),
                ledger_id=F("asset__ledger_id"),
                owner=F("owner__code"),
                assignee=F("assignee__code"),
                work_due_on=F("work_due_on"),
                respond_by=F("respond_by"),
                created_at=F("created_at"),
                source=F("source"),
                me_too=F("me_too_count"),
                town=F("town"),
                address=F("address_text"),
                photo_far_from_asset=F("photo_far_from_asset"),
                url=Concat(
                    Value(f"{base}/manage/reports/"),
                    F("number"),
                    Value("/"),
                    output_field=TextField(),
                ),
            ),
        ),
        output_field=TextField(),
    )


def geojson_chunks(qs: QuerySet, *, limit: int | None = None) -> Iterator[bytes]:
    features = qs.annotate(_feature=feature_expression()).values_list("_feature", flat=True)
    if limit is not None:
        features = features[:limit]
    return collection_chunks(features.iterator(chunk_size=2000))
