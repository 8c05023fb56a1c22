"""Recording field records: each checked against its asset's type, scale and checklist,
then saved with what follows from it (the asset's condition, faults, closed loops)."""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.utils import timezone

from assets.models import Asset, AssetType, FaultCategory
from assets.scales import UnknownGrade
from inspections import faults
from inspections.checklists import checked_answers
from inspections.conditions import conditions_refresh
from inspections.errors import InspectionError
from inspections.models import Assignment, ChecklistTemplate, Defect, Inspection, Quarantine
from inspections.selectors import with_effective
from reports.models import Report


def canonical(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()  # one instant, one text
    return str(value)


def content_hash(item: dict) -> str:
    """A fingerprint of what the inspector recorded, the transport details left out."""
    recorded = {k: v for k, v in item.items() if k not in ("pack_cursor",)}
    text = json.dumps(
        recorded, sort_keys=True, default=canonical, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class _AssetRow:
    pk: int
    owner_id: int
    status: str
    change_seq: int
    asset_type: AssetType

    @property
    def asset_type_id(self) -> int:
        return self.asset_type.pk


class Lookups:
    """Everything a batch of records refers to, fetched in a handful of queries."""

    def __init__(self, items: list[dict]):
        uuids = [item["uuid"] for item in items]
        self.existing = {
            u: (pk, digest)
            for u, pk, digest in Inspection.objects.filter(uuid__in=uuids).values_list(
                "uuid", "pk", "content_hash"
            )
        }
        self.held = {
            (u, digest): (pk, reason)
            for u, digest, pk, reason in Quarantine.objects.filter(uuid__in=uuids).values_list(
                "uuid", "content_hash", "pk", "reason"
            )
        }
        # Plain rows, not model instances: building a thousand assets (with their
        # geometries) would cost more than the whole insert.
        rows = Asset.objects.filter(pk__in={item["asset"] for item in items}).values_list(
            "pk", "owner_id", "status", "change_seq", "asset_type_id"
        )
        type_ids = {row[4] for row in rows}
        types = AssetType.objects.in_bulk(type_ids)
        self.assets = {
            pk: _AssetRow(pk, owner_id, status, seq, types[type_id])
            for pk, owner_id, status, seq, type_id in rows
        }
        self.templates = {
            (t.asset_type_id, t.version): t
            for t in ChecklistTemplate.objects.filter(asset_type_id__in=type_ids)
        }
        self.categories: dict[int, dict[str, FaultCategory]] = {t: {} for t in type_ids}
        links = AssetType.categories.through.objects.filter(assettype_id__in=type_ids)
        for link in links.select_related("faultcategory"):
            self.categories[link.assettype_id][link.faultcategory.code] = link.faultcategory
        targets = {item["supersedes"] for item in items if item.get("supersedes")}
        self.supersedes = (
            {i.uuid: i for i in with_effective(Inspection.objects.filter(uuid__in=targets))}
            if targets
            else {}
        )
        numbers = {item["report"] for item in items if item.get("report")}
        self.reports = {r.number: r for r in Report.objects.filter(number__in=numbers)}
        wanted = {item["assignment"] for item in items if item.get("assignment")}
        self.assignments = Assignment.objects.in_bulk(wanted) if wanted else {}


def _scale_grade(asset_type: AssetType, code: str, field_name: str):
    try:
        return asset_type.grading_scale.grade(code)
    except UnknownGrade:
        raise InspectionError(
            f"{code!r} is not a grade of the {asset_type.grading_scale.name_en} scale.",
            code="invalid",
            errors={field_name: [f"not a grade of {asset_type.grading_scale.code}"]},
        ) from None


def check(item: dict, asset: Asset, look: Lookups, inspector) -> dict:
    """The record's references, checked against the asset's type, scale and checklist."""
    asset_type = asset.asset_type
    grade = _scale_grade(asset_type, item["overall_grade"], "overall_grade")
    template = None
    if item.get("template_version") is not None:
        template = look.templates.get((asset_type.pk, item["template_version"]))
        if template is None:
            raise InspectionError(
                "Unknown checklist version.",
                code="invalid",
                errors={"template_version": ["no such version for this type"]},
            )
    answers = checked_answers(template, item.get("answers") or {})
    supersedes = None
    if item.get("supersedes"):
        supersedes = look.supersedes.get(item["supersedes"])
        if supersedes is None or supersedes.asset_id != asset.pk:
            raise InspectionError(
                "The corrected inspection is unknown.",
                code="invalid",
                errors={"supersedes": ["no inspection of this asset"]},
            )
        if not supersedes.is_effective:
            raise InspectionError(
                "That inspection was already corrected.",
                code="invalid",
                errors={"supersedes": ["already superseded"]},
            )
    report = None
    if item.get("report"):
        report = look.reports.get(item["report"])
        if report is None or report.asset_id != asset.pk:
            raise InspectionError(
                "Unknown report for this asset.",
                code="invalid",
                errors={"report": ["no such report of this asset"]},
            )
    assignment = look.assignments.get(item.get("assignment"))
    if assignment is not None and assignment.inspector_id != inspector.pk:
        assignment = None
    categories = look.categories.get(asset_type.pk, {})
    for index, defect in enumerate(item.get("defects") or []):
        if defect["kind"] not in categories:
            raise InspectionError(
                "Unknown defect kind.",
                code="invalid",
                errors={f"defects.{index}.kind": ["not a fault of this type"]},
            )
        _scale_grade(asset_type, defect["grade"], f"defects.{index}.grade")
    return {
        "grade": grade,
        "template": template,
        "answers": answers,
        "supersedes": supersedes,
        "report": report,
        "assignment": assignment,
    }


def build(item, asset, checked, inspector, device, digest, *, received_at=None) -> Inspection:
    """The inspection to save; `received_at` once per batch (a clock read per record costs
    more than it tells)."""
    gps = item.get("gps")
    grade = checked["grade"]
    return Inspection(
        received_at=received_at or timezone.now(),
        uuid=item["uuid"],
        asset_id=asset.pk,
        inspector=inspector,
        organization_id=inspector.organization_id or asset.owner_id,
        assignment=checked["assignment"],
        kind=item["kind"],
        performed_at=item["performed_at"],
        gps=Point(gps["lon"], gps["lat"], srid=4326) if gps else None,
        gps_accuracy_m=gps.get("accuracy") if gps else None,
        overall_grade=grade.code,
        grade_rank=grade.rank,
        template=checked["template"],
        answers=checked["answers"],
        notes=item.get("notes") or "",
        supersedes=checked["supersedes"],
        report=checked["report"],
        content_hash=digest,
        device=device,
    )


def records_save(*, pending: list[tuple[dict, Inspection, dict]], look: Lookups, inspector) -> None:
    """Write new inspections with their defects, then what follows from them: the assets'
    conditions, faults for action grades, closed loops. One transaction (the caller's)."""
    inspections = Inspection.objects.bulk_create([built for _, built, _ in pending])
    if inspections and inspections[0].pk is None:  # backends that do not return ids
        ids = dict(
            Inspection.objects.filter(uuid__in=[i.uuid for i in inspections]).values_list(
                "uuid", "pk"
            )
        )
        for inspection in inspections:
            inspection.pk = ids[inspection.uuid]
    defects = Defect.objects.bulk_create(
        [
            Defect(
                inspection=inspection,
                position=index,
                component=d.get("component") or "",
                kind=d["kind"],
                grade=d["grade"],
                measurement=d.get("measurement"),
                unit=d.get("unit") or "",
                notes=d.get("notes") or "",
            )
            for (item, inspection, _), _inspection in zip(pending, inspections, strict=True)
            for index, d in enumerate(item.get("defects") or [])
        ]
    )
    if defects and defects[0].pk is None:
        defects = list(Defect.objects.filter(inspection__in=inspections))
    by_inspection: dict[int, list[Defect]] = {}
    for defect in defects:
        by_inspection.setdefault(defect.inspection_id, []).append(defect)
    types = {i.asset_id: look.assets[i.asset_id].asset_type for i in inspections}
    conditions_refresh({inspection.asset_id for inspection in inspections}, types=types)
    for _item, inspection, checked in pending:
        asset_type = types[inspection.asset_id]
        grade = checked["grade"]
        mine = by_inspection.get(inspection.pk, [])
        scale = asset_type.grading_scale
        if grade.calls_for_action or any(scale.grade(d.grade).calls_for_action for d in mine):
            faults.inspection_faults_raise(
                inspection=inspection,
                defects=mine,
                categories=look.categories[asset_type.pk],
                grade=grade,
                inspector=inspector,
            )
        faults.inspection_loop_close(inspection=inspection, grade=grade)


def inspection_record(*, item: dict, asset: Asset, inspector, device=None) -> Inspection:
    """Save one checked record (a manager's decision on a quarantined one), in the caller's
    transaction."""
    look = Lookups([item])
    checks = check(item, asset, look, inspector)
    record = build(item, asset, checks, inspector, device, content_hash(item))
    records_save(pending=[(item, record, checks)], look=look, inspector=inspector)
    return record
