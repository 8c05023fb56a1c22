"""Which city a request is for, by the host name it came to (several cities, one deployment).

No City row: the deployment serves its one city from the settings, as before, and
`request.city` is None. City rows: the host must name an active city, whose values
(config.city.City) go on `request.city`; any other host is a 404 that names no city.

The host map is kept per process, so that a request costs no query: loaded once (after
`migrate`, else on first use), dropped when a City or host name is saved or deleted here, and
reloaded by every process within a few seconds when the shared cache (Redis) says the map
changed elsewhere (`manage.py create_city`). With the per-process cache only, restart the
application after adding a city.
"""

import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

from accounts.cities import normal_host
from config import city as cities

TOKEN_KEY = "accounts:city-hosts:token"
TOKEN_CHECK_SECONDS = 5.0
# Answered on any host: the load balancer's and Prometheus's own addresses name no city.
CITY_FREE_PATHS = ("/healthz", "/metrics")


@dataclass(frozen=True)
class _Known:
    token: str | None  # the shared cache's token when loaded
    configured: bool  # any City row: hosts decide
    hosts: dict  # host name -> config.city.City of an active city


_known: _Known | None = None
_checked_at = 0.0
_lock = threading.Lock()


def city_values(row) -> cities.City:
    """A City row as what callers of config.city read."""
    return cities.City(
        name=row.name,
        name_en=row.name_en,
        phone=row.phone,
        phone_hours=row.phone_hours,
        public_base_url=row.public_base_url.rstrip("/"),
        short_url_base=row.short_url_base,
        open_data_license=row.open_data_license,
        open_data_license_url=row.open_data_license_url,
        jurisdiction_id=row.jurisdiction_id,
        open311_contact=row.open311_contact,
        local_government_code=row.local_government_code,
        prefecture=row.prefecture,
        line=_line(row),
        mailbox=_mailbox(row),
        id=row.pk,
        slug=row.slug,
        area=row.service_area,
    )


def _line(row) -> cities.LineChannel | None:
    """The city's own LINE channel; None (off) until its secret and token are set."""
    if not (row.line_channel_secret and row.line_access_token):
        return None
    return cities.LineChannel(
        channel_secret=row.line_channel_secret,
        access_token=row.line_access_token,
        basic_id=row.line_basic_id,
        push_monthly_cap=row.line_push_monthly_cap,
    )


def _mailbox(row) -> cities.Mailbox | None:
    """The city's own report mailbox; None (off) until its host is set."""
    if not row.mail_host:
        return None
    return cities.Mailbox(
        host=row.mail_host,
        port=row.mail_port,
        user=row.mail_user,
        password=row.mail_password,
        folder=row.mail_folder,
        processed_folder=row.mail_processed_folder,
        staff_folder=row.mail_staff_folder,
        ca_file=row.mail_ca_file,
        address=row.mail_address,
    )


def load() -> _Known:
    """Read the host map from the database (one query) and keep it."""
    global _known, _checked_at
    from accounts.models import City, CityHost

    with _lock:
        token = cache.get(TOKEN_KEY)
        # From the primary, also inside a public read: a replica that has not yet caught up
        # would be remembered until the next change.
        rows = CityHost.objects.using(DEFAULT_DB_ALIAS).select_related("city")
        hosts = {row.host: city_values(row.city) for row in rows.filter(city__is_active=True)}
        configured = bool(hosts) or City.objects.using(DEFAULT_DB_ALIAS).exists()
        _known = _Known(token=token, configured=configured, hosts=hosts)
        _checked_at = time.monotonic()
        return _known


def after_migrate(*, using, **_signal) -> None:
    """Load the map at `migrate` (the test database's too), so no request pays for it."""
    global _known
    if using == DEFAULT_DB_ALIAS:
        try:
            load()
        except DatabaseError:  # migrated backwards, below the City table
            _known = None


def forget(**_signal) -> None:
    """The map changed here: drop it, and tell the other processes (through the cache), now
    and again once the change is committed (one that read it in between read the old map)."""
    _drop()
    transaction.on_commit(_drop)


def _drop() -> None:
    global _known
    _known = None
    cache.set(TOKEN_KEY, uuid.uuid4().hex, timeout=None)


def known() -> _Known:
    """The host map, reloaded when this process has none or another process changed it."""
    global _checked_at
    current = _known
    if current is None:
        return load()
    now = time.monotonic()
    if now - _checked_at >= TOKEN_CHECK_SECONDS:
        _checked_at = now
        token = cache.get(TOKEN_KEY)
        # No token (an emptied cache) is no news; another token is a change elsewhere.
        if token is not None and token != current.token:
            return load()
    return current


def city_by_id(city_id: int | None) -> cities.City | None:
    """The values of an active city served at some host, by its row's id (for work without
    a request: a LINE event, a push); None for an unknown or inactive one. No query while
    the host map is fresh. `None` names the deployment's one city of the settings."""
    if city_id is None:
        return cities.current()
    return next((here for here in known().hosts.values() if here.id == city_id), None)


def cities_served() -> list[cities.City]:
    """Every active city (one query), or the settings' one when no City row exists: what
    work without a request goes through one city at a time (each city's mailbox)."""
    from accounts.models import City

    rows = City.objects.using(DEFAULT_DB_ALIAS).filter(is_active=True)
    if not City.objects.using(DEFAULT_DB_ALIAS).exists():
        return [cities.current()]
    return [city_values(row) for row in rows.order_by("local_government_code")]


def city_for_host(host: str) -> cities.City | None:
    """The city served at `host`; None when no city is configured.

    Raises config.city.NoCityHere when cities are configured and none is served there."""
    found = known()
    if not found.configured:
        return None
    here = found.hosts.get(normal_host(host))
    if here is None:
        raise cities.NoCityHere(host)
    return here


class CityMiddleware:
    """Sets request.city (config.city.City, or None for the settings' one city)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.free_paths = (*CITY_FREE_PATHS, settings.STATIC_URL or "/static/")

    def __call__(self, request):
        request.city = None
        if not request.path_info.startswith(self.free_paths):
            try:
                request.city = city_for_host(request.get_host())
            except cities.NoCityHere:
                request.city_host_unknown = True
                raise
        return self.get_response(request)
