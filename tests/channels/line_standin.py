"""A local stand-in for the LINE Messaging API, and the webhook side of LINE.

LINE cannot be reached from the test machines, so :class:`LineStandIn` serves,
on one loopback port, the endpoints of both LINE hosts the app uses
(``api.line.me`` for :class:`linebot.v3.messaging.MessagingApi`, ``api-data.line.me``
for :class:`linebot.v3.messaging.MessagingApiBlob`):

- ``POST /v2/bot/message/reply``
- ``POST /v2/bot/message/push``
- ``GET /v2/bot/profile/{userId}``
- ``GET /v2/bot/message/{messageId}/content``

Request bodies are parsed with the SDK's own models (``ReplyMessageRequest``,
``PushMessageRequest``), so what the app sends is checked against LINE's schema;
responses are built with the SDK's response models. Errors answer LINE's way: a
status and ``{"message": ...}``.

The webhook side builds the JSON bodies LINE posts to the app's webhook, with the
SDK's webhook models (camelCase keys as LINE sends them), and :func:`sign` computes
their ``X-Line-Signature``. Each event that carries a reply token issues a fresh
one; given the stand-in (``standin=`` or through the stand-in's methods of the same
names), that token becomes valid for exactly one reply.

The app reaches the stand-in by pointing the SDK clients' ``Configuration.host``
at :attr:`LineStandIn.url` (the SDK uses ``Configuration.host``, when set, instead of
each operation's own host, for both clients)::

    api = MessagingApi(ApiClient(Configuration(host=standin.url, access_token=token)))
    blob = MessagingApiBlob(ApiClient(Configuration(host=standin.url, access_token=token)))
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from linebot.v3.messaging import (
    ErrorDetail,
    ErrorResponse,
    PushMessageRequest,
    PushMessageResponse,
    ReplyMessageRequest,
    ReplyMessageResponse,
    SentMessage,
    UserProfileResponse,
)
from linebot.v3.webhooks import (
    CallbackRequest,
    ContentProvider,
    DeliveryContext,
    Event,
    EventMode,
    FollowDetail,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackContent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

__all__ = [
    "LineStandIn",
    "Sent",
    "callback",
    "follow",
    "image",
    "location",
    "new_user_id",
    "postback",
    "redelivered",
    "sign",
    "text",
    "unfollow",
]

# User, group and room IDs as LINE issues them.
_ID_RE = re.compile(r"^[UCR][0-9a-f]{32}$")
_USER_ID_RE = re.compile(r"^U[0-9a-f]{32}$")
_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Message types that LINE gives a quote token when sent.
_QUOTABLE = {"text", "textV2", "sticker", "image", "video", "audio", "location", "flex"}

_FAILURE_MESSAGES = {
    400: "Bad request",
    401: (
        "Authentication failed. Confirm that the access token in the authorization header is valid."
    ),
    403: "Not authorized to use this endpoint.",
    404: "Not found",
    409: "The retry key is already accepted",
    429: "The API rate limit has been exceeded. Try again later.",
    500: "An error occurred in the backend",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


# --- identifiers -------------------------------------------------------------


def new_user_id() -> str:
    """A fresh LINE user ID (``U`` and 32 hex digits)."""
    return "U" + secrets.token_hex(16)


def _ulid() -> str:
    """A ULID: 48 bits of milliseconds and 80 random bits, Crockford base32, 26 characters."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def _message_id() -> str:
    """A message ID shaped like LINE's (a decimal number of 18 digits, as a string)."""
    return str(secrets.randbelow(9 * 10**17) + 10**17)


def _quote_token() -> str:
    return secrets.token_urlsafe(96)


def _reply_token() -> str:
    return secrets.token_hex(16)


def _check_user_id(user_id: str) -> None:
    if not isinstance(user_id, str) or not _USER_ID_RE.match(user_id):
        raise ValueError(
            f"{user_id!r} is not a LINE user ID (U and 32 hex digits); use new_user_id()"
        )


# --- webhook side ------------------------------------------------------------


