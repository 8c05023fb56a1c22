"""The LINE stand-in speaks LINE: the SDK's own parser and clients accept it."""

import json
import re
import uuid

import pytest
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
)

from tests.channels import line_standin as line
from tests.channels.line_standin import LineStandIn

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "channel-access-token-for-tests"
BOT = "U" + "f" * 32


@pytest.fixture
def standin():
    with LineStandIn(TOKEN) as s:
        yield s


def clients(standin, token=TOKEN):
    """The app's way: one Configuration per LINE host, both pointed at the stand-in."""
    api = MessagingApi(ApiClient(Configuration(host=standin.url, access_token=token)))
    blob = MessagingApiBlob(ApiClient(Configuration(host=standin.url, access_token=token)))
    return api, blob


def raw_post(standin, path, payload, *, token=TOKEN):
    """Post a raw body (something the SDK's models would refuse to build)."""
    import urllib.error
    import urllib.request

    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    request = urllib.request.Request(
        standin.url + path,
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# --- webhook side ------------------------------------------------------------


def test_sign_is_lines_hmac():
    # The example of LINE's reference computed independently: base64(HMAC-SHA256(secret, body)).
    import base64
    import hashlib
    import hmac

    body = b'{"destination":"x","events":[]}'
    expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert line.sign(body, SECRET) == expected


def test_sdk_parser_accepts_every_builder():
    user = line.new_user_id()
    events = [
        line.text(user, "道路に穴があります"),
        line.image(user, "468789577898262530"),
        line.location(
            user, 35.681236, 139.767125, title="東京駅", address="東京都千代田区丸の内1丁目"
        ),
        line.location(user, 35.0, 139.0),
        line.postback(user, "action=confirm&report=42"),
        line.follow(user),
        line.unfollow(user),
    ]
    body = line.callback(BOT, *events)
    assert isinstance(body, bytes)
    assert "道路".encode() in body  # UTF-8, not \u-escaped, as LINE sends it

    payload = WebhookParser(SECRET).parse(
        body.decode("utf-8"), line.sign(body, SECRET), as_payload=True
    )
    assert payload.destination == BOT
    parsed = payload.events
    assert [type(e) for e in parsed] == [
        MessageEvent,
        MessageEvent,
        MessageEvent,
        MessageEvent,
        PostbackEvent,
        FollowEvent,
        UnfollowEvent,
    ]
    assert isinstance(parsed[0].message, TextMessageContent)
    assert parsed[0].message.text == "道路に穴があります"
    assert isinstance(parsed[1].message, ImageMessageContent)
    assert parsed[1].message.id == "468789577898262530"
    assert parsed[1].message.content_provider.type == "line"
    assert isinstance(parsed[2].message, LocationMessageContent)
    assert (parsed[2].message.latitude, parsed[2].message.longitude) == (35.681236, 139.767125)
    assert parsed[2].message.title == "東京駅"
    assert parsed[3].message.title is None
    assert parsed[4].postback.data == "action=confirm&report=42"
    assert parsed[5].follow.is_unblocked is False
    for event in parsed:
        assert event.source.user_id == user
        assert event.mode.value == "active"
        assert event.delivery_context.is_redelivery is False
    assert all(e.reply_token for e in parsed[:6])
    assert len({e.webhook_event_id for e in parsed}) == len(parsed)
    assert len({e.reply_token for e in parsed[:6]}) == 6


def test_wire_shape_is_lines():
    user = line.new_user_id()
    body = line.callback(BOT, line.text(user, "hi"), line.location(user, 35.0, 139.5))
    data = json.loads(body)
    assert set(data) == {"destination", "events"}
    event = data["events"][0]
    assert event["type"] == "message"
    assert event["mode"] == "active"
    assert event["deliveryContext"] == {"isRedelivery": False}
    assert event["source"] == {"type": "user", "userId": user}
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", event["webhookEventId"])
    assert isinstance(event["timestamp"], int) and event["timestamp"] > 1_600_000_000_000
    assert re.fullmatch(r"[0-9a-f]{32}", event["replyToken"])
    assert event["message"]["type"] == "text"
    assert event["message"]["quoteToken"]
    assert re.fullmatch(r"\d{18}", event["message"]["id"])
    assert "title" not in data["events"][1]["message"]  # absent, not null
    assert line.callback(BOT) == b'{"destination":"' + BOT.encode() + b'","events":[]}'


def test_redelivered_keeps_the_event_id():
    user = line.new_user_id()
    first = line.text(user, "hi")
    again = line.redelivered(first)
    assert first.delivery_context.is_redelivery is False
    assert again.delivery_context.is_redelivery is True
    assert again.webhook_event_id == first.webhook_event_id
    assert again.reply_token == first.reply_token
    body = line.callback(BOT, again)
    assert json.loads(body)["events"][0]["deliveryContext"] == {"isRedelivery": True}
    (parsed,) = WebhookParser(SECRET).parse(body.decode(), line.sign(body, SECRET))
    assert parsed.delivery_context.is_redelivery is True


def test_parser_refuses_a_wrong_signature():
    body = line.callback(BOT, line.text(line.new_user_id(), "hi"))
    with pytest.raises(InvalidSignatureError):
        WebhookParser(SECRET).parse(body.decode(), line.sign(body, "another-secret"))
    with pytest.raises(InvalidSignatureError):
        WebhookParser(SECRET).parse(body.decode(), line.sign(body + b" ", SECRET))


def test_builders_refuse_user_ids_line_would_not_send():
    with pytest.raises(ValueError, match="not a LINE user ID"):
        line.text("Ualice", "hi")


# --- API side ----------------------------------------------------------------


def test_reply_once_per_token(standin):
    api, _ = clients(standin)
    event = standin.text(line.new_user_id(), "hi")
    request = ReplyMessageRequest(
        reply_token=event.reply_token,
        messages=[
            TextMessage(
                text="受け付けました",
                quick_reply=QuickReply(
                    items=[
                        QuickReplyItem(
                            action=PostbackAction(label="OK", data="ok", display_text="OK")
                        )
                    ]
                ),
            )
        ],
    )
    response = api.reply_message(request)
    assert len(response.sent_messages) == 1
    assert response.sent_messages[0].id and response.sent_messages[0].quote_token

    (sent,) = standin.replies
    assert isinstance(sent.request, ReplyMessageRequest)
    assert sent.request.reply_token == event.reply_token
    assert sent.texts == ["受け付けました"]
    assert sent.raw["messages"][0]["quickReply"]["items"][0]["action"]["data"] == "ok"

    with pytest.raises(ApiException) as caught:
        api.reply_message(request)
    assert caught.value.status == 400
    assert json.loads(caught.value.body) == {"message": "Invalid reply token"}
    assert len(standin.replies) == 1


def test_reply_to_an_unknown_or_expired_token(standin):
    api, _ = clients(standin)
    unknown = line.text(line.new_user_id(), "hi")  # not issued by the stand-in
    with pytest.raises(ApiException) as caught:
        api.reply_message(
            ReplyMessageRequest(reply_token=unknown.reply_token, messages=[TextMessage(text="x")])
        )
    assert caught.value.status == 400

    event = standin.postback(line.new_user_id(), "a=1")
    standin.expire_reply_tokens()
    with pytest.raises(ApiException) as caught:
        api.reply_message(
            ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text="x")])
        )
    assert caught.value.status == 400
    assert standin.replies == []


