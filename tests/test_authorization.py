"""Every URL the project serves, for every kind of visitor, against a declared table.

The routes are read from the resolver itself: a new route that is missing from the table
fails `test_every_route_is_in_the_table`, so nobody adds a page without saying who may use
it. Each route is called as anonymous, a viewer, an inspector, section staff, a manager,
another city's manager, a neighbourhood association's manager and a superuser, on the
objects of the city (a report, a sticker, an asset, an assignment, a held record…).

Outcomes: OK (served: 2xx, a redirect that is not a sign-in, or 400 for a form posted
empty), IN (sent to sign in: a redirect to a sign-in page, or 401 from the API), NO (403)
and HIDE (404: someone else's thing looks like nothing).

Why it is long: one table of every route, and the one world it is called on, read best side
by side; tests/test_authorization_cities.py calls the same table on two cities.
"""

import datetime
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import policy
from accounts.models import DeviceToken
from inspections import payload
from inspections.assignments import assignment_create
from inspections.checklists import checklists_install
from inspections.models import Inspection, Quarantine
from inspections.sync import sync_batch
from planning import plans
from qr_labels import services as label_services
from reports import clients, intake, owner_links, services
from tests import factories

OK, IN, NO, HIDE = "ok", "in", "no", "hide"
ACTORS = ("anonymous", "viewer", "inspector", "staff", "manager", "other", "association", "root")
PASSWORD = "pw-Machimori-2026"


def everyone(outcome=OK):
    return dict.fromkeys(ACTORS, outcome)


def staff(*, anonymous=IN, **others):
    """Staff pages: anonymous signs in; every known role reads; `others` override."""
    table = dict.fromkeys(ACTORS, OK)
    table["anonymous"] = anonymous
    table.update(others)
    return table


# Who may change the city's reports, on a report of the road section.
CHANGE = staff(viewer=NO, inspector=NO, other=HIDE, association=HIDE)
# …and the same on the screen itself, when the right is missing everywhere (403 first).
MANAGER_ONLY = staff(viewer=NO, inspector=NO, staff=NO, other=HIDE, association=HIDE)
READ_OURS = staff(other=HIDE, association=HIDE)
API_READ = staff(anonymous=IN)
API_OURS = staff(other=HIDE, association=HIDE)
# A plan of the city itself: its sections' staff do not see it (their scope is below it).
PLAN_OURS = staff(inspector=HIDE, staff=HIDE, other=HIDE, association=HIDE)


