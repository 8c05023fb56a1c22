"""A deployment that served one city becomes multi-city: `create_city --adopt-organisations`
names that city and takes over every organisation without a city, with its staff, assets and
reports, and its towns, in one step; before it, those staff are refused on every city's host."""

from io import StringIO

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import City, Organization, User
from assets.models import Town
from tests import factories
from tests.accounts.test_cities import (  # noqa: F401 (an autouse fixture)
    UNNAN_AREA,
    _city,
    _host_map_after_the_rollback,
)

IZUMO_AREA = "POLYGON((132.60 35.25, 132.90 35.25, 132.90 35.45, 132.60 35.45, 132.60 35.25))"


@pytest.fixture
def hosts(settings):
    settings.ALLOWED_HOSTS = ["izumo.example.jp", "unnan.example.jp", "testserver"]


def _adopt(*extra, **options):
    arguments = {
        "--slug": "izumo",
        "--name": "出雲市",
        "--name-en": "Izumo City",
        "--prefecture": "島根県",
        "--local-government-code": "322032",
        "--public-url": "https://izumo.example.jp",
        "--phone": "0853-21-2211",
        "--service-area": IZUMO_AREA,
        **options,
    }
    flat = [part for option, value in arguments.items() for part in (option, value)]
    out = StringIO()
    call_command("create_city", *flat, "--adopt-organisations", *extra, stdout=out)
    return out.getvalue()


def _queue(user, host):
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(user)
    return client.get("/manage/", HTTP_HOST=host)


def test_adopting_gives_every_organisation_without_a_city_to_the_new_city(
    catalogue, city, manager, hosts
):
    association = factories.org("jichikai", kind="association", name="今市町自治会")
    light = factories.asset("security-light", owner=city["road"], ledger_id="BH-1")
    imaichi = Town.objects.create(name="今市町", centre=Point(132.755, 35.367, srid=4326))
    unnan = _city(
        "unnan", "雲南市", "Unnan City", "322091", "0854-40-1000", UNNAN_AREA, "u@unnan.jp"
    )
    users_before = User.objects.count()
    # Another city exists already: the one-city staff belong to none of the configured ones.
    assert _queue(manager, "izumo.example.jp").status_code == 404  # no city at that host yet
    assert _queue(manager, "unnan.example.jp").status_code == 403

    output = _adopt()

    izumo = City.objects.get(slug="izumo")
    adopted = {"izumo", "izumo-doro", "izumo-koen", "izumo-densetsu", "jichikai"}
    assert set(Organization.objects.filter(city=izumo).values_list("code", flat=True)) == adopted
    assert Organization.objects.get(code="unnan").city == unnan
    assert "took over 5 organisation(s), izumo its own" in output
    assert "password" not in output  # nobody new to set one
    assert User.objects.count() == users_before
    city["city"].refresh_from_db()
    assert city["city"].service_area.equals(izumo.service_area)  # it had none: the city's
    association.refresh_from_db()
    light.owner.refresh_from_db()
    assert association.city == light.owner.city == izumo
    imaichi.refresh_from_db()
    assert imaichi.city == izumo  # its towns too
    # Its staff are at home on its host, and still strangers on the other city's.
    assert _queue(manager, "izumo.example.jp").status_code == 200
    assert _queue(manager, "unnan.example.jp").status_code == 403


def test_adopting_with_a_new_manager_creates_them_with_a_set_password_link(city, hosts):
    output = _adopt(**{"--manager-email": "Kanri@City.Izumo.jp"})

    new = User.objects.get(username="kanri@city.izumo.jp")
    assert (new.organization.code, new.role, new.has_usable_password()) == (
        "izumo",
        "manager",
        False,
    )
    assert "https://izumo.example.jp/manage/password-reset/" in output


def test_adopting_with_the_e_mail_of_an_adopted_manager_creates_nobody(city, manager, hosts):
    manager.email = "manager@city.izumo.jp"
    manager.save()
    before = User.objects.count()

    output = _adopt(**{"--manager-email": "manager@city.izumo.jp"})

    assert User.objects.count() == before
    assert "Manager manager@city.izumo.jp (already there)" in output
    assert "password-reset" not in output


def test_adopting_dry_run_lists_the_organisations_and_writes_nothing(city, hosts):
    Town.objects.create(name="今市町", centre=Point(132.755, 35.367, srid=4326))

    output = _adopt("--dry-run")

    assert "Takes over 4 organisation(s) without a city" in output
    assert "izumo-doro" in output and "its own: izumo" in output
    assert "Dry run: nothing was written." in output
    assert City.objects.count() == 0
    assert not Organization.objects.filter(city__isnull=False).exists()
    assert not Town.objects.filter(city__isnull=False).exists()


def _refused(*extra, **options) -> str:
    before = (
        City.objects.count(),
        Organization.objects.filter(city__isnull=False).count(),
        User.objects.count(),
    )
    with pytest.raises(CommandError) as refused:
        _adopt(*extra, **options)
    after = (
        City.objects.count(),
        Organization.objects.filter(city__isnull=False).count(),
        User.objects.count(),
    )
    assert after == before, "something was written"
    return str(refused.value)


def test_adopting_when_every_organisation_has_a_city_is_refused(hosts, db):
    _city("unnan", "雲南市", "Unnan City", "322091", "0854-40-1000", UNNAN_AREA, "u@unnan.jp")

    assert "--adopt-organisations:" in _refused()


def test_adopting_with_two_city_organisations_asks_which_is_its_own(city, other_city, hosts):
    message = _refused()

    assert "--organisation-code:" in message and "izumo, matsue" in message
    # Named, it goes through; the other city's organisation is adopted too (it had no city).
    _adopt(**{"--organisation-code": "izumo"})
    assert Organization.objects.get(code="izumo").city.slug == "izumo"


def test_adopting_a_section_as_the_city_organisation_is_refused(city, hosts):
    message = _refused(**{"--organisation-code": "izumo-doro"})

    # In the deployment's language (LANGUAGE_CODE, ja), as every command speaks.
    assert "--organisation-code: izumo-doro は、市に属していない「市」の組織では" in message


def test_adopting_with_the_e_mail_of_another_city_user_is_refused(city, hosts):
    _city("unnan", "雲南市", "Unnan City", "322091", "0854-40-1000", UNNAN_AREA, "u@unnan.jp")

    assert "--manager-email:" in _refused(**{"--manager-email": "u@unnan.jp"})


def test_a_new_city_without_adopting_still_needs_a_manager_e_mail(db, hosts):
    out = StringIO()
    with pytest.raises(CommandError, match="--manager-email:"):
        call_command(
            "create_city",
            *("--slug", "izumo", "--name", "出雲市", "--name-en", "Izumo City"),
            *("--prefecture", "島根県", "--local-government-code", "322032"),
            *("--public-url", "https://izumo.example.jp", "--phone", "0853-21-2211"),
            stdout=out,
        )
    assert City.objects.count() == 0
