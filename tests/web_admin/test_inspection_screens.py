"""The managers' inspection screens: what is due, assignments from a filter or a map box,
held field records, an asset's condition history and the condition charts; who may see and
do what. The data is dated from today, so what is overdue stays overdue whenever this runs."""

import datetime
import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from assets.models import Town
from inspections import payload
from inspections.assignments import assignment_create
from inspections.models import Assignment, AssignmentAsset, Inspection, Quarantine
from inspections.sync import sync_batch
from reports.models import Report
from tests import factories
from tests.browser import AXE, chromium
from tests.conftest import require


def _ago(days: int) -> datetime.datetime:
    return timezone.localtime() - datetime.timedelta(days=days)


def _send(inspector, asset, grade, when, **extra) -> dict:
    raw = {
        "uuid": str(uuid.uuid4()),
        "asset": asset.pk,
        "kind": "periodic",
        "performed_at": when.isoformat(),
        "overall_grade": grade,
        "notes": extra.pop("notes", ""),
        "defects": [],
        **extra,
    }
    item, errors = payload.parse_item(raw)
    assert not errors, errors
    [result] = sync_batch(items=[item], inspector=inspector)
    assert result.status in ("created", "conflict"), result
    return raw


class Place:
    """Two towns, the parks section's swings in them, and the road section's light."""

    def __init__(self, city, other_city, inspector):
        self.imaichi = Town.objects.create(
            name="今市町", name_kana="いまいちちょう", centre=factories.point(132.755, 35.367)
        )
        self.otsu = Town.objects.create(
            name="大津町",
            name_kana="おおつちょう",
            centre=factories.point(132.780, 35.360),
            radius_m=600,
        )
        parks = city["parks"]
        self.overdue = factories.asset(
            "swing", owner=parks, ledger_id="PS-1", address="今市町1丁目", lon=132.7551
        )
        self.soon = factories.asset(
            "swing", owner=parks, ledger_id="PS-2", address="今市町2丁目", lon=132.7553
        )
        self.never = factories.asset(
            "swing", owner=parks, ledger_id="PS-3", address="大津町1", lon=132.7801, lat=35.3601
        )
        self.fine = factories.asset(  # 大津町 by its place: no address
            "swing", owner=parks, ledger_id="PS-4", lon=132.7803, lat=35.3603
        )
        self.light = factories.asset(
            "security-light", owner=city["road"], ledger_id="BH-1", address="今市町3丁目"
        )
        self.foreign = factories.asset(
            "swing", owner=other_city, ledger_id="MS-1", address="今市町1丁目"
        )
        self.inspector = inspector
        _send(inspector, self.overdue, "B", _ago(400))
        _send(inspector, self.soon, "A", _ago(350))
        self.wrong = _send(inspector, self.fine, "D", _ago(800))  # raises a fault
        _send(inspector, self.fine, "C", _ago(799), supersedes=self.wrong["uuid"])
        _send(inspector, self.fine, "B", _ago(100))


@pytest.fixture
def place(catalogue, city, other_city, inspector):
    return Place(city, other_city, inspector)


@pytest.fixture
def as_user():
    """A test client signed in as the account, reading English."""

    def _client(account) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(account)
        return client

    return _client


def _table(response) -> dict:
    return {
        (group["type"].code, row["count"].area.name if row["count"].area else None): (
            row["count"].overdue,
            row["count"].upcoming,
            row["count"].never,
            row["count"].total,
        )
        for group in response.context["table"]
        for row in group["rows"]
    }


def _summaries(response) -> list[str]:
    """Each folded type's line on the overview, as text."""
    found = re.findall(r"<summary>(.*?)</summary>", response.content.decode(), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in found]


def _listed(response) -> list[str]:
    return [asset.ledger_id for asset, _area in response.context["rows"]]


def _next_week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


# --- What is due --------------------------------------------------------------------------------


def test_the_overview_counts_what_is_due_per_type_and_town(place, manager, as_user):
    response = as_user(manager).get("/manage/inspections/")

    assert response.status_code == 200
    assert _table(response) == {
        # (overdue, due within 30 days, never inspected, in service)
        ("security-light", "今市町"): (0, 0, 1, 1),
        ("swing", "今市町"): (1, 1, 0, 2),
        ("swing", "大津町"): (0, 0, 1, 2),
    }
    assert _summaries(response) == [
        "Security light Overdue 0 Due soon 0 Never inspected 1 In service 1 1 area",
        "Swing Overdue 1 Due soon 1 Never inspected 1 In service 4 2 areas",
    ]
    assert response.content.decode().count('<details class="due-type">') == 2  # folded
    assert response.context["nav"] == "inspections"


