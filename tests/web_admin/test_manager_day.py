"""A 維持管理課 manager's day in real Chromium, in Japanese at 1366×768 (issue 18): the
dashboard's figures match the database; "overdue" opens the queue filtered to it with its map
beside the list; two faults are ticked and assigned in one action; their work orders print to
an A4 PDF whose text is read back; the Excel file of the same filter opens with openpyxl with
Japanese headers and the rows of the screen, in the same order. axe checks each screen."""

import datetime
import io
import unicodedata

import openpyxl
import pypdf
import pytest
from django.utils import timezone, translation

from assets.models import FaultCategory
from reports.models import Report, ReportEvent
from tests import factories
from tests.browser import AXE, chromium
from tests.conftest import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Machimori-2026"
SCREEN = {"viewport": {"width": 1366, "height": 768}, "locale": "ja-JP"}


def _overdue(report, hours_ago: int) -> None:
    """Move the report's response target into the past (it came in a while ago)."""
    now = timezone.now()
    created = now - datetime.timedelta(hours=hours_ago + 24)
    target = now - datetime.timedelta(hours=hours_ago)
    Report.objects.filter(pk=report.pk).update(
        created_at=created,
        created_epoch=int(created.timestamp()),
        respond_by=target,
        respond_epoch=int(target.timestamp()),
    )


@pytest.fixture
def day(catalogue, city, manager, submit):
    """Seven open faults on the road section's lights, three past their target, and one
    fixed this week."""
    city["contractor"].contact_email = "densetsu@example.com"
    city["contractor"].save()
    categories = ["lamp-out", "flickering", "lamp-out", "lamp-broken", "lamp-out", "flickering"]
    reports = []
    for n, code in enumerate(categories):
        light = factories.asset(
            owner=city["road"], ledger_id=f"BH-20{n:02d}", address=f"今市町{n + 1}丁目"
        )
        reports.append(submit(FaultCategory.objects.get(code=code), asset=light))
    for report, hours in zip(reports[:3], (5, 30, 80), strict=True):
        _overdue(report, hours)
    fixed = submit(
        FaultCategory.objects.get(code="lamp-out"),
        asset=factories.asset(owner=city["road"], ledger_id="BH-2099"),
    )
    from reports import services

    services.report_fix(report=fixed, acting_user=manager)
    return reports


def _figures():
    now = int(timezone.now().timestamp())
    open_ = Report.objects.filter(status__in=Report.OPEN_STATUSES)
    return {
        "open": open_.count(),
        "overdue": sorted(
            open_.filter(respond_epoch__gt=0, respond_epoch__lte=now).values_list(
                "number", flat=True
            )
        ),
    }


