"""Shared fixtures: the catalogue, two cities, and the actors of every permission test."""

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from accounts import policy
from assets.models import FaultCategory
from assets.services import catalogue_install
from qr_labels import services as label_services
from reports import intake
from tests import factories

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parent.parent
# The real-world corpus beside the repository (../shared/testdata), or where a setting says.
TESTDATA = Path(os.environ.get("MACHIMORI_TESTDATA") or ROOT.parent / "shared" / "testdata")


def require(available: bool, what: str) -> None:
    """Skip a test whose real component is missing here; in CI that is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (CI=true) but is not available")
    pytest.skip(f"{what} not available (make test starts it)")


def pytest_collection_modifyitems(config, items):
    """Tests that start the whole make-cluster topology run only when asked for
    (`pytest -m cluster`); otherwise they are left out, not skipped."""
    if "cluster" in (config.option.markexpr or ""):
        return
    left_out = [item for item in items if item.get_closest_marker("cluster")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("cluster")]


def pytest_configure(config):
    # Tests serve static files from the source folders (live_server's handler uses the
    # finders): a manifest left in var/static by collectstatic would point at hashed names
    # they cannot find.
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="machimori-static-")


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Cached catalogue lists, page fragments and rate limits do not leak between tests;
    scans are written at once."""
    from django.core.cache import cache

    cache.clear()
    settings.SCAN_BATCH_SIZE = 1


@pytest.fixture(autouse=True)
def _no_map_tiles(settings):
    """No page of a test asks GSI (the default tile server) for tiles: tests stay on this
    machine, and the browser tests fail on any request that leaves it."""
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test land in its own temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }


@pytest.fixture
def catalogue(db):
    catalogue_install()


@pytest.fixture
def city(db):
    """出雲市 with two sections; the road section has a contractor under it."""
    izumo = factories.org("izumo", kind="city", name="出雲市")
    road = factories.org(
        "izumo-doro", parent=izumo, name="道路河川維持課", contact_email="doro@city.example"
    )
    parks = factories.org("izumo-koen", parent=izumo, name="公園緑地課")
    contractor = factories.org("izumo-densetsu", kind="contractor", parent=road, name="出雲電設")
    return {"city": izumo, "road": road, "parks": parks, "contractor": contractor}


@pytest.fixture
def other_city(db):
    return factories.org("matsue", kind="city", name="松江市")


@pytest.fixture
def manager(city):
    return factories.user(city["city"], "manager", username="manager")


@pytest.fixture
def section_staff(city):
    return factories.user(city["road"], "section_staff", username="section_staff")


@pytest.fixture
def inspector(city):
    return factories.user(city["parks"], "inspector", username="inspector")


@pytest.fixture
def viewer(city):
    return factories.user(city["city"], "viewer", username="viewer")


@pytest.fixture
def other_city_manager(other_city):
    return factories.user(other_city, "manager", username="other_city_manager")


@pytest.fixture
def resident_client():
    return APIClient()


@pytest.fixture
def api_client():
    return APIClient()


def client_for(account) -> APIClient:
    client = APIClient()
    client.force_login(account)
    return client


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require(os.path.exists(path), "Chromium (/usr/bin/chromium)")
    return path


@pytest.fixture
def axe():
    """axe-core is there for the browser tests' accessibility checks."""
    from tests.browser import AXE

    require(AXE.exists(), f"axe-core ({AXE}; make test fetches it)")


@pytest.fixture
def light(catalogue, city):
    city["road"].contact_email = "doro@city.example"
    city["road"].save()
    return factories.asset(
        "security-light", owner=city["road"], ledger_id="BH-0001", address="今市町1丁目"
    )


@pytest.fixture
def label(light):
    return label_services.label_issue(asset=light, acting_user=policy.SYSTEM)


@pytest.fixture
def lamp_out(catalogue):
    return FaultCategory.objects.get(code="lamp-out")


@pytest.fixture
def pothole(catalogue, city):
    category = FaultCategory.objects.get(code="pothole")
    category.default_owner = city["road"]
    category.save()
    return category


@pytest.fixture
def submit(db, django_capture_on_commit_callbacks):
    """Submit a report through the intake door with sensible defaults (notices are sent):
    `source` is the channel, contact fields are keywords of their own."""

    def _submit(category, **fields):
        place = fields.pop("place", None) or intake.Place(
            point=Point(132.755, 35.367, srid=4326), source="device", accuracy_m=8
        )
        channel = fields.pop("source", "web")
        contact = intake.Contact(
            email=fields.pop("email", ""),
            name=fields.pop("name", ""),
            phone=fields.pop("phone", ""),
            consent=fields.pop("consent", False),
            share=fields.pop("share", False),
        )
        acting_user = fields.pop("acting_user", None) or fields.pop("submitted_by", None)
        if acting_user is None:
            acting_user = policy.SYSTEM if channel in ("staff", "inspection") else AnonymousUser()
        with django_capture_on_commit_callbacks(execute=True):
            return intake.report_intake(
                channel=channel,
                acting_user=acting_user,
                category=category,
                place=place,
                contact=contact,
                **fields,
            ).report

    return _submit


@pytest.fixture
def s3_settings(settings):
    endpoint = os.environ.get("TEST_S3_ENDPOINT_URL")
    require(bool(endpoint), "the S3 endpoint (TEST_S3_ENDPOINT_URL)")
    options = {
        "bucket_name": os.environ["TEST_S3_BUCKET"],
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": os.environ["TEST_S3_ACCESS_KEY_ID"],
        "secret_key": os.environ["TEST_S3_SECRET_ACCESS_KEY"],
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "location": f"test-{uuid.uuid4().hex[:8]}",
    }
    settings.S3_BUCKET = options["bucket_name"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    return options


@pytest.fixture
def redis_cache(settings):
    """Django's cache on the Redis that production uses (rate limits, sign-in counters)."""
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        up = probe.connect_ex(("127.0.0.1", 6379)) == 0
    require(up, "Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "KEY_PREFIX": f"machimori-test-{os.getpid()}",
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def manage_in_process(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """`manage.py` in a process of its own, on the given database, as an operator runs it."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the kind this run tests (SpatiaLite or PostGIS), outside the
    test database, for commands run in a process of their own."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgis://") or url.startswith("postgres"):
        import psycopg

        name = f"machimori_move_{uuid.uuid4().hex[:8]}"
        base = url.rsplit("/", 1)[0]
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{base}/{name}"
        finally:
            with psycopg.connect(
                "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
            ) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"spatialite:///{tmp_path / 'before-the-move.sqlite3'}"
