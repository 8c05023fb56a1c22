"""Every staff page and every e-mail staff, owners and residents get, read in Japanese, says
things in words: no raw code (a status, a category, an organisation, a source, a question or
an answer, an event kind…) where a word belongs, no English left, no distance in raw metres.

The pages are read from the URL resolver: every GET route under /manage/ is walked, so a
new screen is checked the day it appears (files are checked by their own tests: those known
are in DOWNLOADS; any other answer must be HTML). The world
behind them has a report with every kind of event, an inspection with defects, an
assignment, a held record and a plan; the e-mails are the ones this world sends, and the
refusals those the report page, phone intake and API keys give back.

What counts as English: a word of the catalogue's English msgids (a label that fell back to
English), or two English words in a row (a sentence nobody marked for translation). What
may stay in Latin letters is short and named in ALLOWED (proper names, acronyms, units).

Why it is long: the checker, the world with every kind of event and the walk over the routes
are one job; split, each would be read without the others it depends on.
"""

import datetime
import re
import uuid
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import policy
from accounts.models import Organization
from assets.models import AssetType, FaultCategory
from inspections import payload
from inspections.assignments import assignment_create
from inspections.checklists import checklists_install
from inspections.models import Defect, Inspection
from inspections.sync import sync_batch
from planning import plans
from qr_labels import services as label_services
from reports import clients, followups, intake, notices, owner_links, privacy, services
from reports.models import OwnerLink, Report
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
S = Report.Status
JA = "ja"

# --- What a page says ----------------------------------------------------------------------

# Latin letters a Japanese staff page may show, each for a reason:
ALLOWED = {
    # proper names: the product, standards, services and file formats staff know by name
    "Machimori",
    "Open311",
    "GeoReport",
    "OpenStreetMap",
    "Excel",
    "GeoJSON",
    # file kinds as their names end: "Excel (.xlsx)"
    "xlsx",
    "csv",
    "pdf",
    # a loanword Japanese writes in Latin letters: "Webフォーム"
    "Web",
    # units
    "km",
    "cm",
    "mm",
    "kg",
    "yen",
}
# Words in capitals are acronyms Japanese offices write as they are (QR, LINE, CSV, LED,
# GPS, PDF, API, JSON, HMM): not English left over.
ACRONYM = re.compile(r"^[A-Z0-9]{2,6}$")
ADDRESS = re.compile(r"https?://\S+|[\w.+-]+@[\w.-]+|/[\w./?=&%-]*")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’]*")
SKIP_ELEMENTS = {"script", "style", "template", "code", "pre"}
SHOWN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}
# A raw distance: "7559082 m", "12,345 m" (above 1000 m a page says km).
METRES = re.compile(r"(?<![\d.,])(\d[\d,]*(?:\.\d+)?)\s?m(?![A-Za-z²])")


# Where a screen says why it refused: a field's errors, the form's, the messages above.
REFUSAL_CLASSES = {"errorlist", "error-summary", "messages"}


class _Text(HTMLParser):
    """The text a reader meets: text nodes and the attributes shown or read aloud; scripts,
    styles, code and anything marked as another language or not to translate left out.
    What stands in a refusal's place (REFUSAL_CLASSES) is also kept apart."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.stack = [], []
        self.refusals, self.refusal_depth = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = (
            tag in SKIP_ELEMENTS
            or ("lang" in attrs and tag != "html" and attrs["lang"] != JA)
            or attrs.get("translate") == "no"
            or attrs.get("type") == "hidden"
        )
        if not any(self.stack) and not skip:
            self.found += [attrs[name] for name in SHOWN_ATTRIBUTES if attrs.get(name)]
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self.found.append(attrs.get("value") or "")
        if tag not in self.VOID:
            self.stack.append(skip)
            refusal = bool(REFUSAL_CLASSES & set((attrs.get("class") or "").split()))
            self.refusal_depth.append(refusal)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()
            self.refusal_depth.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.found.append(data)
            if any(self.refusal_depth):
                self.refusals.append(data)


def visible_text(html: str, *, refusals: bool = False) -> list[str]:
    """The pieces of text a reader meets (only those saying why something was refused)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    pieces = parser.refusals if refusals else parser.found
    return [" ".join(piece.split()) for piece in pieces if piece.strip()]


