"""Writes about reports once they are in (reports/intake.py takes them in): the status
model, notes, moderation, priority, assignment, merging, forwarding, and contact retention.

Every change names its `acting_user` (a user, or accounts.policy.SYSTEM for commands and
pipelines) and is checked against the permission policy; nobody (None) may change anything.
"""

import datetime

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.errors import DomainError
from accounts.policy import Right
from assets import versions
from assets.models import Asset
from reports import notices, owner_links, priority, selectors, standard_notes
from reports.models import Photo, Receipt, Report, ReportEvent


class ReportError(DomainError):
    """A report that cannot be taken or a change that cannot be made."""

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message, code=code)
        self.field = field


def asset_reports_changed(asset_id: int) -> None:
    """Recount the asset's open reports and retire its cached sticker pages."""
    count = Report.objects.filter(asset_id=asset_id, status__in=Report.OPEN_STATUSES).count()
    Asset.objects.filter(pk=asset_id).update(open_reports=count)
    transaction.on_commit(lambda: versions.asset_changed(asset_id))


# --- The status model -------------------------------------------------------------------------

S = Report.Status
TRANSITIONS = {
    S.NEW: {S.ACCEPTED, S.IN_PROGRESS, S.FIXED, S.CLOSED},
    S.ACCEPTED: {S.IN_PROGRESS, S.FIXED, S.CLOSED},
    S.IN_PROGRESS: {S.FIXED, S.CLOSED, S.ACCEPTED},
    S.FIXED: {S.CLOSED, S.ACCEPTED},  # back to accepted = reopened
    S.CLOSED: {S.ACCEPTED},  # reopened
}


def _require(acting_user, right: Right, report: Report) -> None:
    """The acting user has this right on this report, or the change is refused."""
    if not policy.may_on_report(acting_user, right, report):
        raise ReportError("You may not change this report.", code="forbidden")


def _authors(acting_user) -> dict:
    """Who made a change, for its event: a user, or an organisation through its link."""
    return {
        "by": policy.author(acting_user),
        "by_organization_id": policy.author_organisation_id(acting_user),
    }


def _check_note_code(note_code: str) -> None:
    if note_code and note_code not in standard_notes.NOTES:
        raise ReportError("There is no such standard note.", code="unknown_note", field="note_code")


def _attach_after_photos(report: Report, photos) -> int:
    """Photos of the repair: shown on every receipt of the report and in the e-mail."""
    position = report.photos.count()
    for offset, photo in enumerate(photos):
        photo.report, photo.origin, photo.me_too = report, None, None
        photo.kind, photo.position = Photo.Kind.AFTER, position + offset
        photo.save(update_fields=["report", "origin", "me_too", "kind", "position"])
    return len(photos)


