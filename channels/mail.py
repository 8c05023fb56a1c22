"""Reports by e-mail: the city's report mailbox, read over IMAP (TLS). One long module on
purpose, that is why it is long: reading a mail, deciding what it is about and moving it in the
mailbox are one story, told here in order.

What Japanese phones actually send: ISO-2022-JP, Shift_JIS (as Windows-31J, which carriers
really use) and UTF-8 headers and bodies; JPEG and HEIC attachments; addresses that RFC 5322
refuses but carriers issued for years (dots doubled, or one before the @ of docomo.ne.jp),
which Django's e-mail validator refuses too, so the address check here is our own. The
sticker page's mailto: link puts the sticker code in the subject; anything that reads like a
code in the subject or the body is tried. The place: the asset's, else the photo's EXIF GPS,
else a town named in the text. The category: from words in the text, else the "other"
category of the asset's kind.

Each mail is handled once (by its Message-ID); what becomes a report moves to the processed
folder and its sender gets the receipt link by mail (reports.notices, in the language the
mail was written in); an automatic mail (RFC 3834 Auto-Submitted, a bounce, a noreply
sender) is filed without an answer; a mail that cannot become a report goes to the staff
folder with an `X-Machimori-Reason` header saying why.

Each city reads its own mailbox (config.city.City.mailbox; the settings' one when no City is
configured): a mail read from a city's mailbox is about that city only — its stickers, its
assets near a photo, its area — and is kept as read per city.
"""

import contextlib
import datetime
import email
import email.policy
import hashlib
import imaplib
import logging
import re
import ssl
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import city_host
from accounts.cities import city_id_of, in_city
from assets.models import Asset, FaultCategory
from assets.selectors import assets_within, fault_categories_for_type
from channels.models import MailSeen
from config import city
from qr_labels import codes
from qr_labels.selectors import label_resolve
from reports import intake, photo_store
from reports.addresses import address_ok
from reports.models import Report
from reports.photos import PhotoError
from reports.services import ReportError

logger = logging.getLogger(__name__)

# Carriers' and mailers' names for the charsets they really use.
CHARSETS = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "cp932": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-2022-jp-ms": "iso2022_jp_ext",
    "euc-jp": "euc_jis_2004",
}
_CODE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{4}[\s\-ー・]?[0-9A-Za-z]{4})(?![0-9A-Za-z])")
_URL_CODE = re.compile(r"/[qQ]/([^/\s?#]{4,12})")
# Words in a mail that say which fault it is (category code, words); the first match wins.
KEYWORDS = (
    ("exposed-wiring", ("配線", "電線", "むき出し", "wiring")),
    ("flickering", ("点滅", "ちらつ", "チカチカ", "flicker")),
    ("lit-in-daytime", ("昼間", "昼も", "daytime")),
    (
        "lamp-out",
        ("点かない", "つかない", "点灯しない", "消えて", "切れて", "not working", "is out"),
    ),
    ("lamp-broken", ("カバー", "灯具", "割れ")),
    ("pole-damaged", ("傾", "支柱", "ポール", "pole")),
    ("pothole", ("穴", "pothole")),
    ("crack", ("ひび", "亀裂", "crack")),
    ("step-subsidence", ("段差", "陥没")),
    ("flooding", ("冠水", "水たまり", "flood")),
    ("gutter-cover", ("側溝", "ふた", "グレーチング")),
    ("toilet-out-of-order", ("トイレ", "toilet")),
    ("graffiti", ("落書き", "graffiti")),
    ("loose-part", ("ぐらつ", "ゆるみ", "緩")),
    ("broken-part", ("壊れ", "破損", "broken")),
)
GROUP_WORDS = (("lighting", ("灯", "ライト", "light")), ("park", ("公園", "遊具", "park")))
OTHER = {"lighting": "lighting-other", "park": "park-other", "road": "road-other"}
PHOTO_ASSET_METRES = 15
_NOREPLY = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounce)", re.I)