def test_a_type_is_unfolded_when_there_is_little_to_show(place, manager, as_user):
    client = as_user(manager)

    one_town = client.get("/manage/inspections/", {"area": place.otsu.pk}).content.decode()
    one_type = client.get("/manage/inspections/", {"type": "swing"}).content.decode()

    assert one_town.count('<details class="due-type" open>') == 1  # only swings in 大津町
    assert one_type.count('<details class="due-type" open>') == 1
    assert "Open a type to see its areas" not in one_type


def test_the_overview_narrows_to_overdue_assets_of_a_town(place, manager, as_user):
    response = as_user(manager).get(
        "/manage/inspections/", {"due": "overdue", "area": place.imaichi.pk}
    )

    assert _table(response) == {("swing", "今市町"): (1, 1, 0, 2)}


def test_a_count_opens_the_list_of_those_assets(place, manager, as_user):
    client = as_user(manager)
    overview = client.get("/manage/inspections/").content.decode()
    [link] = [
        href
        for href in re.findall(r'<td class="num overdue"><a href="([^"]+)">1</a>', overview)
        if "area=" in href  # the town's row, not the type's total
    ]

    listed = client.get(link.replace("&amp;", "&"))

    assert "due=overdue" in link and f"area={place.imaichi.pk}" in link
    assert _listed(listed) == ["PS-1"]


def test_a_longer_horizon_counts_more_as_due_soon(place, manager, as_user):
    response = as_user(manager).get("/manage/inspections/", {"days": "300"})

    assert _table(response)[("swing", "大津町")] == (0, 1, 1, 2)  # PS-4, due in ~265 days


def test_bad_filter_values_are_reported_and_ignored_never_a_500(place, manager, as_user):
    client = as_user(manager)
    junk = {
        "type": "no-such-type",
        "area": "abc",
        "owner": "nobody",
        "due": "sometime",
        "days": "-4",
        "years": "999",
        "bbox": "1,2,x",
        "page": "zz",
    }

    pages = [
        client.get(url, junk)
        for url in (
            "/manage/inspections/",
            "/manage/inspections/assets/",
            "/manage/inspections/assets/map.json",
            "/manage/inspections/conditions/",
            "/manage/inspections/quarantine/",
            "/manage/inspections/assignments/",
        )
    ]

    assert [p.status_code for p in pages] == [200] * 6
    assert _listed(pages[1]) == ["PS-1", "PS-2", "PS-4", "BH-1", "PS-3"]  # nothing narrowed
    assert "Select a valid choice" in pages[1].content.decode()
    assert "The map area is not a valid box." in pages[1].content.decode()


def test_the_overview_and_the_list_cost_a_bounded_number_of_queries(
    place, manager, as_user, city, django_assert_max_num_queries
):
    for i in range(40):
        factories.asset("swing", owner=city["parks"], ledger_id=f"PX-{i:02d}", address="大津町9")
    client = as_user(manager)

    with django_assert_max_num_queries(13):
        overview = client.get("/manage/inspections/")
    with django_assert_max_num_queries(13):
        listed = client.get("/manage/inspections/assets/", {"area": place.otsu.pk})

    assert _table(overview)[("swing", "大津町")] == (0, 0, 41, 42)
    assert len(_listed(listed)) == 42 and listed.context["page"].paginator.count == 42


def test_the_conditions_page_costs_a_bounded_number_of_queries(
    place, manager, as_user, city, django_assert_max_num_queries
):
    for i in range(40):
        factories.asset("swing", owner=city["parks"], ledger_id=f"PX-{i:02d}", address="大津町9")
    client = as_user(manager)

    # Sign-in, scope and the form (8), the spread now (2), one a year and the types (7): none
    # per asset.
    with django_assert_max_num_queries(18):
        response = client.get("/manage/inspections/conditions/", {"type": "swing", "years": "5"})

    assert response.context["section"].total == 44  # four of the place, forty more
    assert [y.year.total for y in response.context["section"].years][-1] == 44