@transaction.atomic
def report_transition(
    *,
    report: Report,
    to: str,
    acting_user,
    reason: str = "",
    note: str = "",
    note_code: str = "",
    public_note: bool = False,
    after_photos=(),
) -> Report:
    """Move a report along new → accepted → in progress → fixed, close it with a reason, or
    reopen it. Residents who left an email hear of each change, with the standard note
    (`note_code`) in their language; the free `note` reaches them only when `public_note`.
    A fix may carry photos of the repair (`after_photos`, staged)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require(acting_user, Right.CHANGE_REPORTS, report)
    _check_note_code(note_code)
    if after_photos and to != S.FIXED:
        raise ReportError(
            "Photos of the repair go with “fixed”.", code="after_photo_not_fixed", field="photos"
        )
    if to not in TRANSITIONS.get(report.status, set()):
        raise ReportError(
            f"A {report.get_status_display()} report cannot become {to}.",
            code="already_closed" if report.status == S.CLOSED else "invalid_transition",
        )
    if to == S.CLOSED and reason not in Report.CloseReason.values:
        raise ReportError(
            "Closing needs a reason: duplicate, not our asset or no fault found.",
            code="close_reason_needed",
            field="reason",
        )
    now, before = timezone.now(), report.status
    report.status = to
    report.close_reason = reason if to == S.CLOSED else ""
    report.ended_at = now if to in (S.FIXED, S.CLOSED) else None
    report.save(update_fields=["status", "close_reason", "ended_at", "updated_at"])
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.STATUS,
        from_value=before,
        to_value=to,
        reason=report.close_reason,
        note_code=note_code,
        text=note.strip(),
        public=public_note and bool(note.strip()),
        at=now,
        **_authors(acting_user),
    )
    _attach_after_photos(report, list(after_photos))
    transaction.on_commit(lambda: notices.report_changed(event.pk))
    if report.asset_id:
        asset_reports_changed(report.asset_id)
    return report


def report_accept(*, report, acting_user, note=""):
    return report_transition(report=report, to=S.ACCEPTED, acting_user=acting_user, note=note)


def report_start(*, report, acting_user, note=""):
    return report_transition(report=report, to=S.IN_PROGRESS, acting_user=acting_user, note=note)


def report_fix(*, report, acting_user, note=""):
    return report_transition(report=report, to=S.FIXED, acting_user=acting_user, note=note)


def report_close(*, report, reason, acting_user, note=""):
    return report_transition(
        report=report, to=S.CLOSED, reason=reason, acting_user=acting_user, note=note
    )


@transaction.atomic
def report_reopen(*, report, acting_user, note=""):
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status not in (S.FIXED, S.CLOSED):
        raise ReportError("Only a fixed or closed report can be reopened.", code="not_closed")
    return report_transition(report=report, to=S.ACCEPTED, acting_user=acting_user, note=note)


@transaction.atomic
def report_note_add(
    *, report: Report, text: str, public: bool, acting_user, note_code: str = ""
) -> ReportEvent:
    """A note: a standard one (`note_code`) always reaches the resident, in their language;
    free text only when `public`, else it stays inside."""
    _require(acting_user, Right.CHANGE_REPORTS, report)
    _check_note_code(note_code)
    text = text.strip()
    if not text and not note_code:
        raise ReportError("A note needs some text.", code="empty_note", field="text")
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.NOTE,
        note_code=note_code,
        text=text,
        public=public and bool(text),
        **_authors(acting_user),
    )
    if event.public or note_code:
        _touch(report)  # public lists and open-data feeds show what changed since when
        transaction.on_commit(lambda: notices.report_changed(event.pk))
    return event


def _touch(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())


@transaction.atomic
def report_set_description_public(*, report: Report, public: bool, acting_user) -> Report:
    """Moderation: the description appears in public lists only once staff allowed it."""
    _require(acting_user, Right.CHANGE_REPORTS, report)
    report.description_public = public
    report.save(update_fields=["description_public", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.MODERATED,
        to_value="description",
        text="public" if public else "hidden",
        by=policy.author(acting_user),
    )
    return report


@transaction.atomic
def photo_set_public(*, photo: Photo, public: bool, acting_user) -> Photo:
    _require(acting_user, Right.CHANGE_REPORTS, photo.report)
    photo.is_public = public
    photo.save(update_fields=["is_public"])
    _touch(photo.report)
    ReportEvent.objects.create(
        report=photo.report,
        kind=ReportEvent.Kind.MODERATED,
        to_value=f"photo {photo.pk}",
        text="public" if public else "hidden",
        by=policy.author(acting_user),
    )
    return photo


# --- Priority, assignment, merging, forwarding -------------------------------------------------


def priority_refresh(*, report: Report) -> Report:
    """Recompute the parts of the priority that do not change with time, and whether the
    fault endangers people (a merged report may have said so)."""
    report.priority_reasons = priority.static_parts(report)
    report.priority_base = sum(part[0] for part in report.priority_reasons)
    report.danger = priority.is_dangerous(report)
    Report.objects.filter(pk=report.pk).update(
        priority_reasons=report.priority_reasons,
        priority_base=report.priority_base,
        danger=report.danger,
    )
    return report


@transaction.atomic
def priorities_refresh(*, reports: QuerySet[Report] | None = None) -> int:
    """Recompute the stored parts of many open reports (after new context places, new
    weights or changed assets); returns how many changed."""
    changed, count = [], 0
    for report in selectors.priorities_outdated(reports=reports):
        changed.append(report)
        if len(changed) >= 1000:
            count += _save_priorities(changed)
    return count + _save_priorities(changed)


def _save_priorities(reports: list[Report]) -> int:
    Report.objects.bulk_update(
        reports, ["priority_reasons", "priority_base", "danger"], batch_size=500
    )
    count = len(reports)
    reports.clear()
    return count


@transaction.atomic
def report_set_priority(*, report: Report, points: int, reason: str, acting_user) -> Report:
    """A manager moves a report up or down the queue, with a reason: audited."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require(acting_user, Right.CHANGE_REPORTS, report)
    if not policy.may_on_report(acting_user, Right.REORDER_REPORTS, report):
        raise ReportError("Only a manager changes the order.", code="forbidden")
    if points and not reason.strip():
        raise ReportError("Say why the order changes.", code="reason_needed", field="reason")
    if not -100 <= points <= 100:
        raise ReportError("Between -100 and +100.", code="invalid", field="points")
    before = report.priority_override
    report.priority_override, report.priority_override_reason = points, reason.strip()
    report.save(update_fields=["priority_override", "priority_override_reason", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.PRIORITY,
        from_value=str(before),
        to_value=str(points),
        text=reason.strip(),
        by=policy.author(acting_user),
    )
    return report


@transaction.atomic
def report_assign(
    *, report: Report, assignee, due_on: datetime.date | None = None, acting_user
) -> Report:
    """Give the work to a section or a contractor, by a date (the category's response
    target unless said otherwise); they are told by email."""
    report = Report.objects.select_for_update().select_related("category").get(pk=report.pk)
    _require(acting_user, Right.CHANGE_REPORTS, report)
    if not policy.may(acting_user, Right.CHANGE_REPORTS, owner_id=assignee.pk):
        raise ReportError("Assign within your organisation.", code="forbidden", field="assignee")
    if not report.is_open:
        raise ReportError("This report is already dealt with.", code="report_not_open")
    if due_on is None:
        due_on = timezone.localdate(report.respond_by) if report.respond_by else None
    before = report.assignee.code if report.assignee_id else ""
    report.assignee, report.work_due_on = assignee, due_on
    report.save(update_fields=["assignee", "work_due_on", "updated_at"])
    owner_links.revoke_stale(report)
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.ASSIGNED,
        from_value=before,
        to_value=assignee.code,
        text=due_on.isoformat() if due_on else "",
        **_authors(acting_user),
    )
    transaction.on_commit(lambda: notices.report_assigned(event.pk))
    return report


