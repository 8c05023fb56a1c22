"""A receipt link belongs to one person: by every path (the web form, "me too", an Open311
join, a merge, a phone intake) each person's /r/ page shows the report's public face and
only what they sent themselves, and every e-mail carries the recipient's own link."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts import policy
from reports import clients, intake, services
from reports.models import MeToo, Receipt, Report
from tests import factories

FIRST = {
    "description": "090-1111-2222 に電話ください（一人目）",
    "landmark": "一人目の家の前の電柱",
    "email": "first@example.com",
}
SECOND = {
    "description": "二人目の秘密 080-3333-4444",
    "email": "second@example.com",
}


def page(client, token) -> str:
    response = client.get(f"/r/{token}", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    return response.content.decode()


def photo_links(html: str) -> set[str]:
    return set(re.findall(r"/r/[^/\"]+/([0-9a-f-]{36})/", html))


@pytest.fixture
def first_report(submit, lamp_out, light):
    photo = factories.photo(factories.jpeg(colour=(10, 10, 10)))
    report = submit(
        lamp_out,
        asset=light,
        source="qr",
        description=FIRST["description"],
        place=intake.Place(address_text=FIRST["landmark"]),
        email=FIRST["email"],
        photos=[photo],
    )
    report.own_photo = photo
    return report


def test_each_report_gets_its_own_unguessable_receipt(first_report, submit, pothole):
    other = submit(pothole)

    tokens = [factories.receipt_token(first_report), factories.receipt_token(other)]
    assert len(set(tokens)) == 2 and all(len(token) >= 32 for token in tokens)


def test_a_web_me_too_gets_its_own_link_and_never_sees_the_first_residents_words(
    client, first_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/report/me-too/{first_report.number}/",
            {"email": SECOND["email"], "photo": factories.jpeg(colour=(250, 250, 0))},
            HTTP_ACCEPT_LANGUAGE="ja",
        )

    me_too = MeToo.objects.get()
    receipt = Receipt.objects.get(me_too=me_too)
    assert response.status_code == 200 and receipt.token in response.content.decode()
    html = page(Client(), receipt.token)
    assert first_report.number in html
    for secret in FIRST.values():
        assert secret not in html
    assert str(first_report.own_photo.token) not in html
    assert photo_links(html) == {str(me_too.photos.get().token)}
    # The first resident's page does not show the newcomer's photo as theirs either.
    mine = page(Client(), factories.receipt_token(first_report))
    assert FIRST["description"] in mine and FIRST["landmark"] in mine
    assert photo_links(mine) == {str(first_report.own_photo.token)}
    # The newcomer's mail carries their own link, never the first resident's.
    [to_second] = [m for m in mail.outbox if m.to == [SECOND["email"]]]
    assert receipt.token in to_second.body
    assert factories.receipt_token(first_report) not in to_second.body


def test_another_persons_photo_is_not_served_through_a_receipt(client, first_report):
    receipt = factories.me_too(first_report, email=SECOND["email"])

    stolen = client.get(f"/r/{receipt.token}/{first_report.own_photo.token}/photo.jpg")
    own = client.get(
        f"/r/{factories.receipt_token(first_report)}/{first_report.own_photo.token}/thumb.jpg"
    )

    assert stolen.status_code == 404 and own.status_code == 200


def test_status_mails_go_to_each_person_with_their_own_link(
    first_report, manager, django_capture_on_commit_callbacks
):
    second = factories.me_too(first_report, email=SECOND["email"], language="en")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_fix(report=first_report, acting_user=manager, note="交換しました")

    by_person = {m.to[0]: m.body for m in mail.outbox}
    first_token = factories.receipt_token(first_report)
    assert first_token in by_person[FIRST["email"]] and second.token in by_person[SECOND["email"]]
    assert first_token not in by_person[SECOND["email"]]
    assert second.token not in by_person[FIRST["email"]]


@pytest.mark.django_db(transaction=True)
def test_an_open311_join_returns_the_posters_own_token(live_server, catalogue, city, manager):
    import requests as http

    light = factories.asset("security-light", owner=city["road"], ledger_id="BH-7")
    _client, key = clients.client_create(name="市民アプリ", acting_user=manager)
    base = f"{live_server.url}/open311/v2"
    data = {"api_key": key, "service_code": "lamp-out", "address_id": "BH-7"}

    first = http.post(f"{base}/requests.json", data={**data, **FIRST}).json()[0]
    second = http.post(f"{base}/requests.json", data={**data, **SECOND}).json()[0]

    assert first["service_request_id"] == second["service_request_id"]
    assert first["token"] != second["token"]
    for token in (first["token"], second["token"]):
        resolved = http.get(f"{base}/tokens/{token}.json").json()[0]
        assert resolved == {"service_request_id": first["service_request_id"], "token": token}
    html = http.get(f"{live_server.url}/r/{second['token']}").text
    assert SECOND["description"] in html
    for secret in FIRST.values():
        assert secret not in html
    assert light.reports.count() == 1 and MeToo.objects.get().description == SECOND["description"]


def test_after_a_merge_each_link_still_works_and_shows_only_its_holders_own(
    first_report, submit, lamp_out, light, manager, django_capture_on_commit_callbacks
):
    their_photo = factories.photo(factories.jpeg(colour=(0, 200, 0)))
    duplicate = submit(
        lamp_out,
        asset=light,
        description=SECOND["description"],
        email=SECOND["email"],
        photos=[their_photo],
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_merge(duplicate=duplicate, into=first_report, acting_user=manager)

    theirs = page(Client(), factories.receipt_token(duplicate))
    mine = page(Client(), factories.receipt_token(first_report))
    assert first_report.number in theirs and duplicate.number in theirs  # "merged into"
    assert SECOND["description"] in theirs and photo_links(theirs) == {str(their_photo.token)}
    for secret in FIRST.values():
        assert secret not in theirs
    assert SECOND["description"] not in mine
    assert photo_links(mine) == {str(first_report.own_photo.token)}
    # The duplicate's reporter is told of the merge through their own link only.
    [told] = [m for m in mail.outbox if m.to == [SECOND["email"]]]
    assert factories.receipt_token(duplicate) in told.body
    assert factories.receipt_token(first_report) not in told.body


def test_a_phone_intake_with_a_contact_gets_a_receipt_of_its_own(
    client, light, label, section_staff, first_report
):
    client.force_login(section_staff)

    response = client.post(
        "/manage/intake/",
        {
            "category": "lamp-out",
            "label_code": label.code,
            "description": "電話で受付: 点かない",
            "name": "出雲花子",
            "phone": "0853-21-0000",
            "email": "hanako@example.com",
            "language": "ja",
        },
    )

    report = Report.objects.exclude(pk=first_report.pk).get()
    token = factories.receipt_token(report)
    assert response.status_code == 302 and token != factories.receipt_token(first_report)
    html = page(Client(), token)
    assert "電話で受付: 点かない" in html
    for secret in FIRST.values():
        assert secret not in html
    assert "出雲花子" not in html and "0853-21-0000" not in html


def test_a_link_shows_no_contact_details_even_its_holders(first_report):
    html = page(Client(), factories.receipt_token(first_report))

    assert FIRST["email"] not in html


def test_a_refused_actor_gets_nothing_through_the_door(lamp_out, light):
    with pytest.raises(services.ReportError) as nobody:
        intake.report_intake(channel="web", acting_user=None, category=lamp_out, asset=light)
    with pytest.raises(services.ReportError) as keyless:
        intake.report_intake(
            channel="open311", acting_user=policy.SYSTEM, category=lamp_out, asset=light
        )

    assert nobody.value.code == keyless.value.code == "forbidden"
    assert not Report.objects.exists()
