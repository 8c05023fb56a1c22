"""The inspection lists as Excel files: the assets of a filter, the due counts, the
assignments and one assignment's stops; words and dates, the filter in the first rows, and
nobody's lists but one's own. The data is dated from today, so what is overdue stays so."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from assets.models import Town
from inspections import payload
from inspections.assignments import assignment_create
from inspections.sync import sync_batch
from tests import factories

HEADER_ROW_ASSETS = 6  # title, filter, count, time of export, a blank row, the header


def _ago(days: int) -> datetime.datetime:
    return timezone.localtime() - datetime.timedelta(days=days)


def _inspect(inspector, asset, grade, when):
    item, errors = payload.parse_item(
        {
            "uuid": str(uuid.uuid4()),
            "asset": asset.pk,
            "kind": "periodic",
            "performed_at": when.isoformat(),
            "overall_grade": grade,
            "notes": "",
            "defects": [],
        }
    )
    assert not errors, errors
    [result] = sync_batch(items=[item], inspector=inspector)
    assert result.status == "created", result


@pytest.fixture
def park(catalogue, city, other_city, inspector):
    """今市町's swings of the parks section (one overdue, one never inspected) and a swing
    of another city in the same street."""
    Town.objects.create(
        name="今市町", name_kana="いまいちちょう", centre=factories.point(132.755, 35.367)
    )
    parks = city["parks"]
    made = {
        "overdue": factories.asset(
            "swing", owner=parks, ledger_id="PS-1", address="今市町1丁目", lon=132.7551
        ),
        "never": factories.asset(
            "swing", owner=parks, ledger_id="PS-2", address="今市町2丁目", lon=132.7553
        ),
        "foreign": factories.asset(
            "swing", owner=other_city, ledger_id="MS-1", address="今市町1丁目"
        ),
    }
    _inspect(inspector, made["overdue"], "C", _ago(400))
    for asset in made.values():
        asset.refresh_from_db()
    return made


def signed_in(account, language="ja") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(account)
    return client


def sheet_of(response, stem: str):
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{stem}-') and disposition.endswith(
        '.xlsx"'
    )
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]


def table_of(sheet, header_row: int) -> list[dict]:
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_assets_of_a_filter_come_with_grade_names_dates_and_the_filter(park, manager):
    response = signed_in(manager).get("/manage/inspections/assets.xlsx?type=swing")
    sheet = sheet_of(response, "inspection-assets")
    rows = table_of(sheet, HEADER_ROW_ASSETS)

    headers = [cell.value for cell in sheet[HEADER_ROW_ASSETS]]
    assert headers[0] == "台帳番号" and "健全度" in headers and "次回点検予定日" in headers
    assert [row["台帳番号"] for row in rows] == ["PS-1", "PS-2"]  # the soonest due first
    overdue, never = rows
    assert overdue["健全度"] == "C 劣化（補修・更新が必要）"
    assert overdue["地区（町名）"] == "今市町" and overdue["所管課"] == "公園緑地課"
    assert overdue["点検期限"] == "期限超過" and never["点検期限"] == "未点検"
    assert overdue["前回点検日"] == datetime.datetime.combine(
        timezone.localdate() - datetime.timedelta(days=400), datetime.time()
    )
    due_cell = next(
        c for c in sheet[HEADER_ROW_ASSETS + 1] if c.column == headers.index("次回点検予定日") + 1
    )
    assert due_cell.is_date and due_cell.number_format == "yyyy-mm-dd"
    assert "ブランコ" in sheet["B2"].value  # the filter, in words
    assert sheet["B3"].value == 2
    assert isinstance(sheet["B4"].value, datetime.datetime)


def test_the_file_lists_the_same_assets_as_the_screen(park, manager):
    client = signed_in(manager)
    for query in ("due=overdue", "due=never", "due=all", "area=999999", "owner=nobody"):
        screen = client.get(f"/manage/inspections/assets/?{query}")
        listed = [asset.ledger_id for asset, _area in screen.context["rows"]]
        sheet = sheet_of(
            client.get(f"/manage/inspections/assets.xlsx?{query}"), "inspection-assets"
        )
        assert [row["台帳番号"] for row in table_of(sheet, HEADER_ROW_ASSETS)] == listed, query


@pytest.mark.parametrize(
    "query",
    ["type=banana", "days=-4", "days=zzz", "bbox=1,2,3", "bbox=nan,0,1,1", "area=%00",
     "due=maybe", "owner=%01"],
)  # fmt: skip
def test_a_bad_filter_is_left_out_never_a_500(park, manager, query):
    sheet = sheet_of(
        signed_in(manager).get(f"/manage/inspections/assets.xlsx?{query}"), "inspection-assets"
    )
    assert sheet["B3"].value == 2  # both swings: the bad part of the filter was ignored
    assert sheet["B2"].value == "なし（すべて）" or sheet["B2"].value == "No filter"


def test_a_viewer_downloads_the_lists_but_never_another_citys_assets(
    park, viewer, other_city_manager
):
    ours = table_of(
        sheet_of(signed_in(viewer).get("/manage/inspections/assets.xlsx"), "inspection-assets"),
        HEADER_ROW_ASSETS,
    )
    theirs = table_of(
        sheet_of(
            signed_in(other_city_manager).get("/manage/inspections/assets.xlsx"),
            "inspection-assets",
        ),
        HEADER_ROW_ASSETS,
    )

    assert {row["台帳番号"] for row in ours} == {"PS-1", "PS-2"}
    assert [row["台帳番号"] for row in theirs] == ["MS-1"]


def test_anonymous_is_sent_to_sign_in(client, park):
    for url in ("/manage/inspections/assets.xlsx", "/manage/inspections/due.xlsx",
                "/manage/inspections/assignments.xlsx"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_due_counts_per_town_and_their_total(park, manager):
    sheet = sheet_of(
        signed_in(manager).get("/manage/inspections/due.xlsx?days=45"), "inspections-due"
    )
    rows = list(sheet.iter_rows(min_row=5, values_only=True))

    assert rows[0] == ("資産種別", "地区（町名）", "期限超過", rows[0][3], "未点検", "供用中")
    assert "45" in rows[0][3]
    assert ("ブランコ", "今市町", 1, 0, 1, 2) in rows
    assert ("ブランコ", "合計", 1, 0, 1, 2) in rows
    assert "45" in sheet["B2"].value


@pytest.fixture
def assignment(park, manager, inspector):
    return assignment_create(
        name="今市町のブランコ",
        inspector=inspector,
        assets=[park["never"], park["overdue"]],
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        acting_user=manager,
    )


def test_the_assignments_with_their_progress(assignment, manager, inspector, park):
    _inspect(inspector, park["never"], "A", timezone.localtime())

    sheet = sheet_of(signed_in(manager).get("/manage/inspections/assignments.xlsx"), "assignments")
    [row] = table_of(sheet, 5)

    assert row["点検割当"] == "今市町のブランコ" and row["点検員"] == "inspector"
    assert row["期限"] == datetime.datetime.combine(assignment.due_date, datetime.time())
    assert row["状態"] == "未完了"
    assert list(row.values())[5:8] == [2, 1, 50]  # assets, inspected since, per cent


def test_one_assignments_stops_in_order_with_what_was_found(assignment, manager, inspector, park):
    _inspect(inspector, park["never"], "A", timezone.localtime())

    response = signed_in(manager).get(f"/manage/inspections/assignments/{assignment.pk}.xlsx")
    sheet = sheet_of(response, f"assignment-{assignment.pk}")
    header_row = 8  # title, four lines of the assignment, the time of export, a blank row
    rows = table_of(sheet, header_row)

    assert sheet["B2"].value == "今市町のブランコ"
    assert sheet["B4"].is_date
    assert [row["台帳番号"] for row in rows] == ["PS-2", "PS-1"]
    assert rows[0]["健全度"] == "A 健全" and isinstance(rows[0]["点検日時"], datetime.datetime)
    assert rows[1]["健全度"] is None and rows[1]["点検日時"] is None


def test_another_citys_assignment_is_not_found(assignment, other_city_manager):
    url = f"/manage/inspections/assignments/{assignment.pk}.xlsx"
    assert signed_in(other_city_manager).get(url).status_code == 404
    assert (
        signed_in(other_city_manager).get("/manage/inspections/assignments/999999.xlsx").status_code
        == 404
    )
