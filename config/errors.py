"""Error pages: 400, 403, 404, 429, 500 and 503 in the site's look and the resident's language.

An error page is shown when something already went wrong, so it relies on as little as
possible: no database (no context processors, no user, no session), and a plain text body when
the template itself cannot be rendered. /api/ answers {"detail": …, "code": …} and /open311/
the GeoReport error list, as their own views do.
"""

import json
import logging
import sys
from xml.sax.saxutils import escape

from django import db
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.translation import get_language, gettext

from config import city

logger = logging.getLogger(__name__)

STATUSES = (400, 403, 404, 429, 500, 503)

# For programs (/api/, /open311/): English, like the rest of the API's messages.
_API = {
    400: ("Bad request.", "bad_request"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    429: ("Too many requests: try again later.", "throttled"),
    500: ("Server error: try again later.", "server_error"),
    503: ("The service is unavailable: try again later.", "unavailable"),
}
# As api/open311/render.py says it for the paths it serves itself.
_OPEN311 = {404: "no such resource: see /open311/v2/discovery.json"}


def render_error(request, status: int, *, message: str = "") -> HttpResponse:
    """The error page for `status`, with `message` as one more sentence for the reader."""
    if status not in STATUSES:
        raise ValueError(f"no error page for status {status}")
    path = request.path_info or request.path
    if path.startswith("/open311/"):
        return _open311(path, status, message)
    if path.startswith("/api/"):
        detail, code = _API[status]
        body = json.dumps({"detail": message or detail, "code": code})
        return HttpResponse(body, status=status, content_type="application/json")
    return _page(request, status, message)


def _page(request, status: int, message: str) -> HttpResponse:
    try:
        # A plain dictionary, not a RequestContext: the context processors may query the
        # database, which may be what failed.
        # The city the host names (no query: the middleware put it on the request); none
        # at all on a host that names no city of a deployment that serves several.
        nameless = getattr(request, "city_host_unknown", False)
        here = city.current(request)
        context = {
            "request": request,
            "csrf_token": get_token(request),  # the language form posts to set_language
            "status": status,
            "message": message,
            "no_city": nameless,
            "city_name": "" if nameless else here.name_in(get_language() or "ja"),
            "city_phone": "" if nameless else here.phone,
        }
        body = loader.get_template(f"{status}.html").render(context)
    except Exception:
        logger.exception("The %s page could not be rendered; answering in plain text", status)
        return HttpResponse(_plain(status), status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=status)


def _plain(status: int) -> str:
    phone = getattr(settings, "CITY_PHONE", "")
    try:
        return gettext(
            "Sorry, this page cannot be shown (error %(status)s). Please try again later, "
            "or call the city at %(phone)s."
        ) % {"status": status, "phone": phone}
    except Exception:  # the translations themselves may be what is broken
        return f"Error {status}. Please try again later, or call {phone}.\n"


def _open311(path: str, status: int, message: str) -> HttpResponse:
    """GeoReport v2's error list, in XML when the path asks for it, JSON otherwise."""
    fmt = "xml" if path.endswith(".xml") else "json"
    description = message or _OPEN311.get(status) or _API[status][0].lower().rstrip(".")
    try:
        from api.open311.render import error_response  # imports the report models: only when needed

        return error_response(fmt, status, description)
    except Exception:
        logger.exception("The Open311 error list could not be rendered; writing it by hand")
    if fmt == "xml":
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<errors><error>'
            f"<code>{status}</code><description>{escape(description)}</description>"
            "</error></errors>"
        )
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps([{"code": status, "description": description}])
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


# Django's handlers (config/urls.py). Their exception is not shown: it may say more than a
# visitor should read.


def bad_request(request, exception=None):
    return render_error(request, 400)


def permission_denied(request, exception=None):
    return render_error(request, 403)


def page_not_found(request, exception=None):
    if isinstance(exception, city.NoCityHere):
        return render_error(
            request,
            404,
            message=gettext(
                "No city is served at this address. Check the address on the sticker or on "
                "your city's website."
            ),
        )
    return render_error(request, 404)


def server_error(request):
    """A 500, except when the database could not be reached (a pooler restarting, a primary
    failing over): that is a 503 with Retry-After, which says "send it again" rather than
    "broken" — a resent form carries its idempotency key, so nothing is made twice."""
    # Django calls this handler while it handles the exception: it is still current here.
    if isinstance(sys.exc_info()[1], (db.OperationalError, db.InterfaceError)):
        response = render_error(
            request,
            503,
            message=gettext(
                "The city's system could not be reached for a moment. Nothing was lost: go "
                "back and send the same page again in a few seconds."
            ),
        )
        response["Retry-After"] = "5"
        return response
    return render_error(request, 500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a form left open past its cookie, or cookies blocked."""
    return render_error(
        request,
        403,
        message=gettext(
            "The form could not be accepted: it was open too long, or your browser did not "
            "send its cookie. Please go back, reload the page and send it again."
        ),
    )
