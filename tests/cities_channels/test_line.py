"""LINE with two cities, each with its own channel: a webhook on a city's host is checked
with that city's secret only (the other city's, or the settings', is a bad signature); what
comes in makes that city's reports (its stickers, its assets, its area) and is answered
through its channel; the same LINE user id on both accounts is two conversations; pushes go
through the channel the user reported in and count against that city's cap; the sticker
page offers the host city's account and mailbox."""

import pytest

from accounts.city_host import city_values
from accounts.models import City
from channels.models import LineEvent, LinePushMonth, LineReceipt, LineUser
from reports import services
from reports.models import Report
from tests.channels import line_standin as line
from tests.cities_channels.conftest import (
    ADDRESSES,
    BASIC_IDS,
    SECRETS,
    SETTINGS_SECRET,
    TOKENS,
    line_set_up,
)

pytestmark = pytest.mark.django_db(transaction=True)
DESTINATION = "U" + "e" * 32


def deliver(client, city, *events, secret=None):
    """A webhook call on `city`'s host, signed with its secret unless told otherwise."""
    body = line.callback(DESTINATION, *events)
    signature = line.sign(body, secret or SECRETS[city["row"].slug])
    return client.post(
        "/line/webhook",
        body,
        content_type="application/json",
        headers={"X-Line-Signature": signature},
        HTTP_HOST=city["host"],
    )


def _first_choice(sent):
    return sent.raw["messages"][-1]["quickReply"]["items"][0]["action"]["data"]


def _reported(client, standin, city, user, code=None):
    """A report by LINE on `city`'s host: a sticker code, the first category, send (the
    city's open report of the asset, with a receipt of this user's, as the first category
    is the one already reported)."""
    standin.profile(user, "利用者", language="ja")
    deliver(client, city, standin.text(user, code or city["label"].code))
    deliver(client, city, standin.postback(user, _first_choice(standin.replies[-1])))
    deliver(client, city, standin.postback(user, _first_choice(standin.replies[-1])))
    return LineReceipt.objects.get(line_user__user_id=user).receipt.report


# --- The webhook's signature ------------------------------------------------------------------


@pytest.mark.parametrize(("here", "other"), [("izumo", "matsue"), ("matsue", "izumo")])
def test_a_body_signed_with_the_other_citys_secret_is_refused(
    client, channels, standin, here, other
):
    city = dict(zip(("izumo", "matsue"), channels, strict=True))[here]
    user = line.new_user_id()

    for secret in (SECRETS[other], SETTINGS_SECRET):
        response = deliver(client, city, standin.text(user, city["label"].code), secret=secret)
        assert response.status_code == 401

    assert not LineEvent.objects.exists() and not LineUser.objects.exists()
    assert standin.requests == []
    assert deliver(client, city, standin.follow(user)).status_code == 200
    assert LineEvent.objects.get().city == city["row"]


def test_a_city_without_its_own_channel_has_no_webhook_though_the_settings_have_one(
    client, cities, standin
):
    izumo, matsue = cities
    line_set_up(izumo)
    user = line.new_user_id()

    refused = deliver(client, matsue, standin.follow(user), secret=SETTINGS_SECRET)

    assert refused.status_code == 404
    assert deliver(client, izumo, standin.follow(user)).status_code == 200
    assert LineEvent.objects.get().city == izumo["row"]


# --- What comes in is the host city's -----------------------------------------------------------


def test_a_report_by_line_on_matsues_host_is_matsues_and_answered_through_its_channel(
    client, channels, standin
):
    _izumo, matsue = channels
    user = line.new_user_id()
    deliver(client, matsue, standin.follow(user))
    assert "松江市" in standin.replies[-1].texts[0]

    report = _reported(client, standin, matsue, user)

    assert report.asset == matsue["asset"] and report.owner.city == matsue["row"]
    assert "https://matsue.test/r/" in standin.replies[-1].texts[0]
    assert {sent.token for sent in standin.replies} == {TOKENS["matsue"]}
    assert {token for _path, token in standin.request_tokens} == {TOKENS["matsue"]}
    assert LineReceipt.objects.get().line_user.city == matsue["row"]


def test_izumos_sticker_is_unknown_to_matsues_account(client, channels, standin):
    izumo, matsue = channels
    user = line.new_user_id()
    standin.profile(user, "利用者")

    deliver(client, matsue, standin.text(user, izumo["label"].code))

    answer = standin.replies[-1].texts[0]
    assert "ステッカー" in answer and izumo["asset"].ledger_id not in answer
    assert LineUser.objects.get().state == {}  # nothing of Izumo's asset kept
    assert not LineReceipt.objects.exists()


def test_a_place_in_izumo_sent_to_matsues_account_is_outside_its_area(client, channels, standin):
    izumo, matsue = channels
    user = line.new_user_id()
    standin.profile(user, "利用者")
    lon, lat = izumo["asset"].geom.x, izumo["asset"].geom.y

    deliver(client, matsue, standin.location(user, lat, lon))
    offered = standin.replies[-1]
    assert izumo["asset"].ledger_id not in str(offered.raw)  # no asset of Izumo is offered
    deliver(client, matsue, standin.postback(user, _first_choice(offered)))
    deliver(client, matsue, standin.postback(user, _first_choice(standin.replies[-1])))

    answer = standin.replies[-1].texts[0]
    assert "outside_area" in answer and "0852-55-5555" in answer  # Matsue's phone
    assert not Report.objects.filter(source="line").exists() and not LineReceipt.objects.exists()