@transaction.atomic
def report_merge(*, duplicate: Report, into: Report, acting_user) -> Report:
    """Fold a duplicate into the report that stays: its photos, its "me too"s and its
    people come along, each keeping their own receipt (which now follows the report that
    stays and still shows only what they sent); it is closed as a duplicate."""
    duplicate = Report.objects.select_for_update().get(pk=duplicate.pk)
    into = Report.objects.select_for_update().get(pk=into.pk)
    _require(acting_user, Right.CHANGE_REPORTS, duplicate)
    _require(acting_user, Right.CHANGE_REPORTS, into)
    if duplicate.pk == into.pk:
        raise ReportError("A report cannot be merged into itself.", code="same_report")
    if not duplicate.is_open or not into.is_open:
        raise ReportError("Both reports must be open.", code="report_not_open")
    moved_photos = duplicate.photos.update(report=into)
    duplicate.me_toos.update(report=into)
    Receipt.objects.filter(report=duplicate).update(report=into)
    Report.objects.filter(pk=into.pk).update(
        me_too_count=F("me_too_count") + duplicate.me_too_count + 1
    )
    duplicate.duplicate_of = into
    duplicate.save(update_fields=["duplicate_of", "updated_at"])
    ReportEvent.objects.create(
        report=into,
        kind=ReportEvent.Kind.MERGED,
        from_value=duplicate.number,
        text=f"{moved_photos} photos",
        by=policy.author(acting_user),
    )
    # The duplicate's people follow the kept report now: they are told of the merge there.
    report_transition(
        report=duplicate,
        to=Report.Status.CLOSED,
        reason=Report.CloseReason.DUPLICATE,
        acting_user=acting_user,
        public_note=True,
        note=f"同じ不具合の通報 {into.number} にまとめました / Merged into report {into.number}",
    )
    into.refresh_from_db()
    return priority_refresh(report=into)


@transaction.atomic
def report_forward(*, report: Report, to, acting_user, note: str = "") -> Report:
    """Not ours: hand the report to the organisation that looks after the thing (the
    prefecture, an association…); they are told, and so is the resident."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require(acting_user, Right.FORWARD_REPORTS, report)
    return _forward(report, to, acting_user, note)


def _forward(report: Report, to, acting_user, note: str) -> Report:
    if to.pk == report.owner_id:
        raise ReportError("It is already with them.", code="same_owner", field="to")
    if not report.is_open:
        raise ReportError("This report is already dealt with.", code="report_not_open")
    before = report.owner.code
    report.owner, report.assignee, report.work_due_on = to, None, None
    report.save(update_fields=["owner", "assignee", "work_due_on", "updated_at"])
    owner_links.revoke_stale(report)
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.FORWARDED,
        from_value=before,
        to_value=to.code,
        text=note.strip(),
        public=True,
        **_authors(acting_user),
    )
    transaction.on_commit(lambda: notices.report_forwarded(event.pk))
    return report
