"""Towns (町) belong to a city: 出雲市 and 松江市 may both have a 本町. A resident's town
choice, the open-data layouts' 町字, the inspection areas and the dashboard's place names
read the towns of the city in question only; without City rows every town is the one
city's, as before."""

import pytest
from django.db import IntegrityError, transaction

from accounts.city_host import city_values
from accounts.models import User
from assets import jp_layouts
from assets.models import Asset, Town
from inspections import areas
from reports.models import Report
from tests import factories


def _town(row, name, point, radius_m=800):
    return Town.objects.create(
        city=row, name=name, centre=factories.point(*point), radius_m=radius_m
    )


@pytest.fixture
def honmachi(cities):
    """Each city has its 本町 (around its own asset), and one town of its own."""
    a, b = cities.a, cities.b
    return {
        "a": _town(a.row, "本町", (a.point.x, a.point.y)),
        "b": _town(b.row, "本町", (b.point.x, b.point.y)),
        "a_only": _town(a.row, "今市町", (a.point.x + 0.02, a.point.y)),
        "b_only": _town(b.row, "殿町", (b.point.x + 0.02, b.point.y)),
    }


# --- The model -----------------------------------------------------------------------------


def test_two_cities_may_both_have_a_honmachi_but_one_city_not_two(cities, honmachi):
    with pytest.raises(IntegrityError), transaction.atomic():
        _town(cities.a.row, "本町", (132.7, 35.3))
    with pytest.raises(IntegrityError), transaction.atomic():
        _town(cities.b.row, "本町", (133.0, 35.4))

    assert Town.objects.filter(name="本町").count() == 2


def test_the_one_city_without_city_rows_keeps_its_names_unique(db):
    _town(None, "本町", (132.75, 35.36))

    with pytest.raises(IntegrityError), transaction.atomic():
        _town(None, "本町", (132.76, 35.37))
    assert Town.objects.count() == 1


def test_town_of_narrows_to_the_city_and_without_one_keeps_all(cities, honmachi):
    a, b = _a(cities), _b(cities)

    assert set(Town.of(a)) == {honmachi["a"], honmachi["a_only"]}
    assert set(Town.of(b)) == {honmachi["b"], honmachi["b_only"]}
    assert Town.of(None).count() == 4
    assert {t.pk for t in areas.towns(b)} == {honmachi["b"].pk, honmachi["b_only"].pk}


# --- The resident's form ------------------------------------------------------------------


def test_the_report_form_offers_the_host_citys_towns_only(client, cities, honmachi):
    for here, mine, theirs in (("a", "a_only", "b_only"), ("b", "b_only", "a_only")):
        page = client.get("/report/", HTTP_HOST=getattr(cities, here).host)
        choices = {str(pk) for pk, _label in page.context["form"].fields["town"].choices if pk}

        assert page.status_code == 200
        assert str(honmachi[mine].pk) in choices and str(honmachi[here].pk) in choices
        assert str(honmachi[theirs].pk) not in choices
        other = "b" if here == "a" else "a"
        assert str(honmachi[other].pk) not in choices
        assert honmachi[theirs].name not in page.content.decode()


