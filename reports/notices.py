"""Telling people: the responsible section of each new report, and residents who left an
email of each public change, in their own language.

An owner or contractor with staff accounts is sent the staff page; one without (a
neighbourhood association, a prefectural office, a small contractor) is sent its own link to
the report (reports/owner_links.py), issued as the mail goes out, and the city hears when
such an owner lets the response target pass without a word.

Emails go out as background tasks (django-tasks) once the report is saved: in-process by
default, through a worker on a real queue in production, so a slow mail server never slows
the resident and a stopped worker loses nothing.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django_tasks import task

from accounts.city_staff import city_of_organisation
from reports import owner_links
from reports.models import OwnerLink, Photo, Receipt, Report, ReportEvent
from reports.selectors import receipts_to_announce, report_subscribers

logger = logging.getLogger(__name__)


def _send(to: str, template: str, context: dict, language: str, reply_to=()) -> None:
    with translation.override(language):
        subject = render_to_string(f"reports/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"reports/email/{template}.txt", context)
    EmailMessage(
        " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to], reply_to=reply_to
    ).send()


def _reply_to(report) -> tuple[str, ...]:
    """Where a resident's answer goes: the report's city's own report mailbox when it has one
    (read by mail_intake; an answer without a code or place lands in its staff folder), else
    nowhere but the sender."""
    box = report_city(report).mailbox
    return (box.address,) if box is not None and box.address else ()


def report_city(report):
    """The city a report's mail speaks for (its name, phone and address): its owner's. A
    task has no request, so never the settings' city where cities are configured."""
    return city_of_organisation(report.owner)


