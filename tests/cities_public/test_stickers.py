"""A sticker is its own city's: scanned on another city's host it is refused with a page
that names its city and links to it; on its own host it opens the report form."""

import pytest

from qr_labels import codes
from reports.models import Report


@pytest.mark.parametrize("cached", [False, True], ids=["first-scan", "cached"])
def test_a_sticker_opens_its_form_on_its_own_citys_host_only(client, cities, cached):
    a, b = cities.a, cities.b
    url = f"/q/{a.label.code}"
    if cached:  # the cached page of a kind, and the sticker's values, are there already
        assert client.get(url, HTTP_HOST=a.host).status_code == 200
        assert client.get(f"/q/{b.label.code}", HTTP_HOST=b.host).status_code == 200

    own = client.get(url, HTTP_HOST=a.host)
    elsewhere = client.get(url, HTTP_HOST=b.host, HTTP_ACCEPT_LANGUAGE="ja")

    assert own.status_code == 200
    assert a.asset.ledger_id in own.content.decode()
    assert elsewhere.status_code == 404
    page = elsewhere.content.decode()
    assert "出雲市" in page
    assert 'href="https://izumo.test"' in page
    assert a.asset.ledger_id not in page and a.asset.address not in page
    assert "idempotency_key" not in page  # no form to send


def test_the_refusal_is_in_the_readers_language(client, cities):
    page = client.get(
        f"/q/{cities.a.label.code}", HTTP_HOST=cities.b.host, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Izumo City" in page
    assert "belongs to another city" in page


def test_the_typed_code_form_leads_to_the_same_refusal(client, cities):
    typed = codes.display(cities.a.label.code).lower()
    redirect = client.get("/q/", {"code": typed}, HTTP_HOST=cities.b.host)
    refused = client.get(redirect["Location"], HTTP_HOST=cities.b.host)

    assert redirect.status_code == 302
    assert refused.status_code == 404 and "出雲市" in refused.content.decode()


def test_a_report_cannot_be_sent_through_another_citys_sticker(client, cities):
    a = cities.a
    before = Report.objects.count()

    sent = client.post(
        f"/q/{a.label.code}",
        {"category": "lamp-out", "description": "消えている"},
        HTTP_HOST=cities.b.host,
    )

    assert sent.status_code == 404
    assert Report.objects.count() == before


def test_a_scan_on_another_citys_host_is_not_counted(client, cities):
    from qr_labels.models import Scan

    client.get(f"/q/{cities.a.label.code}", HTTP_HOST=cities.b.host)
    client.get(f"/q/{cities.b.label.code}", HTTP_HOST=cities.b.host)

    assert list(Scan.objects.values_list("asset_id", flat=True)) == [cities.b.asset.pk]


def test_a_cached_sticker_page_of_the_host_city_costs_no_query_for_its_city(client, cities):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts import policy
    from qr_labels import services as label_services
    from qr_labels.models import Label
    from tests import factories

    b = cities.b  # a light without open reports: its page is cached
    light = factories.asset("security-light", owner=b.org, lon=b.point.x, lat=b.point.y)
    code = label_services.label_issue(asset=light, acting_user=policy.SYSTEM).code
    assert client.get(f"/q/{code}", HTTP_HOST=b.host).status_code == 200

    with CaptureQueriesContext(connection) as scanned:
        again = client.get(f"/q/{code}", HTTP_HOST=b.host)

    assert again.status_code == 200 and light.ledger_id in again.content.decode()
    read = [q["sql"] for q in scanned if not q["sql"].lstrip().upper().startswith("INSERT")]
    assert not [sql for sql in read if Label._meta.db_table in sql or "accounts_city" in sql]


def test_a_cached_sticker_page_is_not_served_on_another_citys_host(client, cities):
    from accounts import policy
    from qr_labels import services as label_services
    from tests import factories

    a = cities.a  # a light without open reports: its values and page are cached on A's host
    light = factories.asset("security-light", owner=a.org, lon=a.point.x, lat=a.point.y)
    code = label_services.label_issue(asset=light, acting_user=policy.SYSTEM).code
    assert client.get(f"/q/{code}", HTTP_HOST=a.host).status_code == 200
    # ... and the page of this kind of sticker on B's host too.
    b = cities.b
    other = factories.asset("security-light", owner=b.org, lon=b.point.x, lat=b.point.y)
    other_code = label_services.label_issue(asset=other, acting_user=policy.SYSTEM).code
    assert client.get(f"/q/{other_code}", HTTP_HOST=b.host).status_code == 200

    refused = client.get(f"/q/{code}", HTTP_HOST=cities.b.host)

    assert refused.status_code == 404
    assert light.ledger_id not in refused.content.decode()
    assert "出雲市" in refused.content.decode()


def test_a_sticker_of_no_city_is_unknown_on_every_citys_host(client, cities):
    from accounts import policy
    from qr_labels import services as label_services
    from tests import factories

    nobody = factories.org("no-city", kind="city", name="どこでもない市")  # its city unset
    light = factories.asset("security-light", owner=nobody, ledger_id="NONE-1")
    code = label_services.label_issue(asset=light, acting_user=policy.SYSTEM).code

    for host in (cities.a.host, cities.b.host):
        page = client.get(f"/q/{code}", HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
        html = page.content.decode()
        assert page.status_code == 404
        assert "We do not know this code" in html
        assert "NONE-1" not in html and "どこでもない市" not in html