# route name -> (method, path kwargs from the world, body from the world, outcome per actor)
def table(w):
    report, label = w["report"], w["label"]
    number = {"number": report.number}
    return {
        # --- Residents: no account, no sign-in -------------------------------------------
        "home": ("GET", {}, None, everyone()),
        "favicon": ("GET", {}, None, everyone()),
        "healthz": ("GET", {}, None, everyone()),
        "healthz-component": ("GET", {"component": "database"}, None, everyone()),
        # Only from this machine or with METRICS_TOKEN (tests/test_observability.py): the
        # actors here call from 198.51.100.x, so even a superuser finds nothing.
        "metrics": ("GET", {}, None, everyone(HIDE)),
        # The field app's shell holds no data (it signs in through the API): anyone loads it.
        "field:app": ("GET", {}, None, everyone()),
        "field:manifest": ("GET", {}, None, everyone()),
        "field:service-worker": ("GET", {}, None, everyone()),
        # LINE's webhook: 404 while the city has no channel (a signed post is LINE's alone).
        "line-webhook": ("POST", {}, {}, everyone(HIDE)),
        "scan": ("GET", {"code": label.code}, None, everyone()),
        "scan-entry": ("GET", {}, None, everyone()),
        "report-new": ("GET", {}, None, everyone()),
        "report-me-too": ("POST", number, {"email": ""}, everyone()),
        "report-staged-photo": ("GET", {"token": w["staged"].token}, None, everyone()),
        "report-status": ("GET", {"token": w["receipt"]}, None, everyone()),
        "report-photo": (
            "GET",
            {"token": w["receipt"], "photo": w["photo"].token, "variant": "thumb"},
            None,
            everyone(),
        ),
        "report-still-broken": ("POST", {"token": w["receipt"]}, {}, everyone()),
        # An owner's or contractor's link: the signed token is the permission.
        "owner-page": ("GET", {"token": w["owner_token"]}, None, everyone()),
        "owner-photo": (
            "GET",
            {"token": w["owner_token"], "photo": w["owner_photo"].token, "variant": "thumb"},
            None,
            everyone(),
        ),
        "public-photo": (
            "GET",
            {"token": w["public_photo"].token, "variant": "thumb"},
            None,
            everyone(),
        ),
        "set_language": ("POST", {}, {"language": "en", "next": "/"}, everyone()),
        # --- Open data and Open311: public reads; posts need a key ------------------------
        "open-data": ("GET", {}, None, everyone()),
        "open-data-assets": ("GET", {"fmt": "csv"}, None, everyone()),
        "open-data-reports": ("GET", {"fmt": "geojson"}, None, everyone()),
        "open-data-jp": ("GET", {"code": "public-toilets"}, None, everyone()),
        "ogc:landing": ("GET", {}, None, everyone()),
        "ogc:api": ("GET", {}, None, everyone()),
        "ogc:conformance": ("GET", {}, None, everyone()),
        "ogc:collections": ("GET", {}, None, everyone()),
        "ogc:collection": ("GET", {"collection_id": "assets"}, None, everyone()),
        "ogc:items": ("GET", {"collection_id": "reports"}, None, everyone()),
        "ogc:item": (
            "GET",
            {"collection_id": "assets", "feature_id": w["light"].pk},
            None,
            everyone(),
        ),
        "open311-discovery": ("GET", {"fmt": "json"}, None, everyone()),
        "open311-services": ("GET", {"fmt": "json"}, None, everyone()),
        "open311-service": ("GET", {"code": "lamp-out", "fmt": "json"}, None, everyone()),
        "open311-requests": ("POST", {"fmt": "json"}, {"service_code": "lamp-out"}, everyone(NO)),
        "open311-request": ("GET", {"number": report.number, "fmt": "json"}, None, everyone()),
        "open311-token": ("GET", {"token": w["receipt"], "fmt": "json"}, None, everyone()),
        "open311-updates": ("GET", {"fmt": "json"}, None, everyone()),
        "open311-unknown": ("GET", {"path": "nothing.json"}, None, everyone(HIDE)),
        # --- The public REST API ----------------------------------------------------------
        "api:asset-list": ("GET", {}, None, everyone()),
        "api:asset-detail": ("GET", {"pk": w["light"].pk}, None, everyone()),
        "api:asset-by-ledger": ("GET", {"ledger_id": w["light"].ledger_id}, None, everyone()),
        "api:asset-type-list": ("GET", {}, None, everyone()),
        "api:schema": ("GET", {}, None, everyone()),
        "api:docs": ("GET", {}, None, everyone()),
        "api:redoc": ("GET", {}, None, everyone()),
        "api:sign-in": (
            "POST",
            {},
            {"username": "nobody", "password": "x", "device": "t"},
            everyone(OK),
        ),
        # --- The staff API: tokens, labels, inspections -----------------------------------
        "api:sign-out": ("POST", {}, None, API_READ),
        "api:device-list": ("GET", {}, None, API_READ),
        "api:device-revoke": (
            "DELETE",
            {"pk": w["device"].pk},
            None,
            staff(
                viewer=HIDE,
                inspector=OK,
                staff=HIDE,
                manager=HIDE,
                other=HIDE,
                association=HIDE,
                root=HIDE,
            ),
        ),  # only the token's owner signs a device out
        "api:label-list": ("GET", {}, None, API_READ),
        "api:label-scans": ("GET", {}, None, API_READ),
        "api:label-sheet": ("GET", {}, None, API_READ),
        "api:label-image": ("GET", {"code": label.code, "fmt": "svg"}, None, API_OURS),
        "api:label-issue": (
            "POST",
            {"pk": w["bare"].pk},
            {},
            staff(
                viewer=NO,
                inspector=NO,
                other=NO,
                association=NO,
            ),
        ),
        "api:label-replace": (
            "POST",
            {"code": label.code},
            {},
            staff(
                viewer=NO,
                inspector=NO,
                other=HIDE,
                association=HIDE,
            ),
        ),
        "api:label-move": (
            "POST",
            {"code": label.code},
            {"asset": w["bare"].pk},
            staff(
                viewer=NO,
                inspector=NO,
                other=HIDE,
                association=HIDE,
            ),
        ),
        "api:label-retire": (
            "POST",
            {"code": label.code},
            {},
            staff(
                viewer=NO,
                inspector=NO,
                other=HIDE,
                association=HIDE,
            ),
        ),
        "api:label-keeps-working": (
            "POST",
            {"code": label.code},
            {"keeps_working": True},
            staff(
                viewer=NO,
                inspector=NO,
                other=HIDE,
                association=HIDE,
            ),
        ),
        "api:assignment-list": ("GET", {}, None, API_READ),
        # Work packs are for inspecting: a viewer, who may not inspect, gets none.
        "api:workpack": ("GET", {}, None, staff(viewer=NO)),
        "api:changes": ("GET", {}, None, staff(viewer=NO)),
        "api:inspection-sync": (
            "POST",
            {},
            {"inspections": []},
            staff(viewer=NO, other=OK, association=OK),
        ),
        "api:inspection-photos": (
            "POST",
            {"uuid": w["inspection"].uuid},
            {},
            staff(viewer=NO, other=HIDE, association=HIDE),
        ),  # inspections of assets one may read
        "api:inspection-photo-confirm": (
            "POST",
            {"uuid": w["inspection"].uuid, "sha256": "0" * 64},
            {},
            staff(viewer=NO, other=HIDE, association=HIDE),
        ),
        "api:asset-history": ("GET", {"pk": w["light"].pk}, None, API_OURS),
        "api:condition-history": ("GET", {}, None, API_READ),
        # --- The managers' screens --------------------------------------------------------
        "manage-login": ("GET", {}, None, everyone()),
        "manage-logout": ("POST", {}, None, everyone()),
        "manage-password-reset": ("GET", {}, None, everyone()),
        "manage-password-reset-done": ("GET", {}, None, everyone()),
        "manage-password-reset-confirm": (
            "GET",
            {"uidb64": "MQ", "token": "x-y"},
            None,
            everyone(),
        ),
        "manage-password-reset-complete": ("GET", {}, None, everyone()),
        "manage-dashboard": ("GET", {}, None, staff()),
        "manage-queue": ("GET", {}, None, staff()),
        "manage-queue-export": ("GET", {"fmt": "csv"}, None, staff()),
        # Staff who change reports anywhere reach the bulk bar; another organisation's
        # report in the selection is refused whole (409, naming only the number sent).
        "manage-queue-bulk": (
            "POST",
            {},
            {"r": report.number, "action": "accept"},
            staff(viewer=NO, inspector=NO),
        ),
        "manage-intake": ("GET", {}, None, staff(viewer=NO, inspector=NO)),
        "manage-report": ("GET", number, None, READ_OURS),
        "manage-report-status": ("POST", number, {"to": "accepted"}, CHANGE),
        "manage-report-note": ("POST", number, {"text": "メモ"}, CHANGE),
        "manage-report-moderate": ("POST", number, {"description": "public"}, CHANGE),
        "manage-report-assign": ("POST", number, {}, CHANGE),
        "manage-report-merge": ("POST", number, {"duplicate": w["other_report"].number}, CHANGE),
        "manage-report-forward": ("POST", number, {}, CHANGE),
        "manage-report-priority": ("POST", number, {"points": 5, "reason": "x"}, MANAGER_ONLY),
        "manage-report-link": ("POST", number, {"purpose": "owner"}, CHANGE),
        "manage-photo": (
            "GET",
            {"token": w["photo"].token, "variant": "original"},
            None,
            READ_OURS,
        ),
        # Work orders: read like the report; printing with a contractor's link is a POST
        # for those who change reports (tests/web_admin/test_work_orders.py).
        "manage-work-order": ("GET", number, None, READ_OURS),
        "manage-work-orders": ("GET", {}, {"r": report.number}, READ_OURS),
        "manage-inspections": ("GET", {}, None, staff()),
        "manage-inspection-assets": ("GET", {}, None, staff()),
        "manage-inspection-assets-map": ("GET", {}, None, staff()),
        "manage-asset-history": ("GET", {"pk": w["light"].pk}, None, READ_OURS),
        "manage-asset-work": ("POST", {"pk": w["light"].pk}, {}, CHANGE),
        # The long-life plan: every organisation's staff read their own plan's page, its
        # managers make plans; a saved plan is seen within the organisations it covers.
        "manage-plan": ("GET", {}, None, staff()),
        "manage-plan-make": ("POST", {}, {}, staff(viewer=NO, inspector=NO, staff=NO)),
        "manage-plan-detail": ("GET", {"pk": w["plan"].pk}, None, PLAN_OURS),
        "manage-plan-download": ("GET", {"pk": w["plan"].pk, "fmt": "xlsx"}, None, PLAN_OURS),
        # Models: staff of organisations owning assets of the type; others own none here.
        "manage-plan-models": ("GET", {}, None, staff(other=NO, association=NO)),
        "manage-plan-model": (
            "GET",
            {"code": w["light"].asset_type.code},
            None,
            staff(other=HIDE, association=HIDE),
        ),
        "manage-assignments": ("GET", {}, None, staff()),
        "manage-assignment": (
            "GET",
            {"pk": w["assignment"].pk},
            None,
            staff(
                inspector=OK,
                other=HIDE,
                association=HIDE,
            ),
        ),
        "manage-quarantine": ("GET", {}, None, staff()),
        "manage-quarantine-resolve": (
            "POST",
            {"pk": w["held"].pk},
            {"decision": "x"},
            staff(viewer=NO, inspector=NO, staff=NO, other=HIDE, association=HIDE),
        ),
        "manage-conditions": ("GET", {}, None, staff()),
        # The inspection lists as Excel files: whoever reads the list downloads it.
        "manage-inspection-assets-export": ("GET", {}, None, staff()),
        "manage-inspections-export": ("GET", {}, None, staff()),
        "manage-assignments-export": ("GET", {}, None, staff()),
        "manage-assignment-export": (
            "GET",
            {"pk": w["assignment"].pk},
            None,
            staff(inspector=OK, other=HIDE, association=HIDE),
        ),
        "manage-api-clients": (
            "GET",
            {},
            None,
            staff(
                viewer=NO,
                inspector=NO,
                staff=NO,
                association=NO,
            ),
        ),
        "manage-api-client-revoke": (
            "POST",
            {"pk": w["api_client"].pk},
            None,
            staff(
                viewer=NO,
                inspector=NO,
                staff=NO,
                other=HIDE,
                association=NO,
            ),
        ),
        "manage-privacy": ("GET", {}, None, staff(viewer=NO, inspector=NO, staff=NO)),
        "manage-privacy-export": (
            "GET",
            {},
            {"email": "x@example.com"},
            staff(
                viewer=NO,
                inspector=NO,
                staff=NO,
            ),
        ),
        "manage-privacy-erase": (
            "POST",
            {},
            {"email": "x@example.com"},
            staff(
                viewer=NO,
                inspector=NO,
                staff=NO,
            ),
        ),
    }


