"""OGC API – Features at /ogc/, read by clients no one here wrote: GDAL's OAPIF driver lists
the collections, counts the features, follows the pages and copies a bounding box into a
GeoPackage; GDAL's GeoJSON and CSV drivers read the open-data feeds. Then paging, time
filters, bad input, privacy, caching, and the HTML pages in Chromium with axe-core."""

import datetime
import json
import re
import shutil
import sqlite3
import subprocess

import pytest
import requests as http
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assets.models import Asset
from reports import intake, services
from reports.models import Receipt, Report
from reports.selectors import reports_public
from tests import factories
from tests.browser import AXE, chromium
from tests.conftest import require

pytestmark = pytest.mark.django_db(transaction=True)

OGRINFO, OGR2OGR = shutil.which("ogrinfo"), shutil.which("ogr2ogr")
GEOJSON = "application/geo+json"
# Lights 3 to 6 and road 2 meet this box; so would the retired light, which is not published.
BOX = (132.7545, 35.3595, 132.7625, 35.3645)
SECRET_ATTRIBUTE = "SUPPLIER-SECRET-42"
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def town(catalogue, city):
    """Twelve security lights on a grid, three road segments, two parks (17 assets in
    service) and a retired light, which the open data leaves out."""
    lights = [
        factories.asset(
            "security-light",
            owner=city["road"],
            ledger_id=f"BH-{i:03d}",
            address=f"今市町{i + 1}丁目",
            attributes={"supplier": SECRET_ATTRIBUTE},
            lon=132.750 + i * 0.002,
            lat=35.360 + (i % 3) * 0.002,
        )
        for i in range(12)
    ]
    roads = [
        factories.asset("road-segment", owner=city["road"], lon=132.746 + i * 0.006, lat=35.361)
        for i in range(3)
    ]
    parks = [
        factories.asset("park", owner=city["parks"], name=f"公園{i}", lon=132.76, lat=35.37 + i)
        for i in range(2)
    ]
    retired = factories.asset("security-light", owner=city["road"], lon=132.756, lat=35.362)
    Asset.objects.filter(pk=retired.pk).update(status=Asset.Status.RETIRED)
    return {"lights": lights, "roads": roads, "parks": parks, "retired": retired}


@pytest.fixture
def reported(town, lamp_out):
    """Four reports on four lights, reported in April, May and June 2026, and a fifth closed
    as a duplicate (never published)."""
    moments = [
        datetime.datetime(2026, 4, 1, 10, 0, tzinfo=TOKYO),
        datetime.datetime(2026, 4, 15, 23, 30, tzinfo=TOKYO),
        datetime.datetime(2026, 5, 1, 0, 0, tzinfo=TOKYO),
        datetime.datetime(2026, 6, 1, 12, 0, tzinfo=TOKYO),
        datetime.datetime(2026, 6, 2, 12, 0, tzinfo=TOKYO),
    ]
    made = []
    for light, moment in zip(town["lights"], moments, strict=False):
        report = intake.report_intake(
            channel="qr", acting_user=AnonymousUser(), category=lamp_out, asset=light
        ).report
        Report.objects.filter(pk=report.pk).update(created_at=moment)
        made.append(report)
    Report.objects.filter(pk=made[-1].pk).update(
        status=Report.Status.CLOSED, close_reason="duplicate"
    )
    return made


def published_assets():
    return Asset.objects.filter(status=Asset.Status.IN_SERVICE)


def ogr(*args: str) -> str:
    require(OGRINFO is not None and OGR2OGR is not None, "ogrinfo (gdal-bin)")
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr.upper(), result.stderr
    return result.stdout


def feature_count(ogrinfo_output: str) -> int:
    return int(re.search(r"^Feature Count: (\d+)$", ogrinfo_output, re.M).group(1))


def gpkg_fids(path, layer: str) -> set[int]:
    with sqlite3.connect(path) as db:
        return {fid for (fid,) in db.execute(f'SELECT fid FROM "{layer}"')}


