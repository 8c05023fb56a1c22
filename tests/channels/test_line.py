"""Reports by LINE, against a local stand-in of the Messaging API built from the SDK's own
models, with webhooks signed as LINE signs them: a sticker code and a photo make a report
on the right asset with the photo; a location offers the nearest assets; a bad or missing
signature gets 401 and writes nothing; a redelivered event makes nothing new; a status
change pushes one message in the user's language, none after an unfollow, none beyond the
month's cap; with no channel set up the webhook is 404."""

import json

import pytest

from channels.models import LineEvent, LinePushMonth, LineReceipt, LineUser
from reports import services
from reports.models import Photo, Report
from tests import factories
from tests.channels import line_standin as line
from tests.channels.conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)
DESTINATION = "U" + "f" * 32


def deliver(client, *events, secret=SECRET, signature=None):
    body = line.callback(DESTINATION, *events)
    return client.post(
        "/line/webhook",
        body,
        content_type="application/json",
        headers={"X-Line-Signature": line.sign(body, secret) if signature is None else signature},
    )


def data_of(reply, label):
    """The postback data of the quick reply with this label."""
    for item in reply.raw["messages"][-1]["quickReply"]["items"]:
        if item["action"]["label"] == label:
            return item["action"]["data"]
    raise AssertionError(f"no quick reply {label!r} in {reply.raw}")


def first_choice(reply):
    return reply.raw["messages"][-1]["quickReply"]["items"][0]["action"]["data"]


def labels_of(reply):
    return [i["action"]["label"] for i in reply.raw["messages"][-1]["quickReply"]["items"]]


def test_a_sticker_code_and_a_photo_make_a_report_on_the_asset(client, standin, poles):
    light, label = poles[1]
    user = line.new_user_id()
    standin.profile(user, "出雲 花子", language="ja")
    photo = factories.jpeg_with_gps(35.36001, 132.75021).getvalue()
    standin.content("m-photo-1", photo)

    assert deliver(client, standin.follow(user)).status_code == 200
    assert "ステッカー" in standin.replies[-1].texts[0]
    # The code as typed off the sticker: lower case, a dash, O for 0.
    typed = label.code.lower().replace("0", "o")
    deliver(client, standin.text(user, f"{typed[:4]}-{typed[4:]}"))
    asked = standin.replies[-1]
    assert light.ledger_id in asked.texts[0]
    assert "夜間に点灯しない" in labels_of(asked)
    deliver(client, standin.image(user, "m-photo-1"))
    assert "写真を受け取りました" in standin.replies[-1].texts[0]
    deliver(client, standin.postback(user, data_of(asked, "夜間に点灯しない")))
    confirm = standin.replies[-1]
    assert "LINEの表示名" in confirm.texts[0]  # what is kept, and why
    deliver(client, standin.postback(user, data_of(confirm, "送信する")))

    report = Report.objects.get()
    assert (report.asset, report.source, report.category.code) == (light, "line", "lamp-out")
    assert report.label_code == label.code
    assert report.contact_name == "出雲 花子"  # private, deleted with the contacts
    assert report.photos.count() == 1 and not Photo.objects.filter(report__isnull=True).exists()
    done = standin.replies[-1].texts[0]
    assert report.number in done and "/r/" in done
    assert LineReceipt.objects.get().receipt.report == report


def test_a_location_offers_the_nearest_assets_within_30_m(client, standin, poles):
    user = line.new_user_id()
    standin.profile(user, "Ana", language="pt-BR")
    # Between the first and second pole, nearer the first; the third is 40 m away.
    deliver(client, standin.location(user, 35.36000, 132.75008))
    offered = standin.replies[-1]
    offers = labels_of(offered)
    assert "BH-0000" in offers[0] and "BH-0001" in offers[1]
    assert len(labels_of(offered)) == 3  # two assets and "none of these"
    deliver(client, standin.postback(user, data_of(offered, labels_of(offered)[0])))
    categories = standin.replies[-1]
    deliver(client, standin.postback(user, first_choice(categories)))
    deliver(client, standin.postback(user, first_choice(standin.replies[-1])))
    report = Report.objects.get()
    assert report.asset == poles[0][0] and report.language == "pt-br"


def test_a_bad_or_missing_signature_gets_401_and_writes_nothing(client, standin, poles):
    user = line.new_user_id()
    assert deliver(client, standin.text(user, poles[0][1].code), secret="wrong").status_code == 401
    assert deliver(client, standin.text(user, poles[0][1].code), signature="").status_code == 401
    forged = deliver(client, standin.text(user, "x"), signature="bm90IGEgc2lnbmF0dXJl")
    assert forged.status_code == 401
    assert not LineEvent.objects.exists() and not LineUser.objects.exists()
    assert standin.requests == []


def test_no_channel_no_webhook(client, settings, catalogue):
    settings.LINE_CHANNEL_SECRET = ""
    body = line.callback(DESTINATION, line.follow(line.new_user_id()))
    response = client.post(
        "/line/webhook",
        body,
        content_type="application/json",
        headers={"X-Line-Signature": line.sign(body, SECRET)},
    )
    assert response.status_code == 404


