"""Questions about organisations and assets. Every list a user sees goes through here."""

import math

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts import policy
from accounts.models import Organization
from assets.errors import UnknownCode
from assets.models import Asset, AssetType, FaultCategory

CATALOGUE_CACHE_SECONDS = 300
CATALOGUE_VERSION_KEY = "catalogue-version"
# Metres per degree of latitude; a degree of longitude is this times cos(latitude).
_METRES_PER_DEGREE = 111_320.0


organization_scope_ids = policy.organisation_scope_ids
user_scope_ids = policy.scope_ids


def organizations_for_user(user) -> QuerySet[Organization]:
    scope = user_scope_ids(user)
    qs = Organization.objects.all()
    return qs if scope is None else qs.filter(pk__in=scope)


def assets_for_user(user) -> QuerySet[Asset]:
    """Assets the user may see. Everyone sees assets in service (they are public
    infrastructure); staff also see retired assets of their own organisations."""
    scope = user_scope_ids(user)
    qs = Asset.objects.all()
    if scope is None:
        return qs
    visible = Q(status=Asset.Status.IN_SERVICE)
    if scope:
        visible |= Q(owner_id__in=scope)
    return qs.filter(visible)


def user_sees_internal(user, asset: Asset) -> bool:
    """Internal attributes reach only staff of the owning organisation (or above it)."""
    scope = user_scope_ids(user)
    return scope is None or asset.owner_id in scope


def user_can_manage_asset(user, asset: Asset) -> bool:
    """Managers and section staff change the assets of their own organisations."""
    return policy.may(user, policy.Right.MANAGE_ASSETS, owner_id=asset.owner_id)


def asset_types_active() -> QuerySet[AssetType]:
    return AssetType.objects.all()


def asset_counts_by_type() -> list[dict]:
    """How many assets of each type are in service, for the public front page."""
    counts = dict(
        Asset.objects.filter(status=Asset.Status.IN_SERVICE)
        .values_list("asset_type_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {"code": t.code, "name": t.name, "count": counts[t.pk]}
        for t in AssetType.objects.all()
        if counts.get(t.pk)
    ]


def catalogue_version() -> int:
    return cache.get_or_set(CATALOGUE_VERSION_KEY, 1, timeout=None)


def fault_categories_for_type(asset_type: AssetType) -> list[FaultCategory]:
    """The active fault categories of a type. Read on every scan, changed a few times a
    year: kept in the cache for a few minutes."""
    return cache.get_or_set(
        f"categories-of-type:{catalogue_version()}:{asset_type.pk}",
        lambda: list(asset_type.categories.filter(is_active=True).order_by("sort_order", "code")),
        timeout=CATALOGUE_CACHE_SECONDS,
    )


def assets_in_bbox(qs: QuerySet[Asset], bbox: tuple[float, float, float, float]) -> QuerySet[Asset]:
    """Assets whose geometry meets the box (min lon, min lat, max lon, max lat)."""
    min_x, min_y, max_x, max_y = bbox
    qs = qs.filter(geom__intersects=Polygon.from_bbox(bbox))
    if connection.vendor == "sqlite":
        # Django's spatial lookups on SpatiaLite do not consult the R*Tree index: without this
        # subquery every bbox request scans the whole table (ENVIRONMENT.md, "Measured here").
        table = Asset._meta.db_table
        qs = qs.filter(
            pk__in=RawSQL(
                f'SELECT pkid FROM "idx_{table}_geom" '
                "WHERE xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s",
                (max_x, min_x, max_y, min_y),
            )
        )
    return qs


def assets_of_types_and_owners(
    qs: QuerySet[Asset], *, type_codes=(), owner_codes=()
) -> QuerySet[Asset]:
    """Narrow by asset type codes and owner codes (an owner brings the organisations under
    it); a code that does not exist is an error, not an empty result."""
    type_codes, owner_codes = list(type_codes), list(owner_codes)
    if type_codes:
        known = set(AssetType.objects.filter(code__in=type_codes).values_list("code", flat=True))
        if unknown := [code for code in type_codes if code not in known]:
            raise UnknownCode(f"unknown asset type {unknown[0]!r}", code="unknown_asset_type")
        qs = qs.filter(asset_type__code__in=type_codes)
    if owner_codes:
        owners = {o.code: o for o in Organization.objects.filter(code__in=owner_codes)}
        if unknown := [code for code in owner_codes if code not in owners]:
            raise UnknownCode(f"unknown owner {unknown[0]!r}", code="unknown_owner")
        scope: set[int] = set()
        for owner in owners.values():
            scope |= organization_scope_ids(owner)
        qs = qs.filter(owner_id__in=scope)
    return qs


def bbox_around(point: Point, metres: float) -> tuple[float, float, float, float]:
    """A lon/lat box that surely contains every place within `metres` of the point."""
    margin = 1.01  # the spheroid is not a sphere; err on the wide side
    dlat = metres / _METRES_PER_DEGREE * margin
    coslat = max(math.cos(math.radians(min(abs(point.y) + dlat, 89.9))), 1e-6)
    dlon = min(metres / (_METRES_PER_DEGREE * coslat) * margin, 180.0)
    return (point.x - dlon, max(point.y - dlat, -90.0), point.x + dlon, min(point.y + dlat, 90.0))


def with_distance(qs: QuerySet[Asset], point: Point) -> QuerySet[Asset]:
    """Annotate `distance` in metres on the spheroid — the same number on both databases."""
    return qs.annotate(distance=Distance("geom", point, spheroid=True))


def assets_within(qs: QuerySet[Asset], point: Point, metres: float) -> QuerySet[Asset]:
    """Assets within `metres` of the point (geodesic), found through the spatial index."""
    qs = assets_in_bbox(qs, bbox_around(point, metres))
    return with_distance(qs, point).filter(distance__lte=metres)
