"""Open data at /open-data/: assets and reports as GeoJSON and CSV, and the assets that have
a Japanese standard layout in that layout. Public fields only, with the licence, streamed,
and with ETag / Last-Modified so a CDN can serve them and clients can revalidate cheaply.
"""

import datetime
import hashlib

import orjson
from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from accounts.cities import in_city
from accounts.errors import DomainError
from assets import jp_layouts
from assets.csvfiles import csv_chunks
from assets.exporter import export_csv_rows, export_geojson_chunks, export_queryset
from assets.models import AssetType
from assets.selectors import catalogue_version
from config import city
from reports import opendata

CSV_TYPE = "text/csv; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"


def _error(status: int, code: str, detail: str) -> HttpResponse:
    return HttpResponse(
        orjson.dumps({"detail": detail, "code": code}),
        status=status,
        content_type="application/json",
    )


def feed_response(request, qs, body, *, content_type: str, filename: str):
    """The feed, or 304 when the client already has this version."""
    latest, tag = opendata.feed_version(qs)
    here = city.current(request)
    licence = here.open_data_license
    # The city too: the same path on two cities' hosts is two feeds.
    seed = f"{here.slug}|{request.get_full_path()}|{tag}|{catalogue_version()}|{licence}"
    seed += f"|{get_language()}"
    etag = '"' + hashlib.blake2b(seed.encode(), digest_size=16).hexdigest() + '"'
    modified = int(latest.timestamp()) if latest else None
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = StreamingHttpResponse(body(), content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    if modified:
        response["Last-Modified"] = http_date(modified)
    response["Vary"] = "Accept-Language, Cookie"
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=settings.OPEN_DATA_MAX_AGE)
    return response


def _csv_or_geojson(request, qs, fmt: str, *, name: str, csv_rows, geojson):
    if fmt == "csv":
        return feed_response(
            request,
            qs,
            # Open data keeps the BOM, unlike the API's CSVs: the Japanese standard layouts are
            # opened in Excel, which reads UTF-8 only with it.
            lambda: csv_chunks(csv_rows(), bom=True),
            content_type=CSV_TYPE,
            filename=f"{name}.csv",
        )
    return feed_response(
        request, qs, geojson, content_type=GEOJSON_TYPE, filename=f"{name}.geojson"
    )


def _listed(request, name: str) -> list[str]:
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


def _assets(request):
    """The assets in service of the host's city, by ?type= and ?owner=."""
    qs = export_queryset(type_codes=_listed(request, "type"), owner_codes=_listed(request, "owner"))
    return in_city(qs, request)


@require_safe
def index(request):
    layouts = [
        (layout, AssetType.objects.filter(code__in=layout.asset_types).first())
        for layout in jp_layouts.LAYOUTS.values()
    ]
    return render(
        request,
        "opendata/index.html",
        {
            "types": AssetType.objects.order_by("sort_order", "code"),
            "layouts": layouts,
            "license": city.current(request).open_data_license,
            "license_url": city.current(request).open_data_license_url,
        },
    )


@require_safe
def assets_feed(request, fmt: str):
    try:
        qs = _assets(request)
    except DomainError as exc:
        return _error(400, exc.code, exc.detail)
    here = city.current(request)
    return _csv_or_geojson(
        request,
        qs,
        fmt,
        name="assets",
        csv_rows=lambda: export_csv_rows(qs, here),
        geojson=lambda: export_geojson_chunks(qs, here),
    )


def _reports(request):
    """Public reports, newest first; ?status=open|closed, ?type=, ?category=, ?since=."""
    status = request.GET.get("status", "").strip()
    if status not in ("", "open", "closed"):
        raise DomainError("status must be open or closed", code="unknown_status")
    since = request.GET.get("since", "").strip()
    day = None
    if since:
        try:
            day = datetime.datetime.fromisoformat(since)
        except ValueError:
            raise DomainError("since must be a date, YYYY-MM-DD", code="bad_date") from None
        day = timezone.make_aware(day) if day.tzinfo is None else day
    return opendata.reports_matching(
        since=day,
        categories=_listed(request, "category"),
        asset_types=_listed(request, "type"),
        state=status,
        where=request,
    )


@require_safe
def reports_feed(request, fmt: str):
    try:
        qs = _reports(request)
    except DomainError as exc:
        return _error(400, exc.code, exc.detail)
    language = (get_language() or "ja").lower()
    here = city.current(request)
    return _csv_or_geojson(
        request,
        qs,
        fmt,
        name="reports",
        csv_rows=lambda: opendata.feed_csv_rows(qs, language=language, here=here),
        geojson=lambda: opendata.feed_geojson_chunks(qs, language=language, here=here),
    )


@require_safe
def jp_layout(request, code: str):
    layout = jp_layouts.LAYOUTS.get(code)
    if layout is None:
        return _error(404, "unknown_layout", f"no layout {code}: see /open-data/")
    qs = in_city(layout.assets(), request)
    here = city.current(request)
    return feed_response(
        request,
        qs,
        lambda: csv_chunks(layout.rows(qs, here=here), bom=True),
        content_type=CSV_TYPE,
        filename=f"{here.local_government_code}_{code.replace('-', '_')}.csv",
    )
