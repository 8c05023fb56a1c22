"""Staff API for the host city's QR labels: issue, replace, move, withdraw, images, sheets, scans"""

import datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from accounts.cities import in_city
from api.exceptions import ApiError
from api.pagination import LinkPagination
from api.permissions import IsCityStaff
from api.serializers import ErrorSerializer
from assets import geo
from assets import selectors as asset_selectors
from config import city
from qr_labels import qr, selectors, services
from qr_labels.models import Label, LabelEvent
from qr_labels.sheets import PRESETS, iter_sheets


class LabelEventSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = LabelEvent
        fields = ["kind", "from_asset", "to_asset", "at", "by", "note"]


class LabelSerializer(serializers.ModelSerializer):
    display_code = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    replaced_by = serializers.SlugRelatedField(slug_field="code", read_only=True)
    events = LabelEventSerializer(many=True, read_only=True)

    class Meta:
        model = Label
        fields = [
            "code", "display_code", "url", "asset", "state", "keeps_working", "replaced_by",
            "issued_at", "ended_at", "printed_at", "events",
        ]  # fmt: skip

    def get_url(self, obj) -> str:
        return qr.label_url(obj.code, city.current(self.context.get("request")).public_base_url)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReplaceSerializer(NoteSerializer):
    keeps_working = serializers.BooleanField(
        default=False, help_text="The old code keeps opening the report form."
    )


class MoveSerializer(NoteSerializer):
    asset = serializers.IntegerField(help_text="Id of the asset the sticker really is on.")


class KeepsWorkingSerializer(serializers.Serializer):
    keeps_working = serializers.BooleanField()


def _labels(request):  # the labels the user may see, of the request's city
    return in_city(selectors.labels_for_user(request.user), request, "asset__owner__city")


def _assets(request):  # the assets the user may see, of the request's city
    return in_city(asset_selectors.assets_for_user(request.user), request)


def _visible_label(request, code: str) -> Label:
    label = _labels(request).filter(code=code.upper()).first()
    if label is None:
        raise ApiError("No such label.", code="not_found")
    return label


def _label_response(request, label: Label, status_code=status.HTTP_200_OK) -> Response:
    label = (
        Label.objects.prefetch_related("events__by").select_related("replaced_by").get(pk=label.pk)
    )
    return Response(LabelSerializer(label, context={"request": request}).data, status=status_code)


class LabelPagination(LinkPagination):
    default_limit = 100
    max_limit = 1000


class LabelListApi(generics.ListAPIView):
    """Labels of the assets you may see, newest first; `?asset=<id>` for one asset."""

    permission_classes = [IsCityStaff]
    serializer_class = LabelSerializer
    pagination_class = LabelPagination
    filter_backends = []

    @extend_schema(parameters=[OpenApiParameter("asset", OpenApiTypes.INT)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = _labels(self.request).select_related("replaced_by")
        asset = self.request.query_params.get("asset")
        if asset:
            if not asset.isdecimal():
                raise ApiError("asset must be an asset id.", code="invalid")
            qs = qs.filter(asset_id=int(asset))
        return qs.prefetch_related("events__by").order_by("-issued_at", "code")


class LabelIssueApi(APIView):
    """Give an asset its first label."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        request=NoteSerializer,
        responses={201: LabelSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, pk: int):
        asset = get_object_or_404(_assets(request), pk=pk)
        data = _valid(NoteSerializer, request)
        label = services.label_issue(asset=asset, acting_user=request.user, note=data["note"])
        return _label_response(request, label, status.HTTP_201_CREATED)


def _valid(serializer_class, request, data=None) -> dict:
    serializer = serializer_class(data=request.data if data is None else data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class LabelReplaceApi(APIView):
    """A new sticker for the same asset; returns the new label."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        request=ReplaceSerializer, responses={201: LabelSerializer, 409: ErrorSerializer}
    )
    def post(self, request, code: str):
        data = _valid(ReplaceSerializer, request)
        new = services.label_replace(
            label=_visible_label(request, code),
            acting_user=request.user,
            keeps_working=data["keeps_working"],
            note=data["note"],
        )
        return _label_response(request, new, status.HTTP_201_CREATED)


class LabelMoveApi(APIView):
    """The sticker is on another asset than recorded: make the code mean that asset."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=MoveSerializer, responses={200: LabelSerializer, 409: ErrorSerializer})
    def post(self, request, code: str):
        data = _valid(MoveSerializer, request)
        label = _visible_label(request, code)
        target = _assets(request).filter(pk=data["asset"]).first()
        if target is None:
            raise ApiError("No such asset.", code="not_found")
        label = services.label_move(
            label=label, to_asset=target, acting_user=request.user, note=data["note"]
        )
        return _label_response(request, label)


class LabelRetireApi(APIView):
    """Withdraw a label; its code will say so when scanned."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=NoteSerializer, responses={200: LabelSerializer, 409: ErrorSerializer})
    def post(self, request, code: str):
        data = _valid(NoteSerializer, request)
        label = services.label_retire(
            label=_visible_label(request, code), acting_user=request.user, note=data["note"]
        )
        return _label_response(request, label)


class LabelKeepsWorkingApi(APIView):
    """Let a replaced code keep opening the report form, or stop it."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=KeepsWorkingSerializer, responses={200: LabelSerializer})
    def post(self, request, code: str):
        data = _valid(KeepsWorkingSerializer, request)
        label = services.label_set_keeps_working(
            label=_visible_label(request, code),
            keeps_working=data["keeps_working"],
            acting_user=request.user,
        )
        return _label_response(request, label)


class LabelImageApi(APIView):
    """The label's QR symbol as PNG or SVG, with its quiet zone and the code under it."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        responses={
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/svg+xml"): OpenApiTypes.STR,
        }
    )
    def get(self, request, code: str, fmt: str):
        label, base = _visible_label(request, code), city.current(request).public_base_url
        if fmt == "png":
            body, content_type = qr.png(label.code, base=base), "image/png"
        else:
            body, content_type = qr.svg(label.code, base=base).encode(), "image/svg+xml"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="label-{label.code}.{fmt}"'
        return response


