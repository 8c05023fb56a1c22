"""The documents of /ogc/ (landing page, conformance, collections, items) and the links that
let a client walk from one to the next; the HTML pages show the same documents."""

import orjson
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.ogc.params import CRS84, ItemsQuery
from assets.models import AssetType
from config import city
from reports.models import Report

JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}"
    for name in ("core", "geojson", "html", "oas30")
]
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
# The columns of the HTML lists, the feature's id (a link) first: (property, heading).
ASSET_COLUMNS = [
    ("id", gettext_lazy("ID")),
    ("ledger_id", gettext_lazy("Asset number")),
    ("name", gettext_lazy("name")),
    ("type", gettext_lazy("Type")),
    ("address", gettext_lazy("Place")),
]
REPORT_COLUMNS = [
    ("id", gettext_lazy("Report number")),
    ("category_name", gettext_lazy("What is wrong")),
    ("status", gettext_lazy("Status")),
    ("address", gettext_lazy("Place")),
    ("created_at", gettext_lazy("Reported")),
]


class Links:
    """Absolute links to the resources of /ogc/, from the request's own address."""

    def __init__(self, request):
        self.request = request

    def href(self, name: str, *args, **query) -> str:
        url = self.request.build_absolute_uri(reverse(f"ogc:{name}", args=args))
        return f"{url}?{urlencode(query)}" if query else url

    def page(self, offset: int, limit: int, *, f: str = "") -> str:
        """This items request again, at another offset (filters kept)."""
        params = self.request.GET.copy()
        params["offset"], params["limit"] = str(offset), str(limit)
        if f:
            params["f"] = f
        return self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")


def _link(href: str, rel: str, media_type: str, title: str = "") -> dict:
    return {"href": href, "rel": rel, "type": media_type, **({"title": title} if title else {})}


def _self_and_html(links: Links, name: str, *args) -> list[dict]:
    return [
        _link(links.href(name, *args, f="json"), "self", JSON),
        _link(links.href(name, *args, f="html"), "alternate", HTML),
    ]


def _license(links: Links) -> dict:
    here = city.current(links.request)
    return _link(here.open_data_license_url, "license", HTML, here.open_data_license)


def landing(links: Links) -> dict:
    here = city.current(links.request)
    return {
        "title": _("%(city)s: map layers (OGC API – Features)") % {"city": here.name_in()},
        "description": _(
            "The city's assets and the faults residents reported, as layers for GIS software "
            "(QGIS, ArcGIS, GDAL): the same public data as the open-data feeds, free to use "
            "under %(license)s."
        )
        % {"license": here.open_data_license},
        "links": [
            *_self_and_html(links, "landing"),
            _link(links.href("api"), "service-desc", OPENAPI, _("API definition (OpenAPI 3.0)")),
            _link(links.href("conformance"), "conformance", JSON, _("Conformance classes")),
            _link(links.href("collections"), "data", JSON, _("Collections")),
            _license(links),
        ],
    }


def conformance(links: Links) -> dict:
    return {"conformsTo": CONFORMANCE, "links": _self_and_html(links, "conformance")}


def _moment(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def collection(links: Links, chosen) -> dict:
    box, interval = chosen.extent()
    document = {
        "id": chosen.id,
        "title": chosen.title,
        "description": chosen.description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            *_self_and_html(links, "collection", chosen.id),
            _link(links.href("items", chosen.id), "items", GEOJSON, chosen.title),
            _link(links.href("items", chosen.id, f="html"), "items", HTML, chosen.title),
            _license(links),
        ],
    }
    extent = {}
    if box:
        extent["spatial"] = {"bbox": [list(box)], "crs": CRS84}
    if interval:
        extent["temporal"] = {"interval": [[_moment(m) for m in interval]], "trs": GREGORIAN}
    if extent:
        document["extent"] = extent
    return document


def collections(links: Links, listed: list) -> dict:
    return {
        "links": _self_and_html(links, "collections"),
        "collections": [collection(links, chosen) for chosen in listed],
    }


def pages(links: Links, query: ItemsQuery, returned: int, matched: int, *, f="") -> dict:
    """{rel: href} of this items request: self, then next while features remain, and prev."""
    offset, limit = query.offset, query.limit
    found = {"self": links.page(offset, limit, f=f)}
    if offset + returned < matched:
        found["next"] = links.page(offset + limit, limit, f=f)
    if offset:
        found["prev"] = links.page(max(offset - limit, 0), limit, f=f)
    return found


def items_members(links: Links, chosen, query: ItemsQuery, returned: int, matched: int) -> dict:
    """What a page of features says besides its features: counts and the ways on."""
    found = pages(links, query, returned, matched)
    return {
        "numberMatched": matched,
        "numberReturned": returned,
        "links": [
            *(_link(href, rel, GEOJSON) for rel, href in found.items()),
            _link(links.page(query.offset, query.limit, f="html"), "alternate", HTML),
            _link(links.href("collection", chosen.id), "collection", JSON, chosen.title),
        ],
    }


def item(links: Links, chosen, text: str) -> dict:
    feature = orjson.loads(text)
    feature["links"] = [
        *_self_and_html(links, "item", chosen.id, str(feature["id"])),
        _link(links.href("collection", chosen.id), "collection", JSON, chosen.title),
    ]
    return feature


# --- HTML ----------------------------------------------------------------------------------


def _shown(key: str, value) -> str:
    if value is None:
        return ""
    if key == "status" and value in Report.Status.values:
        return Report.Status(value).label
    if key == "created_at":
        return value[:16].replace("T", " ")
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def html_rows(links: Links, chosen, texts: list[str]) -> tuple[list, list[dict]]:
    """(headings, rows) of a page of features for the HTML list."""
    columns = REPORT_COLUMNS if chosen.temporal else ASSET_COLUMNS
    type_names = {} if chosen.temporal else {t.code: t.name for t in AssetType.objects.all()}
    rows = []
    for feature in map(orjson.loads, texts):
        properties = feature["properties"]
        if "type" in properties:
            properties["type"] = type_names.get(properties["type"], properties["type"])
        rows.append(
            {
                "id": feature["id"],
                "href": links.href("item", chosen.id, str(feature["id"]), f="html"),
                "cells": [_shown(key, properties.get(key)) for key, _heading in columns[1:]],
            }
        )
    return [heading for _key, heading in columns], rows


def html_properties(feature: dict) -> list[tuple[str, str]]:
    return [(key, _shown(key, value)) for key, value in feature["properties"].items()]
