"""Reports by e-mail through a real mailbox (Dovecot over TLS) and real SMTP replies
(aiosmtpd): three mails as Japanese phones send them — ISO-2022-JP with a JPEG and the
code in the subject, UTF-8 with a HEIC carrying GPS, Shift_JIS with the code mistyped the
way people type codes — make three reports on the right assets and three replies with
receipt links; reading again makes nothing new; an auto-reply gets no answer; a mail that
cannot become a report lands in the staff folder with its reason."""

import io
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

import pillow_heif
import pytest
from django.core.management import call_command
from PIL import ExifTags, Image

from channels import mail
from channels.models import MailSeen
from reports.models import Report
from tests import factories
from tests.channels import mailbox

pytestmark = pytest.mark.django_db(transaction=True)
CITY = "report@city.example"


def _mail(subject, body, charset, sender, *, attachments=(), headers=None):
    message = MIMEMultipart()
    message["From"] = sender
    message["To"] = CITY
    message["Subject"] = Header(subject, charset)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="docomo.ne.jp")
    for name, value in (headers or {}).items():
        message[name] = value
    message.attach(MIMEText(body, "plain", charset))
    for part in attachments:
        message.attach(part)
    return message.as_bytes()


def heic_with_gps(lat, lon) -> bytes:
    pillow_heif.register_heif_opener()

    def dms(value):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round(((value - degrees) * 60 - minutes) * 60, 4))

    image = Image.new("RGB", (800, 600), (60, 90, 140))
    exif = image.getexif()
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: dms(lat),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: dms(lon),
    }
    buffer = io.BytesIO()
    image.save(buffer, "HEIF", exif=exif.tobytes())
    return buffer.getvalue()


def _heic_part(data):
    part = MIMEApplication(data, "heic")
    part.replace_header("Content-Type", "image/heic")
    part.add_header("Content-Disposition", "attachment", filename="IMG_0001.HEIC")
    return part


def _jpeg_part():
    part = MIMEImage(factories.jpeg(size=(1200, 900)).getvalue(), "jpeg")
    part.add_header("Content-Disposition", "attachment", filename="photo.jpg")
    return part


def test_three_phone_mails_make_three_reports_and_three_replies(
    imap_settings,
    smtp_server,
    poles,
    settings,
):
    settings.MAIL_INTAKE_ADDRESS = CITY
    (first, first_label), (second, _), (third, third_label) = poles
    typed = third_label.code.lower().replace("0", "o")
    mailbox.deliver(
        _mail(
            f"不具合の報告 {first_label.code}",
            "夜になっても電灯が点かないです。",
            "iso-2022-jp",
            "hanako..izumo.@docomo.ne.jp",  # an address a carrier really issued
            attachments=[_jpeg_part()],
        )
    )
    mailbox.deliver(
        _mail(
            "Streetlight",
            "The pole is leaning, photo attached.",
            "utf-8",
            "Alex <alex@example.org>",
            attachments=[_heic_part(heic_with_gps(35.36000, 132.75022))],  # at the second
        )
    )
    mailbox.deliver(
        _mail(
            "報告",
            f"コード ｛{typed[:4]}ー{typed[4:]}｝ の灯り、昼間もついています",
            "shift_jis",
            "taro@ezweb.ne.jp",
        )
    )

    call_command("mail_intake", "--once")

    reports = {r.asset_id: r for r in Report.objects.filter(source="email")}
    assert set(reports) == {first.pk, second.pk, third.pk}
    assert reports[first.pk].category.code == "lamp-out"
    assert reports[first.pk].contact_email == "hanako..izumo.@docomo.ne.jp"
    assert reports[first.pk].photos.count() == 1 and reports[first.pk].language == "ja"
    assert reports[second.pk].category.code == "pole-damaged"
    assert reports[second.pk].language == "en" and reports[second.pk].photos.count() == 1
    assert reports[third.pk].category.code == "lit-in-daytime"
    assert reports[third.pk].label_code == third_label.code
    assert len(mailbox.messages(mailbox.PROCESSED_FOLDER)) == 3
    assert mailbox.messages("INBOX") == []
    replies = {
        rcpt[0]: message
        for rcpt, message in smtp_server.messages
        if rcpt[0] in ("hanako..izumo.@docomo.ne.jp", "alex@example.org", "taro@ezweb.ne.jp")
    }
    assert set(replies) == {"hanako..izumo.@docomo.ne.jp", "alex@example.org", "taro@ezweb.ne.jp"}
    for report in reports.values():
        reply = replies[report.contact_email].get_content()
        assert report.number in reply and factories.receipt_token(report) in reply

    # Reading again makes nothing new, even with the same mails back in the inbox.
    for raw in mailbox.messages(mailbox.PROCESSED_FOLDER):
        mailbox.deliver(raw)
    sent = len(smtp_server.messages)
    call_command("mail_intake", "--once")
    assert Report.objects.filter(source="email").count() == 3
    assert len(smtp_server.messages) == sent


