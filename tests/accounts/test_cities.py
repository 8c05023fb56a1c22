"""Several cities on one deployment (the foundation): a city's identifiers are checked, a city
is chosen by the host name, `create_city` adds one or refuses and writes nothing, and a
deployment without cities behaves as before."""

import json
import uuid
from io import StringIO

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts import city_host, city_setup, policy
from accounts.cities import check_digit, normal_host, parse_area, validate_host
from accounts.cities import validate_local_government_code as validate_code
from accounts.models import City, CityHost, Organization, User
from config import city as config_city
from qr_labels import services as label_services
from tests import factories

MATSUE_AREA = "POLYGON((132.95 35.40, 133.20 35.40, 133.20 35.55, 132.95 35.55, 132.95 35.40))"
UNNAN_AREA = "POLYGON((132.75 35.15, 133.00 35.15, 133.00 35.35, 132.75 35.35, 132.75 35.15))"
HOSTS = ["matsue.example.jp", "unnan.example.jp", "nowhere.example.jp", "testserver"]


@pytest.fixture(autouse=True)
def _host_map_after_the_rollback(django_db_blocker):
    """The per-process host map is read again once the test's cities are rolled back, so
    that the next test starts, like every other, on a deployment without cities."""
    yield
    with django_db_blocker.unblock():
        city_host.load()


@pytest.fixture
def hosts(settings):
    settings.ALLOWED_HOSTS = HOSTS


def _city(slug, name, name_en, code, phone, area, email):
    plan = city_setup.city_check(
        slug=slug,
        name=name,
        name_en=name_en,
        prefecture="島根県",
        local_government_code=code,
        public_base_url=f"https://{slug}.example.jp",
        phone=phone,
        manager_email=email,
        area_text=area,
    )
    return city_setup.city_create(plan=plan)[0]


@pytest.fixture
def two_cities(db, hosts):
    matsue = _city(
        "matsue", "松江市", "Matsue City", "322016", "0852-55-5555", MATSUE_AREA, "m@matsue.jp"
    )
    unnan = _city(
        "unnan", "雲南市", "Unnan City", "322091", "0854-40-1000", UNNAN_AREA, "u@unnan.jp"
    )
    return matsue, unnan


# --- 地方公共団体コード ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["322032", "322016", "011002", "130001", "131016", "322091", "471003"],
    ids=["izumo", "matsue", "sapporo", "tokyo", "chiyoda", "unnan", "naha"],
)
def test_real_local_government_codes_pass_their_check_digit(code):
    assert check_digit(code[:5]) == code[5]
    validate_code(code)


def test_a_remainder_of_zero_or_one_gives_check_digit_one_or_zero():
    # 1×6 + 1×5 = 11: remainder 0, 11 − 0 = 11, its last digit 1.
    assert check_digit("11000") == "1"
    # 2×6 = 12: remainder 1, 11 − 1 = 10, its last digit 0.
    assert check_digit("20000") == "0"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("322033", "code_check_digit"),  # 出雲市 with a wrong last digit
        ("322061", "code_check_digit"),  # two digits swapped (322016)
        ("130000", "code_check_digit"),
        ("32203", "code_format"),
        ("3220322", "code_format"),
        ("32203a", "code_format"),
        ("３２２０３２", "code_format"),  # full-width digits
        ("482001", "code_prefecture"),
        ("002003", "code_prefecture"),
    ],
)
def test_wrong_local_government_codes_are_refused(code, error):
    with pytest.raises(ValidationError) as refused:
        validate_code(code)
    assert refused.value.code == error


# --- host names and areas --------------------------------------------------------------------


@pytest.mark.parametrize("host", ["matsue.example.jp", "localhost", "a-b.c9.example.jp"])
def test_host_names_are_accepted(host):
    validate_host(host)


@pytest.mark.parametrize(
    "host",
    ["Matsue.example.jp", "https://matsue.example.jp", "matsue.example.jp:8000",
     "matsue_city.example.jp", "-matsue.example.jp", "matsue..example.jp", "matsue.example.jp/q",
     ""],
)  # fmt: skip
def test_bad_host_names_are_refused(host):
    with pytest.raises(ValidationError):
        validate_host(host)


