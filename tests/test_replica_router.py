"""Public reads go to the replica, everything else to the primary (config/replica.py).

The replica here is a second connection to the test database (Django's test mirror), so the
queries each connection ran show which alias a request read from."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from config.replica import REPLICA, ReplicaRouter, is_public_read
from tests import factories


@pytest.fixture(scope="module")
def _replica_alias(django_db_setup, django_db_blocker):
    """A "replica" alias on the test database: committed rows are visible through it."""
    settings_dict = dict(connections["default"].settings_dict)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": "default"}
    connections.settings[REPLICA] = settings_dict
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica(_replica_alias, request):
    request.applymarker(pytest.mark.django_db(transaction=True, databases=["default", REPLICA]))
    request.getfixturevalue("transactional_db")
    return connections[REPLICA]


def _reads(client, method, path, **kwargs):
    """(queries on the primary, queries on the replica) for one request."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = getattr(client, method)(path, **kwargs)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    response.body = body
    return response, len(primary), len(replica)


@pytest.mark.parametrize(
    ("method", "path", "public"),
    [
        ("GET", "/open-data/assets.geojson", True),
        ("HEAD", "/open311/v2/requests.json", True),
        ("GET", "/ogc/collections", True),
        ("GET", "/api/v1/assets/", True),
        ("GET", "/api/v1/assets/3/history/", False),
        ("POST", "/open311/v2/requests.json", False),
        ("GET", "/manage/queue/", False),
        ("GET", "/r/abc", False),
        ("GET", "/", False),
        ("GET", "/open-dataset/", False),
    ],
)
def test_which_requests_are_public_reads(method, path, public):
    assert is_public_read(method, path) is public


# Before the tests that add the alias (it stays for the rest of the module).
def test_without_a_replica_the_router_leaves_reads_to_django(db):
    assert REPLICA not in connections.settings
    assert ReplicaRouter().db_for_read(Organization) is None
    assert ReplicaRouter().db_for_write(Organization) == "default"


def test_open_data_and_the_bbox_read_from_the_replica(client, replica, catalogue, city):
    factories.asset(owner=city["road"])
    for path in ("/open-data/assets.geojson", "/api/v1/assets/?bbox=132,35,133,36"):
        response, on_primary, on_replica = _reads(client, "get", path)
        assert response.status_code == 200, path
        assert on_replica > 0 and on_primary == 0, (path, on_primary, on_replica)
        assert b"security-light" in response.body or b"Feature" in response.body


def test_staff_screens_read_from_the_primary(client, replica, manager):
    client.force_login(manager)
    response, on_primary, on_replica = _reads(client, "get", "/manage/queue/")
    assert response.status_code == 200
    assert on_primary > 0 and on_replica == 0


def test_an_open311_post_writes_and_reads_on_the_primary(client, replica, catalogue):
    response, _on_primary, on_replica = _reads(
        client, "post", "/open311/v2/requests.json", data={"service_code": "x"}
    )
    assert response.status_code in (400, 403)  # no API key: refused, and not by the replica
    assert on_replica == 0


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "reports") is False
    assert router.allow_migrate("default", "reports") is None
