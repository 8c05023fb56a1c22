"""The tablets' batch sync of inspections recorded offline, and the documented shape of a
record (inspections/payload.py reads the same shape, fast)."""

import datetime
import re

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsCityStaff
from api.serializers import ErrorSerializer
from api.tablet.auth import request_device, require_field_role
from assets import changes
from inspections import sync
from inspections.models import Inspection

_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


class DeviceDateTimeField(serializers.DateTimeField):
    """A device's clock reading: it must say its time zone."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not _OFFSET.search(value.strip()):
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ss+09:00 (with a time zone)")
        return super().to_internal_value(value)


class GpsSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(min_value=0, required=False, allow_null=True)


class DefectSerializer(serializers.Serializer):
    component = serializers.CharField(max_length=100, allow_blank=True, default="")
    kind = serializers.SlugField(max_length=60, help_text="a fault category code of the type")
    grade = serializers.CharField(max_length=8)
    measurement = serializers.FloatField(required=False, allow_null=True)
    unit = serializers.CharField(max_length=20, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, allow_blank=True, default="")


class InspectionInSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="made by the tablet; resending it is safe")
    asset = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=Inspection.Kind.choices)
    performed_at = DeviceDateTimeField()
    gps = GpsSerializer(required=False, allow_null=True)
    overall_grade = serializers.CharField(max_length=8)
    template_version = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    answers = serializers.DictField(required=False, default=dict)
    notes = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
    defects = DefectSerializer(many=True, required=False, default=list, max_length=50)
    supersedes = serializers.UUIDField(required=False, allow_null=True)
    report = serializers.CharField(max_length=20, required=False, allow_null=True)
    assignment = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    pack_cursor = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    def validate_performed_at(self, value):
        if value > timezone.now() + datetime.timedelta(days=1):
            raise serializers.ValidationError("is in the future: check the tablet's clock.")
        return value


class SyncInSerializer(serializers.Serializer):
    inspections = serializers.ListField(child=serializers.JSONField(), max_length=1000)


class SyncResultSerializer(serializers.Serializer):
    uuid = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "duplicate", "conflict", "invalid"])
    inspection = serializers.IntegerField(required=False)
    quarantine = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)


class SyncApi(APIView):
    """Send inspections recorded offline. Each gets its own result: created, duplicate (sent
    before; nothing changes), conflict (kept in quarantine for a manager) or invalid (with
    field errors). Resending a batch is always safe."""

    permission_classes = [IsCityStaff]
    parser_classes = [JSONParser]

    @extend_schema(
        request=inline_serializer("SyncIn", {"inspections": InspectionInSerializer(many=True)}),
        responses={
            200: inline_serializer(
                "SyncOut",
                {"results": SyncResultSerializer(many=True), "cursor": serializers.IntegerField()},
            ),
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def post(self, request):
        require_field_role(request.user)
        batch = SyncInSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        results = sync.sync_received(
            records=batch.validated_data["inspections"],
            inspector=request.user,
            device=request_device(request),
        )
        return Response(
            {"results": [r.as_dict() for r in results], "cursor": changes.current_cursor()}
        )