def get(path: str, **options):
    """A GET through Django's client; .json() reads streamed feeds too."""
    response = Client().get(path, **options)
    if response.streaming:
        text = b"".join(response.streaming_content)
        response.json = lambda: json.loads(text)
    return response


def walk(url: str) -> list[dict]:
    """Every page of an items request, following `next` to the end."""
    pages = []
    while url:
        page = http.get(url, headers={"Accept": GEOJSON}, timeout=30).json()
        pages.append(page)
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return pages


# --- GDAL's OAPIF driver --------------------------------------------------------------------


def test_gdal_lists_the_collections(live_server, town):
    listed = ogr(OGRINFO, "-ro", "-so", f"OAPIF:{live_server.url}/ogc/")

    names = re.findall(r"^\d+: (\S+)", listed, re.M)
    assert names[0] == "assets" and names[-1] == "reports"
    assert sorted(names[1:-1]) == ["assets-park", "assets-road-segment", "assets-security-light"]


def test_gdal_counts_what_the_database_publishes(live_server, reported):
    url = f"OAPIF:{live_server.url}/ogc/"

    assets = ogr(OGRINFO, "-ro", "-so", url, "assets")
    lights = ogr(OGRINFO, "-ro", "-so", url, "assets-security-light")
    roads = ogr(OGRINFO, "-ro", "-so", url, "assets-road-segment")
    reports = ogr(OGRINFO, "-ro", "-so", url, "reports")

    assert feature_count(assets) == published_assets().count() == 17
    assert (
        feature_count(lights)
        == published_assets().filter(asset_type__code="security-light").count()
    )
    assert feature_count(lights) == 12 and "Geometry: Point" in lights
    assert feature_count(roads) == 3 and "Geometry: Line String" in roads
    assert feature_count(reports) == reports_public().count() == 4


def test_gdal_copies_exactly_the_assets_in_a_bbox(live_server, town, tmp_path):
    out = tmp_path / "box.gpkg"

    ogr(
        OGR2OGR, "-f", "GPKG", str(out), f"OAPIF:{live_server.url}/ogc/", "assets",
        "-spat", *map(str, BOX), "-preserve_fid", "-nlt", "GEOMETRY",
    )  # fmt: skip

    box = Polygon.from_bbox(BOX)
    expected = {a.pk for a in published_assets() if a.geom.intersects(box)}
    wanted = [*town["lights"][3:7], town["roads"][2]]
    assert gpkg_fids(out, "assets") == expected == {a.pk for a in wanted}


def test_gdal_follows_the_pages_to_the_end(live_server, town, tmp_path):
    out = tmp_path / "all.gpkg"

    ogr(
        OGR2OGR, "-f", "GPKG", str(out), f"OAPIF:{live_server.url}/ogc/", "assets",
        "-oo", "PAGE_SIZE=5", "-preserve_fid", "-nlt", "GEOMETRY",
    )  # fmt: skip

    assert gpkg_fids(out, "assets") == set(published_assets().values_list("pk", flat=True))


# --- GDAL reads the open-data feeds ---------------------------------------------------------


def _geometries(geojson_text: str, id_field: str | None = None) -> dict[int, GEOSGeometry]:
    features = json.loads(geojson_text)["features"]
    return {
        int(f["properties"][id_field] if id_field else f["id"]): GEOSGeometry(
            json.dumps(f["geometry"]), srid=4326
        )
        for f in features
    }


def _same_geometries(read: dict[int, GEOSGeometry]) -> bool:
    stored = {a.pk: a.geom for a in published_assets()}
    return read.keys() == stored.keys() and all(
        read[pk].equals_exact(geom, tolerance=1e-7) for pk, geom in stored.items()
    )