# --- Assignments --------------------------------------------------------------------------------


def test_an_assignment_is_made_from_ticked_assets(place, manager, inspector, as_user):
    response = as_user(manager).post(
        f"/manage/inspections/assets/?area={place.imaichi.pk}",
        {
            "name": "今市町 ブランコ",
            "inspector": inspector.pk,
            "due_on": _next_week(),
            "take": "chosen",
            "assets": [place.soon.pk, place.overdue.pk],
        },
        follow=True,
    )

    assignment = Assignment.objects.get()
    assert response.redirect_chain == [(f"/manage/inspections/assignments/{assignment.pk}/", 302)]
    assert "Assignment “今市町 ブランコ” made" in response.content.decode()
    assert list(assignment.stops.values_list("asset__ledger_id", flat=True)) == ["PS-2", "PS-1"]
    assert (assignment.inspector, assignment.created_by) == (inspector, manager)


def test_an_assignment_takes_every_asset_of_the_filter(place, manager, inspector, as_user):
    as_user(manager).post(
        f"/manage/inspections/assets/?type=swing&area={place.otsu.pk}&due=all",
        {"name": "大津町", "inspector": inspector.pk, "due_on": _next_week(), "take": "all"},
    )

    assignment = Assignment.objects.get()
    assert set(assignment.stops.values_list("asset__ledger_id", flat=True)) == {"PS-3", "PS-4"}


def test_an_assignment_takes_the_assets_in_a_map_box(place, manager, inspector, as_user):
    box = "132.7549,35.3660,132.7552,35.3680"  # around PS-1 (and the road section's light)
    client = as_user(manager)

    listed = client.get("/manage/inspections/assets/", {"bbox": box})
    client.post(
        f"/manage/inspections/assets/?type=swing&bbox={box}",
        {"name": "箱", "inspector": inspector.pk, "due_on": _next_week(), "take": "all"},
    )

    assert _listed(listed) == ["PS-1", "BH-1"]
    assert list(Assignment.objects.get().stops.values_list("asset__ledger_id", flat=True)) == [
        "PS-1"
    ]


def test_the_map_shows_the_assets_of_the_filter(place, manager, as_user):
    response = as_user(manager).get("/manage/inspections/assets/map.json", {"area": place.otsu.pk})

    data = response.json()
    assert response.status_code == 200 and data["truncated"] is False
    assert sorted(f["id"] for f in data["features"]) == sorted([place.never.pk, place.fine.pk])
    assert data["features"][0]["geometry"]["type"] == "Point"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("past_due", "The due date is in the past."),
        ("not_an_inspector", "Select a valid choice"),
        ("other_organisation", "Some of the chosen assets are not of your organisations."),
        ("nothing_ticked", "Choose at least one asset"),
    ],
)
def test_a_refused_assignment_comes_back_with_the_error_and_saves_nothing(
    case, message, place, manager, inspector, viewer, as_user
):
    data = {
        "name": "やり直し",
        "inspector": inspector.pk,
        "due_on": _next_week(),
        "take": "chosen",
        "assets": [place.overdue.pk],
    }
    if case == "past_due":
        data["due_on"] = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    elif case == "not_an_inspector":
        data["inspector"] = viewer.pk
    elif case == "other_organisation":
        data["assets"] = [place.overdue.pk, place.foreign.pk]
    elif case == "nothing_ticked":
        del data["assets"]

    response = as_user(manager).post("/manage/inspections/assets/", data)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and 'value="やり直し"' in html
    assert not Assignment.objects.exists() and not AssignmentAsset.objects.exists()


