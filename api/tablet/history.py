"""Condition history for tablets and analysts: one asset's inspections over time, and every
effective inspection and recorded work as CSV for deterioration models."""

import heapq

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
from assets.models import AssetType
from inspections import history, selectors
from planning import selectors as planning_selectors


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
        asset = selectors.asset_for_inspector(request.user, pk, request)
        if asset is None:
            raise ApiError("No such asset of yours.", code="not_found")
        timeline = history.asset_timeline(asset)
        return Response(
            {
                "asset": asset.pk,
                "scale": asset.asset_type.scale,
                "current_grade": asset.condition_grade,
                "inspections": [_entry(entry) for entry in timeline.entries],
                "forecast": planning_selectors.forecast_of(asset),
            }
        )


class ConditionHistoryCsvApi(APIView):
    """Every effective inspection and every recorded work, CSV, in (asset, day) order: the
    input of Markov deterioration models, which must tell wear from repair. A work's grade is
    the grade after it, when known; on the day of an inspection, the work follows it."""

    permission_classes = [IsCityStaff]

    @extend_schema(
        parameters=[OpenApiParameter("type", OpenApiTypes.STR)],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        type_code = request.query_params.get("type")
        inspections = selectors.condition_rows(request.user, type_code=type_code, where=request)
        works = planning_selectors.work_rows(
            selectors.assets_for_inspector(request.user, request), type_code=type_code
        )
        scales = {t.code: t.grading_scale for t in AssetType.objects.all()}

        def inspected():
            for asset_id, ledger_id, type_code, grade, rank, at in inspections.iterator(2000):
                day = timezone.localdate(at)
                yield (asset_id, day, 0), [
                    asset_id, ledger_id or "", type_code, "inspection", day.isoformat(),
                    grade, rank, "", "",
                ]  # fmt: skip

        def worked():
            for asset_id, ledger_id, type_code, kind, day, grade, cost in works.iterator(2000):
                rank = scales[type_code].grade(grade).rank if grade else ""
                yield (asset_id, day, 1), [
                    asset_id, ledger_id or "", type_code, "work", day.isoformat(),
                    grade, rank, kind, "" if cost is None else cost,
                ]  # fmt: skip

        def lines():
            yield [
                "asset_id", "ledger_id", "type", "event", "date",
                "grade", "grade_rank", "work_kind", "cost_yen",
            ]  # fmt: skip
            for _, row in heapq.merge(inspected(), worked(), key=lambda item: item[0]):
                yield row

        response = StreamingHttpResponse(
            csv_chunks(lines(), bom=False), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="condition-history.csv"'
        return response
