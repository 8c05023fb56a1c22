"""The city a request is for: its name, phone, public address, licence, Open311
jurisdiction and area, read from the settings in this one place.

Every module that needs a city value asks `current(request)`, so that serving several
cities from one deployment later changes this module, not its callers.
"""

import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
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

    def name_in(self, language: str | None = None) -> str:
        """The name for a reader of `language` (the active one by default)."""
        language = language or get_language() or "ja"
        return self.name if language.startswith("ja") else self.name_en


def current(request=None) -> City:
    """The city of this request (the deployment's one city until several are served)."""
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
    )


@lru_cache(maxsize=4)
def _parse_area(setting: str):
    if not setting:
        return None
    text = setting
    if not setting.lstrip().startswith(("{", "POLYGON", "MULTIPOLYGON", "SRID")):
        with open(setting, encoding="utf-8") as handle:  # a GeoJSON file
            text = handle.read()
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        if data.get("type") == "FeatureCollection":
            geoms = [GEOSGeometry(json.dumps(f["geometry"])) for f in data["features"]]
            area = geoms[0]
            for geom in geoms[1:]:
                area = area.union(geom)
            return area
        if data.get("type") == "Feature":
            data = data["geometry"]
        return GEOSGeometry(json.dumps(data))
    return GEOSGeometry(text)


def service_area():
    """The area reports may come from (settings.SERVICE_AREA); None means anywhere. Parsed
    once per process: the settings check at start does it first."""
    return _parse_area(settings.SERVICE_AREA)
