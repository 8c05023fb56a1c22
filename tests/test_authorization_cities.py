"""The authorisation table of tests/test_authorization.py on a deployment of two cities.

The same world, but its organisations are 出雲市's (izumo.test) and the other city's manager
is staff of 松江市 (matsue.test), which has an asset, a sticker and a report of its own. Every
route of the table is called for every actor:

(a) on Izumo's host with Izumo's objects: as the declared table, but for Matsue's manager,
    who is a visitor here (staff screens 403 naming Matsue, the staff API 401, public pages
    as anybody): `on_izumo` says so route by route;
(b) on Matsue's host with Izumo's objects in the URL: every object route is a 404 for
    whoever may look there (Izumo's staff: 403 on /manage/, 401 on the staff API), and no
    response body, of any route, for any actor, holds a marker of Izumo's (ledger ids, the
    sticker's code, the receipt, the report number, "出雲だけ");
(c) on Izumo's host: no body holds a marker of Matsue's.
"""

import contextlib
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.test import Client
from django.urls import reverse

from accounts import city_setup, policy
from accounts.models import Organization
from assets.models import FaultCategory
from qr_labels import codes
from qr_labels import services as label_services
from reports import intake
from tests import factories
from tests import test_authorization as authorization
from tests.accounts.test_cities import _host_map_after_the_rollback  # noqa: F401 (autouse)
from tests.test_authorization import ACTORS, HIDE, IN, NO, OK, _call, _outcome, table

world = authorization.world  # the fixture: the one-city world of the table

IZUMO_AREA = "POLYGON((132.60 35.25, 132.90 35.25, 132.90 35.45, 132.60 35.45, 132.60 35.25))"
MATSUE_AREA = "POLYGON((132.95 35.40, 133.20 35.40, 133.20 35.55, 132.95 35.55, 132.95 35.40))"
IZUMO_HOST, MATSUE_HOST = "izumo.test", "matsue.test"
# Izumo's staff in the table (the other city's manager and the superuser are not).
IZUMO_STAFF = ("viewer", "inspector", "staff", "manager", "association")


def _city(slug, name, name_en, code, area, organisations):
    """A City row made as `manage.py create_city` makes it, taking over `organisations`; the
    organisation and manager it made are dropped (the world's are the city's)."""
    plan = city_setup.city_check(
        slug=slug,
        name=name,
        name_en=name_en,
        prefecture="島根県",
        local_government_code=code,
        public_base_url=f"https://{slug}.test",
        phone="0853-21-2211",
        manager_email=f"first-manager@{slug}.test",
        area_text=area,
        organisation_code=f"{slug}-made",
    )
    row, made, manager = city_setup.city_create(plan=plan)
    manager.delete()
    made.delete()
    Organization.objects.filter(pk__in=[o.pk for o in organisations]).update(city=row)
    return row


@pytest.fixture
def cities(world, city, other_city, settings):
    settings.ALLOWED_HOSTS = [IZUMO_HOST, MATSUE_HOST, "testserver"]
    izumo_orgs = [*city.values(), *Organization.objects.filter(code__in=["jichikai", "pref"])]
    izumo = _city("izumo", "出雲市", "Izumo City", "322032", IZUMO_AREA, izumo_orgs)
    matsue = _city("matsue", "松江市", "Matsue City", "322016", MATSUE_AREA, [other_city])
    asset = factories.asset(
        "security-light",
        owner=other_city,
        lon=133.05,
        lat=35.47,
        ledger_id="MATSUE-ONLY-1",
        address="松江だけ1丁目",
    )
    label = label_services.label_issue(asset=asset, acting_user=policy.SYSTEM)
    factories.user(other_city, "inspector", username="inspector-matsue")
    outcome = intake.report_intake(
        channel="web",
        acting_user=AnonymousUser(),
        category=FaultCategory.objects.get(code="lamp-out"),
        asset=asset,
        place=intake.Place(point=Point(133.05, 35.47, srid=4326), source="device"),
        description="松江だけの街灯が消えている",
    )
    for row in (izumo, matsue):
        row.refresh_from_db()
    return {
        "izumo": izumo,
        "matsue": matsue,
        "matsue_markers": [
            "MATSUE-ONLY-1",
            "松江だけ",
            label.code,
            outcome.receipt.token,
            outcome.report.number,
            "inspector-matsue",
        ],
        "izumo_markers": izumo_markers(world),
        "matsue_report": outcome.report,
    }


