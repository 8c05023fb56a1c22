"""The sticker page, cached: most scans repeat a page that was rendered a minute ago.

A scan is the hot path of the whole system (every resident starts there, on a weak phone).
The page of an asset is the same for every visitor in one language, except the CSRF token,
so it is rendered once and reused, the token put back per request. Version stamps
(assets.versions) retire a cached page as soon as its label, its asset or the asset's
reports change; a few minutes' life bounds anything written around the services.
"""

import re

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from assets import versions
from assets.selectors import catalogue_version
from qr_labels import codes

PAGE_SECONDS = 300
_PLACEHOLDER = "\u2063csrf\u2063"  # invisible separators: never in a real page
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _resolution_key(code: str) -> str:
    return f"scan-res:{code}:{versions.label_version(code)}"


def _page_key(asset_id: int, outcome: str) -> str:
    return (
        f"scan-page:{asset_id}:{versions.asset_version(asset_id)}:{outcome}:"
        f"{get_language()}:{catalogue_version()}"
    )


def cached_response(request, code: str) -> tuple[HttpResponse, tuple[int, int]] | None:
    """The page from the cache and (label id, asset id), or None when it must be built."""
    normalized = codes.normalize(code)
    if not codes.is_valid(normalized):
        return None
    found = cache.get(_resolution_key(normalized))
    if found is None:
        return None
    label_id, asset_id, outcome = found
    html = cache.get(_page_key(asset_id, outcome))
    if html is None:
        return None
    return HttpResponse(html.replace(_PLACEHOLDER, get_token(request))), (label_id, asset_id)


def remember(response: HttpResponse, resolution) -> None:
    """Keep a freshly rendered page for the next visitors."""
    html = response.content.decode()
    match = _TOKEN.search(html)
    if match is None:
        return
    code, asset_id = resolution.code, resolution.asset.pk
    cache.set(
        _resolution_key(code), (resolution.label.pk, asset_id, resolution.outcome), PAGE_SECONDS
    )
    cache.set(
        _page_key(asset_id, resolution.outcome), html.replace(match[1], _PLACEHOLDER), PAGE_SECONDS
    )
