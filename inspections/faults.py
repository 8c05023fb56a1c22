"""The faults an inspection raises: a grade that calls for action opens a fault in the
repair queue through the intake door (reports.intake.report_intake) or joins the open one,
and a follow-up that finds the repair sound marks its report fixed."""

from accounts import policy
from assets.models import Asset, FaultCategory
from inspections.models import Defect, Inspection
from reports import intake
from reports import services as report_services
from reports.models import Report


def _other_category(categories: dict[str, FaultCategory]) -> FaultCategory | None:
    return next((c for code, c in categories.items() if code.endswith("-other")), None)


def inspection_faults_raise(
    *,
    inspection: Inspection,
    defects: list[Defect],
    categories: dict[str, FaultCategory],
    grade,
    inspector,
) -> None:
    """A grade that calls for action raises a fault in the repair queue, or joins the open
    fault of the same kind on the asset (never a second one)."""
    asset = Asset.objects.select_related("asset_type", "owner").get(pk=inspection.asset_id)
    scale = asset.asset_type.grading_scale
    wanted = [(d, categories[d.kind]) for d in defects if scale.grade(d.grade).calls_for_action]
    if not wanted and grade.calls_for_action and (other := _other_category(categories)):
        wanted = [(None, other)]
    for defect, category in wanted:
        open_fault = (
            Report.objects.filter(asset=asset, category=category, status__in=Report.OPEN_STATUSES)
            .order_by("created_at")
            .first()
        )
        if open_fault is None:
            text = inspection.notes
            if defect is not None:
                text = f"{defect.component}: {defect.kind} ({defect.grade}) {defect.notes}".strip()
            open_fault = intake.report_intake(
                channel=Report.Source.INSPECTION,
                acting_user=inspector,
                category=category,
                asset=asset,
                description=f"[{inspection.overall_grade}] {text}".strip(),
                defect_grade=defect.grade if defect is not None else inspection.overall_grade,
                join=intake.Join.ATTACH,
            ).report
        if defect is not None:
            Defect.objects.filter(pk=defect.pk).update(fault=open_fault)


def inspection_loop_close(*, inspection: Inspection, grade) -> None:
    """A follow-up after a repair that finds the asset sound marks the report fixed."""
    report = inspection.report
    if (
        inspection.kind == Inspection.Kind.FOLLOW_UP
        and report is not None
        and report.is_open
        and not grade.calls_for_action
    ):
        report_services.report_fix(
            report=report,
            note="点検で補修を確認しました / Repair confirmed by inspection",
            acting_user=policy.SYSTEM,
        )
