"""On a city's host a resident reports about that city only: a place in its area, handled by
its organisations, with "me too" and the nearby reports and assets of that city alone."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.city_host import city_values
from assets.models import FaultCategory
from reports import intake, selectors
from reports.models import Report
from reports.services import ReportError
from tests import factories


@pytest.fixture
def pothole_a(cities):
    """An open pothole report of city A, without an asset, where A's light stands."""
    return intake.report_intake(
        channel="web",
        acting_user=AnonymousUser(),
        category=FaultCategory.objects.get(code="pothole"),
        place=intake.Place(point=cities.a.point, source="device"),
        city=city_values(cities.a.row),
    ).report


def _post_place(client, host, point, category="pothole", **data):
    return client.post(
        "/report/",
        {"category": category, "lat": point.y, "lon": point.x, "location_source": "map", **data},
        HTTP_HOST=host,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_place_in_the_host_citys_area_is_reported_to_its_organisation(client, cities):
    b = cities.b

    sent = _post_place(client, b.host, b.point)

    assert sent.status_code == 302
    report = Report.objects.filter(category__code="pothole").get()
    assert report.owner == b.org


def test_a_place_in_another_citys_area_is_refused_on_this_host(client, cities):
    before = Report.objects.count()

    refused = _post_place(client, cities.b.host, cities.a.point)

    assert refused.status_code == 400
    assert "outside the city" in refused.content.decode()
    assert Report.objects.count() == before
    assert _post_place(client, cities.a.host, cities.a.point).status_code == 302


def test_another_citys_open_reports_and_assets_are_not_offered_nearby(client, cities, pothole_a):
    # The same place on B's host: no "is it one of these?" with A's report or light, only
    # the refusal of the place.
    for category in ("pothole", "lamp-out"):
        page = _post_place(client, cities.b.host, cities.a.point, category=category)
        html = page.content.decode()
        assert page.status_code == 400
        assert pothole_a.number not in html and cities.a.report.number not in html
        assert cities.a.asset.ledger_id not in html
    # On A's host the same place asks first.
    asked = _post_place(client, cities.a.host, cities.a.point).content.decode()
    assert pothole_a.number in asked


def test_nearby_lookups_are_the_citys_own(cities, pothole_a):
    pothole = pothole_a.category
    a, b = city_values(cities.a.row), city_values(cities.b.row)

    near = selectors.reports_open_near(pothole, cities.a.point, 50, where=a)
    elsewhere = selectors.reports_open_near(pothole, cities.a.point, 50, where=b)
    lamp_out = cities.a.report.category
    assert list(near) == [pothole_a] and not elsewhere.exists()
    assert list(selectors.assets_suggested(lamp_out, cities.a.point, where=a)) == [cities.a.asset]
    assert not list(selectors.assets_suggested(lamp_out, cities.a.point, where=b))
    assert list(selectors.reports_open_near(pothole, cities.a.point, 50)) == [pothole_a]


def test_the_responsible_owner_is_chosen_among_the_host_citys_organisations(cities, settings):
    pothole = FaultCategory.objects.get(code="pothole")
    pothole.default_owner = cities.a.org  # A's road section handles potholes ...
    pothole.save()
    settings.REPORT_DEFAULT_OWNER = "izumo"  # ... and A is the settings' fallback
    a, b = city_values(cities.a.row), city_values(cities.b.row)
    # A local organisation of A whose area covers B's place (a bad area must not leak).
    factories.org("izumo-wide", city=cities.a.row, service_area=cities.b.row.service_area)

    assert selectors.responsible_owner(pothole, cities.b.point, where=b) == cities.b.org
    assert selectors.responsible_owner(pothole, cities.a.point, where=a) == cities.a.org
    pothole.default_owner = None
    pothole.save()
    assert selectors.responsible_owner(pothole, cities.b.point, where=b) == cities.b.org


def test_another_citys_sticker_typed_or_asset_chosen_in_the_general_form_is_refused(client, cities):
    a, b = cities.a, cities.b
    before = Report.objects.count()

    typed = _post_place(client, b.host, b.point, category="lamp-out", label_code=a.label.code)

    assert typed.status_code == 400
    assert "We cannot find this sticker code" in typed.content.decode()
    assert Report.objects.count() == before
    with pytest.raises(ReportError) as refused:
        intake.report_intake(
            channel="web",
            acting_user=AnonymousUser(),
            category=a.report.category,
            asset=a.asset,
            city=city_values(b.row),
        )
    assert refused.value.code == "no_such_asset"
    chosen = _post_place(
        client, b.host, b.point, category="lamp-out", asset_choice=str(a.asset.pk),
        force_new="1",
    )  # fmt: skip
    assert chosen.status_code in (200, 302)
    assert not Report.objects.filter(asset=a.asset).exclude(pk=a.report.pk).exists()


def test_me_too_on_another_citys_report_is_404(client, cities):
    a = cities.a

    refused = client.post(f"/report/me-too/{a.report.number}/", {}, HTTP_HOST=cities.b.host)
    counted = client.post(f"/report/me-too/{a.report.number}/", {}, HTTP_HOST=a.host)

    assert refused.status_code == 404
    assert counted.status_code == 200
    assert Report.objects.get(pk=a.report.pk).me_too_count == 1


def test_the_home_page_counts_the_host_citys_assets_only(client, cities):
    factories.asset("security-light", owner=cities.a.org)
    factories.asset("security-light", owner=cities.a.org)

    def count_on(host):
        response = client.get("/", HTTP_HOST=host)
        return {row["code"]: row["count"] for row in response.context["counts"]}

    assert count_on(cities.a.host) == {"security-light": 3}
    assert count_on(cities.b.host) == {"security-light": 1}


def test_the_form_map_opens_in_the_host_citys_area(client, cities):
    for city in (cities.a, cities.b):
        html = client.get("/report/", HTTP_HOST=city.host).content.decode()
        centre = html.split('data-center="', 1)[1].split('"', 1)[0]
        lat, lon = map(float, centre.split(","))
        assert city.row.service_area.contains(factories.point(lon, lat))
