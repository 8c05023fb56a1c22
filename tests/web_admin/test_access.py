"""Who may do what on the managers' screens: another organisation's manager meets 403/404 on
every page and action of ours; a viewer reads but changes nothing; a stranger signs in first."""

import pytest
from django.core import mail

from reports.models import Report, ReportEvent
from tests import factories


@pytest.fixture
def report(submit, lamp_out, light):
    photo = factories.photo(data=factories.jpeg())
    report = submit(
        lamp_out, asset=light, email="private@example.com", name="出雲太郎", photos=[photo]
    )
    mail.outbox.clear()
    return report


@pytest.fixture
def duplicate(submit, lamp_out, light):
    return submit(lamp_out, asset=light)


def pages(report):
    photo = report.photos.get()
    return [
        f"/manage/reports/{report.number}/",
        f"/manage/photos/{photo.token}/original",
        f"/manage/photos/{photo.token}/photo",
        f"/manage/photos/{photo.token}/thumb",
    ]


def actions(report, duplicate, city):
    photo = report.photos.get()
    return [
        ("status", {"to": "accepted"}),
        ("note", {"text": "内部メモ"}),
        ("assign", {"assignee": city["contractor"].pk}),
        ("merge", {"duplicate": duplicate.number}),
        ("forward", {"to": city["parks"].pk}),
        ("priority", {"points": 10, "reason": "x"}),
        ("moderate", {"description": "public"}),
        ("moderate", {"photo": str(photo.token), "public": "1"}),
    ]


def unchanged(report) -> bool:
    report.refresh_from_db()
    kinds = set(report.events.values_list("kind", flat=True))
    return (
        report.status == Report.Status.NEW
        and report.assignee is None
        and report.priority_override == 0
        and not report.description_public
        and kinds == {ReportEvent.Kind.SUBMITTED}
        and not report.photos.filter(is_public=True).exists()
    )


def test_another_organisations_manager_gets_404_everywhere(
    client, report, duplicate, city, other_city_manager
):
    client.force_login(other_city_manager)
    for url in pages(report):
        assert client.get(url).status_code == 404, url
    for action, data in actions(report, duplicate, city):
        response = client.post(f"/manage/reports/{report.number}/{action}/", data)
        assert response.status_code == 404, action
    assert unchanged(report)
    queue = client.get("/manage/queue/").content.decode()
    assert report.number not in queue and "private@example.com" not in queue


def test_a_section_of_the_same_city_sees_only_its_own_reports(client, report, city):
    parks_manager = factories.user(city["parks"], "manager")
    client.force_login(parks_manager)
    assert client.get(f"/manage/reports/{report.number}/").status_code == 404
    assert (
        client.post(f"/manage/reports/{report.number}/status/", {"to": "accepted"}).status_code
        == 404
    )


def test_a_viewer_reads_everything_and_changes_nothing(client, report, duplicate, city, viewer):
    client.force_login(viewer)
    for url in pages(report):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/manage/reports/{report.number}/").content.decode()
    assert "private@example.com" in page  # staff of the organisation may call the resident back
    assert "/assign/" not in page and "/merge/" not in page and "/status/" not in page
    for action, data in actions(report, duplicate, city):
        response = client.post(f"/manage/reports/{report.number}/{action}/", data)
        assert response.status_code == 403, action
    assert client.post("/manage/intake/", {"category": "lamp-out"}).status_code == 403
    assert unchanged(report)


def test_an_inspector_reads_but_does_not_work_the_queue(client, report, duplicate, city):
    inspector = factories.user(city["city"], "inspector")
    client.force_login(inspector)
    assert client.get(f"/manage/reports/{report.number}/").status_code == 200
    for action, data in actions(report, duplicate, city):
        assert client.post(f"/manage/reports/{report.number}/{action}/", data).status_code == 403
    assert unchanged(report)


def test_strangers_are_sent_to_sign_in_and_residents_refused(client, report, duplicate, city):
    for url in [*pages(report), "/manage/", "/manage/intake/", "/manage/queue.csv"]:
        response = client.get(url)
        assert response.status_code == 302 and "/manage/login/" in response["Location"], url
    for action, data in actions(report, duplicate, city):
        response = client.post(f"/manage/reports/{report.number}/{action}/", data)
        assert response.status_code == 302, action
    client.force_login(factories.user())  # an account with no organisation
    assert client.get("/manage/").status_code == 403
    assert client.get(f"/manage/reports/{report.number}/").status_code == 403
    assert unchanged(report)


def test_get_on_an_action_is_refused(client, report, manager):
    client.force_login(manager)
    assert client.get(f"/manage/reports/{report.number}/assign/").status_code == 405
