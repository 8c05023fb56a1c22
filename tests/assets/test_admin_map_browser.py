"""The admin's map in a real browser, with every request off this machine refused.

OpenLayers must come from our static files and the map must be usable with no tile server:
click to place a light, save, and the asset is where the click was.
"""

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PIL import Image

from assets.models import Asset, AssetType
from tests import factories
from tests.browser import Session
from tests.browser import chromium as browser_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Machimori-2026"
# Web Mercator: metres a pixel at zoom 0 on 256-pixel tiles, and the earth's radius.
_RESOLUTION_Z0 = 156_543.03392804097
_EARTH_RADIUS = 6_378_137.0


def _lon_lat_at(pixel_offset: tuple[float, float], center, zoom) -> tuple[float, float]:
    """Where a click lands, `pixel_offset` (right, down) from the centre of the map."""
    resolution = _RESOLUTION_Z0 / 2**zoom
    x = math.radians(center[0]) * _EARTH_RADIUS + pixel_offset[0] * resolution
    y = _EARTH_RADIUS * math.log(math.tan(math.pi / 4 + math.radians(center[1]) / 2))
    y -= pixel_offset[1] * resolution
    lon = math.degrees(x / _EARTH_RADIUS)
    lat = math.degrees(2 * math.atan(math.exp(y / _EARTH_RADIUS)) - math.pi / 2)
    return lon, lat


@pytest.fixture(autouse=True)
def _no_tile_server(settings):
    """The machine's own settings must not bring tiles in: these maps work offline."""
    settings.MAP_TILE_URL = ""


@pytest.fixture
def superuser(db):
    return factories.user(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def neighbours(catalogue, city, settings):
    """Assets already registered around the map's centre: the context drawn on the map."""
    lon, lat = settings.MAP_CENTER
    return [
        factories.asset("security-light", owner=city["road"], lon=lon - 0.002, lat=lat),
        factories.asset("security-light", owner=city["road"], lon=lon + 0.001, lat=lat - 0.001),
        factories.asset("road-segment", owner=city["road"], lon=lon - 0.004, lat=lat + 0.002),
        factories.asset("park", owner=city["parks"], lon=lon + 0.003, lat=lat + 0.001),
    ]


def log_in(session, base_url: str, next_path: str) -> None:
    page = session.page
    page.goto(f"{base_url}/admin/login/?next={next_path}")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}{next_path}")
    # The widget is built once OpenLayers has loaded and the page is parsed.
    page.wait_for_function("window.machimoriMaps && window.machimoriMaps.id_geom")
    page.wait_for_selector("#id_geom_map .ol-viewport canvas")


@contextmanager
def chromium(chromium_path: str) -> Iterator[Session]:
    with browser_chromium(chromium_path, viewport={"width": 1280, "height": 1100}) as session:
        yield session


def test_a_click_on_the_offline_map_places_the_light_where_clicked(
    live_server, superuser, neighbours, city, settings, chromium_path, tmp_path
):
    light_type = AssetType.objects.get(code="security-light")
    owner = city["road"]
    center, zoom = settings.MAP_CENTER, settings.MAP_ZOOM
    offset = (120, -60)  # right of and above the centre, clear of the neighbours
    expected = _lon_lat_at(offset, center, zoom)

    with chromium(chromium_path) as session:
        page = session.page
        log_in(session, live_server.url, "/admin/assets/asset/add/")
        page.select_option("#id_asset_type", str(light_type.pk))
        page.select_option("#id_owner", str(owner.pk))
        page.fill("#id_ledger_id", "BH-0777")
        page.fill("#id_name", "塩冶7号灯")

        # The map is drawn by the vendored OpenLayers and restricted to points for a light.
        box = page.locator("#id_geom_map").bounding_box()
        assert box["width"] > 300
        assert box["height"] > 300
        assert page.locator("#id_geom_map .ol-scale-line").count() == 1
        assert page.evaluate(
            "window.machimoriMaps.id_geom.map.getLayers().getArray()"
            ".some((layer) => layer instanceof ol.layer.Graticule)"
        )
        assert page.is_checked(".mm-draw-kind input[value=Point]")
        assert page.is_disabled(".mm-draw-kind input[value=LineString]")
        # The neighbours arrive as the map's context layer.
        page.wait_for_function(
            "window.machimoriMaps.id_geom.nearbySource.getFeatures().length === 4"
        )

        page.locator("#id_geom_map").click(
            position={"x": box["width"] / 2 + offset[0], "y": box["height"] / 2 + offset[1]}
        )
        page.wait_for_function("document.getElementById('id_geom').value.includes('Point')")
        assert page.input_value("#id_geom_latlon").startswith(f"{expected[1]:.3f}"[:6])
        page.mouse.move(5, 5)  # off the map, so the drawing cursor does not hide the point
        page.screenshot(path=str(tmp_path / "admin_map.png"), full_page=True)

        page.click("input[name=_save]")
        page.wait_for_url(f"{live_server.url}/admin/assets/asset/")
        external, errors = list(session.external), list(session.errors)

    assert external == []
    assert errors == []
    asset = Asset.objects.get(ledger_id="BH-0777")
    assert asset.asset_type == light_type
    assert asset.geom.geom_type == "Point"
    # Within two pixels (about 15 m at zoom 14) of where the click was.
    tolerance = 2 * _RESOLUTION_Z0 / 2**zoom / 111_320
    assert asset.geom.x == pytest.approx(expected[0], abs=tolerance)
    assert asset.geom.y == pytest.approx(expected[1], abs=tolerance)


