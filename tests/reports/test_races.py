"""Simultaneous first reports on one asset: exactly one report, everybody else a "me too"
(Open311) or told it is already reported (the web form) — on both databases, with real
threads, connections and HTTP."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests as http

from reports import clients
from reports.models import MeToo, Receipt, Report
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
PEOPLE = 20


def _together(function):
    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        return list(pool.map(function, range(PEOPLE)))


def test_twenty_simultaneous_open311_posts_make_one_report_and_nineteen_me_toos(
    live_server, catalogue, city, manager
):
    light = factories.asset("security-light", owner=city["road"], ledger_id="BH-RACE")
    _client, key = clients.client_create(name="市民アプリ", acting_user=manager)
    url = f"{live_server.url}/open311/v2/requests.json"

    def post(n):
        response = http.post(
            url,
            data={
                "api_key": key,
                "service_code": "lamp-out",
                "address_id": "BH-RACE",
                "description": f"person {n}",
                "email": f"p{n}@example.com",
            },
        )
        return response.status_code, response.json()

    answers = _together(post)

    assert [status for status, _ in answers] == [200] * PEOPLE
    numbers = {body[0]["service_request_id"] for _, body in answers}
    tokens = {body[0]["token"] for _, body in answers}
    report = Report.objects.get()
    assert numbers == {report.number} and report.asset == light
    assert len(tokens) == PEOPLE and Receipt.objects.count() == PEOPLE
    assert MeToo.objects.count() == PEOPLE - 1 and report.me_too_count == PEOPLE - 1
    light.refresh_from_db()
    assert light.open_reports == 1


def test_twenty_simultaneous_first_reports_on_one_sticker_make_one_report(
    live_server, label, light
):
    url = f"{live_server.url}/q/{label.code}"

    def report(n):
        session = http.Session()
        form = session.get(url)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
        response = session.post(
            url,
            data={
                "category": "lamp-out",
                "description": f"person {n}",
                "csrfmiddlewaretoken": csrf,
            },
            headers={"Referer": url},
            allow_redirects=False,
        )
        return response.status_code, response.text

    answers = _together(report)

    statuses = [status for status, _ in answers]
    assert statuses.count(302) == 1 and statuses.count(200) == PEOPLE - 1, statuses
    told = [text for status, text in answers if status == 200]
    assert all("/report/me-too/" in text for text in told)  # "already reported: me too?"
    assert Report.objects.count() == 1


def test_the_same_form_sent_twice_at_once_is_one_report_with_one_receipt(live_server, label, light):
    """A double tap on a slow phone: two POSTs of one form page, a moment apart."""
    url = f"{live_server.url}/q/{label.code}"
    session = http.Session()
    form = session.get(url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', form.text)[1]

    def send(_n):
        response = session.post(
            url,
            data={
                "category": "lamp-out",
                "description": "二度押し",
                "csrfmiddlewaretoken": csrf,
                "idempotency_key": key,
            },
            headers={"Referer": url},
            allow_redirects=False,
        )
        return response.status_code, response.headers.get("Location")

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, range(2)))

    assert [status for status, _ in answers] == [302, 302]
    assert answers[0][1] == answers[1][1]
    assert Report.objects.count() == 1 and Receipt.objects.count() == 1
