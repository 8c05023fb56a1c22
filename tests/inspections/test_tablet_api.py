"""Device tokens, assignments, work packs with ETags, changes since a cursor, photos,
history, the Markov export — and who may NOT use each."""

import datetime
import hashlib
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DeviceToken
from assets.models import Asset
from config.env import Rate
from inspections.models import Assignment, AssignmentAsset, InspectionPhoto
from tests import factories
from tests.inspections.conftest import record, sync, tablet_for


def test_a_device_signs_in_once_and_the_token_is_stored_hashed(client, inspector, lights):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "inspector", "password": "pw-Machimori-2026", "device": "点検タブレット 2"},
    )

    assert response.status_code == 201
    text = response.json()["token"]
    token = DeviceToken.objects.get()
    assert text.split(".")[1] not in (token.key_hash, token.prefix)
    assert token.key_hash == hashlib.sha256(text.split(".")[1].encode()).hexdigest()
    tablet = APIClient(HTTP_AUTHORIZATION=f"Token {text}")
    assert tablet.get("/api/v1/auth/devices/").json()["results"][0]["name"] == "点検タブレット 2"


def test_a_wrong_password_gets_no_token(client, inspector):
    response = client.post(
        "/api/v1/auth/token/", {"username": "inspector", "password": "no", "device": "x"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_credentials"
    assert not DeviceToken.objects.exists()


def test_signing_in_is_rate_limited(client, inspector, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = Rate.parse("3/600")
    codes = [
        client.post(
            "/api/v1/auth/token/", {"username": "inspector", "password": "no", "device": "x"}
        ).status_code
        for _ in range(3)
    ]
    locked = client.post(
        "/api/v1/auth/token/",
        {"username": "inspector", "password": "pw-Machimori-2026", "device": "x"},
    )

    # The third failure reaches the limit: its answer already says so.
    assert codes == [400, 400, 429]
    assert locked.status_code == 429 and locked.json()["code"] == "throttled"
    assert not DeviceToken.objects.exists()


def test_a_revoked_token_stops_at_once(tablet, lights):
    assert tablet.get("/api/v1/assignments/").status_code == 200

    tablet.post("/api/v1/auth/sign-out/")

    response = tablet.get("/api/v1/assignments/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_an_expired_token_stops(tablet, lights):
    DeviceToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = tablet.get("/api/v1/assignments/")

    assert (response.status_code, response.json()["code"]) == (401, "token_expired")


def test_a_disabled_users_tokens_stop_at_once(tablet, inspector, lights):
    inspector.is_active = False
    inspector.save()

    response = tablet.get("/api/v1/assignments/")

    assert response.status_code == 401


def test_a_user_signs_out_another_of_their_devices_but_not_someone_elses(
    tablet, inspector, section_staff
):
    other = tablet_for(inspector, "予備")
    someone = tablet_for(section_staff, "課の端末")

    mine = tablet.delete(f"/api/v1/auth/devices/{other.token.pk}/")
    theirs = tablet.delete(f"/api/v1/auth/devices/{someone.token.pk}/")

    assert (mine.status_code, theirs.status_code) == (204, 404)
    assert other.get("/api/v1/assignments/").status_code == 401
    assert someone.get("/api/v1/assignments/").status_code == 200


@pytest.fixture
def route(inspector, city, lights):
    assignment = Assignment.objects.create(
        inspector=inspector,
        organization=city["road"],
        title="今市町 定期点検",
        due_date=datetime.date(2026, 12, 1),
    )
    for position, asset in enumerate(lights[:4]):
        AssignmentAsset.objects.create(assignment=assignment, asset=asset, position=position)
    return assignment


def test_an_inspector_downloads_the_work_pack_of_an_assignment(tablet, route, lights):
    response = tablet.get("/api/v1/workpack/", {"assignment": route.pk})

    body = response.json()
    assert response.status_code == 200
    assert [f["id"] for f in body["assets"]["features"]] == [a.pk for a in lights[:4]]
    feature = body["assets"]["features"][0]
    assert "change_seq" in feature["properties"] and "internal_attributes" in feature["properties"]
    light_type = body["asset_types"][0]
    assert light_type["scale"]["code"] == "mlit"
    assert light_type["checklist"]["version"] == 1
    assert {"pole-damaged", "lamp-out"} <= {k["code"] for k in light_type["fault_kinds"]}
    assert body["cursor"] >= max(f["properties"]["change_seq"] for f in body["assets"]["features"])
    assert body["assignments"][0]["assets"] == [a.pk for a in lights[:4]]


@pytest.mark.django_db(transaction=True)
def test_the_work_pack_answers_304_until_something_changes(tablet, route, lights):
    first = tablet.get("/api/v1/workpack/", {"assignment": route.pk})
    etag = first["ETag"]

    same = tablet.get("/api/v1/workpack/", {"assignment": route.pk}, HTTP_IF_NONE_MATCH=etag)
    sync(tablet, record(lights[0], grade="III"))  # its condition summary changes
    changed = tablet.get("/api/v1/workpack/", {"assignment": route.pk}, HTTP_IF_NONE_MATCH=etag)

    assert (same.status_code, changed.status_code) == (304, 200)
    assert changed["ETag"] != etag


@pytest.mark.django_db(transaction=True)
def test_changes_since_a_cursor_bring_only_what_changed(tablet, route, lights):
    cursor = tablet.get("/api/v1/workpack/", {"assignment": route.pk}).json()["cursor"]
    Asset.objects.filter(pk=lights[1].pk).update(name="改名")  # a raw write is stamped too
    sync(tablet, record(lights[2], grade="II"))

    delta = tablet.get("/api/v1/changes/", {"since": cursor}).json()
    nothing = tablet.get("/api/v1/changes/", {"since": delta["cursor"]}).json()

    assert sorted(f["id"] for f in delta["assets"]["features"]) == [lights[1].pk, lights[2].pk]
    assert delta["cursor"] > cursor
    assert nothing["assets"]["features"] == [] and nothing["assignments"] == []


def test_a_work_pack_needs_an_assignment_or_a_box(tablet, lights):
    assert tablet.get("/api/v1/workpack/").json()["code"] == "invalid"
    assert tablet.get("/api/v1/workpack/", {"bbox": "1,2"}).json()["code"] == "invalid_bbox"
    assert tablet.get("/api/v1/changes/", {"since": "yesterday"}).json()["code"] == (
        "invalid_cursor"
    )


def test_a_box_brings_only_the_inspectors_own_assets(tablet, lights, other_city):
    foreign = factories.asset("security-light", owner=other_city, lon=132.751, lat=35.360)

    body = tablet.get("/api/v1/workpack/", {"bbox": "132.74,35.35,132.77,35.37"}).json()

    ids = {f["id"] for f in body["assets"]["features"]}
    assert ids == {a.pk for a in lights} and foreign.pk not in ids


def test_an_inspector_cannot_open_someone_elses_assignment(city, route, lights):
    colleague = tablet_for(factories.user(city["road"], "inspector"))

    response = colleague.get("/api/v1/workpack/", {"assignment": route.pk})

    assert response.status_code == 404
    assert colleague.get("/api/v1/assignments/").json()["results"] == []


def test_another_citys_staff_see_nothing_private(other_city_manager, route, lights, tablet):
    sync(tablet, record(lights[0], grade="III"))
    stranger = tablet_for(other_city_manager)

    assert stranger.get("/api/v1/assignments/").json()["results"] == []
    assert stranger.get(f"/api/v1/assets/{lights[0].pk}/history/").status_code == 404
    body = stranger.get("/api/v1/workpack/", {"bbox": "132.74,35.35,132.77,35.37"}).json()
    assert body["assets"]["features"] == []
    csv_text = b"".join(stranger.get("/api/v1/condition-history.csv").streaming_content).decode()
    assert csv_text.strip().splitlines() == [
        "asset_id,ledger_id,type,event,date,grade,grade_rank,work_kind,cost_yen"
    ]


def test_residents_cannot_use_the_tablet_api(client, lights):
    # 401: no credentials at all (a token is asked for), not merely the wrong ones.
    for url in (
        "/api/v1/assignments/",
        "/api/v1/workpack/?bbox=1,1,2,2",
        "/api/v1/changes/?since=0",
        "/api/v1/condition-history.csv",
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
    assert (
        client.post(
            "/api/v1/inspections/sync/", {"inspections": []}, content_type="application/json"
        ).status_code
        == 401
    )


def _jpeg() -> bytes:
    return factories.jpeg(size=(800, 600)).getvalue()


def test_a_photo_is_kept_once_however_often_it_is_sent(tablet, lights):
    item = record(
        lights[0],
        grade="III",
        defects=[{"component": "支柱", "kind": "pole-damaged", "grade": "III"}],
    )
    sync(tablet, item)
    data = _jpeg()
    url = f"/api/v1/inspections/{item['uuid']}/photos/"

    first = tablet.post(url, {"file": io.BytesIO(data), "defect": 0}, format="multipart")
    again = tablet.post(url, {"file": io.BytesIO(data), "defect": 0}, format="multipart")
    asked = tablet.post(
        url, {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}, format="json"
    )

    assert (first.status_code, again.status_code, asked.status_code) == (201, 200, 200)
    photo = InspectionPhoto.objects.get()
    assert photo.defect.component == "支柱"


def test_a_photo_that_does_not_match_its_checksum_is_refused(tablet, lights):
    item = record(lights[0])
    sync(tablet, item)

    response = tablet.post(
        f"/api/v1/inspections/{item['uuid']}/photos/",
        {"file": io.BytesIO(_jpeg()), "sha256": "0" * 64},
        format="multipart",
    )

    assert (response.status_code, response.json()["code"]) == (400, "checksum_mismatch")
    assert not InspectionPhoto.objects.exists()


def test_a_colleague_cannot_add_photos_to_another_organisations_inspection(
    tablet, lights, other_city
):
    item = record(lights[0])
    sync(tablet, item)
    stranger = tablet_for(factories.user(other_city, "inspector"))

    response = stranger.post(
        f"/api/v1/inspections/{item['uuid']}/photos/",
        {"file": io.BytesIO(_jpeg())},
        format="multipart",
    )

    assert response.status_code == 404


def test_the_condition_history_exports_for_markov_models(tablet, lights, section_staff):
    sync(
        tablet,
        record(lights[0], grade="I", when=datetime.datetime(2025, 11, 1, 9, tzinfo=datetime.UTC)),
    )
    sync(tablet, record(lights[0], grade="II"))

    from tests.conftest import client_for

    response = client_for(section_staff).get(
        "/api/v1/condition-history.csv", {"type": "security-light"}
    )

    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[1:] == [
        f"{lights[0].pk},BH-0000,security-light,inspection,2025-11-01,I,1,,",
        f"{lights[0].pk},BH-0000,security-light,inspection,2026-11-20,II,2,,",
    ]


@pytest.mark.s3
def test_a_photo_goes_up_through_a_presigned_url_that_carries_its_checksum(
    tablet, lights, s3_settings
):
    import urllib.error
    import urllib.request

    item = record(lights[0])
    sync(tablet, item)
    data = _jpeg()
    digest = hashlib.sha256(data).hexdigest()
    base = f"/api/v1/inspections/{item['uuid']}/photos/"

    offer = tablet.post(base, {"sha256": digest, "size": len(data)}, format="json").json()
    upload = offer["upload"]

    def put(body):
        request = urllib.request.Request(
            upload["url"], data=body, method="PUT", headers=upload["headers"]
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # loopback
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    tampered = put(data[:-10] + b"0123456789")
    early = tablet.post(f"{base}{digest}/confirm/", {}, format="json")
    stored = put(data)
    confirmed = tablet.post(f"{base}{digest}/confirm/", {}, format="json")
    again = tablet.post(base, {"sha256": digest, "size": len(data)}, format="json")

    assert offer["status"] == "upload"
    assert tampered >= 400  # S3 checks the bytes against the signed checksum
    assert early.json()["code"] == "upload_missing"
    assert stored == 200
    assert confirmed.status_code == 201 and again.json()["status"] == "exists"
    photo = InspectionPhoto.objects.get()
    from django.core.files.storage import storages

    storage = storages["default"]
    assert storage.exists(photo.public) and storage.exists(photo.original)
    assert not storage.exists(f"uploads/inspections/{item['uuid']}/{digest}")
