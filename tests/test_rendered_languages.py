"""Every page a resident sees, every form error they can meet and every email they get is
rendered in each of the six languages and compared with the English rendering: a piece of
English text that comes out the same in another language was left untranslated. This
catches what the catalogue check (tests/test_translations.py) cannot: a string never marked
for translation, a template that forgets {% translate %}, a label built in Python.

What may look the same everywhere is named below (names, codes, the resident's own words);
text marked with another language (lang="ja" around Japanese typed by staff) or as not to
translate is left out, as are addresses (URLs, emails)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts import policy
from qr_labels import services as label_services
from reports import owner_links, services
from reports.models import OwnerLink, Report
from tests import factories

LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
S = Report.Status
# The same in every language: names, units, and what the resident or staff typed.
SAME_EVERYWHERE = {
    "Machimori",
    "Izumo City",
    "Open311 GeoReport v2",
    "QR",
    *(name for _, name in settings.LANGUAGES),
}
ADDRESS = re.compile(r"https?://\S+|\S+@\S+|/\S*")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
SKIP_ELEMENTS = {"script", "style", "template"}
SHOWN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}


class _Text(HTMLParser):
    """The text a reader meets: text nodes and the attributes read aloud or shown, leaving
    out scripts and anything marked as another language or not to be translated."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.stack = [], []

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = (
            tag in SKIP_ELEMENTS
            or ("lang" in attrs and tag != "html")
            or attrs.get("translate") == "no"
            or attrs.get("type") == "hidden"
            or attrs.get("class") == "hp"
        )
        if not self._skipping() and not skip:
            self.found += [attrs[name] for name in SHOWN_ATTRIBUTES if attrs.get(name)]
            if tag == "meta" and attrs.get("name") == "description":
                self.found.append(attrs.get("content", ""))
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self.found.append(attrs.get("value", ""))
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping():
            self.found.append(data)


def _pieces(texts) -> set[str]:
    """The English-looking pieces of text, addresses taken out."""
    pieces = set()
    for text in texts:
        for line in text.splitlines():
            line = ADDRESS.sub(" ", " ".join(line.split())).strip(" :：()（）—-·,.")
            bare = line
            for name in SAME_EVERYWHERE:
                bare = bare.replace(name, " ")
            if ENGLISH_WORD.search(bare):
                pieces.add(line)
    return pieces


