"""The ten-city bench's seeding (demo/cities.py, run by bench/cities.py), on tiny cities: each
city is a valid one, at its own place, holding its own assets, stickers and faults."""

import pytest
from django.contrib.gis.geos import Point

from accounts.cities import validate_local_government_code
from accounts.models import City
from assets.models import Asset
from demo import cities as bench_cities
from qr_labels.models import Label
from reports.models import Report
from tests.accounts.test_cities import _host_map_after_the_rollback  # noqa: F401 (autouse)


def test_every_bench_city_has_a_valid_code_of_its_own():
    codes = [bench_cities.city_code(n) for n in range(len(bench_cities.CITIES))]
    for code in codes:
        validate_local_government_code(code)
    assert codes[0] == "322032"  # 出雲市
    assert codes[1] == "322016"  # 松江市
    assert len(set(codes)) == len(codes) == 10


@pytest.fixture
def two_cities(db):
    return [bench_cities.bench_city_install(n, assets=150, reports=20) for n in (0, 1)]


def test_each_bench_city_holds_its_own_assets_in_its_own_area(two_cities):
    izumo, matsue = two_cities
    assert not izumo.row.service_area.intersects(matsue.row.service_area)
    for city in two_cities:
        mine = Asset.objects.filter(owner__city=city.row)
        assert mine.count() == city.assets == 150
        assert mine.filter(geom__within=city.row.service_area).count() == 150
        assert city.row.service_area.contains(Point(*city.centre, srid=4326))
    assert Asset.objects.count() == 300


def test_each_bench_city_stickers_its_own_lights_and_owns_its_faults(two_cities):
    for city in two_cities:
        labels = Label.objects.filter(asset__owner__city=city.row)
        assert labels.count() == city.labels > 0
        assert set(labels.values_list("asset__asset_type__code", flat=True)) == {"security-light"}
        reports = Report.objects.filter(number__startswith=city.report_prefix)
        assert reports.count() == city.reports == 20
        assert not reports.exclude(owner__city=city.row).exists()
        assert city.manager.organization == city.organisation
        assert city.organisation.city == city.row
    assert City.objects.count() == 2
    assert Label.objects.count() == sum(c.labels for c in two_cities)


def test_a_bench_city_is_served_at_its_own_host_only(two_cities, client, settings):
    settings.ALLOWED_HOSTS = [f".{bench_cities.HOST_SUFFIX}"]
    izumo, matsue = two_cities
    code = Label.objects.filter(asset__owner__city=izumo.row).values_list("code", flat=True)[0]
    assert client.get(f"/q/{code}", HTTP_HOST=izumo.host).status_code == 200
    assert client.get(f"/q/{code}", HTTP_HOST=matsue.host).status_code == 404
