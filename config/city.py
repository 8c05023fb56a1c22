"""The city a request is for: its name, phone, public address, licence, Open311
jurisdiction and area, in this one place.

Every module that needs a city value asks `current(request)`. A deployment that serves
several cities has City rows (accounts.models.City); the city middleware of accounts
(accounts/city_host.py) puts the one named by the request's host on `request.city`, as the
dataclass below, with its own LINE channel and report mailbox. Without City rows, and outside
a request, the city is the deployment's one, read from the settings.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.http import Http404
from django.utils.translation import get_language


@dataclass(frozen=True)
class City:
    """The municipality a request is for, with what residents and other systems are told."""

    name: str  # 出雲市
    name_en: str  # Izumo City
    phone: str
    phone_hours: str  # when the phone is answered: 平日 8:30–17:15
    public_base_url: str  # printed in QR codes; links in e-mails
    short_url_base: str  # printed on stickers before the code, to type: izumo.example.jp/q/
    open_data_license: str
    open_data_license_url: str
    jurisdiction_id: str  # Open311
    open311_contact: str
    local_government_code: str  # 全国地方公共団体コード, with its check digit
    prefecture: str
    # The city's LINE official account (Messaging API channel); off when no secret is set.
    line: "LineChannel | None" = None
    # The city's report mailbox, read over IMAP; off when no host is set.
    mailbox: "Mailbox | None" = None
    # Of a configured city (accounts.models.City): its row and service area. None for the
    # deployment's one city of the settings.
    id: int | None = None
    slug: str = ""
    area: object = field(default=None, compare=False, repr=False)

    def name_in(self, language: str | None = None) -> str:
        """The name for a reader of `language` (the active one by default)."""
        language = language or get_language() or "ja"
        return self.name if language.startswith("ja") else self.name_en


# Secrets stay out of repr(): a City is in tracebacks and log lines.
@dataclass(frozen=True)
class LineChannel:
    channel_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    basic_id: str  # @123abcde: the sticker page's "report by LINE" link opens a chat with it
    push_monthly_cap: int  # pushes cost the city: none beyond this many a month


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str
    processed_folder: str
    staff_folder: str
    ca_file: str  # a CA to trust besides the system's (a private mail server)
    address: str  # what residents write to (the sticker page's mailto: link)


def _line() -> LineChannel | None:
    if not (settings.LINE_CHANNEL_SECRET and settings.LINE_CHANNEL_ACCESS_TOKEN):
        return None
    return LineChannel(
        channel_secret=settings.LINE_CHANNEL_SECRET,
        access_token=settings.LINE_CHANNEL_ACCESS_TOKEN,
        basic_id=settings.LINE_BOT_BASIC_ID,
        push_monthly_cap=settings.LINE_PUSH_MONTHLY_CAP,
    )


def _mailbox() -> Mailbox | None:
    if not settings.MAIL_INTAKE_HOST:
        return None
    return Mailbox(
        host=settings.MAIL_INTAKE_HOST,
        port=settings.MAIL_INTAKE_PORT,
        user=settings.MAIL_INTAKE_USER,
        password=settings.MAIL_INTAKE_PASSWORD,
        folder=settings.MAIL_INTAKE_FOLDER,
        processed_folder=settings.MAIL_INTAKE_PROCESSED_FOLDER,
        staff_folder=settings.MAIL_INTAKE_STAFF_FOLDER,
        ca_file=settings.MAIL_INTAKE_CA_FILE,
        address=settings.MAIL_INTAKE_ADDRESS,
    )


class NoCityHere(Http404):
    """The request's host names none of the deployment's cities (a 404 page naming none)."""


def current(request=None) -> City:
    """The city of this request: the one its host names when several cities are served
    (request.city), else the deployment's one city of the settings."""
    here = getattr(request, "city", None)
    if isinstance(here, City):
        return here
    return City(
        name=settings.CITY_NAME,
        name_en=settings.CITY_NAME_EN,
        phone=settings.CITY_PHONE,
        phone_hours=settings.CITY_PHONE_HOURS,
        public_base_url=settings.PUBLIC_BASE_URL,
        short_url_base=settings.LABEL_SHORT_URL,
        open_data_license=settings.OPEN_DATA_LICENSE,
        open_data_license_url=settings.OPEN_DATA_LICENSE_URL,
        jurisdiction_id=settings.OPEN311_JURISDICTION,
        open311_contact=settings.OPEN311_CONTACT,
        local_government_code=settings.LOCAL_GOVERNMENT_CODE,
        prefecture=settings.PREFECTURE_NAME,
        line=_line(),
        mailbox=_mailbox(),
    )


def geometry_from_text(text: str) -> GEOSGeometry:
    """A geometry from WKT, or from GeoJSON text: a geometry, a Feature, or a
    FeatureCollection (its features' union). Raises ValueError (or GEOS's errors)."""
    text = text.strip()
    if not text.startswith("{"):
        return GEOSGeometry(text)
    data = json.loads(text)
    if data.get("type") == "FeatureCollection":
        parts = [GEOSGeometry(json.dumps(f["geometry"])) for f in data["features"]]
        if not parts:
            raise ValueError("the FeatureCollection has no features")
        area = parts[0]
        for part in parts[1:]:
            area = area.union(part)
        return area
    if data.get("type") == "Feature":
        data = data["geometry"]
    return GEOSGeometry(json.dumps(data))


@lru_cache(maxsize=4)
def _parse_area(setting: str):
    if not setting:
        return None
    text = setting
    if not setting.lstrip().startswith(("{", "POLYGON", "MULTIPOLYGON", "SRID")):
        with open(setting, encoding="utf-8") as handle:  # a GeoJSON file
            text = handle.read()
    return geometry_from_text(text)


def service_area(request=None):
    """The area reports may come from: the request's city's when several cities are served,
    else settings.SERVICE_AREA (parsed once per process: the settings check at start does it
    first); None means anywhere."""
    here = getattr(request, "city", None)
    if isinstance(here, City):
        return here.area
    return _parse_area(settings.SERVICE_AREA)
