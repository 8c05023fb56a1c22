"""The field app's server side: its shell (languages, the words and settings it carries,
its Content-Security-Policy), the service worker (never cached, every file it precaches
real, every module the app loads precached, a release that follows the files' contents)
and the manifest; what a work pack carries beside each asset for offline use (stickers,
open faults, forecast), its ETag, its cost in queries, and who may not have one; and the
time and place a tablet declares for a photo it shrank."""

import datetime
import hashlib
import io
import json
import re
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from accounts import policy
from assets.models import AssetType, FaultCategory
from field import views as field_views
from field.strings import STRINGS
from inspections.checklists import checklists_install
from inspections.models import Assignment, AssignmentAsset, InspectionPhoto
from planning.models import DeteriorationModel, Forecast
from qr_labels import services as label_services
from reports import services as report_services
from tests import factories
from tests.conftest import client_for
from tests.inspections.conftest import record, sync, tablet_for

FIELD_STATIC = Path(field_views.__file__).resolve().parent / "static"
BOX = "132.745,35.355,132.80,35.365"  # around the street of lights below


# --- The shell --------------------------------------------------------------------------------


def _json_script(html: str, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no json_script block {element_id}"
    return json.loads(match.group(1))


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.django_db
def test_the_shell_is_in_japanese_for_anyone_by_default(client):
    response = client.get("/field/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="ja">' in html
    assert "今日の作業" in html  # the Japanese of "Today's work", in the nav
    words = _json_script(html, "field-strings")
    assert words["nav_work"] == "今日の作業"
    config = _json_script(html, "field-config")
    assert config["language"] == "ja"
    assert config["city"] == settings.CITY_NAME


@pytest.mark.django_db
def test_the_shell_is_in_english_when_asked(client):
    response = client.get("/field/", {"lang": "en"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "今日の作業" not in html
    assert _json_script(html, "field-strings")["nav_work"] == "Today's work"
    config = _json_script(html, "field-config")
    assert (config["language"], config["city"]) == ("en", settings.CITY_NAME_EN)
    # The manifest link keeps the language, so the installed app is named in it too.
    assert 'href="/field/manifest.webmanifest?lang=en"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("asked", ["fr", "", "xx-yy", "EN", "ja<script>"])
def test_an_unknown_language_falls_back_to_japanese(client, asked):
    response = client.get("/field/", {"lang": asked})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert _json_script(html, "field-config")["language"] == "ja"
    assert "ja<script>" not in html


@pytest.mark.django_db
def test_an_unknown_language_falls_back_to_the_browsers_english(client):
    response = client.get("/field/", {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_shell_carries_every_string_and_its_settings_as_json(client, language):
    html = client.get("/field/", {"lang": language}).content.decode()

    words = _json_script(html, "field-strings")
    config = _json_script(html, "field-config")
    assert set(words) == set(STRINGS)
    assert all(isinstance(text, str) and text for text in words.values())
    assert config["api"] == "/api/v1/"
    assert config["sw"] == "/field/sw.js"
    assert config["release"] == field_views.release()
    for key in ("leaflet", "leafletCss", "exifr", "decoder", "wasm"):
        path = config["static"][key]
        assert path.startswith(settings.STATIC_URL), key
        assert finders.find(path.removeprefix(settings.STATIC_URL)), path


@pytest.mark.django_db
def test_the_shell_is_never_cached_and_only_read(client):
    response = client.get("/field/")

    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert client.post("/field/").status_code == 405
    assert client.head("/field/").status_code == 200


@pytest.mark.django_db
def test_the_shell_may_run_webassembly_but_no_inline_or_evaluated_script(client):
    directives = _csp(client.get("/field/"))

    assert "'wasm-unsafe-eval'" in directives["script-src"]
    assert "'self'" in directives["script-src"]
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives.get(directive, []), directive
        assert "'unsafe-eval'" not in directives.get(directive, []), directive
    # Photos stay on this server without S3: uploads go nowhere else.
    assert directives["connect-src"] == ["'self'"]


@pytest.mark.django_db
def test_other_pages_do_not_get_webassembly(client):
    directives = _csp(client.get("/field/manifest.webmanifest"))

    assert "'wasm-unsafe-eval'" not in directives.get("script-src", [])


@pytest.mark.s3
@pytest.mark.django_db
def test_with_s3_the_shell_may_upload_straight_to_the_bucket(client, s3_settings):
    directives = _csp(client.get("/field/"))

    endpoint = urlsplit(s3_settings["endpoint_url"])
    assert f"{endpoint.scheme}://{endpoint.netloc}" in directives["connect-src"]
    assert "'self'" in directives["connect-src"]
    assert "'wasm-unsafe-eval'" in directives["script-src"]


# --- The service worker -------------------------------------------------------------------


def _precache(body: str) -> list[str]:
    match = re.search(r"^const PRECACHE = (\[.*?\]);$", body, re.M)
    assert match, "no PRECACHE list in the service worker"
    return json.loads(match.group(1))


def _release(body: str) -> str:
    match = re.search(r'^const RELEASE = "([0-9a-f]+)";$', body, re.M)
    assert match, "no RELEASE in the service worker"
    return match.group(1)


@pytest.fixture
def fresh_release():
    field_views.release.cache_clear()
    yield
    field_views.release.cache_clear()


@pytest.mark.django_db
def test_the_service_worker_is_javascript_and_never_cached(client):
    response = client.get("/field/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control and "no-store" in cache_control
    assert "max-age=0" in cache_control
    assert "{{" not in response.content.decode() and "{%" not in response.content.decode()
    assert client.post("/field/sw.js").status_code == 405


@pytest.mark.django_db
def test_every_precached_file_exists(client):
    body = client.get("/field/sw.js").content.decode()

    precache = _precache(body)
    assert len(precache) == len(set(precache)), "a file is precached twice"
    for url in precache:
        if url.startswith(settings.STATIC_URL):
            assert finders.find(url.removeprefix(settings.STATIC_URL)), url
        else:
            assert client.get(url).status_code == 200, url
    assert "/field/manifest.webmanifest" in precache


def _app_files() -> list[str]:
    """Every script and WebAssembly file of the app and its vendored libraries, as static
    paths (field/js/app.js)."""
    found = []
    for folder in ("field/js", "field/vendor"):
        for path in sorted((FIELD_STATIC / folder).rglob("*")):
            if path.is_file() and path.suffix in (".js", ".wasm"):
                found.append(path.relative_to(FIELD_STATIC).as_posix())
    return found


@pytest.mark.django_db
def test_the_service_worker_precaches_every_script_of_the_app(client):
    precache = set(_precache(client.get("/field/sw.js").content.decode()))

    files = _app_files()
    assert len(files) >= 15  # the twelve modules, idb and zxing's three
    missing = [path for path in files if settings.STATIC_URL + path not in precache]
    assert missing == [], "not available offline"


IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}/[^"']+)["']""")


@pytest.mark.django_db
def test_every_module_an_app_module_imports_is_precached_by_its_plain_name(client):
    """ES modules import one another by relative path, unhashed: each must be in the cache
    under exactly that name, or the app breaks offline."""
    precache = set(_precache(client.get("/field/sw.js").content.decode()))

    imported = set()
    for path in _app_files():
        if not path.endswith(".js"):
            continue
        text = (FIELD_STATIC / path).read_text(encoding="utf-8")
        base = "/" + path
        for relative in IMPORT.findall(text):
            imported.add(urlsplit(urljoin(base, relative)).path.lstrip("/"))
    assert {"field/js/work.js", "field/vendor/idb/index.js"} <= imported
    assert "field/vendor/zxing-wasm/share.js" in imported
    missing = sorted(p for p in imported if settings.STATIC_URL + p not in precache)
    assert missing == []


@pytest.mark.django_db
def test_the_release_is_the_same_in_the_worker_and_the_shell(client, fresh_release):
    body = client.get("/field/sw.js").content.decode()
    config = _json_script(client.get("/field/").content.decode(), "field-config")

    assert _release(body) == config["release"] == field_views.release()
    assert '"field-app-" + RELEASE' in body


def test_the_release_follows_the_contents_of_the_apps_files(tmp_path, monkeypatch, fresh_release):
    real_find = finders.find
    copy = tmp_path / "app.js"
    copy.write_bytes((FIELD_STATIC / "field/js/app.js").read_bytes())

    def find(path, *args, **kwargs):
        return str(copy) if path == "field/js/app.js" else real_find(path, *args, **kwargs)

    monkeypatch.setattr(finders, "find", find)
    shipped = field_views.release()
    field_views.release.cache_clear()
    same_again = field_views.release()

    copy.write_bytes(copy.read_bytes() + b"\n// a fix\n")
    cached = field_views.release()  # computed once per process: a deploy restarts it
    field_views.release.cache_clear()
    changed = field_views.release()

    assert re.fullmatch(r"[0-9a-f]{16}", shipped)
    assert same_again == shipped == cached
    assert changed != shipped


def test_the_release_changes_when_a_vendored_wasm_changes(tmp_path, monkeypatch, fresh_release):
    real_find = finders.find
    wasm = "field/vendor/zxing-wasm/reader/zxing_reader.wasm"
    copy = tmp_path / "reader.wasm"
    copy.write_bytes((FIELD_STATIC / wasm).read_bytes())

    def find(path, *args, **kwargs):
        return str(copy) if path == wasm else real_find(path, *args, **kwargs)

    monkeypatch.setattr(finders, "find", find)
    before = field_views.release()
    copy.write_bytes(copy.read_bytes()[:-1] + b"\x00")
    field_views.release.cache_clear()

    assert field_views.release() != before


# --- The manifest -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "name"), [("ja", "CITY_NAME"), ("en", "CITY_NAME_EN")])
def test_the_manifest_makes_an_installable_app_of_field(client, language, name):
    response = client.get("/field/manifest.webmanifest", {"lang": language})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    body = json.loads(response.content)
    assert (body["start_url"], body["scope"], body["display"]) == (
        "/field/",
        "/field/",
        "standalone",
    )
    assert body["lang"] == language
    assert body["name"].endswith(getattr(settings, name))
    assert body["short_name"] and body["description"]
    sizes = set()
    for icon in body["icons"]:
        assert icon["type"] == "image/png"
        assert icon["src"].startswith(settings.STATIC_URL)
        found = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert found, icon["src"]
        with Image.open(found) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"], icon["src"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in body["icons"])


@pytest.mark.django_db
def test_the_manifest_in_japanese_is_not_escaped(client):
    response = client.get("/field/manifest.webmanifest")

    text = response.content.decode()
    assert settings.CITY_NAME in text and "\\u" not in text


# --- What a work pack carries beside each asset -----------------------------------------------


@pytest.fixture
def checklists(catalogue):
    checklists_install()


@pytest.fixture
def field_tablet(inspector, city, checklists):
    """The parks inspector moves to the road section and signs in on a tablet."""
    inspector.organization = city["road"]
    inspector.save()
    return tablet_for(inspector)


def _lights(city, count, *, start=0):
    return [
        factories.asset(
            "security-light",
            owner=city["road"],
            lon=132.750 + (start + i) * 0.0005,
            lat=35.360,
            ledger_id=f"FL-{start + i:04d}",
        )
        for i in range(count)
    ]


def _forecast(asset, *, grade="II", within_1=0.123456, within_5=0.45678, next_2=0.61234, day=None):
    model, _ = DeteriorationModel.objects.get_or_create(
        asset_type=AssetType.objects.get(code="security-light"),
        stratum_key="",
        stratum_value="",
        defaults={
            "method": "joint",
            "enough": True,
            "pairs": 120,
            "pairs_per_grade": [60, 40, 20, 0],
            "assets": 40,
            "hazards": [0.1, 0.2, 0.3],
            "low": [0.05, 0.1, 0.2],
            "high": [0.15, 0.3, 0.4],
            "fitted_at": timezone.now(),
        },
    )
    day = day or timezone.localdate()
    return Forecast.objects.create(
        asset=asset,
        model=model,
        grade=grade,
        since=datetime.date(2025, 6, 1),
        within_1=within_1,
        within_5=within_5,
        within_10=min(1.0, within_5 + 0.2),
        next_2=next_2,
        computed_on=day,
    )


@pytest.fixture
def street(city, checklists, inspector, submit, lamp_out):
    """Four lights along a street: `faulty` has a sticker, two open reports (one accepted)
    and a fixed and a closed one, and a forecast; `relabelled` had its sticker replaced;
    `unlabelled` had its sticker withdrawn; `plain` never had one. The first two are an
    assignment of the inspector's."""
    faulty, relabelled, unlabelled, plain = _lights(city, 4)
    issue = label_services.label_issue
    stickers = {
        "faulty": issue(asset=faulty, acting_user=policy.SYSTEM),
        "old": issue(asset=relabelled, acting_user=policy.SYSTEM),
        "withdrawn": issue(asset=unlabelled, acting_user=policy.SYSTEM),
    }
    stickers["new"] = label_services.label_replace(label=stickers["old"], acting_user=policy.SYSTEM)
    label_services.label_retire(label=stickers["withdrawn"], acting_user=policy.SYSTEM)
    for sticker in stickers.values():
        sticker.refresh_from_db()

    flickering = FaultCategory.objects.get(code="flickering")
    pole = FaultCategory.objects.get(code="pole-damaged")
    fixed = submit(pole, asset=faulty)
    report_services.report_fix(report=fixed, acting_user=policy.SYSTEM)
    closed = submit(flickering, asset=faulty)
    report_services.report_close(report=closed, reason="no_fault", acting_user=policy.SYSTEM)
    open_new = submit(lamp_out, asset=faulty)
    open_accepted = submit(pole, asset=faulty)
    report_services.report_accept(report=open_accepted, acting_user=policy.SYSTEM)
    elsewhere_closed = submit(lamp_out, asset=relabelled)
    report_services.report_close(
        report=elsewhere_closed, reason="duplicate", acting_user=policy.SYSTEM
    )

    inspector.organization = city["road"]
    inspector.save()
    route = Assignment.objects.create(
        inspector=inspector,
        organization=city["road"],
        title="今市町 夜間点検",
        due_date=datetime.date(2026, 12, 1),
    )
    for position, asset in enumerate([faulty, relabelled]):
        AssignmentAsset.objects.create(assignment=route, asset=asset, position=position)

    reports = {
        "open_new": open_new,
        "open_accepted": open_accepted,
        "fixed": fixed,
        "closed": closed,
        "elsewhere_closed": elsewhere_closed,
    }
    for report in reports.values():
        report.refresh_from_db()
    return {
        "faulty": faulty,
        "relabelled": relabelled,
        "unlabelled": unlabelled,
        "plain": plain,
        "stickers": stickers,
        "reports": reports,
        "forecast": _forecast(faulty),
        "route": route,
    }


def _by_id(body) -> dict[int, dict]:
    return {f["id"]: f["properties"] for f in body["assets"]["features"]}


def _faults(listed) -> list[tuple]:
    """(number, category, status, respond_by as an instant) of each listed open fault."""
    return [
        (f["number"], f["category"], f["status"], datetime.datetime.fromisoformat(f["respond_by"]))
        for f in listed
    ]


def _as_faults(reports) -> list[tuple]:
    return [(r.number, r.category.code, r.status, r.respond_by) for r in reports]


def test_a_box_pack_carries_stickers_open_faults_and_forecasts(field_tablet, street):
    response = field_tablet.get("/api/v1/workpack/", {"bbox": BOX})

    assert response.status_code == 200
    assets = _by_id(response.json())
    faulty, relabelled = assets[street["faulty"].pk], assets[street["relabelled"].pk]
    unlabelled, plain = assets[street["unlabelled"].pk], assets[street["plain"].pk]
    stickers = street["stickers"]
    assert faulty["labels"] == [stickers["faulty"].code]
    # The replaced sticker is gone; its successor is there. A withdrawn one is not.
    assert relabelled["labels"] == [stickers["new"].code]
    assert stickers["old"].code not in json.dumps(response.json())
    assert stickers["withdrawn"].code not in json.dumps(response.json())
    assert unlabelled["labels"] == [] and plain["labels"] == []

    reports = street["reports"]
    opened = sorted(
        [reports["open_new"], reports["open_accepted"]], key=lambda r: (r.respond_by, r.pk)
    )
    assert all(report.respond_by for report in opened)
    assert _faults(faulty["open_faults"]) == _as_faults(opened)
    assert {f["status"] for f in faulty["open_faults"]} == {"new", "accepted"}
    numbers = json.dumps(response.json())
    for gone in ("fixed", "closed", "elsewhere_closed"):
        assert reports[gone].number not in numbers, gone
    assert relabelled["open_faults"] == [] and plain["open_faults"] == []

    assert faulty["forecast"] == {
        "from_grade": "II",
        "from_date": "2025-06-01",
        "within_1_year": 0.1235,
        "within_5_years": 0.4568,
        "next_2_years": 0.6123,
        "likely_within_2_years": True,
    }
    assert relabelled["forecast"] is None and plain["forecast"] is None


def test_the_forecast_says_unlikely_below_one_in_two(field_tablet, street):
    _forecast(street["plain"], grade="I", within_1=0.01, within_5=0.2, next_2=0.4999)

    assets = _by_id(field_tablet.get("/api/v1/workpack/", {"bbox": BOX}).json())

    forecast = assets[street["plain"].pk]["forecast"]
    assert forecast["from_grade"] == "I"
    assert (forecast["next_2_years"], forecast["likely_within_2_years"]) == (0.4999, False)


def test_an_assignment_pack_carries_the_same_extras_for_its_assets_only(field_tablet, street):
    response = field_tablet.get("/api/v1/workpack/", {"assignment": street["route"].pk})

    body = response.json()
    assert response.status_code == 200 and body["assignment"] == street["route"].pk
    assets = _by_id(body)
    assert list(assets) == [street["faulty"].pk, street["relabelled"].pk]
    assert assets[street["faulty"].pk]["labels"] == [street["stickers"]["faulty"].code]
    assert len(assets[street["faulty"].pk]["open_faults"]) == 2
    assert assets[street["faulty"].pk]["forecast"]["from_grade"] == "II"
    assert assets[street["relabelled"].pk]["labels"] == [street["stickers"]["new"].code]
    boxed = _by_id(field_tablet.get("/api/v1/workpack/", {"bbox": BOX}).json())
    for pk, properties in assets.items():
        for key in ("labels", "open_faults", "forecast"):
            assert properties[key] == boxed[pk][key], key


@pytest.mark.django_db(transaction=True)
def test_changes_since_a_cursor_carry_the_extras_too(field_tablet, street, lamp_out, submit):
    cursor = field_tablet.get("/api/v1/workpack/", {"bbox": BOX}).json()["cursor"]

    report = submit(lamp_out, asset=street["plain"])  # its open count changes
    delta = field_tablet.get("/api/v1/changes/", {"since": cursor})

    assert delta.status_code == 200
    assets = _by_id(delta.json())
    assert list(assets) == [street["plain"].pk]
    report.refresh_from_db()
    assert _faults(assets[street["plain"].pk]["open_faults"]) == _as_faults([report])
    assert assets[street["plain"].pk]["labels"] == []
    assert assets[street["plain"].pk]["forecast"] is None


def _etag_after(client, params, etag, change):
    """(status of the pack asked with `etag` after `change`, its new ETag)."""
    change()
    response = client.get("/api/v1/workpack/", params, HTTP_IF_NONE_MATCH=etag)
    return response.status_code, response["ETag"]


@pytest.mark.parametrize("scope", ["bbox", "assignment"])
def test_an_unchanged_pack_answers_304(field_tablet, street, scope):
    params = {"bbox": BOX} if scope == "bbox" else {"assignment": street["route"].pk}
    first = field_tablet.get("/api/v1/workpack/", params)

    again = field_tablet.get("/api/v1/workpack/", params, HTTP_IF_NONE_MATCH=first["ETag"])
    stale = field_tablet.get("/api/v1/workpack/", params, HTTP_IF_NONE_MATCH='"not-it"')

    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert (again.status_code, again["ETag"], again.content) == (304, first["ETag"], b"")
    assert stale.status_code == 200 and stale["ETag"] == first["ETag"]


def test_a_new_open_report_changes_the_packs_etag(field_tablet, street, submit, lamp_out):
    params = {"bbox": BOX}
    etag = field_tablet.get("/api/v1/workpack/", params)["ETag"]

    status, new_etag = _etag_after(
        field_tablet, params, etag, lambda: submit(lamp_out, asset=street["plain"])
    )

    assert status == 200 and new_etag != etag
    assert field_tablet.get(
        "/api/v1/workpack/", params, HTTP_IF_NONE_MATCH=new_etag
    ).status_code == (304)


def test_a_new_sticker_changes_the_packs_etag_and_shows(field_tablet, street):
    params = {"bbox": BOX}
    etag = field_tablet.get("/api/v1/workpack/", params)["ETag"]
    made = {}

    def issue():
        made["label"] = label_services.label_issue(asset=street["plain"], acting_user=policy.SYSTEM)

    status, new_etag = _etag_after(field_tablet, params, etag, issue)

    assert status == 200 and new_etag != etag
    assets = _by_id(field_tablet.get("/api/v1/workpack/", params).json())
    assert assets[street["plain"].pk]["labels"] == [made["label"].code]


def test_a_withdrawn_sticker_changes_the_packs_etag(field_tablet, street):
    params = {"assignment": street["route"].pk}
    etag = field_tablet.get("/api/v1/workpack/", params)["ETag"]

    status, new_etag = _etag_after(
        field_tablet,
        params,
        etag,
        lambda: label_services.label_retire(
            label=street["stickers"]["faulty"], acting_user=policy.SYSTEM
        ),
    )

    assert status == 200 and new_etag != etag
    assert (
        _by_id(field_tablet.get("/api/v1/workpack/", params).json())[street["faulty"].pk]["labels"]
        == []
    )


def test_a_fixed_fault_changes_the_packs_etag_and_leaves_it(field_tablet, street):
    params = {"assignment": street["route"].pk}
    etag = field_tablet.get("/api/v1/workpack/", params)["ETag"]
    opened = street["reports"]["open_new"]

    status, new_etag = _etag_after(
        field_tablet,
        params,
        etag,
        lambda: report_services.report_fix(report=opened, acting_user=policy.SYSTEM),
    )

    assert status == 200 and new_etag != etag
    faults = _by_id(field_tablet.get("/api/v1/workpack/", params).json())[street["faulty"].pk][
        "open_faults"
    ]
    assert [f["number"] for f in faults] == [street["reports"]["open_accepted"].number]


def test_a_new_forecast_changes_the_packs_etag(field_tablet, street):
    params = {"bbox": BOX}
    etag = field_tablet.get("/api/v1/workpack/", params)["ETag"]

    status, new_etag = _etag_after(field_tablet, params, etag, lambda: _forecast(street["plain"]))

    assert status == 200 and new_etag != etag


def test_a_next_days_refit_changes_the_packs_etag(field_tablet, street):
    params = {"bbox": BOX}
    etag = field_tablet.get("/api/v1/workpack/", params)["ETag"]

    def refit_tomorrow():
        Forecast.objects.update(computed_on=timezone.localdate() + datetime.timedelta(days=1))

    status, new_etag = _etag_after(field_tablet, params, etag, refit_tomorrow)

    assert status == 200 and new_etag != etag


def test_a_same_day_refit_with_new_values_changes_the_packs_etag(field_tablet, street):
    params = {"bbox": BOX}
    etag = field_tablet.get("/api/v1/workpack/", params)["ETag"]

    def refit_today():
        # What planning.forecasting.models_fit does: every model and forecast rewritten.
        DeteriorationModel.objects.all().delete()
        _forecast(street["faulty"], grade="III", within_1=1.0, within_5=1.0, next_2=1.0)

    status, _ = _etag_after(field_tablet, params, etag, refit_today)

    assert status == 200  # a tablet answered 304 keeps the old forecast


def test_a_sticker_moved_within_the_pack_changes_the_packs_etag(field_tablet, street):
    params = {"bbox": BOX}
    etag = field_tablet.get("/api/v1/workpack/", params)["ETag"]

    def move():
        label_services.label_move(
            label=street["stickers"]["faulty"], to_asset=street["plain"], acting_user=policy.SYSTEM
        )

    status, _ = _etag_after(field_tablet, params, etag, move)

    assert status == 200  # a 304 leaves the code on the wrong asset on the tablet


@pytest.mark.django_db(transaction=True)
def test_changes_since_a_cursor_bring_a_new_sticker(field_tablet, street):
    cursor = field_tablet.get("/api/v1/workpack/", {"bbox": BOX}).json()["cursor"]
    label = label_services.label_issue(asset=street["plain"], acting_user=policy.SYSTEM)

    delta = _by_id(field_tablet.get("/api/v1/changes/", {"since": cursor}).json())

    assert delta.get(street["plain"].pk, {}).get("labels") == [label.code]


def _street_of(city, submit, lamp_out, count, *, start):
    assets = _lights(city, count, start=start)
    for asset in assets:
        label_services.label_issue(asset=asset, acting_user=policy.SYSTEM)
        submit(lamp_out, asset=asset)
        _forecast(asset)
    return assets


def _queries_for_pack(client, params) -> tuple[list[str], int]:
    """(the queries, the assets) of a pack downloaded afresh, once the connection is warm
    (the token's last use written, SpatiaLite's version asked)."""
    client.get("/api/v1/workpack/", params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/workpack/", params)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries], len(response.json()["assets"]["features"])


def _touching(queries, table) -> int:
    return sum(f'"{table}"' in sql for sql in queries)


def test_the_extras_cost_no_query_per_asset(field_tablet, city, checklists, submit, lamp_out):
    _street_of(city, submit, lamp_out, 3, start=0)
    _street_of(city, submit, lamp_out, 30, start=100)  # 132.80 onwards: another box

    small, small_n = _queries_for_pack(field_tablet, {"bbox": "132.749,35.355,132.752,35.365"})
    large, large_n = _queries_for_pack(field_tablet, {"bbox": "132.799,35.355,132.816,35.365"})

    assert (small_n, large_n) == (3, 30)
    assert len(large) == len(small), (len(small), len(large))
    # Each extra: one query for the ETag, one for the values, whatever the pack's size.
    for table in ("qr_labels_label", "reports_report", "planning_forecast"):
        assert _touching(small, table) == _touching(large, table) == 2, table


# --- Who may not have a work pack -------------------------------------------------------------


def test_a_viewer_gets_no_work_pack_and_no_changes(viewer, street):
    for client in (tablet_for(viewer), client_for(viewer)):
        for url, params in (
            ("/api/v1/workpack/", {"bbox": BOX}),
            ("/api/v1/workpack/", {"assignment": street["route"].pk}),
            ("/api/v1/changes/", {"since": 0}),
        ):
            response = client.get(url, params)
            assert (response.status_code, response.json()["code"]) == (403, "forbidden"), url
            assert "features" not in response.json()


def test_another_organisations_inspector_gets_none_of_our_assets(other_city, street):
    theirs = factories.asset("security-light", owner=other_city, lon=132.7505, lat=35.3601)
    their_label = label_services.label_issue(asset=theirs, acting_user=policy.SYSTEM)
    stranger = tablet_for(factories.user(other_city, "inspector"))

    boxed = stranger.get("/api/v1/workpack/", {"bbox": BOX})
    assigned = stranger.get("/api/v1/workpack/", {"assignment": street["route"].pk})
    changed = stranger.get("/api/v1/changes/", {"since": 0})

    assert boxed.status_code == 200
    assert list(_by_id(boxed.json())) == [theirs.pk]
    assert _by_id(boxed.json())[theirs.pk]["labels"] == [their_label.code]
    text = boxed.content.decode() + changed.content.decode()
    for sticker in street["stickers"].values():
        assert sticker.code not in text
    for report in street["reports"].values():
        assert report.number not in text
    assert (assigned.status_code, assigned.json()["code"]) == (404, "not_found")
    assert street["faulty"].pk not in _by_id(changed.json())


def test_a_section_inspector_gets_only_their_sections_assets(city, street):
    parks = tablet_for(factories.user(city["parks"], "inspector"))

    boxed = parks.get("/api/v1/workpack/", {"bbox": BOX})
    assigned = parks.get("/api/v1/workpack/", {"assignment": street["route"].pk})

    assert boxed.status_code == 200 and _by_id(boxed.json()) == {}
    assert (assigned.status_code, assigned.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "999999"])
def test_an_assignment_that_is_not_one_of_yours_is_not_found(field_tablet, street, value):
    response = field_tablet.get("/api/v1/workpack/", {"assignment": value})

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_nobody_signed_in_gets_401(client, street):
    for url, params in (
        ("/api/v1/workpack/", {"bbox": BOX}),
        ("/api/v1/workpack/", {"assignment": street["route"].pk}),
        ("/api/v1/changes/", {"since": 0}),
    ):
        response = client.get(url, params)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"
        assert street["stickers"]["faulty"].code not in response.content.decode()
    bad_token = APIClient(HTTP_AUTHORIZATION="Token nope.nope")
    assert bad_token.get("/api/v1/workpack/", {"bbox": BOX}).status_code == 401


# --- The time and place a tablet declares for a photo it shrank -------------------------------


@pytest.fixture
def inspected(field_tablet, street):
    """An inspection of the faulty light, synced, with one defect: its photos' address."""
    item = record(
        street["faulty"],
        grade="III",
        defects=[{"component": "灯具", "kind": "lamp-out", "grade": "III"}],
    )
    assert sync(field_tablet, item)[0]["status"] == "created"
    return f"/api/v1/inspections/{item['uuid']}/photos/"


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


TOKYO_MORNING = "2026-11-20T10:15:30+09:00"
TOKYO_MORNING_UTC = datetime.datetime(2026, 11, 20, 1, 15, 30, tzinfo=datetime.UTC)


def test_a_shrunk_photo_keeps_the_time_and_place_the_tablet_read(field_tablet, inspected):
    response = field_tablet.post(
        inspected,
        {
            "file": factories.jpeg(size=(800, 600)),
            "defect": 0,
            "taken_at": TOKYO_MORNING,
            "lat": "35.3601234",
            "lon": "132.7504321",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "created"
    photo = InspectionPhoto.objects.get()
    assert photo.taken_at == TOKYO_MORNING_UTC
    assert (photo.gps.y, photo.gps.x) == pytest.approx((35.3601234, 132.7504321), abs=1e-7)
    assert photo.gps.srid == 4326
    assert photo.defect.component == "灯具"


def test_a_photo_without_anything_declared_has_no_time_or_place(field_tablet, inspected):
    response = field_tablet.post(inspected, {"file": factories.jpeg()}, format="multipart")

    assert response.status_code == 201
    photo = InspectionPhoto.objects.get()
    assert (photo.gps, photo.taken_at) == (None, None)


def test_a_time_alone_may_be_declared(field_tablet, inspected):
    response = field_tablet.post(
        inspected,
        {"file": factories.jpeg(), "taken_at": TOKYO_MORNING, "lat": "", "lon": ""},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    photo = InspectionPhoto.objects.get()
    assert (photo.gps, photo.taken_at) == (None, TOKYO_MORNING_UTC)


def test_a_time_without_a_zone_is_the_citys(field_tablet, inspected, settings):
    assert settings.TIME_ZONE == "Asia/Tokyo"

    field_tablet.post(
        inspected,
        {"file": factories.jpeg(), "taken_at": "2026-11-20T10:15:30"},
        format="multipart",
    )

    assert InspectionPhoto.objects.get().taken_at == TOKYO_MORNING_UTC


def test_the_photos_own_exif_position_wins_over_the_declared_one(field_tablet, inspected):
    response = field_tablet.post(
        inspected,
        {
            "file": factories.jpeg_with_gps(35.4, 133.1),
            "taken_at": TOKYO_MORNING,
            "lat": "35.36",
            "lon": "132.75",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    photo = InspectionPhoto.objects.get()
    assert (photo.gps.y, photo.gps.x) == pytest.approx((35.4, 133.1), abs=1e-5)
    # Its EXIF has no time: the declared one fills in.
    assert photo.taken_at == TOKYO_MORNING_UTC


def _jpeg_taken(when: str) -> io.BytesIO:
    """A JPEG whose EXIF DateTimeOriginal says `when` (camera-local, "YYYY:MM:DD HH:MM:SS")."""
    image = Image.new("RGB", (640, 480), (30, 160, 60))
    exif = image.getexif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = when
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = "taken.jpg"
    return buffer


def test_the_photos_own_exif_time_wins_over_the_declared_one(field_tablet, inspected):
    response = field_tablet.post(
        inspected,
        {"file": _jpeg_taken("2026:11:19 08:00:00"), "taken_at": TOKYO_MORNING},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert InspectionPhoto.objects.get().taken_at == datetime.datetime(
        2026, 11, 18, 23, 0, tzinfo=datetime.UTC
    )


def _refused(field_tablet, inspected, settings, fields, *, fmt="multipart"):
    data = {**fields}
    if fmt == "multipart":
        data["file"] = factories.jpeg()
    else:
        data.update({"sha256": "a" * 64, "size": 1234})
    response = field_tablet.post(inspected, data, format=fmt)
    assert response.status_code == 400, response.content
    assert not InspectionPhoto.objects.exists()
    assert _media_files(settings) == [], "a file was kept for a refused photo"
    return response.json()


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"lat": "35.36"}, "invalid", "non_field_errors"),
        ({"lon": "132.75"}, "invalid", "non_field_errors"),
        ({"lat": "35.36", "lon": ""}, "invalid", "non_field_errors"),
        ({"lat": "91", "lon": "132.75"}, "max_value", "lat"),
        ({"lat": "-90.0001", "lon": "132.75"}, "min_value", "lat"),
        ({"lat": "35.36", "lon": "180.5"}, "max_value", "lon"),
        ({"lat": "35.36", "lon": "-181"}, "min_value", "lon"),
        ({"lat": "north", "lon": "132.75"}, "invalid", "lat"),
        ({"lat": "nan", "lon": "132.75"}, "invalid", "lat"),
        ({"lat": "35.36", "lon": "inf"}, "invalid", "lon"),
        ({"taken_at": "yesterday"}, "invalid", "taken_at"),
        ({"taken_at": "2026-13-40T10:00:00+09:00"}, "invalid", "taken_at"),
    ],
)
def test_a_declared_time_or_place_that_cannot_be_is_refused_and_nothing_kept(
    field_tablet, inspected, settings, fields, code, field
):
    body = _refused(field_tablet, inspected, settings, fields)

    assert body["code"] == code
    assert field in body["errors"]


@pytest.mark.parametrize(
    "fields",
    [{"lat": 35.36}, {"lat": 91, "lon": 132.75}, {"taken_at": "yesterday"}],
)
def test_an_upload_offer_refuses_the_same_declarations(field_tablet, inspected, settings, fields):
    body = _refused(field_tablet, inspected, settings, fields, fmt="json")

    assert body["code"] in ("invalid", "max_value")


def test_bounds_themselves_are_places(field_tablet, inspected):
    response = field_tablet.post(
        inspected,
        {"file": factories.jpeg(), "lat": "-90", "lon": "180"},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    photo = InspectionPhoto.objects.get()
    assert (photo.gps.y, photo.gps.x) == (-90.0, 180.0)


def test_a_photo_sent_again_keeps_what_it_was_stored_with(field_tablet, inspected):
    data = factories.jpeg().getvalue()
    first = field_tablet.post(
        inspected,
        {"file": io.BytesIO(data), "taken_at": TOKYO_MORNING, "lat": "35.36", "lon": "132.75"},
        format="multipart",
    )
    again = field_tablet.post(
        inspected,
        {"file": io.BytesIO(data), "taken_at": "2026-11-21T09:00:00+09:00", "lat": "1", "lon": "1"},
        format="multipart",
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"status": "exists", "sha256": hashlib.sha256(data).hexdigest()}
    photo = InspectionPhoto.objects.get()
    assert photo.taken_at == TOKYO_MORNING_UTC
    assert (photo.gps.y, photo.gps.x) == pytest.approx((35.36, 132.75))


def test_without_s3_a_confirmation_refuses_bad_declarations_first(field_tablet, inspected):
    response = field_tablet.post(f"{inspected}{'b' * 64}/confirm/", {"lat": 35.36}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert not InspectionPhoto.objects.exists()


def test_a_stranger_cannot_declare_anything_on_our_inspection(other_city, inspected):
    stranger = tablet_for(factories.user(other_city, "inspector"))

    response = stranger.post(
        inspected,
        {"file": factories.jpeg(), "taken_at": TOKYO_MORNING, "lat": "35.36", "lon": "132.75"},
        format="multipart",
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not InspectionPhoto.objects.exists()


def test_an_unknown_inspection_is_not_found_before_its_declarations_are_read(field_tablet, street):
    response = field_tablet.post(
        f"/api/v1/inspections/{uuid.uuid4()}/photos/",
        {"file": factories.jpeg(), "lat": "91"},
        format="multipart",
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_declared_null_island_is_no_place(field_tablet, inspected):
    response = field_tablet.post(
        inspected, {"file": factories.jpeg(), "lat": "0", "lon": "0"}, format="multipart"
    )

    assert response.status_code == 201
    assert InspectionPhoto.objects.get().gps is None


@pytest.mark.parametrize("when", ["1980-01-01T00:00:00+09:00", "2099-01-01T00:00:00+09:00"])
def test_a_declared_time_from_a_clock_never_set_is_no_time(field_tablet, inspected, when):
    response = field_tablet.post(
        inspected, {"file": factories.jpeg(), "taken_at": when}, format="multipart"
    )

    assert response.status_code == 201
    assert InspectionPhoto.objects.get().taken_at is None


@pytest.mark.s3
def test_a_presigned_photo_keeps_the_time_and_place_declared_at_its_confirmation(
    field_tablet, inspected, s3_settings
):
    import urllib.request

    data = factories.jpeg(size=(800, 600)).getvalue()
    digest = hashlib.sha256(data).hexdigest()
    offer = field_tablet.post(inspected, {"sha256": digest, "size": len(data)}, format="json")
    assert offer.status_code == 201 and offer.json()["status"] == "upload"
    upload = offer.json()["upload"]
    request = urllib.request.Request(
        upload["url"], data=data, method="PUT", headers=upload["headers"]
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # the loopback S3
        assert answer.status == 200
    confirm = f"{inspected}{digest}/confirm/"

    refused = field_tablet.post(confirm, {"lat": 35.36}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
    assert not InspectionPhoto.objects.exists()

    confirmed = field_tablet.post(
        confirm, {"taken_at": TOKYO_MORNING, "lat": 35.3601, "lon": 132.7502}, format="json"
    )

    assert confirmed.status_code == 201, confirmed.content
    photo = InspectionPhoto.objects.get()
    assert photo.taken_at == TOKYO_MORNING_UTC
    assert (photo.gps.y, photo.gps.x) == pytest.approx((35.3601, 132.7502))