def test_the_assignment_page_shows_how_far_the_inspector_got(place, manager, inspector, as_user):
    assignment = assignment_create(
        name="巡回",
        inspector=inspector,
        assets=[place.overdue, place.never],
        due_on=timezone.localdate(),
        acting_user=manager,
    )
    _send(inspector, place.never, "A", timezone.localtime())

    response = as_user(manager).get(f"/manage/inspections/assignments/{assignment.pk}/")
    listing = as_user(manager).get("/manage/inspections/assignments/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 of 2 assets inspected since the assignment was made" in html
    assert [(s.asset.ledger_id, s.inspected_grade) for s in response.context["page"]] == [
        ("PS-1", None),
        ("PS-3", "A"),
    ]
    assert [(a.title, a.done_count, a.stop_count) for a in listing.context["page"]] == [
        ("巡回", 1, 2)
    ]


# --- Held field records -------------------------------------------------------------------------


@pytest.fixture
def held(place):
    """PS-1's inspection sent again with the same id and another grade."""
    first = _send(place.inspector, place.overdue, "A", _ago(10), notes="初回")
    item, _ = payload.parse_item({**first, "overall_grade": "C", "notes": "見直し"})
    [result] = sync_batch(items=[item], inspector=place.inspector)
    assert result.status == "conflict"
    return Quarantine.objects.get()


def test_held_records_show_what_conflicted(held, manager, as_user):
    response = as_user(manager).get("/manage/inspections/quarantine/")

    html = response.content.decode()
    [item] = response.context["items"]
    assert response.status_code == 200
    assert [(d["label"], d["synced"], d["held"]) for d in item["differences"]] == [
        ("Grade", "A Sound", "C Deteriorating (repair needed)"),  # the grades in words
        ("Notes", "初回", "見直し"),
    ]
    assert "same id, different content" in html and "Accept as a correction" in html


def test_a_manager_accepts_a_held_record_as_a_correction(held, place, manager, as_user):
    response = as_user(manager).post(
        f"/manage/inspections/quarantine/{held.pk}/resolve/", {"decision": "accept"}, follow=True
    )

    held.refresh_from_db()
    place.overdue.refresh_from_db()
    assert response.status_code == 200
    assert "The record was recorded as a correction." in response.content.decode()
    assert (held.resolution, held.resolved_by) == ("accepted", manager)
    assert place.overdue.condition_grade == "C"
    assert Inspection.objects.get(pk=held.inspection_id).supersedes.notes == "初回"


def test_a_manager_discards_a_held_record(held, place, manager, as_user):
    client = as_user(manager)
    client.post(f"/manage/inspections/quarantine/{held.pk}/resolve/", {"decision": "discard"})
    again = client.post(
        f"/manage/inspections/quarantine/{held.pk}/resolve/", {"decision": "accept"}, follow=True
    )

    held.refresh_from_db()
    place.overdue.refresh_from_db()
    assert held.resolution == "discarded" and place.overdue.condition_grade == "A"
    assert "This record was already decided." in again.content.decode()
    decided = client.get("/manage/inspections/quarantine/", {"show": "decided"})
    assert [i["record"].pk for i in decided.context["items"]] == [held.pk]


def test_a_decision_needs_accept_or_discard(held, manager, as_user):
    response = as_user(manager).post(
        f"/manage/inspections/quarantine/{held.pk}/resolve/", {"decision": "maybe"}, follow=True
    )

    held.refresh_from_db()
    assert "Choose to accept or to discard the record." in response.content.decode()
    assert held.resolved_at is None


def test_section_staff_read_held_records_but_only_managers_decide(held, city, as_user):
    parks_staff = factories.user(city["parks"], "section_staff")
    client = as_user(parks_staff)

    page = client.get("/manage/inspections/quarantine/")
    refused = client.post(
        f"/manage/inspections/quarantine/{held.pk}/resolve/", {"decision": "accept"}
    )

    held.refresh_from_db()
    assert page.status_code == 200 and len(page.context["items"]) == 1
    assert "Accept as a correction" not in page.content.decode()
    assert refused.status_code == 403 and held.resolved_at is None


# --- One asset's history ------------------------------------------------------------------------


def test_an_assets_history_shows_corrections_the_chart_and_its_reports(place, manager, as_user):
    fault = Report.objects.get(asset=place.fine)

    response = as_user(manager).get(f"/manage/inspections/assets/{place.fine.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert [
        (r["inspection"].overall_grade, bool(r["corrected_by"])) for r in response.context["rows"]
    ] == [
        ("B", False),
        ("C", False),
        ("D", True),
    ]
    assert "superseded" in html and "corrects the record of" in html
    assert [code for _x, _y, code, _day in response.context["chart"].points] == ["C", "B"]
    assert 'role="img"' in html and '<title id="grade-chart-title">' in html
    assert f'href="/manage/reports/{fault.number}/"' in html
    assert "大津町" in html  # the area, by the asset's place


# --- Condition charts ---------------------------------------------------------------------------


def test_the_conditions_page_charts_each_types_grades_now_and_by_year(place, manager, as_user):
    response = as_user(manager).get("/manage/inspections/conditions/", {"years": "3"})
    swing = (
        as_user(manager)
        .get("/manage/inspections/conditions/", {"years": "3", "type": "swing"})
        .context["section"]
    )

    assert response.status_code == 200
    assert response.context["section"].asset_type.code == "security-light"  # the first type
    assert [(r.grade.code, r.count) for r in swing.current] == [
        ("A", 1),
        ("B", 2),
        ("C", 0),
        ("D", 0),
        ("—", 1),
    ]
    this_year = timezone.localdate().year
    assert [y.year.year for y in swing.years] == [this_year - 2, this_year - 1, this_year]
    assert [y.year.total for y in swing.years] == [4, 4, 4]
    html = response.content.decode()
    assert html.count('role="img"') == 2  # one type at a time: its bar and its trend
    assert "Current grades of Security light" in html


def test_the_conditions_page_picks_one_type_and_its_links_keep_the_filters(place, manager, as_user):
    response = as_user(manager).get(
        "/manage/inspections/conditions/", {"years": "3", "area": place.imaichi.pk}
    )

    picker = response.context["picker"]
    assert [(p["type"].code, p["total"], p["current"]) for p in picker] == [
        ("security-light", 1, True),
        ("swing", 2, False),
    ]
    assert picker[1]["url"] == f"?area={place.imaichi.pk}&years=3&type=swing"
    assert f'href="?area={place.imaichi.pk}&amp;years=3&amp;type=swing"' in (
        response.content.decode()
    )


def test_the_conditions_page_says_so_when_the_chosen_type_has_no_assets(place, manager, as_user):
    response = as_user(manager).get(
        "/manage/inspections/conditions/", {"type": "slide", "area": place.otsu.pk}
    )

    assert response.status_code == 200 and response.context["section"] is None
    assert "No assets of this type match the filter." in response.content.decode()
    assert [p["type"].code for p in response.context["picker"]] == ["swing"]


def test_the_conditions_page_narrows_to_a_town(place, manager, as_user):
    response = as_user(manager).get(
        "/manage/inspections/conditions/", {"area": place.otsu.pk, "type": "swing"}
    )

    swing = response.context["section"]
    assert {r.grade.code: r.count for r in swing.current if r.count} == {"B": 1, "—": 1}


# --- Who may see and do what --------------------------------------------------------------------


def _pages(place, assignment) -> list[str]:
    return [
        "/manage/inspections/",
        "/manage/inspections/assets/",
        "/manage/inspections/assets/map.json",
        f"/manage/inspections/assets/{place.overdue.pk}/",
        "/manage/inspections/assignments/",
        f"/manage/inspections/assignments/{assignment.pk}/",
        "/manage/inspections/quarantine/",
        "/manage/inspections/conditions/",
    ]


@pytest.fixture
def assignment(place, manager, inspector):
    return assignment_create(
        name="巡回",
        inspector=inspector,
        assets=[place.overdue],
        due_on=timezone.localdate(),
        acting_user=manager,
    )


def test_a_viewer_reads_every_page_but_changes_nothing(
    place, held, assignment, viewer, inspector, as_user
):
    client = as_user(viewer)

    pages = [client.get(url).status_code for url in _pages(place, assignment)]
    assign = client.post(
        "/manage/inspections/assets/",
        {"name": "x", "inspector": inspector.pk, "due_on": _next_week(), "take": "all"},
    )
    decide = client.post(
        f"/manage/inspections/quarantine/{held.pk}/resolve/", {"decision": "discard"}
    )

    held.refresh_from_db()
    assert pages == [200] * 8
    assert (assign.status_code, decide.status_code) == (403, 403)
    assert Assignment.objects.count() == 1 and held.resolved_at is None
    assert "Make the assignment" not in client.get("/manage/inspections/assets/").content.decode()


def test_another_citys_manager_sees_none_of_our_assets(
    place, held, assignment, other_city_manager, as_user
):
    client = as_user(other_city_manager)

    overview = client.get("/manage/inspections/")
    listed = client.get("/manage/inspections/assets/")
    mapped = client.get("/manage/inspections/assets/map.json").json()
    history = client.get(f"/manage/inspections/assets/{place.overdue.pk}/")
    detail = client.get(f"/manage/inspections/assignments/{assignment.pk}/")
    records = client.get("/manage/inspections/quarantine/")
    decide = client.post(
        f"/manage/inspections/quarantine/{held.pk}/resolve/", {"decision": "accept"}
    )
    conditions = client.get("/manage/inspections/conditions/")

    held.refresh_from_db()
    assert _table(overview) == {("swing", "今市町"): (0, 0, 1, 1)}  # their own swing
    assert _listed(listed) == ["MS-1"]
    assert [f["id"] for f in mapped["features"]] == [place.foreign.pk]
    assert (history.status_code, detail.status_code, decide.status_code) == (404, 404, 404)
    assert records.context["items"] == [] and held.resolved_at is None
    assert [p["type"].code for p in conditions.context["picker"]] == ["swing"]
    assert conditions.context["section"].total == 1


def test_another_citys_assets_cannot_be_assigned_by_id(
    place, other_city_manager, other_city, as_user
):
    theirs = factories.user(other_city, "inspector")

    response = as_user(other_city_manager).post(
        "/manage/inspections/assets/",
        {
            "name": "越境",
            "inspector": theirs.pk,
            "due_on": _next_week(),
            "take": "chosen",
            "assets": [place.overdue.pk],
        },
    )

    assert response.status_code == 400 and not Assignment.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(place, client):
    response = client.get("/manage/inspections/")

    assert response.status_code == 302 and "/manage/login/" in response["Location"]


# --- In a real browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_inspection_screens_pass_axe_and_the_map_box_narrows_the_list(
    live_server, catalogue, city, other_city, inspector, manager, chromium_path
):
    require(AXE.exists(), f"axe-core ({AXE}; make test fetches it)")
    place = Place(city, other_city, inspector)
    first = _send(inspector, place.overdue, "A", _ago(10))
    item, _ = payload.parse_item({**first, "overall_grade": "C"})
    sync_batch(items=[item], inspector=inspector)
    assignment = assignment_create(
        name="巡回",
        inspector=inspector,
        assets=[place.overdue, place.never],
        due_on=timezone.localdate(),
        acting_user=manager,
    )
    signed_in = Client()
    signed_in.force_login(manager)
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    pages = [
        "/manage/inspections/",
        f"/manage/inspections/?area={place.otsu.pk}",  # a type unfolded
        "/manage/inspections/assets/",
        f"/manage/inspections/assets/{place.fine.pk}/",
        f"/manage/inspections/assignments/{assignment.pk}/",
        "/manage/inspections/assignments/",
        "/manage/inspections/quarantine/",
        "/manage/inspections/conditions/",
        "/manage/inspections/conditions/?type=swing&years=3",
    ]

    violations = {}
    with chromium(chromium_path, locale="en-US") as session:
        page = session.page
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        for path in pages:
            page.goto(f"{live_server.url}{path}")
            violations[path] = session.axe_violations()
        page.goto(f"{live_server.url}/manage/inspections/assets/?area={place.otsu.pk}")
        page.get_by_role("button", name="Make the assignment").click()
        page.wait_for_selector("#error-summary")
        errors = page.inner_text("#error-summary")
        violations["refused assignment"] = session.axe_violations()
        page.get_by_role("button", name="Show the map").click()
        page.wait_for_selector("#inspection-map .leaflet-interactive")
        status = page.inner_text("#map-status")
        violations["map"] = session.axe_violations()
        page.get_by_role("button", name="Take the assets in this map view").click()
        page.wait_for_url("**bbox=*")
        listed = page.inner_text("#asset-table tbody")
        notice = page.inner_text("main")

    assert violations == {key: [] for key in violations}
    assert "Give the assignment a name" not in errors and "This field is required." in errors
    assert "Assets of the filter on the map: 2" in status
    assert "PS-3" in listed and "PS-4" in listed and "PS-1" not in listed
    assert "Only the assets inside the map box" in notice
    # The refused assignment answers 400, which Chromium logs; nothing else may go wrong.
    assert session.external == []
    assert [e for e in session.errors if "status of 400" not in e] == []
