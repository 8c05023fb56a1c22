"""How many reports one client may send: per address, per form session and per asset
(fixed windows counted by accounts.limits)."""

import secrets

from django.conf import settings
from django.core import signing

from accounts.limits import client_address, hit

__all__ = ["client_address", "form_session", "form_session_keep", "hit", "report_limits_exceeded"]

# A browser that opened a form carries this signed cookie: the "session" of the per-session
# limit. It is made by the server, so a client cannot pick someone else's, and a client that
# sends none (a script) is counted by its address at the per-session rate instead.
SESSION_COOKIE = "mm_form"
_SESSION_SALT = "reports.ratelimit.session"


def form_session(request) -> str:
    """The form session of this browser (from its signed cookie), or ""."""
    value = request.COOKIES.get(SESSION_COOKIE, "")
    if not value:
        return ""
    try:
        return signing.loads(value, salt=_SESSION_SALT)
    except signing.BadSignature:
        return ""


def form_session_keep(request, response):
    """Give a browser that shows a form its signed session cookie (once)."""
    if not form_session(request):
        response.set_cookie(
            SESSION_COOKIE,
            signing.dumps(secrets.token_urlsafe(12), salt=_SESSION_SALT),
            max_age=7 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def report_limits_exceeded(request, asset=None) -> str | None:
    """Which limit a new report would break ("address", "session", "asset"), or None."""
    address = client_address(request)
    session = form_session(request) or f"address:{address}"
    checks = [
        ("address", address, settings.RATE_LIMIT_REPORTS_PER_ADDRESS),
        ("session", session, settings.RATE_LIMIT_REPORTS_PER_SESSION),
    ]
    if asset is not None:
        checks.append(("asset", str(asset.pk), settings.RATE_LIMIT_REPORTS_PER_ASSET))
    for scope, identity, rate in checks:
        if not hit(f"report-{scope}", identity, rate):
            return scope
    return None
