"""The query parameters of /ogc/, checked: bad input is an OgcError, answered in the
standard's exception shape {"code": …, "description": …}, never a 500."""

import datetime
import math
import re
from dataclasses import dataclass

from django.utils import timezone

from assets import geo

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 1_000_000_000  # beyond any collection; keeps OFFSET inside a 64-bit integer
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
FORMATS = {"json": "json", "geojson": "json", "html": "html"}
# RFC 3339 (OGC API – Features, "datetime"): a full date-time carries its offset.
_DATE = r"\d{4}-\d{2}-\d{2}"
_DATE_TIME = _DATE + r"[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[Zz]|[+-]\d{2}:\d{2})"


class OgcError(Exception):
    def __init__(self, description: str, *, code="InvalidParameterValue", status=400):
        super().__init__(description)
        self.description, self.code, self.status = description, code, status


def not_found(description: str) -> OgcError:
    return OgcError(description, code="NotFound", status=404)


@dataclass(frozen=True)
class ItemsQuery:
    bbox: tuple[float, float, float, float] | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def check_known(params, known: set[str]) -> None:
    """The standard asks a 400 for a parameter the API does not define: a typo such as
    `bbbox` would otherwise return the whole collection as if it had been applied."""
    known = known | {"f"}
    if unknown := sorted(set(params) - known):
        raise OgcError(f"unknown parameter {unknown[0]!r}: this resource takes {sorted(known)}")
    for name in ("crs", "bbox-crs"):
        if params.get(name, CRS84) != CRS84:
            raise OgcError(f"{name}: only {CRS84} (longitude, latitude) is offered")


def output_format(request) -> str:
    """'json' or 'html': ?f= first, then the Accept header (a browser asks for HTML)."""
    if "f" in request.GET:
        chosen = FORMATS.get(request.GET["f"].strip().lower())
        if chosen is None:
            raise OgcError("f must be json or html")
        return chosen
    preferred = request.get_preferred_type(
        ["application/json", "application/geo+json", "text/html"]
    )
    return "html" if preferred == "text/html" else "json"


def items_query(params, *, temporal: bool) -> ItemsQuery:
    check_known(params, {"bbox", "bbox-crs", "limit", "offset", "datetime", "crs"})
    since = until = None
    if params.get("datetime"):
        if not temporal:
            raise OgcError("datetime: this collection has no time; only reports have one")
        since, until = parse_datetime(params["datetime"])
    return ItemsQuery(
        bbox=parse_bbox(params["bbox"]) if "bbox" in params else None,
        limit=_whole(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_whole(params, "offset", 0, 0, MAX_OFFSET),
        since=since,
        until=until,
    )


def _whole(params, name: str, default: int, low: int, high: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    if not re.fullmatch(r"[0-9]{1,12}", text) or not low <= int(text) <= high:
        raise OgcError(f"{name} must be a whole number from {low} to {high}")
    return int(text)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """min lon, min lat, max lon, max lat (WGS84); with heights, six numbers."""
    parts = text.split(",")
    try:
        if len(parts) == 6:  # min lon, min lat, min height, max lon, max lat, max height
            if not all(math.isfinite(float(parts[i])) for i in (2, 5)):
                raise ValueError
            parts = [parts[0], parts[1], parts[3], parts[4]]
        return geo.parse_bbox(",".join(parts))
    except (ValueError, geo.CoordinateError) as exc:
        raise OgcError(
            "bbox: four numbers, min lon,min lat,max lon,max lat (WGS84), or six with "
            f"heights. {getattr(exc, 'detail', 'Heights must be numbers.')}"
        ) from None


def _moment(text: str, *, end: bool) -> datetime.datetime:
    if re.fullmatch(_DATE_TIME, text):
        return datetime.datetime.fromisoformat(text.upper())
    if not re.fullmatch(_DATE, text):
        raise ValueError(text)
    # A date alone is the whole day, in the city's time zone.
    day = datetime.date.fromisoformat(text) + datetime.timedelta(days=1 if end else 0)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return start - datetime.timedelta(microseconds=1) if end else start


def parse_datetime(text: str) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """An instant or an interval ('start/end', '../end', 'start/..'), as (since, until)."""
    parts = text.strip().split("/")
    try:
        if len(parts) == 1:
            return _moment(parts[0], end=False), _moment(parts[0], end=True)
        if len(parts) == 2 and any(p not in ("", "..") for p in parts):
            start, end = (None if p in ("", "..") else p for p in parts)
            since = _moment(start, end=False) if start else None
            until = _moment(end, end=True) if end else None
            if since and until and since > until:
                raise ValueError(text)
            return since, until
    except (ValueError, OverflowError):
        pass
    raise OgcError(
        "datetime must be an RFC 3339 instant or interval, e.g. 2026-04-01T00:00:00+09:00, "
        "2026-04-01/2026-04-30 or 2026-04-01T00:00:00Z/.."
    )