@cache
def english_words() -> frozenset[str]:
    """The words of the catalogue's English msgids (placeholders taken out), lowercased."""
    text = (ROOT / "locale" / JA / "LC_MESSAGES" / "django.po").read_text()
    words = set()
    for block in re.findall(r'^msgid(?:_plural)? ((?:".*"\n)+)', text, re.M):
        msgid = "".join(re.findall(r'"(.*)"', block))
        msgid = re.sub(r"%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}|\{[^}]*\}", " ", msgid)
        words.update(w.lower() for w in WORD.findall(msgid) if len(w) >= 3)
    return frozenset(words - {w.lower() for w in ALLOWED})


def _runs(piece: str) -> list[str]:
    """Stretches of Latin letters and the punctuation between them (a Japanese character, a
    digit or an arrow ends one), addresses taken out."""
    return [run.strip() for run in re.split(r"[^A-Za-z0-9_'’ ,.:;!?()-]+", ADDRESS.sub(" ", piece))]


def _english(tokens: list[str], names: set[str]) -> bool:
    """A catalogue word, or two words of three letters or more in a row."""
    words = [
        w
        for token in tokens
        for w in WORD.findall(token)
        if w not in ALLOWED and w not in names and not ACRONYM.match(w) and len(w) >= 3
    ]
    return len(words) >= 2 or any(w.lower() in english_words() for w in words)


def classify(pieces: list[str], codes: dict[str, str], names: set[str]) -> dict[str, list[str]]:
    """What is wrong with each piece of text. A stretch made only of codes ("since: today",
    "izumo-densetsu") shows raw codes; so does a code that cannot be English (with - or _)
    anywhere. Other Latin words are English left when they are catalogue words or a phrase;
    a code that is also an English word ("owner") then counts as part of the phrase."""
    found = {"raw codes": set(), "raw metres": set(), "English left": set()}
    for piece in pieces:
        for match in METRES.finditer(piece):
            if float(match.group(1).replace(",", "")) >= 1000:
                found["raw metres"].add(f"{match.group(0)} in «{piece[:80]}»")
        for run in _runs(piece):
            tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9_-]*", run)
            coded = [t for t in tokens if t in codes]
            rest = [t for t in tokens if t not in codes]
            sure = [t for t in coded if not rest or "-" in t or "_" in t]
            found["raw codes"].update(f"{t} ({codes[t]}) in «{piece[:80]}»" for t in sure)
            left = [t for t in tokens if t not in sure]
            if left and _english(left, names):
                found["English left"].add(run)
    return {kind: sorted(items) for kind, items in found.items() if items}


def problems(pieces: list[str], world) -> dict[str, list[str]]:
    return classify(pieces, world["codes"], world["names"])


def _message(where: str, found: dict[str, list[str]]) -> str:
    lines = [where]
    for kind, items in found.items():
        lines.append(f"  {kind}:")
        lines += [f"    {item}" for item in items]
    return "\n".join(lines)


# --- The codes a page must not show --------------------------------------------------------


