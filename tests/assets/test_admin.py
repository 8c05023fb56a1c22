"""The Django admin: superusers only, assets validated like everywhere else, a fast list,
and a map that needs no internet."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from assets.models import Asset, AssetType
from tests import factories

ADMIN = "/admin/"
ASSETS = "/admin/assets/asset/"
ADD_ASSET = "/admin/assets/asset/add/"
NEARBY = "/admin/assets/asset/nearby/"
PASSWORD = "pw-Machimori-2026"


@pytest.fixture
def superuser(db):
    return factories.user(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_manager(city):
    """A city manager who also has is_staff: still not allowed into /admin/."""
    return factories.user(city["city"], "manager", username="staff_manager", is_staff=True)


@pytest.fixture
def admin_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def light(catalogue, city):
    return factories.asset(
        "security-light", owner=city["road"], ledger_id="BH-0001", name="今市1号灯"
    )


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are checked in English; the admin speaks Japanese by default."""
    settings.LANGUAGE_CODE = "en"


def _asset_form(asset_type: AssetType, owner: Organization, geom: str, **fields) -> dict:
    data = {
        "asset_type": asset_type.pk,
        "owner": owner.pk,
        "parent": "",
        "ledger_id": "BH-0100",
        "name": "塩冶2号灯",
        "address": "塩冶町2丁目",
        "status": Asset.Status.IN_SERVICE,
        "install_date": "",
        "criticality": 2,
        "geom": geom,
        "attributes": "{}",
        "internal_attributes": "{}",
        "condition_grade": "",
        "last_inspected_on": "",
        "next_inspection_due": "",
        "_save": "Save",
    }
    data.update(fields)
    return data


def _errors(response, field: str) -> str:
    assert response.status_code == 200
    form = response.context["adminform"].form
    return " ".join(str(e) for e in form.errors.get(field, []))


# --- Who may enter ---------------------------------------------------------------------------


def test_a_superuser_sees_the_admin_with_its_header(admin_client):
    response = admin_client.get(ADMIN)

    assert response.status_code == 200
    assert "まちもり 管理 / Machimori admin" in response.content.decode()


