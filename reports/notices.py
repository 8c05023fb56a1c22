"""Telling people: the responsible section of each new report, and residents who left an
email of each public change, in their own language.

Emails go out as background tasks (django-tasks) once the report is saved: in-process by
default, through a worker on a real queue in production, so a slow mail server never slows
the resident and a stopped worker loses nothing.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from config import city
from reports.models import Receipt, Report, ReportEvent
from reports.selectors import receipts_to_announce, report_subscribers

logger = logging.getLogger(__name__)


def _send(to: str, template: str, context: dict, language: str) -> None:
    with translation.override(language):
        subject = render_to_string(f"reports/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"reports/email/{template}.txt", context)
    EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to]).send()


def _context(report, receipt=None) -> dict:
    """What every mail may show. A resident's mail carries that person's own link; staff
    and contractors get the staff page."""
    base = city.current().public_base_url
    return {
        "report": report,
        "city_name": city.current().name,
        "city_phone": city.current().phone,
        "tracking_url": f"{base}/r/{receipt.token}" if receipt is not None else "",
        "staff_url": f"{base}/manage/reports/{report.number}/",
    }


def _outside(organisation) -> bool:
    """A recipient outside the city's staff: an owner such as a neighbourhood association
    or the prefecture, or a contractor. They get a resident's words and contact details
    only where the resident agreed (APPI: no sharing beyond the purpose without consent)."""
    return organisation.kind in ("association", "prefecture", "utility", "contractor")


def _staff_context(report, organisation) -> dict:
    context = _context(report)
    outside = _outside(organisation)
    shared = not outside or report.contact_consent
    context["description"] = report.description if shared or report.description_public else ""
    context["landmark"] = report.address_text if shared else ""
    context["contact"] = (
        {
            "name": report.contact_name,
            "phone": report.contact_phone,
            "email": report.contact_email,
        }
        if outside and report.contact_consent
        else None
    )
    return context


@task()
def send_report_submitted(report_id: int) -> None:
    report = Report.objects.select_related("category", "asset__asset_type", "owner").get(
        pk=report_id
    )
    if report.owner.contact_email:
        # Staff read Japanese; the resident's own words are quoted as typed.
        _send(
            report.owner.contact_email,
            "new_report_staff",
            _staff_context(report, report.owner),
            "ja",
        )
    receipt = report.receipts.filter(origin=report, me_too__isnull=True).first()
    if receipt is not None:
        send_receipt_received.call(receipt.pk)


def _send_to_holder(receipt_id: int, template: str) -> None:
    """A mail to the person a receipt belongs to, with their own link."""
    receipt = Receipt.objects.select_related("report__category", "origin", "me_too").get(
        pk=receipt_id
    )
    email, language = receipt.contact
    if email:
        _send(email, template, _context(receipt.report, receipt), language)


@task()
def send_receipt_received(receipt_id: int) -> None:
    """Thanks, and the person's own link to follow what they sent."""
    _send_to_holder(receipt_id, "received")


@task()
def send_report_changed(event_id: int) -> None:
    event = ReportEvent.objects.select_related("report__category", "report__owner").get(pk=event_id)
    if not event.public:
        return
    report = event.report
    for receipt in report_subscribers(report):
        email, language = receipt.contact
        followed = receipt.report if receipt.report_id != report.pk else report
        context = {**_context(report, receipt), "event": event, "followed": followed}
        # Labels are lazy: they are translated when the template renders in `language`.
        if event.kind == ReportEvent.Kind.STATUS:
            context["status"] = Report.Status(event.to_value).label
            context["reason"] = Report.CloseReason(event.reason).label if event.reason else ""
        if event.kind == ReportEvent.Kind.FORWARDED:
            context["forwarded_to"] = report.owner
        _send(email, "changed", context, language)


@task()
def send_receipt_link(receipt_id: int) -> None:
    """A person's own link, sent once (links that others could also hold were replaced)."""
    _send_to_holder(receipt_id, "new_link")
    Receipt.objects.filter(pk=receipt_id).update(announce=False)


@task()
def send_report_assigned(event_id: int) -> None:
    event = ReportEvent.objects.select_related(
        "report__category", "report__asset__asset_type", "report__assignee"
    ).get(pk=event_id)
    report = event.report
    if report.assignee and report.assignee.contact_email:
        context = _staff_context(report, report.assignee)
        _send(report.assignee.contact_email, "assigned", context, "ja")


@task()
def send_report_forwarded(event_id: int) -> None:
    event = ReportEvent.objects.select_related("report__category", "report__owner").get(pk=event_id)
    report = event.report
    if report.owner.contact_email:
        context = _staff_context(report, report.owner)
        _send(report.owner.contact_email, "new_report_staff", context, "ja")
    send_report_changed.call(event_id)


def report_assigned(event_id: int) -> None:
    send_report_assigned.enqueue(event_id)


def report_forwarded(event_id: int) -> None:
    send_report_forwarded.enqueue(event_id)


def report_submitted(report_id: int) -> None:
    send_report_submitted.enqueue(report_id)


def report_changed(event_id: int) -> None:
    send_report_changed.enqueue(event_id)


def receipt_given(receipt_id: int) -> None:
    send_receipt_received.enqueue(receipt_id)


def receipt_links_announce() -> int:
    """Send each pending new link once (after links became per person); returns how many."""
    pending = list(receipts_to_announce().values_list("pk", flat=True))
    for pk in pending:
        send_receipt_link.enqueue(pk)
    return len(pending)
