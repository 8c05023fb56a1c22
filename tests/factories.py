"""Plain factory functions: readable, explicit, no magic."""

import io
import itertools

from django.contrib.gis.geos import GEOSGeometry, LineString, Point, Polygon
from PIL import Image

from accounts.models import Organization, User
from assets.models import Asset, AssetType
from assets.services import asset_create

_counter = itertools.count(1)

IZUMO = (132.7550, 35.3670)


def org(code: str | None = None, *, kind="section", parent=None, **fields) -> Organization:
    code = code or f"org-{next(_counter)}"
    return Organization.objects.create(
        code=code, name=fields.pop("name", code), kind=kind, parent=parent, **fields
    )


def user(organization=None, role="", *, username=None, password="pw-Machimori-2026", **fields):
    username = username or f"user{next(_counter)}"
    account = User(username=username, organization=organization, role=role, **fields)
    account.set_password(password)
    account.full_clean()
    account.save()
    return account


def point(lon=IZUMO[0], lat=IZUMO[1]) -> Point:
    return Point(lon, lat, srid=4326)


def geometry_for(asset_type: AssetType, lon=IZUMO[0], lat=IZUMO[1]) -> GEOSGeometry:
    if asset_type.geometry_kind == AssetType.Geometry.POINT:
        return point(lon, lat)
    if asset_type.geometry_kind == AssetType.Geometry.LINE:
        return LineString((lon, lat), (lon + 0.001, lat), srid=4326)
    return Polygon.from_bbox((lon, lat, lon + 0.0005, lat + 0.0005))


def asset(type_code="security-light", *, owner, lon=IZUMO[0], lat=IZUMO[1], **fields) -> Asset:
    asset_type = AssetType.objects.get(code=type_code)
    fields.setdefault("ledger_id", f"T-{next(_counter):06d}")
    if asset_type.code == "road-segment":
        fields.setdefault("attributes", {"road_class": "city"})
    return asset_create(
        asset_type=asset_type,
        owner=owner,
        geom=fields.pop("geom", None) or geometry_for(asset_type, lon, lat),
        **fields,
    )


def jpeg(colour=(200, 30, 30), size=(640, 480), name="photo.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def jpeg_with_gps(lat: float, lon: float, name="gps.jpg") -> io.BytesIO:
    """A JPEG whose EXIF GPS says (lat, lon)."""
    from PIL import ExifTags

    def dms(value):
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), ((value - degrees) * 60 - minutes) * 60)

    image = Image.new("RGB", (640, 480), (20, 120, 200))
    exif = image.getexif()
    gps = {
        ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
        ExifTags.GPS.GPSLatitude: dms(lat),
        ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
        ExifTags.GPS.GPSLongitude: dms(lon),
    }
    exif[ExifTags.IFD.GPSInfo] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = name
    return buffer


def receipt_token(report) -> str:
    """The first reporter's own receipt token of a report (their /r/ link)."""
    from reports.models import Receipt

    return (
        Receipt.objects.filter(origin=report, me_too__isnull=True, public_only=False)
        .values_list("token", flat=True)
        .first()
    )


def photo(data=None, **kwargs):
    """A photo staged the way every channel stages them."""
    from reports import photo_store

    return photo_store.photo_stage(data=data if data is not None else jpeg(), **kwargs)


def me_too(report, *, email="", language="ja", photo=None, description=""):
    """A "me too" through the intake door; its receipt."""
    from django.contrib.auth.models import AnonymousUser

    from reports import intake

    return intake.me_too_intake(
        report=report,
        acting_user=AnonymousUser(),
        contact=intake.Contact(email=email),
        language=language,
        photos=[photo] if photo is not None else [],
        description=description,
    ).receipt