def test_gdal_reads_the_open_data_geojson(live_server, town):
    url = f"{live_server.url}/open-data/assets.geojson"

    info = ogr(OGRINFO, "-ro", "-so", "-al", url)
    copied = ogr(OGR2OGR, "-f", "GeoJSON", "/vsistdout/", url)

    assert feature_count(info) == published_assets().count() == 17
    assert _same_geometries(_geometries(copied))


def test_gdal_reads_the_open_data_csv(live_server, town):
    # The CSV carries each geometry as WKT, and a point on it as lon/lat columns.
    url = f"CSV:/vsicurl_streaming/{live_server.url}/open-data/assets.csv"

    info = ogr(OGRINFO, "-ro", "-so", "-al", url, "-oo", "GEOM_POSSIBLE_NAMES=wkt")
    shapes = ogr(
        OGR2OGR, "-f", "GeoJSON", "/vsistdout/", url,
        "-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "KEEP_GEOM_COLUMNS=NO",
    )  # fmt: skip
    points = ogr(
        OGR2OGR, "-f", "GeoJSON", "/vsistdout/", url,
        "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
    )  # fmt: skip

    assert feature_count(info) == published_assets().count() == 17
    assert _same_geometries(_geometries(shapes, "id"))
    by_point = _geometries(points, "id")
    assert len(by_point) == published_assets().count() == 17
    for light in town["lights"]:  # a light's point is the light
        assert by_point[light.pk].equals_exact(light.geom, tolerance=1e-7)
    for road in town["roads"]:  # a road's point lies on the road
        assert road.geom.distance(by_point[road.pk]) < 1e-7


# --- Documents, paging and filters ----------------------------------------------------------