@dataclass
class Result:
    outcome: str  # reported, staff, ignored, seen
    reason: str = ""
    report: Report | None = None


# --- Reading a mail -------------------------------------------------------------------------


def _decode(part) -> str:
    data = part.get_payload(decode=True) or b""
    declared = (part.get_content_charset() or "utf-8").lower()
    for charset in (CHARSETS.get(declared, declared), "utf-8", "cp932"):
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def text_of(message: EmailMessage) -> str:
    """The subject and the plain text (or the HTML stripped of its tags) of a mail."""
    texts = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/plain":
            texts.append(_decode(part))
        elif part.get_content_type() == "text/html" and not texts:
            texts.append(re.sub(r"<[^>]+>", " ", _decode(part)))
    return "\n".join(texts)


def subject_of(message: EmailMessage) -> str:
    try:
        return str(message.get("Subject", "") or "")
    except (ValueError, LookupError):  # a header that does not decode
        return ""


def sender_of(message: EmailMessage) -> str:
    """The sender's address as the carrier wrote it (dots doubled or before the @ kept)."""
    raw = str(message.get("Reply-To") or message.get("From") or "")
    for _, address in getaddresses([raw]):
        if address_ok(address):
            return address.strip()
    found = re.search(r"[^\s<>\"']+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", raw)
    return found.group(0) if found and address_ok(found.group(0)) else ""


def automatic(message: EmailMessage, sender: str) -> str:
    """Why a mail must get no answer (RFC 3834), or ""."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    if str(message.get("Precedence", "")).strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {message.get('Precedence')}"
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("List-Id"):
        return "an automatic reply or a mailing list"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "a bounce (empty Return-Path)"
    if _NOREPLY.match(sender.split("@")[0]):
        return "a noreply sender"
    return ""


def label_in(text: str, here=None):
    """(the asset, the code) of the first sticker code in the text, or (None, a problem).
    Another city's sticker is no sticker of the city `here`."""
    text = unicodedata.normalize("NFKC", text)
    candidates = [m.group(1) for m in _URL_CODE.finditer(text)]
    candidates += [m.group(1) for m in _CODE.finditer(text)]
    problem = ""
    for candidate in candidates:
        code = codes.normalize(candidate)
        if len(code) != codes.BODY_LENGTH + 1:
            continue
        if not codes.is_valid(code):
            problem = problem or f"the sticker code {candidate} has a typo"
            continue
        found = label_resolve(code)
        asset = found.asset
        if asset is not None and city_id_of(here) not in (None, asset.owner.city_id):
            problem = problem or f"the sticker {code} is not one of {here.name_en}'s"
            continue
        if asset is not None and asset.status == Asset.Status.IN_SERVICE:
            return asset, found.label.code
        problem = problem or f"no sticker in use has the code {code}"
    return None, problem


def language_of(text: str) -> str:
    """The language a mail is written in, as far as a reply needs it."""
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\uac00-\ud7af]", text):
        return "ko"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh-hans"  # han without kana (kana returned "ja" above)
    if re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text, re.I):
        return "vi"
    if re.search(r"\b(não|está|poste|rua|quebrad)\w*", text, re.I) or "ç" in text:
        return "pt-br"
    return "en" if re.search(r"[A-Za-z]{3}", text) else "ja"


def category_for(text: str, asset: Asset | None) -> FaultCategory:
    allowed = fault_categories_for_type(asset.asset_type) if asset else None
    allowed_codes = {c.code for c in allowed} if allowed is not None else None
    lowered = text.lower()
    for code, words in KEYWORDS:
        if (allowed_codes is None or code in allowed_codes) and any(w in lowered for w in words):
            found = FaultCategory.objects.filter(code=code, is_active=True).first()
            if found is not None:
                return found
    if allowed:
        group = allowed[0].group
    else:
        group = next((g for g, words in GROUP_WORDS if any(w in lowered for w in words)), "road")
    return FaultCategory.objects.get(code=OTHER[group])


