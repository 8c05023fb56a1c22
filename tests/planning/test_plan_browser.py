"""A manager in Chromium, from a deterioration model to a budgeted plan: the inputs set,
the plan made, two scenarios compared on the page, the workbook downloaded and read back
(its rows and yearly totals are the screen's); axe on each page on the way."""

import io
from pathlib import Path

import openpyxl
import pytest

from planning import forecasting, simulation
from planning.models import PlannedWork, SavedPlan
from tests import factories
from tests.browser import chromium
from tests.planning.test_plans import _urgent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_goes_from_the_model_to_a_plan_and_its_workbook(
    live_server, load, light_type, city, chromium_path, axe
):
    load(simulation.simulate(assets=300, seed=5))
    forecasting.models_fit(light_type)
    factories.user(city["road"], "manager", username="road-manager")
    first_budget = _urgent(city["road"]) + 3_000_000
    found, cells = {}, {}
    with chromium(chromium_path, locale="ja-JP", viewport={"width": 1366, "height": 768},
                  accept_downloads=True) as session:  # fmt: skip
        page = session.page
        page.goto(f"{live_server.url}/manage/login/")
        page.fill("#id_username", "road-manager")
        page.fill("#id_password", "pw-Machimori-2026")
        page.click("form.narrow button[type=submit]")
        page.goto(f"{live_server.url}/manage/plan/models/security-light/")
        page.wait_for_selector("svg.step")
        found["model"] = session.axe_violations()
        page.click("main a[href='/manage/plan/']")
        page.fill("#id_budget", "3000000")
        page.fill("#id_budgets", str(first_budget))
        page.fill("#id_second_budget", "6000000")
        page.fill("#id_levelling", "1500000")
        page.click("text=入力を保存")
        page.wait_for_selector(".messages, [role=status]", timeout=10_000)
        found["inputs"] = session.axe_violations()
        page.click("text=計画を作成")
        page.wait_for_selector("table.plan-years")
        found["plan"] = session.axe_violations()
        scenarios = page.locator("table.scenarios tbody tr")
        cells["scenarios"] = scenarios.count()
        cells["reactive"] = scenarios.nth(1).locator("td").nth(-2).inner_text()
        cells["plan"] = scenarios.nth(2).locator("td").nth(-2).inner_text()
        cells["years"] = [
            [c.inner_text() for c in row.locator("th, td").all()]
            for row in page.locator("table.plan-years tbody tr").all()
        ]
        with page.expect_download() as download:
            page.click("text=Excel")
        book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert session.errors == [] and session.external == []

    assert found == {name: [] for name in found}
    saved = SavedPlan.objects.get()
    assert saved.feasible and cells["scenarios"] == 4
    # The plan costs less over its life than reacting to failures, as the page says.
    assert int(cells["plan"].replace(",", "")) <= int(cells["reactive"].replace(",", ""))
    rows = list(book["長寿命化修繕計画"].iter_rows(min_row=2, values_only=True))
    assert sum(isinstance(r[0], int) for r in rows) == PlannedWork.objects.count()
    totals = {r[0]: r[-1] for r in rows if isinstance(r[0], str)}
    for row in cells["years"]:
        year, count, cost = row[0], int(row[-3]), int(row[-2].replace(",", ""))
        if count:
            assert totals[f"{year} 計"] == cost
    assert [r[0] for r in book["年度別集計"].iter_rows(min_row=2, values_only=True)] == list(
        range(saved.first_year, saved.first_year + 10)
    )