def test_reply_body_is_checked_against_lines_schema(standin):
    token = standin.follow(line.new_user_id()).reply_token
    status, body = raw_post(standin, "/v2/bot/message/reply", b"{not json")
    assert status == 400 and "message" in body
    status, body = raw_post(standin, "/v2/bot/message/reply", {"replyToken": token, "messages": []})
    assert status == 400 and body["message"].startswith("The request body has")
    status, body = raw_post(
        standin,
        "/v2/bot/message/reply",
        {"replyToken": token, "messages": [{"type": "txt", "text": "a"}]},
    )
    assert status == 400
    status, body = raw_post(
        standin,
        "/v2/bot/message/reply",
        {"replyToken": token, "messages": [{"type": "text", "txt": "a"}]},
    )
    assert status == 400
    status, body = raw_post(
        standin,
        "/v2/bot/message/reply",
        {"replyToken": token, "messages": [{"type": "text", "text": "a", "quickreply": {}}]},
    )
    assert status == 400
    assert body["details"] == [
        {"message": "Unknown property", "property": "messages[0].quickreply"}
    ]
    status, body = raw_post(
        standin,
        "/v2/bot/message/reply",
        {"replyToken": token, "messages": [{"type": "text", "text": ""}]},
    )
    assert status == 400
    # None of these used the token up.
    status, body = raw_post(
        standin,
        "/v2/bot/message/reply",
        {"replyToken": token, "messages": [{"type": "text", "text": "a"}]},
    )
    assert status == 200 and len(body["sentMessages"]) == 1


