"""Reports with chosen times: when each came in, was fixed, closed or reopened, and its
response target. They come in through the intake door and move through the status services
like any other; only the times are set afterwards, as if the steps had happened then."""

import datetime

from django.contrib.gis.geos import Point

from accounts import policy
from reports import intake, services
from reports.models import Report, ReportEvent

JST = datetime.timezone(datetime.timedelta(hours=9))
S = Report.Status


def at(month, day, hour=12, minute=0, year=2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=JST)


def fault(
    submit,
    category,
    created: datetime.datetime,
    *,
    lonlat=(132.7551, 35.3671),
    owner=None,
    target: datetime.timedelta | None = datetime.timedelta(hours=72),
    fixed: datetime.datetime | None = None,
    closed: datetime.datetime | None = None,
    reopened: datetime.datetime | None = None,
) -> Report:
    """A report that came in at `created`, with a response target `target` later (None: no
    target), fixed at `fixed`, closed at `closed` (as a duplicate when it was never fixed),
    reopened at `reopened`."""
    report = submit(
        category,
        place=intake.Place(point=Point(*lonlat, srid=4326), source="device", accuracy_m=5),
    )
    respond_by = created + target if target is not None else None
    Report.objects.filter(pk=report.pk).update(
        created_at=created,
        created_epoch=int(created.timestamp()),
        respond_by=respond_by,
        respond_epoch=int(respond_by.timestamp()) if respond_by else 0,
        owner=owner or report.owner,
    )
    steps = []
    if fixed:
        report = services.report_fix(report=report, acting_user=policy.SYSTEM)
        steps.append((S.FIXED, fixed))
    if closed:
        report = services.report_close(
            report=report,
            reason=Report.CloseReason.NO_FAULT if fixed else Report.CloseReason.DUPLICATE,
            acting_user=policy.SYSTEM,
        )
        steps.append((S.CLOSED, closed))
    if reopened:
        report = services.report_reopen(report=report, acting_user=policy.SYSTEM)
        steps.append((S.ACCEPTED, reopened))
    for status, when in steps:
        ReportEvent.objects.filter(
            report=report, kind=ReportEvent.Kind.STATUS, to_value=status
        ).update(at=when)
    ended = None if reopened else (closed or fixed)
    Report.objects.filter(pk=report.pk).update(ended_at=ended)
    report.refresh_from_db()
    return report