def test_a_request_host_is_compared_without_port_case_or_final_dot():
    assert normal_host("Matsue.Example.JP:8443") == "matsue.example.jp"
    assert normal_host("matsue.example.jp.") == "matsue.example.jp"


def test_an_area_is_read_from_wkt_and_geojson_as_a_multipolygon():
    from_wkt = parse_area(MATSUE_AREA)
    feature = {"type": "Feature", "properties": {}, "geometry": json.loads(from_wkt[0].geojson)}
    from_geojson = parse_area(json.dumps({"type": "FeatureCollection", "features": [feature]}))

    assert isinstance(from_wkt, MultiPolygon) and from_wkt.srid == 4326
    assert from_geojson.equals(from_wkt)


# --- create_city -------------------------------------------------------------------------------


def _arguments(**changes):
    arguments = {
        "--slug": "matsue",
        "--name": "松江市",
        "--name-en": "Matsue City",
        "--prefecture": "島根県",
        "--local-government-code": "322016",
        "--public-url": "https://matsue.example.jp",
        "--phone": "0852-55-5555",
        "--manager-email": "doro@matsue.example.jp",
        "--service-area": MATSUE_AREA,
    }
    arguments.update(changes)
    flat = []
    for option, value in arguments.items():
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            flat += [option, one]
    return flat


def _create_city(*args):
    out = StringIO()
    call_command("create_city", *args, stdout=out)
    return out.getvalue()


def _written():
    return (
        City.objects.count(),
        CityHost.objects.count(),
        Organization.objects.count(),
        User.objects.count(),
    )


def test_create_city_adds_the_city_its_organisation_and_a_manager_who_sets_a_password(
    db, client, hosts, tmp_path
):
    area = tmp_path / "matsue.geojson"
    area.write_text(
        json.dumps({"type": "Feature", "geometry": json.loads(parse_area(MATSUE_AREA).json)}),
        encoding="utf-8",
    )

    output = _create_city(
        *_arguments(**{"--service-area": str(area), "--host": ["www.matsue.example.jp"]}),
        "--phone-hours", "平日 8:30–17:15",
    )  # fmt: skip

    matsue = City.objects.get()
    assert (matsue.slug, matsue.name, matsue.local_government_code) == (
        "matsue",
        "松江市",
        "322016",
    )
    assert matsue.jurisdiction_id == "matsue.example.jp"  # the host, by default
    assert matsue.short_url_base == "matsue.example.jp/q/"
    assert matsue.service_area.equals(parse_area(MATSUE_AREA))
    assert sorted(matsue.hosts.values_list("host", flat=True)) == [
        "matsue.example.jp",
        "www.matsue.example.jp",
    ]
    organisation = Organization.objects.get(city=matsue)
    assert (organisation.code, organisation.kind) == ("matsue", "city")
    assert organisation.service_area.equals(matsue.service_area)
    manager = User.objects.get(organization=organisation)
    assert (manager.username, manager.role) == ("doro@matsue.example.jp", "manager")
    assert not manager.has_usable_password()

    link = next(w for w in output.split() if "/manage/password-reset/" in w)
    assert link.startswith("https://matsue.example.jp/manage/password-reset/")
    opened = client.get(
        link.removeprefix("https://matsue.example.jp"), HTTP_HOST="matsue.example.jp"
    )
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    chosen = client.post(
        opened["Location"],
        {"new_password1": "Shinji-ko 2026!", "new_password2": "Shinji-ko 2026!"},
        HTTP_HOST="matsue.example.jp",
    )
    assert chosen.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password("Shinji-ko 2026!")


