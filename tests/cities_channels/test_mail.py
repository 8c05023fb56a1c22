"""The report mailboxes with two cities, on the test Dovecot (a folder set per city): each
city's mailbox makes that city's reports only, answered in that city's name with links to
its host; a mail to Matsue about Izumo (its sticker, a photo taken there) goes to Matsue's
staff folder as outside its area; the same mail in both mailboxes is read by each; a mailbox
that cannot be read does not stop the other, and the run ends with an error naming it; the
settings' mailbox is not read once cities are configured."""

import socket
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import City
from channels import mail
from channels.models import MailSeen
from reports.models import Report
from tests import factories
from tests.channels import mailbox
from tests.cities_channels.conftest import ADDRESSES

pytestmark = pytest.mark.django_db(transaction=True)
FOLDERS = {"izumo": "INBOX", "matsue": "Matsue"}


def _mailbox_set_up(city: dict, server, **changes) -> None:
    row = city["row"]
    slug = row.slug
    values = {
        "mail_host": server.host,
        "mail_port": server.port,
        "mail_user": server.user,
        "mail_password": server.password,
        "mail_ca_file": server.ca_file,
        "mail_folder": FOLDERS[slug],
        "mail_processed_folder": f"{slug.title()}-Processed",
        "mail_staff_folder": f"{slug.title()}-Staff",
        "mail_address": ADDRESSES[slug],
        **changes,
    }
    for name, value in values.items():
        setattr(row, name, value)
    row.save()


@pytest.fixture
def mailboxes(cities, imap_settings, smtp_server, settings):
    """Izumo reads INBOX, Matsue its own folder; the settings' mailbox is a third folder."""
    settings.MAIL_INTAKE_FOLDER = "Settings"
    for folder in ("Matsue", "Settings"):
        mailbox.create_folder(folder)
    for city in cities:
        _mailbox_set_up(city, imap_settings)
    return cities


def _mail(subject, body, sender, *, to, message_id=None, photo=None):
    message = MIMEMultipart()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = message_id or make_msgid(domain="docomo.ne.jp")
    message.attach(MIMEText(body, "plain", "utf-8"))
    if photo is not None:
        part = MIMEImage(photo, "jpeg")
        part.add_header("Content-Disposition", "attachment", filename="photo.jpg")
        message.attach(part)
    return message.as_bytes()


def _reported(city: dict) -> Report:
    return MailSeen.objects.get(city=city["row"], outcome="reported").receipt.report


def _reply_to(smtp_server, address) -> str:
    (message,) = [m for rcpt, m in smtp_server.messages if rcpt == [address]]
    return message["Subject"] + "\n" + message.get_content()


def test_each_citys_mailbox_makes_its_own_citys_reports(mailboxes, smtp_server):
    for city in mailboxes:
        slug = city["row"].slug
        mailbox.deliver(
            _mail(
                f"報告 {city['label'].code}",
                "街灯が点かない",
                f"hanako@{slug}.example.jp",
                to=ADDRESSES[slug],
            ),
            FOLDERS[slug],
        )
    mailbox.deliver(_mail("報告", "点かない", "x@example.jp", to="x"), "Settings")

    call_command("mail_intake", "--once")

    for city, other in (mailboxes, mailboxes[::-1]):
        slug, other_slug = city["row"].slug, other["row"].slug
        report = _reported(city)
        assert report.asset == city["asset"] and report.owner.city == city["row"]
        reply = _reply_to(smtp_server, f"hanako@{slug}.example.jp")
        assert f"https://{slug}.test/r/" in reply and city["row"].name in reply
        assert other_slug not in reply and other["row"].name not in reply
        assert len(mailbox.messages(f"{slug.title()}-Processed")) == 1
        assert mailbox.messages(FOLDERS[slug]) == []
    assert len(mailbox.messages("Settings")) == 1  # the settings' mailbox is not read


def test_a_mail_to_matsue_about_izumo_goes_to_matsues_staff_folder(mailboxes, smtp_server):
    izumo, _matsue = mailboxes
    lon, lat = izumo["asset"].geom.x, izumo["asset"].geom.y
    to = ADDRESSES["matsue"]
    sticker = f"報告 {izumo['label'].code}"  # Izumo's sticker
    mailbox.deliver(_mail(sticker, "点かない", "a@example.jp", to=to), "Matsue")
    photo = factories.jpeg_with_gps(lat, lon).getvalue()  # taken at Izumo's light
    mailbox.deliver(_mail("街灯", "点かない", "b@example.jp", to=to, photo=photo), "Matsue")

    call_command("mail_intake", "--once")

    held = mailbox.messages("Matsue-Staff")
    assert len(held) == 2
    assert b"is not one of Matsue City's" in held[0]
    assert b"outside_area" in held[1]
    assert not Report.objects.filter(source="email").exists()
    assert smtp_server.messages == []  # no receipt, no reply naming either city
    assert mailbox.messages("Izumo-Staff") == [] and mailbox.messages("Izumo-Processed") == []


def test_the_same_mail_in_both_mailboxes_is_read_by_each(mailboxes, smtp_server):
    izumo, matsue = mailboxes
    message_id = make_msgid(domain="example.jp")
    raw = _mail(
        f"報告 {matsue['label'].code}",
        "点かない",
        "c@example.jp",
        to=f"{ADDRESSES['izumo']}, {ADDRESSES['matsue']}",
        message_id=message_id,
    )
    for folder in FOLDERS.values():
        mailbox.deliver(raw, folder)

    call_command("mail_intake", "--once")

    seen = dict(MailSeen.objects.filter(message_id=message_id).values_list("city", "outcome"))
    assert seen == {izumo["row"].pk: "staff", matsue["row"].pk: "reported"}
    assert _reported(matsue).asset == matsue["asset"]


def test_a_mailbox_that_cannot_be_read_does_not_stop_the_other(mailboxes, smtp_server, capsys):
    izumo, matsue = mailboxes
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    _mailbox_set_up(izumo, mailbox.server(), mail_port=closed)
    mailbox.deliver(
        _mail(f"報告 {matsue['label'].code}", "点かない", "d@example.jp", to="m"), "Matsue"
    )

    with pytest.raises(CommandError, match="Mailboxes not read: izumo"):
        call_command("mail_intake", "--once")

    assert _reported(matsue).asset == matsue["asset"]
    said = capsys.readouterr()
    assert "izumo: The mailbox could not be read" in said.err
    assert "matsue: reported 1" in said.out


def test_two_cities_may_not_read_the_same_mailbox_folder(mailboxes):
    _izumo, matsue = mailboxes
    row = City.objects.get(pk=matsue["row"].pk)
    row.mail_folder = FOLDERS["izumo"]

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.messages == ["Another city reads this mailbox folder."]


def test_the_mailboxes_read_are_the_active_cities_own(mailboxes):
    izumo, _matsue = mailboxes
    assert [here.slug for here in mail.mailboxes()] == ["matsue", "izumo"]  # by their code
    City.objects.filter(pk=izumo["row"].pk).update(is_active=False)
    assert [here.slug for here in mail.mailboxes()] == ["matsue"]
