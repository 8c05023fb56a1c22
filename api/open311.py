"""Open311 GeoReport v2 at /open311/v2/, with FixMyStreet's extensions.

Specification: http://wiki.open311.org/GeoReport_v2 . Every resource in .json and .xml,
UTF-8, datetimes with their offset, errors as the specification's error lists. A posted
request goes through the same reporting services as the web form. What a GET shows is what
anyone may know (reports/opendata.py): never contacts, internal notes, unmoderated
descriptions or original photos.

Extensions (FixMyStreet): `servicerequestupdates`, `extensions=true` for detailed statuses,
`groups` in the service list, and `page` / `page_size` on `requests`.
"""

import datetime
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import orjson
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from assets import fieldspecs
from assets.models import FaultCategory
from config import city
from qr_labels import codes
from reports import clients, intake, opendata, photo_store, services
from reports import selectors as report_selectors
from reports.forms import TEXT_LIMIT, photo_message
from reports.models import Report

logger = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this server's GeoReport interface last changed (discovery's `changeset`).
DISCOVERY_CHANGESET = "2026-11-26T00:00:00+09:00"
WINDOW = datetime.timedelta(days=90)
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# XML element of each member of a list, by the list's name.
_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "groups": "group",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
    "media_urls": "media_url",
}
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
_DATATYPES = {
    "text": "string",
    "integer": "number",
    "decimal": "number",
    "date": "datetime",
    "boolean": "singlevaluelist",
    "choice": "singlevaluelist",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


# --- Rendering ---------------------------------------------------------------------------------


# Characters XML 1.0 cannot carry at all (a control character pasted into a description
# would otherwise make the whole document unreadable for every client).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, member in value.items():
            element.append(_element(key, member))
    elif isinstance(value, list):
        item = _ITEMS.get(tag, "item")
        for member in value:
            element.append(_element(item, member))
    else:
        element.text = _text(value)
    return element


def render(data, fmt: str, root: str, *, status: int = 200) -> HttpResponse:
    """JSON as is; XML with `root` around it (lists name their members as the spec does)."""
    if fmt == "xml":
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
            _element(root, data), encoding="utf-8", xml_declaration=False
        )
    else:
        body = orjson.dumps(data)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, "errors", status=status)


def _moment(value) -> str | None:
    """W3C datetime with the offset, in the city's time zone."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def endpoint(methods=("GET", "HEAD")) -> Callable:
    """A GeoReport view: the format from the URL, the language from `locale` or the
    Accept-Language header, a foreign jurisdiction refused, errors in the spec's shape."""

    def wrap(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        def handler(request, fmt, **kwargs):
            try:
                params = request.POST if request.method == "POST" else request.GET
            except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError) as exc:
                return error_response(fmt, 400, f"the request body cannot be read: {exc}")
            jurisdiction = params.get("jurisdiction_id", "").strip()
            locale = params.get("locale", "").strip().replace("_", "-").lower()
            language = locale if locale and translation.check_for_language(locale) else None
            with translation.override(language or translation.get_language()):
                try:
                    if jurisdiction and jurisdiction != city.current().jurisdiction_id:
                        raise Open311Error(
                            404, f"jurisdiction_id {jurisdiction} is not served here"
                        )
                    return view(request, fmt, params, **kwargs)
                except Open311Error as exc:
                    return error_response(fmt, exc.status, exc.description)
                except photo_store.StorageUnavailable:
                    return error_response(
                        fmt, 503, "photo storage is unavailable: try again in a few minutes"
                    )
                except Exception:
                    # Clients get the spec's error list for every failure, never a page.
                    logger.exception("Open311 %s %s failed", request.method, request.path)
                    return error_response(fmt, 500, "internal error: try again later")

        return handler

    return wrap


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).lower()


# --- Discovery and services ----------------------------------------------------------------------


def _categories():
    return FaultCategory.objects.filter(is_active=True).order_by("group", "sort_order", "code")


@endpoint()
def discovery(request, fmt, params):
    here = city.current(request)
    base = here.public_base_url
    changeset = DISCOVERY_CHANGESET
    data = {
        "changeset": changeset,
        "contact": here.open311_contact or f"{here.name_en} {here.phone}",
        "key_service": f"API keys are issued by {here.name_en}: {here.phone}",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base}/open311/v2",
                "changeset": changeset,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(data, fmt, "discovery")


def _service(category: FaultCategory) -> dict:
    types = ", ".join(t.name_in(_language()) for t in category.asset_types.all())
    group = category.get_group_display()
    return {
        "service_code": category.code,
        "service_name": category.name_in(_language()),
        "description": types,
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": ", ".join(filter(None, [category.name_ja, category.name_en, group])),
        "group": group,
        "groups": [group],
    }


@endpoint()
def service_list(request, fmt, params):
    categories = _categories().prefetch_related("asset_types")
    return render([_service(c) for c in categories], fmt, "services")


