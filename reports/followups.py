"""What follows a report outside the city's staff: an owner or contractor acting through
its link (reports/owner_links.py) — seen, handed back — and a resident saying "still
broken" after the fix. Progress and fixes through a link go through the status model in
reports/services.py like any other change."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import policy
from accounts.policy import Right
from reports import notices, owner_links
from reports.models import OwnerLink, Receipt, Report, ReportEvent
from reports.services import (
    ReportError,
    _authors,
    _forward,
    _require,
    asset_reports_changed,
    priority_refresh,
    report_transition,
)

S = Report.Status


# --- What an organisation does through its link (reports/owner_links.py) ----------------


def _link_holder(acting_user, report: Report) -> policy.LinkHolder:
    if not isinstance(acting_user, policy.LinkHolder):
        raise ReportError("Only through an organisation's link.", code="forbidden")
    _require(acting_user, Right.CHANGE_REPORTS, report)
    return acting_user


@transaction.atomic
def report_acknowledge(*, report: Report, acting_user) -> Report:
    """The owner or contractor has seen it: noted for the city; a new report an owner
    acknowledges is accepted (the resident hears of it)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    holder = _link_holder(acting_user, report)
    if not report.is_open:
        raise ReportError("This report is already dealt with.", code="report_not_open")
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.ACKNOWLEDGED, **_authors(holder)
    )
    if report.status == S.NEW and holder.purpose == OwnerLink.Purpose.OWNER:
        report = report_transition(
            report=report, to=S.ACCEPTED, note_code="owner_told", acting_user=holder
        )
    return report


@transaction.atomic
def report_hand_back(*, report: Report, note: str, acting_user) -> Report:
    """Not ours after all, or we cannot do it: an owner passes the report back to the
    city's section for it; a contractor returns the work. Their link stops working."""
    report = Report.objects.select_for_update().select_related("category").get(pk=report.pk)
    holder = _link_holder(acting_user, report)
    if not note.strip():
        raise ReportError("Tell the city why.", code="reason_needed", field="note")
    if not report.is_open:
        raise ReportError("This report is already dealt with.", code="report_not_open")
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.NOTE, text=note.strip(), **_authors(holder)
    )
    if holder.purpose == OwnerLink.Purpose.CONTRACTOR:
        before = report.assignee.code
        report.assignee, report.work_due_on = None, None
        report.save(update_fields=["assignee", "work_due_on", "updated_at"])
        owner_links.revoke_stale(report)
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.ASSIGNED, from_value=before, **_authors(holder)
        )
        transaction.on_commit(lambda: notices.report_handed_back(event.pk))
        return report
    city_section = owner_links.city_section_for(report.category, report=report)
    if city_section is None or city_section.pk == report.owner_id:
        raise ReportError("There is no city section to hand it to.", code="no_city_section")
    return _forward(report, city_section, holder, "")


# --- What a resident says after the fix ----------------------------------------------------


@transaction.atomic
def report_still_broken(*, receipt: Receipt, text: str = "", photos=()) -> Report:
    """ "Still broken" from a resident's own link, within STILL_BROKEN_DAYS of the fix and
    once per link: the report is reopened for staff to look again, counts higher in the
    queue, and whoever fixed it hears of it. The words and photo stay the resident's."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    report = Report.objects.select_for_update().get(pk=receipt.report_id)
    refusal = still_broken_refusal(receipt, report)
    if refusal:
        raise ReportError(refusal[1], code=refusal[0])
    now = timezone.now()
    receipt.still_broken_at = now
    receipt.save(update_fields=["still_broken_at"])
    position = report.photos.count()
    for offset, photo in enumerate(photos):
        photo.report, photo.me_too = report, receipt.me_too
        photo.origin = None if receipt.me_too_id else receipt.origin
        photo.position = position + offset
        photo.save(update_fields=["report", "origin", "me_too", "position"])
    report.status, report.ended_at = S.ACCEPTED, None
    report.still_broken_count += 1
    report.save(update_fields=["status", "ended_at", "still_broken_count", "updated_at"])
    event = ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.STILL_BROKEN, text=text.strip()[:4000], at=now
    )
    # The status trail (Open311 updates, open data) sees a reopening like any other.
    reopened = ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.STATUS, from_value=S.FIXED, to_value=S.ACCEPTED, at=now
    )
    priority_refresh(report=report)
    transaction.on_commit(lambda: notices.report_still_broken(event.pk))
    transaction.on_commit(lambda: notices.report_changed(reopened.pk))
    if report.asset_id:
        asset_reports_changed(report.asset_id)
    return report


def still_broken_refusal(receipt: Receipt, report: Report, *, now=None) -> tuple[str, str] | None:
    """Why the holder of `receipt` may not say "still broken" now ((code, message)), or
    None when they may: a fixed report, within STILL_BROKEN_DAYS of the fix, once per
    person's own link."""
    now = now or timezone.now()
    if receipt.public_only:
        return ("not_own_link", "This link is not one person's own.")
    if receipt.still_broken_at is not None:
        return ("already_said", "You have already told us it is still broken.")
    if report.status != Report.Status.FIXED or report.ended_at is None:
        return ("not_fixed", "The report is not marked fixed.")
    if now - report.ended_at > datetime.timedelta(days=settings.STILL_BROKEN_DAYS):
        return ("too_late", "It was fixed too long ago; please send a new report.")
    return None
