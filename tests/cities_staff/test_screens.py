"""The staff screens that count or list across a city, with two cities: Matsue's manager
sees none of Izumo's reports or assets on the dashboard, the queue, its exports and the
inspection screens (they are scoped by the user's organisation tree), and Izumo's the
reverse."""

import csv
import io

import openpyxl
import pytest

from reports.models import Report
from tests import factories
from tests.cities_staff.conftest import IZUMO_POINT, superuser


@pytest.fixture
def izumo_busy(cities, submit, lamp_out):
    """Izumo has three more open reports than Matsue's one."""
    izumo, matsue = cities
    extra = [
        submit(
            lamp_out,
            asset=factories.asset(
                owner=izumo["road"], lon=IZUMO_POINT[0], lat=IZUMO_POINT[1], ledger_id=f"BH-9{n}"
            ),
        )
        for n in range(3)
    ]
    return izumo, matsue, [izumo["report"], *extra]


def _numbers_in(text: str) -> set[str]:
    return {n for n in Report.objects.values_list("number", flat=True) if n in text}


def test_the_dashboard_counts_the_users_own_city(client, izumo_busy):
    izumo, matsue, _izumos = izumo_busy

    for city, expected in ((matsue, 1), (izumo, 4)):
        client.force_login(city["manager"])
        page = client.get("/manage/", HTTP_HOST=city["host"])
        board = page.context["board"]

        assert page.status_code == 200
        assert board.this_week.still_open == expected
        assert sum(week.new for week in board.weeks) == expected
        assert sum(cell.count for cell in board.cells) == expected
        assert {o.pk for o, _n in board.overdue.by_owner} <= {city["road"].pk, city["city"].pk}


def test_the_queue_lists_the_users_own_city(client, izumo_busy):
    izumo, matsue, _izumos = izumo_busy
    client.force_login(matsue["manager"])

    page = client.get("/manage/queue/", HTTP_HOST=matsue["host"])

    assert page.status_code == 200
    assert _numbers_in(page.content.decode()) == {matsue["report"].number}
    assert izumo["asset"].ledger_id not in page.content.decode()


def test_the_queue_exports_hold_the_users_own_city(client, izumo_busy):
    izumo, matsue, izumos = izumo_busy
    client.force_login(matsue["manager"])

    as_csv = client.get("/manage/queue.csv", HTTP_HOST=matsue["host"])
    as_csv_ja = client.get("/manage/queue.csv?headers=ja", HTTP_HOST=matsue["host"])
    as_xlsx = client.get("/manage/queue.xlsx", HTTP_HOST=matsue["host"])

    for response in (as_csv, as_csv_ja):
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 2  # the header and Matsue's one report
        assert _numbers_in(text) == {matsue["report"].number}
    book = openpyxl.load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content)))
    cells = " ".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v
    )
    assert _numbers_in(cells) == {matsue["report"].number}

    client.force_login(izumo["manager"])
    izumo_csv = client.get("/manage/queue.csv", HTTP_HOST=izumo["host"])
    text = b"".join(izumo_csv.streaming_content).decode("utf-8-sig")
    assert _numbers_in(text) == {r.number for r in izumos}


def test_the_inspection_screens_list_the_users_own_citys_assets(client, izumo_busy):
    izumo, matsue, _izumos = izumo_busy
    client.force_login(matsue["manager"])

    for path in ("/manage/inspections/", "/manage/inspections/assets/"):
        page = client.get(path, HTTP_HOST=matsue["host"])
        assert page.status_code == 200, path
        assert izumo["asset"].ledger_id not in page.content.decode(), path
    assets = client.get("/manage/inspections/assets/", HTTP_HOST=matsue["host"])
    assert matsue["asset"].ledger_id in assets.content.decode()
    izumos_asset = client.get(
        f"/manage/inspections/assets/{izumo['asset'].pk}/", HTTP_HOST=matsue["host"]
    )
    assert izumos_asset.status_code == 404


def test_a_superusers_plan_page_opens_on_the_hosts_city(client, cities):
    izumo, matsue = cities
    client.force_login(superuser())

    for city in (izumo, matsue):
        page = client.get("/manage/plan/", HTTP_HOST=city["host"])
        assert page.status_code == 200
        assert page.context["organisation"] == city["city"]


def test_a_superusers_queue_on_a_citys_host_lists_that_city(client, izumo_busy):
    izumo, matsue, izumos = izumo_busy
    client.force_login(superuser())

    matsues_queue = client.get("/manage/queue/", HTTP_HOST=matsue["host"])
    matsues_csv = client.get("/manage/queue.csv", HTTP_HOST=matsue["host"])
    izumos_queue = client.get("/manage/queue/", HTTP_HOST=izumo["host"])

    assert _numbers_in(matsues_queue.content.decode()) == {matsue["report"].number}
    csv_text = b"".join(matsues_csv.streaming_content).decode("utf-8-sig")
    assert _numbers_in(csv_text) == {matsue["report"].number}
    assert _numbers_in(izumos_queue.content.decode()) == {r.number for r in izumos}