def routes():
    """(name, pattern) of every route the resolver knows, the admin's by namespace."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or "open311-unknown"
                yield (f"{namespace}:{name}" if namespace else name), pattern

    return list(walk(get_resolver().url_patterns))


@pytest.fixture
def world(catalogue, city, other_city, manager, viewer, section_staff, other_city_manager):
    checklists_install()
    association = factories.org("jichikai", kind="association", name="今市町自治会")
    inspector = factories.user(city["road"], "inspector", username="inspector-road")
    actors = {
        "anonymous": AnonymousUser(),
        "viewer": viewer,
        "inspector": inspector,
        "staff": section_staff,
        "manager": manager,
        "other": other_city_manager,
        "association": factories.user(association, "manager", username="kaicho"),
        "root": factories.user(None, "", username="root", is_superuser=True, is_staff=True),
    }
    light = factories.asset(
        "security-light", owner=city["road"], ledger_id="IZUMO-ONLY-1", address="出雲だけ1丁目"
    )
    bare = factories.asset(
        "security-light", owner=city["road"], ledger_id="IZUMO-ONLY-2", lon=132.76
    )
    label = label_services.label_issue(asset=light, acting_user=policy.SYSTEM)
    photo, public = factories.photo(), factories.photo()
    outcome = intake.report_intake(
        channel="qr",
        acting_user=AnonymousUser(),
        category=light.asset_type.categories.get(code="lamp-out"),
        asset=light,
        description="出雲だけの街灯が消えている",
        photos=[photo, public],
    )
    services.photo_set_public(photo=public, public=True, acting_user=policy.SYSTEM)
    other_report = intake.report_intake(
        channel="staff",
        acting_user=policy.SYSTEM,
        category=light.asset_type.categories.get(code="flickering"),
        asset=light,
    ).report
    device, _text = DeviceToken.issue(
        user=inspector, name="tab", lifetime=datetime.timedelta(days=1)
    )
    performed = timezone.now() - datetime.timedelta(days=1)
    first = {
        "uuid": str(uuid.uuid4()),
        "asset": light.pk,
        "kind": "routine",
        "performed_at": performed.isoformat(),
        "overall_grade": "I",
        "answers": {},
        "defects": [],
    }
    [created] = sync_batch(items=[payload.parse_item(first)[0]], inspector=inspector)
    [held] = sync_batch(
        items=[payload.parse_item({**first, "overall_grade": "III"})[0]], inspector=inspector
    )
    assert (created.status, held.status) == ("created", "conflict")
    assignment = assignment_create(
        name="出雲だけの巡回",
        inspector=inspector,
        assets=[light],
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        acting_user=manager,
    )
    api_client, _key = clients.client_create(name="出雲だけのアプリ", acting_user=manager)
    # A light the prefecture looks after (nobody signs in for it): its link and a photo.
    prefecture = factories.org("pref", kind="prefecture", name="島根県")
    owner_photo = factories.photo()
    pref_report = intake.report_intake(
        channel="web",
        acting_user=AnonymousUser(),
        category=light.asset_type.categories.get(code="lamp-out"),
        asset=factories.asset("security-light", owner=prefecture, ledger_id="IZUMO-ONLY-3"),
        photos=[owner_photo],
        contact=intake.Contact(share=True),
    ).report
    owner_link = owner_links.issue(report=pref_report, organisation=prefecture, purpose="owner")
    return {
        "actors": actors,
        "light": light,
        "bare": bare,
        "label": label,
        "report": outcome.report,
        "other_report": other_report,
        "receipt": outcome.receipt.token,
        "photo": photo,
        "public_photo": public,
        "staged": factories.photo(),
        "device": device,
        "inspection": Inspection.objects.get(uuid=first["uuid"]),
        "held": Quarantine.objects.get(),
        "assignment": assignment,
        "api_client": api_client,
        "owner_token": owner_link.token,
        "owner_photo": owner_photo,
        "plan": plans.plan_make(organisation=city["city"], acting_user=manager),
    }


def _outcome(response) -> str:
    status, location = response.status_code, response.get("Location", "")
    if status == 401 or (status == 302 and "/login/?next=" in location):
        return IN
    if status == 403:
        return NO
    if status == 404:
        return HIDE
    # Served, or refused for its content or its rate (past every permission check).
    assert status < 300 or status in (301, 302, 303, 400, 409, 429), (
        f"{status}: {response.content[:300]!r}"
    )
    return OK


def _call(client, name, method, url, body):
    if method == "GET":
        return client.get(url, body or {})
    if method == "DELETE":
        return client.delete(url)
    if name.startswith("api:"):
        return client.post(url, body or {}, content_type="application/json")
    return client.post(url, body or {})


def test_every_route_is_in_the_table(world):
    declared = set(table(world))
    known = {name for name, _ in routes() if not name.startswith("admin:")}

    assert known - declared == set(), "routes without a declared outcome"
    assert declared - known == set(), "declared routes that no longer exist"


def test_every_route_answers_every_actor_as_declared(world):
    expected = table(world)
    found, wanted = {}, {}
    for name, (method, kwargs, body, outcomes) in expected.items():
        url = reverse(name, kwargs=kwargs) if name != "open311-unknown" else "/open311/v2/x.json"
        for actor in ACTORS:
            client = Client(
                HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=f"198.51.100.{ACTORS.index(actor)}"
            )
            if actor != "anonymous":
                client.force_login(world["actors"][actor])
            found[(name, actor)] = _outcome(_call(client, name, method, url, body))
            wanted[(name, actor)] = outcomes[actor]

    wrong = sorted((key, found[key], wanted[key]) for key in wanted if found[key] != wanted[key])
    assert wrong == [], "\n".join(f"{k}: found {f}, declared {w}" for k, f, w in wrong)


def _sample(pattern, name) -> str:
    """A URL of an admin route, with sample values for its parameters."""
    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        kwargs[key] = {"app_label": "assets", "object_id": "1", "content_type_id": "1"}.get(
            key, "1"
        )
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:
        return ""


def test_every_admin_page_is_for_superusers_only(world):
    wrong = {}
    for name, pattern in routes():
        if not name.startswith("admin:"):
            continue
        url = _sample(pattern, name)
        if not url or name in ("admin:login", "admin:logout") or "jsi18n" in name:
            continue  # the door itself, and the admin's translations script
        for actor in ACTORS:
            client = Client()
            if actor != "anonymous":
                client.force_login(world["actors"][actor])
            found = _outcome(client.get(url))
            # Superusers open every page, but read-only models refuse "add" (403) and the
            # sample object may not exist (404): never a sign-in, never a 500.
            allowed = {OK, NO, HIDE} if actor == "root" else {IN}
            if found not in allowed:
                wrong[(name, actor)] = found
    assert wrong == {}
