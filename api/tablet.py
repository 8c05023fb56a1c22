"""The tablets' API: sign-in per device, assignments, work packs, changes, batch sync,
photos and condition history. Thin: each view checks input and calls one service or
selector."""

import base64
import csv
import datetime
import hashlib
import itertools
import re

import orjson
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.files.storage import storages
from django.core.files.storage.filesystem import FileSystemStorage
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import guard, policy
from accounts.models import DeviceToken
from api.exceptions import ApiError
from api.permissions import IsCityStaff
from api.serializers import ErrorSerializer
from api.views import internal_option
from assets import changes, geo, geojson
from inspections import payload, selectors, services
from inspections.models import Assignment, Inspection, InspectionPhoto
from reports.photos import PhotoError

UPLOAD_PREFIX = "uploads/inspections"


def _device(request):
    return request.auth if isinstance(request.auth, DeviceToken) else None


def _require_field_role(user) -> None:
    if not selectors.may_record_inspections(user):
        raise ApiError(
            "Only inspectors, section staff and managers record inspections.", code="forbidden"
        )


# --- Sign-in ----------------------------------------------------------------------------------


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, style={"input_type": "password"})
    device = serializers.CharField(max_length=100, help_text="e.g. 点検タブレット 3")


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeviceToken
        fields = ["id", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]


class SignInApi(APIView):
    """Sign a device in: a token for `Authorization: Token …`, shown only this once."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=SignInSerializer,
        responses={
            201: inline_serializer(
                "IssuedToken", {"token": serializers.CharField(), "device": TokenSerializer()}
            ),
            400: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request):
        data = SignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Django's request: the sign-in guard and axes read and flag it.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None and guard.refused(request):
            raise ApiError(
                "Too many failed sign-ins; wait a few minutes.", code="throttled", status_code=429
            )
        if user is None or not policy.is_staff(user):
            raise ApiError("Wrong username or password.", code="bad_credentials")
        token, text = DeviceToken.issue(
            user=user,
            name=data.validated_data["device"],
            lifetime=datetime.timedelta(days=settings.DEVICE_TOKEN_DAYS),
        )
        return Response(
            {"token": text, "device": TokenSerializer(token).data}, status=status.HTTP_201_CREATED
        )


class DeviceListApi(APIView):
    """My signed-in devices."""

    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: TokenSerializer(many=True)})
    def get(self, request):
        tokens = DeviceToken.objects.filter(user=request.user)
        return Response(TokenSerializer(tokens, many=True).data)


class DeviceRevokeApi(APIView):
    """Sign a device out (one of mine)."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses={204: None, 404: ErrorSerializer})
    def delete(self, request, pk: int):
        updated = DeviceToken.objects.filter(
            pk=pk, user=request.user, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not updated:
            raise ApiError("No such device.", code="not_found")
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutApi(APIView):
    """Revoke the token this request was made with."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        device = _device(request)
        if device is not None:
            DeviceToken.objects.filter(pk=device.pk).update(revoked_at=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Assignments, work packs, changes ---------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    assets = serializers.SerializerMethodField()
    inspector = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "title", "due_date", "status", "inspector", "assets", "change_seq"]

    def get_assets(self, obj) -> list[int]:
        return [stop.asset_id for stop in obj.stops.all()]


class AssignmentListApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: AssignmentSerializer(many=True)})
    def get(self, request):
        assignments = selectors.assignments_for_user(request.user).prefetch_related("stops")
        return Response(AssignmentSerializer(assignments, many=True).data)


def _type_payload(asset_type, checklist) -> dict:
    return {
        "code": asset_type.code,
        "name_ja": asset_type.name_ja,
        "name_en": asset_type.name_en,
        "geometry_kind": asset_type.geometry_kind,
        "inspection_cycle_months": asset_type.inspection_cycle_months,
        "scale": asset_type.grading_scale.as_dict(),
        "checklist": {
            "version": checklist.version,
            "items": checklist.items,
            "change_seq": checklist.change_seq,
        }
        if checklist
        else None,
        "fault_kinds": [
            {"code": c.code, "name_ja": c.name_ja, "name_en": c.name_en}
            for c in asset_type.categories.all()
        ],
    }


def _features(user, assets) -> list:
    texts = geojson.feature_texts(
        assets.order_by("id"), internal_owner_ids=internal_option(user), with_seq=True
    )
    return [orjson.loads(text) for text in texts]


def _pack_scope(request) -> tuple[Assignment | None, tuple | None]:
    assignment, bbox = None, None
    if request.query_params.get("assignment"):
        value = request.query_params["assignment"]
        assignment = (
            selectors.assignments_for_user(request.user).filter(pk=value).first()
            if value.isdigit()
            else None
        )
        if assignment is None:
            raise ApiError("No such assignment of yours.", code="not_found")
    elif request.query_params.get("bbox"):
        bbox = geo.parse_bbox(request.query_params["bbox"])
    else:
        raise ApiError("Give an assignment or a bbox.", code="invalid")
    return assignment, bbox


MAX_PACK_ASSETS = 5000


class WorkPackApi(APIView):
    """Everything a tablet needs offline for an assignment or a box: the assets with their
    last condition, their types, checklists and scales. `ETag`/`If-None-Match` answers 304
    when nothing changed; `cursor` is where GET /changes/ starts."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("assignment", OpenApiTypes.INT),
            OpenApiParameter("bbox", OpenApiTypes.STR),
        ],
        responses={200: OpenApiTypes.OBJECT, 304: None, 400: ErrorSerializer},
    )
    def get(self, request):
        assignment, bbox = _pack_scope(request)
        assets = selectors.pack_assets(request.user, assignment=assignment, bbox=bbox)
        assignments = selectors.assignments_for_user(request.user).filter(status="open")
        cursor = changes.current_cursor()
        fingerprint = selectors.pack_fingerprint(assets, assignments)
        etag = (
            '"'
            + hashlib.sha256(
                repr((request.user.pk, request.get_full_path(), fingerprint)).encode()
            ).hexdigest()[:32]
            + '"'
        )
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponse(status=304)
            response["ETag"] = etag
            return response
        if fingerprint[2] > MAX_PACK_ASSETS:
            raise ApiError(
                f"More than {MAX_PACK_ASSETS} assets: choose a smaller box.", code="too_many_assets"
            )
        type_ids = fingerprint[-1]
        checklists = {c.asset_type_id: c for c in selectors.current_checklists(type_ids)}
        body = {
            "cursor": cursor,
            "generated_at": timezone.now(),
            "assignment": assignment.pk if assignment else None,
            "assets": {"type": "FeatureCollection", "features": _features(request.user, assets)},
            "asset_types": [
                _type_payload(t, checklists.get(t.pk)) for t in selectors.asset_types_for(type_ids)
            ],
            "assignments": AssignmentSerializer(
                assignments.prefetch_related("stops"), many=True
            ).data,
        }
        response = Response(body)
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response


