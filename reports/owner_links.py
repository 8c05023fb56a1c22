"""Links that let an organisation without staff in the system act on one report.

A neighbourhood association that looks after 600 security lights, a prefectural office, a
utility or a small contractor has no account here, yet must hear of every report on its
things and answer it. Each gets, by email, a link to one report: signed (a nonce signed
with the deployment's secret, so a guessed or altered link fails before the database is
asked), expiring, and kept in the database only as a hash of its nonce, so that a copy of
the database alone opens nothing. One live link per report, organisation and purpose: a
new one withdraws the old; the link is withdrawn when the report goes to somebody else,
and it only reads once the report is dealt with.

Why not Django's password-reset-style token? Those expire by time alone and cannot be
withdrawn one by one; a row per link can, and says when it was last used.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.city_staff import city_of_organisation
from accounts.models import Organization, User
from assets.models import FaultCategory
from reports.models import OwnerLink, Photo, Report, ReportEvent

_SALT = "machimori.reports.owner-link"
_SEP = "."


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=_SEP)


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode("ascii")).hexdigest()


# Organisations outside the city's staff; the city's own sections get the staff page even
# before anyone there has an account (a manager gives them one).
LINK_KINDS = frozenset({*policy.OUTSIDE_OWNER_KINDS, Organization.Kind.CONTRACTOR})


def needs_link(organisation: Organization) -> bool:
    """An organisation outside the city that nobody can sign in for: it acts through links.
    Owners and contractors who have accounts keep their queue."""
    if organisation.kind not in LINK_KINDS:
        return False
    return not User.objects.filter(organization=organisation, is_active=True, role__gt="").exists()


@dataclass(frozen=True)
class Issued:
    link: OwnerLink
    token: str

    @property
    def url(self) -> str:
        # The report's city's address: links go out from tasks, which have no request.
        here = city_of_organisation(self.link.report.owner)
        return f"{here.public_base_url}/owner/{self.token}/"


def issue(*, report: Report, organisation: Organization, purpose: str) -> Issued:
    """A new link for `organisation` to `report`; an older live one of the same purpose is
    withdrawn (only the newest email works)."""
    now = timezone.now()
    respond_by = report.respond_by
    if purpose == OwnerLink.Purpose.CONTRACTOR and report.work_due_on is not None:
        respond_by = timezone.make_aware(
            datetime.datetime.combine(report.work_due_on, datetime.time(23, 59, 59))
        )
    lifetime = datetime.timedelta(days=settings.OWNER_LINK_DAYS)
    expires = now + lifetime
    if respond_by is not None and respond_by + lifetime > expires:
        expires = respond_by + lifetime
    live(report).filter(organization=organisation, purpose=purpose).update(revoked_at=now)
    nonce = secrets.token_urlsafe(24)
    link = OwnerLink.objects.create(
        report=report,
        organization=organisation,
        purpose=purpose,
        nonce_hash=_hash(nonce),
        created_at=now,
        expires_at=expires,
        respond_by=respond_by,
    )
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.LINK_SENT,
        to_value=organisation.code,
        from_value=purpose,
        at=now,
    )
    return Issued(link, _signer().sign(nonce))


def live(report: Report) -> QuerySet[OwnerLink]:
    """Links to the report not withdrawn and not expired."""
    return OwnerLink.objects.filter(
        report=report, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def revoke_stale(report: Report) -> int:
    """Withdraw the links of organisations the report no longer belongs to (passed on to
    another owner, the work given to another contractor or taken back)."""
    stale = live(report).filter(
        Q(purpose=OwnerLink.Purpose.OWNER) & ~Q(organization_id=report.owner_id)
        | Q(purpose=OwnerLink.Purpose.CONTRACTOR) & ~Q(organization_id=report.assignee_id or 0)
    )
    now, count = timezone.now(), 0
    for link in stale.select_related("organization"):
        OwnerLink.objects.filter(pk=link.pk).update(revoked_at=now)
        ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.LINK_REVOKED,
            to_value=link.organization.code,
            from_value=link.purpose,
            at=now,
        )
        count += 1
    return count


class Refused(Exception):
    """A link that opens nothing: `reason` is "unknown", "revoked", "expired" or "moved"."""

    def __init__(self, reason: str, link: OwnerLink | None = None):
        super().__init__(reason)
        self.reason, self.link = reason, link


def resolve(token: str) -> OwnerLink:
    """The link a token names, still live and still its organisation's; else Refused."""
    if not token or len(token) > 200:
        raise Refused("unknown")
    try:
        nonce = _signer().unsign(token)
    except signing.BadSignature:
        raise Refused("unknown") from None
    link = (
        OwnerLink.objects.select_related(
            "organization", "report__category", "report__asset__asset_type", "report__owner"
        )
        .filter(nonce_hash=_hash(nonce))
        .first()
    )
    if link is None:
        raise Refused("unknown")
    if link.revoked_at is not None:
        raise Refused("revoked", link)
    if link.expires_at <= timezone.now():
        raise Refused("expired", link)
    if not actor(link).holds(link.report):
        raise Refused("moved", link)
    return link


def actor(link: OwnerLink) -> policy.LinkHolder:
    """Who acts through the link, for the permission policy."""
    return policy.LinkHolder(
        organization_id=link.organization_id, report_id=link.report_id, purpose=link.purpose
    )


def used(link: OwnerLink) -> None:
    OwnerLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())


def reminders_due(*, now: datetime.datetime | None = None) -> QuerySet[OwnerLink]:
    """Live links whose organisation did nothing through them by the time it should have
    acted, on reports still open, not reminded of yet: the city hears of each once."""
    now = now or timezone.now()
    return OwnerLink.objects.filter(
        revoked_at__isnull=True,
        expires_at__gt=now,
        last_used_at__isnull=True,
        reminded_at__isnull=True,
        respond_by__lt=now,
        report__status__in=Report.OPEN_STATUSES,
    )


def owner_links_of(report: Report) -> list:
    """The links sent for the report, newest first, with their organisation."""
    return list(report.owner_links.select_related("organization").order_by("-created_at", "-pk"))


def owner_link_photos(report: Report) -> QuerySet[Photo]:
    """Photos an owner's or contractor's link may show: those of the repair, those staff
    made public, and the reporter's own only when they agreed to share them (APPI)."""
    visible = Q(is_public=True) | Q(kind=Photo.Kind.AFTER)
    if report.share_consent:
        visible |= Q(origin_id=report.pk, me_too__isnull=True, kind=Photo.Kind.REPORTED)
    return Photo.objects.filter(visible, report_id=report.pk).order_by("position", "id")


def city_section_for(
    category: FaultCategory, *, report: Report | None = None
) -> Organization | None:
    """The city's own section for a category: where an outside owner hands a report back
    to (the category's section when it is the city's, else REPORT_DEFAULT_OWNER, else the
    city). Given the report, only an organisation of the report's city (its owner's,
    Organization.city; null: the one city) is chosen."""
    city_kinds = (Organization.Kind.CITY, Organization.Kind.SECTION)
    ours = Organization.objects.filter(kind__in=city_kinds)
    if report is not None:
        ours = ours.filter(city_id=report.owner.city_id)
    default = category.default_owner if category.default_owner_id else None
    if (
        default is not None
        and default.kind in city_kinds
        and (report is None or default.city_id == report.owner.city_id)
    ):
        return default
    fallback = ours.filter(code=settings.REPORT_DEFAULT_OWNER).first()
    if fallback is not None:
        return fallback
    return ours.filter(kind=Organization.Kind.CITY).order_by("pk").first()
