"""The field app's shell, service worker and manifest.

The shell is one page; the app (static/field/js/) draws every screen itself from what it
keeps in IndexedDB, so it opens with the network off. The service worker caches the shell
and every file the app loads, under a version made from those files' contents: a new
release installs itself on the next online visit, and nothing stale outlives it.
"""

import hashlib
import json
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import storages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config import city
from field.strings import strings

LANGUAGES = ("ja", "en")  # Japanese first; English for everyone else on the team
# Files the app imports by relative path (ES modules import one another unhashed).
MODULES = (
    "field/js/app.js",
    "field/js/api.js",
    "field/js/geo.js",
    "field/js/inspect.js",
    "field/js/map.js",
    "field/js/outbox.js",
    "field/js/photos.js",
    "field/js/scanner.js",
    "field/js/store.js",
    "field/js/sync.js",
    "field/js/ui.js",
    "field/js/work.js",
    "field/vendor/idb/index.js",
    "field/vendor/zxing-wasm/share.js",
)
# Files loaded by URL (the shell, the manifest, or the app when first needed).
ASSETS = (
    "field/css/field.css",
    "field/icons/icon-192.png",
    "field/icons/icon-512.png",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "vendor/leaflet/images/layers.png",
    "vendor/leaflet/images/layers-2x.png",
    "vendor/exifr/lite.umd.js",
    "field/vendor/zxing-wasm/reader/index.js",
    "field/vendor/zxing-wasm/reader/zxing_reader.wasm",
)


def _unhashed(path: str) -> str:
    return settings.STATIC_URL + path


@lru_cache(maxsize=1)
def release() -> str:
    """A version that changes whenever any file of the app does (its contents, hashed)."""
    digest = hashlib.sha256()
    for path in MODULES + ASSETS:
        found = finders.find(path)
        digest.update(path.encode())
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:16]


def precache() -> list[str]:
    # The shell loads the entry by its hashed name (the others import each other unhashed);
    # without a manifest (tests, runserver) the two are one.
    urls = [_unhashed(path) for path in MODULES] + [static("field/js/app.js")]
    urls += [static(path) for path in ASSETS] + ["/field/manifest.webmanifest"]
    return list(dict.fromkeys(urls))


def _storage_origins() -> list[str]:
    """Where presigned photo uploads go (the bucket's origin), for connect-src."""
    storage = storages["default"]
    endpoint = getattr(storage, "endpoint_url", None)
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        region = settings.S3_REGION
        return [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://s3.{region}.amazonaws.com"]
    return []


def _tile_origin() -> str:
    parts = urlsplit(settings.MAP_TILE_URL)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _language(request) -> str:
    chosen = request.GET.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    active = translation.get_language() or "ja"
    return "en" if active.startswith("en") else "ja"


@never_cache
@require_safe
def shell(request):
    """The app's one page, in Japanese or English; the service worker keeps the last one."""
    language = _language(request)
    here = city.current(request)
    with translation.override(language):
        config = {
            "api": "/api/v1/",
            "release": release(),
            "language": language,
            "city": here.name_in(language),
            "sw": "/field/sw.js",
            "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
            "center": {"lon": settings.MAP_CENTER[0], "lat": settings.MAP_CENTER[1]},
            "zoom": settings.MAP_ZOOM,
            "static": {
                "leaflet": static("vendor/leaflet/leaflet.js"),
                "leafletCss": static("vendor/leaflet/leaflet.css"),
                "exifr": static("vendor/exifr/lite.umd.js"),
                "decoder": static("field/vendor/zxing-wasm/reader/index.js"),
                "wasm": static("field/vendor/zxing-wasm/reader/zxing_reader.wasm"),
            },
        }
        response = render(
            request,
            "field/app.html",
            {"config": config, "strings": strings(), "language": language, "city": config["city"]},
        )
    # WebAssembly for the QR decoder; presigned photo uploads go straight to the bucket.
    response._csp_update = {
        "script-src": ["'wasm-unsafe-eval'"],
        "connect-src": _storage_origins(),
    }
    return response


@never_cache
@require_safe
def service_worker(request):
    """Served from /field/ so that its scope is the app; the browser checks it for updates
    on every visit (never cached)."""
    body = render(
        request,
        "field/sw.js",
        {
            "release": release(),
            "precache": json.dumps(precache()),
            "tile_origin": json.dumps(_tile_origin()),
            "static_url": settings.STATIC_URL,
        },
    ).content
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The worker fetches map tiles for the app (to cache them as they are viewed).
    tiles = _tile_origin()
    if tiles:
        response._csp_update = {"connect-src": [tiles]}
    return response


@require_safe
def manifest(request):
    language = _language(request)
    with translation.override(language):
        text = strings()
        body = {
            "name": f"{text['app_name']} — {city.current(request).name_in(language)}",
            "short_name": text["app_short_name"],
            "description": text["app_description"],
            "lang": language,
            "start_url": "/field/",
            "scope": "/field/",
            "display": "standalone",
            "orientation": "any",
            "background_color": "#ffffff",
            "theme_color": "#0b3d2e",
            "icons": [
                {
                    "src": static(f"field/icons/icon-{n}.png"),
                    "sizes": f"{n}x{n}",
                    "type": "image/png",
                }
                for n in (192, 512)
            ]
            + [
                {
                    "src": static("field/icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
    return JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
