"""Serializers: the asset-type catalogue, and the documented shape of asset GeoJSON.

Asset features are written by the database (assets/geojson.py); the serializers below
describe them for /api/schema/, and a test checks real responses against that schema.
"""

from rest_framework import serializers

from assets.models import AssetType, FaultCategory


class ConditionSerializer(serializers.Serializer):
    grade = serializers.CharField(
        allow_blank=True, help_text="Grade on the type's scale; '' if never inspected."
    )
    last_inspected = serializers.DateField(allow_null=True)
    next_due = serializers.DateField(allow_null=True)


class AssetPropertiesSerializer(serializers.Serializer):
    ledger_id = serializers.CharField(
        allow_null=True, help_text="The city's own asset number (台帳番号)."
    )
    name = serializers.CharField(allow_blank=True)
    type = serializers.CharField(help_text="Asset type code, see /api/v1/asset-types/.")
    owner = serializers.IntegerField(help_text="Owner organisation id.")
    owner_name = serializers.CharField()
    parent = serializers.IntegerField(
        allow_null=True, help_text="Id of the asset this one is part of."
    )
    address = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["in_service", "retired"])
    criticality = serializers.IntegerField(min_value=1, max_value=5)
    install_date = serializers.DateField(allow_null=True)
    condition = ConditionSerializer()
    attributes = serializers.DictField(
        help_text="Public attributes, per the type's attribute schema."
    )
    internal_attributes = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="Only for staff of the owning organisation; absent for everyone else.",
    )
    distance_m = serializers.FloatField(
        required=False, help_text="Metres from `point`, when given."
    )


class GeometrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]
    )
    coordinates = serializers.ListField(child=serializers.JSONField(), help_text="lon, lat (WGS84)")


class AssetFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField()
    geometry = GeometrySerializer()
    properties = AssetPropertiesSerializer()


class LinkSerializer(serializers.Serializer):
    rel = serializers.ChoiceField(choices=["self", "next", "prev"])
    href = serializers.URLField()


class AssetCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    numberReturned = serializers.IntegerField()
    links = LinkSerializer(many=True)
    features = AssetFeatureSerializer(many=True)


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
            "response_hours",
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