def test_the_landing_page_leads_to_conformance_api_and_collections(town):
    landing = get("/ogc/").json()
    conformance = get("/ogc/conformance").json()
    api = get("/ogc/api")

    rels = {link["rel"]: link for link in landing["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data", "license"} <= rels.keys()
    assert rels["data"]["href"] == "http://testserver/ogc/collections"
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert {c.rsplit("/", 1)[1] for c in conformance["conformsTo"]} == {
        "core",
        "geojson",
        "html",
        "oas30",
    }
    assert api.status_code == 200 and api["Content-Type"].startswith("application/vnd.oai")
    assert api.json()["components"]["parameters"]["limit"]["schema"]["maximum"] == 10_000


def test_a_collection_tells_its_extent_and_where_its_items_are(reported):
    assets = get("/ogc/collections/assets").json()
    reports = get("/ogc/collections/reports").json()
    missing = get("/ogc/collections/assets-spaceship")

    extents = [a.geom.extent for a in published_assets()]
    corners = [min(e[0] for e in extents), min(e[1] for e in extents)]
    corners += [max(e[2] for e in extents), max(e[3] for e in extents)]
    assert assets["extent"]["spatial"]["bbox"] == [corners]
    items = [link for link in assets["links"] if link["rel"] == "items"]
    assert {link["type"] for link in items} == {GEOJSON, "text/html"}
    assert reports["extent"]["temporal"]["interval"] == [
        ["2026-04-01T10:00:00+09:00", "2026-06-01T12:00:00+09:00"]
    ]
    assert missing.status_code == 404 and missing.json()["code"] == "NotFound"


def test_an_item_is_exactly_what_the_open_data_publishes(live_server, reported):
    light = reported[0].asset
    feed = http.get(f"{live_server.url}/open-data/assets.geojson").json()
    reports_feed = http.get(f"{live_server.url}/open-data/reports.geojson").json()

    asset = http.get(f"{live_server.url}/ogc/collections/assets/items/{light.pk}").json()
    report = http.get(f"{live_server.url}/ogc/collections/reports/items/{reported[0].number}")

    published = next(f for f in feed["features"] if f["id"] == light.pk)
    assert {k: v for k, v in asset.items() if k != "links"} == published
    assert SECRET_ATTRIBUTE not in json.dumps(asset)
    same = next(f for f in reports_feed["features"] if f["id"] == reported[0].number)
    assert {k: v for k, v in report.json().items() if k != "links"} == same
    assert report.headers["Content-Type"] == GEOJSON


def test_paging_links_lead_to_the_end_and_the_counts_add_up(live_server, town):
    pages = walk(f"{live_server.url}/ogc/collections/assets/items?limit=5")

    ids = [f["id"] for page in pages for f in page["features"]]
    assert [p["numberReturned"] for p in pages] == [5, 5, 5, 2]
    assert {p["numberMatched"] for p in pages} == {17}
    assert ids == sorted(published_assets().values_list("pk", flat=True))
    rels = [[link["rel"] for link in p["links"]] for p in pages]
    assert "prev" not in rels[0] and all("prev" in r for r in rels[1:])
    assert all("next" in r for r in rels[:-1]) and "next" not in rels[-1]
    past = get("/ogc/collections/assets/items?offset=100").json()
    assert (past["numberReturned"], past["numberMatched"], past["features"]) == (0, 17, [])


def test_a_bbox_of_four_or_six_numbers_selects_what_meets_it(town):
    flat = get("/ogc/collections/assets/items?bbox=" + ",".join(map(str, BOX))).json()
    high = get(
        "/ogc/collections/assets/items?bbox={},{},-10,{},{},100".format(*BOX)  # heights
    ).json()
    parks = get("/ogc/collections/assets-park/items?bbox=" + ",".join(map(str, BOX))).json()

    wanted = sorted(a.pk for a in [*town["lights"][3:7], town["roads"][2]])
    assert [f["id"] for f in flat["features"]] == wanted == [f["id"] for f in high["features"]]
    assert flat["numberMatched"] == 5 and parks["numberMatched"] == 0


@pytest.mark.parametrize("collection", ["assets", "assets-security-light", "reports"])
def test_a_page_costs_the_same_queries_however_many_features(reported, collection):
    get(f"/ogc/collections/{collection}/items?limit=1")  # warm the caches
    with CaptureQueriesContext(connection) as small:
        assert get(f"/ogc/collections/{collection}/items?limit=1").json()["numberReturned"] == 1
    with CaptureQueriesContext(connection) as large:
        assert get(f"/ogc/collections/{collection}/items?limit=50").json()["numberReturned"] > 1

    assert len(large) == len(small) <= 5, [q["sql"][:120] for q in large]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-04-01T10:00:00+09:00", [0]),
        ("2026-04-01T01:00:00Z", [0]),
        ("2026-04-15", [1]),
        ("2026-04-01/2026-04-30", [1, 0]),
        ("../2026-04-30", [1, 0]),
        ("2026-05-01T00:00:00+09:00/..", [3, 2]),
        ("2026-04-16/", [3, 2]),
        ("2026-04-15T14:30:00Z/2026-05-01T00:00:00+09:00", [2, 1]),
        ("2027-01-01/..", []),
    ],
)
def test_datetime_selects_reports_by_when_they_were_reported(reported, when, expected):
    response = get("/ogc/collections/reports/items", data={"datetime": when})

    assert response.status_code == 200, response.content
    numbers = [f["id"] for f in response.json()["features"]]
    assert numbers == [reported[i].number for i in expected]


