"""Where and when a photo was taken, from its EXIF block, when the camera can be believed."""

import datetime
import io
import re

import exifread
import pillow_heif
from django.utils import timezone


def read(data: bytes, *, heif: bool) -> dict:
    """exifread's tags, or {} for a file whose EXIF it cannot parse (corrupt EXIF is common).

    `heif`: the data is a HEIF container, whose EXIF block exifread may not find alone."""
    found = _parsed(data)
    if not found and heif:
        # exifread's HEIC reader wants "Exif\0\0" before the TIFF header, which libheif-written
        # files lack; pillow-heif finds the block in any HEIC, and exifread reads it as TIFF.
        try:
            block = pillow_heif.open_heif(io.BytesIO(data)).info.get("exif") or b""
        except Exception:
            block = b""
        found = _parsed(block.removeprefix(b"Exif\x00\x00")) if block else {}
    return found


def _parsed(data: bytes) -> dict:
    try:
        return exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=False)
    except Exception:
        return {}


def gps(tags: dict) -> tuple[float, float] | None:
    latitude = _coordinate(tags, "GPS GPSLatitude", {"N": 1, "S": -1}, 90)
    longitude = _coordinate(tags, "GPS GPSLongitude", {"E": 1, "W": -1}, 180)
    if latitude is None or longitude is None:
        return None
    # Receivers without a fix write zeros; nobody reports a streetlight at Null Island.
    if latitude == 0 and longitude == 0:
        return None
    return round(latitude, 7), round(longitude, 7)


def _coordinate(tags: dict, name: str, signs: dict[str, int], bound: float) -> float | None:
    """Degrees from an EXIF (degrees, minutes, seconds) triple and its N/S or E/W reference.

    A missing or unknown reference gives None rather than a guess: assuming N/E would put a
    western or southern photo on the wrong side of the globe, and a wrong pin is worse than
    none (the resident places it by hand)."""
    try:
        reference = str(tags[name + "Ref"].values).strip(" \x00").upper()[:1]
        values = tags[name].values
        sign = signs[reference]
    except (KeyError, AttributeError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != 3:
        return None
    degrees, minutes, seconds = parts = [_number(value) for value in values]
    if any(part is None or part < 0 for part in parts) or minutes > 60 or seconds > 60:
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if result > bound:
        return None
    return sign * result


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value)
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if not isinstance(numerator, int) or not isinstance(denominator, int) or denominator == 0:
        return None
    return numerator / denominator


_EARLIEST = datetime.datetime(2000, 1, 2, tzinfo=datetime.UTC)


def taken_at(tags: dict) -> datetime.datetime | None:
    """DateTimeOriginal when it is a plausible time: not in the future, not a reset clock.

    EXIF times are local to the camera: OffsetTimeOriginal says where, else we take the
    city's own time zone (residents photograph faults in the city)."""
    tag = tags.get("EXIF DateTimeOriginal")
    if tag is None:
        return None
    text = str(tag.values).strip(" \x00")
    try:
        naive = datetime.datetime.strptime(text, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = _offset(tags.get("EXIF OffsetTimeOriginal"))
    if offset is None:
        taken_at = timezone.make_aware(naive, timezone.get_default_timezone())
    else:
        taken_at = naive.replace(tzinfo=offset)
    # Cameras whose clock was never set say 1970, 1980, 1998 or 2000-01-01 00:00.
    if not _EARLIEST <= taken_at <= timezone.now() + datetime.timedelta(days=1):
        return None
    return taken_at


def _offset(tag) -> datetime.timezone | None:
    if tag is None:
        return None
    match = re.fullmatch(r"([+-])(\d\d):(\d\d)", str(tag.values).strip(" \x00"))
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = datetime.timedelta(hours=int(hours), minutes=int(minutes))
    if delta > datetime.timedelta(hours=14):
        return None
    return datetime.timezone(-delta if sign == "-" else delta)
