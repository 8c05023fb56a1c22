"""The fault queue: filters, order, pages, exports, and a bounded number of queries."""

import csv
import io
import json

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import FaultCategory
from reports import intake, services
from tests import factories


@pytest.fixture
def categories(catalogue, city):
    FaultCategory.objects.update(default_owner=city["road"])
    return {c.code: c for c in FaultCategory.objects.all()}


def place(lon=factories.IZUMO[0], lat=factories.IZUMO[1]):
    return intake.Place(point=Point(lon, lat, srid=4326), source="device", accuracy_m=5)


def rows(response) -> list[str]:
    return [report.number for report, _ in response.context["reports"]]


@pytest.fixture
def three(categories, submit, city):
    swing = factories.asset("swing", owner=city["road"], ledger_id="PK-0007", address="塩冶町")
    return {
        "debris": submit(categories["debris"], place=place(), description="落石あり"),
        "graffiti": submit(categories["graffiti"], place=place(132.76, 35.37)),
        "swing": submit(categories["broken-part"], asset=swing, source="inspection",
                        defect_grade="D"),
    }  # fmt: skip


def test_the_queue_shows_the_most_urgent_first_with_its_reasons(client, manager, three):
    client.force_login(manager)
    response = client.get("/manage/queue/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert rows(response) == [three["swing"].number, three["debris"].number,
                              three["graffiti"].number]  # fmt: skip
    html = response.content.decode()
    assert "+40 inspection defect graded D" in html
    assert "+40 severity 5 of the fault" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("asset_type=swing", ["swing"]),
        ("category=graffiti", ["graffiti"]),
        ("source=inspection", ["swing"]),
        ("q=落石", ["debris"]),
        ("q=PK-0007", ["swing"]),
        ("bbox=132.758,35.368,132.762,35.372", ["graffiti"]),
        ("status=accepted", []),
        ("assignee=none&order=newest", ["swing", "graffiti", "debris"]),
        ("order=oldest", ["debris", "graffiti", "swing"]),
    ],
)
def test_filters_and_orders(client, manager, three, query, expected):
    client.force_login(manager)
    response = client.get(f"/manage/queue/?{query}")
    assert rows(response) == [three[name].number for name in expected]


def test_assignee_owner_and_overdue_filters(client, manager, three, city):
    services.report_assign(report=three["debris"], assignee=city["contractor"], acting_user=manager)
    client.force_login(manager)

    assignee = client.get(f"/manage/queue/?assignee={city['contractor'].pk}")
    owner = client.get(f"/manage/queue/?owner={city['parks'].pk}")
    overdue = client.get("/manage/queue/?overdue=on")

    assert rows(assignee) == [three["debris"].number]
    assert rows(owner) == []
    assert rows(overdue) == []


@pytest.mark.parametrize(
    "query",
    ["owner=banana", "assignee=999999", "bbox=1,2,3", "per_page=7", "order=drop+table",
     "status=nonsense", "page=-4", "page=zzz", "asset_type=%00"],
)  # fmt: skip
def test_a_stale_or_hostile_query_string_never_breaks_the_page(client, manager, three, query):
    client.force_login(manager)
    assert client.get(f"/manage/queue/?{query}").status_code == 200


def test_pages_keep_the_filter(client, manager, categories, submit):
    for _ in range(30):
        submit(categories["crack"])
    client.force_login(manager)

    first = client.get("/manage/queue/?category=crack&per_page=25")
    second = client.get("/manage/queue/?category=crack&per_page=25&page=2")

    assert len(rows(first)) == 25 and len(rows(second)) == 5
    next_page = 'href="/manage/queue/?category=crack&amp;per_page=25&amp;page=2"'
    assert next_page in first.content.decode()
    assert not set(rows(first)) & set(rows(second))


def test_the_queue_costs_the_same_number_of_queries_whatever_the_page_size(
    client, manager, categories, submit, city, django_assert_max_num_queries
):
    lights = [factories.asset(owner=city["road"]) for _ in range(3)]
    for index in range(40):
        report = submit(categories["lamp-out"], asset=lights[index % 3])
        if index % 4 == 0:
            services.report_assign(report=report, assignee=city["contractor"], acting_user=manager)
    client.force_login(manager)
    client.get("/manage/queue/")  # sessions, caches

    counts = []
    for size in (25, 200):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/manage/queue/?per_page={size}")
        assert len(rows(response)) == min(size, 40)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # 12, and the two lists of the bulk bar (whom to assign to, whom to pass on to).
    with django_assert_max_num_queries(14):
        client.get("/manage/queue/?per_page=200&order=respond_by&overdue=on&status=new")


def test_csv_and_geojson_exports_follow_the_filter_and_carry_no_contacts(
    client, manager, three, categories, submit
):
    submit(categories["crack"], email="secret@example.com", name="出雲太郎", phone="0853-00-0000")
    client.force_login(manager)

    response = client.get("/manage/queue.csv?source=inspection")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert response["Content-Type"] == "text/csv"
    assert [row["number"] for row in table] == [three["swing"].number]
    assert table[0]["ledger_id"] == "PK-0007" and table[0]["priority"].isdigit()

    everything = client.get("/manage/queue.csv")
    body = b"".join(everything.streaming_content).decode("utf-8-sig")
    assert "secret@example.com" not in body and "出雲太郎" not in body and "0853" not in body

    geo = client.get("/manage/queue.geojson?category=debris")
    data = json.loads(b"".join(geo.streaming_content))
    assert geo["Content-Type"] == "application/geo+json"
    assert [f["properties"]["number"] for f in data["features"]] == [three["debris"].number]
    assert data["features"][0]["geometry"]["type"] == "Point"
    assert client.get("/manage/queue.docx").status_code == 404


def test_a_csv_cell_cannot_become_a_spreadsheet_formula(client, manager, categories, submit):
    submit(categories["crack"], description='=HYPERLINK("http://evil.example","click")')
    client.force_login(manager)
    text = b"".join(client.get("/manage/queue.csv").streaming_content).decode("utf-8-sig")
    [row] = csv.DictReader(io.StringIO(text))
    assert row["description"].startswith("'=")


def test_another_organisation_sees_none_of_it(client, other_city_manager, three):
    client.force_login(other_city_manager)
    assert rows(client.get("/manage/queue/")) == []
    csv_text = b"".join(client.get("/manage/queue.csv").streaming_content).decode("utf-8-sig")
    assert csv_text.count("\n") == 1  # the header only