def test_the_same_line_user_id_in_two_cities_is_two_conversations(client, channels, standin):
    izumo, matsue = channels
    user = line.new_user_id()
    standin.profile(user, "利用者")

    deliver(client, izumo, standin.text(user, izumo["label"].code))
    deliver(client, matsue, standin.follow(user))

    at_izumo = LineUser.objects.get(city=izumo["row"], user_id=user)
    at_matsue = LineUser.objects.get(city=matsue["row"], user_id=user)
    assert at_izumo.state["step"] == "category" and at_matsue.state == {}
    # Izumo's conversation goes on where it was, whatever was said to Matsue's account.
    deliver(client, izumo, standin.postback(user, _first_choice(standin.replies[-2])))
    deliver(client, izumo, standin.postback(user, _first_choice(standin.replies[-1])))
    held = LineReceipt.objects.get()
    assert held.line_user == at_izumo and held.receipt.report.asset == izumo["asset"]


def test_an_event_id_seen_at_one_city_is_not_dropped_at_the_other(client, channels, standin):
    izumo, matsue = channels
    event = standin.follow(line.new_user_id())

    deliver(client, izumo, event)
    standin.issue_reply_token(event.reply_token)  # good for one more reply
    deliver(client, matsue, event)

    assert LineEvent.objects.filter(event_id=event.webhook_event_id).count() == 2
    assert [sent.token for sent in standin.replies] == [TOKENS["izumo"], TOKENS["matsue"]]


# --- Pushes without a request ---------------------------------------------------------------


@pytest.mark.parametrize(("here", "other"), [("izumo", "matsue"), ("matsue", "izumo")])
def test_a_push_goes_through_the_reports_city_channel_and_counts_against_its_cap(
    client, channels, standin, here, other
):
    cities = dict(zip(("izumo", "matsue"), channels, strict=True))
    city, elsewhere = cities[here], cities[other]
    line_set_up(elsewhere, line_push_monthly_cap=0)  # the other city's cap is spent
    report = _reported(client, standin, city, line.new_user_id())

    services.report_fix(report=report, acting_user=city["manager"])

    (pushed,) = standin.pushes
    assert pushed.token == TOKENS[here]
    assert f"https://{here}.test/r/" in pushed.texts[0] and other not in pushed.texts[0]
    counted = LinePushMonth.objects.get()
    assert (counted.city, counted.count, counted.refused) == (city["row"], 1, 0)


def test_a_city_at_its_cap_pushes_nothing_while_the_other_still_does(client, channels, standin):
    izumo, matsue = channels
    line_set_up(izumo, line_push_monthly_cap=0)
    at_izumo = _reported(client, standin, izumo, line.new_user_id())
    at_matsue = _reported(client, standin, matsue, line.new_user_id())

    services.report_fix(report=at_izumo, acting_user=izumo["manager"])
    services.report_fix(report=at_matsue, acting_user=matsue["manager"])

    assert [sent.token for sent in standin.pushes] == [TOKENS["matsue"]]
    assert LinePushMonth.objects.get(city=izumo["row"]).refused == 1
    assert LinePushMonth.objects.get(city=matsue["row"]).count == 1


# --- The sticker page and the admin --------------------------------------------------------


def test_the_sticker_page_offers_the_host_citys_line_account_and_mailbox(client, channels):
    for city, other in (channels, channels[::-1]):
        slug, other_slug = city["row"].slug, other["row"].slug
        line_set_up(city, mail_host="127.0.0.1", mail_user=slug, mail_address=ADDRESSES[slug])

        page = client.get(f"/q/{city['label'].code}", HTTP_HOST=city["host"])

        html = page.content.decode()
        assert page.status_code == 200
        assert f"line.me/R/oaMessage/{BASIC_IDS[slug]}/" in html.replace("%40", "@")
        assert f"mailto:{ADDRESSES[slug]}" in html
        assert BASIC_IDS[other_slug] not in html.replace("%40", "@")
        assert ADDRESSES[other_slug] not in html and "@settings0" not in html


def test_secrets_are_never_shown_nor_logged(client, channels):
    from django.contrib.auth import get_user_model

    izumo, _matsue = channels
    row = City.objects.get(pk=izumo["row"].pk)
    row.mail_host, row.mail_user, row.mail_password = "imap.izumo.test", "reports", "pw-imap-1"
    row.save()
    root = get_user_model().objects.create_superuser("root", "root@example.jp", "pw-Root-2026")
    client.force_login(root)

    listed = client.get("/admin/accounts/city/", HTTP_HOST=izumo["host"]).content.decode()
    form = client.get(f"/admin/accounts/city/{row.pk}/change/", HTTP_HOST=izumo["host"])

    html = form.content.decode()
    assert form.status_code == 200
    for secret in (SECRETS["izumo"], TOKENS["izumo"], "pw-imap-1"):
        assert secret not in html and secret not in listed
        assert secret not in repr(city_values(row))
    assert 'name="line_channel_secret"' in html and 'type="password"' in html


def test_a_secret_left_empty_is_kept_and_a_dash_removes_it(channels):
    izumo, _matsue = channels
    row = City.objects.get(pk=izumo["row"].pk)
    field = City._meta.get_field("line_channel_secret")
    formfield = field.formfield()
    assert formfield.widget.input_type == "password" and not formfield.widget.render_value
    assert not formfield.required and not formfield.has_changed(SECRETS["izumo"], "")

    field.save_form_data(row, "")
    assert row.line_channel_secret == SECRETS["izumo"]
    field.save_form_data(row, " new-secret ")
    assert row.line_channel_secret == "new-secret"
    field.save_form_data(row, "-")
    assert row.line_channel_secret == ""
    row.save()
    assert city_values(row).line is None  # the channel is off
