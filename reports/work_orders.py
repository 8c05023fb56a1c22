"""Work orders on paper (作業指示書): what one A4 sheet per report shows, and the contractor's
link a sheet may carry as a QR code.

A sheet goes with the work to whoever does it, often a small contractor outside the city.
So it shows what a contractor's own link shows (reports/owner_links.py): never the
resident's contact details, and their words and photos only when they agreed to share them
(APPI) — unless the work stays with the city's own staff. The answers to the category's
questions are the fault's, not the resident's, and are always printed, as labels.

The QR code leads to the contractor's link when one was issued for this printing; else to
the report's staff page. Links are stored only as hashes, so an earlier link cannot be
printed again: printing with a link issues a new one (the old one stops working), which is
a change, done only on purpose (a POST by someone who may change the report), audited like
sending a link from the report page, and never by merely opening a sheet.
"""

import datetime
import math
import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape

import qrcode
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from qrcode.constants import ERROR_CORRECT_M

from accounts import policy
from accounts.cities import in_city
from accounts.city_staff import city_of_organisation
from accounts.errors import DomainError
from accounts.models import User
from accounts.policy import Right
from qr_labels.qr import QUIET_ZONE, runs
from reports import notices, owner_links, selectors, words
from reports.models import OwnerLink, Photo, Report, ReportEvent

MAX_SELECTION = 100  # sheets in one printing: a day's work for a section, and a page that loads
PHOTOS_PER_SHEET = 4  # what fits the A4 sheet beside everything else
DESCRIPTION_CHARS = 160  # three lines; the rest is on the report's page
MAP_ZOOM = 17  # about 470 m across the excerpt in Izumo: the streets around the place
MAP_WIDTH, MAP_HEIGHT = 480, 300  # the excerpt in map pixels (8:5, as work_order.css has it)
TILE = 256
# What a report number may hold (R-2026-000123); anything else is no report, and never
# reaches the database (PostgreSQL refuses NUL characters with an error, not a miss).
_NUMBER = re.compile(r"[A-Za-z0-9-]{1,20}")


class WorkOrderError(DomainError):
    """A selection that cannot be printed: `unknown_report` (not among the user's reports,
    whether it exists or not), `none_chosen` or `too_many`."""


@dataclass(frozen=True)
class Answer:
    question: str
    value: str


@dataclass(frozen=True)
class Tile:
    x: int  # in the excerpt's pixels
    y: int
    href: str


@dataclass(frozen=True)
class MapExcerpt:
    """The tiles around a point, positioned in an SVG's own coordinates (no style, no
    script: the page's Content-Security-Policy allows neither inline), the point in the
    middle, and a scale bar. Without tiles (none configured, or offline) the same box shows
    the coordinates instead."""

    lat: float
    lon: float
    width: int
    height: int
    tiles: tuple[Tile, ...]
    marker_x: float
    marker_y: float
    scale_px: float
    scale_m: int

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


@dataclass(frozen=True)
class WorkOrder:
    report: Report
    answers: tuple[Answer, ...]
    photos: tuple[Photo, ...]
    photos_left_out: int  # more than fit the sheet
    photos_withheld: int  # the resident did not agree to share them with the contractor
    description: str  # cut to what the sheet holds
    landmark: str
    outside: bool  # the work is with an organisation outside the city's staff
    assigned_on: datetime.date | None
    due_on: datetime.date | None
    due_is_work: bool  # the work's due date (else the category's response target)
    staff_url: str
    map: MapExcerpt
    needs_link: bool  # the assignee has nobody who signs in: it acts through a link
    may_issue_link: bool  # …and this user may print one for it
    issued: owner_links.Issued | None = field(default=None)

    @property
    def qr_url(self) -> str:
        return self.issued.url if self.issued is not None else self.staff_url

    @property
    def qr_svg(self) -> str:
        return qr_svg(self.qr_url)


def _outside(organisation) -> bool:
    """As reports/notices.py says it: owners and contractors outside the city's staff."""
    return organisation is not None and organisation.kind in owner_links.LINK_KINDS


def selection(numbers: Sequence[str]) -> list[str]:
    """The report numbers asked for, each once, in their order; refused when there are
    none or too many (before the database is asked)."""
    chosen = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not chosen:
        raise WorkOrderError("Choose at least one report.", code="none_chosen")
    if len(chosen) > MAX_SELECTION:
        raise WorkOrderError(
            f"At most {MAX_SELECTION} work orders at once ({len(chosen)} chosen).",
            code="too_many",
        )
    return chosen


