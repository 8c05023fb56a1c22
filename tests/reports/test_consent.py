"""An owner outside the city (a neighbourhood association, the prefecture) or a contractor
never receives a resident's words unless the resident agreed to share them with the owner,
nor their contact details unless they agreed to be contacted by whoever repairs it — and an
organisation reached by link (no account here) never gets contact details at all: the city
stays the resident's contact. The city's own sections get the words, and open the page for
the rest."""

import pytest
from django.core import mail

from reports import services
from tests import factories

CONTACT = {"email": "resident@example.com", "name": "出雲太郎", "phone": "090-5555-6666"}
WORDS = "家の前の街灯、090-5555-6666 まで"


@pytest.fixture
def association(db):
    return factories.org(
        "jichikai", kind="association", name="今市町自治会", contact_email="kai@example.jp"
    )


def _mail_to(address):
    return "\n".join(m.body for m in mail.outbox if m.to == [address])


@pytest.mark.parametrize("share", [False, True])
def test_an_association_owner_gets_the_words_only_when_shared_and_never_the_contact(
    submit, lamp_out, association, share
):
    light = factories.asset("security-light", owner=association)

    submit(lamp_out, asset=light, description=WORDS, consent=True, share=share, **CONTACT)

    body = _mail_to("kai@example.jp")
    assert "/owner/" in body and "/manage/reports/" not in body
    assert (WORDS in body) is share
    for value in CONTACT.values():
        assert value not in body.replace(WORDS, ""), value


@pytest.mark.parametrize("consent", [False, True])
def test_a_contractor_with_an_account_gets_contact_details_only_with_consent(
    submit, lamp_out, light, city, manager, django_capture_on_commit_callbacks, consent
):
    city["contractor"].contact_email = "work@densetsu.example"
    city["contractor"].save()
    factories.user(city["contractor"], "section_staff", username="densetsu")
    report = submit(lamp_out, asset=light, description=WORDS, consent=consent, **CONTACT)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_assign(report=report, assignee=city["contractor"], acting_user=manager)

    body = _mail_to("work@densetsu.example")
    assert report.number in body and "/manage/reports/" in body
    for value in CONTACT.values():
        assert (value in body) is consent, value


def test_a_contractor_without_an_account_gets_a_link_and_no_contact_details(
    submit, lamp_out, light, city, manager, django_capture_on_commit_callbacks
):
    city["contractor"].contact_email = "work@densetsu.example"
    city["contractor"].save()
    report = submit(lamp_out, asset=light, description=WORDS, consent=True, **CONTACT)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_assign(report=report, assignee=city["contractor"], acting_user=manager)

    body = _mail_to("work@densetsu.example")
    assert report.number in body and "/owner/" in body
    for value in (*CONTACT.values(), WORDS):
        assert value not in body, value


def test_passing_a_report_on_to_the_prefecture_sends_no_contact_without_consent(
    submit, lamp_out, light, section_staff, django_capture_on_commit_callbacks
):
    prefecture = factories.org("pref", kind="prefecture", contact_email="doboku@pref.example")
    report = submit(lamp_out, asset=light, description=WORDS, **CONTACT)

    with django_capture_on_commit_callbacks(execute=True):
        services.report_forward(report=report, to=prefecture, acting_user=section_staff)

    body = _mail_to("doboku@pref.example")
    assert report.number in body
    for value in (*CONTACT.values(), WORDS):
        assert value not in body


def test_the_citys_own_section_gets_the_words_but_no_contact(submit, lamp_out, light):
    submit(lamp_out, asset=light, description=WORDS, **CONTACT)

    body = _mail_to("doro@city.example")
    assert WORDS in body  # the resident's own words, as they typed them
    assert CONTACT["email"] not in body and CONTACT["name"] not in body