def test_create_city_dry_run_prints_the_plan_and_writes_nothing(db):
    output = _create_city(*_arguments(), "--dry-run")

    assert "City matsue: 島根県松江市 (Matsue City), code 322016" in output
    assert "hosts matsue.example.jp" in output
    assert "Dry run: nothing was written." in output
    assert _written() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("changes", "option"),
    [
        ({"--local-government-code": "322017"}, "--local-government-code"),
        ({"--local-government-code": "32201"}, "--local-government-code"),
        ({"--slug": "matsue city"}, "--slug"),
        ({"--name": "  "}, "--name"),
        ({"--public-url": "matsue.example.jp"}, "--public-url"),
        ({"--public-url": "https://matsue.example.jp/machimori"}, "--public-url"),
        ({"--host": ["www_matsue.example.jp"]}, "--host"),
        ({"--host": ["WWW.matsue.example.jp"]}, "--host"),
        ({"--open-data-license-url": "licence"}, "--open-data-license-url"),
        ({"--service-area": "POINT(133.05 35.47)"}, "--service-area"),
        (  # a bow tie: crosses itself
            {"--service-area": "POLYGON((133 35.4, 133.1 35.5, 133.1 35.4, 133 35.5, 133 35.4))"},
            "--service-area",
        ),
        (  # Paris
            {"--service-area": "POLYGON((2.2 48.8, 2.4 48.8, 2.4 48.9, 2.2 48.9, 2.2 48.8))"},
            "--service-area",
        ),
        (  # latitude first
            {"--service-area": "POLYGON((35.4 133.0, 35.5 133.0, 35.5 133.1, 35.4 133.0))"},
            "--service-area",
        ),
        ({"--service-area": "POLYGON((133 35.4, 133.1"}, "--service-area"),
        ({"--service-area": "/no/such/area.geojson"}, "--service-area"),
        ({"--manager-email": "doro at matsue"}, "--manager-email"),
    ],
)  # fmt: skip
def test_create_city_refuses_each_bad_input_naming_it_and_writes_nothing(db, changes, option):
    with pytest.raises(CommandError) as refused:
        _create_city(*_arguments(**changes))

    assert f"{option}:" in str(refused.value)
    assert _written() == (0, 0, 0, 0)


def test_create_city_names_every_bad_input_at_once(db):
    with pytest.raises(CommandError) as refused:
        _create_city(*_arguments(**{"--local-government-code": "322017", "--slug": "a b"}))

    assert "--local-government-code:" in str(refused.value) and "--slug:" in str(refused.value)


@pytest.mark.parametrize(
    ("changes", "option"),
    [
        ({"--slug": "unnan"}, "--slug"),
        ({"--local-government-code": "322091"}, "--local-government-code"),
        ({"--host": ["unnan.example.jp"]}, "--host"),
        ({"--public-url": "https://unnan.example.jp"}, "--host"),
        ({"--jurisdiction": "unnan.example.jp"}, "--jurisdiction"),
        ({"--organisation-code": "unnan"}, "--organisation-code"),
        ({"--manager-email": "U@unnan.jp"}, "--manager-email"),
    ],
)
def test_create_city_refuses_what_another_city_uses_already(db, changes, option):
    _city("unnan", "雲南市", "Unnan City", "322091", "0854-40-1000", UNNAN_AREA, "u@unnan.jp")
    before = _written()

    with pytest.raises(CommandError) as refused:
        _create_city(*_arguments(**changes))

    assert f"{option}:" in str(refused.value)
    assert "雲南市" in str(refused.value) or option in ("--slug", "--organisation-code",
                                                       "--manager-email")  # fmt: skip
    assert _written() == before


def test_create_city_asks_for_every_required_field(db):
    with pytest.raises(CommandError, match="--local-government-code"):
        _create_city(*_arguments(**{"--local-government-code": None}))
    assert _written() == (0, 0, 0, 0)


# --- the city of a request -----------------------------------------------------------------