def sign(body: bytes, channel_secret: str) -> str:
    """The ``X-Line-Signature`` LINE sends with ``body``: base64 of HMAC-SHA256 of the raw body."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def callback(destination: str, *events: Event) -> bytes:
    """The webhook request body LINE posts, ``{"destination": ..., "events": [...]}``, as bytes.

    ``destination`` is the bot's user ID (``U`` and 32 hex digits). With no events this is
    the body of LINE's "Verify" call. The JSON is compact and not ASCII-escaped, as LINE's is.
    """
    request = CallbackRequest(destination=destination, events=list(events))
    payload = request.to_dict()
    payload["events"] = [event.to_dict() for event in events]  # keep an empty list
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _common(user_id: str) -> dict[str, Any]:
    _check_user_id(user_id)
    return {
        "source": UserSource(type="user", user_id=user_id),
        "timestamp": int(time.time() * 1000),
        "mode": EventMode.ACTIVE,
        "webhook_event_id": _ulid(),
        "delivery_context": DeliveryContext(is_redelivery=False),
    }


def _issue(standin: LineStandIn | None) -> str:
    return standin.issue_reply_token() if standin is not None else _reply_token()


def text(user_id: str, text: str, *, standin: LineStandIn | None = None) -> MessageEvent:
    """A message event with a text message from ``user_id``."""
    message = TextMessageContent(
        type="text", id=_message_id(), text=text, quote_token=_quote_token()
    )
    return MessageEvent(
        type="message", reply_token=_issue(standin), message=message, **_common(user_id)
    )


def image(
    user_id: str, message_id: str | None = None, *, standin: LineStandIn | None = None
) -> MessageEvent:
    """A message event with an image from LINE (bytes: ``standin.content(message_id, ...)``)."""
    message = ImageMessageContent(
        type="image",
        id=message_id or _message_id(),
        content_provider=ContentProvider(type="line"),
        quote_token=_quote_token(),
    )
    return MessageEvent(
        type="message", reply_token=_issue(standin), message=message, **_common(user_id)
    )


def location(
    user_id: str,
    lat: float,
    lon: float,
    title: str | None = None,
    address: str | None = None,
    *,
    standin: LineStandIn | None = None,
) -> MessageEvent:
    """A message event with a location message (``title`` and ``address`` left out when None)."""
    message = LocationMessageContent(
        type="location", id=_message_id(), latitude=lat, longitude=lon, title=title, address=address
    )
    return MessageEvent(
        type="message", reply_token=_issue(standin), message=message, **_common(user_id)
    )


def postback(user_id: str, data: str, *, standin: LineStandIn | None = None) -> PostbackEvent:
    """A postback event (a tapped postback action) carrying ``data``."""
    return PostbackEvent(
        type="postback",
        reply_token=_issue(standin),
        postback=PostbackContent(data=data),
        **_common(user_id),
    )


def follow(user_id: str, *, standin: LineStandIn | None = None) -> FollowEvent:
    """A follow event: ``user_id`` added the account as a friend (``isUnblocked: false``)."""
    return FollowEvent(
        type="follow",
        reply_token=_issue(standin),
        follow=FollowDetail(is_unblocked=False),
        **_common(user_id),
    )


def unfollow(user_id: str) -> UnfollowEvent:
    """An unfollow event: ``user_id`` blocked the account. It has no reply token."""
    return UnfollowEvent(type="unfollow", **_common(user_id))


def redelivered(event: Event) -> Event:
    """The same event (same ``webhookEventId``, timestamp and reply token) redelivered by LINE.

    The reply token is not issued again: if the first delivery used it, a reply to the
    redelivered event fails like LINE's (400 "Invalid reply token").
    """
    again = event.copy(deep=True)
    again.delivery_context = DeliveryContext(is_redelivery=True)
    return again


# --- API side ----------------------------------------------------------------


@dataclass
class Sent:
    """One accepted reply or push: the SDK request object, the raw JSON and the request headers."""

    request: ReplyMessageRequest | PushMessageRequest
    raw: dict[str, Any]
    headers: dict[str, str]
    request_id: str
    sent_messages: list[dict[str, str]] = field(default_factory=list)

    @property
    def messages(self) -> list[Any]:
        """The SDK message objects (``TextMessage``, ``FlexMessage``...)."""
        return list(self.request.messages)

    @property
    def texts(self) -> list[str]:
        """The ``text`` of each text message, in order."""
        return [m["text"] for m in self.raw["messages"] if m.get("type") == "text"]

    @property
    def retry_key(self) -> str | None:
        return self.headers.get("x-line-retry-key")

    @property
    def token(self) -> str:
        """The channel access token it was sent with: which channel sent it."""
        return self.headers.get("authorization", "").removeprefix("Bearer ")


@dataclass
class _Failure:
    fragment: str
    status: int
    accepted: bool
    body: dict[str, Any] | None


class _Answer(Exception):
    """Raised inside the handler to answer at once."""

    def __init__(
        self, status: int, body: Any, content_type: str = "application/json", headers=None
    ):
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}


def _error(
    status: int, message: str, details: list[tuple[str | None, str]] | None = None, **extra
) -> _Answer:
    response = ErrorResponse(
        message=message,
        details=[ErrorDetail(var_property=prop, message=msg) for prop, msg in details]
        if details
        else None,
        **extra,
    )
    return _Answer(status, response.to_dict())


def _unknown_keys(raw: Any, dumped: Any, path: str = "") -> list[str]:
    """Keys present in ``raw`` that the SDK model dropped (not part of LINE's schema)."""
    found: list[str] = []
    if isinstance(raw, dict) and isinstance(dumped, dict):
        for key, value in raw.items():
            where = f"{path}.{key}" if path else key
            if key not in dumped:
                found.append(where)
            else:
                found.extend(_unknown_keys(value, dumped[key], where))
    elif isinstance(raw, list) and isinstance(dumped, list):
        for index, (a, b) in enumerate(zip(raw, dumped, strict=False)):
            found.extend(_unknown_keys(a, b, f"{path}[{index}]"))
    return found


class LineStandIn:
    """The LINE Messaging API on ``127.0.0.1``, an ephemeral port, in a daemon thread.

    Use it as a context manager; :attr:`url` is the base URL for both LINE hosts.

    ``strict`` (default True) also refuses request bodies with keys the SDK's models do
    not know (a misspelt ``quickReply``...), with 400, where LINE may ignore them.

    ``other_tokens`` are the access tokens of further channels it answers for (several
    cities' accounts); :attr:`request_tokens` says which token each request came with.
    """

    def __init__(
        self,
        channel_access_token: str = "test-channel-access-token",
        *,
        strict: bool = True,
        other_tokens: tuple[str, ...] = (),
    ):
        self.channel_access_token = channel_access_token
        self.other_tokens = tuple(other_tokens)
        self.request_tokens: list[tuple[str, str]] = []  # (path, bearer token)
        self.strict = strict
        self.replies: list[Sent] = []
        self.pushes: list[Sent] = []
        self.requests: list[tuple[str, str]] = []
        self._profiles: dict[str, UserProfileResponse] = {}
        self._contents: dict[str, tuple[bytes, str]] = {}
        self._valid_reply_tokens: set[str] = set()
        self._retry_keys: dict[str, Sent] = {}
        self._failures: list[_Failure] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> LineStandIn:
        handler = type("_BoundHandler", (_Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="line-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
            self._thread = None

    def __enter__(self) -> LineStandIn:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the value for ``LINE_API_URL`` and ``LINE_API_DATA_URL``."""
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # what the test registers

    def profile(
        self,
        user_id: str,
        display_name: str,
        language: str | None = "ja",
        *,
        picture_url: str | None = None,
        status_message: str | None = None,
    ) -> None:
        """Make ``GET /v2/bot/profile/{user_id}`` answer this profile (None fields are left out)."""
        _check_user_id(user_id)
        with self._lock:
            self._profiles[user_id] = UserProfileResponse(
                display_name=display_name,
                user_id=user_id,
                picture_url=picture_url,
                status_message=status_message,
                language=language,
            )

    def content(self, message_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        """Make ``GET /v2/bot/message/{message_id}/content`` answer ``data``, ``content_type``."""
        with self._lock:
            self._contents[str(message_id)] = (bytes(data), content_type)

    def issue_reply_token(self, token: str | None = None) -> str:
        """Register a reply token as valid for one reply; the builders call this."""
        token = token or _reply_token()
        with self._lock:
            self._valid_reply_tokens.add(token)
        return token

    def expire_reply_tokens(self, *tokens: str) -> None:
        """Make these reply tokens (all when none given) invalid, as LINE does after a while."""
        with self._lock:
            if tokens:
                self._valid_reply_tokens.difference_update(tokens)
            else:
                self._valid_reply_tokens.clear()

    def fail_next(
        self,
        path_fragment: str,
        status: int,
        *,
        times: int = 1,
        accepted: bool = False,
        body: dict | None = None,
    ) -> None:
        """Make the next ``times`` calls whose path contains ``path_fragment`` answer ``status``.

        With ``accepted=False`` (default) the call has no effect, as with a 429 or most 5xx.
        With ``accepted=True`` the call is carried out (recorded, reply token used, retry key
        accepted) and only the answer is the failure: a 5xx after LINE took the message, so a
        retry with the same ``X-Line-Retry-Key`` gets 409. ``body`` replaces the error JSON.
        """
        with self._lock:
            for _ in range(times):
                self._failures.append(_Failure(path_fragment, status, accepted, body))

    # the webhook builders, issuing reply tokens this stand-in accepts

    def text(self, user_id: str, message: str) -> MessageEvent:
        return text(user_id, message, standin=self)

    def image(self, user_id: str, message_id: str | None = None) -> MessageEvent:
        return image(user_id, message_id, standin=self)

    def location(
        self,
        user_id: str,
        lat: float,
        lon: float,
        title: str | None = None,
        address: str | None = None,
    ) -> MessageEvent:
        return location(user_id, lat, lon, title, address, standin=self)

    def postback(self, user_id: str, data: str) -> PostbackEvent:
        return postback(user_id, data, standin=self)

    def follow(self, user_id: str) -> FollowEvent:
        return follow(user_id, standin=self)

    def unfollow(self, user_id: str) -> UnfollowEvent:
        return unfollow(user_id)

    # request handling (called from the server's threads)

    def _take_failure(self, path: str) -> _Failure | None:
        with self._lock:
            for index, failure in enumerate(self._failures):
                if failure.fragment in path:
                    return self._failures.pop(index)
        return None

    def _check_auth(self, headers) -> None:
        value = headers.get("Authorization")
        if not value or not value.startswith("Bearer "):
            raise _error(
                401,
                "Authorization header required. "
                "Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
            )
        given = value[len("Bearer ") :]
        tokens = (self.channel_access_token, *self.other_tokens)
        if not any(hmac.compare_digest(given, token) for token in tokens):
            raise _error(401, _FAILURE_MESSAGES[401])

    def _parse(self, model, body: bytes):
        try:
            raw = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _error(
                400, "The request body has 1 error(s)", [(None, f"Invalid JSON: {exc}")]
            ) from None
        try:
            request = model.from_dict(raw)
            if request is None or not isinstance(raw, dict):
                raise ValueError("the request body must be a JSON object")
        except Exception as exc:  # pydantic ValidationError, discriminator ValueError, TypeError...
            errors = getattr(exc, "errors", None)
            if callable(errors):
                details = [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in errors()]
            else:
                details = [(None, str(exc))]
            raise _error(400, f"The request body has {len(details)} error(s)", details) from None
        details = []
        if self.strict:
            details += [(key, "Unknown property") for key in _unknown_keys(raw, request.to_dict())]
        for index, message in enumerate(raw.get("messages") or []):
            if isinstance(message, dict) and message.get("type") == "text":
                length = len(message.get("text") or "")
                if not 1 <= length <= 5000:
                    details.append((f"messages[{index}].text", "Length must be between 1 and 5000"))
        if details:
            raise _error(400, f"The request body has {len(details)} error(s)", details)
        return request, raw

    @staticmethod
    def _sent_messages(raw: dict) -> list[dict[str, str]]:
        sent = []
        for message in raw["messages"]:
            entry = {"id": _message_id()}
            if message.get("type") in _QUOTABLE:
                entry["quoteToken"] = _quote_token()
            sent.append(entry)
        return sent

    def _reply(self, headers, body: bytes, request_id: str) -> _Answer:
        self._check_auth(headers)
        if headers.get("X-Line-Retry-Key") is not None:
            raise _error(400, "X-Line-Retry-Key is not supported by this endpoint")
        request, raw = self._parse(ReplyMessageRequest, body)
        with self._lock:
            if request.reply_token not in self._valid_reply_tokens:
                raise _error(400, "Invalid reply token")
            self._valid_reply_tokens.discard(request.reply_token)
            sent = Sent(request, raw, _lower(headers), request_id, self._sent_messages(raw))
            self.replies.append(sent)
        response = ReplyMessageResponse(
            sent_messages=[SentMessage.from_dict(m) for m in sent.sent_messages]
        )
        return _Answer(200, response.to_dict())

    def _push(self, headers, body: bytes, request_id: str) -> _Answer:
        self._check_auth(headers)
        retry_key = headers.get("X-Line-Retry-Key")
        if retry_key is not None and not _UUID_RE.match(retry_key):
            raise _error(400, "The value for the 'X-Line-Retry-Key' header is invalid")
        request, raw = self._parse(PushMessageRequest, body)
        if not _ID_RE.match(request.to):
            raise _error(
                400, "The property, 'to', in the request body is invalid (line: -, column: -)"
            )
        with self._lock:
            if retry_key is not None and retry_key.lower() in self._retry_keys:
                first = self._retry_keys[retry_key.lower()]
                answer = _error(
                    409,
                    _FAILURE_MESSAGES[409],
                    sent_messages=[SentMessage.from_dict(m) for m in first.sent_messages],
                )
                answer.headers["x-line-accepted-request-id"] = first.request_id
                raise answer
            sent = Sent(request, raw, _lower(headers), request_id, self._sent_messages(raw))
            self.pushes.append(sent)
            if retry_key is not None:
                self._retry_keys[retry_key.lower()] = sent
        response = PushMessageResponse(
            sent_messages=[SentMessage.from_dict(m) for m in sent.sent_messages]
        )
        return _Answer(200, response.to_dict())

    def _get_profile(self, headers, user_id: str) -> _Answer:
        self._check_auth(headers)
        with self._lock:
            profile = self._profiles.get(user_id)
        if profile is None:
            raise _error(404, "Not found")
        return _Answer(200, profile.to_dict())

    def _get_content(self, headers, message_id: str) -> _Answer:
        self._check_auth(headers)
        with self._lock:
            found = self._contents.get(message_id)
        if found is None:
            raise _error(404, "Not found")
        data, content_type = found
        return _Answer(200, data, content_type)

    def _dispatch(self, method: str, path: str, headers, body: bytes, request_id: str) -> _Answer:
        if method == "POST" and path == "/v2/bot/message/reply":
            return self._reply(headers, body, request_id)
        if method == "POST" and path == "/v2/bot/message/push":
            return self._push(headers, body, request_id)
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/profile/([^/]+)", path)):
            return self._get_profile(headers, match.group(1))
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/message/([^/]+)/content", path)):
            return self._get_content(headers, match.group(1))
        raise _error(404, "Not found")

    def _handle(self, method: str, path: str, headers, body: bytes) -> _Answer:
        path = path.split("?", 1)[0]
        request_id = str(uuid.uuid4())
        bearer = (headers.get("Authorization") or "").removeprefix("Bearer ")
        with self._lock:
            self.requests.append((method, path))
            self.request_tokens.append((path, bearer))
        failure = self._take_failure(path)
        if failure is not None and not failure.accepted:
            answer = self._failure_answer(failure)
        else:
            try:
                answer = self._dispatch(method, path, headers, body, request_id)
            except _Answer as raised:
                answer = raised
            if failure is not None and 200 <= answer.status < 300:
                answer = self._failure_answer(failure)
        answer.headers.setdefault("x-line-request-id", request_id)
        return answer

    @staticmethod
    def _failure_answer(failure: _Failure) -> _Answer:
        body = failure.body or {
            "message": _FAILURE_MESSAGES.get(failure.status, "Injected failure")
        }
        return _Answer(failure.status, body)


def _lower(headers) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LineStandIn"
    standin: LineStandIn

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = self.standin._handle(method, self.path, self.headers, body)
        if isinstance(answer.body, bytes | bytearray):
            payload = bytes(answer.body)
        else:
            payload = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode(
                "utf-8"
            )
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format, *args) -> None:
        pass
