"""The tablet API with two cities: an inspector of Izumo signs a device in, packs and syncs
on Izumo's host only; on Matsue's host the sign-in and the token are refused with the API's
code `other_city`, and nothing of Matsue reaches an Izumo tablet."""

import pytest
from rest_framework.test import APIClient

from inspections.checklists import checklists_install
from inspections.models import Inspection
from tests.cities_staff.conftest import IZUMO_HOST, MATSUE_HOST
from tests.inspections.conftest import record, tablet_for

PASSWORD = "pw-Machimori-2026"
BOTH = "132.5,35.2,133.3,35.6"  # a box around both cities


@pytest.fixture
def inspectors(cities):
    checklists_install()
    for city in cities:
        city["inspector"].set_password(PASSWORD)
        city["inspector"].save()
    return cities


def _sign_in(user, host):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD, "device": "点検タブレット 1"},
        format="json",
        HTTP_HOST=host,
    )


def test_an_izumo_inspector_signs_a_device_in_at_izumo_not_at_matsue(inspectors):
    izumo, _matsue = inspectors

    refused = _sign_in(izumo["inspector"], MATSUE_HOST)
    issued = _sign_in(izumo["inspector"], IZUMO_HOST)

    assert refused.status_code == 403
    assert refused.json()["code"] == "other_city"
    assert "出雲市" in refused.json()["detail"] and "https://izumo.test" in refused.json()["detail"]
    assert "token" not in refused.json()
    assert issued.status_code == 201 and issued.json()["token"]
    assert izumo["inspector"].device_tokens.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assignments/",
        f"/api/v1/workpack/?bbox={BOTH}",
        "/api/v1/changes/?since=0",
        "/api/v1/auth/devices/",
    ],
)
def test_an_izumo_token_is_refused_on_matsues_host(inspectors, path):
    izumo, _matsue = inspectors
    tablet = tablet_for(izumo["inspector"])

    there = tablet.get(path, HTTP_HOST=MATSUE_HOST)
    home = tablet.get(path, HTTP_HOST=IZUMO_HOST)

    assert there.status_code == 401
    assert there.json()["code"] == "other_city"
    assert "matsue" not in there.content.decode()
    assert home.status_code == 200


def test_an_izumo_token_syncs_nothing_on_matsues_host(inspectors):
    izumo, _matsue = inspectors
    tablet = tablet_for(izumo["inspector"])

    response = tablet.post(
        "/api/v1/inspections/sync/",
        {"inspections": [record(izumo["asset"])]},
        format="json",
        HTTP_HOST=MATSUE_HOST,
    )

    assert response.status_code == 401 and response.json()["code"] == "other_city"
    assert not Inspection.objects.exists()


def test_an_izumo_work_pack_holds_izumos_assets_only(inspectors):
    izumo, matsue = inspectors
    tablet = tablet_for(izumo["inspector"])

    pack = tablet.get(f"/api/v1/workpack/?bbox={BOTH}", HTTP_HOST=IZUMO_HOST)
    changed = tablet.get("/api/v1/changes/?since=0", HTTP_HOST=IZUMO_HOST)

    assert pack.status_code == 200
    ids = [feature["id"] for feature in pack.json()["assets"]["features"]]
    assert ids == [izumo["asset"].pk]
    assert matsue["label"].code not in pack.content.decode()
    assert matsue["report"].number not in pack.content.decode()
    changed_ids = [feature["id"] for feature in changed.json()["assets"]["features"]]
    assert matsue["asset"].pk not in changed_ids and izumo["asset"].pk in changed_ids


def test_an_izumo_tablet_records_izumos_asset_and_not_matsues(inspectors):
    izumo, matsue = inspectors
    tablet = tablet_for(izumo["inspector"])

    response = tablet.post(
        "/api/v1/inspections/sync/",
        {"inspections": [record(izumo["asset"]), record(matsue["asset"])]},
        format="json",
        HTTP_HOST=IZUMO_HOST,
    )

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0]["status"] == "created"
    assert results[1]["status"] == "invalid", results[1]
    assert list(Inspection.objects.values_list("asset_id", flat=True)) == [izumo["asset"].pk]
