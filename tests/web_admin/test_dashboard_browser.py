"""The dashboard in real Chromium, as a section chief opens it in Japanese at 1366×768: the
figures in cards above the fold, the weekly charts, the map drawn with its squares, axe clean;
the overdue card opens the queue listing as many faults as it said. The page is saved as a
picture when DASHBOARD_SCREENSHOT names a file (to look at it)."""

import datetime
import os
import random

import pytest
from django.utils import timezone

from assets.models import Asset, FaultCategory, Town
from reports.dashboard import week_days
from reports.models import Report
from reports.selectors import day_start
from tests import factories
from tests.browser import AXE, chromium
from tests.conftest import require
from tests.reports.timed import fault

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Machimori-2026"
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
TOWNS = {
    "今市町": (132.7550, 35.3670),
    "塩冶町": (132.7480, 35.3560),
    "大津町": (132.7780, 35.3620),
    "渡橋町": (132.7420, 35.3740),
    "高松町": (132.7250, 35.3800),
}
CATEGORIES = ("pothole", "crack", "lamp-out", "flickering", "broken-part", "graffiti")


@pytest.fixture
def twelve_weeks(catalogue, city, submit):
    """Some 80 faults over the twelve weeks: more come in than are fixed, a few are late."""
    FaultCategory.objects.update(default_owner=city["road"])
    for name, (lon, lat) in TOWNS.items():
        Town.objects.create(name=name, centre=factories.point(lon, lat))
    owners = {
        "pothole": city["road"],
        "crack": city["road"],
        "lamp-out": city["road"],
        "flickering": city["road"],
        "broken-part": city["parks"],
        "graffiti": city["parks"],
    }
    categories = {code: FaultCategory.objects.get(code=code) for code in CATEGORIES}
    rng = random.Random(18)
    now = timezone.now()
    start = day_start(week_days(now)[0])
    hours = (now - start).total_seconds() / 3600
    for _ in range(80):
        code = rng.choice(CATEGORIES)
        created = start + datetime.timedelta(hours=rng.uniform(0, hours))
        lon, lat = TOWNS[rng.choice(list(TOWNS))]
        took = datetime.timedelta(hours=rng.lognormvariate(4, 1))
        fixed = created + took if created + took < now and rng.random() < 0.7 else None
        fault(
            submit, categories[code], created, owner=owners[code], fixed=fixed,
            lonlat=(lon + rng.gauss(0, 0.004), lat + rng.gauss(0, 0.003)),
        )  # fmt: skip
    light = factories.asset("security-light", owner=city["road"])
    Asset.objects.filter(pk=light.pk).update(
        next_inspection_due=timezone.localdate() - datetime.timedelta(days=5)
    )


def test_a_section_chief_reads_the_dashboard_and_opens_the_overdue_faults(
    live_server, twelve_weeks, manager, chromium_path
):
    require(AXE.exists(), f"axe-core ({AXE})")
    base = live_server.url
    open_now = Report.objects.filter(status__in=Report.OPEN_STATUSES).count()
    with chromium(chromium_path, locale="ja-JP", **LAPTOP) as session:
        page = session.page
        page.goto(f"{base}/manage/login/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", PASSWORD)
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(f"{base}/manage/")
        page.wait_for_selector("#dash-map path.leaflet-interactive")
        squares = page.locator("#dash-map path.leaflet-interactive").count()
        cards = page.locator("ul.dash-cards li")
        lowest_card = max(
            cards.nth(i).bounding_box()["y"] + cards.nth(i).bounding_box()["height"]
            for i in range(cards.count())
        )
        chart_top = page.locator("figure.dash-chart svg").first.bounding_box()["y"]
        open_card = page.locator("ul.dash-cards li").first.locator("strong").inner_text()
        violations = session.axe_violations()
        if os.environ.get("DASHBOARD_SCREENSHOT"):
            page.screenshot(path=os.environ["DASHBOARD_SCREENSHOT"])
            page.screenshot(path=os.environ["DASHBOARD_SCREENSHOT"] + ".full.png", full_page=True)
        overdue_shown = page.locator("ul.dash-cards li").nth(1).locator("strong").inner_text()
        page.locator("ul.dash-cards li").nth(1).locator("a").click()
        page.wait_for_url("**/manage/queue/?overdue=on")
        listed = page.locator("table.queue tbody tr:has(td a[href*='/manage/reports/'])").count()
        assert session.errors == [] and session.external == [] and session.csp_violations == []

    assert violations == []
    assert lowest_card < 400 and chart_top < 768  # the figures, then the charts, on one screen
    assert int(open_card) == open_now and squares >= len(TOWNS)
    assert int(overdue_shown) == listed > 0
