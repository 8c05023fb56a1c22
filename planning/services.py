"""Writes of maintenance planning: the work done on an asset, recorded on its own or as a
fault is marked fixed."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import policy
from accounts.errors import DomainError
from accounts.models import Organization
from accounts.policy import Right
from planning.models import Work
from reports import services as report_services
from reports.models import Report


class WorkError(DomainError):
    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message, code=code)
        self.field = field


def work_record(
    *,
    asset,
    kind: str,
    done_on: datetime.date,
    acting_user,
    cost_yen: int | None = None,
    contractor=None,
    grade_after: str = "",
    reports=(),
    note: str = "",
) -> Work:
    """Record a repair, renewal or preventive treatment done on `asset`. Managers and staff
    of the asset's owner may; the grade after is one of the type's grades; the day is not in
    the future; the reports closed are the asset's own. One work per asset, day and kind."""
    if not policy.may(acting_user, Right.RECORD_WORKS, owner_id=asset.owner_id):
        raise WorkError("You may not record works on this asset.", code="forbidden")
    if kind not in Work.Kind.values:
        raise WorkError(
            "Choose repair, renewal or preventive treatment.", code="bad_kind", field="kind"
        )
    if done_on > timezone.localdate():
        raise WorkError("The work's date is in the future.", code="future_date", field="done_on")
    if grade_after and grade_after not in asset.asset_type.grading_scale.codes():
        raise WorkError(
            "That grade is not on this asset type's scale.", code="bad_grade", field="grade_after"
        )
    if cost_yen is not None and cost_yen < 0:
        raise WorkError("A cost cannot be negative.", code="bad_cost", field="cost_yen")
    reports = list(reports)
    if any(report.asset_id != asset.pk for report in reports):
        raise WorkError(
            "A report named is about another asset.", code="other_asset", field="reports"
        )
    try:
        with transaction.atomic():
            work = Work.objects.create(
                asset=asset,
                kind=kind,
                done_on=done_on,
                cost_yen=cost_yen,
                contractor=contractor,
                grade_after=grade_after,
                note=note.strip(),
                recorded_by=policy.author(acting_user),
            )
            work.reports.set(reports)
    except IntegrityError:
        raise WorkError(
            "This work is already recorded (same asset, day and kind).", code="duplicate_work"
        ) from None
    return work


@transaction.atomic
def fault_fix_with_work(
    *,
    report: Report,
    acting_user,
    kind: str,
    cost_yen: int | None = None,
    **transition,
) -> Work:
    """Mark a fault fixed and record the work that fixed it, together or not at all: the
    report's own transition (with its note and photos), then a work of `kind` on the
    report's asset today, by the contractor it was assigned to. A second fault fixed on the
    same asset, day and kind joins that day's work (its cost added when given)."""
    if report.asset_id is None:
        raise WorkError(
            "This report is on no asset, so no work can be recorded with it.",
            code="no_asset",
            field="work_kind",
        )
    asset = report.asset
    if not policy.may(acting_user, Right.RECORD_WORKS, owner_id=asset.owner_id):
        raise WorkError("You may not record works on this asset.", code="forbidden")
    report_services.report_transition(
        report=report, to=Report.Status.FIXED, acting_user=acting_user, **transition
    )
    today = timezone.localdate()
    same_day = Work.objects.select_for_update().filter(asset=asset, done_on=today, kind=kind)
    work = same_day.first()
    if work is None:
        assignee = report.assignee
        return work_record(
            asset=asset,
            kind=kind,
            done_on=today,
            cost_yen=cost_yen,
            contractor=assignee
            if assignee is not None and assignee.kind == Organization.Kind.CONTRACTOR
            else None,
            reports=[report],
            acting_user=acting_user,
        )
    if cost_yen is not None:
        if cost_yen < 0:
            raise WorkError("A cost cannot be negative.", code="bad_cost", field="cost_yen")
        work.cost_yen = (work.cost_yen or 0) + cost_yen
        work.save(update_fields=["cost_yen"])
    work.reports.add(report)
    return work