class ChangesApi(APIView):
    """Assets, checklists and assignments changed since a cursor (from a work pack or an
    earlier call). Cursors come from the database's change counter, never from clocks."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.INT, required=True),
            OpenApiParameter("bbox", OpenApiTypes.STR),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer},
    )
    def get(self, request):
        since = request.query_params.get("since", "")
        if not since.isdigit():
            raise ApiError("since must be a cursor (a whole number).", code="invalid_cursor")
        bbox = (
            geo.parse_bbox(request.query_params["bbox"])
            if request.query_params.get("bbox")
            else None
        )
        cursor = changes.current_cursor()
        assets, templates, assignments = selectors.changes_since(
            request.user, int(since), bbox=bbox
        )
        if assets.count() > MAX_PACK_ASSETS:
            raise ApiError(
                "Too much has changed: download a new work pack.", code="too_many_changes"
            )
        return Response(
            {
                "since": int(since),
                "cursor": cursor,
                "assets": {
                    "type": "FeatureCollection",
                    "features": _features(request.user, assets),
                },
                "checklists": [
                    {
                        "asset_type": t.asset_type.code,
                        "version": t.version,
                        "items": t.items,
                        "current": t.is_current,
                        "change_seq": t.change_seq,
                    }
                    for t in templates.select_related("asset_type")
                ],
                "assignments": AssignmentSerializer(
                    assignments.prefetch_related("stops"), many=True
                ).data,
            }
        )


# --- Sync -------------------------------------------------------------------------------------

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
        _require_field_role(request.user)
        batch = SyncInSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        raw_items = batch.validated_data["inspections"]
        results: list = [None] * len(raw_items)
        valid, positions = [], []
        for index, raw in enumerate(raw_items):
            item, errors = payload.parse_item(raw)
            if item is None:
                uuid = raw.get("uuid") if isinstance(raw, dict) else None
                results[index] = {
                    "uuid": str(uuid or ""),
                    "status": "invalid",
                    "code": "invalid",
                    "errors": errors,
                }
            else:
                valid.append(item)
                positions.append(index)
        synced = services.sync_batch(items=valid, inspector=request.user, device=_device(request))
        for index, result in zip(positions, synced, strict=True):
            results[index] = result.as_dict()
        return Response({"results": results, "cursor": changes.current_cursor()})


# --- Photos -----------------------------------------------------------------------------------


class PhotoInSerializer(serializers.Serializer):
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")
    size = serializers.IntegerField(min_value=1)
    content_type = serializers.CharField(max_length=40, default="image/jpeg")
    defect = serializers.IntegerField(
        required=False, allow_null=True, help_text="position of the defect in the inspection"
    )


def _own_inspection(request, uuid) -> Inspection:
    inspection = Inspection.objects.filter(
        uuid=uuid, asset__in=selectors.assets_for_inspector(request.user)
    ).first()
    if inspection is None:
        raise ApiError("No such inspection of yours.", code="not_found")
    return inspection


def _defect(inspection, position):
    if position is None:
        return None
    defect = inspection.defects.filter(position=position).first()
    if defect is None:
        raise ApiError("No such defect in this inspection.", code="invalid")
    return defect


def _s3():
    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def _photo_result(photo, created: bool) -> Response:
    return Response(
        {"status": "created" if created else "exists", "sha256": photo.sha256},
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


class InspectionPhotoApi(APIView):
    """Add a photo to an inspection, once per content hash.

    JSON {sha256, size, content_type, defect}: "exists" if the server has it; with S3 an
    "upload" with a presigned PUT carrying the checksum, then POST …/confirm/. Without S3,
    send the file as multipart (`file`, `defect`)."""

    permission_classes = [IsCityStaff]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=PhotoInSerializer, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT}
    )
    def post(self, request, uuid):
        _require_field_role(request.user)
        inspection = _own_inspection(request, uuid)
        upload = request.FILES.get("file")
        if upload is not None:
            if upload.size > settings.PHOTO_MAX_BYTES:
                raise ApiError("The photo is too large.", code="too_large")
            defect = _defect(inspection, _int(request.data.get("defect")))
            try:
                photo, created = services.inspection_photo_add(
                    inspection=inspection,
                    data=upload.read(),
                    defect=defect,
                    sha256=request.data.get("sha256", ""),
                )
            except PhotoError as exc:
                raise ApiError(str(exc), code=exc.code) from None
            return _photo_result(photo, created)
        data = PhotoInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        digest = data.validated_data["sha256"].lower()
        existing = InspectionPhoto.objects.filter(inspection=inspection, sha256=digest).first()
        if existing is not None:
            return _photo_result(existing, False)
        if data.validated_data["size"] > settings.PHOTO_MAX_BYTES:
            raise ApiError("The photo is too large.", code="too_large")
        _defect(inspection, data.validated_data.get("defect"))
        storage = _s3()
        if storage is None:
            raise ApiError("Send the photo as multipart (field `file`).", code="send_multipart")
        checksum = base64.b64encode(bytes.fromhex(digest)).decode()
        url = storage.bucket.meta.client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": storage.bucket_name,
                "Key": f"{UPLOAD_PREFIX}/{inspection.uuid}/{digest}",
                "ContentType": data.validated_data["content_type"],
                "ChecksumSHA256": checksum,
            },
            ExpiresIn=900,
        )
        return Response(
            {
                "status": "upload",
                "upload": {
                    "method": "PUT",
                    "url": url,
                    "headers": {
                        "Content-Type": data.validated_data["content_type"],
                        "x-amz-checksum-sha256": checksum,
                    },
                },
                "confirm": f"/api/v1/inspections/{inspection.uuid}/photos/{digest}/confirm/",
            },
            status=status.HTTP_201_CREATED,
        )


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise ApiError("defect must be a whole number.", code="invalid") from None


class InspectionPhotoConfirmApi(APIView):
    """After the presigned upload: the server fetches the object, checks its checksum and the
    image, makes the EXIF-free public copy and forgets the upload."""

    permission_classes = [IsCityStaff]
    parser_classes = [JSONParser]

    @extend_schema(
        request=inline_serializer(
            "PhotoConfirm", {"defect": serializers.IntegerField(required=False, allow_null=True)}
        ),
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
    )
    def post(self, request, uuid, sha256: str):
        _require_field_role(request.user)
        inspection = _own_inspection(request, uuid)
        digest = sha256.lower()
        existing = InspectionPhoto.objects.filter(inspection=inspection, sha256=digest).first()
        if existing is not None:
            return _photo_result(existing, False)
        storage = _s3()
        if storage is None:
            raise ApiError("There are no presigned uploads here.", code="send_multipart")
        key = f"{UPLOAD_PREFIX}/{inspection.uuid}/{digest}"
        client = storage.bucket.meta.client
        try:
            head = client.head_object(Bucket=storage.bucket_name, Key=key)
        except client.exceptions.ClientError:
            raise ApiError("The upload has not arrived.", code="upload_missing") from None
        if head["ContentLength"] > settings.PHOTO_MAX_BYTES:
            client.delete_object(Bucket=storage.bucket_name, Key=key)
            raise ApiError("The photo is too large.", code="too_large")
        data = client.get_object(Bucket=storage.bucket_name, Key=key)["Body"].read()
        try:
            photo, created = services.inspection_photo_add(
                inspection=inspection,
                data=data,
                sha256=digest,
                defect=_defect(inspection, _int(request.data.get("defect"))),
            )
        except PhotoError as exc:
            raise ApiError(str(exc), code=exc.code) from None
        finally:
            client.delete_object(Bucket=storage.bucket_name, Key=key)
        return _photo_result(photo, created)


# --- History ----------------------------------------------------------------------------------


class AssetHistoryApi(APIView):
    """An asset's condition history, newest first, each with the change from the one before."""

    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer})
    def get(self, request, pk: int):
        asset = selectors.assets_for_inspector(request.user).filter(pk=pk).first()
        if asset is None:
            raise ApiError("No such asset of yours.", code="not_found")
        inspections = list(selectors.asset_history(asset))
        effective = [i for i in inspections if not hasattr(i, "superseded_by")]
        previous = {a.pk: b for a, b in itertools.pairwise(effective)}
        timeline = []
        for inspection in inspections:
            before = previous.get(inspection.pk)
            timeline.append(
                {
                    "uuid": str(inspection.uuid),
                    "kind": inspection.kind,
                    "performed_at": inspection.performed_at,
                    "grade": inspection.overall_grade,
                    "inspector": inspection.inspector.get_username(),
                    "notes": inspection.notes,
                    "answers": inspection.answers,
                    "checklist_version": inspection.template.version
                    if inspection.template
                    else None,
                    "supersedes": str(inspection.supersedes.uuid)
                    if inspection.supersedes
                    else None,
                    "superseded": hasattr(inspection, "superseded_by"),
                    "defects": [
                        {
                            "component": d.component,
                            "kind": d.kind,
                            "grade": d.grade,
                            "measurement": d.measurement,
                            "unit": d.unit,
                            "notes": d.notes,
                            "fault": d.fault.number if d.fault else None,
                        }
                        for d in inspection.defects.all()
                    ],
                    "photos": [p.sha256 for p in inspection.photos.all()],
                    "compared_with_previous": None
                    if before is None
                    else {
                        "grade": before.overall_grade,
                        "rank_change": inspection.grade_rank - before.grade_rank,
                    },
                }
            )
        return Response(
            {
                "asset": asset.pk,
                "scale": asset.asset_type.scale,
                "current_grade": asset.condition_grade,
                "inspections": timeline,
            }
        )


class ConditionHistoryCsvApi(APIView):
    """(asset id, ledger id, type, grade, rank, inspected on) per effective inspection, CSV:
    the input of Markov deterioration models."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        parameters=[OpenApiParameter("type", OpenApiTypes.STR)],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        rows = selectors.condition_rows(request.user, type_code=request.query_params.get("type"))

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        def lines():
            yield writer.writerow(
                ["asset_id", "ledger_id", "type", "grade", "grade_rank", "inspected_on"]
            )
            for asset_id, ledger_id, type_code, grade, rank, at in rows.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        asset_id,
                        ledger_id or "",
                        type_code,
                        grade,
                        rank,
                        timezone.localdate(at).isoformat(),
                    ]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="condition-history.csv"'
        return response