def test_another_citys_town_sent_to_the_form_is_refused(client, cities, honmachi):
    before = Report.objects.count()

    refused = client.post(
        "/report/",
        {"category": "pothole", "town": str(honmachi["a"].pk), "address_text": "駅前"},
        HTTP_HOST=cities.b.host,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    accepted = client.post(
        "/report/",
        {"category": "pothole", "town": str(honmachi["b"].pk), "address_text": "駅前"},
        HTTP_HOST=cities.b.host,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert refused.status_code == 400
    assert "town" in refused.context["form"].errors
    assert accepted.status_code == 302, accepted.content.decode()[:500]
    report = Report.objects.exclude(pk__in=[cities.a.report.pk, cities.b.report.pk]).get()
    assert Report.objects.count() == before + 1
    assert (report.town, report.owner.city_id) == ("本町", cities.b.row.pk)
    assert report.location.equals_exact(honmachi["b"].centre, 1e-9)


# --- Inspection areas -----------------------------------------------------------------------


def test_an_address_in_honmachi_lies_in_its_own_citys_honmachi(cities, honmachi):
    a_asset = factories.asset(owner=cities.a.org, lon=132.70, lat=35.30, address="本町3-1")
    b_asset = factories.asset(owner=cities.b.org, lon=133.10, lat=35.50, address="松江市本町3-1")
    every_town = areas.towns()  # even given every city's towns

    assert areas.area_of(a_asset, every_town) == honmachi["a"]
    assert areas.area_of(b_asset, every_town) == honmachi["b"]
    assert areas.area_of(b_asset, areas.towns(_a(cities))) is None


def test_the_nearest_town_is_one_of_the_assets_city(cities, honmachi):
    """B's asset without an address, standing at the centre of A's 今市町 (a ledger error or
    a border): it lies in none of A's towns."""
    spot = honmachi["a_only"].centre
    a_asset = factories.asset(owner=cities.a.org, lon=spot.x, lat=spot.y, address="")
    b_asset = factories.asset(owner=cities.b.org, lon=spot.x, lat=spot.y, address="")
    every_town = areas.towns()

    assert areas.area_of(a_asset, every_town) == honmachi["a_only"]
    assert areas.area_of(b_asset, every_town) is None
    in_a = areas.in_area(Asset.objects.all(), honmachi["a_only"].pk, every_town)
    assert set(in_a) == {a_asset}


# --- The open-data layouts -----------------------------------------------------------------


def test_the_toilet_layout_reads_the_town_of_its_own_city(cities):
    """A's 今市町 and B's 今市町北: A's toilet at 今市町北1-1 lies in A's 今市町 (北1-1), not in
    B's town of the longer name."""
    _town(cities.a.row, "今市町", (132.76, 35.37))
    _town(cities.b.row, "今市町北", (133.06, 35.47))
    toilet = factories.asset(
        "toilet", owner=cities.a.org, lon=132.76, lat=35.37, address="今市町北1-1"
    )
    b_toilet = factories.asset(
        "toilet", owner=cities.b.org, lon=133.06, lat=35.47, address="今市町北1-1"
    )
    town = jp_layouts.PUBLIC_TOILET_COLUMNS.index("所在地_町字")
    rest = jp_layouts.PUBLIC_TOILET_COLUMNS.index("所在地_番地以下")

    a_rows = list(jp_layouts.public_toilet_rows(Asset.objects.filter(pk=toilet.pk), _a(cities)))
    b_rows = list(jp_layouts.public_toilet_rows(Asset.objects.filter(pk=b_toilet.pk), _b(cities)))

    assert (a_rows[1][town], a_rows[1][rest]) == ("今市町", "北1-1")
    assert (b_rows[1][town], b_rows[1][rest]) == ("今市町北", "1-1")
    assert a_rows[1][0] == "322032" and b_rows[1][0] == "322016"


def _a(cities):
    return city_values(cities.a.row)


def _b(cities):
    return city_values(cities.b.row)


# --- Towns named in words: e-mail, Open311, staff forms ------------------------------------


def test_a_town_named_in_an_address_is_one_of_the_citys_own(cities, honmachi):
    from reports import intake

    a, b = _a(cities), _b(cities)

    assert intake.town_in_address("本町3丁目の街灯", a) == honmachi["a"]
    assert intake.town_in_address("本町3丁目の街灯", b) == honmachi["b"]
    assert intake.town_in_address("殿町の交差点", a) is None  # Matsue's only
    assert intake.town_in_address("今市町の公園", b) is None  # Izumo's only


@pytest.mark.parametrize(("own", "other"), [("a", "b"), ("b", "a")])
def test_the_staff_forms_offer_the_host_citys_towns_only(client, cities, honmachi, own, other):
    city = getattr(cities, own)
    client.force_login(User.objects.get(organization=city.org))
    pages = [
        client.get(url, HTTP_HOST=city.host, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
        for url in ("/manage/queue/", "/manage/intake/")
    ]

    mine = honmachi[f"{own}_only"].name
    theirs = honmachi[f"{other}_only"].name
    for page in pages:
        assert f">{mine}<" in page and f">{theirs}<" not in page


def test_the_phone_intake_refuses_another_citys_town(client, cities, honmachi):
    a = cities.a
    client.force_login(User.objects.get(organization=a.org))

    answer = client.post(
        "/manage/intake/",
        {"town": honmachi["b_only"].pk, "category": "lamp-out", "description": "消えている"},
        HTTP_HOST=a.host,
    )

    assert answer.status_code in (200, 400)  # the form again, with its error
    assert "town" in answer.context["form"].errors
    assert not Report.objects.filter(description="消えている").exists()
