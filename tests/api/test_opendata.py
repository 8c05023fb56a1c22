"""Open data feeds: licence, layouts, filters, and cache validators a CDN can use."""

import csv
import io
import json

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from assets import jp_layouts
from assets.models import Town
from reports import intake, services
from tests import factories
from tests.conftest import TESTDATA as CORPUS
from tests.conftest import require

TESTDATA = CORPUS / "assets"
SCHEMA, YAIZU = TESTDATA / "schema_jp", TESTDATA / "yaizu_jp"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


@pytest.fixture
def toilets(catalogue, city):
    park = factories.asset("park", owner=city["parks"], name="今市公園", ledger_id="P-1")
    Town.objects.create(name="今市町", centre=Point(132.76, 35.36, srid=4326), radius_m=400)
    full = factories.asset(
        "toilet",
        owner=city["parks"],
        parent=park,
        ledger_id="WC-001",
        name="今市公園トイレ",
        address="今市町123-4",
        attributes={
            "wheelchair": True,
            "baby_changing": False,
            "ostomate": True,
            "male_wc": 3,
            "female_wc": 2,
            "unisex_wc": 1,
            "barrier_free_wc": 1,
            "hours": "8:30〜17:00（年末年始は閉鎖）",
            "supplier": "内部の業者名",
        },
        lon=132.7601,
        lat=35.3602,
    )
    bare = factories.asset("toilet", owner=city["parks"], ledger_id="WC-002")
    return {"full": full, "bare": bare}


