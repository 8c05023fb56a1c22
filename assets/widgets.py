"""A map widget for the admin that works without internet.

Django's OSMWidget loads OpenLayers from cdn.jsdelivr.net and its tiles from
openstreetmap.org; a city intranet reaches neither, and the map stays blank. This widget
serves OpenLayers from our own static files (static/vendor/ol), draws background tiles only
when settings.MAP_TILE_URL names a tile server, and otherwise shows a graticule and the assets
already registered nearby, so staff can still place a point relative to what is there.
"""

from collections.abc import Callable, Mapping

from django.conf import settings
from django.contrib.gis.forms.widgets import OpenLayersWidget
from django.utils.translation import gettext_lazy as _

# What OpenLayers draws for each geometry type of a form field ("Geometry" means: any).
_DRAW_TYPES = {
    "Point": "Point",
    "MultiPoint": "Point",
    "LineString": "LineString",
    "MultiLineString": "LineString",
    "Polygon": "Polygon",
    "MultiPolygon": "Polygon",
}

_MESSAGES = {
    "placed": _("Point set at latitude %(lat)s, longitude %(lon)s."),
    "swapped": _("That looked like longitude, latitude: read it the other way round."),
    "bad_latlon": _("Type latitude and longitude as two numbers, e.g. 35.3670, 132.7550."),
    "not_point": _("Coordinates can be typed only for a point; draw lines and areas on the map."),
    "unreadable": _("The map cannot show this value; it is checked when you save."),
    "nearby_failed": _("Nearby assets could not be loaded."),
    "nearby_truncated": _("Only some nearby assets are shown; zoom in to see all."),
}


class MapWidget(OpenLayersWidget):
    """Draw or type a geometry; the value is GeoJSON in longitude/latitude (WGS84).

    nearby_url: a view answering `?bbox=min_lon,min_lat,max_lon,max_lat` with a GeoJSON
    FeatureCollection, drawn faintly as context. kind_field and kinds: the name of a select
    on the same form and, for each of its values, the geometry type to draw ("Point",
    "LineString", "Polygon"), so an asset is drawn the way its type requires.
    """

    template_name = "gis/machimori_map.html"
    # The textarea holds lon/lat, not the map's Web Mercator metres, so staff can read it and
    # paste GeoJSON or WKT from other tools; the browser reprojects for display.
    map_srid = 4326

    class Media:
        extend = False  # OpenLayersWidget's Media points at the CDN
        css = {"all": ("vendor/ol/ol.css", "assets/map_widget.css")}
        js = ("vendor/ol/ol.js", "assets/map_widget.js")

    def __init__(
        self,
        attrs=None,
        *,
        nearby_url: str | None = None,
        kind_field: str | None = None,
        kinds: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    ):
        super().__init__(attrs)
        self.nearby_url = nearby_url
        self.kind_field = kind_field
        self.kinds = kinds

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        geom_type = context["geom_type"]
        context["id"] = context.get("id") or f"id_{name}"
        context["options_id"] = f"{context['id']}_options"
        # Evaluated per render: a type added a minute ago must draw the right way.
        kinds = self.kinds() if callable(self.kinds) else (self.kinds or {})
        context["choose_kind"] = geom_type not in _DRAW_TYPES
        context["can_type_point"] = _DRAW_TYPES.get(geom_type, "Point") == "Point"
        context["draw_choices"] = [
            ("Point", _("point")),
            ("LineString", _("line")),
            ("Polygon", _("area")),
        ]
        context["map_options"] = {
            "id": context["id"],
            "geomType": geom_type,
            "drawType": _DRAW_TYPES.get(geom_type),
            "isCollection": geom_type.startswith("Multi"),
            "center": list(settings.MAP_CENTER),
            "zoom": settings.MAP_ZOOM,
            "tileUrl": settings.MAP_TILE_URL or None,
            "tileAttribution": settings.MAP_TILE_ATTRIBUTION or "",
            "nearbyUrl": self.nearby_url,
            "kindField": self.kind_field,
            "kinds": {str(key): kind for key, kind in kinds.items()},
            "disabled": bool(context.get("disabled")),
            "messages": {key: str(text) for key, text in _MESSAGES.items()},
        }
        return context
