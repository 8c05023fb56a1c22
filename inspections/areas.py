"""Which town (町) an asset lies in: the "area" of the inspection overviews and charts.

The rule, computed in the database as one CASE per row:

1. The ledger address names the town. An address that begins with a town's name (or with
   the city's name and then the town's name, "出雲市今市町…") lies in that town; the longest
   matching name wins, so "今市町北1丁目" lies in 今市町北, not in 今市町.
2. An address that names no town (blank, or a route name such as "国道9号") falls back on
   the location: the town whose centre is nearest to the asset's centre (its centroid; for
   a light, the point itself), among those whose radius reaches it; ties go to the town
   created first.
3. Otherwise the asset is in no area (None), shown as "area unknown".

Where one deployment serves several cities, only the towns of the asset's owner's city count
(two cities may both have a 本町), whatever list of towns is given.

The address comes first because it is the administrative fact the ledger records; a town's
centre and radius are only a rough circle drawn for residents who cannot share a location.
"""

import math

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Centroid, Distance
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce

from accounts.models import City
from assets.models import Asset, Town
from config import city

NO_AREA = "none"  # how a filter asks for the assets in no town


def towns(where=None) -> list[Town]:
    """The towns of the city `where` names (a request, a config.city.City; None: every
    town, as in a deployment of one city)."""
    return list(Town.of(where).order_by("name_kana", "name"))


# A degree of latitude is at least 110,574 m anywhere (111,195 m on the sphere): a town further
# away than its radius in these units is surely out of reach, and the test costs no geodesy.
_METRES_PER_DEGREE_AT_LEAST = 110_000.0


def _coordinate(function: str, geom):
    return Func(geom, function=function, output_field=FloatField())  # ST_X / ST_Y on both


def _nearest_town_within_radius(towns: list[Town]):
    """The town whose centre is nearest to the asset's centre (its centroid), among those
    whose radius reaches it. Cheap latitude and longitude bands (degrees scaled by a bound
    that never overstates a degree's metres) leave few towns for the distance on the sphere,
    which at a town's scale differs from the spheroid's by a few metres at most."""
    widest = max(min(abs(town.centre.y) + 0.5, 89.0) for town in towns)
    lon_metres = _METRES_PER_DEGREE_AT_LEAST * math.cos(math.radians(widest))

    def reachable(ref, owner_city):
        geom = Centroid(ExpressionWrapper(ref, output_field=GeometryField(srid=4326)))
        dy = Abs(_coordinate("ST_Y", F("centre")) - _coordinate("ST_Y", geom))
        dx = Abs(_coordinate("ST_X", F("centre")) - _coordinate("ST_X", geom))
        return (
            Town.objects.annotate(
                band_y=dy * Value(_METRES_PER_DEGREE_AT_LEAST),
                band_x=dx * Value(lon_metres),
                city_key=Coalesce("city_id", 0),
            )
            .filter(city_key=Coalesce(owner_city, 0))  # the asset's city's towns only
            .filter(band_y__lte=F("radius_m"), band_x__lte=F("radius_m"))
            .annotate(distance=Distance("centre", geom, spheroid=False))
            .filter(distance__lte=F("radius_m"))
        )

    # SQLite refuses an outer column in a subquery's ORDER BY, so "nearest" is spelt as
    # "at the least distance" (ties go to the lowest id), which both databases accept.
    least = (
        reachable(OuterRef(OuterRef("geom")), OuterRef(OuterRef("owner__city_id")))
        .order_by()
        .annotate(all_towns=Value(1))
        .values("all_towns")
        .annotate(least=Min("distance"))
        .values("least")
    )
    return Subquery(
        reachable(OuterRef("geom"), OuterRef("owner__city_id"))
        .filter(distance=Subquery(least))
        .order_by("pk")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


def _city_names(towns: list[Town]) -> dict[int | None, str]:
    """The name of each town's city, which an address may begin with (出雲市今市町…)."""
    ids = {town.city_id for town in towns if town.city_id}
    names = dict(City.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return {None: city.current().name, **names}


def area_expression(towns: list[Town]):
    """The id of the asset's town, or NULL: rule 1 as WHEN branches, rule 2 as the ELSE
    (evaluated only for the rows rule 1 left)."""
    if not towns:
        return Value(None, output_field=IntegerField())
    names = _city_names(towns)
    whens = []
    for town in sorted(towns, key=lambda t: (-len(t.name), t.pk)):
        named = Q(address__startswith=town.name)
        city_name = names.get(town.city_id, "")
        if city_name:
            named |= Q(address__startswith=f"{city_name}{town.name}")
        # An asset lies only in a town of its owner's city (本町 of 出雲市 is not 松江市's).
        here = Q(owner__city_id=town.city_id) if town.city_id else Q(owner__city__isnull=True)
        whens.append(When(named & here, then=Value(town.pk)))
    return Case(*whens, default=_nearest_town_within_radius(towns), output_field=IntegerField())


def with_area(qs: QuerySet[Asset], towns: list[Town]) -> QuerySet[Asset]:
    """Annotate `area_id`, the asset's town (see the module's rule)."""
    return qs.annotate(area_id=area_expression(towns))


def in_area(qs: QuerySet[Asset], area, towns: list[Town]) -> QuerySet[Asset]:
    """Narrow to one town (its id) or to the assets in none (NO_AREA); None keeps all."""
    if area is None:
        return qs
    qs = with_area(qs, towns) if "area_id" not in qs.query.annotations else qs
    if area == NO_AREA:
        return qs.filter(area_id__isnull=True)
    return qs.filter(area_id=area)


def area_of(asset: Asset, towns: list[Town]) -> Town | None:
    """The asset's town (see the module's rule), or None."""
    area_id = (
        with_area(Asset.objects.filter(pk=asset.pk), towns)
        .values_list("area_id", flat=True)
        .first()
    )
    return next((town for town in towns if town.pk == area_id), None)
