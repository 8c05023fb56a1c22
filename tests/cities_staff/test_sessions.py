"""Staff of one city on another city's host: their sign-in is refused naming their city, and
a session of theirs is nobody there (every /manage/ page 403 naming their city, the staff
API does not know them); on their own host everything works as before."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.functional import SimpleLazyObject

from accounts.city_staff import CityStaffMiddleware
from reports.models import Report
from tests.cities_staff.conftest import IZUMO_HOST, MATSUE_HOST, superuser

PASSWORD = "pw-Machimori-2026"
LOGIN = "/manage/login/"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_manager_of_izumo_signing_in_at_matsue_is_refused_naming_izumo(client, cities):
    izumo, _matsue = cities
    page = client.post(
        LOGIN,
        {"username": izumo["manager"].username, "password": PASSWORD},
        HTTP_HOST=MATSUE_HOST,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert page.status_code == 200
    assert not _signed_in(client)
    alert = re.search(r'<div class="error-summary".*?</div>', page.content.decode(), re.S)[0]
    assert "This account belongs to the staff of Izumo City" in alert
    assert 'href="https://izumo.test/manage/login/"' in alert
    assert "Matsue" not in alert
    in_japanese = client.post(
        LOGIN,
        {"username": izumo["manager"].username, "password": PASSWORD},
        HTTP_HOST=MATSUE_HOST,
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert "出雲市" in in_japanese.content.decode() and not _signed_in(client)


def test_a_manager_signs_in_at_their_own_citys_host(client, cities):
    izumo, matsue = cities
    for city in (izumo, matsue):
        client.logout()
        page = client.post(
            LOGIN,
            {"username": city["manager"].username, "password": PASSWORD},
            HTTP_HOST=city["host"],
        )
        assert page.status_code == 302, page.content
        assert _signed_in(client)


def test_a_wrong_password_at_the_other_city_says_nothing_of_either_city(client, cities):
    izumo, _matsue = cities
    page = client.post(
        LOGIN,
        {"username": izumo["manager"].username, "password": "wrong"},
        HTTP_HOST=MATSUE_HOST,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert not _signed_in(client)
    alert = re.search(r'<div class="error-summary".*?</div>', page.content.decode(), re.S)[0]
    assert "did not match" in alert or "correct username" in alert
    assert "izumo" not in alert.lower() and "belongs to the staff" not in alert


def _manage_paths() -> list[str]:
    """Every route under /manage/, its parameters filled with anything (the refusal comes
    before any view)."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)

    walk(get_resolver().url_patterns, "/")
    paths = []
    for route in found:
        if not route.startswith("/manage/"):
            continue
        route = re.sub(r"<int:\w+>", "1", route)
        route = re.sub(r"<(?:str:|slug:)?\w+>", "x", route)
        route = route.lstrip("^").replace("$", "").replace("\\", "")
        paths.append(route)
    return sorted(set(paths))


OPEN = ("/manage/login/", "/manage/logout/", "/manage/password-reset/")


def test_an_izumo_session_is_refused_on_every_manage_page_of_matsue(client, cities):
    izumo, _matsue = cities
    client.force_login(izumo["manager"])
    paths = [p for p in _manage_paths() if not p.startswith(OPEN)]
    assert len(paths) > 30  # the whole staff site, not a handful

    for path in paths:
        for method in (client.get, client.post):
            page = method(path, HTTP_HOST=MATSUE_HOST, HTTP_ACCEPT_LANGUAGE="ja")
            assert page.status_code == 403, (path, page.status_code)
            assert "出雲市" in page.content.decode(), path
            assert "https://izumo.test/manage/" in page.content.decode(), path
    # Signed out nowhere: the session still opens Izumo's screens on Izumo's host.
    assert client.get("/manage/", HTTP_HOST=IZUMO_HOST).status_code == 200


def test_an_izumo_session_changes_nothing_of_matsue(client, cities):
    izumo, matsue = cities
    client.force_login(izumo["manager"])
    number = matsue["report"].number

    accepted = client.post(
        f"/manage/reports/{number}/status/", {"status": "accepted"}, HTTP_HOST=MATSUE_HOST
    )
    forwarded = client.post(
        f"/manage/reports/{number}/forward/",
        {"to": izumo["association"].pk},
        HTTP_HOST=MATSUE_HOST,
    )

    assert accepted.status_code == forwarded.status_code == 403
    report = Report.objects.get(pk=matsue["report"].pk)
    assert report.status == Report.Status.NEW and report.owner == matsue["road"]


@pytest.mark.parametrize(
    "path", ["/api/v1/labels/", "/api/v1/auth/devices/", "/api/v1/assets/?format=json"]
)
def test_an_izumo_session_is_nobody_on_matsues_staff_api(client, cities, path):
    izumo, _matsue = cities
    client.force_login(izumo["manager"])

    there = client.get(path, HTTP_HOST=MATSUE_HOST)
    home = client.get(path, HTTP_HOST=IZUMO_HOST)

    assert home.status_code == 200
    if path.startswith("/api/v1/assets/"):  # public: answered, but as to anybody
        assert there.status_code == 200
        assert "private" not in there.content.decode()
    else:
        assert there.status_code in (401, 403)
        assert there.json()["code"] == "not_authenticated"
        assert "izumo" not in there.content.decode()


def test_a_superuser_runs_every_citys_staff_pages(client, cities):
    client.force_login(superuser())
    for host in (IZUMO_HOST, MATSUE_HOST):
        assert client.get("/manage/", HTTP_HOST=host).status_code == 200
        assert client.get("/manage/queue/", HTTP_HOST=host).status_code == 200


def test_without_cities_the_middleware_reads_neither_user_nor_database(
    db, rf, django_assert_num_queries
):
    """One city (no City row): request.city is None and the session is not even looked at."""

    def untouched():
        raise AssertionError("the user was read")

    request = rf.get("/manage/")
    request.city = None
    request.user = SimpleLazyObject(untouched)
    middleware = CityStaffMiddleware(lambda request: "answered")

    with django_assert_num_queries(0):
        assert middleware(request) == "answered"


def test_without_cities_staff_sign_in_and_screens_are_as_before(client, manager):
    page = client.post(LOGIN, {"username": manager.username, "password": PASSWORD})
    assert page.status_code == 302 and _signed_in(client)
    assert client.get("/manage/queue/").status_code == 200