BAD_INPUT = [
    ("assets/items", {"bbox": "132.75,35.36,132.76"}),
    ("assets/items", {"bbox": "132.75,35.36,132.76,35.37,1"}),
    ("assets/items", {"bbox": "a,b,c,d"}),
    ("assets/items", {"bbox": ""}),
    ("assets/items", {"bbox": "nan,35,133,36"}),
    ("assets/items", {"bbox": "200,35,201,36"}),
    ("assets/items", {"bbox": "132,95,133,96"}),
    ("assets/items", {"bbox": "133,35,132,36"}),
    ("assets/items", {"bbox": "132,35,x,133,36,10"}),
    ("assets/items", {"limit": "0"}),
    ("assets/items", {"limit": "-1"}),
    ("assets/items", {"limit": "10001"}),
    ("assets/items", {"limit": "99999999999999999999999999"}),
    ("assets/items", {"limit": "ten"}),
    ("assets/items", {"limit": "1.5"}),
    ("assets/items", {"limit": "²"}),
    ("assets/items", {"offset": "-5"}),
    ("assets/items", {"offset": "9" * 30}),
    ("assets/items", {"datetime": "2026-04-01"}),  # assets have no time
    ("reports/items", {"datetime": "yesterday"}),
    ("reports/items", {"datetime": "2026-13-01"}),
    ("reports/items", {"datetime": "2026-04-01T10:00:00"}),  # no offset
    ("reports/items", {"datetime": "2026-04-01 10:00"}),
    ("reports/items", {"datetime": "../.."}),
    ("reports/items", {"datetime": "/"}),
    ("reports/items", {"datetime": "2026-05-01/2026-04-01"}),
    ("reports/items", {"datetime": "2026-04-01/2026-05-01/2026-06-01"}),
    ("reports/items", {"datetime": "9999-12-31/9999-12-31"}),
    ("reports/items", {"datetime": "2026-04-01\x00"}),
    ("reports/items", {"bbox": "132\x00,35,133,36"}),
    ("reports/items", {"f": "xml"}),
    ("reports/items", {"bbbox": "132,35,133,36"}),
    ("reports/items", {"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/6668"}),
    ("", {"limit": "10"}),
]


@pytest.mark.parametrize(("path", "query"), BAD_INPUT)
def test_bad_input_is_a_400_in_the_ogc_exception_shape(reported, path, query):
    response = get(f"/ogc/collections/{path}".rstrip("/"), data=query)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body.keys() == {"code", "description"} and body["code"] == "InvalidParameterValue"
    assert body["description"]


@pytest.mark.parametrize(
    "path",
    [
        "spaceship",
        "spaceship/items",
        "assets-spaceship/items",
        "assets/items/abc",
        "assets/items/99999999999999999999999999",
        "assets/items/0",
        "reports/items/R-1900-000001",
        "reports/items/%00",
        "assets-%00/items",
        "assets-" + "x" * 200,
    ],
)
def test_unknown_collections_and_features_are_404_not_found(reported, path):
    response = get(f"/ogc/collections/{path}")

    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"


def test_a_retired_asset_is_not_published(town):
    response = get(f"/ogc/collections/assets/items/{town['retired'].pk}")

    assert response.status_code == 404