def test_a_redelivered_event_makes_nothing_new(client, standin, poles):
    user = line.new_user_id()
    standin.profile(user, "太郎")
    deliver(client, standin.text(user, poles[2][1].code))
    asked = standin.replies[-1]
    deliver(client, standin.postback(user, data_of(asked, "夜間に点灯しない")))
    send = line.postback(user, data_of(standin.replies[-1], "送信する"), standin=standin)
    deliver(client, send)
    assert Report.objects.count() == 1
    replies = len(standin.replies)
    # LINE did not hear our 200 in time: the same events again, marked as redelivered.
    assert deliver(client, line.redelivered(send)).status_code == 200
    assert deliver(client, line.redelivered(send), line.redelivered(send)).status_code == 200
    assert Report.objects.count() == 1 and len(standin.replies) == replies
    assert LineEvent.objects.count() == 3


def _reported(client, standin, poles, user, language="ja"):
    standin.profile(user, "利用者", language=language)
    deliver(client, standin.text(user, poles[0][1].code))
    asked = standin.replies[-1]
    deliver(client, standin.postback(user, first_choice(asked)))
    deliver(client, standin.postback(user, first_choice(standin.replies[-1])))
    return Report.objects.latest("id")


def test_a_fixed_report_pushes_one_message_in_the_users_language(client, standin, poles, manager):
    report = _reported(client, standin, poles, line.new_user_id(), language="en")
    services.report_accept(report=report, acting_user=manager)
    assert standin.pushes == []  # accepting is not worth a paid message
    services.report_fix(report=report, acting_user=manager)
    assert len(standin.pushes) == 1
    pushed = standin.pushes[0]
    assert pushed.raw["to"] == LineUser.objects.get().user_id
    assert report.number in pushed.texts[0] and "has been fixed" in pushed.texts[0]
    assert "/r/" in pushed.texts[0] and pushed.retry_key
    assert LinePushMonth.objects.get().count == 1


def test_no_push_after_unfollow_nor_beyond_the_cap(client, standin, poles, manager, settings):
    first, second = line.new_user_id(), line.new_user_id()
    one = _reported(client, standin, poles, first)
    deliver(client, line.unfollow(first))
    services.report_fix(report=one, acting_user=manager)
    assert standin.pushes == []
    settings.LINE_PUSH_MONTHLY_CAP = 0
    two = _reported(client, standin, poles[1:], second)
    services.report_fix(report=two, acting_user=manager)
    assert standin.pushes == [] and LinePushMonth.objects.get().refused == 1


def test_a_mistyped_code_is_never_guessed(client, standin, poles):
    user = line.new_user_id()
    standin.profile(user, "太郎")
    code = poles[0][1].code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    deliver(client, standin.text(user, wrong))
    assert "誤り" in standin.replies[-1].texts[0] or "typo" in standin.replies[-1].texts[0]
    assert not Report.objects.exists()
    events = [json.loads(json.dumps(e.payload)) for e in LineEvent.objects.all()]
    assert all(e["type"] == "message" for e in events)


def test_line_users_are_forgotten_with_the_reports_contacts(client, standin, poles, manager):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from reports import privacy

    report = _reported(client, standin, poles, line.new_user_id())
    services.report_fix(report=report, acting_user=manager)
    assert LineUser.objects.get().display_name == "利用者"
    Report.objects.filter(pk=report.pk).update(
        ended_at=timezone.now() - datetime.timedelta(days=400)
    )
    privacy.reports_purge_contacts()
    LineUser.objects.update(updated_at=timezone.now() - datetime.timedelta(days=400))
    call_command("channels_housekeeping")
    assert not LineReceipt.objects.exists() and not LineUser.objects.exists()
    assert Report.objects.get().contact_name == ""


def test_staff_see_the_channel_and_the_line_name(client, standin, poles, manager):
    from tests.conftest import client_for

    report = _reported(client, standin, poles, line.new_user_id())
    staff = client_for(manager)
    page = staff.get(f"/manage/reports/{report.number}/").content.decode()
    assert "LINE" in page and "利用者" in page  # the channel, and the name as a contact
    listed = staff.get("/manage/queue/", {"source": "line"}).content.decode()
    assert report.number in listed
    assert report.number not in staff.get("/manage/queue/", {"source": "email"}).content.decode()


def test_a_report_passed_to_another_owner_is_pushed(client, standin, poles, manager, city):
    report = _reported(client, standin, poles, line.new_user_id())
    services.report_forward(report=report, to=city["parks"], acting_user=manager)
    assert len(standin.pushes) == 1
    assert city["parks"].name in standin.pushes[0].texts[0]


def test_an_event_kept_but_never_handled_is_handed_over_again(client, standin, poles):
    """A process that died between keeping an event and handing it on: LINE's redelivery
    stops at the kept event, so the daily housekeeping hands it to the workers again."""
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    user = line.new_user_id()
    standin.profile(user, "太郎")
    event = standin.text(user, poles[0][1].code)
    kept = LineEvent.objects.create(
        event_id=event.webhook_event_id,
        kind="message",
        payload=json.loads(event.to_json()),
        received_at=timezone.now() - datetime.timedelta(hours=1),
    )
    call_command("channels_housekeeping")
    kept.refresh_from_db()
    assert kept.handled_at is not None and kept.error == ""
    assert poles[0][0].ledger_id in standin.replies[-1].texts[0]
