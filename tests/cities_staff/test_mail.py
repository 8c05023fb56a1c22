"""Mail and sheets with two cities: what a Matsue report sends names Matsue, gives its phone
and links to Matsue's address — never Izumo's, nor the settings' — though a task has no
request; a password reset names the account's own city whichever host it was asked at."""

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from reports import notices, owner_links, services, work_orders
from reports.models import OwnerLink
from tests.cities_staff.conftest import IZUMO_HOST, MATSUE_HOST


def _text(message) -> str:
    return message.subject + "\n" + message.body


def _mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.mark.usefixtures("cities")
def test_a_matsue_residents_receipt_names_matsue_and_links_to_matsue():
    (received,) = _mails_to("resident@matsue.test")
    text = _text(received)

    assert "松江市" in text and "0852-55-5555" in text
    assert "https://matsue.test/r/" in text
    assert "出雲市" not in text and "izumo" not in text and settings.PUBLIC_BASE_URL not in text
    (izumos,) = _mails_to("resident@izumo.test")
    assert "https://izumo.test/r/" in _text(izumos) and "matsue" not in _text(izumos)


def test_the_matsue_sections_mail_links_to_matsues_staff_page(cities):
    _izumo, matsue = cities

    (staff,) = _mails_to("doro@matsue.test")

    assert f"https://matsue.test/manage/reports/{matsue['report'].number}/" in staff.body
    assert "izumo" not in _text(staff) and "出雲市" not in _text(staff)


def test_an_owners_link_goes_to_matsues_address(cities, django_capture_on_commit_callbacks):
    _izumo, matsue = cities
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_forward(
            report=matsue["report"], to=matsue["association"], acting_user=matsue["manager"]
        )

    (request,) = _mails_to("jichikai@matsue.test")
    assert "https://matsue.test/owner/" in request.body
    assert "izumo" not in _text(request) and settings.PUBLIC_BASE_URL not in request.body
    link = OwnerLink.objects.get(report=matsue["report"])
    assert link.organization == matsue["association"]


def test_a_reminder_of_a_silent_owner_goes_to_matsues_own_section(cities, settings):
    izumo, matsue = cities
    report = matsue["report"]
    issued = owner_links.issue(
        report=report, organisation=matsue["association"], purpose=OwnerLink.Purpose.OWNER
    )
    report.owner = matsue["association"]
    report.save()
    # The category names no section; REPORT_DEFAULT_OWNER names Izumo's: Matsue's city hears.
    settings.REPORT_DEFAULT_OWNER = izumo["road"].code
    mail.outbox.clear()

    notices.send_owner_reminder.call(issued.link.pk)

    assert not _mails_to("doro@izumo.test")
    section = owner_links.city_section_for(report.category, report=report)
    assert section == matsue["city"]


def test_a_work_order_sheet_links_to_its_reports_city(cities):
    _izumo, matsue = cities

    (sheet,) = work_orders.work_orders_for(matsue["manager"], [matsue["report"].number])

    assert sheet.staff_url.startswith("https://matsue.test/manage/reports/")


@pytest.mark.parametrize("host", [IZUMO_HOST, MATSUE_HOST])
def test_a_password_reset_names_the_accounts_own_city_at_either_host(client, cities, host):
    _izumo, matsue = cities
    mail.outbox.clear()

    client.post("/manage/password-reset/", {"email": matsue["manager"].email}, HTTP_HOST=host)

    (reset,) = mail.outbox
    assert reset.to == [matsue["manager"].email]
    assert reset.subject.startswith("[松江市]")
    assert "https://matsue.test/manage/password-reset/" in reset.body
    assert "izumo" not in _text(reset) and "出雲市" not in _text(reset)


def test_without_cities_a_password_reset_is_the_settings_city(client, manager):
    manager.email = "manager@city.example"
    manager.save()

    client.post("/manage/password-reset/", {"email": manager.email})

    (reset,) = mail.outbox
    assert reset.subject.startswith(f"[{settings.CITY_NAME}]")
    assert f"{settings.PUBLIC_BASE_URL}/manage/password-reset/" in reset.body


def test_a_report_filed_for_a_caller_at_matsue_gives_matsues_address(
    client, cities, django_capture_on_commit_callbacks
):
    _izumo, matsue = cities
    client.force_login(matsue["manager"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(
            "/manage/intake/",
            {
                "language": "ja",
                "category": "lamp-out",
                "label_code": matsue["label"].code,
                "description": "電話: 点かない",
                "email": "caller@matsue.test",
                "consent": "on",
            },
            HTTP_HOST=MATSUE_HOST,
            follow=True,
        )

    told = " ".join(str(m) for m in filed.context["messages"])
    assert "https://matsue.test/r/" in told and "izumo" not in told
    (receipt,) = _mails_to("caller@matsue.test")
    assert "https://matsue.test/r/" in receipt.body and "出雲市" not in _text(receipt)


def test_an_owner_handing_back_gives_the_report_to_its_own_citys_section(
    cities, settings, django_capture_on_commit_callbacks
):
    izumo, matsue = cities
    report = matsue["report"]
    issued = owner_links.issue(
        report=report, organisation=matsue["association"], purpose=OwnerLink.Purpose.OWNER
    )
    report.owner = matsue["association"]
    report.save()
    # The category names no section; REPORT_DEFAULT_OWNER names Izumo's: Matsue's city takes it.
    settings.REPORT_DEFAULT_OWNER = izumo["road"].code
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = Client(HTTP_HOST=matsue["host"]).post(
            f"/owner/{issued.token}/",
            {"action": "hand_back", "reason": "自治会のものではありません"},
        )

    assert answer.status_code == 200
    report.refresh_from_db()
    assert report.owner == matsue["city"]
    assert not _mails_to("doro@izumo.test")


def test_a_residents_answer_goes_to_their_reports_citys_own_mailbox(cities):
    izumo, matsue = cities
    row = matsue["row"]
    row.mail_host, row.mail_address = "imap.matsue.test", "tsuho@matsue.test"
    row.save()
    mail.outbox.clear()

    for city in (izumo, matsue):
        receipt = city["report"].receipts.get()
        notices.send_receipt_received.call(receipt.pk)

    (matsues,) = _mails_to("resident@matsue.test")
    (izumos,) = _mails_to("resident@izumo.test")
    assert matsues.reply_to == ["tsuho@matsue.test"]
    assert izumos.reply_to == []  # Izumo has no mailbox of its own: no answer address