def test_without_cities_every_host_is_the_deployment_city_of_the_settings(
    db, client, settings, hosts, label
):
    settings.CITY_NAME, settings.CITY_PHONE = "出雲市", "0853-21-2211"

    for host in ("testserver", "matsue.example.jp"):
        home = client.get("/", HTTP_HOST=host)
        scan = client.get(f"/q/{label.code}", HTTP_HOST=host)

        assert home.status_code == 200 and scan.status_code == 200
        for page in (home, scan):
            assert '<a class="brand" href="/">出雲市' in page.content.decode()
            assert "0853-21-2211" in page.content.decode()

    request = RequestFactory().get("/", HTTP_HOST="testserver")
    city_host.CityMiddleware(lambda r: None)(request)
    assert request.city is None
    assert config_city.current(request).name == "出雲市"


def test_each_host_shows_its_own_city_on_the_home_page_and_the_sticker_page(
    client, two_cities, catalogue
):
    for city, host, name, phone, other_phone in (
        (two_cities[0], "matsue.example.jp", "松江市", "0852-55-5555", "0854-40-1000"),
        (two_cities[1], "unnan.example.jp", "雲南市", "0854-40-1000", "0852-55-5555"),
    ):
        # The city's own sticker (another city's is refused there: tests/cities_public).
        light = factories.asset("security-light", owner=city.organisations.get())
        label = label_services.label_issue(asset=light, acting_user=policy.SYSTEM)
        for path in ("/", f"/q/{label.code}", f"/q/{label.code}"):  # the sticker page cached
            page = client.get(path, HTTP_HOST=host)

            html = page.content.decode()
            assert page.status_code == 200
            assert f'<a class="brand" href="/">{name}' in html
            assert f'href="tel:{phone}"' in html
            assert other_phone not in html and "0853-21-2211" not in html


def test_the_city_of_a_request_carries_its_values_and_area(two_cities):
    matsue, _ = two_cities
    request = RequestFactory().get("/", HTTP_HOST="Matsue.Example.JP:443")

    city_host.CityMiddleware(lambda r: None)(request)

    here = config_city.current(request)
    assert (here.id, here.slug, here.name, here.phone) == (
        matsue.pk,
        "matsue",
        "松江市",
        "0852-55-5555",
    )
    assert here.jurisdiction_id == "matsue.example.jp"
    assert here.public_base_url == "https://matsue.example.jp"
    assert config_city.service_area(request).equals(parse_area(MATSUE_AREA))
    assert config_city.current(request).name_in("en") == "Matsue City"