def izumo_markers(w) -> list[str]:
    label = w["label"].code
    return [
        "IZUMO-ONLY-1",
        "IZUMO-ONLY-2",
        "IZUMO-ONLY-3",
        "出雲だけ",
        label,
        codes.display(label),
        w["receipt"],
        w["report"].number,
        w["other_report"].number,
        # Its people and sections: an inspector's user name, a section, its association.
        "inspector-road",
        "道路河川維持課",
        "今市町自治会",
    ]


def _text(response) -> str:
    """Everything a body says: as UTF-8 and Shift_JIS, with JSON's \\u escapes undone, and
    the members of a zip (xlsx) read too."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [body]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts += [archive.read(name) for name in archive.namelist()]
    texts = []
    for part in parts:
        texts += [part.decode("utf-8", "replace"), part.decode("cp932", "replace")]
        with contextlib.suppress(ValueError):
            texts.append(json.dumps(json.loads(part), ensure_ascii=False))
    return "\n".join(texts)


def _client(actor, w, host):
    client = Client(
        HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST=host, REMOTE_ADDR=f"198.51.100.{ACTORS.index(actor)}"
    )
    if actor != "anonymous":
        client.force_login(w["actors"][actor])
    return client


# --- What each route is, for the rules below ------------------------------------------------

REFUSED = "refused"  # 409: the request names something that cannot be acted on here
PUBLIC_API = {
    "api:asset-list",
    "api:asset-detail",
    "api:asset-by-ledger",
    "api:asset-type-list",
    "api:schema",
    "api:docs",
    "api:redoc",
    "api:sign-in",
}
SIGN_IN_PAGES = {
    "manage-login",
    "manage-logout",
    "manage-password-reset",
    "manage-password-reset-done",
    "manage-password-reset-confirm",
    "manage-password-reset-complete",
}
# Routes whose URL (or body) names one of Izumo's things: a report, a sticker, an asset, a
# photo, a receipt or link token, an inspection, an assignment, a plan, a held record, a key.
OBJECT_ROUTES = {
    "scan",
    "report-me-too",
    "report-status",
    "report-photo",
    "report-still-broken",
    "owner-page",
    "owner-photo",
    "public-photo",
    "ogc:item",
    "open311-request",
    "open311-token",
    "api:asset-detail",
    "api:asset-by-ledger",
    "api:device-revoke",
    "api:label-image",
    "api:label-issue",
    "api:label-replace",
    "api:label-move",
    "api:label-retire",
    "api:label-keeps-working",
    "api:inspection-photos",
    "api:inspection-photo-confirm",
    "api:asset-history",
    "manage-report",
    "manage-report-status",
    "manage-report-note",
    "manage-report-moderate",
    "manage-report-assign",
    "manage-report-merge",
    "manage-report-forward",
    "manage-report-priority",
    "manage-report-link",
    "manage-photo",
    "manage-work-order",
    "manage-work-orders",
    "manage-asset-history",
    "manage-asset-work",
    "manage-plan-detail",
    "manage-plan-download",
    "manage-assignment",
    "manage-assignment-export",
    "manage-quarantine-resolve",
    "manage-api-client-revoke",
}
# Not objects of a city: a photo staged before any report exists belongs to whoever holds
# its token; an asset type's model (manage-plan-model) is of the shared catalogue.


def kind(name: str) -> str:
    if name.startswith("manage-") and name not in SIGN_IN_PAGES:
        return "manage"  # a session of another city: 403 naming its city
    if name.startswith("api:") and name not in PUBLIC_API:
        return "staff-api"  # a session of another city: nobody (401)
    return "public"  # a session of another city: anybody


def on_izumo(name: str, actor: str, declared: dict) -> str:
    """Izumo's host, Izumo's objects: the table, but Matsue's manager is a visitor here."""
    if actor != "other":
        return declared[actor]
    return {"manage": NO, "staff-api": IN}.get(kind(name), declared["anonymous"])


