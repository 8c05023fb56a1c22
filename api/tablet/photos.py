"""An inspection's photos from a tablet: once per content hash, as a file or through a
presigned upload to the bucket and a confirmation."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exceptions import ApiError
from api.permissions import IsCityStaff
from api.serializers import ErrorSerializer
from api.tablet.auth import require_field_role
from inspections import photos, selectors
from inspections.models import Inspection

DEFECT_HELP = "the defect's position in the inspection's `defects` (0 is the first)"


class DeclaredSerializer(serializers.Serializer):
    """When and where the photo was taken, as the tablet read it from the original's EXIF
    before shrinking it (the shrunk copy has none); the EXIF of the bytes sent wins."""

    taken_at = serializers.DateTimeField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)

    def validate(self, attrs):
        if (attrs.get("lat") is None) != (attrs.get("lon") is None):
            raise serializers.ValidationError("Give both lat and lon, or neither.")
        return attrs


def _declared(request) -> photos.PhotoDeclared:
    data = DeclaredSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return photos.PhotoDeclared(**data.validated_data)


class PhotoInSerializer(DeclaredSerializer):
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text="of the file's bytes, hex")
    size = serializers.IntegerField(min_value=1, help_text="bytes")
    content_type = serializers.CharField(max_length=40, default="image/jpeg")
    defect = serializers.IntegerField(required=False, allow_null=True, help_text=DEFECT_HELP)


class PhotoFileSerializer(DeclaredSerializer):
    file = serializers.FileField(help_text="JPEG, PNG, HEIC/HEIF, MPO or WebP")
    defect = serializers.IntegerField(required=False, allow_null=True, help_text=DEFECT_HELP)
    sha256 = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$", required=False, help_text="if given, the file must match it"
    )


class PresignedUploadSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["PUT"])
    url = serializers.URLField()
    headers = serializers.DictField(
        child=serializers.CharField(), help_text="send exactly these with the PUT"
    )


class PhotoOutSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["created", "exists", "upload"],
        help_text="created: stored now; exists: the server already has it; upload: PUT the "
        "bytes to `upload`, then POST `confirm`",
    )
    sha256 = serializers.CharField(required=False)
    upload = PresignedUploadSerializer(required=False)
    confirm = serializers.CharField(required=False, help_text="the confirmation's path")


PHOTO_RESPONSES = {200: PhotoOutSerializer, 201: PhotoOutSerializer, 400: ErrorSerializer}


def _own_inspection(request, uuid) -> Inspection:
    inspection = selectors.inspection_for_user(request.user, uuid, request)
    if inspection is None:
        raise ApiError("No such inspection of yours.", code="not_found")
    return inspection


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise ApiError("defect must be a whole number.", code="invalid") from None


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
        request={
            "application/json": PhotoInSerializer,
            "multipart/form-data": PhotoFileSerializer,
        },
        responses={**PHOTO_RESPONSES, 404: ErrorSerializer},
    )
    def post(self, request, uuid):
        require_field_role(request.user)
        inspection = _own_inspection(request, uuid)
        upload = request.FILES.get("file")
        declared = _declared(request)
        if upload is not None:
            photos.photo_size_check(upload.size)
            defect = photos.photo_defect(
                inspection=inspection, position=_int(request.data.get("defect"))
            )
            photo, created = photos.inspection_photo_add(
                inspection=inspection,
                data=upload.read(),
                defect=defect,
                sha256=request.data.get("sha256", ""),
                declared=declared,
            )
            return _photo_result(photo, created)
        data = PhotoInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        digest = data.validated_data["sha256"].lower()
        existing = selectors.inspection_photo(inspection=inspection, sha256=digest)
        if existing is not None:
            return _photo_result(existing, False)
        photos.photo_size_check(data.validated_data["size"])
        photos.photo_defect(inspection=inspection, position=data.validated_data.get("defect"))
        upload = photos.inspection_photo_upload(
            inspection=inspection, sha256=digest, content_type=data.validated_data["content_type"]
        )
        return Response(
            {
                "status": "upload",
                "upload": upload,
                "confirm": f"/api/v1/inspections/{inspection.uuid}/photos/{digest}/confirm/",
            },
            status=status.HTTP_201_CREATED,
        )


class InspectionPhotoConfirmApi(APIView):
    """After the presigned upload: the server fetches the object, checks its checksum and the
    image, makes the EXIF-free public copy and forgets the upload."""

    permission_classes = [IsCityStaff]
    parser_classes = [JSONParser]

    @extend_schema(
        request=inline_serializer(
            "PhotoConfirm",
            {
                "defect": serializers.IntegerField(required=False, allow_null=True),
                **DeclaredSerializer().get_fields(),
            },
        ),
        responses=PHOTO_RESPONSES,
    )
    def post(self, request, uuid, sha256: str):
        require_field_role(request.user)
        inspection = _own_inspection(request, uuid)
        digest = sha256.lower()
        existing = selectors.inspection_photo(inspection=inspection, sha256=digest)
        if existing is not None:
            return _photo_result(existing, False)
        photo, created = photos.inspection_photo_confirm(
            inspection=inspection,
            sha256=digest,
            defect_position=_int(request.data.get("defect")),
            declared=_declared(request),
        )
        return _photo_result(photo, created)
