"""One guard on every sign-in door: /manage/, /admin/, the tablets' token and password
resets; simultaneous attempts cannot overshoot the limit."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests as http
from axes.models import AccessAttempt, AccessFailureLog
from django.core import mail
from django.test import Client

from accounts.models import DeviceToken, User
from config.env import Rate
from tests import factories

PASSWORD = "pw-Machimori-2026"


@pytest.fixture
def kacho(city):
    return factories.user(
        city["road"], "manager", username="kacho", email="kacho@city.example", is_staff=True
    )


def manage(client, password, username="kacho", address="192.0.2.10"):
    return client.post(
        "/manage/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def token(client, password, username="kacho"):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password, "device": "tab"}
    )


def test_the_admin_door_is_guarded_like_the_others(client, settings, db):
    settings.LOGIN_FAILURES_PER_USERNAME = Rate.parse("3/900")
    factories.user(None, "", username="root", is_superuser=True, is_staff=True)

    for _ in range(3):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    refused = client.post("/admin/login/", {"username": "root", "password": PASSWORD})

    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert refused.context["form"].has_error("__all__", "throttled")
    assert AccessAttempt.objects.get(username="root").failures_since_start >= 3


def test_a_user_locked_out_on_the_staff_screens_gets_no_tablet_token(client, kacho, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = Rate.parse("5/900")
    for _ in range(5):
        manage(client, "wrong")

    response = token(client, PASSWORD)

    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert not DeviceToken.objects.exists()


def test_failures_are_recorded_for_audit(client, kacho):
    manage(client, "wrong", address="198.51.100.7")

    [logged] = AccessFailureLog.objects.all()
    assert (logged.username, logged.ip_address) == ("kacho", "198.51.100.7")


def test_the_cool_off_counts_from_the_last_failure(client, kacho, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = Rate.parse("2/900")
    manage(client, "wrong")
    manage(client, "wrong")
    assert manage(client, PASSWORD).status_code == 429
    # After the cool-off the right password opens again (axes' record ages; the
    # reservation expires): simulated by clearing both.
    AccessAttempt.objects.all().delete()
    from django.core.cache import cache

    cache.clear()
    assert manage(client, PASSWORD).status_code == 302


def test_reset_mails_are_limited_per_account_whatever_the_address(client, kacho, settings):
    settings.PASSWORD_RESETS_PER_ACCOUNT = Rate.parse("2/3600")

    for n in range(5):
        client.post(
            "/manage/password-reset/",
            {"email": "kacho@city.example"},
            REMOTE_ADDR=f"203.0.113.{n + 1}",
        )

    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("door", ["manage", "token"])
def test_simultaneous_wrong_passwords_are_checked_no_more_than_the_limit(
    live_server, city, settings, monkeypatch, redis_cache, door
):
    settings.LOGIN_FAILURES_PER_USERNAME = Rate.parse("5/900")
    factories.user(city["road"], "manager", username="kacho")
    checked = []
    real = User.check_password

    def counting(self, raw):
        checked.append(raw)
        return real(self, raw)

    monkeypatch.setattr(User, "check_password", counting)

    def attempt(_n):
        session = http.Session()
        if door == "token":
            return session.post(
                f"{live_server.url}/api/v1/auth/token/",
                data={"username": "kacho", "password": "wrong", "device": "x"},
            ).status_code
        page = session.get(f"{live_server.url}/manage/login/")
        csrf = session.cookies["csrftoken"]
        assert page.status_code == 200
        return session.post(
            f"{live_server.url}/manage/login/",
            data={"username": "kacho", "password": "wrong", "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{live_server.url}/manage/login/"},
        ).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(attempt, range(24)))

    assert len(checked) == 5, statuses
    assert statuses.count(429) >= 19 and 302 not in statuses and 201 not in statuses
    locked = Client().post("/manage/login/", {"username": "kacho", "password": PASSWORD})
    assert locked.status_code == 429
