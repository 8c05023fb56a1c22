"""Posting a request: the client's key, the answers, contact, photos and place, to the intake."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from accounts.cities import city_id_of
from api.open311.definitions import service_category
from api.open311.render import Open311Error, render
from assets import fieldspecs
from assets.models import FaultCategory
from config import city
from qr_labels import codes
from qr_labels.selectors import label_is_here
from reports import clients, idempotency, intake, photo_store, services
from reports.forms import TEXT_LIMIT, photo_message
from reports.language import request_language
from reports.models import Receipt, Report


def _client(request, params) -> clients.ApiClient:
    key = params.get("api_key", "").strip()
    if not key:
        raise Open311Error(403, "api_key is required to post a service request")
    try:
        client = clients.client_for_key(key)
    except clients.ClientError as exc:
        raise Open311Error(403, exc.detail) from None
    here = city_id_of(request)
    if here is not None and client.organization.city_id != here:
        raise Open311Error(403, "This api_key was issued by another city: it is not valid here.")
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


def _idempotency(request, client, params) -> tuple[str, str]:
    """(stored key, request digest) from the Idempotency-Key header or the idempotency_key
    field (GeoReport v2 clients cannot always set headers), scoped to this client; ("", "")
    when none was sent."""
    sent = request.headers.get("Idempotency-Key", "") or params.get("idempotency_key", "")
    if not sent:
        return "", ""
    try:
        key = idempotency.client_key(sent)
    except idempotency.BadKey as exc:
        raise Open311Error(400, f"idempotency_key_invalid: {exc}") from None
    uploads = [f for name in sorted(request.FILES) for f in request.FILES.getlist(name)]
    digest = idempotency.request_digest(params, uploads)
    return idempotency.scoped(f"o311:{client.pk}", key), digest


def _replay(receipt: Receipt | None, digest: str):
    """The first answer for a key sent again with the same request; refused with another."""
    if receipt is None:
        return None
    if receipt.idempotency_digest != digest:
        raise Open311Error(
            422,
            "idempotency_key_reused: this Idempotency-Key was sent with another request; "
            "use a new key for a new request",
        )
    return receipt


def _answer(receipt: Receipt, fmt):
    """The answer to a post, the same for its resends (a "me too" receipt has me_too)."""
    report = receipt.report
    if receipt.me_too_id is not None:
        notice = f"Already reported as {report.number}; this report was added to it."
    else:
        notice = f"Received as {report.number}."
    data = [
        {
            "service_request_id": report.number,
            "token": receipt.token,
            "service_notice": notice,
            "account_id": None,
        }
    ]
    return render(data, fmt, "service_requests")


def _place(params, where=None):
    """(address_id, place) from address_id, lat/long or address_string (a town among those
    of the city `where` names)."""
    address_id = params.get("address_id", "").strip()
    address = params.get("address_string", "").strip()[:300]
    point = _coordinates(params)
    town = intake.town_in_address(address, where)
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


def request_post(request, fmt, params):
    """POST requests.json / .xml, called by the `requests` endpoint (which has checked the
    format, language and jurisdiction)."""
    client = _client(request, params)
    key, digest = _idempotency(request, client, params)
    replayed = _replay(idempotency.receipt_for(key), digest)
    if replayed is not None:
        return _answer(replayed, fmt)  # a resend is not a new post: not counted
    if not clients.client_within_rate(client):
        raise Open311Error(429, "Too many requests with this api_key: try again later")
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    category = service_category(code)
    if not clients.client_may_post(client, category):
        raise Open311Error(403, f"this api_key may not post to service_code {code}")
    description = params.get("description", "")
    if len(description) > TEXT_LIMIT:
        raise Open311Error(400, f"description is longer than {TEXT_LIMIT} characters")
    answers = _attributes(request, params, category)
    contact = _contact(params)
    address_id, place = _place(params, request)
    if not address_id and place.point is None and not request.FILES:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    asset = None
    if address_id:
        try:
            asset = intake.asset_for_address_id(address_id, category, request)
            if not label_is_here(asset.owner.city_id, request):
                raise services.ReportError("of another city", code="no_such_asset")
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
            language=request_language(),
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
            idempotency_key=key,
            idempotency_digest=digest,
            city=city.current(request),
        )
    except services.ReportError as exc:
        raise Open311Error(400, exc.detail) from None
    if outcome.replayed:  # the same key at the same moment: the first one won
        _replay(outcome.receipt, digest)
    return _answer(outcome.receipt, fmt)
