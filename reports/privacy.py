"""What is held about one resident, shown to them or erased at their request (APPI: 開示請求
and 利用停止・消去請求), found by the e-mail address or phone number they gave.

Only managers with the personal-data right do this, within the reports they may read;
every disclosure and erasure is written on each report's trail (who, when; never the
address searched for). Erasing removes the person's contact details, their own words, the
landmark they typed and their photos; the report itself (a fault in the street) stays.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import policy
from accounts.policy import Right
from reports import photo_store, selectors
from reports.models import MeToo, Photo, Receipt, Report, ReportEvent
from reports.services import ReportError

ERASED = "（本人の求めにより消去しました / erased at the person's request）"


@dataclass
class Contribution:
    """One thing the person sent: a report of theirs, or a "me too"."""

    report: Report  # where it is now
    me_too: MeToo | None = None
    origin: Report | None = None  # the report they sent (for a report of theirs)

    @property
    def sent_at(self) -> datetime.datetime:
        return self.me_too.created_at if self.me_too else self.origin.created_at

    @property
    def photos(self):
        if self.me_too is not None:
            return Photo.objects.filter(me_too=self.me_too)
        return Photo.objects.filter(origin=self.origin, me_too__isnull=True)


def _require(acting_user) -> None:
    if not policy.may(acting_user, Right.PERSONAL_DATA):
        raise ReportError("Only managers handle requests about personal data.", code="forbidden")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def personal_data_find(*, acting_user, email: str = "", phone: str = "") -> list[Contribution]:
    """Everything this person sent among the reports the acting user may read: by the
    e-mail address (any case), or by the phone number (its digits, however it was typed)."""
    _require(acting_user)
    email, digits = email.strip(), _digits(phone)
    if not email and len(digits) < 6:
        raise ReportError(
            "Give the e-mail address or the phone number the person used.",
            code="nothing_to_search",
            field="email",
        )
    readable = selectors.reports_for_user(acting_user)
    reports, me_toos = Q(pk__in=[]), Q(pk__in=[])
    if email:
        reports |= Q(contact_email__iexact=email)
        me_toos |= Q(email__iexact=email)
    if digits:
        # Typed with or without hyphens: the stored numbers are compared by their digits.
        tail = digits[-4:]
        phones = readable.filter(contact_phone__contains=tail).values_list("pk", "contact_phone")
        reports |= Q(pk__in=[pk for pk, stored in phones if _digits(stored) == digits])
        phones = MeToo.objects.filter(report__in=readable, phone__contains=tail)
        me_toos |= Q(
            pk__in=[
                pk for pk, stored in phones.values_list("pk", "phone") if _digits(stored) == digits
            ]
        )
    found = [
        Contribution(report=_followed(report), origin=report)
        for report in readable.filter(reports).select_related("category", "duplicate_of", "asset")
    ]
    found += [
        Contribution(report=me_too.report, me_too=me_too)
        for me_too in MeToo.objects.filter(me_toos, report__in=readable).select_related(
            "report__category"
        )
    ]
    return sorted(found, key=lambda c: c.sent_at)


def _followed(report: Report) -> Report:
    seen = set()
    while report.duplicate_of_id and report.pk not in seen:
        seen.add(report.pk)
        report = report.duplicate_of
    return report


def _moment(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


@transaction.atomic
def personal_data_export(*, acting_user, email: str = "", phone: str = "") -> dict:
    """All that is held about the person, as one document to hand over; each report's
    trail records the disclosure."""
    found = personal_data_find(acting_user=acting_user, email=email, phone=phone)
    items = []
    for contribution in found:
        if contribution.me_too is not None:
            me_too = contribution.me_too
            held = {
                "kind": "me_too",
                "email": me_too.email,
                "name": me_too.name,
                "phone": me_too.phone,
                "may_be_contacted": me_too.consent,
                "description": me_too.description,
                "language": me_too.language,
            }
        else:
            origin = contribution.origin
            held = {
                "kind": "report",
                "email": origin.contact_email,
                "name": origin.contact_name,
                "phone": origin.contact_phone,
                "may_be_contacted": origin.contact_consent,
                "description": origin.description,
                "address_or_landmark": origin.address_text,
                "answers": origin.answers,
                "location": [origin.location.y, origin.location.x],
                "language": origin.language,
            }
        held.update(
            {
                "report_number": contribution.report.number,
                "category": contribution.report.category.name_ja,
                "status": contribution.report.status,
                "sent_at": _moment(contribution.sent_at),
                "photos": [
                    {"taken_at": _moment(p.taken_at), "width": p.width, "height": p.height}
                    for p in contribution.photos
                ],
            }
        )
        items.append(held)
    _audit(found, ReportEvent.Kind.DATA_DISCLOSED, acting_user)
    return {
        "exported_at": _moment(timezone.now()),
        "retention": "contact details are deleted a set time after a report is closed",
        "items": items,
    }


@transaction.atomic
def personal_data_erase(*, acting_user, email: str = "", phone: str = "") -> int:
    """Erase the person's contact details, words, landmark and photos; returns how many
    contributions were erased. Their receipt links keep working, showing the public face."""
    found = personal_data_find(acting_user=acting_user, email=email, phone=phone)
    files = []
    for contribution in found:
        for photo in contribution.photos:
            files.extend(photo.names)
            photo.delete()
        if contribution.me_too is not None:
            MeToo.objects.filter(pk=contribution.me_too.pk).update(
                email="",
                name="",
                phone="",
                consent=False,
                description=ERASED if contribution.me_too.description else "",
            )
            Receipt.objects.filter(me_too=contribution.me_too).update(announce=False)
        else:
            origin = contribution.origin
            asset_address = origin.asset.address if origin.asset_id else ""
            Report.objects.filter(pk=origin.pk).update(
                contact_email="",
                contact_name="",
                contact_phone="",
                contact_consent=False,
                description=ERASED if origin.description else "",
                description_public=False,
                address_text=asset_address if origin.address_text else "",
                contacts_deleted_at=timezone.now(),
            )
            Receipt.objects.filter(origin=origin, me_too__isnull=True).update(announce=False)
    _audit(found, ReportEvent.Kind.DATA_ERASED, acting_user)
    transaction.on_commit(lambda: photo_store.delete_files(files))
    return len(found)


def _audit(found, kind, acting_user) -> None:
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(report=report, kind=kind, by=policy.author(acting_user))
            for report in {c.report.pk: c.report for c in found}.values()
        ]
    )


# --- Retention: contact details deleted a set time after the report ended ------------------


@transaction.atomic
def reports_purge_contacts(*, now: datetime.datetime | None = None) -> int:
    """Delete contact details a set time after a report ended (Japan's APPI: keep personal
    data no longer than needed). Returns how many reports were cleaned."""
    now = now or timezone.now()
    due = selectors.reports_contacts_due(now=now).select_for_update()
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    Report.objects.filter(pk__in=ids).update(
        contact_email="",
        contact_name="",
        contact_phone="",
        contact_consent=False,
        contacts_deleted_at=now,
    )
    MeToo.objects.filter(report_id__in=ids).update(email="", name="", phone="", consent=False)
    ReportEvent.objects.bulk_create(
        [ReportEvent(report_id=pk, kind=ReportEvent.Kind.CONTACT_DELETED, at=now) for pk in ids]
    )
    return len(ids)
