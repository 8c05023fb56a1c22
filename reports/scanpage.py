"""The sticker page without the template engine on the hot path.

A scan is the hot path of the whole system: every resident starts there, on a weak phone.
All sticker pages of one kind of asset, in one language, differ only in a few values (the
code, the ledger id, the address, the owner, the CSRF token). So the page is rendered once
per kind, with markers where those values go, and each scan only puts the values in: a
cached page costs a couple of cache reads and string replacements, also for a sticker nobody
scanned before. What a scan shows is cached with its label's and asset's version stamps
(assets.versions): a changed label, asset or report retires it at once.

Pages with something particular to show (open reports on the asset) are rendered in full.
"""

import re
import secrets

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.translation import get_language

from assets import versions
from assets.models import Asset
from assets.selectors import catalogue_version
from config import city
from qr_labels import codes
from qr_labels import versions as label_versions
from qr_labels.selectors import Resolution, label_is_here, label_row

SECONDS = 300
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FIELDS = (
    "code", "display_code", "name", "ledger_id", "address", "owner", "next", "csrf", "form_key",
)  # fmt: skip
_FORM_KEY = re.compile(r'name="idempotency_key" value="([^"]*)"')


def marker(field: str) -> str:
    """Stands for a value in a rendered page: invisible separators never typed by anyone."""
    return f"\u2063{field}\u2063"


class _Owner:
    def __init__(self, kind: str):
        self.kind = kind

    def __str__(self) -> str:
        return marker("owner")


class SkeletonAsset:
    """What the template sees of an asset when the page is rendered for a whole kind."""

    def __init__(self, asset: Asset):
        self.pk = 0
        self.asset_type = asset.asset_type
        self.asset_type_id = asset.asset_type_id
        self.name = marker("name") if asset.name else ""
        self.ledger_id = marker("ledger_id") if asset.ledger_id else ""
        self.address = marker("address") if asset.address else ""
        self.owner = _Owner(asset.owner.kind)
        self.open_reports = 0
        self.geom = asset.geom


class SkeletonLabel:
    code = marker("code")
    display_code = marker("display_code")


def _shape(asset_type_id, name, ledger_id, address, owner_kind, outcome) -> tuple:
    """What makes one kind of sticker page: all stickers of a shape share one rendering."""
    return (asset_type_id, bool(name), bool(ledger_id), bool(address), owner_kind, outcome)


def _resolution_shape(resolution: Resolution) -> tuple:
    asset = resolution.asset
    return _shape(
        asset.asset_type_id,
        asset.name,
        asset.ledger_id,
        asset.address,
        asset.owner.kind,
        resolution.outcome,
    )


def _page_key(shape: tuple, request) -> str:
    # Per city too: the page's header and footer carry the name and phone of the host's city.
    here = city.current(request).slug
    return f"scan-skeleton:{here}:{catalogue_version()}:{get_language()}:" + ":".join(
        map(str, shape)
    )


def _resolution_key(code: str) -> str:
    return f"scan-res:{code}:{label_versions.label_version(code)}"


def _fill(html: str, values: dict, request) -> str:
    owner = values["owner_ja"] if (get_language() or "ja").startswith("ja") else values["owner_en"]
    filled = {
        **{k: escape(v) for k, v in values.items() if k in FIELDS},
        "owner": escape(owner),
        "next": escape(request.get_full_path()),
        "csrf": get_token(request),
        # A new key per page shown: the form sent twice from this page is one report.
        "form_key": secrets.token_hex(16),
    }
    for field, value in filled.items():
        html = html.replace(marker(field), value)
    return html


def cached_response(request, code: str) -> tuple[HttpResponse, tuple[int, int]] | None:
    """The page from the cache and (label id, asset id), or None when it must be built."""
    normalized = codes.normalize(code)
    if not codes.is_valid(normalized):
        return None
    found = cache.get(_resolution_key(normalized))
    if found is None or found["asset_version"] != versions.asset_version(found["asset_id"]):
        found = _from_row(normalized)
        if found is None:
            return None
    if not label_is_here(found.get("city_id"), request):
        return None  # another city's sticker: the view says whose
    html = cache.get(_page_key(found["shape"], request))
    if html is None:
        return None
    return HttpResponse(_fill(html, found["values"], request)), (
        found["label_id"],
        found["asset_id"],
    )


def _from_row(code: str) -> dict | None:
    """A sticker not scanned lately: its values from one plain query, kept for next time."""
    row = label_row(code)
    if row is None or row["asset_status"] != Asset.Status.IN_SERVICE or row["open_reports"]:
        return None
    found = {
        "label_id": row["label_id"],
        "asset_id": row["asset_id"],
        "asset_version": versions.asset_version(row["asset_id"]),
        "city_id": row["city_id"],
        "shape": _shape(
            row["asset_type_id"],
            row["name"],
            row["ledger_id"],
            row["address"],
            row["owner_kind"],
            row["outcome"],
        ),
        "values": {
            "code": code,
            "display_code": codes.display(code),
            "name": row["name"],
            "ledger_id": row["ledger_id"] or "",
            "address": row["address"],
            "owner_ja": row["owner_name"],
            "owner_en": row["owner_name_en"] or row["owner_name"],
        },
    }
    cache.set(_resolution_key(code), found, SECONDS)
    return found


def cacheable(resolution: Resolution) -> bool:
    asset = resolution.asset
    return asset.status == Asset.Status.IN_SERVICE and not asset.open_reports


def _values(resolution: Resolution) -> dict:
    asset, label = resolution.asset, resolution.label
    return {
        "code": label.code,
        "display_code": label.display_code,
        "name": asset.name,
        "ledger_id": asset.ledger_id or "",
        "address": asset.address,
        "owner_ja": asset.owner.name,
        "owner_en": asset.owner.name_en or asset.owner.name,
    }


def remember(resolution: Resolution) -> None:
    """Keep what this sticker's page shows, for the next scans."""
    asset, label = resolution.asset, resolution.label
    cache.set(
        _resolution_key(label.code),
        {
            "label_id": label.pk,
            "asset_id": asset.pk,
            "asset_version": versions.asset_version(asset.pk),
            "city_id": asset.owner.city_id,
            "shape": _resolution_shape(resolution),
            "values": _values(resolution),
        },
        SECONDS,
    )


def skeleton_response(request, resolution: Resolution, render) -> HttpResponse:
    """Render the page of this kind of asset with markers, keep it, and fill it in."""
    asset = resolution.asset
    key = _page_key(_resolution_shape(resolution), request)
    html = cache.get(key)
    if html is None:
        html = render(SkeletonAsset(asset), SkeletonLabel(), marker("next")).content.decode()
        html = _TOKEN.sub(lambda m: m[0].replace(m[1], marker("csrf")), html)
        html = _FORM_KEY.sub(f'name="idempotency_key" value="{marker("form_key")}"', html)
        cache.set(key, html, SECONDS)
    remember(resolution)
    return HttpResponse(_fill(html, _values(resolution), request))