def test_a_staff_member_who_is_not_a_superuser_is_sent_to_the_login(staff_manager, light):
    client = Client()
    client.force_login(staff_manager)

    for url in (ADMIN, ASSETS, f"{ASSETS}{light.pk}/change/", f"{NEARBY}?bbox=132,35,133,36"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_a_staff_member_who_is_not_a_superuser_cannot_add_an_asset(staff_manager, light, city):
    client = Client()
    client.force_login(staff_manager)
    data = _asset_form(light.asset_type, city["road"], "POINT (132.76 35.37)")

    response = client.post(ADD_ASSET, data)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Asset.objects.count() == 1


def test_a_staff_member_who_is_not_a_superuser_cannot_log_in(staff_manager):
    response = Client().post(
        "/admin/login/", {"username": "staff_manager", "password": PASSWORD, "next": ADMIN}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_superuser_can_log_in(superuser):
    response = Client().post(
        "/admin/login/", {"username": "root", "password": PASSWORD, "next": ADMIN}
    )

    assert response.status_code == 302
    assert response["Location"] == ADMIN


def test_an_anonymous_visitor_is_sent_to_the_login(db):
    response = Client().get(ASSETS)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Assets ----------------------------------------------------------------------------------


def test_a_superuser_lists_assets(admin_client, light):
    response = admin_client.get(ASSETS)

    assert response.status_code == 200
    body = response.content.decode()
    assert "BH-0001" in body
    assert "今市1号灯" in body


@pytest.mark.parametrize(
    "geom",
    [
        '{"type": "Point", "coordinates": [132.7612, 35.3598]}',
        "POINT (132.7612 35.3598)",
        "SRID=4326;POINT (132.7612 35.3598)",
    ],
    ids=["geojson", "wkt", "ewkt"],
)
def test_a_superuser_adds_a_point_asset(admin_client, catalogue, city, geom):
    light_type = AssetType.objects.get(code="security-light")
    data = _asset_form(
        light_type,
        city["road"],
        geom,
        attributes=json.dumps({"lamp_type": "LED", "wattage": "20", "supplier": "出雲電設"}),
    )

    response = admin_client.post(ADD_ASSET, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    asset = Asset.objects.get(ledger_id="BH-0100")
    assert asset.asset_type == light_type
    assert asset.owner == city["road"]
    assert asset.geom.geom_type == "Point"
    assert asset.geom.srid == 4326
    assert asset.geom.x == pytest.approx(132.7612)
    assert asset.geom.y == pytest.approx(35.3598)
    # The model's clean() ran: values coerced, the internal one moved apart.
    assert asset.attributes == {"lamp_type": "led", "wattage": 20}
    assert asset.internal_attributes == {"supplier": "出雲電設"}


def test_a_line_for_a_security_light_comes_back_as_a_form_error(admin_client, catalogue, city):
    light_type = AssetType.objects.get(code="security-light")
    data = _asset_form(
        light_type,
        city["road"],
        '{"type": "LineString", "coordinates": [[132.755, 35.367], [132.756, 35.367]]}',
    )

    response = admin_client.post(ADD_ASSET, data)

    assert "not a LineString" in _errors(response, "geom")
    # What was typed is shown again, and nothing was saved.
    assert "LineString" in response.content.decode()
    assert not Asset.objects.exists()


def test_a_road_segment_is_drawn_as_a_line(admin_client, catalogue, city):
    road_type = AssetType.objects.get(code="road-segment")
    data = _asset_form(
        road_type,
        city["road"],
        "LINESTRING (132.755 35.367, 132.757 35.368)",
        attributes='{"road_class": "city"}',
    )

    response = admin_client.post(ADD_ASSET, data)

    assert response.status_code == 302
    assert Asset.objects.get(ledger_id="BH-0100").geom.geom_type == "LineString"


def test_attributes_that_do_not_fit_the_type_come_back_as_form_errors(
    admin_client, catalogue, city
):
    light_type = AssetType.objects.get(code="security-light")
    data = _asset_form(
        light_type,
        city["road"],
        "POINT (132.76 35.37)",
        attributes='{"wattage": "lots", "colour": "blue"}',
    )

    response = admin_client.post(ADD_ASSET, data)

    errors = _errors(response, "attributes")
    assert "wattage: must be a number" in errors
    assert "colour: is not an attribute of this type" in errors
    assert not Asset.objects.exists()


@pytest.mark.parametrize("value", ["[1, 2]", '"led"', "{not json"])
def test_attributes_that_are_not_a_json_object_come_back_as_form_errors(
    admin_client, catalogue, city, value
):
    light_type = AssetType.objects.get(code="security-light")
    data = _asset_form(light_type, city["road"], "POINT (132.76 35.37)", attributes=value)

    response = admin_client.post(ADD_ASSET, data)

    assert _errors(response, "attributes")
    assert not Asset.objects.exists()


def test_an_unreadable_geometry_comes_back_as_a_form_error(admin_client, catalogue, city):
    light_type = AssetType.objects.get(code="security-light")
    data = _asset_form(light_type, city["road"], "POINT (somewhere)")

    response = admin_client.post(ADD_ASSET, data)

    assert _errors(response, "geom")
    assert not Asset.objects.exists()


def test_a_grade_outside_the_types_scale_comes_back_as_a_form_error(admin_client, light):
    data = _asset_form(
        light.asset_type,
        light.owner,
        light.geom.wkt,
        ledger_id=light.ledger_id,
        name=light.name,
        condition_grade="D",
    )

    response = admin_client.post(f"{ASSETS}{light.pk}/change/", data)

    assert "Not a grade of this type's scale." in _errors(response, "condition_grade")
    light.refresh_from_db()
    assert light.condition_grade == ""


def test_a_ledger_id_used_twice_by_one_owner_comes_back_as_a_form_error(admin_client, light):
    data = _asset_form(light.asset_type, light.owner, "POINT (132.76 35.37)", ledger_id="BH-0001")

    response = admin_client.post(ADD_ASSET, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Asset.objects.count() == 1


def test_the_asset_list_runs_the_same_few_queries_however_many_assets(
    admin_client, catalogue, city, django_assert_max_num_queries
):
    owners = [city["road"], city["parks"], city["contractor"]]
    types = ["security-light", "streetlight", "park", "road-segment", "swing"]

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(ASSETS)
        assert response.status_code == 200
        return len(queries)

    factories.asset("security-light", owner=city["road"])
    few = page_queries()
    for n in range(60):
        factories.asset(types[n % len(types)], owner=owners[n % len(owners)], lon=132.7 + n / 1000)
    many = page_queries()

    assert many == few
    with django_assert_max_num_queries(10):
        admin_client.get(ASSETS, {"status": "in_service", "asset_type__id__exact": 1})


def test_the_asset_list_filters_by_grade_without_scanning_for_grades(admin_client, light):
    light.condition_grade = "III"
    light.save()
    factories.asset("security-light", owner=light.owner, ledger_id="BH-0002")

    response = admin_client.get(ASSETS, {"condition_grade": "III"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "BH-0001" in body
    assert "BH-0002" not in body


def test_the_asset_list_searches_ledger_ids(admin_client, light):
    factories.asset("security-light", owner=light.owner, ledger_id="ZZ-9999")

    response = admin_client.get(ASSETS, {"q": "BH-0001"})

    assert "BH-0001" in response.content.decode()
    assert "ZZ-9999" not in response.content.decode()


# --- The map ---------------------------------------------------------------------------------


def test_the_asset_form_loads_its_map_from_our_own_static_files(admin_client, catalogue):
    response = admin_client.get(ADD_ASSET)

    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/vendor/ol/ol.js" in body
    assert "/static/assets/map_widget.js" in body
    assert "cdn.jsdelivr.net" not in body
    assert "openstreetmap.org" not in body


def _map_options(response, field="geom") -> dict:
    return json.loads(
        response.content.decode()
        .split(f'id="id_{field}_options" type="application/json">')[1]
        .split("</script>")[0]
    )


def test_the_map_draws_each_asset_type_the_way_its_kind_requires(admin_client, catalogue):
    options = _map_options(admin_client.get(ADD_ASSET))

    kinds = {
        code: options["kinds"][str(pk)] for pk, code in AssetType.objects.values_list("pk", "code")
    }
    assert kinds["security-light"] == "Point"
    assert kinds["road-segment"] == "LineString"
    assert kinds["park"] == "Polygon"
    assert options["kindField"] == "asset_type"
    assert options["geomType"] == "Geometry"


def test_the_map_uses_no_tiles_unless_a_tile_server_is_set(admin_client, catalogue, settings):
    settings.MAP_TILE_URL = ""
    options = _map_options(admin_client.get(ADD_ASSET))
    assert options["tileUrl"] is None
    assert options["center"] == list(settings.MAP_CENTER)
    assert options["zoom"] == settings.MAP_ZOOM

    settings.MAP_TILE_URL = "https://tiles.city.example/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© 出雲市"
    options = _map_options(admin_client.get(ADD_ASSET))
    assert options["tileUrl"] == "https://tiles.city.example/{z}/{x}/{y}.png"
    assert options["tileAttribution"] == "© 出雲市"


def test_the_service_area_of_an_organisation_is_drawn_on_the_map(admin_client, city):
    response = admin_client.get(f"/admin/accounts/organization/{city['city'].pk}/change/")

    assert response.status_code == 200
    options = _map_options(response, "service_area")
    assert options["geomType"] == "MultiPolygon"
    assert options["isCollection"] is True


def test_an_organisation_gets_a_service_area_drawn_as_geojson(admin_client, city):
    area = {
        "type": "MultiPolygon",
        "coordinates": [[[[132.7, 35.3], [132.8, 35.3], [132.8, 35.4], [132.7, 35.3]]]],
    }
    data = {
        "code": "izumo-hikawa",
        "name": "斐川支所",
        "name_en": "",
        "kind": "section",
        "parent": city["city"].pk,
        "is_active": "on",
        "contact_email": "",
        "phone": "",
        "service_area": json.dumps(area),
    }

    response = admin_client.post("/admin/accounts/organization/add/", data)

    assert response.status_code == 302
    saved = Organization.objects.get(code="izumo-hikawa")
    assert saved.service_area.geom_type == "MultiPolygon"
    assert saved.service_area.extent == pytest.approx((132.7, 35.3, 132.8, 35.4))


def test_the_nearby_assets_come_as_geojson_within_the_box(admin_client, light):
    near = factories.asset("streetlight", owner=light.owner, lon=132.7560, name="")
    factories.asset("streetlight", owner=light.owner, lon=132.9000)
    retired = factories.asset("security-light", owner=light.owner, lon=132.7555)
    retired.status = Asset.Status.RETIRED
    retired.save()

    response = admin_client.get(NEARBY, {"bbox": "132.75,35.36,132.76,35.37"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["truncated"] is False
    assert sorted(body["features"], key=lambda f: f["id"]) == [
        {
            "type": "Feature",
            "id": light.pk,
            "geometry": {"type": "Point", "coordinates": [132.755, 35.367]},
            "properties": {"label": "今市1号灯", "type": "security-light"},
        },
        {
            "type": "Feature",
            "id": near.pk,
            "geometry": {"type": "Point", "coordinates": [132.756, 35.367]},
            "properties": {"label": near.ledger_id, "type": "streetlight"},
        },
    ]


def test_the_nearby_assets_leave_out_the_asset_being_edited(admin_client, light):
    response = admin_client.get(
        NEARBY, {"bbox": "132.75,35.36,132.76,35.37", "exclude": str(light.pk)}
    )

    assert response.json()["features"] == []
    options = _map_options(admin_client.get(f"{ASSETS}{light.pk}/change/"))
    assert options["nearbyUrl"] == f"{NEARBY}?exclude={light.pk}"


@pytest.mark.parametrize("bbox", ["", "1,2,3", "a,b,c,d", "133,35,132,36", "nan,1,2,3"])
def test_a_malformed_nearby_box_is_a_400(admin_client, bbox):
    response = admin_client.get(NEARBY, {"bbox": bbox})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_bbox"


# --- The other models ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/organization/",
        "/admin/accounts/user/",
        "/admin/assets/faultcategory/",
        "/admin/assets/assettype/",
        "/admin/assets/faultcategory/add/",
        "/admin/assets/assettype/add/",
        "/admin/accounts/user/add/",
    ],
)
def test_the_catalogue_and_people_pages_open(admin_client, catalogue, manager, url):
    assert admin_client.get(url).status_code == 200


def test_the_user_list_shows_organisation_and_role(admin_client, manager):
    response = admin_client.get("/admin/accounts/user/", {"role": "manager"})

    body = response.content.decode()
    assert "manager" in body
    assert "出雲市" in body


def test_a_user_with_an_organisation_but_no_role_comes_back_as_a_form_error(
    admin_client, manager, city
):
    response = admin_client.post(
        f"/admin/accounts/user/{manager.pk}/change/",
        {
            "username": "manager",
            "first_name": "",
            "last_name": "",
            "email": "",
            "organization": city["city"].pk,
            "role": "",
            "is_active": "on",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    manager.refresh_from_db()
    assert manager.role == "manager"


def test_a_fault_categorys_questions_are_checked(admin_client, catalogue):
    from assets.models import FaultCategory

    category = FaultCategory.objects.first()
    response = admin_client.post(
        f"/admin/assets/faultcategory/{category.pk}/change/",
        {
            "code": category.code,
            "group": category.group,
            "name_ja": category.name_ja,
            "name_en": category.name_en,
            "names": "{}",
            "severity": category.severity,
            "response_hours": category.response_hours or "",
            "response_business_days": category.response_business_days or "",
            "questions": '[{"key": "Bad Key", "kind": "text"}]',
            "sort_order": category.sort_order,
            "is_active": "on",
        },
    )

    assert "key must be lower-case" in _errors(response, "questions")
