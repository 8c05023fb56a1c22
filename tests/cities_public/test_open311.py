"""Open311 on a city's host is that city's: its jurisdiction_id, its requests and updates,
new requests made its own, and only the keys its organisations issued."""

import pytest

from accounts import policy
from accounts.models import User
from reports import clients, services
from reports.models import Report

BASE = "/open311/v2"


def _key(city, name):
    manager = User.objects.get(organization=city.org)
    return clients.client_create(name=name, acting_user=manager)[1]


@pytest.fixture
def keys(cities):
    return {"a": _key(cities.a, "出雲アプリ"), "b": _key(cities.b, "松江アプリ")}


def _get(client, host, path, **params):
    return client.get(f"{BASE}/{path}", params, HTTP_HOST=host)


def _numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["service_request_id"] for row in response.json()}


def test_each_citys_own_jurisdiction_is_served_at_its_host_only(client, cities):
    a, b = cities.a, cities.b

    own_a = _get(client, a.host, "services.json", jurisdiction_id=a.row.jurisdiction_id)
    own_b = _get(client, b.host, "services.json", jurisdiction_id=b.row.jurisdiction_id)
    assert own_a.status_code == own_b.status_code == 200
    assert "pothole" in {service["service_code"] for service in own_b.json()}
    refused = _get(client, b.host, "services.json", jurisdiction_id=a.row.jurisdiction_id)
    assert refused.status_code == 404
    assert "is not served here" in refused.json()[0]["description"]


def test_requests_detail_token_and_updates_are_the_host_citys_only(client, cities):
    a, b = cities.a, cities.b
    services.report_accept(report=a.report, acting_user=policy.SYSTEM)
    services.report_accept(report=b.report, acting_user=policy.SYSTEM)

    assert _numbers(_get(client, b.host, "requests.json")) == {b.report.number}
    assert _numbers(_get(client, a.host, "requests.json")) == {a.report.number}
    listed = _get(client, b.host, "requests.json", service_request_id=a.report.number)
    assert _numbers(listed) == set()
    assert _get(client, b.host, f"requests/{a.report.number}.json").status_code == 404
    assert _numbers(_get(client, a.host, f"requests/{a.report.number}.json")) == {a.report.number}
    assert _get(client, b.host, f"tokens/{a.receipt.token}.json").status_code == 404
    assert _numbers(_get(client, a.host, f"tokens/{a.receipt.token}.json")) == {a.report.number}
    assert _numbers(_get(client, b.host, "servicerequestupdates.json")) == {b.report.number}
    assert _numbers(_get(client, a.host, "servicerequestupdates.json")) == {a.report.number}


def _post(client, host, key, point, **data):
    return client.post(
        f"{BASE}/requests.json",
        {"api_key": key, "service_code": "pothole", "lat": point.y, "long": point.x, **data},
        HTTP_HOST=host,
    )


def test_a_posted_request_is_the_host_citys(client, cities, keys):
    b = cities.b

    posted = _post(client, b.host, keys["b"], b.point, description="穴")

    assert posted.status_code == 200, posted.content
    report = Report.objects.get(number=posted.json()[0]["service_request_id"])
    assert report.owner == b.org


def test_another_citys_key_is_refused_and_nothing_is_written(client, cities, keys):
    before = Report.objects.count()

    refused = _post(client, cities.b.host, keys["a"], cities.b.point)

    assert refused.status_code == 403
    assert "another city" in refused.json()[0]["description"]
    assert Report.objects.count() == before
    assert _post(client, cities.a.host, keys["a"], cities.a.point).status_code == 200


def test_a_place_or_a_sticker_of_another_city_is_refused(client, cities, keys):
    a, b = cities.a, cities.b
    before = Report.objects.count()

    outside = _post(client, b.host, keys["b"], a.point)
    sticker = _post(
        client, b.host, keys["b"], b.point, service_code="lamp-out", address_id=a.label.code
    )

    assert outside.status_code == 400 and "outside" in outside.json()[0]["description"]
    assert sticker.status_code == 400
    assert Report.objects.count() == before


def test_a_ledger_number_both_cities_use_names_the_host_citys_asset(client, cities, keys):
    from tests import factories

    a, b = cities.a, cities.b
    factories.asset("security-light", owner=a.org, ledger_id="SHARED-1")
    ours = factories.asset(
        "security-light", owner=b.org, ledger_id="SHARED-1", lon=b.point.x, lat=b.point.y
    )

    posted = _post(
        client, b.host, keys["b"], b.point, service_code="lamp-out", address_id="SHARED-1"
    )

    assert posted.status_code == 200, posted.content
    report = Report.objects.get(number=posted.json()[0]["service_request_id"])
    assert report.asset == ours and report.owner == b.org
