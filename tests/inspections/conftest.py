import datetime
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import DeviceToken
from inspections.checklists import checklists_install
from tests import factories


@pytest.fixture
def checklists(catalogue):
    checklists_install()


@pytest.fixture
def lights(checklists, city):
    """Ten security lights of the road section, in a row along a street."""
    return [
        factories.asset(
            "security-light",
            owner=city["road"],
            lon=132.750 + i * 0.0005,
            lat=35.360,
            ledger_id=f"BH-{i:04d}",
        )
        for i in range(10)
    ]


def tablet_for(user, name="点検タブレット 1") -> APIClient:
    token, text = DeviceToken.issue(user=user, name=name, lifetime=datetime.timedelta(days=30))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    client.token = token
    return client


@pytest.fixture
def tablet(inspector, city):
    # The parks inspector of the fixtures moves to the road section for these tests.
    inspector.organization = city["road"]
    inspector.save()
    return tablet_for(inspector)


def record(asset, *, grade="I", when=None, defects=(), kind="routine", **extra) -> dict:
    """One inspection as a tablet sends it."""
    when = when or datetime.datetime(
        2026, 11, 20, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9))
    )
    return {
        "uuid": str(extra.pop("uuid", uuid.uuid4())),
        "asset": asset.pk,
        "kind": kind,
        "performed_at": when.isoformat(),
        "gps": {"lat": 35.36, "lon": 132.75, "accuracy": 6.5},
        "overall_grade": grade,
        "template_version": 1,
        "answers": {"lamp": "ok", "tilt": 1.5},
        "notes": "",
        "defects": list(defects),
        **extra,
    }


def sync(client, *items):
    response = client.post("/api/v1/inspections/sync/", {"inspections": list(items)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]
