"""The GeoJSON asset API: shape, filters, pagination, errors, and who sees what."""

import datetime

import pytest
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from assets.models import Asset
from tests import factories
from tests.conftest import client_for

LIST = "/api/v1/assets/"
SECRET = {"procurement_cost": 987654, "supplier": "秘密照明商事", "internal_notes": "内部のみ"}


@pytest.fixture
def light(catalogue, city):
    return factories.asset(
        "security-light",
        owner=city["road"],
        ledger_id="BH-0001",
        name="今市1号灯",
        address="今市町1丁目",
        attributes={"lamp_type": "led", "wattage": 20, **SECRET},
    )


def _features(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return body["features"]


def test_it_lists_assets_as_exact_geojson_features(resident_client, light):
    features = _features(resident_client.get(LIST))

    assert features == [
        {
            "type": "Feature",
            "id": light.pk,
            "geometry": {"type": "Point", "coordinates": [132.755, 35.367]},
            "properties": {
                "ledger_id": "BH-0001",
                "name": "今市1号灯",
                "type": "security-light",
                "owner": light.owner_id,
                "owner_name": "道路河川維持課",
                "parent": None,
                "address": "今市町1丁目",
                "status": "in_service",
                "criticality": 2,
                "install_date": None,
                "condition": {"grade": "", "last_inspected": None, "next_due": None},
                "attributes": {"lamp_type": "led", "wattage": 20},
            },
        }
    ]


def test_it_keeps_internal_attributes_from_anonymous_users(resident_client, light):
    response = resident_client.get(LIST)

    body = response.content.decode()
    assert "internal_attributes" not in body
    for value in ("987654", "秘密照明商事", "内部のみ", "procurement_cost", "supplier"):
        assert value not in body
    detail = resident_client.get(f"{LIST}{light.pk}/").content.decode()
    assert "987654" not in detail
    assert "秘密照明商事" not in detail


def test_it_keeps_internal_attributes_from_another_organisations_staff(other_city_manager, light):
    client = client_for(other_city_manager)

    for url in (LIST, f"{LIST}{light.pk}/", f"{LIST}ledger/BH-0001/"):
        body = client.get(url).content.decode()
        assert "987654" not in body, url
        assert "秘密照明商事" not in body, url


def test_it_shows_internal_attributes_to_staff_of_the_owner_and_above(
    section_staff, manager, light
):
    for account in (section_staff, manager):
        feature = _features(client_for(account).get(LIST))[0]
        assert feature["properties"]["internal_attributes"] == SECRET


def test_it_keeps_internal_attributes_from_a_sibling_section(catalogue, city, light):
    parks_staff = factories.user(city["parks"], "section_staff")

    feature = _features(client_for(parks_staff).get(LIST))[0]

    assert feature["properties"]["internal_attributes"] is None


def test_it_hides_retired_assets_from_the_public_but_not_from_their_owner(
    resident_client, section_staff, other_city_manager, light
):
    Asset.objects.filter(pk=light.pk).update(status=Asset.Status.RETIRED)

    assert _features(resident_client.get(LIST)) == []
    assert _features(client_for(other_city_manager).get(LIST)) == []
    assert [f["id"] for f in _features(client_for(section_staff).get(LIST))] == [light.pk]
    assert resident_client.get(f"{LIST}{light.pk}/").status_code == 404


def test_it_filters_by_bbox(resident_client, catalogue, city):
    inside = factories.asset(owner=city["road"], lon=132.750, lat=35.360)
    factories.asset(owner=city["road"], lon=132.800, lat=35.400)

    features = _features(resident_client.get(LIST, {"bbox": "132.74,35.35,132.76,35.37"}))

    assert [f["id"] for f in features] == [inside.pk]


def test_it_finds_a_line_that_crosses_the_bbox_without_a_vertex_inside(
    resident_client, catalogue, city
):
    from django.contrib.gis.geos import LineString

    road = factories.asset(
        "road-segment",
        owner=city["road"],
        geom=LineString((132.70, 35.365), (132.80, 35.365), srid=4326),
    )

    features = _features(resident_client.get(LIST, {"bbox": "132.75,35.36,132.76,35.37"}))

    assert [f["id"] for f in features] == [road.pk]


def test_it_filters_by_distance_and_orders_nearest_first(resident_client, catalogue, city):
    # One arcsecond of latitude is ~30.8 m here.
    near = factories.asset(owner=city["road"], lon=132.755, lat=35.3673)  # ~33 m north
    nearer = factories.asset(owner=city["road"], lon=132.7551, lat=35.367)  # ~9 m east
    factories.asset(owner=city["road"], lon=132.755, lat=35.3700)  # ~333 m north

    features = _features(
        resident_client.get(
            LIST, {"point": "132.755,35.367", "dist": "100", "ordering": "distance"}
        )
    )

    assert [f["id"] for f in features] == [nearer.pk, near.pk]
    assert features[0]["properties"]["distance_m"] == pytest.approx(9.1, abs=0.2)
    assert features[1]["properties"]["distance_m"] == pytest.approx(33.3, abs=0.3)


def test_it_filters_by_type_owner_and_status(resident_client, catalogue, city):
    light = factories.asset("security-light", owner=city["road"])
    factories.asset("streetlight", owner=city["road"])
    park_light = factories.asset("security-light", owner=city["parks"])

    by_type = _features(resident_client.get(LIST, {"type": "security-light"}))
    by_owner = _features(resident_client.get(LIST, {"owner": "izumo-koen"}))
    by_both = _features(
        resident_client.get(LIST, {"type": "security-light,streetlight", "owner": "izumo-doro"})
    )

    assert {f["id"] for f in by_type} == {light.pk, park_light.pk}
    assert [f["id"] for f in by_owner] == [park_light.pk]
    assert len(by_both) == 2


def test_it_paginates_with_next_and_prev_links(resident_client, catalogue, city):
    ids = [factories.asset(owner=city["road"]).pk for _ in range(5)]

    first = resident_client.get(LIST, {"limit": 2}).json()
    second = resident_client.get(LIST, {"limit": 2, "offset": 2}).json()
    last = resident_client.get(LIST, {"limit": 2, "offset": 4}).json()

    assert [f["id"] for f in first["features"]] == ids[:2]
    assert [f["id"] for f in second["features"]] == ids[2:4]
    assert [f["id"] for f in last["features"]] == ids[4:]
    assert first["numberReturned"] == 2
    assert {link["rel"] for link in first["links"]} == {"self", "next"}
    assert {link["rel"] for link in last["links"]} == {"self", "prev"}
    next_href = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert "offset=2" in next_href
    assert "limit=2" in next_href


def test_it_lists_a_page_in_a_constant_number_of_queries(
    resident_client, catalogue, city, django_assert_max_num_queries
):
    for _ in range(30):
        factories.asset(owner=city["road"])

    with django_assert_max_num_queries(2):
        features = _features(resident_client.get(LIST))

    assert len(features) == 30


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"bbox": "1,2,3"}, "invalid_bbox", "bbox"),
        ({"bbox": "a,b,c,d"}, "invalid_bbox", "bbox"),
        ({"bbox": "10,10,5,5"}, "invalid_bbox", "bbox"),
        ({"bbox": "0,95,1,96"}, "invalid_bbox", "bbox"),
        ({"bbox": "nan,0,1,1"}, "invalid_bbox", "bbox"),
        ({"point": "200,35"}, "invalid_point", "point"),
        ({"dist": "100"}, "invalid_point", "dist"),
        ({"ordering": "distance"}, "invalid_point", "ordering"),
        ({"point": "132,35", "dist": "-1"}, "min_value", "dist"),
        ({"point": "132,35", "dist": "99999999"}, "max_value", "dist"),
        ({"status": "broken"}, "invalid_choice", "status"),
        ({"limit": "0"}, "invalid_page", "limit"),
        ({"limit": "x"}, "invalid_page", "limit"),
        ({"offset": "-5"}, "invalid_page", "offset"),
    ],
)
def test_it_refuses_bad_query_parameters_with_a_stable_code(
    resident_client, catalogue, params, code, field
):
    response = resident_client.get(LIST, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert field in body["errors"]


def test_it_returns_one_asset_by_id_and_by_ledger_id(resident_client, light):
    by_id = resident_client.get(f"{LIST}{light.pk}/")
    by_ledger = resident_client.get(f"{LIST}ledger/BH-0001/")

    assert by_id.status_code == 200
    assert by_id["Content-Type"] == "application/geo+json"
    assert by_id.json()["id"] == light.pk
    assert by_ledger.json() == by_id.json()


@pytest.mark.parametrize("kind", ["security-light", "road-segment", "park"])
@pytest.mark.parametrize("actor", ["anonymous", "owner_staff", "sibling_staff", "other_city"])
def test_one_asset_is_the_same_feature_as_in_the_list(
    catalogue, city, other_city_manager, section_staff, kind, actor
):
    # One asset is written by drf-gis, lists by the database: the two must not drift.
    extra = {"attributes": {"lamp_type": "led", **SECRET}} if kind == "security-light" else {}
    asset = factories.asset(
        kind, owner=city["road"], name="今市1号", install_date=datetime.date(2019, 4, 1), **extra
    )
    client = {
        "anonymous": APIClient,
        "owner_staff": lambda: client_for(section_staff),
        "sibling_staff": lambda: client_for(factories.user(city["parks"], "section_staff")),
        "other_city": lambda: client_for(other_city_manager),
    }[actor]()

    listed = _features(client.get(LIST))
    detail = client.get(f"{LIST}{asset.pk}/")

    assert detail.status_code == 200
    assert detail["Content-Type"] == "application/geo+json"
    assert detail.json() == next(f for f in listed if f["id"] == asset.pk)


def test_it_answers_404_with_a_code_for_an_unknown_asset(resident_client, catalogue):
    response = resident_client.get(f"{LIST}424242/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such asset.", "code": "not_found"}


def test_it_asks_for_the_owner_when_two_owners_share_a_ledger_id(resident_client, catalogue, city):
    factories.asset(owner=city["road"], ledger_id="L-1")
    other = factories.asset(owner=city["parks"], ledger_id="L-1")

    ambiguous = resident_client.get(f"{LIST}ledger/L-1/")
    chosen = resident_client.get(f"{LIST}ledger/L-1/", {"owner": "izumo-koen"})

    assert ambiguous.status_code == 409
    assert ambiguous.json()["code"] == "ambiguous_ledger_id"
    assert chosen.json()["id"] == other.pk


def test_it_lists_asset_types_without_internal_attribute_names_for_the_public(
    resident_client, section_staff, catalogue
):
    public = resident_client.get("/api/v1/asset-types/").json()["results"]
    staff = client_for(section_staff).get("/api/v1/asset-types/").json()["results"]

    light = next(t for t in public if t["code"] == "security-light")
    assert light["scale"]["code"] == "mlit"
    assert [g["code"] for g in light["scale"]["grades"]] == ["I", "II", "III", "IV"]
    assert "lamp-out" in [c["code"] for c in light["categories"]]
    assert "procurement_cost" not in [a["key"] for a in light["attribute_schema"]]
    staff_light = next(t for t in staff if t["code"] == "security-light")
    assert "procurement_cost" in [a["key"] for a in staff_light["attribute_schema"]]


def test_it_serves_the_openapi_schema_and_offline_docs(resident_client, catalogue):
    schema = resident_client.get("/api/schema/", {"format": "json"})
    docs = resident_client.get("/api/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/assets/" in paths
    assert "/api/v1/assets/{id}/" in paths
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    # Served from our own static files, not from a CDN.
    assert "cdn.jsdelivr.net" not in html
    assert "unpkg.com" not in html


def test_a_real_response_matches_the_documented_schema(resident_client, light):
    import jsonschema

    schema = resident_client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    collection = {
        "$ref": "#/components/schemas/AssetCollection",
        "components": {"schemas": components},
    }
    body = resident_client.get(LIST).json()

    resolver_root = {"components": {"schemas": components}, **collection}
    jsonschema.validate(body, resolver_root)


def test_distance_uses_the_spheroid_so_both_databases_agree(resident_client, catalogue, city):
    # A point 1 km east: the geodesic distance on WGS84 at 35.367 N is 1000 m within 0.1 m.
    # (N·cos φ on the WGS84 ellipsoid; a sphere would say 997.8 m.)
    target = factories.asset(owner=city["road"], lon=132.7660037, lat=35.367)
    origin = Point(132.755, 35.367, srid=4326)

    features = _features(
        resident_client.get(LIST, {"point": f"{origin.x},{origin.y}", "dist": "1500"})
    )

    assert [f["id"] for f in features] == [target.pk]
    assert features[0]["properties"]["distance_m"] == pytest.approx(1000.0, abs=1.0)


def test_one_asset_matches_the_documented_feature(section_staff, light):
    import jsonschema

    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    root = {"components": schema["components"], "$ref": "#/components/schemas/AssetFeature"}
    body = client_for(section_staff).get(f"{LIST}{light.pk}/").json()

    jsonschema.validate(body, root)
    assert body["properties"]["internal_attributes"] == SECRET