def work_orders_for(user, numbers: Sequence[str], where=None) -> list[WorkOrder]:
    """The sheets of these reports for this user, in the order asked. Any number that is
    not among the reports the user may read (another organisation's, another city's than
    `where`'s — a request or a city —, or none at all) refuses the whole selection, naming
    nothing."""
    chosen = selection(numbers)
    if not all(_NUMBER.fullmatch(number) for number in chosen):
        raise WorkOrderError("No such report.", code="unknown_report")
    reported = Photo.objects.filter(kind=Photo.Kind.REPORTED).order_by("position", "id")
    found = {
        report.number: report
        for report in in_city(selectors.reports_for_user(user), where)
        .filter(number__in=chosen)
        .select_related("category", "asset__asset_type", "owner", "assignee")
        .prefetch_related(Prefetch("photos", queryset=reported, to_attr="reported_photos"))
    }
    if len(found) != len(chosen):
        raise WorkOrderError("No such report.", code="unknown_report")
    reports = [found[number] for number in chosen]
    assigned = _assigned_on(reports)
    link_less = _without_staff({r.assignee_id for r in reports if _outside(r.assignee)})
    return [
        _sheet(
            report,
            user,
            assigned_on=assigned.get(report.pk),
            needs_link=report.assignee_id in link_less,
            # The report's city's address (its owner's), not the settings'.
            base=city_of_organisation(report.owner).public_base_url,
        )
        for report in reports
    ]


def _assigned_on(reports: list[Report]) -> dict[int, datetime.date]:
    """The day each report was last given to its assignee."""
    events = (
        ReportEvent.objects.filter(
            report__in=[r.pk for r in reports if r.assignee_id], kind=ReportEvent.Kind.ASSIGNED
        )
        .order_by("report_id", "at", "id")
        .values_list("report_id", "at")
    )
    return {report_id: timezone.localdate(at) for report_id, at in events}


def _without_staff(organisation_ids: set[int]) -> set[int]:
    """The organisations among these that nobody signs in for (owner_links.needs_link, in
    one query)."""
    staffed = User.objects.filter(
        organization_id__in=organisation_ids, is_active=True, role__gt=""
    ).values_list("organization_id", flat=True)
    return organisation_ids - set(staffed)


def _sheet(report: Report, user, *, assigned_on, needs_link: bool, base: str) -> WorkOrder:
    # Not yet given to anyone: the sheet may still be handed to a contractor, so it shows
    # what a contractor may see (privacy first).
    outside = report.assignee is None or _outside(report.assignee)
    photos = report.reported_photos
    shown = [p for p in photos if _may_go_out(report, p)] if outside else photos
    description = report.description
    if outside and not _words_may_go_out(report):
        description = ""
    cut = len(description) > DESCRIPTION_CHARS
    return WorkOrder(
        report=report,
        answers=answers(report, own_words=not outside or _words_may_go_out(report)),
        photos=tuple(shown[:PHOTOS_PER_SHEET]),
        photos_left_out=max(0, len(shown) - PHOTOS_PER_SHEET),
        photos_withheld=len(photos) - len(shown),
        description=description[:DESCRIPTION_CHARS].rstrip() + ("…" if cut else ""),
        landmark=report.address_text if not outside or report.share_consent else "",
        outside=outside,
        assigned_on=assigned_on,
        due_on=report.target_date,
        due_is_work=report.work_due_on is not None,
        staff_url=base + reverse("manage-report", kwargs={"number": report.number}),
        map=map_excerpt(report.location.y, report.location.x, settings.MAP_TILE_URL),
        needs_link=needs_link,
        may_issue_link=needs_link and _may_issue(user, report),
    )


def _may_go_out(report: Report, photo: Photo) -> bool:
    """A photo a contractor's link would show (owner_links.owner_link_photos): made public
    by staff, or the first reporter's own when they agreed to share it."""
    own = photo.origin_id == report.pk and photo.me_too_id is None
    return photo.is_public or (report.share_consent and own)


def _may_issue(user, report: Report) -> bool:
    """As the report page offers a contractor's link: the work is given out and open, and
    the user may change the report."""
    return (
        report.is_open
        and report.assignee_id is not None
        and policy.may_on_report(user, Right.CHANGE_REPORTS, report)
    )


def answers(report: Report, *, own_words: bool = True) -> tuple[Answer, ...]:
    """The answers to the category's questions in words (reports/words.py), in the
    category's order; without `own_words`, answers typed as free text (the resident's own
    words, like the description) are left out."""
    typed = {
        spec.get("key")
        for spec in report.category.questions or ()
        if isinstance(spec, dict) and spec.get("kind") == "text"
    }
    values = {k: v for k, v in (report.answers or {}).items() if own_words or k not in typed}
    return tuple(
        Answer(question, value)
        for question, value in words.answers(report.category.questions, values)
    )


def _words_may_go_out(report: Report) -> bool:
    """The resident's own words go to someone outside only as their description does."""
    return report.share_consent or report.description_public


