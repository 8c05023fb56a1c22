"""What makes a city's identifiers right: its 地方公共団体コード (with the check digit of
JIS X 0402), its host names, and its service area (a valid (Multi)Polygon in Japan).

Plain checks, no models: the City model's validators and `manage.py create_city` use them;
and `in_city`, which narrows a public page's queryset to the request's city.
"""

import re

from django.contrib.gis.geos import GEOSException, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.city import geometry_from_text

# Japan and its islands, roughly (Yonaguni to Minamitorishima, Okinotorishima to Etorofu).
JAPAN_BOUNDS = (122.0, 20.0, 154.5, 46.0)

_WEIGHTS = (6, 5, 4, 3, 2)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def check_digit(first_five: str) -> str:
    """The sixth digit of a 全国地方公共団体コード: the digits weighted 6, 5, 4, 3, 2, summed,
    taken modulo 11; the last digit of 11 minus that remainder (総務省, JIS X 0402)."""
    if len(first_five) != 5 or not first_five.isascii() or not first_five.isdigit():
        raise ValueError("five digits expected")
    remainder = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True)) % 11
    return str((11 - remainder) % 10)


def validate_local_government_code(code: str) -> None:
    """Six digits whose last is the check digit of the first five (322032 for 出雲市)."""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise ValidationError(
            _("A local government code has six digits, e.g. 322032."), code="code_format"
        )
    if not 1 <= int(code[:2]) <= 47:
        raise ValidationError(
            _("A local government code starts with a prefecture number, 01 to 47."),
            code="code_prefecture",
        )
    if check_digit(code[:5]) != code[5]:
        raise ValidationError(
            _("The check digit of %(code)s is wrong: it should end in %(digit)s."),
            code="code_check_digit",
            params={"code": code, "digit": check_digit(code[:5])},
        )


def normal_host(host: str) -> str:
    """A host name as a request's Host header gives it: lower case, no port, no final dot."""
    host = host.strip().lower()
    if host.startswith("["):  # an IPv6 literal keeps its colons
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


def validate_host(host: str) -> None:
    """A DNS host name in lower case, without port or scheme: izumo.machimori.example.jp."""
    if host != host.strip().lower() or not host:
        raise ValidationError(
            _("Write the host name %(host)s in lower case, without spaces."),
            code="host_format",
            params={"host": host},
        )
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(
            _("%(host)s is not a host name (like izumo.example.jp: no scheme, port or path)."),
            code="host_format",
            params={"host": host},
        )


def parse_area(text: str) -> MultiPolygon:
    """A service area from GeoJSON (a geometry, a Feature or a FeatureCollection) or WKT:
    a valid Polygon or MultiPolygon inside Japan, as a MultiPolygon in WGS 84."""
    try:
        area = geometry_from_text(text)
    except (GEOSException, ValueError, TypeError, KeyError) as exc:
        raise ValidationError(
            _("The service area is not GeoJSON or WKT, nor a file of it (%(error)s)."),
            code="area_unreadable",
            params={"error": str(exc)[:200]},
        ) from exc
    if area.srid not in (None, 4326):
        area.transform(4326)
    area.srid = 4326
    if isinstance(area, Polygon):
        area = MultiPolygon(area, srid=4326)
    if not isinstance(area, MultiPolygon):
        raise ValidationError(
            _("The service area must be a Polygon or MultiPolygon, not a %(kind)s."),
            code="area_kind",
            params={"kind": area.geom_type},
        )
    if area.empty or not area.valid:
        raise ValidationError(
            _("The service area is not a valid polygon (%(reason)s)."),
            code="area_invalid",
            params={"reason": area.valid_reason if not area.empty else "empty"},
        )
    min_x, min_y, max_x, max_y = JAPAN_BOUNDS
    west, south, east, north = area.extent
    if west < min_x or south < min_y or east > max_x or north > max_y:
        raise ValidationError(
            _("The service area lies outside Japan (longitude/latitude order, WGS 84?)."),
            code="area_outside_japan",
        )
    return area


# --- The request's city, for narrowing what a public page or API shows -----------------------


def city_id_of(where) -> int | None:
    """The id of the configured city `where` names — a request (its `request.city`), a
    config.city.City, or None — and None for the deployment's one city (no filter)."""
    here = getattr(where, "city", where)
    return getattr(here, "id", None)


def in_city(queryset, where, path: str = "owner__city"):
    """`queryset` narrowed to the city of `where` (see city_id_of) along `path`, the lookup
    from its model to an organisation's city; unchanged when cities are not configured."""
    city_id = city_id_of(where)
    if city_id is None:
        return queryset
    return queryset.filter(**{f"{path}_id": city_id})
