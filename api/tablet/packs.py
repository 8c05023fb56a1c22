"""What a tablet takes offline: its assignments, a work pack for an assignment or a box
(with an ETag), and the changes since a cursor."""

import hashlib

import orjson
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.cities import in_city
from api.exceptions import ApiError
from api.permissions import IsCityStaff
from api.serializers import ErrorSerializer
from api.tablet.auth import require_field_role
from api.views import internal_option
from assets import changes, geo, geojson
from inspections import packs, selectors
from inspections.models import Assignment
from planning import selectors as planning_selectors

MAX_PACK_ASSETS = 5000


class AssignmentSerializer(serializers.ModelSerializer):
    assets = serializers.SerializerMethodField()
    inspector = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "title", "due_date", "status", "inspector", "assets", "change_seq"]

    def get_assets(self, obj) -> list[int]:
        return [stop.asset_id for stop in obj.stops.all()]


class AssignmentListApi(generics.ListAPIView):
    """My assignments (a manager's: those of their organisations), the next due first."""

    permission_classes = [IsCityStaff]
    serializer_class = AssignmentSerializer
    filter_backends = []

    def get_queryset(self):
        mine = selectors.assignments_with_stops(self.request.user)
        # A superuser on a city's host: that city's assignments only.
        return in_city(mine, self.request, "organization__city").order_by("due_date", "id")


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
    """The assets as GeoJSON features, each with what the field app shows beside it offline:
    `labels` (sticker codes in use), `open_faults` and `forecast` (null before a fit)."""
    texts = geojson.feature_texts(assets, internal_owner_ids=internal_option(user), with_seq=True)
    features = [orjson.loads(text) for text in texts]
    extras = packs.pack_extras(assets)
    forecasts = planning_selectors.forecasts_of(assets)
    for feature in features:
        extra = extras.get(feature["id"])
        properties = feature["properties"]
        properties["labels"] = extra["labels"] if extra else []
        properties["open_faults"] = extra["open_faults"] if extra else []
        properties["forecast"] = forecasts.get(feature["id"])
    return features


def _pack_scope(request) -> tuple[Assignment | None, tuple | None]:
    assignment, bbox = None, None
    if request.query_params.get("assignment"):
        value = request.query_params["assignment"]
        assignment = (
            selectors.assignment_for_user(request.user, value) if value.isdecimal() else None
        )
        if assignment is None:
            raise ApiError("No such assignment of yours.", code="not_found")
    elif request.query_params.get("bbox"):
        bbox = geo.parse_bbox(request.query_params["bbox"])
    else:
        raise ApiError("Give an assignment or a bbox.", code="invalid")
    return assignment, bbox


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
        require_field_role(request.user)  # a pack is for inspecting: not for viewers
        assignment, bbox = _pack_scope(request)
        assets = selectors.pack_assets(request.user, assignment=assignment, bbox=bbox)
        assignments = selectors.assignments_with_stops(request.user, open_only=True)
        cursor = changes.current_cursor()
        fingerprint = selectors.pack_fingerprint(assets, assignments)
        beside = (packs.pack_extras_fingerprint(assets), planning_selectors.forecasts_stamp())
        etag = (
            '"'
            + hashlib.sha256(
                repr((request.user.pk, request.get_full_path(), fingerprint, beside)).encode()
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
        checklists = selectors.current_checklists_by_type(type_ids)
        body = {
            "cursor": cursor,
            "generated_at": timezone.now(),
            "assignment": assignment.pk if assignment else None,
            "assets": {"type": "FeatureCollection", "features": _features(request.user, assets)},
            "asset_types": [
                _type_payload(t, checklists.get(t.pk)) for t in selectors.asset_types_for(type_ids)
            ],
            "assignments": AssignmentSerializer(assignments, many=True).data,
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
        require_field_role(request.user)
        since = request.query_params.get("since", "")
        if not since.isdecimal():
            raise ApiError("since must be a cursor (a whole number).", code="invalid_cursor")
        bbox = (
            geo.parse_bbox(request.query_params["bbox"])
            if request.query_params.get("bbox")
            else None
        )
        cursor = changes.current_cursor()
        changed = selectors.changes_since(request.user, int(since), bbox=bbox)
        if changed.asset_count > MAX_PACK_ASSETS:
            raise ApiError(
                "Too much has changed: download a new work pack.", code="too_many_changes"
            )
        return Response(
            {
                "since": int(since),
                "cursor": cursor,
                "assets": {
                    "type": "FeatureCollection",
                    "features": _features(request.user, changed.assets),
                },
                "checklists": [
                    {
                        "asset_type": t.asset_type.code,
                        "version": t.version,
                        "items": t.items,
                        "current": t.is_current,
                        "change_seq": t.change_seq,
                    }
                    for t in changed.templates
                ],
                "assignments": AssignmentSerializer(changed.assignments, many=True).data,
            }
        )
