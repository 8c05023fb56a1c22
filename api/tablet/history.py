"""Condition history for tablets and analysts: one asset's inspections over time, and every
effective inspection as CSV for deterioration models."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exceptions import ApiError
from api.permissions import IsCityStaff
from api.serializers import ErrorSerializer
from assets.csvfiles import csv_chunks
from inspections import history, selectors


def _entry(entry: history.Entry) -> dict:
    inspection, before = entry.inspection, entry.previous
    return {
        "uuid": str(inspection.uuid),
        "kind": inspection.kind,
        "performed_at": inspection.performed_at,
        "grade": inspection.overall_grade,
        "inspector": inspection.inspector.get_username(),
        "notes": inspection.notes,
        "answers": inspection.answers,
        "checklist_version": inspection.template.version if inspection.template else None,
        "supersedes": str(inspection.supersedes.uuid) if inspection.supersedes else None,
        "superseded": not inspection.is_effective,
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


class AssetHistoryApi(APIView):
    """An asset's condition history, newest first, each with the change from the one before."""

    permission_classes = [IsCityStaff]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer})
    def get(self, request, pk: int):
        asset = selectors.asset_for_inspector(request.user, pk)
        if asset is None:
            raise ApiError("No such asset of yours.", code="not_found")
        timeline = history.asset_timeline(asset)
        return Response(
            {
                "asset": asset.pk,
                "scale": asset.asset_type.scale,
                "current_grade": asset.condition_grade,
                "inspections": [_entry(entry) for entry in timeline.entries],
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

        def lines():
            yield ["asset_id", "ledger_id", "type", "grade", "grade_rank", "inspected_on"]
            for asset_id, ledger_id, type_code, grade, rank, at in rows.iterator(chunk_size=2000):
                yield [
                    asset_id,
                    ledger_id or "",
                    type_code,
                    grade,
                    rank,
                    timezone.localdate(at).isoformat(),
                ]

        response = StreamingHttpResponse(
            csv_chunks(lines(), bom=False), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="condition-history.csv"'
        return response
