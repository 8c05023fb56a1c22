"""LINE (Messaging API), with the official SDK: the webhook, the clients, and the pushes.

The webhook checks `X-Line-Signature` (HMAC-SHA256 of the raw body with the channel secret)
before it reads anything, keeps each event once by its webhookEventId (a redelivery finds it
kept and does nothing more), answers 200 at once and leaves the work to a task: LINE waits
for no one and redelivers what was not acknowledged. The conversation itself is in
channels/conversation.py. Pushes cost the city money, so there are few of them: when a
report is fixed or closed, or passed to another owner; none after an unfollow; none beyond
the month's cap.

Each city has its own channel (config.city.City.line, from its row; the settings' when no
City is configured): the webhook on a city's host checks that city's secret only, and keeps
the event as that city's; the conversation, its replies and the later pushes to a LINE user
go through the channel the user talks to, and the cap counts per channel.
"""

import datetime
import json
import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tasks import task
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhook import SignatureValidator

from accounts import city_host
from channels.models import LineEvent, LinePushMonth, LineReceipt, LineUser
from config import city
from reports.models import Report, ReportEvent

logger = logging.getLogger(__name__)
MAX_BODY = 1_000_000  # LINE's webhook bodies are small; anything bigger is not LINE
LANGUAGES = {"ja": "ja", "en": "en", "ko": "ko", "vi": "vi", "pt": "pt-br", "zh-hans": "zh-hans"}


def city_of(city_id: int | None) -> city.City | None:
    """The city whose channel a kept event or a LINE user is of (None: the settings' one
    city); None when that city is no longer served."""
    return city_host.city_by_id(city_id)


def channel(here: city.City | None):
    """The city's LINE channel, or None when it is not set up (the webhook is then 404)."""
    return here.line if here is not None else None


def anywhere() -> bool:
    """Whether any city (or the settings) has a LINE channel: no query while none has."""
    return city.current().line is not None or any(
        here.line is not None for here in city_host.known().hosts.values()
    )


def language_of(line_language: str | None) -> str:
    """Our language for a LINE profile's (ja, en, zh-Hans, pt-BR…); Japanese otherwise."""
    code = (line_language or "").lower()
    return LANGUAGES.get(code) or LANGUAGES.get(code.split("-")[0]) or "ja"


# --- The webhook ----------------------------------------------------------------------------