def test_a_managers_day_in_japanese(live_server, day, city, chromium_path):
    require(AXE.exists(), f"axe-core ({AXE})")
    expected = _figures()
    base = live_server.url
    violations, seen = {}, {}
    with chromium(chromium_path, **SCREEN) as session:
        page = session.page
        page.goto(f"{base}/manage/login/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", PASSWORD)
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(f"{base}/manage/")
        seen["dashboard heading"] = page.inner_text("h1")
        cards = page.locator("ul.dash-cards li")
        seen["open card"] = cards.nth(0).locator("strong").inner_text()
        seen["overdue card"] = cards.nth(1).locator("strong").inner_text()
        violations["dashboard"] = session.axe_violations()

        cards.nth(1).locator("a").click()
        page.wait_for_url("**/manage/queue/?*overdue=on*")
        page.wait_for_selector("#queue-map .leaflet-interactive, #queue-map .marker-cluster")
        seen["map visible"] = page.is_visible("#queue-map")
        seen["map box"] = page.locator("#queue-map").bounding_box()
        seen["chips"] = page.inner_text("ul.chips")
        rows = page.locator("table.queue tbody tr")
        seen["queue rows"] = [
            rows.nth(i).locator("td a").first.inner_text() for i in range(rows.count())
        ]
        violations["queue"] = session.axe_violations()

        # Two faults ticked, assigned to the contractor in one action.
        ticked = seen["queue rows"][:2]
        for number in ticked:
            page.check(f"#tick-{number}")
        seen["bulk count"] = page.inner_text("#bulk-count")
        page.select_option("#bulk_action", "assign")
        page.select_option("#bulk_assignee", str(city["contractor"].pk))
        page.click("#bulk button[type=submit]")
        page.wait_for_selector(".messages")
        seen["message"] = page.inner_text(".messages")
        seen["after rows"] = page.inner_text("table.queue tbody")

        # Their work orders, on paper.
        for number in ticked:
            page.check(f"#tick-{number}")
        page.select_option("#bulk_action", "print")
        page.click("#bulk button[type=submit]")
        page.wait_for_url("**/manage/work-orders/?r=*")
        violations["work orders"] = session.axe_violations()
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True)
        page.emulate_media(media="screen")

        # The Excel file of the same filter.
        page.go_back()
        page.wait_for_url("**/manage/queue/?*overdue=on*")
        with page.expect_download() as download:
            page.click(".downloads a[href*='queue.xlsx']")
        workbook_bytes = open(download.value.path(), "rb").read()  # noqa: SIM115
        screen_rows = page.locator("table.queue tbody tr")
        seen["screen rows for excel"] = [
            screen_rows.nth(i).locator("td a").first.inner_text()
            for i in range(screen_rows.count())
        ]

    # The dashboard matched the database.
    assert seen["dashboard heading"].startswith("ダッシュボード")
    assert int(seen["open card"]) == expected["open"] == 6
    assert int(seen["overdue card"]) == len(expected["overdue"]) == 3
    # "Overdue" opened exactly the overdue faults, with the map beside the list.
    assert sorted(seen["queue rows"]) == expected["overdue"]
    assert seen["map visible"] and seen["map box"]["width"] > 300
    assert seen["map box"]["x"] > 683  # right of the list, not below it
    with translation.override("ja"):
        assert str(_overdue_label()) in seen["chips"]
    assert "2" in seen["bulk count"]
    # Both assigned in one action, each audited as if done alone.
    for number in ticked:
        report = Report.objects.get(number=number)
        assert report.assignee == city["contractor"]
        assert (
            ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.ASSIGNED).count() == 1
        )
    assert "出雲電設" in seen["after rows"]
    # The work orders: one A4 page each, with their numbers and ledger ids.
    document = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(document.pages) == 2
    for sheet, number in zip(document.pages, ticked, strict=True):
        # Chromium's fonts map some kanji to their Kangxi radical forms (⽰ for 示).
        text = unicodedata.normalize("NFKC", sheet.extract_text())
        report = Report.objects.select_related("asset").get(number=number)
        assert "作業指示書" in text and number in text and report.asset.ledger_id in text
        assert abs(float(sheet.mediabox.width) - 595) < 2  # A4: 210 mm
    # The Excel file: Japanese headers, words not codes, the screen's rows in order.
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(values) if row and row[0] == "受付番号")
    header = values[header_at]
    assert "状態" in header
    with translation.override("ja"):
        overdue_words = str(_overdue_label())
    assert any(overdue_words in str(cell) for row in values[:header_at] for cell in row if cell)
    table = [row for row in values[header_at + 1 :] if row and row[0]]
    assert [row[0] for row in table] == seen["screen rows for excel"]
    status_at = header.index("状態")
    assert {row[status_at] for row in table} <= {"未確認", "受付済", "対応中"}
    created_at = [i for i, name in enumerate(header) if name in ("通報日時", "受付日時")]
    assert created_at and isinstance(table[0][created_at[0]], datetime.datetime)
    assert violations == {key: [] for key in violations}
    assert session.external == [] and session.errors == []


def _overdue_label():
    from web_admin.forms import QueueFilterForm

    return QueueFilterForm.base_fields["overdue"].label