def _date_param(request, name: str, default: datetime.date) -> datetime.date:
    text = request.query_params.get(name)
    if not text:
        return default
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ApiError(f"{name} must be a date (YYYY-MM-DD).", code="invalid_date") from None


class ScanCountApi(APIView):
    """Scans per asset and day (local time) for the assets of your organisations."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="first day (default: 30 days ago)"
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="last day (default: today)"),
            OpenApiParameter("asset", OpenApiTypes.INT, many=True),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        today = timezone.localdate()
        since = _date_param(request, "from", today - datetime.timedelta(days=29))
        until = _date_param(request, "to", today)
        if since > until or (until - since).days > 366:
            raise ApiError("from must be before to, at most a year apart.", code="invalid_date")
        assets = request.query_params.getlist("asset")
        if not all(a.isdecimal() for a in assets):
            raise ApiError("asset must be asset ids.", code="invalid")
        rows = selectors.scans_per_day(
            user=request.user,
            since=since,
            until=until,
            asset_ids=[int(a) for a in assets] or None,
            where=request,
        )
        return Response(
            {
                "from": since,
                "to": until,
                "days": [
                    {"asset": r["asset_id"], "day": r["day"], "scans": r["scans"]} for r in rows
                ],
            }
        )


class SheetSelectionSerializer(serializers.Serializer):
    """Which stickers go on the sheet: every criterion given narrows the selection."""

    preset = serializers.ChoiceField(choices=sorted(PRESETS), default="a4-24")
    type = serializers.ListField(
        child=serializers.CharField(max_length=60), default=list, help_text="asset type codes"
    )
    owner = serializers.ListField(
        child=serializers.CharField(max_length=60), default=list, help_text="owner codes"
    )
    park = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="a park's id or ledger id: the park and what is in it",
    )
    bbox = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="min_lon,min_lat,max_lon,max_lat",
    )
    ledger_ids = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, help_text="comma-separated"
    )


class SheetPrintSerializer(SheetSelectionSerializer):
    issue = serializers.BooleanField(
        default=True,
        help_text="first issue labels to selected assets without one (managers and section "
        "staff, for the assets they manage)",
    )
    without_label = serializers.BooleanField(
        default=False, help_text="print only the labels issued by this request"
    )


def _sheet_assets(request, selection: dict):
    """The selected assets among those of the user's own organisations: stickers are printed
    (and marked printed) only by who looks after the assets."""
    bbox, ledger_ids = selection.get("bbox"), selection.get("ledger_ids", "")
    scope = policy.scope_ids(request.user)
    mine = _assets(request) if scope is None else _assets(request).filter(owner_id__in=scope)
    return selectors.assets_for_labels(
        mine,
        type_codes=selection["type"],
        owner_codes=selection["owner"],
        park=selection.get("park") or None,
        bbox=geo.parse_bbox(bbox) if bbox else None,
        ledger_ids=[i.strip() for i in ledger_ids.split(",") if i.strip()],
        where=request,
    )


def _require_printable(assets) -> None:
    if not selectors.labels_active_among(assets).exists():
        raise ApiError("No labelled asset matched the selection.", code="nothing_to_print")


def _sheet_response(request, assets, preset: str) -> StreamingHttpResponse:
    here = city.current(request)
    contents = selectors.label_contents(assets, city=here.name, phone=here.phone)
    response = StreamingHttpResponse(
        iter_sheets(contents, layout=PRESETS[preset], title=f"{here.name} QR labels"),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = 'attachment; filename="labels.pdf"'
    return response


PDF_RESPONSES = {(200, "application/pdf"): OpenApiTypes.BINARY, 400: ErrorSerializer}


class LabelSheetApi(APIView):
    """Print-ready A4 sheets of stickers (PDF), streamed page by page.

    GET shows the labels the selected assets already have and changes nothing. POST is the
    print run: it first issues labels to selected assets that have none, then notes when
    each label on the sheet was printed."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        operation_id="labels_sheet_preview",
        parameters=[SheetSelectionSerializer],
        responses=PDF_RESPONSES,
    )
    def get(self, request):
        selection = _valid(SheetSelectionSerializer, request, request.query_params)
        assets = _sheet_assets(request, selection)
        _require_printable(assets)
        return _sheet_response(request, assets, selection["preset"])

    @extend_schema(
        operation_id="labels_sheet_print",
        request=SheetPrintSerializer,
        responses=PDF_RESPONSES,
        examples=[
            OpenApiExample(
                "PrintSectionLights",
                summary="Issue missing labels and print every security light of a section",
                value={"type": ["security-light"], "owner": ["izumo-doro"], "preset": "a4-24"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        selection = _valid(SheetPrintSerializer, request)
        assets, _issued = services.labels_prepare_print(
            assets=_sheet_assets(request, selection),
            without_label=selection["without_label"],
            issue=selection["issue"],
            acting_user=request.user,
        )
        _require_printable(assets)
        services.labels_mark_printed_for(assets=assets)
        return _sheet_response(request, assets, selection["preset"])
