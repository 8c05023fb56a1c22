"""The mail component of /healthz with several cities: every city's own mailbox server is
greeted (each server once), and one that does not answer is named by its city."""

import socket

import pytest
from django.test import Client

from tests.channels import mailbox
from tests.cities_channels.test_mail import _mailbox_set_up, mailboxes  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def _mail_component():
    response = Client().get("/healthz/mail")
    return response.status_code, response.json() if response.status_code != 404 else None


def test_the_cities_mailboxes_on_one_server_are_greeted_once(mailboxes):  # noqa: F811
    assert _mail_component() == (
        200,
        {"component": "mail", "ok": True, "detail": "IMAP server answers"},
    )


def test_a_citys_mailbox_that_does_not_answer_is_named_and_503(mailboxes):  # noqa: F811
    izumo, _matsue = mailboxes
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    _mailbox_set_up(izumo, mailbox.server(), mail_port=closed, mail_password="never-shown")

    status, body = _mail_component()

    assert (status, body["ok"]) == (503, False)
    assert body["detail"] == "1 of 2 cities' mailboxes do not answer: izumo"
    assert "never-shown" not in str(body)
    assert Client().get("/healthz").status_code == 200  # the summary is the request path


def test_without_any_citys_mailbox_there_is_no_mail_component(cities, settings):
    settings.MAIL_INTAKE_HOST = "imap.example.jp"  # the settings' one is not read any more

    assert _mail_component() == (404, None)
