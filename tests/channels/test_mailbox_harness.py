"""The IMAP harness itself: the Dovecot of `make test`, reached over TLS as the app will."""

import socket
import ssl
from email.message import EmailMessage

import pytest

from tests.channels import mailbox
from tests.channels.mailbox import imap_settings  # noqa: F401 (the fixture, for pytest)

pytestmark = pytest.mark.usefixtures("imap_settings")


def _message(subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = "resident@example.jp"
    message["To"] = "report@city.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject))}@example.jp>"
    message.set_content("公園の街灯が消えています。\n")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def test_the_settings_point_at_the_test_server(settings):
    server = mailbox.server()
    assert settings.MAIL_INTAKE_HOST == server.host == "127.0.0.1"
    assert server.port == settings.MAIL_INTAKE_PORT
    assert server.user == settings.MAIL_INTAKE_USER
    assert server.password == settings.MAIL_INTAKE_PASSWORD
    assert server.ca_file == settings.MAIL_INTAKE_CA_FILE
    assert settings.MAIL_INTAKE_FOLDER == "INBOX"
    assert mailbox.folders() == ["INBOX"]
    assert mailbox.messages("INBOX") == []


def test_a_delivered_message_reads_back_and_moves_to_a_new_folder():
    raw = _message("街灯の故障")
    first = mailbox.deliver(raw)
    mailbox.deliver(_message("second"))

    assert mailbox.messages() == [raw, _message("second")]
    assert mailbox.flags() == [set(), set()]

    with mailbox.connect() as client:
        # imaplib keeps the greeting's (pre-login) capabilities; ask again once signed in.
        assert b"MOVE" in client.capability()[1][0].upper().split()
        assert client.create(mailbox._quote(mailbox.STAFF_FOLDER))[0] == "OK"
        assert client.select("INBOX")[0] == "OK"
        status, _data = client.uid("MOVE", str(first), mailbox._quote(mailbox.STAFF_FOLDER))
        assert status == "OK"

    assert mailbox.folders() == sorted(["INBOX", mailbox.STAFF_FOLDER])
    assert mailbox.messages(mailbox.STAFF_FOLDER) == [raw]
    assert mailbox.messages("INBOX") == [_message("second")]


def test_folder_names_beyond_ascii_round_trip():
    mailbox.create_folder("処理済み")
    mailbox.create_folder("Processed/2026")
    mailbox.deliver(_message("into a nested folder"), folder="Processed/2026")

    with mailbox.connect() as client:
        listed = b"\n".join(client.list('""', "*")[1])
    assert b'"/" &UeZ0Bm4IMH8-' in listed  # modified UTF-7 on the wire, as the server has it
    assert mailbox.encode_name("処理済み & co") == "&UeZ0Bm4IMH8- &- co"
    assert mailbox.decode_name("&UeZ0Bm4IMH8- &- co") == "処理済み & co"
    assert mailbox.folders() == sorted(["INBOX", "処理済み", "Processed", "Processed/2026"])
    assert len(mailbox.messages("Processed/2026")) == 1


def test_emptying_leaves_only_an_empty_inbox():
    mailbox.create_folder("Processed/2026")
    mailbox.create_folder(mailbox.STAFF_FOLDER)
    mailbox.deliver(_message("a"), folder=mailbox.STAFF_FOLDER)
    mailbox.deliver(_message("b"))

    mailbox.empty_mailbox()

    assert mailbox.folders() == ["INBOX"]
    assert mailbox.messages() == []


def test_only_tls_with_the_test_certificate_is_served():
    server = mailbox.server()
    with socket.create_connection((server.host, server.port), timeout=5) as raw:
        untrusting = ssl.create_default_context()  # the system's CAs only
        with pytest.raises(ssl.SSLCertVerificationError):
            untrusting.wrap_socket(raw, server_hostname=server.host)
    with socket.socket() as plain:
        assert plain.connect_ex((server.host, 143)) != 0
