"""The city this deployment serves: its values, read from the settings in one place.

Every module that needs the city's area (and, as they move here, its name, phone, address
and licence) asks this module, so that serving several cities later changes one place.
"""

import json
from functools import lru_cache

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry


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
