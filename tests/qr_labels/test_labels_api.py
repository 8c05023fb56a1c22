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
    assert (listing.json()["numberMatched"], listing.json()["numberReturned"]) == (0, 0)
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


SHEET = "/api/v1/labels/sheet.pdf"


def _pdf(response) -> bytes:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    return pdf


def test_staff_print_a_label_sheet_which_issues_missing_labels(section_staff, light):
    response = client_for(section_staff).post(SHEET, {"type": ["security-light"]}, format="json")

    _pdf(response)
    label = Label.objects.get()
    assert label.asset == light
    assert label.printed_at is not None


def test_printing_marks_existing_labels_printed(section_staff, label):
    response = client_for(section_staff).post(SHEET, {"issue": False}, format="json")

    _pdf(response)
    label.refresh_from_db()
    assert label.printed_at is not None


def test_a_viewer_prints_existing_labels_but_issues_none(viewer, label, city):
    factories.asset(owner=city["road"], lon=132.78)  # has no label

    response = client_for(viewer).post(SHEET, {}, format="json")

    _pdf(response)
    assert Label.objects.count() == 1


def test_a_sheet_preview_changes_nothing(section_staff, label, city):
    factories.asset(owner=city["road"], lon=132.78)  # has no label
    before = Label.objects.values_list("code", "printed_at", "state").get()

    response = client_for(section_staff).get(
        SHEET, {"type": "security-light", "issue": "1", "preset": "a4-12"}
    )

    _pdf(response)
    assert list(Label.objects.values_list("code", "printed_at", "state")) == [before]


def test_another_citys_manager_neither_prints_nor_marks_our_labels(other_city_manager, label):
    client = client_for(other_city_manager)

    preview = client.get(SHEET, {"type": "security-light"})
    printed = client.post(SHEET, {"issue": True}, format="json")

    assert (preview.status_code, printed.status_code) == (400, 400)
    assert printed.json()["code"] == "nothing_to_print"
    label.refresh_from_db()
    assert label.printed_at is None and Label.objects.count() == 1


def test_a_preview_of_assets_without_labels_is_a_clear_error(section_staff, light):
    response = client_for(section_staff).get(SHEET, {"type": "security-light"})

    assert response.status_code == 400
    assert response.json()["code"] == "nothing_to_print"
    assert not Label.objects.exists()


def test_an_empty_selection_is_a_clear_error(section_staff, light):
    for response in (
        client_for(section_staff).get(SHEET, {"type": "swing"}),
        client_for(section_staff).post(SHEET, {"type": ["swing"]}, format="json"),
    ):
        assert response.status_code == 400
        assert response.json()["code"] == "nothing_to_print"
    assert not Label.objects.exists()


def test_residents_may_neither_preview_nor_print(client, label):
    assert client.get(SHEET).status_code == 401
    assert client.post(SHEET, {}, content_type="application/json").status_code == 401
    label.refresh_from_db()
    assert label.printed_at is None


def test_the_label_list_pages_with_links(manager, catalogue, city):
    from qr_labels import services

    for index in range(3):
        services.label_issue(
            asset=factories.asset(owner=city["road"], lon=132.75 + index / 1000),
            acting_user=manager,
        )
    client = client_for(manager)

    first = client.get("/api/v1/labels/", {"limit": 2}).json()
    last = client.get("/api/v1/labels/", {"limit": 2, "offset": 2}).json()

    assert (first["numberMatched"], first["numberReturned"], len(first["results"])) == (3, 2, 2)
    assert {link["rel"] for link in first["links"]} == {"self", "next"}
    assert (last["numberReturned"], {link["rel"] for link in last["links"]}) == (
        1,
        {"self", "prev"},
    )
    next_href = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert next_href.startswith("http") and "offset=2" in next_href and "limit=2" in next_href
    codes = [label["code"] for label in first["results"] + last["results"]]
    assert len(set(codes)) == 3


def test_a_bad_page_is_refused_with_a_stable_code(manager, db):
    response = client_for(manager).get("/api/v1/labels/", {"limit": "5000"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_page"