def test_typed_coordinates_set_the_point_and_the_type_sets_what_is_drawn(
    live_server, superuser, neighbours, city, chromium_path
):
    road_type = AssetType.objects.get(code="road-segment")
    light_type = AssetType.objects.get(code="security-light")

    with chromium(chromium_path) as session:
        page = session.page
        log_in(session, live_server.url, "/admin/assets/asset/add/")

        # No type chosen yet: any kind may be drawn.
        assert page.is_enabled(".mm-draw-kind input[value=Polygon]")
        page.select_option("#id_asset_type", str(road_type.pk))
        assert page.is_checked(".mm-draw-kind input[value=LineString]")
        assert page.is_disabled(".mm-draw-kind input[value=Point]")
        assert page.is_disabled("#id_geom_latlon")

        page.select_option("#id_asset_type", str(light_type.pk))
        page.select_option("#id_owner", str(city["road"].pk))
        page.fill("#id_ledger_id", "BH-0778")
        # Full-width digits and comma, as a Japanese input method types them.
        page.fill("#id_geom_latlon", "３５．３６８１２、１３２．７６１０５")
        page.press("#id_geom_latlon", "Enter")
        page.wait_for_function("document.getElementById('id_geom').value.includes('Point')")
        status = page.text_content(".mm-map-status")

        page.click("input[name=_save]")
        page.wait_for_url(f"{live_server.url}/admin/assets/asset/")
        external, errors = list(session.external), list(session.errors)

    assert external == []
    assert errors == []
    assert "35.368120" in status
    asset = Asset.objects.get(ledger_id="BH-0778")
    assert asset.geom.x == pytest.approx(132.76105, abs=1e-6)
    assert asset.geom.y == pytest.approx(35.36812, abs=1e-6)


def test_a_saved_geometry_is_shown_and_a_wrong_kind_is_reported_on_the_form(
    live_server, superuser, neighbours, chromium_path
):
    park = neighbours[3]

    with chromium(chromium_path) as session:
        page = session.page
        with page.expect_response(lambda r: "/admin/assets/asset/nearby/" in r.url) as nearby:
            log_in(session, live_server.url, f"/admin/assets/asset/{park.pk}/change/")
        # The park's polygon is on the map for editing, and not again as a neighbour.
        assert page.evaluate("window.machimoriMaps.id_geom.features.getLength()") == 1
        assert f"exclude={park.pk}" in nearby.value.url
        assert park.pk not in [feature["id"] for feature in nearby.value.json()["features"]]

        page.click(".mm-raw summary")
        page.fill("#id_geom", "POINT (132.7551 35.3671)")
        page.click("input[name=_save]")
        page.wait_for_selector(".errorlist")
        error_text = page.text_content(".errorlist")
        external, errors = list(session.external), list(session.errors)

    assert external == []
    assert errors == []
    assert "not a Point" in error_text
    park.refresh_from_db()
    assert park.geom.geom_type == "Polygon"


def test_a_tile_server_when_set_replaces_the_graticule(
    live_server, superuser, catalogue, settings, chromium_path
):
    settings.MAP_TILE_URL = "https://tiles.city.example/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© 出雲市 地図"
    # The policy names the tile server as the settings are read at start; here it comes later.
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    images = [*directives["img-src"], "https://tiles.city.example"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "img-src": images}}
    tile = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 230, 200)).save(tile, "PNG")
    tiles = []

    def serve_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=tile.getvalue())

    with chromium(chromium_path) as session:
        page = session.page
        page.route("https://tiles.city.example/**", serve_tile)
        log_in(session, live_server.url, "/admin/assets/asset/add/")
        page.wait_for_function("document.querySelector('#id_geom_map .ol-attribution li')")
        attribution = page.text_content("#id_geom_map .ol-attribution")
        has_graticule = page.evaluate(
            "window.machimoriMaps.id_geom.map.getLayers().getArray()"
            ".some((layer) => layer instanceof ol.layer.Graticule)"
        )
        external, errors = list(session.external), list(session.errors)

    assert external == []
    assert errors == []
    assert tiles
    assert all(url.startswith("https://tiles.city.example/14/") for url in tiles)
    assert "© 出雲市 地図" in attribution
    assert has_graticule is False
