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
        id=row.pk,
        slug=row.slug,
        area=row.service_area,
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