def on_matsue(name: str, actor: str, declared: dict) -> str:
    """Matsue's host, Izumo's objects in the URL: nobody finds them; Izumo's staff are
    visitors (403 on the staff screens, 401 on the staff API)."""
    if actor in IZUMO_STAFF and kind(name) == "manage":
        return NO
    if actor in IZUMO_STAFF or actor == "anonymous":
        if kind(name) == "public" and name in OBJECT_ROUTES:
            return HIDE
        return declared["anonymous"]
    # Matsue's manager as Izumo's manager at home; the superuser as anywhere.
    if name in OBJECT_ROUTES:
        return HIDE
    return declared["manager" if actor == "other" else "root"]


# (host, route, actor) -> outcome, where the rules above do not say it; each with its reason.
EXPLICIT = {
    # The bulk bar refuses a selection with a report not found here whole, naming only the
    # number sent (409), for those who may use the bar at all.
    (MATSUE_HOST, "manage-queue-bulk", "other"): REFUSED,
    (MATSUE_HOST, "manage-queue-bulk", "root"): REFUSED,
}


def expected(host, name, actor, declared) -> str:
    if (host, name, actor) in EXPLICIT:
        return EXPLICIT[(host, name, actor)]
    rule = on_izumo if host == IZUMO_HOST else on_matsue
    return rule(name, actor, declared)


def _check(w, c, host, name, actor):
    """(found, wanted, leaked markers) of one route for one actor on one host."""
    method, kwargs, body, declared = table(w)[name]
    url = reverse(name, kwargs=kwargs) if name != "open311-unknown" else "/open311/v2/x.json"
    response = _call(_client(actor, w, host), name, method, url, body)
    found = _outcome(response)
    if found == OK and response.status_code == 409:
        found = REFUSED if expected(host, name, actor, declared) == REFUSED else OK
    sent = url + json.dumps(body or {}, ensure_ascii=False)
    markers = c["izumo_markers"] if host == MATSUE_HOST else c["matsue_markers"]
    # What the request itself carries is not a leak (a 404 may name the path asked for).
    text = _text(response)
    leaked = [m for m in markers if m in text and m not in sent and m.replace("-", "") not in sent]
    return found, expected(host, name, actor, declared), leaked


def _wrong(w, c, host):
    wrong = []
    for name in table(w):
        for actor in ACTORS:
            found, wanted, leaked = _check(w, c, host, name, actor)
            if found != wanted or leaked:
                wrong.append(f"{name} {actor}: found {found}, wanted {wanted}, leaked {leaked}")
    return wrong


def test_on_izumos_host_every_route_answers_as_declared_and_shows_nothing_of_matsue(world, cities):
    wrong = _wrong(world, cities, IZUMO_HOST)
    assert wrong == [], "\n".join(wrong)


def test_on_matsues_host_nothing_of_izumo_is_found_by_anybody_on_any_route(world, cities):
    wrong = _wrong(world, cities, MATSUE_HOST)
    assert wrong == [], "\n".join(wrong)


def test_the_markers_are_there_to_be_found_on_their_own_citys_host(world, cities):
    """The lists searched above show each city's own things, so a marker's absence on the
    other host means something."""
    own = {
        IZUMO_HOST: ("IZUMO-ONLY-1", world["report"].number),
        MATSUE_HOST: ("MATSUE-ONLY-1", cities["matsue_report"].number),
    }
    for host, (ledger_id, number) in own.items():
        client = _client("root", world, host)
        assert ledger_id in _text(client.get(reverse("api:asset-list")))
        assert ledger_id in _text(client.get(reverse("open-data-assets", kwargs={"fmt": "csv"})))
        assert number in _text(client.get(reverse("manage-queue")))
        assert number in _text(client.get("/open311/v2/requests.json"))


def test_izumos_sticker_scanned_on_matsues_host_is_a_404_naming_izumo(world, cities):
    client = Client(HTTP_HOST=MATSUE_HOST, HTTP_ACCEPT_LANGUAGE="ja")
    page = client.get(reverse("scan", kwargs={"code": world["label"].code}))

    assert page.status_code == 404
    assert "出雲市" in page.content.decode()
    assert "IZUMO-ONLY-1" not in page.content.decode()
