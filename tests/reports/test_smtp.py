"""Notices through a real SMTP server (aiosmtpd on loopback), as a city's relay would get them."""

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from reports import services
from tests import factories


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def test_a_new_report_reaches_the_section_and_the_resident_over_smtp(
    smtp_server, submit, lamp_out, light, section_staff, django_capture_on_commit_callbacks
):
    report = submit(lamp_out, asset=light, email="resident@example.com", language="ja")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_transition(
            report=report,
            to="fixed",
            acting_user=section_staff,
            note="電球を交換しました",
            public_note=True,  # notes stay inside unless ticked
        )

    recipients = sorted(rcpt[0] for rcpt, _ in smtp_server.messages)
    assert recipients == ["doro@city.example", "resident@example.com", "resident@example.com"]
    staff = next(m for r, m in smtp_server.messages if r == ["doro@city.example"])
    resident = [m for r, m in smtp_server.messages if r == ["resident@example.com"]]
    assert report.number in staff["Subject"]
    assert len(resident) == 2  # the receipt, then "fixed"
    body = resident[1].get_content()
    assert "電球を交換しました" in body and f"/r/{factories.receipt_token(report)}" in body
    assert resident[1]["Content-Type"].params.get("charset", "").lower() == "utf-8"
