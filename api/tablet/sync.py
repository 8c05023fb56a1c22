"""The tablets' batch sync of inspections recorded offline, and the documented shape of a
record (inspections/payload.py reads the same shape, fast)."""

import datetime
import re

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from prometheus_client import Counter, Histogram
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsCityStaff
from api.serializers import ErrorSerializer
from api.tablet import examples
from api.tablet.auth import request_device, require_field_role
from assets import changes
from inspections import sync
from inspections.models import Inspection

_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")

SYNC_RECORDS = Counter(
    "machimori_sync_records",
    "Inspection records received from tablets, by result.",
    ["status"],
)
SYNC_BATCH_SIZE = Histogram(
    "machimori_sync_batch_records",
    "Records per tablet sync batch.",
    buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000),
)


class DeviceDateTimeField(serializers.DateTimeField):
    """A device's clock reading: it must say its time zone."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not _OFFSET.search(value.strip()):
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ss+09:00 (with a time zone)")
        return super().to_internal_value(value)


class GpsSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="latitude (WGS84)")
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="longitude (WGS84)")
    accuracy = serializers.FloatField(
        min_value=0, required=False, allow_null=True, help_text="metres, as the tablet says"
    )


class DefectSerializer(serializers.Serializer):
    component = serializers.CharField(
        max_length=100,
        allow_blank=True,
        default="",
        help_text="the part of the asset, in the inspector's words (支柱基部, チェーン・吊り金具)",
    )
    kind = serializers.SlugField(
        max_length=60,
        help_text="a fault category of the asset's type (work pack: asset_types[].fault_kinds"
        "[].code)",
    )
    grade = serializers.CharField(
        max_length=8,
        help_text="the defect's grade on the asset type's scale; one that calls for action "
        "raises a fault in the repair queue",
    )
    measurement = serializers.FloatField(
        required=False, allow_null=True, help_text="e.g. a crack's width, a pothole's depth"
    )
    unit = serializers.CharField(
        max_length=20, allow_blank=True, default="", help_text="of the measurement: mm, %, °"
    )
    notes = serializers.CharField(max_length=2000, allow_blank=True, default="")


ANSWERS_HELP = """\
The checklist's answers: an object keyed by item `key`, from the checklist version named in
`template_version` (work pack: `asset_types[].checklist.items`). The value depends on the
item's `kind`:

- `ok_defect`: `"ok"`, `"defect"` or `"n/a"`;
- `number`: a number within the item's `min`..`max`, in its `unit` (`"tilt": 1.5`);
- `choice`: one of the item's `choices` (`"paint": "rusting"`);
- `text`: a string of at most 1,000 characters.

Items left out are unanswered. Answers need `template_version`; an unknown key or a value
that does not fit its item makes the record `invalid`, with `errors.answers.<key>`."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": ["string", "number"]},
        "example": {"lamp": "ok", "pole_base": "defect", "tilt": 1.5, "plate_loss": 22},
    }
)
class AnswersField(serializers.DictField):
    pass


class InspectionInSerializer(serializers.Serializer):
    """One inspection as a tablet recorded it offline."""

    uuid = serializers.UUIDField(
        help_text="Made by the tablet when it records the inspection. Sending the same record "
        "again is safe (`duplicate`); the same uuid with other content is held (`conflict`)."
    )
    asset = serializers.IntegerField(
        min_value=1, help_text="the asset's id (its feature's `id` in the work pack)"
    )
    kind = serializers.ChoiceField(
        choices=Inspection.Kind.choices,
        help_text="routine patrol, periodic inspection, follow-up after a repair (with "
        "`report`: a sound grade marks the report fixed), or a visit after a report",
    )
    performed_at = DeviceDateTimeField(
        help_text="when, by the tablet's clock, with its time zone "
        "(2026-11-20T10:12:00+09:00); at most a day ahead of the server"
    )
    gps = GpsSerializer(
        required=False, allow_null=True, help_text="where the inspector stood (optional)"
    )
    overall_grade = serializers.CharField(
        max_length=8,
        help_text="the asset's grade on its type's scale (work pack: asset_types[].scale): "
        "mlit I, II, III, IV; park A, B, C, D; pavement I, II, III-1, III-2. A grade that "
        "calls for action raises a fault.",
    )
    template_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="the checklist version the answers follow (work pack: "
        "asset_types[].checklist.version); needed with answers",
    )
    answers = AnswersField(required=False, default=dict, help_text=ANSWERS_HELP)
    notes = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
    defects = DefectSerializer(
        many=True,
        required=False,
        default=list,
        max_length=50,
        help_text="what was found, each graded; photos are added after the sync, by position",
    )
    supersedes = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Corrects the inspection with this uuid (same asset). Synced inspections "
        "never change: the correction is a new record, the corrected one stays in the "
        "history marked superseded. Each inspection is corrected at most once.",
    )
    report = serializers.CharField(
        max_length=20,
        required=False,
        allow_null=True,
        help_text="number of a report on this asset that this visit answers (R-2026-000123)",
    )
    assignment = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="id of your assignment this inspection belongs to (ignored if not yours)",
    )
    pack_cursor = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="the `cursor` of the work pack or changes the tablet worked from: a record "
        "on an asset that changed owner since then is held for a manager, not refused",
    )

    def validate_performed_at(self, value):
        if value > timezone.now() + datetime.timedelta(days=1):
            raise serializers.ValidationError("is in the future: check the tablet's clock.")
        return value


class SyncInSerializer(serializers.Serializer):
    inspections = serializers.ListField(child=serializers.JSONField(), max_length=1000)


class SyncRequestSerializer(serializers.Serializer):
    """The documented shape of a sync batch (SyncInSerializer reads it, leniently: each
    record gets its own result)."""

    inspections = InspectionInSerializer(many=True, max_length=1000)


class SyncResultSerializer(serializers.Serializer):
    uuid = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "duplicate", "conflict", "invalid"])
    inspection = serializers.IntegerField(
        required=False, help_text="created or duplicate: the inspection's id"
    )
    quarantine = serializers.IntegerField(
        required=False, help_text="conflict: the held record a manager will decide on"
    )
    code = serializers.CharField(
        required=False,
        help_text="conflict: changed_content, owner_changed or asset_retired; invalid: "
        "invalid, unknown_asset, …",
    )
    errors = serializers.DictField(
        required=False, help_text="invalid: messages per field (`defects.0.kind`, `answers`)"
    )


class SyncResponseSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True, help_text="one per record, in the order sent")
    cursor = serializers.IntegerField(help_text="the change cursor after this sync")


class SyncApi(APIView):
    """Send inspections recorded offline, up to 1,000 at a time. Each gets its own result:
    created, duplicate (sent before; nothing changes), conflict (kept in quarantine for a
    manager) or invalid (with field errors). Resending a batch is always safe.

    Each record is graded on its asset type's scale and answers its type's checklist (both
    in the work pack); defects graded for action raise faults in the repair queue. Photos
    follow, per inspection: POST /api/v1/inspections/{uuid}/photos/."""

    permission_classes = [IsCityStaff]
    parser_classes = [JSONParser]

    @extend_schema(
        request=SyncRequestSerializer,
        responses={200: SyncResponseSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        examples=[*examples.SYNC_REQUESTS, examples.SYNC_RESPONSE],
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
        SYNC_BATCH_SIZE.observe(len(results))
        for result in results:
            SYNC_RECORDS.labels(result.status).inc()
        return Response(
            {"results": [r.as_dict() for r in results], "cursor": changes.current_cursor()}
        )
