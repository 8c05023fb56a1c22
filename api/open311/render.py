"""How every GeoReport resource answers: JSON or XML, errors as the specification's list."""

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import orjson
from django import db
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config import city
from reports import photo_store
from reports.language import request_language

logger = logging.getLogger(__name__)

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


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


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


def moment(value) -> str | None:
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
            with translation.override(request_language(params.get("locale", ""))):
                try:
                    if jurisdiction and jurisdiction != city.current(request).jurisdiction_id:
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
                except (db.OperationalError, db.InterfaceError):
                    # A pooler restarting, a failover: resend (with the same Idempotency-Key).
                    logger.warning(
                        "Open311 %s %s: database unreachable", request.method, request.path
                    )
                    answer = error_response(
                        fmt, 503, "the database cannot be reached just now: try again shortly"
                    )
                    answer["Retry-After"] = "5"
                    return answer
                except Exception:
                    # Clients get the spec's error list for every failure, never a page.
                    logger.exception("Open311 %s %s failed", request.method, request.path)
                    return error_response(fmt, 500, "internal error: try again later")

        return handler

    return wrap


def not_found(request, path=""):
    fmt = "xml" if path.endswith(".xml") else "json"
    return error_response(fmt, 404, "no such resource: see /open311/v2/discovery.json")
