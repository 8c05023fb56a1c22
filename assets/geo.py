"""Parsing coordinates people type into query strings and command lines."""

import math

from django.contrib.gis.geos import Point

from accounts.errors import DomainError


class CoordinateError(DomainError, ValueError):
    pass


def _numbers(text: str, count: int, code: str, what: str) -> list[float]:
    try:
        numbers = [float(part.strip()) for part in text.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        raise CoordinateError(f"{what}: expected {count} numbers separated by commas.", code=code)
    return numbers


def _check_lon_lat(lon: float, lat: float, code: str) -> None:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise CoordinateError(
            "Longitude must be within -180..180 and latitude within -90..90.", code=code
        )


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """'min_lon,min_lat,max_lon,max_lat' (WGS84) as numbers, checked."""
    min_x, min_y, max_x, max_y = _numbers(text, 4, "invalid_bbox", "bbox")
    _check_lon_lat(min_x, min_y, "invalid_bbox")
    _check_lon_lat(max_x, max_y, "invalid_bbox")
    if min_x > max_x or min_y > max_y:
        raise CoordinateError(
            "bbox is min_lon,min_lat,max_lon,max_lat with min <= max.", code="invalid_bbox"
        )
    return (min_x, min_y, max_x, max_y)


def parse_point(text: str) -> Point:
    """'lon,lat' (WGS84) as a Point, checked."""
    lon, lat = _numbers(text, 2, "invalid_point", "point")
    _check_lon_lat(lon, lat, "invalid_point")
    return Point(lon, lat, srid=4326)
