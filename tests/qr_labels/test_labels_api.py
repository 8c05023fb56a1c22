"""The staff API for labels: who may do what, and scan counts per day."""

import datetime

import pytest
from django.utils import timezone

from qr_labels.models import Label, Scan
from tests import factories
from tests.conftest import client_for


def test_section_staff_issue_a_label_and_get_its_url(section_staff, light):
    response = client_for(section_staff).post(
        f"/api/v1/assets/{light.pk}/labels/", {}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["url"] == f"HTTP://127.0.0.1:8000/Q/{body['code']}"
    assert body["events"][0]["by"] == "section_staff"
    assert Label.objects.get().asset == light


def test_a_second_issue_is_a_conflict(section_staff, label, light):
    response = client_for(section_staff).post(
        f"/api/v1/assets/{light.pk}/labels/", {}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_labelled"


@pytest.mark.parametrize("role", ["inspector", "viewer"])
def test_inspectors_and_viewers_may_not_issue(city, light, role):
    account = factories.user(city["road"], role)

    response = client_for(account).post(f"/api/v1/assets/{light.pk}/labels/", {}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Label.objects.exists()


def test_residents_may_not_use_the_label_api(client, label, light):
    assert client.get("/api/v1/labels/").status_code == 401
    assert client.post(f"/api/v1/assets/{light.pk}/labels/").status_code == 401
    assert client.post(f"/api/v1/labels/{label.code}/retire/").status_code == 401


def test_another_city_sees_no_labels_and_cannot_touch_them(other_city_manager, label):
    client = client_for(other_city_manager)

    listing = client.get("/api/v1/labels/")
    retire = client.post(f"/api/v1/labels/{label.code}/retire/", {}, format="json")

    assert listing.json()["results"] == []
    assert retire.status_code == 404
    label.refresh_from_db()
    assert label.state == "active"


def test_replace_returns_the_new_label_and_keeps_the_old_one(section_staff, label):
    response = client_for(section_staff).post(
        f"/api/v1/labels/{label.code}/replace/",
        {"keeps_working": True, "note": "色あせ"},
        format="json",
    )

    assert response.status_code == 201
    new_code = response.json()["code"]
    label.refresh_from_db()
    assert (label.state, label.keeps_working, label.replaced_by.code) == (
        "replaced", True, new_code,
    )  # fmt: skip


def test_move_needs_an_asset_the_staff_member_may_see(section_staff, label, other_city, city):
    elsewhere = factories.asset(owner=other_city)
    pole = factories.asset(owner=city["road"], lon=132.77)
    client = client_for(section_staff)

    refused = client.post(f"/api/v1/labels/{label.code}/move/", {"asset": 0}, format="json")
    foreign = client.post(
        f"/api/v1/labels/{label.code}/move/", {"asset": elsewhere.pk}, format="json"
    )
    moved = client.post(f"/api/v1/labels/{label.code}/move/", {"asset": pole.pk}, format="json")

    assert refused.status_code == 404
    assert foreign.status_code == 403  # visible (in service) but not theirs to change
    assert moved.status_code == 200
    assert moved.json()["asset"] == pole.pk
    assert [e["kind"] for e in moved.json()["events"]] == ["issued", "moved"]


def test_retire_twice_is_a_conflict(section_staff, label):
    client = client_for(section_staff)

    first = client.post(f"/api/v1/labels/{label.code}/retire/", {"note": "撤去"}, format="json")
    second = client.post(f"/api/v1/labels/{label.code}/retire/", {}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "label_not_active"


def test_scan_counts_per_asset_and_day_for_managers(manager, label, light, city):
    now = timezone.now()
    for days_ago, count in ((0, 3), (2, 1)):
        for _ in range(count):
            Scan.objects.create(
                label=label, asset=light, scanned_at=now - datetime.timedelta(days=days_ago)
            )

    response = client_for(manager).get("/api/v1/labels/scans/")

    today = timezone.localdate()
    assert response.status_code == 200
    assert response.json()["days"] == [
        {"asset": light.pk, "day": str(today - datetime.timedelta(days=2)), "scans": 1},
        {"asset": light.pk, "day": str(today), "scans": 3},
    ]


def test_scan_counts_stay_within_the_organisation(other_city_manager, label, light):
    Scan.objects.create(label=label, asset=light)

    response = client_for(other_city_manager).get("/api/v1/labels/scans/")

    assert response.json()["days"] == []


@pytest.mark.parametrize(
    "params", [{"from": "yesterday"}, {"from": "2026-05-01", "to": "2026-04-01"}]
)
def test_bad_dates_are_refused(manager, params, db):
    response = client_for(manager).get("/api/v1/labels/scans/", params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_date"


def test_staff_download_a_label_sheet(section_staff, light):
    response = client_for(section_staff).get("/api/v1/labels/sheet.pdf", {"type": "security-light"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert Label.objects.get().asset == light


def test_a_viewer_prints_existing_labels_but_issues_none(viewer, label, city):
    factories.asset(owner=city["road"], lon=132.78)  # has no label

    response = client_for(viewer).get("/api/v1/labels/sheet.pdf")

    assert response.status_code == 200
    assert Label.objects.count() == 1


def test_an_empty_selection_is_a_clear_error(section_staff, light):
    response = client_for(section_staff).get("/api/v1/labels/sheet.pdf", {"type": "swing"})

    assert response.status_code == 400
    assert response.json()["code"] == "nothing_to_print"