def _values(spec: dict) -> list[dict]:
    if spec["kind"] == "boolean":
        yes, no = translation.gettext("Yes"), translation.gettext("No")
        return [{"key": "true", "name": yes}, {"key": "false", "name": no}]
    choices = spec.get("choices", [])
    return [
        {"key": value, "name": fieldspecs.label(choice) if isinstance(choice, dict) else value}
        for choice, value in zip(choices, fieldspecs.choice_values(spec), strict=True)
    ]


def _attribute(spec: dict, order: int) -> dict:
    kind = spec["kind"]
    described = {
        "integer": "a whole number",
        "decimal": "a number",
        "date": "a date, YYYY-MM-DD",
        "text": "text",
    }.get(kind, "one of the values")
    unit = spec.get("unit")
    return {
        "variable": True,
        "code": spec["key"],
        "datatype": _DATATYPES.get(kind, "string"),
        "required": bool(spec.get("required")),
        "datatype_description": f"{described} ({unit})" if unit else described,
        "order": order,
        "description": fieldspecs.label(spec),
        "values": _values(spec) if kind in ("choice", "boolean") else [],
    }


def _category(code: str) -> FaultCategory:
    category = _categories().filter(code=code.strip()).first()
    if category is None:
        raise Open311Error(404, f"service_code {code} not found")
    return category


@endpoint()
def service_definition(request, fmt, params, code):
    category = _category(code)
    attributes = [_attribute(spec, n) for n, spec in enumerate(category.questions, start=1)]
    return render(
        {"service_code": category.code, "attributes": attributes}, fmt, "service_definition"
    )


# --- Reading requests ----------------------------------------------------------------------------


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
        "requested_datetime": _moment(public.created_at),
        "updated_datetime": _moment(public.updated_at),
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
    if not text.isdigit() or not low <= int(text) <= high:
        raise Open311Error(400, f"{name} must be a whole number from {low} to {high}")
    return int(text)


def _listed(params, name: str) -> list[str]:
    return [item.strip() for item in params.get(name, "").split(",") if item.strip()]


def _extended(params) -> bool:
    return params.get("extensions", "").strip().lower() in ("true", "1", "yes")


@endpoint(methods=("GET", "HEAD", "POST"))
def requests(request, fmt, params):
    if request.method == "POST":
        return _post_request(request, fmt, params)
    limit = settings.OPEN311_MAX_RESULTS
    numbers = _listed(params, "service_request_id")
    if numbers:  # overrides every other filter
        if len(numbers) > limit:
            raise Open311Error(400, f"at most {limit} service_request_id at once")
        qs, page, size = opendata.reports_matching(numbers=numbers), 1, limit
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
        )
        page = _number(params, "page", default=1, low=1, high=1_000_000)
        size = _number(params, "page_size", default=limit, low=1, high=limit)
    qs = qs[(page - 1) * size : page * size]
    extended = _extended(params)
    rows = [_request(r, extended) for r in opendata.public_reports(qs, language=_language())]
    return render(rows, fmt, "service_requests")


@endpoint()
def request_detail(request, fmt, params, number):
    qs = opendata.reports_matching(numbers=[number.strip()])
    public = opendata.public_reports(qs, language=_language())
    rows = [_request(r, _extended(params)) for r in public]
    if not rows:
        raise Open311Error(404, f"service_request_id {number} not found")
    return render(rows, fmt, "service_requests")


@endpoint()
def token(request, fmt, params, token):
    """The request a poster's own receipt token stands for (the kept report after a merge)."""
    receipt = report_selectors.receipt_for_token(token.strip())
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
    rows = []
    for item in opendata.public_events(
        since=start, until=end, limit=size, offset=(page - 1) * size
    ):
        event = item.event
        rows.append(
            {
                "update_id": str(event.pk),
                "service_request_id": item.number,
                "status": _status(None, extended, status=item.status, reason=item.close_reason),
                "updated_datetime": _moment(event.at),
                "description": event.text if event.kind == event.Kind.NOTE else "",
                "media_url": "",
            }
        )
    return render(rows, fmt, "service_request_updates")


# --- Posting a request ---------------------------------------------------------------------------


def _client(params) -> clients.ApiClient:
    key = params.get("api_key", "").strip()
    if not key:
        raise Open311Error(403, "api_key is required to post a service request")
    try:
        client = clients.client_for_key(key)
    except clients.ClientError as exc:
        raise Open311Error(403, exc.detail) from None
    if not clients.client_within_rate(client):
        raise Open311Error(429, "Too many requests with this api_key: try again later")
    return client


def _attributes(request, params, category: FaultCategory) -> dict:
    known = {spec["key"] for spec in category.questions}
    answers = {}
    for name in params:
        if name.startswith("attribute[") and name.endswith("]"):
            code = name[len("attribute[") : -1]
            if code not in known:
                raise Open311Error(400, f"attribute[{code}] is not an attribute of this service")
            answers[code] = params.get(name)
    try:
        return fieldspecs.coerce_values(category.questions, answers)
    except fieldspecs.FieldErrors as exc:
        raise Open311Error(
            400, "; ".join(f"attribute[{k}] {message}" for k, message in exc.errors.items())
        ) from None


