"""GeoJSON features of assets, built by the database.

Serialising in Python (DRF's GeoFeatureModelSerializer) costs 25x the query itself: each
geometry is converted to GeoJSON, parsed and dumped again, and model instances are built for
nothing. Here the database writes each feature's JSON text and Python only joins them, so a
page of 1,000 features costs little more than the query (ENVIRONMENT.md, "Measured here").
"""

from collections.abc import Iterable, Iterator

import orjson
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Case, F, Func, JSONField, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Round

GEOMETRY_PRECISION = 7  # decimal places of a degree: about 1 cm


class JSONBuild(Func):
    """A JSON object from key/value pairs: json_build_object / json_object."""

    output_field = JSONField()

    def __init__(self, **fields):
        expressions = []
        for key, value in fields.items():
            expressions.extend((Value(key), value))
        super().__init__(*expressions)

    def as_postgresql(self, compiler, connection, **extra):
        # json, not jsonb: no binary round trip, and keys keep the order given here.
        return self.as_sql(compiler, connection, function="json_build_object", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="json_object", **extra)


class AsJSON(Func):
    """Embed JSON held as text (or jsonb) as a JSON value, not as a string."""

    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)::json", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="json", **extra)


def feature_expression(*, internal_owner_ids=None, with_distance=False, with_seq=False):
    """The expression of one asset as a GeoJSON Feature (text).

    internal_owner_ids: None leaves internal attributes out entirely; "all" includes them
    for every row; a set includes them for assets of those owners (null for the others).
    """
    properties = {
        "ledger_id": F("ledger_id"),
        "name": F("name"),
        "type": F("asset_type__code"),
        "owner": F("owner_id"),
        "owner_name": F("owner__name"),
        "parent": F("parent_id"),
        "address": F("address"),
        "status": F("status"),
        "criticality": F("criticality"),
        "install_date": F("install_date"),
        "condition": JSONBuild(
            grade=F("condition_grade"),
            last_inspected=F("last_inspected_on"),
            next_due=F("next_inspection_due"),
        ),
        "attributes": AsJSON("attributes"),
    }
    if internal_owner_ids == "all":
        properties["internal_attributes"] = AsJSON("internal_attributes")
    elif internal_owner_ids is not None:
        properties["internal_attributes"] = Case(
            When(owner_id__in=list(internal_owner_ids), then=AsJSON("internal_attributes")),
            default=None,
            output_field=JSONField(),
        )
    if with_distance:
        properties["distance_m"] = Round(F("distance"), 1)
    if with_seq:  # for tablets: where their next "changes since" starts
        properties["change_seq"] = F("change_seq")
    feature = JSONBuild(
        type=Value("Feature"),
        id=F("id"),
        geometry=AsJSON(AsGeoJSON("geom", precision=GEOMETRY_PRECISION)),
        properties=JSONBuild(**properties),
    )
    return Cast(feature, output_field=TextField())


def feature_texts(qs: QuerySet, **options) -> QuerySet:
    """A values_list of each asset's Feature as JSON text, in the queryset's order."""
    return qs.annotate(_feature=feature_expression(**options)).values_list("_feature", flat=True)


def collection_chunks(features: Iterable[str], **members) -> Iterator[bytes]:
    """The same FeatureCollection as chunks, for exports too large to hold in memory."""
    head = orjson.dumps({"type": "FeatureCollection", **members}).decode()[:-1]
    yield f'{head},"features":['.encode()
    first = True
    for feature in features:
        yield (feature if first else "," + feature).encode()
        first = False
    yield b"]}"


def collection_bytes(features: Iterable[str], **members) -> bytes:
    """A whole FeatureCollection around features that are already JSON text."""
    return b"".join(collection_chunks(features, **members))