def test_the_jp_layout_header_is_the_digital_agency_schema_exactly(db):
    expected_file = SCHEMA / "digital-agency_13_公衆トイレ一覧_schema.csv"
    require(expected_file.exists(), "the shared testdata (Digital Agency schema)")
    with expected_file.open(encoding="utf-8") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]

    assert list(jp_layouts.PUBLIC_TOILET_COLUMNS) == names
    with (YAIZU / "222127_public_toilet.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == names  # and a city's published file agrees


def test_toilets_in_the_jp_layout(toilets):
    response = Client().get("/open-data/jp/public-toilets.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *data = rows(response)
    assert header == list(jp_layouts.PUBLIC_TOILET_COLUMNS)
    row = dict(zip(header, data[0], strict=True))
    assert row["全国地方公共団体コード"] == "322032"
    assert (row["ID"], row["名称"], row["地方公共団体名"]) == (
        "WC-001",
        "今市公園トイレ",
        "島根県出雲市",
    )
    assert row["所在地_連結表記"] == "島根県出雲市今市町123-4"
    assert (row["所在地_町字"], row["所在地_番地以下"]) == ("今市町", "123-4")
    assert (row["緯度"], row["経度"]) == ("35.3602000", "132.7601000")
    assert (row["男性トイレ総数"], row["女性トイレ総数"], row["バリアフリートイレ数"]) == (
        "3",
        "2",
        "1",
    )
    assert (row["車椅子使用者用トイレ有無"], row["乳幼児用設備設置トイレ有無"]) == ("有", "無")
    assert row["オストメイト設置トイレ有無"] == "有"
    assert row["設置位置"] == "今市公園内"
    assert row["利用可能時間特記事項"] == "8:30〜17:00（年末年始は閉鎖）"
    assert "内部の業者名" not in body(Client().get("/open-data/jp/public-toilets.csv")).decode()
    bare = dict(zip(header, data[1], strict=True))
    assert bare["車椅子使用者用トイレ有無"] == "" and bare["ID"] == "WC-002"
    assert Client().get("/open-data/jp/bus-stops.csv").status_code == 404


def test_parks_in_the_public_facility_layout(toilets, city):
    expected = YAIZU / "222127_municipal_parking_lot.csv"  # a city's file in that layout
    require(expected.exists(), "the shared testdata (Yaizu)")
    with expected.open(encoding="utf-8-sig") as handle:
        assert list(jp_layouts.PUBLIC_FACILITY_COLUMNS) == next(csv.reader(handle))
    city["parks"].phone = "0853-21-6111"
    city["parks"].save()
    park = toilets["full"].parent
    park.attributes = {"park_kind": "block", "area_m2": 2500, "has_toilet": True}
    park.address = "出雲市今市町100"
    park.save()

    header, *data = rows(Client().get("/open-data/jp/parks.csv"))

    assert header == list(jp_layouts.PUBLIC_FACILITY_COLUMNS) and len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert (row["NO"], row["名称"], row["住所"]) == ("P-1", "今市公園", "島根県出雲市今市町100")
    assert (row["団体名"], row["電話番号"]) == ("公園緑地課", "0853-21-6111")
    assert row["説明"] == "街区公園、面積 2,500 m²、トイレあり"


def test_address_split_keeps_what_it_cannot_place(db):
    split = jp_layouts.split_address("島根県出雲市大社町杵築東195", ["大社町杵築東", "大社町"])
    assert (split.full, split.town, split.rest) == (
        "島根県出雲市大社町杵築東195",
        "大社町杵築東",
        "195",
    )
    unknown = jp_layouts.split_address("知らない町1-1", ["今市町"])
    assert (unknown.full, unknown.town, unknown.rest) == ("島根県出雲市知らない町1-1", "", "")


def test_asset_feeds_carry_the_licence_and_no_internal_attribute(toilets):
    geojson = json.loads(body(Client().get("/open-data/assets.geojson?type=toilet")))
    table = rows(Client().get("/open-data/assets.csv?type=toilet"))

    assert geojson["license"] == "CC BY 4.0" and len(geojson["features"]) == 2
    assert "supplier" not in json.dumps(geojson, ensure_ascii=False)
    assert table[0][-1] == "license" and {r[-1] for r in table[1:]} == {"CC BY 4.0"}
    assert "内部の業者名" not in str(table)
    refused = Client().get("/open-data/assets.csv?type=spaceship")
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_asset_type"


def test_feeds_revalidate_with_etag_and_last_modified(toilets, settings):
    client = Client()
    first = client.get("/open-data/assets.geojson")
    etag, modified = first["ETag"], first["Last-Modified"]

    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    assert client.get("/open-data/assets.geojson", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/open-data/assets.geojson", HTTP_IF_MODIFIED_SINCE=modified).status_code == (
        304
    )
    assert client.get("/open-data/assets.csv", HTTP_IF_NONE_MATCH=etag).status_code == 200

    toilets["bare"].name = "新しい名前"
    toilets["bare"].save()
    changed = client.get("/open-data/assets.geojson", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    settings.OPEN_DATA_LICENSE = "CC0"
    assert client.get("/open-data/assets.geojson")["ETag"] != changed["ETag"]


def test_report_feeds_filter_and_refuse_bad_filters(
    catalogue, city, pothole, lamp_out, manager, submit
):
    light = factories.asset("security-light", owner=city["road"])
    submit(lamp_out, place=intake.Place(), source="qr", asset=light)
    road = submit(
        pothole, place=intake.Place(point=Point(132.75, 35.36, srid=4326), source="device")
    )
    services.report_fix(report=road, acting_user=manager)
    client = Client()

    everything = json.loads(body(client.get("/open-data/reports.geojson")))
    open_ones = rows(client.get("/open-data/reports.csv?status=open"))
    lights = rows(client.get("/open-data/reports.csv?type=security-light"))

    assert everything["license"] == "CC BY 4.0" and len(everything["features"]) == 2
    assert everything["features"][0]["geometry"]["type"] == "Point"
    assert [r[0] for r in open_ones[1:]] == [r[0] for r in lights[1:]]
    assert len(open_ones) == 2 and open_ones[0][0] == "number"
    assert rows(client.get("/open-data/reports.csv?since=2999-01-01")) == [open_ones[0]]
    for bad in ("status=maybe", "since=yesterday"):
        assert client.get(f"/open-data/reports.csv?{bad}").status_code == 400


def test_the_open_data_page_lists_every_feed(toilets):
    page = Client().get("/open-data/", HTTP_ACCEPT_LANGUAGE="ja")

    html = page.content.decode()
    assert page.status_code == 200
    for href in ("/open-data/assets.geojson", "/open-data/reports.csv", "/open-data/jp/"):
        assert href in html
    assert "CC BY 4.0" in html