def _page_text(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return _pieces(parser.found)


def _untranslated(english: set[str], other: set[str]) -> list[str]:
    return sorted(english & other)


# --- The world a resident meets ------------------------------------------------------------


@pytest.fixture
def world(
    catalogue, city, submit, lamp_out, light, section_staff, django_capture_on_commit_callbacks
):
    """A sticker, a report fixed with an after photo and a standard note, an overdue report on
    an association's light, and an owner's live and expired links."""
    label = label_services.label_issue(asset=light, acting_user=policy.SYSTEM)
    fixed = submit(lamp_out, asset=light, description="夜になっても点きません")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_transition(
            report=fixed,
            to=S.ACCEPTED,
            note_code="parts_ordered",
            note="来週交換予定です",
            public_note=True,
            acting_user=section_staff,
        )
        services.report_transition(
            report=fixed,
            to=S.FIXED,
            note_code="repaired",
            after_photos=[factories.photo()],
            acting_user=section_staff,
        )
    submit(lamp_out, asset=light)  # open: a new report on the sticker meets "already reported"
    association = factories.org(
        "jichikai", kind="association", name="今市町自治会", contact_email="kai@example.jp"
    )
    owned = factories.asset("security-light", owner=association, ledger_id="JK-1")
    late = submit(lamp_out, asset=owned, share=True)
    Report.objects.filter(pk=late.pk).update(respond_by=timezone.now() - datetime.timedelta(days=3))
    live = owner_links.issue(report=late, organisation=association, purpose="owner")
    expired = owner_links.issue(report=late, organisation=association, purpose="contractor")
    OwnerLink.objects.filter(pk=expired.link.pk).update(expires_at=timezone.now())
    return {
        "label": label,
        "fixed": fixed,
        "late": late,
        "owner": live.token,
        "owner_expired": expired.token,
    }


def _client(language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _bad_photo():
    return SimpleUploadedFile("broken.jpg", b"not a photo at all", "image/jpeg")


def _pages(client: Client, world) -> dict[str, str]:
    """Each page and each form error of a resident's journeys, as HTML."""
    code = world["label"].code
    fixed = factories.receipt_token(world["fixed"])
    late = factories.receipt_token(world["late"])
    pages = {
        "home": client.get("/"),
        "scan": client.get(f"/q/{code}"),
        "unknown sticker": client.get("/q/ZZZZZZZZ"),
        "report": client.get("/report/"),
        "report, no place": client.post("/report/", {"category": "lamp-out"}),
        "report, nothing chosen": client.post("/report/", {"description": "x"}),
        "scan, bad photo": client.post(
            f"/q/{code}", {"category": "lamp-out", "photos": [_bad_photo()]}
        ),
        "scan, already reported": client.post(f"/q/{code}", {"category": "lamp-out"}),
        "me too, bad email": client.post(
            f"/report/me-too/{world['late'].number}/", {"email": "not-an-email"}
        ),
        "receipt, fixed": client.get(f"/r/{fixed}"),
        "receipt, overdue with owner": client.get(f"/r/{late}"),
        "still broken, bad photo": client.post(
            f"/r/{fixed}/still-broken", {"photos": [_bad_photo()]}
        ),
        "still broken, not fixed": client.post(f"/r/{late}/still-broken", {}),
        "receipt, unknown": client.get("/r/no-such-receipt"),
        "owner": client.get(f"/owner/{world['owner']}/"),
        "owner, nothing to say": client.post(f"/owner/{world['owner']}/", {"action": "update"}),
        "owner, expired": client.get(f"/owner/{world['owner_expired']}/"),
    }
    done = client.post(f"/r/{fixed}/still-broken", {"text": "まだ暗い"}, follow=True)
    pages["still broken, done"] = done
    pages["still broken, again"] = client.post(f"/r/{fixed}/still-broken", {})
    return {name: answer.content.decode() for name, answer in pages.items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_resident_page_and_error_is_in_the_language(world, language, db):
    english = _pages(_client("en"), world)
    # The "still broken" pages change the report: start the other language from the same
    # state as English did.
    Report.objects.filter(pk=world["fixed"].pk).update(
        status=S.FIXED, ended_at=timezone.now(), still_broken_count=0
    )
    world["fixed"].receipts.update(still_broken_at=None)
    other = _pages(_client(language), world)

    left = {
        name: _untranslated(_page_text(english[name]), _page_text(other[name])) for name in english
    }

    assert {name: words for name, words in left.items() if words} == {}


# --- Emails ---------------------------------------------------------------------------------


def _mails(language: str, submit, lamp_out, light, section_staff, run) -> dict[str, str]:
    mail.outbox.clear()
    email = f"resident-{language}@example.com"
    report = submit(lamp_out, asset=light, email=email, language=language)
    factories.me_too(report, email=f"neighbour-{language}@example.com", language=language)
    run(
        services.report_transition,
        report=report,
        to=S.ACCEPTED,
        note_code="contractor_requested",
        note="業者に連絡済み",
        public_note=True,
        acting_user=section_staff,
    )
    run(
        services.report_transition,
        report=report,
        to=S.FIXED,
        note_code="repaired",
        after_photos=[factories.photo()],
        acting_user=section_staff,
    )
    sent = {}
    for message in mail.outbox:
        if message.to[0].endswith("example.com"):
            sent[f"{message.to[0].split('-')[0]} {len(sent)}"] = (
                f"{message.subject}\n{message.body}"
            )
    return sent


def test_every_email_to_a_resident_is_in_their_language(
    submit, lamp_out, light, section_staff, django_capture_on_commit_callbacks
):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    english = _mails("en", submit, lamp_out, light, section_staff, run)
    assert len(english) >= 3  # the receipt, two changes
    left = {}
    for language in LANGUAGES:
        other = _mails(language, submit, lamp_out, light, section_staff, run)
        assert len(other) == len(english), language
        for (name, text), other_text in zip(english.items(), other.values(), strict=True):
            words = _untranslated(_pieces([text]), _pieces([other_text]))
            if words:
                left[f"{language}: {name}"] = words

    assert left == {}