def _context(report, receipt=None) -> dict:
    """What every mail may show. A resident's mail carries that person's own link; staff
    and contractors get the staff page."""
    here = report_city(report)
    base = here.public_base_url
    return {
        "report": report,
        # Lazy: named in the language the mail is rendered in.
        "city_name": lazy(here.name_in, str)(),
        "city_phone": here.phone,
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
    shared = not outside or report.share_consent
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


def _tell_organisation(
    report, organisation, *, staff_template: str, why: str, purpose=OwnerLink.Purpose.OWNER
) -> None:
    """Tell an owner or contractor about the report: staff get the staff page; an
    organisation nobody signs in for gets its own new link (`why` says what happened).
    Staff read Japanese; a resident's own words are quoted as typed, where they may go."""
    if not organisation.contact_email:
        return
    if owner_links.needs_link(organisation):
        issued = owner_links.issue(report=report, organisation=organisation, purpose=purpose)
        _send(organisation.contact_email, "owner_request", _link_context(report, issued, why), "ja")
    else:
        _send(
            organisation.contact_email, staff_template, _staff_context(report, organisation), "ja"
        )


def _link_context(report, issued, why: str) -> dict:
    """What a mail with a link may show: never the resident's contact details; their
    words only when they agreed to share them with the owner (APPI)."""
    return {
        **_context(report),
        "why": why,
        "organisation": issued.link.organization,
        "link_url": issued.url,
        "expires_at": issued.link.expires_at,
        "respond_by": issued.link.respond_by,
        "description": report.description
        if report.share_consent or report.description_public
        else "",
        "landmark": report.address_text if report.share_consent else "",
        "contractor": issued.link.purpose == OwnerLink.Purpose.CONTRACTOR,
    }


@task()
def send_report_submitted(report_id: int) -> None:
    report = Report.objects.select_related("category", "asset__asset_type", "owner").get(
        pk=report_id
    )
    _tell_organisation(report, report.owner, staff_template="new_report_staff", why="new")
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
        report = receipt.report
        _send(email, template, _context(report, receipt), language, _reply_to(report))


@task()
def send_receipt_received(receipt_id: int) -> None:
    """Thanks, and the person's own link to follow what they sent."""
    _send_to_holder(receipt_id, "received")


def _residents_hear_of(event: ReportEvent) -> bool:
    """Status changes and hand-overs always; notes when they carry words for residents."""
    if event.kind in (ReportEvent.Kind.STATUS, ReportEvent.Kind.FORWARDED):
        return True
    return event.kind == ReportEvent.Kind.NOTE and event.shows_note


def _after_photo_urls(report, receipt) -> list[str]:
    base = report_city(report).public_base_url
    photos = report.photos.filter(kind=Photo.Kind.AFTER).values_list("token", flat=True)
    return [
        base + reverse("report-photo", args=[receipt.token, token, "photo"]) for token in photos
    ]


# Channels besides e-mail that residents hear in (LINE, from channels/): each is called with
# every event residents hear of, and decides what its own users are told.
_resident_channels: list = []


def resident_channel_add(tell) -> None:
    if tell not in _resident_channels:
        _resident_channels.append(tell)


@task()
def send_report_changed(event_id: int) -> None:
    event = ReportEvent.objects.select_related("report__category", "report__owner").get(pk=event_id)
    if not _residents_hear_of(event):
        return
    for tell in _resident_channels:
        tell(event)
    report = event.report
    for receipt in report_subscribers(report):
        email, language = receipt.contact
        followed = receipt.report if receipt.report_id != report.pk else report
        context = {**_context(report, receipt), "event": event, "followed": followed}
        if event.kind == ReportEvent.Kind.STATUS and event.to_value == Report.Status.FIXED:
            context["after_photos"] = _after_photo_urls(report, receipt)
        # Labels are lazy: they are translated when the template renders in `language`.
        if event.kind == ReportEvent.Kind.STATUS:
            context["status"] = Report.Status(event.to_value).label
            context["reason"] = Report.CloseReason(event.reason).label if event.reason else ""
        if event.kind == ReportEvent.Kind.FORWARDED:
            context["forwarded_to"] = report.owner
        _send(email, "changed", context, language, _reply_to(report))


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
    if report.assignee:
        _tell_organisation(
            report,
            report.assignee,
            staff_template="assigned",
            why="assigned",
            purpose=OwnerLink.Purpose.CONTRACTOR,
        )


@task()
def send_report_forwarded(event_id: int) -> None:
    event = ReportEvent.objects.select_related("report__category", "report__owner").get(pk=event_id)
    report = event.report
    _tell_organisation(report, report.owner, staff_template="new_report_staff", why="forwarded")
    send_report_changed.call(event_id)


@task()
def send_report_still_broken(event_id: int) -> None:
    """A resident says the fix did not hold: whoever looks after it and whoever did the
    work hear of it (links are sent anew: the old ones may have run out)."""
    event = ReportEvent.objects.select_related(
        "report__category", "report__asset__asset_type", "report__owner", "report__assignee"
    ).get(pk=event_id)
    report = event.report
    _tell_organisation(report, report.owner, staff_template="still_broken_staff", why="reopened")
    if report.assignee_id and report.assignee_id != report.owner_id:
        _tell_organisation(
            report,
            report.assignee,
            staff_template="still_broken_staff",
            why="reopened",
            purpose=OwnerLink.Purpose.CONTRACTOR,
        )


@task()
def send_report_handed_back(event_id: int) -> None:
    """A contractor returned the work through its link: the section that gave it hears."""
    event = ReportEvent.objects.select_related(
        "report__category", "report__owner", "by_organization"
    ).get(pk=event_id)
    report = event.report
    if report.owner.contact_email:
        reason = (
            report.events.filter(kind=ReportEvent.Kind.NOTE, by_organization=event.by_organization)
            .order_by("-pk")
            .values_list("text", flat=True)
            .first()
        )
        context = {
            **_staff_context(report, report.owner),
            "by": event.by_organization,
            "reason": reason or "",
        }
        _send(report.owner.contact_email, "handed_back_staff", context, "ja")


@task()
def send_owner_reminder(link_id: int) -> None:
    """The city's section hears that an owner (or contractor) let the target pass."""
    link = OwnerLink.objects.select_related(
        "organization", "report__category", "report__asset__asset_type", "report__owner"
    ).get(pk=link_id)
    report = link.report
    section = (
        owner_links.city_section_for(report.category, report=report)
        if link.purpose == OwnerLink.Purpose.OWNER
        else report.owner
    )
    if section is not None and section.contact_email:
        context = {**_context(report), "link": link, "organisation": link.organization}
        _send(section.contact_email, "owner_reminder", context, "ja")


def owner_reminders_send(*, now=None) -> int:
    """Remind the city once of each owner or contractor silent past its target; returns
    how many."""
    now = now or timezone.now()
    count = 0
    for link in owner_links.reminders_due(now=now).select_related("organization"):
        OwnerLink.objects.filter(pk=link.pk).update(reminded_at=now)
        ReportEvent.objects.create(
            report_id=link.report_id,
            kind=ReportEvent.Kind.REMINDED,
            to_value=link.organization.code,
            from_value=link.purpose,
            at=now,
        )
        send_owner_reminder.enqueue(link.pk)
        count += 1
    return count


def link_resend(report, organisation, purpose) -> owner_links.Issued:
    """Staff send an organisation a new link (the old one stops working); returned so that
    it can also be passed on by other means."""
    issued = owner_links.issue(report=report, organisation=organisation, purpose=purpose)
    if organisation.contact_email:
        _send(
            organisation.contact_email,
            "owner_request",
            _link_context(report, issued, "again"),
            "ja",
        )
    return issued


def report_assigned(event_id: int) -> None:
    send_report_assigned.enqueue(event_id)


def report_forwarded(event_id: int) -> None:
    send_report_forwarded.enqueue(event_id)


def report_still_broken(event_id: int) -> None:
    send_report_still_broken.enqueue(event_id)


def report_handed_back(event_id: int) -> None:
    send_report_handed_back.enqueue(event_id)


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
