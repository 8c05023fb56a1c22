"""The queue as files people open: Excel with the filter in its first rows, the CSV with
Japanese column names and words, and the map's GeoJSON with words beside its codes."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assets.models import FaultCategory
from reports import intake, services
from reports.models import Report
from tests import factories

HEADER_ROW = 6  # title, filter, time of export, count, a blank row, then the header


@pytest.fixture
def categories(catalogue, city):
    FaultCategory.objects.update(default_owner=city["road"])
    return {c.code: c for c in FaultCategory.objects.all()}


def place(lon=factories.IZUMO[0], lat=factories.IZUMO[1]):
    return intake.Place(point=Point(lon, lat, srid=4326), source="device", accuracy_m=5)


@pytest.fixture
def reports(categories, submit, city, manager):
    light = factories.asset(
        "security-light", owner=city["road"], ledger_id="BH-0042", address="今市町1丁目"
    )
    made = {
        "lamp": submit(categories["lamp-out"], asset=light, source="qr"),
        "debris": submit(categories["debris"], place=place(), description="落石あり"),
        "crack": submit(categories["crack"], place=place(132.76, 35.37)),
    }
    services.report_assign(report=made["crack"], assignee=city["contractor"], acting_user=manager)
    services.report_accept(report=made["lamp"], acting_user=manager)
    for report in made.values():
        report.refresh_from_db()
    return made


def signed_in(account, language="ja") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(account)
    return client


def sheet_of(response):
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="reports-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book.worksheets[0]


def table_of(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def queue_numbers(client, query: str) -> list[str]:
    response = client.get(f"/manage/queue/?{query}&per_page=200")
    assert response.status_code == 200
    return [report.number for report, _reasons in response.context["reports"]]


# --- Excel ---------------------------------------------------------------------------------


def test_the_excel_file_has_japanese_headers_words_and_real_dates(manager, reports):
    sheet = sheet_of(signed_in(manager).get("/manage/queue.xlsx?category=lamp-out"))
    [row] = table_of(sheet)

    headers = [cell.value for cell in sheet[HEADER_ROW]]
    assert headers[:2] == ["受付番号", "状態"] and "台帳番号" in headers and "所在地" in headers
    assert "優先度" in headers
    lamp = reports["lamp"]
    assert row["受付番号"] == lamp.number
    assert row["状態"] == "受付済"  # accepted, as a word
    assert row["台帳番号"] == "BH-0042"
    assert "夜間に点灯しない" in row.values() and "lamp-out" not in row.values()
    assert "防犯灯" in row.values()
    assert "道路河川維持課" in row.values() and "QRラベル" in row.values()
    reported = [v for v in row.values() if isinstance(v, datetime.datetime)]
    local = timezone.localtime(lamp.created_at).replace(tzinfo=None, second=0, microsecond=0)
    assert local in [moment.replace(second=0, microsecond=0) for moment in reported]
    cells = {cell.value: cell for cell in sheet[HEADER_ROW + 1]}
    created = next(c for c in sheet[HEADER_ROW + 1] if c.value == reported[-1])
    assert created.is_date and created.number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(cells[lamp.number].value, str)


def test_the_filter_and_the_time_of_export_are_in_the_first_rows(manager, reports):
    sheet = sheet_of(
        signed_in(manager).get("/manage/queue.xlsx?status=accepted&category=lamp-out&overdue=on")
    )

    assert sheet["A1"].value in ("通報一覧", "Fault reports")  # (until its words are merged)
    words = sheet["B2"].value
    assert "受付済" in words and "夜間に点灯しない" in words
    assert "対応目標を過ぎたものだけ" in words
    assert isinstance(sheet["B3"].value, datetime.datetime) and sheet["B3"].is_date
    assert abs(sheet["B3"].value - timezone.localtime().replace(tzinfo=None)) < datetime.timedelta(
        hours=1
    )
    assert sheet["B4"].value == 0  # nothing accepted is overdue yet
    assert sheet.freeze_panes == f"B{HEADER_ROW + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{HEADER_ROW}:")


def test_the_days_of_the_filter_are_said_too(manager, reports):
    today = timezone.localdate().isoformat()
    sheet = sheet_of(signed_in(manager).get(f"/manage/queue.xlsx?since={today}&until={today}"))

    assert sheet["B2"].value.count(today) == 2
    assert sheet["B4"].value == 3


def test_with_no_status_chosen_the_filter_says_the_open_ones(manager, reports):
    sheet = sheet_of(signed_in(manager).get("/manage/queue.xlsx"))

    assert sheet["B2"].value.startswith("状態=未確認・受付済・対応中")
    assert sheet["B4"].value == 3


@pytest.mark.parametrize(
    "query",
    ["", "order=oldest", "order=newest", "order=respond_by", "assignee=none",
     "q=%E8%90%BD%E7%9F%B3", "status=new&status=accepted&order=oldest"],
)  # fmt: skip
def test_the_rows_are_the_queue_pages_in_its_order(manager, reports, query):
    client = signed_in(manager)

    sheet = sheet_of(client.get(f"/manage/queue.xlsx?{query}"))

    assert [row["受付番号"] for row in table_of(sheet)] == queue_numbers(client, query)


def test_a_residents_formula_stays_text_in_the_excel_file(manager, categories, submit):
    submit(categories["crack"], description='=HYPERLINK("http://evil.example","click")\x01')

    sheet = sheet_of(signed_in(manager).get("/manage/queue.xlsx"))

    cell = next(c for c in sheet[HEADER_ROW + 1] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","click")'  # the control character gone


def test_the_excel_file_carries_no_contacts(manager, categories, submit):
    submit(categories["crack"], email="secret@example.com", name="出雲太郎", phone="0853-00-0000")

    sheet = sheet_of(signed_in(manager).get("/manage/queue.xlsx"))

    text = repr(list(sheet.iter_rows(values_only=True)))
    assert "secret@example.com" not in text and "出雲太郎" not in text and "0853" not in text


def test_a_viewer_may_export_but_another_city_sees_none_of_it(
    viewer, other_city_manager, reports, other_city, categories, submit
):
    foreign = submit(categories["crack"], place=place())
    foreign.owner = other_city
    foreign.save(update_fields=["owner"])

    ours = table_of(sheet_of(signed_in(viewer).get("/manage/queue.xlsx")))
    theirs = table_of(sheet_of(signed_in(other_city_manager).get("/manage/queue.xlsx")))

    assert {row["受付番号"] for row in ours} == {r.number for r in reports.values()}
    assert [row["受付番号"] for row in theirs] == [foreign.number]


def test_anonymous_signs_in_and_a_resident_account_is_refused(client, reports):
    response = client.get("/manage/queue.xlsx")
    assert response.status_code == 302 and "/login" in response["Location"]

    nobody = factories.user(None, "", username="nobody")
    client.force_login(nobody)
    assert client.get("/manage/queue.xlsx").status_code == 403


@pytest.mark.parametrize("fmt", ["pdf", "xls", "XLSX", "csv2"])
def test_an_unknown_format_is_not_found(manager, fmt):
    assert signed_in(manager).get(f"/manage/queue.{fmt}").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["owner=banana", "assignee=999999", "bbox=1,2,3", "bbox=nan,nan,nan,nan", "per_page=7",
     "order=drop+table", "status=nonsense", "asset_type=%00", "q=%01%02", "overdue=maybe",
     "category=lamp-out&category=crack", "headers=ja", "since=2026-13-45", "until=yesterday",
     "since=2026-01-01&until=2025-01-01"],
)  # fmt: skip
def test_a_stale_or_hostile_filter_never_breaks_the_excel_file(manager, reports, query):
    sheet = sheet_of(signed_in(manager).get(f"/manage/queue.xlsx?{query}"))
    assert sheet["B2"].value


def test_the_excel_file_speaks_english_to_an_english_reader(manager, reports):
    sheet = sheet_of(signed_in(manager, "en").get("/manage/queue.xlsx?category=lamp-out"))
    [row] = table_of(sheet)

    assert row["Report number"] == reports["lamp"].number
    assert row["Status"] == "Accepted" and row["Category"] == "Lamp out at night"
    assert sheet["B2"].value.startswith("Status=New / Accepted / In progress, Category=")


# --- CSV ---------------------------------------------------------------------------------------


def csv_table(response) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    return rows[0], rows[1:]


def test_the_csv_in_japanese_has_japanese_headers_and_words(manager, reports):
    client = signed_in(manager, "en")  # the option speaks Japanese whatever the screen speaks

    header, rows = csv_table(client.get("/manage/queue.csv?headers=ja&category=lamp-out"))

    assert header[:3] == ["受付番号", "状態", "優先度"] and "台帳番号" in header
    [row] = rows
    record = dict(zip(header, row, strict=True))
    assert record["受付番号"] == reports["lamp"].number and record["状態"] == "受付済"
    assert "夜間に点灯しない" in row and "lamp-out" not in row and "qr" not in row
    local = timezone.localtime(reports["lamp"].created_at).strftime("%Y-%m-%d %H:%M")
    assert local in row


def test_the_csv_in_japanese_keeps_the_queue_order_and_neutralises_formulas(
    manager, reports, categories, submit
):
    submit(categories["crack"], description="=1+1")
    client = signed_in(manager)

    _header, rows = csv_table(client.get("/manage/queue.csv?headers=ja&order=oldest"))

    assert [row[0] for row in rows] == queue_numbers(client, "order=oldest")
    assert any(cell == "'=1+1" for row in rows for cell in row)


def test_the_plain_csv_keeps_its_codes_and_english_headers(manager, reports):
    header, rows = csv_table(signed_in(manager).get("/manage/queue.csv?category=lamp-out"))

    assert header[:5] == ["number", "status", "priority", "category", "category_name"]
    [row] = rows
    assert row[1] == "accepted" and row[3] == "lamp-out" and row[5] == "security-light"


# --- GeoJSON -----------------------------------------------------------------------------------


def test_the_map_features_carry_words_beside_their_codes(manager, reports):
    response = signed_in(manager).get("/manage/queue.geojson?category=lamp-out")
    [feature] = json.loads(b"".join(response.streaming_content))["features"]
    properties = feature["properties"]

    assert (
        properties["category"] == "lamp-out" and properties["category_label"] == "夜間に点灯しない"
    )
    assert properties["status"] == "accepted" and properties["status_label"] == "受付済"
    assert properties["asset_type"] == "security-light"
    assert properties["asset_type_label"] == "防犯灯"
    assert properties["source"] == "qr" and properties["source_label"] == "QRラベル"


def test_danger_to_people_is_said_in_the_file_and_on_the_map(manager, categories, submit, city):
    wiring = factories.asset("security-light", owner=city["road"], ledger_id="BH-0099")
    danger = submit(categories["exposed-wiring"], asset=wiring, source="qr")
    client = signed_in(manager)

    rows = table_of(sheet_of(client.get("/manage/queue.xlsx")))
    response = client.get("/manage/queue.geojson")
    features = json.loads(b"".join(response.streaming_content))["features"]

    assert rows[0]["受付番号"] == danger.number and "はい" in rows[0].values()
    assert {f["properties"]["number"]: f["properties"]["danger"] for f in features} == {
        danger.number: True
    }


def test_a_report_without_an_asset_has_no_asset_type_label(manager, reports):
    response = signed_in(manager, "en").get("/manage/queue.geojson?category=debris")
    [feature] = json.loads(b"".join(response.streaming_content))["features"]

    assert feature["properties"]["asset_type_label"] is None
    assert feature["properties"]["category_label"] == "Debris or obstacle"


def test_the_excel_file_costs_the_same_queries_for_few_or_many_rows(
    manager, categories, submit, city
):
    client = signed_in(manager)
    counts = []
    for total in (3, 40):
        while Report.objects.count() < total:
            report = submit(categories["crack"], description="ひび")
            if report.pk % 2:
                services.report_assign(
                    report=report, assignee=city["contractor"], acting_user=manager
                )
        with CaptureQueriesContext(connection) as queries:
            sheet = sheet_of(client.get("/manage/queue.xlsx"))
        assert sheet["B4"].value == total
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_answers_are_said_in_words_in_the_file(manager, categories, submit, city):
    light = factories.asset("security-light", owner=city["road"], ledger_id="BH-0077")
    submit(categories["lamp-out"], asset=light, source="qr", answers={"since": "today"})

    rows = table_of(sheet_of(signed_in(manager).get("/manage/queue.xlsx")))
    csv_header, csv_rows = csv_table(signed_in(manager).get("/manage/queue.csv?headers=ja"))

    assert rows[0]["回答"] == "いつからですか: 今日"
    assert csv_rows[0][csv_header.index("回答")] == "いつからですか: 今日"


@pytest.mark.parametrize("limit", ["²", "①", "-1", "1e3", ""])
def test_a_limit_that_is_no_plain_number_is_no_limit(manager, reports, limit):
    """str.isdigit() holds for "²" and "①", which int() refuses: the map's limit must not
    turn such a query string into a server error."""
    response = signed_in(manager).get("/manage/queue.geojson", {"limit": limit})

    assert response.status_code == 200
    features = json.loads(b"".join(response.streaming_content))["features"]
    assert len(features) == len(reports)


def test_the_maps_limit_cuts_the_features(manager, reports):
    response = signed_in(manager).get("/manage/queue.geojson", {"limit": "２"})  # full width
    assert len(json.loads(b"".join(response.streaming_content))["features"]) == 2