def test_push_and_retry_key(standin):
    api, _ = clients(standin)
    user = line.new_user_id()
    request = PushMessageRequest(to=user, messages=[TextMessage(text="修理が完了しました")])
    key = str(uuid.uuid4())

    response = api.push_message(request, x_line_retry_key=key)
    assert len(response.sent_messages) == 1
    (sent,) = standin.pushes
    assert sent.request.to == user and sent.texts == ["修理が完了しました"]
    assert sent.retry_key == key

    with pytest.raises(ApiException) as caught:
        api.push_message(request, x_line_retry_key=key)
    assert caught.value.status == 409
    assert caught.value.headers["x-line-accepted-request-id"] == sent.request_id
    assert json.loads(caught.value.body)["sentMessages"] == sent.sent_messages
    assert len(standin.pushes) == 1

    api.push_message(request)  # without a key, every push is carried out
    api.push_message(request, x_line_retry_key=str(uuid.uuid4()))
    assert len(standin.pushes) == 3

    with pytest.raises(ApiException) as caught:
        api.push_message(request, x_line_retry_key="not-a-uuid")
    assert caught.value.status == 400
    with pytest.raises(ApiException) as caught:
        api.push_message(PushMessageRequest(to="Ualice", messages=[TextMessage(text="x")]))
    assert caught.value.status == 400


def test_fail_next_for_retries(standin):
    api, _ = clients(standin)
    request = PushMessageRequest(to=line.new_user_id(), messages=[TextMessage(text="x")])
    key = str(uuid.uuid4())

    standin.fail_next("/message/push", 500)
    with pytest.raises(ApiException) as caught:
        api.push_message(request, x_line_retry_key=key)
    assert caught.value.status == 500
    assert standin.pushes == []
    api.push_message(
        request, x_line_retry_key=key
    )  # not accepted the first time: the retry goes through
    assert len(standin.pushes) == 1

    standin.fail_next("/message/push", 429, times=2)
    for _ in range(2):
        with pytest.raises(ApiException) as caught:
            api.push_message(request)
        assert caught.value.status == 429
    api.push_message(request)
    assert len(standin.pushes) == 2

    # A 5xx after LINE took the message: the retry with the same key gets 409.
    key = str(uuid.uuid4())
    standin.fail_next("/message/push", 503, accepted=True)
    with pytest.raises(ApiException) as caught:
        api.push_message(request, x_line_retry_key=key)
    assert caught.value.status == 503
    assert len(standin.pushes) == 3
    with pytest.raises(ApiException) as caught:
        api.push_message(request, x_line_retry_key=key)
    assert caught.value.status == 409

    # A failed reply does not use the token up.
    event = standin.text(line.new_user_id(), "hi")
    standin.fail_next("/message/reply", 500)
    reply = ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text="x")])
    with pytest.raises(ApiException):
        api.reply_message(reply)
    api.reply_message(reply)
    assert len(standin.replies) == 1


def test_profile(standin):
    api, _ = clients(standin)
    user = line.new_user_id()
    standin.profile(
        user, "山田 太郎", picture_url="https://profile.line-scdn.net/abc", status_message="hello"
    )
    profile = api.get_profile(user)
    assert profile.display_name == "山田 太郎"
    assert profile.user_id == user
    assert profile.language == "ja"
    assert profile.picture_url == "https://profile.line-scdn.net/abc"
    assert profile.status_message == "hello"

    with pytest.raises(ApiException) as caught:
        api.get_profile(line.new_user_id())
    assert caught.value.status == 404
    assert json.loads(caught.value.body) == {"message": "Not found"}
    assert ("GET", f"/v2/bot/profile/{user}") in standin.requests


def test_content(standin):
    _, blob = clients(standin)
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"
    standin.content("468789577898262530", photo)
    response = blob.get_message_content_with_http_info("468789577898262530")
    assert bytes(response.data) == photo
    assert response.headers["Content-Type"] == "image/jpeg"
    assert bytes(blob.get_message_content("468789577898262530")) == photo

    with pytest.raises(ApiException) as caught:
        blob.get_message_content("1")
    assert caught.value.status == 404


def test_wrong_token_is_401(standin):
    api, blob = clients(standin, token="wrong")
    user = line.new_user_id()
    standin.profile(user, "x")
    standin.content("1", b"x")
    event = standin.text(user, "hi")
    calls = [
        lambda: api.reply_message(
            ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text="x")])
        ),
        lambda: api.push_message(PushMessageRequest(to=user, messages=[TextMessage(text="x")])),
        lambda: api.get_profile(user),
        lambda: blob.get_message_content("1"),
    ]
    for call in calls:
        with pytest.raises(ApiException) as caught:
            call()
        assert caught.value.status == 401
    assert standin.replies == [] and standin.pushes == []
    # The token was not used up by the refused reply.
    good, _ = clients(standin)
    good.reply_message(
        ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text="x")])
    )


def test_everything_else_is_404(standin):
    api, _ = clients(standin)
    with pytest.raises(ApiException) as caught:
        api.get_bot_info()
    assert caught.value.status == 404
    assert standin.requests[-1] == ("GET", "/v2/bot/info")
