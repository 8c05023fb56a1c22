"""/open-data/: public feeds of assets and reports (api/opendata.py)."""

from django.urls import path, re_path

from api import opendata

urlpatterns = [
    path("", opendata.index, name="open-data"),
    re_path(r"^assets\.(?P<fmt>csv|geojson)$", opendata.assets_feed, name="open-data-assets"),
    re_path(r"^reports\.(?P<fmt>csv|geojson)$", opendata.reports_feed, name="open-data-reports"),
    re_path(r"^jp/(?P<code>[a-z0-9-]+)\.csv$", opendata.jp_layout, name="open-data-jp"),
]
