"""Staff sign-in: throttled guessing, password reset by email, sessions that expire."""

import re

import pytest
from django.core import mail

from config.env import Rate
from tests import factories

PASSWORD = "pw-Machimori-2026"


@pytest.fixture
def account(city):
    return factories.user(city["road"], "manager", username="kacho", email="kacho@city.example")


def sign_in(client, username="kacho", password=PASSWORD, address="192.0.2.10"):
    return client.post(
        "/manage/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_the_account_for_a_while(client, account, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = Rate.parse("5/900")
    for _ in range(4):
        assert sign_in(client, password="wrong").status_code == 200
    # The fifth failure is checked, and the answer says the account is now locked.
    assert sign_in(client, password="wrong").status_code == 429

    locked = sign_in(client)  # even the right password
    assert locked.status_code == 429
    assert "15" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is not locked by it.
    factories.user(account.organization, "viewer", username="other")
    assert sign_in(client, username="other").status_code == 302


def test_the_username_is_locked_whatever_its_case(client, account):
    for _ in range(5):
        sign_in(client, username="KACHO", password="wrong")
    assert sign_in(client).status_code == 429


def test_one_address_guessing_many_accounts_is_stopped(client, account, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = Rate.parse("3/900")
    for name in ("a", "b", "c"):
        sign_in(client, username=name, password="wrong", address="203.0.113.9")
    assert sign_in(client, address="203.0.113.9").status_code == 429
    assert sign_in(client, address="198.51.100.1").status_code == 302


def test_a_right_password_resets_the_count(client, account):
    for _ in range(4):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302


def test_password_reset_by_email(client, account):
    page = client.get("/manage/login/")
    assert "/manage/password-reset/" in page.content.decode()

    sent = client.post("/manage/password-reset/", {"email": "kacho@city.example"})
    assert sent.status_code == 302 and sent["Location"] == "/manage/password-reset/sent/"
    [message] = mail.outbox
    link = re.search(r"https?://\S+/manage/password-reset/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form = client.get("/" + path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Izumo-taisha-2027!", "new_password2": "Izumo-taisha-2027!"},
    )
    assert done.status_code == 302
    assert sign_in(client, password="Izumo-taisha-2027!").status_code == 302
    # The link works once.
    client.logout()
    again = client.get("/" + path, follow=True)
    assert not again.context["validlink"]


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, account):
    response = client.post("/manage/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and mail.outbox == []


def test_reset_requests_from_one_address_are_limited(client, account, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = Rate.parse("2/3600")
    for _ in range(4):
        client.post("/manage/password-reset/", {"email": "kacho@city.example"})
    assert len(mail.outbox) == 2


def test_sessions_end_with_the_browser_and_after_a_working_day(client, account, settings):
    response = sign_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert client.session.get_expiry_age() <= 8 * 3600
    assert cookie["httponly"]

    session = client.session
    session.set_expiry(-1)  # the working day is over
    session.save()
    assert client.get("/manage/").status_code == 302
