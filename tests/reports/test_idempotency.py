"""Idempotency keys: a form or an Open311 post sent again (a resend after a dropped
connection) gets the first receipt back and saves nothing more; the same key with another
body, or a key that cannot be one, is refused on Open311; keys are forgotten after a day."""

import datetime
import io
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests as http
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from config.env import Rate
from reports import clients, idempotency, intake
from reports.contributions import Place
from reports.models import MeToo, Receipt, Report
from tests import factories

POST_URL = "/open311/v2/requests.json"


def _receipt_path(response) -> str:
    return response["Location"].split("?")[0]


# --- The residents' form ------------------------------------------------------------------


def test_the_form_sent_again_with_its_key_is_one_report_and_the_same_receipt(client, label):
    key = uuid.uuid4().hex
    data = {"category": "lamp-out", "idempotency_key": key}

    first = client.post(f"/q/{label.code}", data)
    again = client.post(f"/q/{label.code}", data)
    other = client.post(f"/q/{label.code}", {**data, "idempotency_key": uuid.uuid4().hex})

    assert (first.status_code, again.status_code) == (302, 302)
    assert _receipt_path(first) == _receipt_path(again)
    assert other.status_code == 200 and "/report/me-too/" in other.content.decode()
    assert Report.objects.count() == 1  # the other key found the open report: it asked first
    insisted = client.post(
        f"/q/{label.code}", {**data, "idempotency_key": uuid.uuid4().hex, "force_new": "1"}
    )
    assert insisted.status_code == 302 and _receipt_path(insisted) != _receipt_path(first)
    assert Report.objects.count() == 2


@pytest.mark.parametrize("bad", ["x" * 500, "not-a-key", "<script>", "１２３"])
def test_a_key_that_cannot_be_one_counts_as_none_on_the_form(client, label, bad):
    first = client.post(f"/q/{label.code}", {"category": "lamp-out", "idempotency_key": bad})

    assert first.status_code == 302 and Report.objects.count() == 1
    assert Receipt.objects.get().idempotency_key == ""


def test_me_too_sent_again_with_its_key_counts_one_person(client, label, light, submit, lamp_out):
    existing = submit(lamp_out, asset=light, source="qr")
    page = client.post(f"/q/{label.code}", {"category": "lamp-out"}).content.decode()
    key = re.search(r'class="metoo".*?name="idempotency_key" value="([0-9a-f]{32})"', page, re.S)[1]
    url = f"/report/me-too/{existing.number}/"

    first = client.post(url, {"idempotency_key": key})
    again = client.post(url, {"idempotency_key": key})

    assert (first.status_code, again.status_code) == (200, 200)
    token = MeToo.objects.get().receipt.token
    assert token in first.content.decode() and token in again.content.decode()
    existing.refresh_from_db()
    assert existing.me_too_count == 1


def test_phone_intake_sent_again_with_its_key_is_one_report(client, section_staff, light):
    client.force_login(section_staff)
    key = re.search(
        r'name="idempotency_key" value="([0-9a-f]{32})"', client.get("/manage/intake/").text
    )[1]
    data = {
        "language": "ja",
        "category": "lamp-out",
        "ledger_id": "BH-0001",
        "description": "電話",
        "idempotency_key": key,
    }

    first, again = client.post("/manage/intake/", data), client.post("/manage/intake/", data)

    assert (first.status_code, again.status_code) == (302, 302)
    assert first["Location"] == again["Location"]
    assert Report.objects.count() == 1 and Receipt.objects.count() == 1
    refused = client.post("/manage/intake/", {**data, "category": ""})
    assert refused.status_code == 400 and key in refused.text  # the page keeps its key


@pytest.mark.django_db(transaction=True)
def test_the_same_me_too_key_at_the_same_moment_counts_one_person(light, lamp_out, submit):
    existing = submit(lamp_out, asset=light, source="qr")
    key = idempotency.scoped(f"metoo:{existing.pk}", uuid.uuid4().hex)
    barrier, results = threading.Barrier(2), []

    def send():
        try:
            connection.ensure_connection()  # both connected (SpatiaLite loaded) before the race
            barrier.wait()
            outcome = intake.me_too_intake(
                report=existing, acting_user=AnonymousUser(), idempotency_key=key
            )
            results.append(outcome.receipt.token)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2 and results[0] == results[1]
    existing.refresh_from_db()
    assert existing.me_too_count == 1 and MeToo.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_key_at_the_same_moment_makes_one_report(catalogue, city, lamp_out):
    """Two threads, two connections, one key, no asset (so no asset lock to wait on): the
    unique key decides, and the loser answers with the winner's receipt."""
    key = idempotency.scoped("form", uuid.uuid4().hex)
    barrier, results = threading.Barrier(2), []

    def send():
        try:
            connection.ensure_connection()  # both connected (SpatiaLite loaded) before the race
            barrier.wait()
            outcome = intake.report_intake(
                channel=Report.Source.WEB,
                acting_user=AnonymousUser(),
                category=lamp_out,
                place=Place(point=factories.point(), source="device"),
                idempotency_key=key,
            )
            results.append(outcome.receipt.token)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2 and results[0] == results[1]
    assert Report.objects.count() == 1 and Receipt.objects.count() == 1


