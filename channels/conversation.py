"""The LINE conversation: from a sticker code, a location or a photo to a report.

A resident sends the code on the sticker (typed, or pre-filled by the sticker page's link),
or their location, or a photo (its GPS counts as a location); with a location alone the bot
offers the three nearest assets within 30 m and "none of these". Then the asset's fault
categories as quick replies, then a confirmation that says what is kept and why, then the
report through the intake door and its number and receipt link in the reply. Every answer
goes through the event's reply token (free of charge); the state between messages is kept
on the LINE user. Typing "やめる" or "cancel" starts again.

A conversation is with one city's account (the LINE user's `city`): it offers that city's
assets and stickers only, names that city, and its report comes in through the door as that
city's (its area, its organisations).
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from linebot.v3.messaging import PostbackAction, QuickReply, QuickReplyItem, TextMessage
from linebot.v3.webhooks import Event as LineWebhookEvent
from linebot.v3.webhooks import (
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
)

from accounts.cities import city_id_of, in_city
from assets.models import Asset, FaultCategory
from assets.selectors import assets_within, fault_categories_for_type
from channels import line
from channels.models import LineReceipt, LineUser
from config import city
from qr_labels import codes
from qr_labels.selectors import label_resolve
from reports import intake, photo_store
from reports.forms import photo_message
from reports.models import Photo, Report, ReportEvent
from reports.photos import PhotoError
from reports.services import ReportError

NEARBY_METRES = 30
MAX_PHOTOS = 4
CANCEL_WORDS = {"やめる", "キャンセル", "cancel", "stop", "取消", "cancelar", "취소", "hủy", "huỷ"}
STALE = timezone.timedelta(hours=12)  # a conversation left this long starts again


def event_handle(payload: dict, *, here: city.City) -> None:
    """Answer one webhook event that came to the channel of the city `here`."""
    event = LineWebhookEvent.from_dict(payload)
    user_id = getattr(getattr(event, "source", None), "user_id", None)
    if not user_id:
        return  # groups and rooms: the city's account reports only in one-to-one chats
    user = _user(here, user_id, follow=isinstance(event, FollowEvent))
    if isinstance(event, UnfollowEvent):
        LineUser.objects.filter(pk=user.pk).update(following=False, state={})
        return
    with translation.override(user.language):
        messages = _answer(user, event)
    user.save()
    if messages and getattr(event, "reply_token", None):
        line.reply(here, event.reply_token, messages)


def _here(user: LineUser) -> city.City:
    """The city whose account the user talks to (never another, should it stop being served:
    the event then fails and stays kept, with why)."""
    here = line.city_of(user.city_id)
    if here is None:
        raise RuntimeError("The city of this LINE user is not served any more.")
    return here


def _user(here: city.City, user_id: str, *, follow: bool) -> LineUser:
    user, created = LineUser.objects.get_or_create(city_id=here.id, user_id=user_id)
    if created or follow or not user.display_name:
        try:
            found = line.profile(here, user_id)
            user.display_name = (found.display_name or "")[:200]
            user.language = line.language_of(found.language)
        except Exception:  # no profile (blocked, or LINE down): Japanese, no name
            pass
    if follow:
        user.following = True
    if (
        user.state.get("at")
        and timezone.now().timestamp() - user.state["at"] > STALE.total_seconds()
    ):
        user.state = {}
    return user


def _answer(user: LineUser, event) -> list:
    state = user.state
    if isinstance(event, FollowEvent):
        user.state = {}
        return [_text(_welcome(_here(user)))]
    if isinstance(event, PostbackEvent):
        return _postback(user, dict(_pairs(event.postback.data)))
    if not isinstance(event, MessageEvent):
        return []
    message = event.message
    if isinstance(message, TextMessageContent):
        return _text_message(user, message.text or "")
    if isinstance(message, LocationMessageContent):
        return _located(user, message.latitude, message.longitude)
    if isinstance(message, ImageMessageContent):
        return _photo(user, message.id)
    return [_text(_help())] if not state else []


def _pairs(data: str):
    for part in (data or "").split("&"):
        key, _, value = part.partition("=")
        yield key, value


def _touch(user: LineUser, **changes) -> dict:
    user.state = {**user.state, **changes, "at": timezone.now().timestamp()}
    return user.state


# --- Messages ----------------------------------------------------------------------------------


def _text(text: str, choices: list[tuple[str, str]] = ()) -> TextMessage:
    """A message, with quick replies (label, postback data): at most 13, labels 20 long."""
    quick = None
    if choices:
        quick = QuickReply(
            items=[
                QuickReplyItem(
                    action=PostbackAction(label=label[:20], data=data, display_text=label[:300])
                )
                for label, data in choices[:13]
            ]
        )
    return TextMessage(text=text[:5000], quick_reply=quick)


def _welcome(here: city.City) -> str:
    return _(
        "Thank you for following %(city)s. To report a broken streetlight, park or road, "
        "send the code on its sticker, or your location, and a photo if you like."
    ) % {"city": here.name_in()}


def _help() -> str:
    return _(
        "Send the code on the sticker (8 letters and digits), or your location (+ → "
        "Location). Send “cancel” to start again."
    )


def _purpose(here: city.City) -> str:
    return _(
        "%(city)s uses what you send here (the photos, the place and your LINE name) only "
        "to deal with this fault and to tell you in LINE when it is dealt with. Your LINE "
        "name is deleted %(days)s days after the report is closed."
    ) % {"city": here.name_in(), "days": settings.REPORT_CONTACT_RETENTION_DAYS}


def _asset_line(asset: Asset) -> str:
    where = asset.address or asset.name
    return f"{asset.asset_type.name_in()} {asset.ledger_id}" + (f" ({where})" if where else "")


def _categories(user: LineUser, asset: Asset | None) -> list:
    if asset is not None:
        categories = fault_categories_for_type(asset.asset_type)
    else:
        categories = list(FaultCategory.objects.filter(is_active=True).order_by("sort_order", "id"))
    _touch(user, step="category")
    choices = [(c.name_in(), f"c={c.code}") for c in categories[:12]]
    intro = (
        _("%(asset)s. What is wrong?") % {"asset": _asset_line(asset)}
        if asset is not None
        else _("What is wrong at this place?")
    )
    return [_text(intro, choices)]


# --- Steps -------------------------------------------------------------------------------------


def _text_message(user: LineUser, text: str) -> list:
    words = text.strip()
    if words.lower() in CANCEL_WORDS:
        _cancel(user)
        return [_text(_("Cancelled. Nothing was sent."))]
    code = codes.normalize(words.rsplit("/", 1)[-1])
    if len(code) == codes.BODY_LENGTH + 1 and len(words) <= 60:
        resolution = label_resolve(code)
        asset = resolution.asset
        if asset is not None and not _of_city(asset, _here(user)):
            asset = None  # another city's sticker is unknown to this city's account
        if asset is not None and asset.status == Asset.Status.IN_SERVICE:
            _touch(user, asset=asset.pk, code=resolution.label.code, nearby=[])
            return _categories(user, asset)
        if resolution.outcome == "mistyped":
            return [_text(_("This sticker code has a typo: please check it and send it again."))]
        return [_text(_("There is no sticker in use with this code. Send your location instead."))]
    if user.state.get("step") in ("category", "confirm"):
        _touch(user, description=words[:1000])
        return [_text(_("Noted. Choose what is wrong, or send “cancel”."))]
    return [_text(_help())]


def _located(user: LineUser, lat: float, lon: float, *, prefix: list = ()) -> list:
    point = Point(lon, lat, srid=4326)
    in_service = in_city(Asset.objects.filter(status=Asset.Status.IN_SERVICE), _here(user))
    near = list(
        assets_within(in_service, point, NEARBY_METRES)
        .select_related("asset_type")
        .order_by("distance")[:3]
    )
    _touch(user, lat=lat, lon=lon, nearby=[a.pk for a in near], step="asset")
    if not near:
        return [*prefix, *_categories(user, None)]
    choices = [(f"{a.ledger_id} {a.asset_type.name_in()}", f"a={a.pk}") for a in near]
    choices.append((_("None of these"), "a=none"))
    lines = "\n".join(f"・{_asset_line(a)} {round(a.distance.m)} m" for a in near)
    return [*prefix, _text(_("Which one is it?") + "\n" + lines, choices)]


def _photo(user: LineUser, message_id: str) -> list:
    photos = list(user.state.get("photos", []))
    if len(photos) >= MAX_PHOTOS:
        return [_text(_("That is enough photos: %(count)s are kept.") % {"count": MAX_PHOTOS})]
    try:
        staged = photo_store.photo_stage(
            data=line.content(_here(user), message_id), filename=f"{message_id}.jpg"
        )
    except PhotoError as exc:
        return [
            _text(_("This photo could not be used: %(reason)s") % {"reason": photo_message(exc)})
        ]
    photos.append(staged.pk)
    _touch(user, photos=photos)
    said = [_text(_("Photo received (%(count)s).") % {"count": len(photos)})]
    if not user.state.get("asset") and "lat" not in user.state and staged.gps is not None:
        return _located(user, staged.gps.y, staged.gps.x, prefix=said)
    if not user.state.get("asset") and "lat" not in user.state:
        return [*said, _text(_help())]
    return said


def _postback(user: LineUser, data: dict) -> list:
    state = user.state
    if "a" in data:
        if (
            data["a"] == "none"
            or not data["a"].isdecimal()
            or int(data["a"]) not in state.get("nearby", [])
        ):
            _touch(user, asset=None)
            return _categories(user, None)
        asset = Asset.objects.select_related("asset_type").get(pk=int(data["a"]))
        _touch(user, asset=asset.pk)
        return _categories(user, asset)
    if "c" in data:
        category = FaultCategory.objects.filter(code=data["c"], is_active=True).first()
        if category is None or not (state.get("asset") or "lat" in state):
            return [_text(_help())]
        _touch(user, category=category.code, step="confirm", nonce=uuid.uuid4().hex)
        asset = Asset.objects.select_related("asset_type").filter(pk=state.get("asset")).first()
        summary = "\n".join(
            [
                _("Send this report?"),
                f"{category.name_in()} — "
                + (_asset_line(asset) if asset else _("at the place you sent")),
                _("%(count)s photos") % {"count": len(state.get("photos", []))},
                "",
                _purpose(_here(user)),
            ]
        )
        return [_text(summary, [(_("Send"), "ok=1"), (_("Cancel"), "ok=0")])]
    if data.get("ok") == "0":
        _cancel(user)
        return [_text(_("Cancelled. Nothing was sent."))]
    if data.get("ok") == "1" and state.get("step") == "confirm":
        return _submit(user)
    return [_text(_help())]


def _cancel(user: LineUser) -> None:
    photos = Photo.objects.filter(pk__in=user.state.get("photos", []), report__isnull=True)
    photo_store.photos_discard(list(photos))
    user.state = {}


def _submit(user: LineUser) -> list:
    here = _here(user)
    state = user.state
    category = FaultCategory.objects.get(code=state["category"])
    asset = Asset.objects.filter(pk=state.get("asset")).first()
    place = None
    if asset is None and "lat" in state:
        place = intake.Place(point=Point(state["lon"], state["lat"], srid=4326), source="device")
    photos = list(Photo.objects.filter(pk__in=state.get("photos", []), report__isnull=True))
    try:
        outcome = intake.report_intake(
            channel=Report.Source.LINE,
            acting_user=AnonymousUser(),
            category=category,
            language=user.language,
            asset=asset,
            label_code=state.get("code", "") if asset else "",
            place=place,
            description=state.get("description", ""),
            photos=photos,
            contact=intake.Contact(name=user.display_name),
            join=intake.Join.SAME_CATEGORY,
            idempotency_key=f"line:{state.get('nonce', '')}",
            city=here,
        )
    except ReportError as exc:
        user.state = {}
        return [
            _text(
                _("The report could not be taken (%(code)s). Please call %(phone)s.")
                % {"code": exc.code, "phone": here.phone}
            )
        ]
    LineReceipt.objects.get_or_create(receipt=outcome.receipt, defaults={"line_user": user})
    user.state = {}
    link = _receipt_link(outcome.receipt, here)
    if outcome.joined:
        text = _(
            "This fault was already reported (%(number)s): yours is added to it. "
            "Follow it here: %(link)s"
        )
    else:
        text = _("Thank you. Your report number is %(number)s. Follow it here: %(link)s")
    return [_text(text % {"number": outcome.report.number, "link": link})]


def _of_city(asset: Asset, here: city.City) -> bool:
    return city_id_of(here) is None or asset.owner.city_id == city_id_of(here)


def _receipt_link(receipt, here: city.City) -> str:
    return here.public_base_url + reverse("report-status", args=[receipt.token])


def status_text(event: ReportEvent, report: Report, receipt, *, here: city.City) -> str:
    """What a LINE user of the city `here`'s account is pushed when their report is fixed,
    closed or passed on."""
    values = {
        "number": report.number,
        "category": report.category.name_in(),
        "link": _receipt_link(receipt, here),
    }
    if event.kind == ReportEvent.Kind.FORWARDED:
        owner = report.owner.name if report.owner else ""
        return _("Your report %(number)s was passed to %(owner)s, who looks after it: %(link)s") % {
            **values,
            "owner": owner,
        }
    if event.to_value == Report.Status.FIXED:
        return (
            _("Your report %(number)s (%(category)s) has been fixed. Thank you: %(link)s") % values
        )
    reason = Report.CloseReason(event.reason).label if event.reason else ""
    return _("Your report %(number)s (%(category)s) was closed%(reason)s: %(link)s") % {
        **values,
        "reason": f" ({reason})" if reason else "",
    }