def test_a_host_that_names_no_city_is_a_404_that_names_none(client, two_cities):
    page = client.get("/", HTTP_HOST="nowhere.example.jp", HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert page.status_code == 404
    assert "No city is served at this address" in html
    for name in ("松江市", "Matsue", "雲南市", "Unnan", "出雲市", "Izumo"):
        assert name not in html
    assert "0852-55-5555" not in html and "0853-21-2211" not in html


def test_programs_on_a_host_that_names_no_city_get_their_own_404(client, two_cities):
    api = client.get("/api/v1/assets/", HTTP_HOST="nowhere.example.jp")
    open311 = client.get("/open311/v2/services.json", HTTP_HOST="nowhere.example.jp")

    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert open311.status_code == 404 and open311.json()[0]["code"] == 404


def test_health_checks_answer_on_any_host(client, two_cities):
    assert client.get("/healthz", HTTP_HOST="testserver").status_code == 200


def test_an_inactive_city_is_no_longer_served(client, two_cities):
    matsue, _ = two_cities
    matsue.is_active = False
    matsue.save()

    assert client.get("/", HTTP_HOST="matsue.example.jp").status_code == 404
    assert client.get("/", HTTP_HOST="unnan.example.jp").status_code == 200


def test_a_city_added_by_another_process_is_served_within_seconds(client, hosts, two_cities):
    client.get("/", HTTP_HOST="matsue.example.jp")  # this process knows the map
    # Another process (create_city, the admin) renames a host: no signal reaches this one,
    # only the token it leaves in the shared cache.
    CityHost.objects.filter(host="matsue.example.jp").update(host="nowhere.example.jp")
    cache.set(city_host.TOKEN_KEY, uuid.uuid4().hex, timeout=None)

    assert client.get("/", HTTP_HOST="nowhere.example.jp").status_code == 404  # not yet
    city_host._checked_at -= city_host.TOKEN_CHECK_SECONDS

    assert client.get("/", HTTP_HOST="nowhere.example.jp").status_code == 200
    assert client.get("/", HTTP_HOST="matsue.example.jp").status_code == 404


def test_a_request_costs_no_query_for_its_city_once_the_map_is_read(client, two_cities):
    # Adding the cities dropped the map: the first request reads it again, once.
    with CaptureQueriesContext(connection) as first:
        client.get("/", HTTP_HOST="unnan.example.jp")
    with CaptureQueriesContext(connection) as later:
        client.get("/", HTTP_HOST="matsue.example.jp")

    assert len([q for q in first if "accounts_cityhost" in q["sql"]]) == 1
    assert not [q for q in later if "accounts_city" in q["sql"]]


def test_an_organisation_may_belong_to_a_city(two_cities):
    matsue, unnan = two_cities
    assert list(Organization.objects.filter(city=matsue).values_list("code", flat=True)) == [
        "matsue"
    ]
    assert list(unnan.organisations.values_list("code", flat=True)) == ["unnan"]


def test_the_area_of_a_city_is_a_multipolygon_in_japan():
    with pytest.raises(ValidationError) as refused:
        parse_area(Polygon.from_bbox((-10, 40, -9, 41)).wkt)
    assert refused.value.code == "area_outside_japan"


def test_other_processes_hear_of_a_change_again_once_it_is_committed(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as committed:
        _city("unnan", "雲南市", "Unnan City", "322091", "0854-40-1000", UNNAN_AREA, "u@unnan.jp")
        while_writing = cache.get(city_host.TOKEN_KEY)

    assert while_writing is not None and committed
    for callback in committed:
        callback()
    assert cache.get(city_host.TOKEN_KEY) not in (None, while_writing)


def test_an_error_page_on_a_city_host_names_that_city(client, two_cities):
    page = client.get("/no-such-page/", HTTP_HOST="unnan.example.jp", HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert page.status_code == 404
    assert '<a class="brand" href="/">Unnan City' in html
    assert 'href="tel:0854-40-1000"' in html
    assert "0852-55-5555" not in html and "0853-21-2211" not in html


def test_a_superuser_adds_a_host_name_in_the_admin_and_it_is_served(client, two_cities):
    matsue, _ = two_cities
    client.force_login(factories.user(username="root", is_staff=True, is_superuser=True))
    client.get("/", HTTP_HOST="unnan.example.jp")  # the map is read
    form = client.get(f"/admin/accounts/city/{matsue.pk}/change/", HTTP_HOST="unnan.example.jp")
    assert form.status_code == 200
    fields = {
        name: value
        for name, value in form.context["adminform"].form.initial.items()
        if name != "service_area"
    }
    hosts = list(matsue.hosts.all())

    saved = client.post(
        f"/admin/accounts/city/{matsue.pk}/change/",
        {
            **{k: ("on" if v is True else v) for k, v in fields.items() if v not in (None, False)},
            "service_area": matsue.service_area.geojson,
            "hosts-TOTAL_FORMS": "2",
            "hosts-INITIAL_FORMS": "1",
            "hosts-MIN_NUM_FORMS": "1",
            "hosts-MAX_NUM_FORMS": "1000",
            "hosts-0-id": str(hosts[0].pk),
            "hosts-0-city": str(matsue.pk),
            "hosts-0-host": hosts[0].host,
            "hosts-1-city": str(matsue.pk),
            "hosts-1-host": "nowhere.example.jp",
        },
        HTTP_HOST="unnan.example.jp",
    )

    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors
    assert client.get("/", HTTP_HOST="nowhere.example.jp").status_code == 200
    assert (
        '<a class="brand" href="/">松江市'
        in client.get("/", HTTP_HOST="nowhere.example.jp").content.decode()
    )