# --- Open311 ------------------------------------------------------------------------------


@pytest.fixture
def api_key(catalogue, manager):
    return clients.client_create(name="市民アプリ", acting_user=manager)[1]


def _body(api_key):
    return {"api_key": api_key, "service_code": "pothole", "lat": "35.367", "long": "132.755"}


def test_open311_resend_with_the_header_gets_the_same_request_and_token(client, api_key):
    body = _body(api_key)
    first = client.post(POST_URL, body, headers={"Idempotency-Key": "order-0001"})
    again = client.post(POST_URL, body, headers={"Idempotency-Key": "order-0001"})

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json()
    assert Report.objects.count() == 1 and Receipt.objects.count() == 1


def test_open311_a_resend_is_not_counted_by_the_rate_limit(client, api_key, settings):
    cache.clear()
    settings.OPEN311_RATE_LIMIT = Rate.parse("1/3600")
    headers = {"Idempotency-Key": "order-0002"}

    first = client.post(POST_URL, _body(api_key), headers=headers)
    again = client.post(POST_URL, _body(api_key), headers=headers)
    new = client.post(POST_URL, _body(api_key), headers={"Idempotency-Key": "order-0003"})

    assert (first.status_code, again.status_code, new.status_code) == (200, 200, 429)


def test_open311_key_as_a_field_and_another_body_is_refused(client, api_key):
    body = {**_body(api_key), "idempotency_key": "a1b2c3d4-field"}
    first = client.post(POST_URL, body)
    changed = client.post(POST_URL, {**body, "description": "another hole"})

    assert first.status_code == 200
    assert changed.status_code == 422
    assert changed.json()[0]["description"].startswith("idempotency_key_reused:")
    assert Report.objects.count() == 1


def test_open311_keys_of_two_clients_never_meet(client, api_key, manager):
    other_key = clients.client_create(name="別のアプリ", acting_user=manager)[1]
    headers = {"Idempotency-Key": "same-key-0001"}

    mine = client.post(POST_URL, _body(api_key), headers=headers)
    theirs = client.post(POST_URL, {**_body(other_key), "lat": "35.37"}, headers=headers)

    assert (mine.status_code, theirs.status_code) == (200, 200)
    assert mine.json()[0]["token"] != theirs.json()[0]["token"]


@pytest.mark.django_db(transaction=True)
def test_open311_the_same_key_twice_at_once_is_one_report_not_a_me_too(live_server, light, manager):
    key = clients.client_create(name="市民アプリ", acting_user=manager)[1]
    body = {"api_key": key, "service_code": "lamp-out", "address_id": "BH-0001"}
    barrier = threading.Barrier(2)

    def send(_n):
        barrier.wait()
        response = http.post(
            f"{live_server.url}{POST_URL}", data=body, headers={"Idempotency-Key": "retry-0001"}
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, range(2)))

    assert answers[0] == answers[1] and answers[0][0] == 200
    assert Report.objects.count() == 1 and MeToo.objects.count() == 0
    assert Receipt.objects.count() == 1


@pytest.mark.parametrize("bad", ["k" * 65, "short", "has space!", "キー123456789"])
def test_open311_a_key_that_cannot_be_one_is_refused_with_its_code(client, api_key, bad):
    response = client.post(POST_URL, {**_body(api_key), "idempotency_key": bad})

    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("idempotency_key_invalid:")
    assert Report.objects.count() == 0


# --- Expiry -------------------------------------------------------------------------------


def test_housekeeping_forgets_keys_older_than_a_day_and_keeps_the_receipts(client, label):
    client.post(f"/q/{label.code}", {"category": "lamp-out", "idempotency_key": uuid.uuid4().hex})
    fresh = Receipt.objects.get()
    old = Receipt.objects.create(
        report=fresh.report, origin=fresh.report, idempotency_key="form:old"
    )
    Receipt.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )

    dry, done = io.StringIO(), io.StringIO()
    call_command("reports_housekeeping", "--dry-run", stdout=dry)
    call_command("reports_housekeeping", stdout=done)

    assert "1 idempotency keys would be forgotten" in dry.getvalue()
    assert "1 idempotency keys forgotten" in done.getvalue()

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.idempotency_key == "" and fresh.idempotency_key != ""
    assert Receipt.objects.count() == 2
