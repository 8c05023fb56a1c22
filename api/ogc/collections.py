"""The collections of /ogc/ and how each selects and pages its features: exactly what the
open-data feeds publish — assets in service with their public attributes (all of them, and
one collection per asset type in use) and public reports — built by the same code. On a
city's host (several cities served) every collection holds that city's only: `where` is the
request."""

import datetime
import re

import orjson
from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Polygon
from django.db.models import Max, Min, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.cities import in_city
from api.ogc.params import ItemsQuery, not_found
from assets import geojson, selectors
from assets.exporter import export_queryset
from assets.models import AssetType
from config import city
from reports import opendata

TYPE_PREFIX = "assets-"
_UNKNOWN = object()  # an extent not yet asked for (None is an empty collection's)
Box = tuple[float, float, float, float]


class AssetCollection:
    """Assets in service, of every type or of one: the open data's assets feed."""

    temporal = False

    def __init__(self, asset_type: AssetType | None = None, *, box=_UNKNOWN, where=None):
        self.asset_type, self._box, self.where = asset_type, box, where
        if asset_type is None:
            self.id, self.title = "assets", _("Assets")
            self.description = _(
                "Assets in service (streetlights, security lights, parks, road segments and "
                "more) with their public attributes."
            )
        else:
            self.id, self.title = TYPE_PREFIX + asset_type.code, asset_type.name
            self.description = _("%(type)s in service, with their public attributes.") % {
                "type": asset_type.name
            }

    def all(self) -> QuerySet:
        qs = export_queryset(type_codes=[self.asset_type.code] if self.asset_type else [])
        return in_city(qs, self.where)

    def matching(self, query: ItemsQuery) -> QuerySet:
        qs = self.all()
        return selectors.assets_in_bbox(qs, query.bbox) if query.bbox else qs

    def features(self, qs: QuerySet) -> list[str]:
        """Each asset of qs as GeoJSON Feature text, written by the database."""
        return list(geojson.feature_texts(qs))

    def one(self, feature_id: str) -> QuerySet:
        if not re.fullmatch(r"[0-9]{1,18}", feature_id):
            raise not_found(f"no feature {feature_id!r} in {self.id}")
        return self.all().filter(pk=int(feature_id))

    def extent(self) -> tuple[Box | None, None]:
        if self._box is _UNKNOWN:
            self._box = self.all().aggregate(box=Extent("geom"))["box"]
        return self._box, None


class ReportCollection:
    """Public reports, newest first: the open data's reports feed."""

    temporal = True
    id = "reports"

    def __init__(self, where=None):
        self.where = where
        self.title = _("Reports")
        self.description = _(
            "Faults reported by residents and staff, as published: category, status, place "
            "and public notes; never personal data."
        )

    def all(self) -> QuerySet:
        return opendata.reports_matching(where=self.where)

    def matching(self, query: ItemsQuery) -> QuerySet:
        qs = opendata.reports_matching(since=query.since, until=query.until, where=self.where)
        if query.bbox:
            qs = qs.filter(location__intersects=Polygon.from_bbox(query.bbox))
        return qs

    def features(self, qs: QuerySet) -> list[str]:
        """Each report of qs as the reports feed writes it (its public face only)."""
        chunks = opendata.feed_geojson_chunks(
            qs, language=(get_language() or "ja").lower(), here=city.current(self.where)
        )
        return [orjson.dumps(f).decode() for f in orjson.loads(b"".join(chunks))["features"]]

    def one(self, feature_id: str) -> QuerySet:
        if not re.fullmatch(r"[A-Za-z0-9-]{1,40}", feature_id):  # R-2026-000123
            raise not_found(f"no feature {feature_id!r} in {self.id}")
        return opendata.reports_matching(numbers=[feature_id], where=self.where)

    def extent(self) -> tuple[Box | None, list[datetime.datetime | None] | None]:
        row = self.all().aggregate(
            box=Extent("location"), first=Min("created_at"), last=Max("created_at")
        )
        return row["box"], [row["first"], row["last"]] if row["first"] else None


def listed(where=None) -> list:
    """Every collection, the assets' extents in one grouped query."""
    boxes = dict(
        in_city(export_queryset(), where)
        .order_by()
        .values_list("asset_type__code")
        .annotate(box=Extent("geom"))
    )
    types = AssetType.objects.filter(code__in=boxes).order_by("sort_order", "code")
    everything = None
    if boxes:
        corners = list(zip(*boxes.values(), strict=True))
        everything = (min(corners[0]), min(corners[1]), max(corners[2]), max(corners[3]))
    return [
        AssetCollection(box=everything, where=where),
        *(AssetCollection(t, box=boxes[t.code], where=where) for t in types),
        ReportCollection(where),
    ]


def find(collection_id: str, where=None):
    """The collection of that id, or NotFound."""
    if collection_id == "assets":
        return AssetCollection(where=where)
    if collection_id == ReportCollection.id:
        return ReportCollection(where)
    if re.fullmatch(TYPE_PREFIX + r"[-\w]{1,50}", collection_id, re.ASCII):
        asset_type = AssetType.objects.filter(code=collection_id[len(TYPE_PREFIX) :]).first()
        if asset_type is not None:
            return AssetCollection(asset_type, where=where)
    raise not_found(f"no collection {collection_id!r}: see /ogc/collections")


def page(collection, qs: QuerySet, query: ItemsQuery) -> tuple[list[str], int]:
    """(the features of the page of qs, how many match in all)."""
    matched = qs.count()
    if query.offset >= matched:
        return [], matched
    return collection.features(qs[query.offset : query.offset + query.limit]), matched
