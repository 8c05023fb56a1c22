"""Open-data exports of assets: GeoJSON and CSV, public fields only, streamed."""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Func, QuerySet, TextField, Value

from assets.geojson import GEOMETRY_PRECISION, collection_chunks, feature_texts
from assets.ledger.problems import UsageError
from assets.models import Asset, AssetType
from assets.selectors import assets_of_types_and_owners
from config import city

EXPORT_STATUSES = ("in_service", "retired", "all")
CSV_COLUMNS = (
    "id",
    "ledger_id",
    "type",
    "type_name_ja",
    "type_name_en",
    "name",
    "owner",
    "owner_name",
    "address",
    "status",
    "criticality",
    "install_date",
    "condition_grade",
    "last_inspected",
    "next_due",
    "lon",
    "lat",
    "wkt",
)
EXPORT_CHUNK = 2000


class _RoundedWKT(Func):
    """WKT with as many decimals as the GeoJSON export (7, about 1 cm), not float noise."""

    output_field = TextField()

    def __init__(self, expression, precision: int = GEOMETRY_PRECISION):
        super().__init__(expression, Value(precision))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="ST_AsText", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="AsWKT", **extra)


def export_queryset(
    *, type_codes: Iterable[str] = (), owner_codes: Iterable[str] = (), status: str = "in_service"
) -> QuerySet[Asset]:
    """Assets to publish; an owner includes the organisations under it."""
    qs = assets_of_types_and_owners(
        Asset.objects.all(), type_codes=type_codes, owner_codes=owner_codes
    )
    if status not in EXPORT_STATUSES:
        raise UsageError(f"unknown status {status!r}", code="unknown_status")
    if status != "all":
        qs = qs.filter(status=status)
    return qs.order_by("id")


def export_geojson_chunks(qs: QuerySet[Asset], here: city.City | None = None) -> Iterator[bytes]:
    """A FeatureCollection of public data, streamed: the database writes each feature; with
    the licence of the city `here` (the settings' by default)."""
    features = feature_texts(qs).iterator(chunk_size=EXPORT_CHUNK)
    return collection_chunks(features, license=(here or city.current()).open_data_license)


def _public_keys(qs: QuerySet[Asset]) -> list[str]:
    type_ids = set(qs.order_by().values_list("asset_type_id", flat=True).distinct())
    keys: dict[str, None] = {}
    for asset_type in AssetType.objects.filter(pk__in=type_ids).order_by("sort_order", "code"):
        keys.update(
            {spec["key"]: None for spec in asset_type.attribute_schema if not spec.get("internal")}
        )
    return list(keys)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def export_csv_rows(qs: QuerySet[Asset], here: city.City | None = None) -> Iterator[list[Any]]:
    """The header, then one row per asset; only public attributes, never internal ones; with
    the licence of the city `here` (the settings' by default)."""
    keys = _public_keys(qs)
    license_name = (here or city.current()).open_data_license
    yield [*CSV_COLUMNS, *(f"attr.{key}" for key in keys), "license"]
    rows = qs.annotate(_point=PointOnSurface("geom"), _wkt=_RoundedWKT("geom")).values_list(
        "id",
        "ledger_id",
        "asset_type__code",
        "asset_type__name_ja",
        "asset_type__name_en",
        "name",
        "owner__code",
        "owner__name",
        "address",
        "status",
        "criticality",
        "install_date",
        "condition_grade",
        "last_inspected_on",
        "next_inspection_due",
        "_point",
        "_wkt",
        "attributes",
    )
    for *head, point, wkt, attributes in rows.iterator(chunk_size=EXPORT_CHUNK):
        lon = f"{point.x:.7f}" if point is not None else ""
        lat = f"{point.y:.7f}" if point is not None else ""
        attributes = attributes or {}
        yield [
            *(_cell(v) for v in head),
            lon,
            lat,
            wkt or "",
            *(_cell(attributes.get(key)) for key in keys),
            license_name,
        ]