# --- The map excerpt ------------------------------------------------------------------------


def _pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel of a place at a zoom (the tiles' own grid)."""
    size = TILE * 2**zoom
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * size
    rad = math.radians(lat)
    y = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * size
    return x, y


def _scale(lat: float, zoom: int) -> tuple[float, int]:
    """A round length of at most a quarter of the excerpt, and its width in pixels."""
    metres_per_px = 156543.03392 * math.cos(math.radians(lat)) / 2**zoom
    metres = 10
    for candidate in (10, 20, 50, 100, 200, 500, 1000):
        if candidate / metres_per_px <= MAP_WIDTH / 4:
            metres = candidate
    return round(metres / metres_per_px, 1), metres


def tile_attribution() -> str:
    """Whose map the tiles are (GSI's terms ask for it), as plain text for paper."""
    return strip_tags(settings.MAP_TILE_ATTRIBUTION) if settings.MAP_TILE_URL else ""


def map_excerpt(lat: float, lon: float, tile_url: str, *, zoom: int = MAP_ZOOM) -> MapExcerpt:
    """The tiles that cover the excerpt around (lat, lon), the place in its middle. The
    browser fetches them (the server never does); none when no tile server is set."""
    px, py = _pixel(lat, lon, zoom)
    left, top = px - MAP_WIDTH / 2, py - MAP_HEIGHT / 2
    tiles = []
    if tile_url:
        count = 2**zoom
        for ty in range(math.floor(top / TILE), math.floor((top + MAP_HEIGHT) / TILE) + 1):
            for tx in range(math.floor(left / TILE), math.floor((left + MAP_WIDTH) / TILE) + 1):
                if 0 <= ty < count:
                    href = (
                        tile_url.replace("{z}", str(zoom))
                        .replace("{x}", str(tx % count))
                        .replace("{y}", str(ty))
                        .replace("{s}", "a")
                        .replace("{r}", "")
                    )
                    tiles.append(Tile(round(tx * TILE - left), round(ty * TILE - top), href))
    scale_px, scale_m = _scale(lat, zoom)
    return MapExcerpt(
        lat=lat,
        lon=lon,
        width=MAP_WIDTH,
        height=MAP_HEIGHT,
        tiles=tuple(tiles),
        marker_x=MAP_WIDTH / 2,
        marker_y=MAP_HEIGHT / 2,
        scale_px=scale_px,
        scale_m=scale_m,
    )


# --- The QR code ----------------------------------------------------------------------------


def qr_svg(url: str) -> str:
    """A QR symbol of the URL as one SVG path with its quiet zone, sized by the page's CSS.
    Level M: a sheet is printed fresh on office paper, unlike a sticker out in the weather,
    and a long signed link stays a small symbol."""
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    symbol.add_data(url)
    symbol.make(fit=True)
    modules = symbol.modules
    size = len(modules) + 2 * QUIET_ZONE
    path = "".join(
        f"M{x + QUIET_ZONE},{y + QUIET_ZONE}h{length}v1h-{length}z"
        for y, x, length in runs(modules)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="qr" '
        f'role="img" aria-label="QR: {escape(url, {chr(34): "&quot;"})}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}" fill="#000" shape-rendering="crispEdges"/></svg>'
    )


# --- Printing with the contractor's link ----------------------------------------------------


@dataclass(frozen=True)
class LinksIssued:
    orders: list[WorkOrder]
    issued: tuple[str, ...]  # report numbers whose sheet now carries a new link
    failed: tuple[str, ...]  # the link's e-mail could not be sent: nothing was changed


def work_order_links_issue(*, orders: Sequence[WorkOrder], acting_user) -> LinksIssued:
    """New links for the contractors of these sheets, to print on them: for each report
    whose work is with an organisation nobody signs in for, while the acting user may
    change it. As "send a new link" on the report's page: the old link stops working, the
    new one is e-mailed too when the contractor has an address, and the report's history
    says so, with who did it. A report whose mail cannot be sent keeps its old link."""
    result, issued, failed = [], [], []
    for order in orders:
        report = order.report
        if not (order.needs_link and _may_issue(acting_user, report)):
            result.append(order)
            continue
        try:
            with transaction.atomic():
                link = notices.link_resend(report, report.assignee, OwnerLink.Purpose.CONTRACTOR)
                ReportEvent.objects.filter(
                    report=report,
                    by__isnull=True,
                    kind=ReportEvent.Kind.LINK_SENT,
                    to_value=report.assignee.code,
                    at=link.link.created_at,
                ).update(by=policy.author(acting_user))
        except (smtplib.SMTPException, OSError):
            failed.append(report.number)
            result.append(order)
            continue
        issued.append(report.number)
        result.append(replace(order, issued=link))
    return LinksIssued(result, tuple(issued), tuple(failed))
