"""REST views: thin. They check input, ask a selector, and hand back what it built.

Lists of assets are GeoJSON written by the database (assets/geojson.py); one asset is written
by drf-gis (api/serializers.py) in the same shape."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.cities import in_city
from api.exceptions import ApiError
from api.filters import AssetFilter
from api.pagination import page_bounds, page_links, page_parameters
from api.serializers import (
    AssetCollectionSerializer,
    AssetFeatureSerializer,
    AssetTypeSerializer,
    ErrorSerializer,
)
from assets import geojson, selectors
from assets.models import FaultCategory

GEOJSON = "application/geo+json"


def internal_option(user):
    """How much of the internal attributes this user may receive (see geojson)."""
    scope = selectors.user_scope_ids(user)
    if scope is None:
        return "all"
    return scope or None


class AssetListApi(generics.GenericAPIView):
    """Assets as a GeoJSON FeatureCollection, paginated with limit/offset."""

    permission_classes = [AllowAny]  # public infrastructure, public data

    filter_backends = [DjangoFilterBackend]
    filterset_class = AssetFilter
    pagination_class = None

    def get_queryset(self):
        return in_city(selectors.assets_for_user(self.request.user), self.request)

    @extend_schema(
        operation_id="assets_list",
        parameters=page_parameters(),
        responses={(200, GEOJSON): AssetCollectionSerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        limit, offset = page_bounds(request.query_params)
        queryset = self.filter_queryset(self.get_queryset())
        with_distance = "distance" in queryset.query.annotations
        texts = geojson.feature_texts(
            queryset, internal_owner_ids=internal_option(request.user), with_distance=with_distance
        )
        # One row more than asked tells whether a next page exists, without a COUNT.
        rows = list(texts[offset : offset + limit + 1])
        links = page_links(request, offset=offset, limit=limit, has_next=len(rows) > limit)
        rows = rows[:limit]
        body = geojson.collection_bytes(rows, numberReturned=len(rows), links=links)
        return HttpResponse(body, content_type=GEOJSON)


def _feature_response(request, queryset) -> Response:
    asset = queryset.select_related("asset_type", "owner").first()
    if asset is None:
        raise ApiError("No such asset.", code="not_found")
    context = {"internal_owner_ids": internal_option(request.user)}
    return Response(AssetFeatureSerializer(asset, context=context).data, content_type=GEOJSON)


class AssetDetailApi(APIView):
    """One asset as a GeoJSON Feature."""

    permission_classes = [AllowAny]  # public infrastructure, public data

    @extend_schema(
        operation_id="assets_retrieve",
        responses={(200, GEOJSON): AssetFeatureSerializer, 404: ErrorSerializer},
    )
    def get(self, request, pk: int):
        assets = in_city(selectors.assets_for_user(request.user), request)
        return _feature_response(request, assets.filter(pk=pk))


class AssetByLedgerApi(APIView):
    """One asset by the city's ledger id (台帳番号). Ledger ids are unique per owner: when
    several owners use the same id, name the owner with ?owner=<code>."""

    permission_classes = [AllowAny]  # public infrastructure, public data

    @extend_schema(
        operation_id="assets_by_ledger_id",
        parameters=[OpenApiParameter("owner", OpenApiTypes.STR, description="owner code")],
        responses={
            (200, GEOJSON): AssetFeatureSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def get(self, request, ledger_id: str):
        assets = in_city(selectors.assets_for_user(request.user), request)
        queryset = assets.filter(ledger_id=ledger_id)
        if owner := request.query_params.get("owner"):
            queryset = queryset.filter(owner__code=owner)
        owners = list(queryset.values_list("owner__code", flat=True)[:10])
        if len(owners) > 1:
            raise ApiError(
                f"Ledger id {ledger_id!r} is used by several owners ({', '.join(owners)}); "
                "add ?owner=<code>.",
                code="ambiguous_ledger_id",
            )
        return _feature_response(request, queryset)


class AssetTypeListApi(generics.ListAPIView):
    """The asset types with their grading scale, attributes and fault categories."""

    permission_classes = [AllowAny]  # public infrastructure, public data

    serializer_class = AssetTypeSerializer
    filter_backends = []

    def get_queryset(self):
        return (
            selectors.asset_types_active()
            .select_related("parent_type")
            .prefetch_related(
                Prefetch("categories", queryset=FaultCategory.objects.filter(is_active=True))
            )
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["staff"] = selectors.user_scope_ids(self.request.user) != frozenset()
        return context
