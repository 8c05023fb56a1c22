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

from reports.models import Report, ReportEvent
from reports.selectors import report_subscribers

logger = logging.getLogger(__name__)


def _send(to: str, template: str, context: dict, language: str) -> None:
    with translation.override(language):
        subject = render_to_string(f"reports/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"reports/email/{template}.txt", context)
    EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to]).send()


def _context(report) -> dict:
    base = settings.PUBLIC_BASE_URL
    return {
        "report": report,
        "city_name": settings.CITY_NAME,
        "city_phone": settings.CITY_PHONE,
        "tracking_url": f"{base}/r/{report.tracking}",
        "staff_url": f"{base}/manage/reports/{report.number}/",
    }


@task()
def send_report_submitted(report_id: int) -> None:
    report = Report.objects.select_related("category", "asset__asset_type", "owner").get(
        pk=report_id
    )
    context = _context(report)
    if report.owner.contact_email:
        # Staff read Japanese; the resident's own words are quoted as typed.
        _send(report.owner.contact_email, "new_report_staff", context, "ja")
    if report.contact_email:
        _send(report.contact_email, "received", context, report.language)


@task()
def send_report_changed(event_id: int) -> None:
    event = ReportEvent.objects.select_related("report__category", "report__owner").get(pk=event_id)
    if not event.public:
        return
    report = event.report
    context = {**_context(report), "event": event}
    for email, language in report_subscribers(report):
        # Labels are lazy: they are translated when the template renders in `language`.
        if event.kind == ReportEvent.Kind.STATUS:
            context["status"] = Report.Status(event.to_value).label
            context["reason"] = Report.CloseReason(event.reason).label if event.reason else ""
        if event.kind == ReportEvent.Kind.FORWARDED:
            context["forwarded_to"] = report.owner
        _send(email, "changed", context, language)


@task()
def send_report_assigned(event_id: int) -> None:
    event = ReportEvent.objects.select_related(
        "report__category", "report__asset__asset_type", "report__assignee"
    ).get(pk=event_id)
    report = event.report
    if report.assignee and report.assignee.contact_email:
        _send(report.assignee.contact_email, "assigned", _context(report), "ja")


@task()
def send_report_forwarded(event_id: int) -> None:
    event = ReportEvent.objects.select_related("report__category", "report__owner").get(pk=event_id)
    report = event.report
    if report.owner.contact_email:
        _send(report.owner.contact_email, "new_report_staff", _context(report), "ja")
    send_report_changed.call(event_id)


def report_assigned(event_id: int) -> None:
    send_report_assigned.enqueue(event_id)


def report_forwarded(event_id: int) -> None:
    send_report_forwarded.enqueue(event_id)


def report_submitted(report_id: int) -> None:
    send_report_submitted.enqueue(report_id)


def report_changed(event_id: int) -> None:
    send_report_changed.enqueue(event_id)