def _choice_codes() -> dict[str, str]:
    """Every stored choice of the domain's models: statuses, reasons, sources, kinds,
    purposes, roles, policies, actions…"""
    codes = {}
    for app in ("accounts", "assets", "qr_labels", "reports", "inspections", "planning"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                for value, _label in getattr(field, "flatchoices", None) or ():
                    if isinstance(value, str) and len(value) >= 2:
                        codes.setdefault(value, f"{model.__name__}.{field.name}")
    return codes


def world_codes() -> dict[str, str]:
    """Choices, languages, and the codes of this world's catalogue, organisations, questions,
    answers and defects."""
    codes = _choice_codes()
    codes.update({code: "language" for code, _name in settings.LANGUAGES})
    codes.update(dict.fromkeys(("True", "False", "None"), "Python value"))
    codes.update(dict.fromkeys(Organization.objects.values_list("code", flat=True), "organisation"))
    codes.update(dict.fromkeys(AssetType.objects.values_list("code", flat=True), "asset type"))
    for category in FaultCategory.objects.all():
        codes[category.code] = "category"
        for question in category.questions:
            codes[question["key"]] = "question"
            for choice in question.get("choices", []):
                codes[choice["value"] if isinstance(choice, dict) else choice] = "answer"
    codes.update(dict.fromkeys(Defect.objects.values_list("kind", flat=True), "defect kind"))
    for answers in Inspection.objects.values_list("answers", flat=True):
        for key, value in (answers or {}).items():
            codes[key] = "checklist item"
            if isinstance(value, str):
                codes[value] = "checklist answer"
    # Grades (I–IV, A–D, III-1) are how MLIT and the park guideline name them: shown as is.
    return {code: what for code, what in codes.items() if len(code) >= 2}


# --- The world ------------------------------------------------------------------------------


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _send_inspection(inspector, asset, grade, when, defects=(), **extra) -> dict:
    raw = {
        "uuid": extra.pop("uuid", None) or str(uuid.uuid4()),
        "asset": asset.pk,
        "kind": extra.pop("kind", "periodic"),
        "performed_at": when.isoformat(),
        "overall_grade": grade,
        "notes": extra.pop("notes", ""),
        "defects": list(defects),
        **extra,
    }
    item, errors = payload.parse_item(raw)
    assert not errors, errors
    [result] = sync_batch(items=[item], inspector=inspector)
    assert result.status in ("created", "conflict"), result
    return raw


@pytest.fixture
def world(catalogue, city, other_city, django_capture_on_commit_callbacks):
    """A city whose reports went through everything: the mails it sent, by name."""
    checklists_install()
    mail.outbox.clear()
    sent = {}

    def run(name, function, **kwargs):
        """Do something; the mails it sends are kept under `name`."""
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = function(**kwargs)
        for message in mail.outbox[before:]:
            sent[f"{name} → {message.to[0]}"] = message
        return result

    road, parks, contractor = city["road"], city["parks"], city["contractor"]
    city["city"].contact_email = "shimin@city.example"
    city["city"].save()
    parks.contact_email = "koen@city.example"
    parks.save()
    contractor.contact_email = "densetsu@example.jp"
    contractor.save()
    manager = factories.user(city["city"], "manager", username="yamada", email="y@city.example")
    clerk = factories.user(road, "section_staff", username="suzuki")
    factories.user(parks, "section_staff", username="takahashi")
    inspector = factories.user(road, "inspector", username="sato")
    park_inspector = factories.user(parks, "inspector", username="ito")
    prefecture = factories.org(
        "shimane-pref",
        kind="prefecture",
        name="島根県出雲県土整備事務所",
        contact_email="ken@example.jp",
    )

    light = factories.asset(
        "security-light", owner=road, ledger_id="BH-0001", address="今市町1丁目", name="今市1号灯"
    )
    other_light = factories.asset("security-light", owner=road, ledger_id="BH-0002", lon=132.7552)
    swing = factories.asset("swing", owner=parks, ledger_id="PS-1", address="今市公園", lon=132.756)
    label = label_services.label_issue(asset=light, acting_user=policy.SYSTEM)
    lamp_out = FaultCategory.objects.get(code="lamp-out")
    pole = FaultCategory.objects.get(code="pole-damaged")
    here = intake.Place(point=Point(132.755, 35.367, srid=4326), source="device", accuracy_m=8)

    # The report with everything: answers, a photo taken in Tokyo (far from the pole), a
    # duplicate merged in, every status, assignments, a priority, notes, moderation.
    far = factories.photo(data=factories.jpeg_with_gps(35.681, 139.767))
    rich = run(
        "new report",
        intake.report_intake,
        channel="qr",
        acting_user=AnonymousUser(),
        category=pole,
        asset=light,
        label_code=label.code,
        answers={"danger_now": True},
        description="柱が傾いています",
        photos=[far, factories.photo()],
        contact=intake.Contact(email="jumin@example.com", name="出雲太郎", consent=True),
    ).report
    assert rich.photo_far_from_asset, "the Tokyo photo is far from the pole"
    duplicate = intake.report_intake(
        channel="web",
        acting_user=AnonymousUser(),
        category=lamp_out,
        asset=other_light,
        place=here,
        answers={"since": "today"},
    ).report
    run(
        "accepted",
        services.report_transition,
        report=rich,
        to=S.ACCEPTED,
        note_code="parts_ordered",
        note="部品を手配しました",
        public_note=True,
        acting_user=clerk,
    )
    run("merged", services.report_merge, duplicate=duplicate, into=rich, acting_user=clerk)
    run(
        "assigned to a section",
        services.report_assign,
        report=rich,
        assignee=parks,
        acting_user=manager,
    )
    run(
        "assigned to a contractor",
        services.report_assign,
        report=rich,
        assignee=contractor,
        acting_user=manager,
    )
    services.report_set_priority(report=rich, points=20, reason="通学路", acting_user=manager)
    services.report_note_add(report=rich, text="現地確認済み", public=False, acting_user=clerk)
    services.report_set_description_public(report=rich, public=True, acting_user=clerk)
    services.photo_set_public(photo=rich.photos.last(), public=True, acting_user=clerk)
    run("in progress", services.report_transition, report=rich, to=S.IN_PROGRESS, acting_user=clerk)
    link = owner_links.live(rich).get(organization=contractor)
    followups.report_acknowledge(report=rich, acting_user=owner_links.actor(link))
    run(
        "handed back",
        followups.report_hand_back,
        report=rich,
        note="部品が入手できません",
        acting_user=owner_links.actor(link),
    )

    # Fixed, then "still broken" from the resident's own link.
    reopened = run(
        "new report 2",
        intake.report_intake,
        channel="web",
        acting_user=AnonymousUser(),
        category=lamp_out,
        asset=other_light,
        place=here,
        answers={"since": "week"},
        contact=intake.Contact(email="tonari@example.com"),
    ).report
    run("fixed", services.report_transition, report=reopened, to=S.FIXED, acting_user=clerk)
    receipt = reopened.receipts.get(me_too__isnull=True)
    run("still broken", followups.report_still_broken, receipt=receipt, text="まだ暗い")

    # Not ours: passed to the prefecture, which lets its target pass.
    forwarded = intake.report_intake(
        channel="staff",
        acting_user=clerk,
        category=lamp_out,
        place=here,
        asset=light,
        contact=intake.Contact(phone="0853-00-0000"),
    ).report
    run(
        "forwarded",
        services.report_forward,
        report=forwarded,
        to=prefecture,
        note="県の照明です",
        acting_user=clerk,
    )
    Report.objects.filter(pk=forwarded.pk).update(respond_by=_ago(3))
    OwnerLink.objects.filter(report=forwarded).update(respond_by=_ago(3))
    run("owner reminder", notices.owner_reminders_send)

    # Closed without a fault; its contacts deleted after a while; a disclosure on request.
    closed = intake.report_intake(
        channel="email",
        acting_user=AnonymousUser(),
        category=lamp_out,
        asset=other_light,
        place=here,
        contact=intake.Contact(email="kakunin@example.com"),
    ).report
    services.report_transition(
        report=closed, to=S.CLOSED, reason=Report.CloseReason.NO_FAULT, acting_user=clerk
    )
    privacy.reports_purge_contacts(now=timezone.now() + datetime.timedelta(days=3650))
    privacy.personal_data_export(acting_user=manager, email="jumin@example.com")

    # From another system, with its photo link.
    api_client, _key = clients.client_create(name="出雲アプリ", acting_user=manager)
    open311 = intake.report_intake(
        channel="open311",
        acting_user=policy.SYSTEM,
        api_client=api_client,
        category=lamp_out,
        place=here,
        media_url="https://example.org/photo.jpg",
    ).report

    # Inspections: defects that raise a fault, a held record, an assignment, a plan.
    _send_inspection(inspector, light, "I", _ago(400), kind="routine")
    first = _send_inspection(
        inspector,
        light,
        "IV",
        _ago(2),
        defects=[
            {
                "component": "支柱基部",
                "kind": "pole-damaged",
                "grade": "IV",
                "measurement": 15,
                "unit": "%",
            }
        ],
        notes="支柱の腐食",
    )
    _send_inspection(inspector, light, "III", _ago(2), uuid=first["uuid"])  # held: same id
    _send_inspection(park_inspector, swing, "C", _ago(30), defects=[{"kind": "rust", "grade": "C"}])
    assignment = assignment_create(
        name="今市町巡回",
        inspector=inspector,
        assets=[light, other_light],
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        acting_user=manager,
    )
    plan = plans.plan_make(organisation=city["city"], acting_user=manager)
    from_inspection = Report.objects.filter(source=Report.Source.INSPECTION).first()

    # The password-reset mail a member of staff asks for.
    run(
        "password reset",
        Client(HTTP_ACCEPT_LANGUAGE=JA).post,
        path="/manage/password-reset/",
        data={"email": "y@city.example"},
    )

    client = Client(HTTP_ACCEPT_LANGUAGE=JA)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = JA
    client.force_login(manager)
    return {
        "client": client,
        "codes": world_codes(),
        "names": {"yamada", "suzuki", "takahashi", "sato", "ito"},
        "mails": sent,
        "reports": {
            "rich": rich,
            "duplicate": duplicate,
            "reopened": reopened,
            "forwarded": forwarded,
            "closed": closed,
            "open311": open311,
            "from inspection": from_inspection,
        },
        "pk": {
            "manage-asset-history": light.pk,
            "manage-assignment": assignment.pk,
            "manage-assignment-export": assignment.pk,
            "manage-plan-detail": plan.pk,
        },
        "code": {"manage-plan-model": light.asset_type.code},
    }


# --- The pages ------------------------------------------------------------------------------


def _manage_routes() -> list[tuple[str, str]]:
    """(name, route) of every named route under /manage/."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name, route

    return [
        (name, route)
        for name, route in walk(get_resolver().url_patterns, "")
        if route.startswith("manage/")
    ]


# Files, not pages: each has its own test of what it holds.
DOWNLOADS = {
    "manage-queue-export": "CSV/Excel of the queue (tests/web_admin/test_queue.py, exports)",
    "manage-plan-download": "a plan's workbook (tests/planning)",
    "manage-privacy-export": "the JSON for a resident (tests/web_admin/test_privacy_requests.py)",
    "manage-photo": "an image",
    "manage-inspection-assets-map": "JSON for the map script",
    "manage-inspection-assets-export": "Excel (tests/web_admin/test_inspection_exports.py)",
    "manage-inspections-export": "Excel (tests/web_admin/test_inspection_exports.py)",
    "manage-assignments-export": "Excel (tests/web_admin/test_inspection_exports.py)",
    "manage-assignment-export": "Excel (tests/web_admin/test_inspection_exports.py)",
}
# Pages worth reading in more than one state: (route, variant) -> (report or kwargs, query).
VARIANTS = {
    "manage-report": {
        name: {}
        for name in ("rich", "reopened", "forwarded", "closed", "open311", "from inspection")
    },
    "manage-queue": {
        "": {},
        "filtered": {"query": "status=new&status=accepted&category=lamp-out&source=qr&overdue=on"},
    },
    "manage-privacy": {"": {}, "found": {"query": "email=jumin@example.com"}},
    "manage-inspection-assets": {"": {}, "overdue": {"query": "due=overdue"}},
    "manage-work-orders": {"": {"query": "r={rich}"}},
}
SIGNED_OUT = {
    "manage-login",
    "manage-password-reset",
    "manage-password-reset-done",
    "manage-password-reset-complete",
    "manage-password-reset-confirm",
}


def _pages() -> list:
    pages = []
    for name, _route in _manage_routes():
        if name in DOWNLOADS:
            continue
        for variant in VARIANTS.get(name, {"": {}}):
            pages.append(pytest.param(name, variant, id=f"{name}[{variant}]" if variant else name))
    return pages


def _url(name: str, variant: str, world) -> tuple[str, list[str]]:
    """The page's address, and the parameters this test had to guess (a route it does not
    know yet: fine if it answers only POST)."""
    kwargs, guessed = {}, []
    route = dict(_manage_routes())[name]
    for key in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if key == "number":
            kwargs[key] = world["reports"][variant or "rich"].number
        elif key in ("pk", "code") and name in world[key]:
            kwargs[key] = world[key][name]
        elif key in ("uidb64", "token") and name == "manage-password-reset-confirm":
            kwargs[key] = {"uidb64": "MQ", "token": "x-y"}[key]
        else:
            kwargs[key], guessed = "1", [*guessed, key]
    url = reverse(name, kwargs=kwargs)
    query = VARIANTS.get(name, {}).get(variant, {}).get("query")
    if query:
        url += "?" + query.format(rich=world["reports"]["rich"].number)
    return url, guessed


@pytest.mark.parametrize(("name", "variant"), _pages())
def test_the_staff_page_says_it_in_japanese_words(name, variant, world):
    client = Client(HTTP_ACCEPT_LANGUAGE=JA) if name in SIGNED_OUT else world["client"]
    url, guessed = _url(name, variant, world)

    response = client.get(url, follow=True)

    if response.status_code == 405:
        return  # a screen's action, answering only POST: a GET is refused cleanly, nothing to read
    assert not guessed, f"{name}: say in this test what {', '.join(guessed)} to open it with"
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), f"{name}: a download? (DOWNLOADS)"
    found = problems(visible_text(response.content.decode()), world)
    assert found == {}, _message(f"{name} {variant} ({url})", found)


# Forms sent back, on the screens of this part: (route, report, data) -> what they refuse.
REFUSALS = {
    "intake: no place": ("manage-intake", None, {"category": "lamp-out"}),
    "intake: a mistyped sticker": (
        "manage-intake",
        None,
        {"category": "lamp-out", "label_code": "ZZZZZZZZ"},
    ),
    "intake: an unknown ledger number": (
        "manage-intake",
        None,
        {"category": "lamp-out", "ledger_id": "NO-SUCH-1"},
    ),
    "status: closed without a reason": ("manage-report-status", "rich", {"to": "closed"}),
    "status: a closed report fixed": ("manage-report-status", "closed", {"to": "fixed"}),
    "note: nothing in it": ("manage-report-note", "rich", {"text": ""}),
    "priority: no reason": ("manage-report-priority", "rich", {"points": 5, "reason": ""}),
    "priority: too far": ("manage-report-priority", "rich", {"points": 500, "reason": "x"}),
    "merge: into itself": ("manage-report-merge", "rich", {"duplicate": "{rich}"}),
    "merge: an unknown report": ("manage-report-merge", "rich", {"duplicate": "R-1999-000001"}),
    "forward: to its owner": ("manage-report-forward", "rich", {"to": "{road}"}),
    "api key: a name taken": ("manage-api-clients", None, {"name": "出雲アプリ"}),
    "api key: a bad rate": ("manage-api-clients", None, {"name": "別", "rate_limit": "many"}),
    "privacy: erase unconfirmed": ("manage-privacy-erase", None, {"email": "jumin@example.com"}),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refusal_says_why_in_japanese_words(name, world):
    route, report, data = REFUSALS[name]
    kwargs = {"number": world["reports"][report].number} if report else {}
    values = {"rich": world["reports"]["rich"].number, "road": world["reports"]["rich"].owner_id}
    data = {key: str(value).format(**values) for key, value in data.items()}

    response = world["client"].post(reverse(route, kwargs=kwargs), data, follow=True)

    said = visible_text(response.content.decode(), refusals=True)
    assert response.status_code in (200, 400), response.status_code
    assert said, f"{name}: the page says nothing about the refusal"
    found = problems(said, world)
    assert found == {}, _message(f"{name} ({route})", found)


# --- The e-mails ----------------------------------------------------------------------------

MAILS = [
    "new report → doro@city.example",
    "new report → jumin@example.com",
    "accepted → jumin@example.com",
    "assigned to a section → koen@city.example",
    "assigned to a contractor → densetsu@example.jp",
    "handed back → doro@city.example",
    "fixed → tonari@example.com",
    "still broken → doro@city.example",
    "forwarded → ken@example.jp",
    "owner reminder → shimin@city.example",
    "password reset → y@city.example",
]


@pytest.mark.parametrize("name", MAILS)
def test_the_email_says_it_in_japanese_words(name, world):
    assert name in world["mails"], f"not sent; sent were: {sorted(world['mails'])}"
    message = world["mails"][name]

    pieces = [" ".join(line.split()) for line in [message.subject, *message.body.splitlines()]]

    found = problems([piece for piece in pieces if piece], world)
    assert found == {}, _message(f"mail «{name}»: {message.subject}", found)


# --- The checker itself ---------------------------------------------------------------------


def test_the_checker_finds_codes_english_and_raw_metres(world):
    html = (
        "<p>状態: new → accepted</p><p>— → izumo-densetsu</p><p>since: today</p>"
        "<p>写真は7559082 m離れています</p><button>Hide</button><p>The order has changed.</p>"
        '<script>var status = "new";</script><a href="/manage/queue/?status=new">一覧</a>'
        "<p>1.2 km · 350 m · QR · LED · yamada</p>"
    )

    found = problems(visible_text(html), world)

    assert found == {
        "raw codes": [
            "accepted (Report.status) in «状態: new → accepted»",
            "izumo-densetsu (organisation) in «— → izumo-densetsu»",
            "new (Report.status) in «状態: new → accepted»",
            "since (question) in «since: today»",
            "today (answer) in «since: today»",
        ],
        "raw metres": ["7559082 m in «写真は7559082 m離れています»"],
        "English left": ["Hide", "The order has changed."],
    }