def _coordinates(params):
    lat, lon = params.get("lat", "").strip(), params.get("long", "").strip()
    if not lat and not lon:
        return None
    if not lat or not lon:
        raise Open311Error(400, "lat and long must be sent together")
    try:
        y, x = float(lat), float(lon)
    except ValueError:
        raise Open311Error(400, "lat and long must be decimal degrees (WGS84)") from None
    if not (-90 <= y <= 90 and -180 <= x <= 180):
        raise Open311Error(400, "lat and long are out of range")
    return Point(x, y, srid=4326)


def _contact(params) -> dict:
    email = params.get("email", "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Open311Error(400, "email is not a valid address") from None
    name = " ".join(p for p in (params.get("first_name", ""), params.get("last_name", "")) if p)
    phone = params.get("phone", "").strip()
    if len(name) > 200 or len(phone) > 40 or len(email) > 254:
        raise Open311Error(400, "a name, phone or email is too long")
    media_url = params.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, "media_url must be an http or https URL") from None
        if len(media_url) > 500:
            raise Open311Error(400, "media_url is longer than 500 characters")
    return {"email": email, "name": name.strip(), "phone": phone, "media_url": media_url}


def _photos(request) -> list:
    uploads = [f for name in request.FILES for f in request.FILES.getlist(name)]
    if len(uploads) > settings.REPORT_MAX_PHOTOS:
        raise Open311Error(400, f"at most {settings.REPORT_MAX_PHOTOS} photos")
    photos, refused = photo_store.photos_stage(uploads, room=settings.REPORT_MAX_PHOTOS)
    if refused:
        photo_store.photos_discard(photos)
        name, exc = refused[0]
        raise Open311Error(400, f"{name}: {photo_message(exc)}")
    return photos


def _place(params):
    """(address_id, place) from address_id, lat/long or address_string."""
    address_id = params.get("address_id", "").strip()
    address = params.get("address_string", "").strip()[:300]
    point = _coordinates(params)
    town = intake.town_in_address(address)
    if point is not None:
        place = intake.Place(point=point, source="device", address_text=address)
        place.town = town.name if town else ""
    else:
        place = intake.Place.from_form(address_text=address, town=town)
    if not address_id and point is None and address and town is None:
        raise Open311Error(
            400, "address_string names no town of this city: send lat and long, or address_id"
        )
    return address_id, place


def _post_request(request, fmt, params):
    client = _client(params)
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    category = _category(code)
    if not clients.client_may_post(client, category):
        raise Open311Error(403, f"this api_key may not post to service_code {code}")
    description = params.get("description", "")
    if len(description) > TEXT_LIMIT:
        raise Open311Error(400, f"description is longer than {TEXT_LIMIT} characters")
    answers = _attributes(request, params, category)
    contact = _contact(params)
    address_id, place = _place(params)
    if not address_id and place.point is None and not request.FILES:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    asset = None
    if address_id:
        try:
            asset = intake.asset_for_address_id(address_id, category)
        except services.ReportError as exc:
            raise Open311Error(
                400,
                f"address_id {address_id} is neither a sticker code nor the ledger number of "
                f"one asset in service that this service applies to ({exc.detail})",
            ) from None
    label_code = codes.normalize(address_id) if asset is not None else ""
    if label_code and not asset.labels.filter(code=label_code).exists():
        label_code = ""  # a ledger number, not a sticker
    photos = _photos(request)
    try:
        outcome = intake.report_intake(
            channel=Report.Source.OPEN311,
            acting_user=AnonymousUser(),
            category=category,
            language=_language(),
            asset=asset,
            label_code=label_code,
            place=place,
            description=description,
            answers=answers,
            photos=photos,
            contact=intake.Contact(
                email=contact["email"],
                name=contact["name"],
                phone=contact["phone"],
                consent=bool(contact["email"] or contact["phone"]),
            ),
            join=intake.Join.SAME_CATEGORY,
            api_client=client,
            media_url=contact["media_url"],
        )
    except services.ReportError as exc:
        raise Open311Error(400, exc.detail) from None
    report = outcome.report
    if outcome.joined:
        notice = f"Already reported as {report.number}; this report was added to it."
    else:
        notice = f"Received as {report.number}."
    data = [
        {
            "service_request_id": report.number,
            "token": outcome.receipt.token,
            "service_notice": notice,
            "account_id": None,
        }
    ]
    return render(data, fmt, "service_requests")


def not_found(request, path=""):
    fmt = "xml" if path.endswith(".xml") else "json"
    return error_response(fmt, 404, "no such resource: see /open311/v2/discovery.json")