def test_auto_replies_get_no_answer_and_unusable_mail_goes_to_staff(
    imap_settings,
    smtp_server,
    poles,
):
    mailbox.deliver(
        _mail(
            "Out of office",
            "I am away until Monday.",
            "utf-8",
            "someone@example.org",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    mailbox.deliver(_mail("返信不要", "お知らせです", "utf-8", "noreply@example.jp"))
    mailbox.deliver(_mail("こんにちは", "壊れています。", "iso-2022-jp", "jiro@softbank.ne.jp"))

    call_command("mail_intake", "--once")

    assert not Report.objects.exists()
    assert smtp_server.messages == []  # nobody is answered
    held = mailbox.messages(mailbox.STAFF_FOLDER)
    assert len(held) == 1
    assert b"X-Machimori-Reason: no sticker code, no photo with a position" in held[0]
    assert len(mailbox.messages(mailbox.PROCESSED_FOLDER)) == 2
    outcomes = sorted(MailSeen.objects.values_list("outcome", flat=True))
    assert outcomes == ["ignored", "ignored", "staff"]


def test_carrier_addresses_and_charsets():
    assert mail.address_ok("hanako..izumo.@docomo.ne.jp")
    assert mail.address_ok("a.b-c_d@ezweb.ne.jp")
    assert not mail.address_ok("no at sign")
    assert not mail.address_ok("two words@example.jp")
    assert not mail.address_ok("x@localhost")
    assert mail.language_of("電灯が点かない") == "ja"
    assert mail.language_of("가로등이 꺼졌어요") == "ko"
    assert mail.language_of("Đèn đường bị hỏng") == "vi"
    assert mail.language_of("O poste está quebrado") == "pt-br"
    assert mail.language_of("路灯不亮了") == "zh-hans"
    assert mail.language_of("The light is out") == "en"


def test_a_sender_is_limited_and_processed_mail_expires(
    imap_settings, smtp_server, poles, settings
):
    import datetime

    from django.utils import timezone

    settings.MAIL_INTAKE_PER_SENDER_DAY = 2
    for _light, label in poles:
        mailbox.deliver(_mail(f"報告 {label.code}", "点かない", "utf-8", "busy@example.jp"))
    call_command("mail_intake", "--once")
    assert Report.objects.filter(source="email").count() == 2
    held = mailbox.messages(mailbox.STAFF_FOLDER)
    assert len(held) == 1 and b"too many reports from this sender today" in held[0]

    # A run after the retention period deletes the processed mail (it holds addresses).
    assert len(mailbox.messages(mailbox.PROCESSED_FOLDER)) == 2
    later = timezone.now() + datetime.timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS + 2)
    counts = mail.mailbox_read(now=later)
    assert counts["deleted"] == 2
    assert mailbox.messages(mailbox.PROCESSED_FOLDER) == []
    assert len(mailbox.messages(mailbox.STAFF_FOLDER)) == 1  # staff decide on those