def test_items_revalidate_with_etag_and_304(town, city):
    client = Client()
    first = client.get("/ogc/collections/assets/items?limit=5")

    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and "max-age" in first["Cache-Control"]
    assert first["Last-Modified"] and "Accept" in first["Vary"]
    again = client.get("/ogc/collections/assets/items?limit=5", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not again.content
    factories.asset("security-light", owner=city["road"], lon=132.77, lat=35.37)
    changed = client.get("/ogc/collections/assets/items?limit=5", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_browsers_get_html_and_gis_clients_json(town):
    browser = get("/ogc/collections/assets/items", HTTP_ACCEPT="text/html,*/*;q=0.8")
    gis = get("/ogc/collections/assets/items", HTTP_ACCEPT="application/geo+json")
    asked = get("/ogc/collections/assets/items?f=html", HTTP_ACCEPT=GEOJSON)
    anything = get("/ogc/collections", HTTP_ACCEPT="*/*")

    assert browser["Content-Type"].startswith("text/html") and browser["Vary"]
    assert gis["Content-Type"] == GEOJSON
    assert asked["Content-Type"].startswith("text/html")
    assert anything["Content-Type"] == "application/json"
    assert "<script" not in browser.content.decode().replace('src="', "")


# --- Privacy --------------------------------------------------------------------------------

SECRETS = {
    "email": "himitsu.taro@example.jp",
    "name": "秘密太郎",
    "phone": "090-1234-9876",
    "landmark": "山田さん宅の前",
    "internal note": "内部メモ：業者の見積もり 98765円",
    "unmoderated description": "隣の山田さんの家の前です",
    "internal attribute": SECRET_ATTRIBUTE,
}


def test_no_private_value_appears_in_any_ogc_response(live_server, town, lamp_out, manager):
    report = intake.report_intake(
        channel="qr",
        acting_user=AnonymousUser(),
        category=lamp_out,
        place=intake.Place(address_text=SECRETS["landmark"]),
        asset=town["lights"][0],
        description=SECRETS["unmoderated description"],
        contact=intake.Contact(
            email=SECRETS["email"], name=SECRETS["name"], phone=SECRETS["phone"], consent=True
        ),
    ).report
    away = intake.report_intake(
        channel="web",
        acting_user=AnonymousUser(),
        category=lamp_out,
        place=intake.Place(
            point=Point(132.752, 35.362, srid=4326), source="device", address_text="X"
        ),
        description=SECRETS["unmoderated description"],
        contact=intake.Contact(email=SECRETS["email"]),
    ).report
    services.report_note_add(
        report=report, text=SECRETS["internal note"], public=False, acting_user=manager
    )
    services.report_note_add(
        report=report, text="修理を手配しました", public=True, acting_user=manager
    )
    tokens = list(Receipt.objects.values_list("token", flat=True))
    base = f"{live_server.url}/ogc"
    urls = [f"{base}/", f"{base}/collections", f"{base}/collections/reports", f"{base}/api"]
    for collection in ("reports", "assets", "assets-security-light"):
        urls.append(f"{base}/collections/{collection}/items")
    for number in (report.number, away.number):
        urls.append(f"{base}/collections/reports/items/{number}")
    urls.append(f"{base}/collections/assets/items/{town['lights'][0].pk}")

    seen = 0
    for url in urls:
        for fmt in ("json", "html"):
            response = http.get(url, params={"f": fmt}, timeout=30)
            assert response.status_code == 200, url
            text = response.content.decode()
            for what, secret in SECRETS.items():
                assert secret not in text, f"{what} leaked in {url}?f={fmt}"
            assert not any(token in text for token in tokens), f"a receipt token in {url}"
            seen += report.number in text
    assert seen >= 4  # the report itself is published, its public note too
    assert "修理を手配しました" in http.get(f"{base}/collections/reports/items").text


# --- HTML in a browser ----------------------------------------------------------------------


@pytest.mark.browser
def test_a_person_walks_from_the_landing_page_to_the_assets(live_server, town, chromium_path):
    require(AXE.exists(), f"axe-core ({AXE})")
    violations = {}
    with chromium(chromium_path, viewport={"width": 1280, "height": 900}, locale="ja-JP") as s:
        page = s.page
        page.goto(f"{live_server.url}/ogc/")
        assert "OGC API" in page.locator("h1").inner_text()
        violations["landing"] = s.axe_violations()

        page.click("a[href='/ogc/collections/assets?f=html']")
        assert page.locator("h1").inner_text() == "資産台帳"
        violations["collection"] = s.axe_violations()

        page.click("a[href='/ogc/collections/assets/items?f=html']")
        rows = page.locator("tbody tr")
        assert rows.count() == 17
        assert "BH-000" in rows.first.inner_text()
        violations["items"] = s.axe_violations()

        rows.first.locator("a").click()
        assert "BH-000" in page.locator("dl").inner_text()
        violations["item"] = s.axe_violations()

        page.goto(f"{live_server.url}/ogc/collections/assets/items?limit=5&f=html")
        page.click("a[rel=next]")
        assert page.locator("tbody tr").count() == 5 and "offset=5" in page.url
        assert s.errors == [] and s.external == [] and s.csp_violations == []
    assert violations == {"landing": [], "collection": [], "items": [], "item": []}
