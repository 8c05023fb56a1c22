"""Serializers: the asset-type catalogue, one asset as GeoJSON, and the documented shape of
asset lists.

One asset is a Feature written by drf-gis (`AssetFeatureSerializer`); lists of assets are
written by the database in the very same shape (assets/geojson.py, 25x faster), and the
schema describes both with that one serializer. A test checks real responses against it.
"""

from drf_spectacular.contrib.rest_framework_gis import GeoFeatureModelSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from api.pagination import LINKS_SCHEMA
from assets.geojson import GEOMETRY_PRECISION
from assets.models import Asset, AssetType, FaultCategory

GEOMETRY_SCHEMA = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {
            "type": "string",
            "enum": ["Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"],
        },
        "coordinates": {
            "type": "array",
            "description": "GeoJSON positions: lon, lat (WGS84), 7 decimals",
            "items": {},
        },
    },
    "example": {"type": "Point", "coordinates": [132.755, 35.367]},
}


class ConditionSerializer(serializers.Serializer):
    grade = serializers.CharField(
        source="condition_grade",
        allow_blank=True,
        help_text="Grade on the type's scale; '' if never inspected.",
    )
    last_inspected = serializers.DateField(source="last_inspected_on", allow_null=True)
    next_due = serializers.DateField(source="next_inspection_due", allow_null=True)


class AssetFeatureSerializer(GeoFeatureModelSerializer):
    """An asset as a GeoJSON Feature; `properties` hold the public fields."""

    geom = GeometryField(precision=GEOMETRY_PRECISION)
    ledger_id = serializers.CharField(
        allow_null=True, help_text="The city's own asset number (台帳番号)."
    )
    name = serializers.CharField(allow_blank=True)
    type = serializers.CharField(
        source="asset_type.code", help_text="Asset type code, see /api/v1/asset-types/."
    )
    owner = serializers.IntegerField(source="owner_id", help_text="Owner organisation id.")
    owner_name = serializers.CharField(source="owner.name")
    parent = serializers.IntegerField(
        source="parent_id", allow_null=True, help_text="Id of the asset this one is part of."
    )
    status = serializers.ChoiceField(choices=Asset.Status.values)
    condition = ConditionSerializer(source="*")
    attributes = serializers.DictField(
        help_text="Public attributes, per the type's attribute schema."
    )
    internal_attributes = serializers.SerializerMethodField(
        help_text="Only for staff of the owning organisation: null for other staff, absent "
        "for everyone else."
    )
    distance_m = serializers.FloatField(
        required=False, help_text="Metres from `point`, in lists asked with `point`."
    )

    class Meta:
        model = Asset
        geo_field = "geom"
        id_field = "id"
        fields = [
            "id", "geom", "ledger_id", "name", "type", "owner", "owner_name", "parent",
            "address", "status", "criticality", "install_date", "condition", "attributes",
            "internal_attributes", "distance_m",
        ]  # fmt: skip

    def get_fields(self):
        fields = super().get_fields()
        if "internal_owner_ids" in self.context:  # writing one asset, not describing the shape
            fields.pop("distance_m")
            if self.context["internal_owner_ids"] is None:
                fields.pop("internal_attributes")
        return fields

    @extend_schema_field({"type": ["object", "null"]})
    def get_internal_attributes(self, obj) -> dict | None:
        # The same rule as the database-built features (assets/geojson.py).
        owners = self.context["internal_owner_ids"]
        return obj.internal_attributes if owners == "all" or obj.owner_id in owners else None


class AssetFeatureExtension(GeoFeatureModelSerializerExtension):
    """drf-spectacular's drf-gis schema, with every geometry kind an asset may have (the
    contrib knows Point, LineString and Polygon only) and lon/lat examples."""

    target_class = "api.serializers.AssetFeatureSerializer"
    match_subclasses = False
    priority = 1

    def map_serializer(self, auto_schema, direction):
        schema = super().map_serializer(auto_schema, direction)
        schema["properties"]["geometry"] = GEOMETRY_SCHEMA
        schema["required"] = ["type", "id", "geometry", "properties"]
        properties = schema["properties"]["properties"]
        optional = {"internal_attributes", "distance_m"}
        properties["required"] = [name for name in properties["properties"] if name not in optional]
        return schema


@extend_schema_field(LINKS_SCHEMA)
class LinksField(serializers.JSONField):
    pass


class AssetCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    numberReturned = serializers.IntegerField()
    links = LinksField()
    features = serializers.ListField(child=AssetFeatureSerializer())


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable machine-readable error code.")
    errors = serializers.DictField(required=False, help_text="Per-field messages.")


class FaultCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = FaultCategory
        fields = [
            "code",
            "group",
            "name",
            "name_ja",
            "name_en",
            "names",
            "severity",
            "danger",
            "response_hours",
            "response_business_days",
            "questions",
        ]


class AssetTypeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    scale = serializers.SerializerMethodField()
    attribute_schema = serializers.SerializerMethodField()
    categories = FaultCategorySerializer(many=True, read_only=True)
    parent_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AssetType
        fields = [
            "code",
            "name",
            "name_ja",
            "name_en",
            "names",
            "geometry_kind",
            "parent_type",
            "inspection_cycle_months",
            "default_criticality",
            "scale",
            "attribute_schema",
            "categories",
        ]

    def get_scale(self, obj) -> dict:
        return obj.grading_scale.as_dict()

    def get_attribute_schema(self, obj) -> list[dict]:
        # Internal attributes exist for staff only; the public does not learn their names.
        if self.context.get("staff"):
            return obj.attribute_schema
        return [spec for spec in obj.attribute_schema if not spec.get("internal")]
