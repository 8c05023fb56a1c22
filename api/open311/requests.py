"""Reading requests: the list, one request, a receipt's token, and the updates since."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from api.open311 import posting
from api.open311.render import Open311Error, endpoint, moment, render
from config import city
from reports import opendata
from reports import selectors as report_selectors
from reports.language import request_language
from reports.models import Report

WINDOW = datetime.timedelta(days=90)
# FixMyStreet's detailed statuses (extensions=true).
_DETAILED = {
    Report.Status.NEW: "open",
    Report.Status.ACCEPTED: "action_scheduled",
    Report.Status.IN_PROGRESS: "in_progress",
    Report.Status.FIXED: "fixed",
}
_CLOSED_DETAILED = {
    Report.CloseReason.DUPLICATE: "duplicate",
    Report.CloseReason.NOT_OURS: "not_councils_responsibility",
    Report.CloseReason.NO_FAULT: "no_further_action",
}


def _status(public: opendata.PublicReport | None, extended: bool, status=None, reason=None):
    status = status if status is not None else public.status
    reason = reason if reason is not None else public.close_reason
    if not extended:
        return "open" if status in Report.OPEN_STATUSES else "closed"
    if status == Report.Status.CLOSED:
        return _CLOSED_DETAILED.get(reason, "closed")
    return _DETAILED.get(status, "open")


def _request(public: opendata.PublicReport, extended: bool) -> dict:
    data = {
        "service_request_id": public.number,
        "status": _status(public, extended),
        "status_notes": public.status_notes or None,
        "service_name": public.category_name,
        "service_code": public.category_code,
        "description": public.description or None,
        "agency_responsible": public.owner,
        "service_notice": None,
        "requested_datetime": moment(public.created_at),
        "updated_datetime": moment(public.updated_at),
        "expected_datetime": None,
        "address": public.address or None,
        "address_id": public.label_code or public.ledger_id or None,
        "zipcode": None,
        "lat": public.lat,
        "long": public.lon,
        "media_url": public.photo_urls[0] if public.photo_urls else None,
    }
    if extended:
        data["extended_attributes"] = {
            "detailed_status": _status(public, True),
            "asset_type": public.asset_type or None,
            "town": public.town or None,
            "me_too_count": public.me_too,
            "media_urls": public.photo_urls,
        }
    return data


def _when(params, name: str) -> datetime.datetime | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        value = parse_datetime(text.replace(" ", "+"))  # a "+" not URL-encoded arrives as " "
        if value is None and parse_date(text):
            value = datetime.datetime.combine(parse_date(text), datetime.time())
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, f"{name} must be a W3C datetime, e.g. 2026-04-01T00:00:00+09:00")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _window(params) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = _when(params, "start_date"), _when(params, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = min(start + WINDOW, timezone.now())
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def _number(params, name: str, *, default: int, low: int, high: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    if not text.isdecimal() or not low <= int(text) <= high:
        raise Open311Error(400, f"{name} must be a whole number from {low} to {high}")
    return int(text)


def _listed(params, name: str) -> list[str]:
    return [item.strip() for item in params.get(name, "").split(",") if item.strip()]


def _extended(params) -> bool:
    return params.get("extensions", "").strip().lower() in ("true", "1", "yes")


@endpoint(methods=("GET", "HEAD", "POST"))
def requests(request, fmt, params):
    if request.method == "POST":
        return posting.request_post(request, fmt, params)
    limit = settings.OPEN311_MAX_RESULTS
    numbers = _listed(params, "service_request_id")
    if numbers:  # overrides every other filter
        if len(numbers) > limit:
            raise Open311Error(400, f"at most {limit} service_request_id at once")
        qs, page, size = opendata.reports_matching(numbers=numbers, where=request), 1, limit
    else:
        start, end = _window(params)
        statuses = {s.lower() for s in _listed(params, "status")}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed (comma separated)")
        qs = opendata.reports_matching(
            since=start,
            until=end,
            categories=_listed(params, "service_code"),
            state=next(iter(statuses)) if len(statuses) == 1 else "",
            where=request,
        )
        page = _number(params, "page", default=1, low=1, high=1_000_000)
        size = _number(params, "page_size", default=limit, low=1, high=limit)
    qs = qs[(page - 1) * size : page * size]
    extended = _extended(params)
    public = opendata.public_reports(qs, language=request_language(), here=city.current(request))
    return render([_request(r, extended) for r in public], fmt, "service_requests")


@endpoint()
def request_detail(request, fmt, params, number):
    qs = opendata.reports_matching(numbers=[number.strip()], where=request)
    public = opendata.public_reports(qs, language=request_language(), here=city.current(request))
    rows = [_request(r, _extended(params)) for r in public]
    if not rows:
        raise Open311Error(404, f"service_request_id {number} not found")
    return render(rows, fmt, "service_requests")


@endpoint()
def token(request, fmt, params, token):
    """The request a poster's own receipt token stands for (the kept report after a merge)."""
    receipt = report_selectors.receipt_for_token(token.strip(), request)
    if receipt is None:
        raise Open311Error(404, "token not found")
    return render(
        [{"service_request_id": receipt.report.number, "token": receipt.token}],
        fmt,
        "service_requests",
    )


@endpoint()
def request_updates(request, fmt, params):
    start, end = _window(params)
    limit = settings.OPEN311_MAX_RESULTS
    page = _number(params, "page", default=1, low=1, high=1_000_000)
    size = _number(params, "page_size", default=limit, low=1, high=limit)
    extended = _extended(params)
    language = request_language()
    rows = []
    for item in opendata.public_events(
        since=start, until=end, limit=size, offset=(page - 1) * size, where=request
    ):
        event = item.event
        rows.append(
            {
                "update_id": str(event.pk),
                "service_request_id": item.number,
                "status": _status(None, extended, status=item.status, reason=item.close_reason),
                "updated_datetime": moment(event.at),
                "description": event.public_words(language),
                "media_url": "",
            }
        )
    return render(rows, fmt, "service_request_updates")