def _photos(message: EmailMessage) -> tuple[list, list[str]]:
    staged, refused = [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        name = part.get_filename() or ""
        looks_like_photo = kind.startswith("image/") or name.lower().endswith(
            (".jpg", ".jpeg", ".heic", ".heif", ".png", ".webp")
        )
        if not looks_like_photo or len(staged) >= settings.REPORT_MAX_PHOTOS:
            continue
        try:
            staged.append(
                photo_store.photo_stage(data=part.get_payload(decode=True) or b"", filename=name)
            )
        except PhotoError as exc:
            refused.append(f"{name or kind}: {exc}")
    return staged, refused


def _asset_at_photo(photos, here=None) -> Asset | None:
    """The one asset in service of the city `here` within PHOTO_ASSET_METRES of where the
    first photo with a position was taken: a mail cannot be asked which asset it meant."""
    taken = next((p.gps for p in photos if p.gps is not None), None)
    if taken is None:
        return None
    in_service = in_city(Asset.objects.filter(status=Asset.Status.IN_SERVICE), here)
    near = assets_within(in_service, taken, PHOTO_ASSET_METRES).select_related("asset_type")
    found = list(near.order_by("distance")[:2])
    if len(found) == 1 or (len(found) == 2 and found[1].distance.m - found[0].distance.m > 5):
        return found[0]
    return None


def message_key(message: EmailMessage, raw: bytes) -> str:
    found = str(message.get("Message-ID", "") or "").strip()
    return found[:300] if found else "sha256:" + hashlib.sha256(raw).hexdigest()


def _sent_today(sender: str, city_id: int | None) -> int:
    since = timezone.now() - datetime.timedelta(days=1)
    return MailSeen.objects.filter(
        city_id=city_id,
        sender__iexact=sender,
        outcome=MailSeen.Outcome.REPORTED,
        read_at__gte=since,
    ).count()


# --- One mail to a report ----------------------------------------------------------------------


def mail_process(raw: bytes, here=None) -> Result:
    """Turn one mail read from the mailbox of the city `here` (config.city.City; None: the
    settings' one city) into a report of that city, or say why not. Never raises for what a
    mail holds."""
    here = here or city.current()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    key = message_key(message, raw)
    if MailSeen.objects.filter(city_id=here.id, message_id=key).exists():
        return Result("seen")
    sender = sender_of(message)
    seen = _Seen(here.id, key, sender)
    why_silent = automatic(message, sender)
    if why_silent:
        return seen(MailSeen.Outcome.IGNORED, why_silent)
    if not sender:
        return seen(MailSeen.Outcome.STAFF, "no address to answer to")
    if _sent_today(sender, here.id) >= settings.MAIL_INTAKE_PER_SENDER_DAY:
        return seen(MailSeen.Outcome.STAFF, "too many reports from this sender today")
    subject, body = subject_of(message), text_of(message)
    text = f"{subject}\n{body}"
    asset, found = label_in(text, here)
    code, problem = (found, "") if asset is not None else ("", found)
    photos, refused = _photos(message)
    if asset is None:
        asset = _asset_at_photo(photos, here)
    place = None
    if asset is None and not any(p.gps for p in photos):
        town = intake.town_in_address(unicodedata.normalize("NFKC", text), here)
        if town is not None:
            place = intake.Place.from_form(town=town, address_text=body.strip()[:300])
    if asset is None and place is None and not any(p.gps for p in photos):
        photo_store.photos_discard(photos)
        reason = problem or "no sticker code, no photo with a position, no town named"
        return seen(MailSeen.Outcome.STAFF, reason)
    try:
        outcome = intake.report_intake(
            channel=Report.Source.EMAIL,
            acting_user=AnonymousUser(),
            category=category_for(text, asset),
            language=language_of(text),
            asset=asset,
            label_code=code,
            place=place,
            description=body.strip()[:4000],
            photos=photos,
            contact=intake.Contact(email=sender),
            join=intake.Join.SAME_CATEGORY,
            idempotency_key=_idempotency_key(here, key),
            city=here,
        )
    except ReportError as exc:
        photo_store.photos_discard(photos)
        return seen(MailSeen.Outcome.STAFF, f"{exc.code}: {exc}")
    result = seen(MailSeen.Outcome.REPORTED, "; ".join(refused), outcome.receipt)
    result.report = outcome.report
    return result


def _idempotency_key(here, key: str) -> str:
    # The settings' one city keeps the key it always had; a city's mailbox its own.
    scoped = key if here.id is None else f"{here.id}:{key}"
    return "mail:" + hashlib.sha256(scoped.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class _Seen:
    """Keeps a mail of a city's mailbox as read, with what became of it."""

    city_id: int | None
    key: str
    sender: str

    def __call__(self, outcome, reason="", receipt=None) -> Result:
        try:
            with transaction.atomic():
                MailSeen.objects.create(
                    city_id=self.city_id,
                    message_id=self.key,
                    sender=self.sender[:254],
                    outcome=outcome,
                    reason=reason[:300],
                    receipt=receipt,
                )
        except IntegrityError:
            return Result("seen")
        return Result(outcome, reason)


# --- The mailbox ---------------------------------------------------------------------------------


def _connect(box) -> imaplib.IMAP4_SSL:
    context = ssl.create_default_context(cafile=box.ca_file or None)
    client = imaplib.IMAP4_SSL(box.host, box.port, ssl_context=context, timeout=60)
    client.login(box.user, box.password)
    for folder in (box.processed_folder, box.staff_folder):
        client.create(_quoted(folder))  # "already exists" is fine
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _move(client, uid: bytes, folder: str) -> None:
    status, _ = client.uid("MOVE", uid, _quoted(folder))
    if status != "OK":
        client.uid("COPY", uid, _quoted(folder))
        client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
        client.expunge()


def _to_staff(client, uid: bytes, raw: bytes, folder: str, reason: str) -> None:
    """The mail, with why it was not taken, in the staff folder; the original goes."""
    header = "X-Machimori-Reason: " + re.sub(r"[\r\n]+", " ", reason)[:500]
    marked = header.encode("utf-8") + b"\r\n" + raw
    client.append(_quoted(folder), None, None, marked)
    client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
    client.expunge()


def mailboxes() -> list:
    """The cities whose report mailbox is set up: every active city's own, or the settings'
    one when no City is configured."""
    return [here for here in city_host.cities_served() if here.mailbox is not None]


def mailbox_read(here=None, *, now=None) -> dict:
    """Read every mail in the report folder of the city `here` (None: the settings' one
    city) once; then delete processed mail older than the contact retention period. Returns
    counts by outcome."""
    here = here or city.current()
    box = here.mailbox
    if box is None:
        raise RuntimeError("No report mailbox is set up (MAIL_INTAKE_HOST).")
    counts = {"reported": 0, "staff": 0, "ignored": 0, "seen": 0, "deleted": 0}
    client = _connect(box)
    try:
        client.select(_quoted(box.folder))
        _, data = client.uid("SEARCH", None, "ALL")
        for uid in (data[0] or b"").split():
            _, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is None:
                continue
            try:
                result = mail_process(raw, here)
            except Exception as exc:  # a fault of ours: keep the mail for staff, go on
                logger.exception("mail %s could not be read", uid)
                result = Result("staff", f"error: {exc}")
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
            if result.outcome == "staff":
                _to_staff(client, uid, raw, box.staff_folder, result.reason)
            else:
                _move(client, uid, box.processed_folder)
        counts["deleted"] = _processed_expire(client, box, now or timezone.now())
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return counts


def _processed_expire(client, box, now) -> int:
    """Processed mail holds residents' addresses: gone after the contact retention period."""
    before = now - datetime.timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS)
    client.select(_quoted(box.processed_folder))
    _, data = client.uid("SEARCH", None, "BEFORE", before.strftime("%d-%b-%Y"))
    uids = (data[0] or b"").split()
    for uid in uids:
        client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
    if uids:
        client.expunge()
    return len(uids)
