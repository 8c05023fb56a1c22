"""Open data, OGC API and the assets API on a city's host: that city's assets and reports
only, under its licence and 地方公共団体コード, each feed's version its own."""

import csv
import io
import json

import pytest

from tests import factories

BOTH = "132.50,35.20,133.30,35.60"  # a box around both cities


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


@pytest.fixture
def published(cities):
    """Each city its own licence and a park."""
    for city, licence in ((cities.a, "CC BY 4.0 (出雲市)"), (cities.b, "CC0 1.0 (松江市)")):
        city.row.open_data_license = licence
        city.row.save()
        city.park = factories.asset(
            "park", owner=city.org, name=f"{city.row.name}公園", ledger_id=f"P-{city.row.slug}",
            lon=city.point.x, lat=city.point.y,
        )  # fmt: skip
    return cities


def test_the_report_feeds_are_the_host_citys_under_its_licence(client, published):
    a, b = published.a, published.b

    table = rows(client.get("/open-data/reports.csv", HTTP_HOST=b.host))
    collection = json.loads(body(client.get("/open-data/reports.geojson", HTTP_HOST=b.host)))

    header, *data = table
    licence = header.index("license")
    assert [row[0] for row in data] == [b.report.number]
    assert {row[licence] for row in data} == {"CC0 1.0 (松江市)"}
    assert [f["id"] for f in collection["features"]] == [b.report.number]
    assert collection["license"] == "CC0 1.0 (松江市)"
    own = rows(client.get("/open-data/reports.csv", HTTP_HOST=a.host))
    assert [row[0] for row in own[1:]] == [a.report.number]
    assert own[1][licence] == "CC BY 4.0 (出雲市)"


def test_the_asset_feeds_are_the_host_citys_under_its_licence(client, published):
    a, b = published.a, published.b

    collection = json.loads(body(client.get("/open-data/assets.geojson", HTTP_HOST=b.host)))
    header, *data = rows(client.get("/open-data/assets.csv", HTTP_HOST=b.host))

    ledger_ids = {f["properties"]["ledger_id"] for f in collection["features"]}
    assert ledger_ids == {b.asset.ledger_id, b.park.ledger_id}
    assert collection["license"] == "CC0 1.0 (松江市)"
    assert {row[header.index("ledger_id")] for row in data} == ledger_ids
    assert {row[header.index("license")] for row in data} == {"CC0 1.0 (松江市)"}
    page = client.get("/open-data/", HTTP_HOST=a.host).content.decode()
    assert "CC BY 4.0 (出雲市)" in page and "CC0 1.0" not in page


def test_the_japanese_layout_carries_the_host_citys_code_and_parks(client, published):
    b = published.b

    response = client.get("/open-data/jp/parks.csv", HTTP_HOST=b.host)
    _header, *data = rows(response)

    assert "322016_parks.csv" in response["Content-Disposition"]
    assert [row[1] for row in data] == [b.park.ledger_id]
    assert data[0][0] == "322016" and "松江市" in data[0]
    assert "出雲市" not in body(client.get("/open-data/jp/parks.csv", HTTP_HOST=b.host)).decode()


def test_a_feeds_version_is_the_citys_own(client, published):
    a, b = published.a, published.b
    on_a = client.get("/open-data/assets.geojson", HTTP_HOST=a.host)

    on_b = client.get(
        "/open-data/assets.geojson", HTTP_HOST=b.host, HTTP_IF_NONE_MATCH=on_a["ETag"]
    )

    assert on_b.status_code == 200 and on_b["ETag"] != on_a["ETag"]
    again = client.get(
        "/open-data/assets.geojson", HTTP_HOST=a.host, HTTP_IF_NONE_MATCH=on_a["ETag"]
    )
    assert again.status_code == 304


def test_ogc_collections_hold_the_host_citys_features_only(client, published):
    a, b = published.a, published.b

    def get(host, path, **params):
        response = client.get(f"/ogc/{path}", {"f": "json", **params}, HTTP_HOST=host)
        return response, json.loads(body(response)) if response.status_code == 200 else None

    _, assets = get(b.host, "collections/assets/items")
    _, reports = get(b.host, "collections/reports/items")
    _, listed = get(b.host, "collections")
    refused, _ = get(b.host, f"collections/reports/items/{a.report.number}")
    asset_refused, _ = get(b.host, f"collections/assets/items/{a.asset.pk}")
    _, landing = get(b.host, "")

    assert {f["properties"]["ledger_id"] for f in assets["features"]} == {
        b.asset.ledger_id,
        b.park.ledger_id,
    }
    assert [f["id"] for f in reports["features"]] == [b.report.number]
    assert refused.status_code == asset_refused.status_code == 404
    spatial = next(c for c in listed["collections"] if c["id"] == "assets")["extent"]["spatial"]
    west, south, east, north = spatial["bbox"][0]
    # B's assets only: nothing of A's, further west and south.
    assert 132.95 <= west <= east <= 133.20 and 35.40 <= south <= north <= 35.55
    licence = next(link for link in landing["links"] if link["rel"] == "license")
    assert licence["title"] == "CC0 1.0 (松江市)"
    own, feature = get(a.host, f"collections/reports/items/{a.report.number}")
    assert own.status_code == 200 and feature["id"] == a.report.number


def test_the_asset_bbox_request_returns_the_host_citys_assets_only(client, published):
    a, b = published.a, published.b

    def ledger_ids(host):
        response = client.get("/api/v1/assets/", {"bbox": BOTH}, HTTP_HOST=host)
        assert response.status_code == 200, response.content
        return {f["properties"]["ledger_id"] for f in json.loads(response.content)["features"]}

    assert ledger_ids(b.host) == {b.asset.ledger_id, b.park.ledger_id}
    assert ledger_ids(a.host) == {a.asset.ledger_id, a.park.ledger_id}
    assert client.get(f"/api/v1/assets/{a.asset.pk}/", HTTP_HOST=b.host).status_code == 404
    by_ledger = f"/api/v1/assets/ledger/{a.asset.ledger_id}/"
    assert client.get(by_ledger, HTTP_HOST=b.host).status_code == 404
    assert client.get(by_ledger, HTTP_HOST=a.host).status_code == 200
    assert client.get(f"/api/v1/assets/{a.asset.pk}/", HTTP_HOST=a.host).status_code == 200