@csrf_exempt
@require_POST
def webhook(request):
    here = city.current(request)
    line = channel(here)
    if line is None:
        raise Http404("LINE is not set up here.")
    body = request.body
    signature = request.headers.get("X-Line-Signature", "")
    if len(body) > MAX_BODY or not signature:
        return HttpResponse(status=401 if not signature else 413)
    try:
        valid = SignatureValidator(line.channel_secret).validate(body.decode("utf-8"), signature)
    except (InvalidSignatureError, UnicodeDecodeError, ValueError):
        valid = False
    if not valid:
        return HttpResponse(status=401)
    try:
        events = json.loads(body)["events"]
        assert isinstance(events, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        return HttpResponse(status=400)
    for event in events:
        events_keep(event, city_id=here.id)
    return HttpResponse(status=200)


def events_keep(event: dict, *, city_id: int | None) -> LineEvent | None:
    """Keep one webhook event of a city's channel and hand it to a task, once per
    webhookEventId."""
    event_id = str(event.get("webhookEventId") or "")[:64]
    if not event_id:
        return None
    try:
        with transaction.atomic():
            kept = LineEvent.objects.create(
                city_id=city_id,
                event_id=event_id,
                kind=str(event.get("type", ""))[:20],
                payload=event,
                redelivery=bool((event.get("deliveryContext") or {}).get("isRedelivery")),
            )
    except IntegrityError:
        return None  # a redelivery of what we have
    transaction.on_commit(lambda: line_event_handle.enqueue(kept.pk))
    return kept


def events_resume(*, older_than: datetime.timedelta) -> int:
    """Events kept but never handled (the process died between keeping one and handing it
    to a task; LINE's redelivery finds it kept and stops there) are handed over again."""
    stuck = LineEvent.objects.filter(
        handled_at__isnull=True, received_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    for pk in stuck:
        line_event_handle.enqueue(pk)
    return len(stuck)


def events_forget(*, older_than: datetime.timedelta) -> int:
    """Kept events hold what residents wrote and where they were: they go once LINE can no
    longer redeliver them (it gives up within days)."""
    return LineEvent.objects.filter(received_at__lt=timezone.now() - older_than).delete()[0]


@task()
def line_event_handle(event_pk: int) -> None:
    from channels import conversation  # the dialogue imports the clients below

    kept = LineEvent.objects.get(pk=event_pk)
    if kept.handled_at is not None:
        return
    try:
        here = city_of(kept.city_id)
        if channel(here) is None:
            raise RuntimeError("This city's LINE channel is not set up any more.")
        conversation.event_handle(kept.payload, here=here)
        kept.error = ""
    except Exception as exc:  # the event stays kept; staff see why in the admin
        logger.exception("LINE event %s failed", kept.event_id)
        kept.error = str(exc)[:300]
    kept.handled_at = timezone.now()
    kept.save(update_fields=["handled_at", "error"])


# --- The Messaging API ------------------------------------------------------------------------


def _client(here: city.City | None, data: bool = False) -> ApiClient:
    line = channel(here)
    if line is None:
        raise RuntimeError("LINE is not set up here.")
    host = settings.LINE_API_DATA_URL if data else settings.LINE_API_URL
    return ApiClient(Configuration(host=host, access_token=line.access_token))


def reply(here: city.City, reply_token: str, messages: list) -> None:
    with _client(here) as client:
        MessagingApi(client).reply_message(
            ReplyMessageRequest(reply_token=reply_token, messages=messages[:5])
        )


def profile(here: city.City, user_id: str):
    with _client(here) as client:
        return MessagingApi(client).get_profile(user_id)


def content(here: city.City, message_id: str) -> bytes:
    with _client(here, data=True) as client:
        return bytes(MessagingApiBlob(client).get_message_content(message_id))


def _month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def push(line_user: LineUser, text: str) -> bool:
    """One pushed message, through the channel the user talks to, if they still follow it
    and the month's cap of that channel allows."""
    here = city_of(line_user.city_id)
    line = channel(here)
    if line is None or not line_user.following:
        return False
    with transaction.atomic():
        month, _ = LinePushMonth.objects.select_for_update().get_or_create(
            city_id=line_user.city_id, month=_month()
        )
        if month.count >= line.push_monthly_cap:
            LinePushMonth.objects.filter(pk=month.pk).update(refused=F("refused") + 1)
            logger.warning(
                "LINE push cap of %s reached this month (city %s)",
                line.push_monthly_cap,
                here.slug or "of the settings",
            )
            return False
        LinePushMonth.objects.filter(pk=month.pk).update(count=F("count") + 1)
    with _client(here) as client:
        MessagingApi(client).push_message(
            PushMessageRequest(to=line_user.user_id, messages=[TextMessage(text=text)]),
            x_line_retry_key=str(uuid.uuid4()),
        )
    return True


# --- What LINE users hear of their reports ------------------------------------------------------


def _pushed_for(event: ReportEvent) -> bool:
    if event.kind == ReportEvent.Kind.FORWARDED:
        return True
    return event.kind == ReportEvent.Kind.STATUS and event.to_value in (
        Report.Status.FIXED,
        Report.Status.CLOSED,
    )


def report_changed(event: ReportEvent) -> None:
    """Called by reports.notices for each event residents hear of: a LINE user who holds a
    receipt of the report is pushed a message when it is fixed, closed or passed on, in the
    channel (the city's account) they reported through."""
    if not _pushed_for(event) or not anywhere():
        return
    from channels import conversation

    holders = LineReceipt.objects.filter(receipt__report_id=event.report_id).select_related(
        "line_user", "receipt__report__category", "receipt__report__owner"
    )
    for held in holders:
        report = held.receipt.report
        here = city_of(held.line_user.city_id)
        if report.contacts_deleted_at is not None or channel(here) is None:
            continue
        with translation.override(held.line_user.language):
            text = conversation.status_text(event, report, held.receipt, here=here)
        try:
            push(held.line_user, text)
        except Exception:  # LINE down: the e-mail path is not held up by it
            logger.exception("LINE push for report %s failed", report.number)


def users_forget(*, older_than: datetime.timedelta, now=None) -> int:
    """LINE user ids and names are contact details: the link from a receipt goes when its
    report's contacts are deleted (reports_housekeeping), and a user with no receipt left
    and no word for `older_than` is forgotten. Returns how many users were forgotten."""
    LineReceipt.objects.filter(receipt__report__contacts_deleted_at__isnull=False).delete()
    cutoff = (now or timezone.now()) - older_than
    stale = LineUser.objects.filter(updated_at__lt=cutoff, receipts__isnull=True)
    return stale.delete()[1].get("channels.LineUser", 0)
