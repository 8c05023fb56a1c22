"""A resident asks what the city holds about them, or to erase it: managers find it by
the e-mail or phone the person gave, download it, erase it; every step is on the trail;
nobody else may."""

import json

import pytest
from django.core.files.storage import storages
from django.test import Client

from reports import intake
from reports.models import MeToo, Photo, Report, ReportEvent
from tests import factories

URL = "/manage/privacy/"


@pytest.fixture
def hers(submit, lamp_out, pothole, light):
    photo = factories.photo(factories.jpeg())
    first = submit(
        lamp_out,
        asset=light,
        description="山田花子です。家の前",
        email="Hanako@Example.com",
        phone="090-1234-5678",
        consent=True,
        photos=[photo],
        place=intake.Place(address_text="山田さん宅前"),
    )
    other = submit(pothole, description="別の人", email="someone@example.com")
    factories.me_too(other, email="hanako@example.com", description="私も見ました")
    return {"first": first, "other": other, "photo": photo}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_finds_everything_a_person_sent_by_email_or_phone(manager, hers):
    by_email = signed_in(manager).get(URL, {"email": "hanako@example.com"})
    by_phone = signed_in(manager).get(URL, {"phone": "09012345678"})

    assert by_email.status_code == 200 and by_email["Cache-Control"] == "private, no-store"
    assert [c.report.number for c in by_email.context["found"]] == [
        hers["first"].number,
        hers["other"].number,
    ]
    assert [c.report.number for c in by_phone.context["found"]] == [hers["first"].number]


def test_the_export_holds_the_persons_data_and_the_disclosure_is_recorded(manager, hers):
    response = signed_in(manager).get(f"{URL}export.json", {"email": "hanako@example.com"})

    document = json.loads(response.content)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    kinds = {item["kind"]: item for item in document["items"]}
    assert kinds["report"]["description"] == "山田花子です。家の前"
    assert kinds["report"]["address_or_landmark"] == "山田さん宅前"
    assert kinds["me_too"]["description"] == "私も見ました"
    assert "別の人" not in response.content.decode("utf-8")
    disclosed = ReportEvent.objects.filter(kind="data_disclosed")
    assert disclosed.count() == 2 and {e.by for e in disclosed} == {manager}
    assert "hanako" not in "".join(disclosed.values_list("text", flat=True))


def test_erasing_removes_contacts_words_and_photos_but_keeps_the_fault(
    manager, hers, django_capture_on_commit_callbacks
):
    storage = storages["default"]
    files = hers["photo"].names

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(manager).post(
            f"{URL}erase/", {"email": "hanako@example.com", "confirm": "on"}
        )

    assert response.status_code == 302
    first = Report.objects.get(pk=hers["first"].pk)
    assert (first.contact_email, first.contact_phone, first.contact_consent) == ("", "", False)
    assert "山田" not in first.description and "山田" not in first.address_text
    assert first.status == "new"  # the fault is still there to fix
    assert not Photo.objects.filter(pk=hers["photo"].pk).exists()
    assert not any(storage.exists(name) for name in files)
    me_too = MeToo.objects.get()
    assert (me_too.email, me_too.description) != ("hanako@example.com", "私も見ました")
    assert Report.objects.get(pk=hers["other"].pk).contact_email == "someone@example.com"
    assert ReportEvent.objects.filter(kind="data_erased").count() == 2
    assert signed_in(manager).get(URL, {"email": "hanako@example.com"}).context["found"] == []


def test_erasing_needs_the_confirmation(manager, hers):
    response = signed_in(manager).post(f"{URL}erase/", {"email": "hanako@example.com"})

    assert response.status_code == 400
    assert Report.objects.get(pk=hers["first"].pk).contact_email == "Hanako@Example.com"


def test_an_empty_search_comes_back_with_a_message(manager, hers):
    response = signed_in(manager).get(URL, {"email": "", "phone": "12"})

    assert response.status_code == 400 and response.context["form"].errors


@pytest.mark.parametrize("role", ["section_staff", "inspector", "viewer"])
def test_only_managers_handle_personal_data(city, hers, role):
    account = factories.user(city["road"], role)
    client = signed_in(account)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}export.json", {"email": "hanako@example.com"}).status_code == 403
    erase = client.post(f"{URL}erase/", {"email": "hanako@example.com", "confirm": "on"})
    assert erase.status_code == 403
    assert Report.objects.get(pk=hers["first"].pk).contact_email == "Hanako@Example.com"


def test_another_citys_manager_finds_nothing_of_ours(other_city_manager, hers):
    response = signed_in(other_city_manager).get(URL, {"email": "hanako@example.com"})

    assert response.status_code == 200 and response.context["found"] == []
    signed_in(other_city_manager).post(
        f"{URL}erase/", {"email": "hanako@example.com", "confirm": "on"}
    )
    assert Report.objects.get(pk=hers["first"].pk).contact_email == "Hanako@Example.com"
