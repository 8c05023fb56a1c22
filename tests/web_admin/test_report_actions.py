"""The report page's actions: each goes through a service, is audited, and a failure brings
the page back with what was typed."""

import pytest
from django.core import mail
from django.utils import translation

from reports import business_days
from reports.models import Report, ReportEvent
from tests import factories


@pytest.fixture
def report(submit, lamp_out, light):
    report = submit(lamp_out, asset=light, email="resident@example.com", language="ko")
    mail.outbox.clear()
    return report


@pytest.fixture
def signed_in(client, section_staff):
    client.force_login(section_staff)
    return client


def post(client, report, action, data, **extra):
    return client.post(f"/manage/reports/{report.number}/{action}/", data, **extra)


def test_the_page_shows_score_reasons_asset_history_and_nearby_reports(
    signed_in, report, submit, lamp_out, light, city
):
    near = submit(lamp_out, asset=factories.asset(owner=city["road"], ledger_id="BH-0002"))
    response = signed_in.get(f"/manage/reports/{report.number}/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()

    assert response.context["score"] == report.priority_base
    assert "severity 3 of the fault" in html
    assert "Condition history" in html and "Not inspected yet." in html
    assert near.number in html and "Merge into this" in html
    assert 'id="map-data"' in html


def test_assign_from_the_page_with_the_default_due_date(
    signed_in, report, city, django_capture_on_commit_callbacks
):
    city["contractor"].contact_email = "densetsu@example.com"
    city["contractor"].save()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(signed_in, report, "assign", {"assignee": city["contractor"].pk})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assignee == city["contractor"] and report.work_due_on is not None
    assert mail.outbox[0].to == ["densetsu@example.com"]


def test_a_past_due_date_comes_back_with_the_form(signed_in, report, city):
    response = post(
        signed_in, report, "assign", {"assignee": city["contractor"].pk, "due_on": "2020-01-01"}
    )
    assert response.status_code == 400
    assert response.context["assign_form"].errors["due_on"]
    report.refresh_from_db()
    assert report.assignee is None


def test_closing_without_a_reason_keeps_the_note(signed_in, report):
    response = post(signed_in, report, "status", {"to": "closed", "note": "現地確認済み、異常なし"})
    assert response.status_code == 400
    assert "現地確認済み、異常なし" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == "new"


def test_merge_by_number_and_from_the_nearby_list(
    signed_in, report, submit, lamp_out, light, django_capture_on_commit_callbacks
):
    first = submit(lamp_out, asset=light, email="first@example.com")
    second = submit(lamp_out, asset=light)
    with django_capture_on_commit_callbacks(execute=True):
        typed = post(signed_in, report, "merge", {"duplicate": first.number.lower()})
        clicked = post(signed_in, report, "merge", {"duplicate": second.number})

    assert typed.status_code == clicked.status_code == 302
    report.refresh_from_db()
    assert report.me_too_count == 2
    assert set(report.events.filter(kind="merged").values_list("from_value", flat=True)) == {
        first.number,
        second.number,
    }
    assert any(first.number in m.body and m.to == ["first@example.com"] for m in mail.outbox)


@pytest.mark.parametrize("number", ["R-2099-999999", "", "自分"])
def test_merging_an_unknown_report_comes_back_with_an_error(signed_in, report, number):
    response = post(signed_in, report, "merge", {"duplicate": number})
    assert response.status_code == 400
    assert response.context["merge_form"].errors


def test_a_report_cannot_be_merged_into_itself_from_the_page(signed_in, report):
    response = post(signed_in, report, "merge", {"duplicate": report.number})
    assert response.status_code == 400
    assert not report.events.filter(kind="merged").exists()


def test_pass_it_on_to_the_prefecture(signed_in, report, django_capture_on_commit_callbacks):
    prefecture = factories.org("shimane", kind="prefecture", name="島根県")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            signed_in, report, "forward", {"to": prefecture.pk, "note": "県道の照明です"}
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.owner == prefecture
    # It is theirs now: the city's staff still open it (to take it back), without the
    # forms that change it.
    page = signed_in.get(f"/manage/reports/{report.number}/")
    assert page.status_code == 200 and page.context["can_change"] is False
    assert page.context["can_forward"] is True
    assert "県道の照明です" in mail.outbox[-1].body


def test_only_a_manager_changes_the_order_and_it_is_audited(client, report, manager, section_staff):
    client.force_login(section_staff)
    assert post(client, report, "priority", {"points": 30, "reason": "x"}).status_code == 403

    client.force_login(manager)
    no_reason = post(client, report, "priority", {"points": 30, "reason": ""})
    assert no_reason.status_code == 400 and no_reason.context["priority_form"].errors
    too_much = post(client, report, "priority", {"points": 500, "reason": "急ぎ"})
    assert too_much.status_code == 400
    done = post(client, report, "priority", {"points": 30, "reason": "通学路"})
    assert done.status_code == 302
    event = report.events.get(kind=ReportEvent.Kind.PRIORITY)
    assert (event.to_value, event.text, event.by) == ("30", "通学路", manager)
    page = client.get(f"/manage/reports/{report.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "+30 changed by a manager: 通学路" in page.content.decode()


def test_a_public_note_reaches_the_resident_in_their_language(
    signed_in, report, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        post(signed_in, report, "note", {"text": "明日交換します", "public": "on"})
        post(signed_in, report, "note", {"text": "業者A社に依頼 (内部)"})
    [notice] = mail.outbox
    with translation.override("ko"):
        details = translation.gettext("Details:")
    assert details != "Details:" and details in notice.body
    assert "明日交換します" in notice.body and notice.to == ["resident@example.com"]
    status_page = client.get(f"/r/{factories.receipt_token(report)}").content.decode()
    assert "明日交換します" in status_page and "業者A社" not in status_page


def test_moderation_with_a_broken_photo_token_is_404(signed_in, report):
    response = post(signed_in, report, "moderate", {"photo": "not-a-uuid", "public": "1"})
    assert response.status_code == 404


def test_due_dates_come_from_the_response_target(signed_in, report):
    page = signed_in.get(f"/manage/reports/{report.number}/")
    due = page.context["assign_form"].initial["due_on"]
    assert due == business_days.deadline(report.created_at, 5).date()  # lamp out: 5 days
