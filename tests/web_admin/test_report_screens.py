"""The staff screens a new-report email links to: sign-in, the report, its actions."""

import pytest
from django.core import mail

from reports.models import Report
from tests import factories
from tests.factories import jpeg


@pytest.fixture
def report(submit, lamp_out, light):
    photo = factories.photo(data=jpeg())
    report = submit(
        lamp_out, asset=light, email="resident@example.com", description="暗い", photos=[photo]
    )
    mail.outbox.clear()
    return report


def test_the_link_in_the_sections_email_opens_the_report_after_sign_in(
    client, report, section_staff
):
    url = f"/manage/reports/{report.number}/"

    anonymous = client.get(url)
    client.post("/manage/login/", {"username": "section_staff", "password": "pw-Machimori-2026"})
    signed_in = client.get(url)

    assert anonymous.status_code == 302 and "/manage/login/" in anonymous["Location"]
    assert signed_in.status_code == 200
    html = signed_in.content.decode()
    assert "resident@example.com" in html and "暗い" in html


def test_staff_of_another_organisation_cannot_open_it(client, report, other_city_manager, city):
    for account in (other_city_manager, factories.user(city["parks"], "manager")):
        client.force_login(account)
        assert client.get(f"/manage/reports/{report.number}/").status_code == 404


def test_signing_in_leads_to_the_open_reports(client, section_staff):
    response = client.post(
        "/manage/login/", {"username": "section_staff", "password": "pw-Machimori-2026"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/manage/"


def test_a_signed_in_resident_without_a_role_is_refused(client, report, db):
    client.force_login(factories.user())

    assert client.get("/manage/").status_code == 403


def test_staff_move_the_report_along_and_the_resident_is_told(
    client, report, section_staff, django_capture_on_commit_callbacks
):
    client.force_login(section_staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/manage/reports/{report.number}/status/",
            {"to": "accepted", "note": "確認しました", "public_note": "on"},
        )

    report.refresh_from_db()
    assert response.status_code == 302
    assert report.status == "accepted"
    assert [m.to for m in mail.outbox] == [["resident@example.com"]]


def test_closing_without_a_reason_is_refused_with_a_message(client, report, section_staff):
    client.force_login(section_staff)

    response = client.post(
        f"/manage/reports/{report.number}/status/", {"to": "closed"}, follow=True
    )

    report.refresh_from_db()
    assert report.status == "new"
    assert b"reason" in response.content


def test_a_viewer_sees_the_report_but_cannot_change_it(client, report, viewer):
    client.force_login(viewer)

    page = client.get(f"/manage/reports/{report.number}/")
    client.post(f"/manage/reports/{report.number}/status/", {"to": "accepted"})

    report.refresh_from_db()
    assert page.status_code == 200
    assert report.status == "new"


def test_internal_notes_stay_off_the_residents_page(client, report, section_staff):
    client.force_login(section_staff)
    client.post(f"/manage/reports/{report.number}/note/", {"text": "業者に連絡済み"})
    client.post(
        f"/manage/reports/{report.number}/note/", {"text": "来週交換します", "public": "on"}
    )
    client.logout()

    page = client.get(f"/r/{factories.receipt_token(report)}").content.decode()

    assert "来週交換します" in page
    assert "業者に連絡済み" not in page


def test_originals_are_for_staff_only(client, report, section_staff):
    photo = report.photos.get()
    url = f"/manage/photos/{photo.token}/original"

    anonymous = client.get(url)
    client.force_login(section_staff)
    staff = client.get(url)

    assert anonymous.status_code == 302
    assert staff.status_code == 200 and staff["Content-Type"] == "image/jpeg"


def test_staff_make_a_photo_public(client, report, section_staff):
    photo = report.photos.get()
    client.force_login(section_staff)

    client.post(
        f"/manage/reports/{report.number}/moderate/", {"photo": str(photo.token), "public": "1"}
    )

    photo.refresh_from_db()
    assert photo.is_public is True
    assert Report.objects.get().events.filter(kind="moderated").exists()
