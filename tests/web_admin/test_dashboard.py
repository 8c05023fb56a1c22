"""The dashboard page: who sees it, that its figures are the database's, that every number
links to a queue (or asset list) showing exactly what it counted, and that the Japanese page
shows names, not codes. The reports' times are set relative to the current week, so the page
(which asks the clock) and the test agree."""

import datetime
import html
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from assets.models import Asset, FaultCategory
from reports.dashboard import week_days
from reports.selectors import day_start
from tests import factories
from tests.reports.timed import fault

DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)


class Links(HTMLParser):
    """Every link of a page with its text, and the page's visible text (no scripts)."""

    def __init__(self):
        super().__init__()
        self.links, self.text = [], []
        self._href, self._words, self._skip = None, [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "a":
            self._href, self._words = dict(attrs).get("href"), []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((html.unescape(self._href), " ".join(self._words)))
            self._href = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._href is not None and data.strip():
            self._words.append(data.strip())


def parse(response) -> Links:
    links = Links()
    links.feed(response.content.decode())
    return links


def counted(links: Links, prefix: str) -> list[tuple[str, int]]:
    """(url, the count it shows) for each link to `prefix` whose text is or holds a count:
    a table cell ("3"), or a card ("Open faults 3 in the queue now")."""
    found = []
    for url, text in links.links:
        number = re.search(r"(?:^|\s)(\d+)(?:\s|$)", text)
        if url.startswith(prefix) and number and "%" not in text:
            found.append((url, int(number.group(1))))
    return found


@pytest.fixture
def faults(catalogue, city, other_city, submit):
    FaultCategory.objects.update(default_owner=city["road"])
    pothole = FaultCategory.objects.get(code="pothole")
    lamp_out = FaultCategory.objects.get(code="lamp-out")
    monday = day_start(week_days(timezone.now())[-1])
    last, before = monday - 7 * DAY, monday - 14 * DAY

    def f(category, created, **kwargs):
        return fault(submit, category, created, **kwargs)

    return {
        "late_fix": f(pothole, before + DAY + 10 * HOUR, fixed=last + DAY + 10 * HOUR),
        "quick_fix": f(pothole, last + 2 * DAY + 9 * HOUR, fixed=last + 2 * DAY + 15 * HOUR),
        "parks_late": f(
            lamp_out, before + 3 * DAY, owner=city["parks"], lonlat=(132.7701, 35.3855)
        ),
        "road_late": f(pothole, before + 8 * HOUR),
        "duplicate": f(pothole, last + DAY, closed=last + DAY + HOUR),
        "in_time": f(pothole, last + DAY, target=60 * DAY, lonlat=(132.7401, 35.3551)),
        "other_city": f(pothole, last + DAY, owner=other_city),
    }


@pytest.fixture
def due_light(faults, city):
    light = factories.asset("security-light", owner=city["road"], ledger_id="BH-9001")
    today = timezone.localdate()
    Asset.objects.filter(pk=light.pk).update(
        last_inspected_on=today - 800 * DAY, next_inspection_due=today - 10 * DAY
    )
    return light


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/manage/")

    assert response.status_code == 302
    assert response["Location"].startswith("/manage/login/")


def test_the_figures_are_the_databases(client, manager, faults):
    client.force_login(manager)

    board = client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en").context["board"]

    last_week, this_week = board.weeks[-2], board.weeks[-1]
    assert (last_week.new, last_week.fixed) == (3, 2)  # quick fix, duplicate, in time
    assert board.open_now == 3 == this_week.still_open  # the two late ones, in time
    assert board.overdue.total == 2
    assert board.fixes.count == 2 and board.fixes.median == (6 + 168) / 2 * HOUR
    assert (board.fixes.within_target, board.fixes.with_target) == (1, 2)


def test_every_count_opens_the_queue_with_exactly_what_it_counted(client, manager, faults):
    client.force_login(manager)
    links = parse(client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en"))

    queue_links = counted(links, "/manage/queue/?")
    found = {}
    for url, number in queue_links:
        page = client.get(url).context["page"]
        found[url] = (page.paginator.count, number)

    assert len(queue_links) > 30  # 12 weeks × 2, the cards, sections, categories, squares
    assert {url: shown for url, (listed, shown) in found.items() if listed != shown} == {}


def test_the_links_name_the_filter_of_each_figure(client, manager, faults, city):
    client.force_login(manager)
    links = dict(parse(client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en")).links)
    first = week_days(timezone.now())[-2]
    last = first + 6 * DAY

    assert links[f"/manage/queue/?overdue=on&owner={city['road'].pk}"] == "1"
    assert links[f"/manage/queue/?overdue=on&owner={city['parks'].pk}"] == "1"
    assert links["/manage/queue/?category=lamp-out&overdue=on"] == "1"
    assert links["/manage/queue/?category=pothole&overdue=on"] == "1"
    everything = "status=new&status=accepted&status=in_progress&status=fixed&status=closed"
    assert links[f"/manage/queue/?{everything}&since={first}&until={last}"] == "3"
    fixed = f"status=fixed&status=closed&fixed_since={first}&fixed_until={last}"
    assert links[f"/manage/queue/?{fixed}"] == "2"


def test_the_fixed_link_lists_the_fixes_by_number(client, manager, faults):
    client.force_login(manager)
    first = week_days(timezone.now())[-2]

    response = client.get(
        f"/manage/queue/?status=fixed&status=closed&fixed_since={first}"
        f"&fixed_until={first + 6 * DAY}&order=oldest"
    )

    numbers = [report.number for report, _reasons in response.context["reports"]]
    assert numbers == [faults["late_fix"].number, faults["quick_fix"].number]


def test_another_citys_reports_count_nowhere(client, other_city_manager, faults):
    client.force_login(other_city_manager)

    board = client.get("/manage/").context["board"]

    assert board.open_now == 1 and board.overdue.total == 1
    assert board.fixes.count == 0 and board.weeks[-2].new == 1


def test_a_viewer_sees_the_same_figures_and_no_actions(client, viewer, manager, faults):
    client.force_login(manager)
    as_manager = client.get("/manage/").context["board"]
    client.force_login(viewer)

    response = client.get("/manage/")

    assert response.status_code == 200
    assert response.context["board"].weeks == as_manager.weeks
    assert response.context["board"].overdue == as_manager.overdue
    assert "<form" not in response.content.decode().split('<main id="main"')[1]


def test_inspections_overdue_link_to_the_assets_they_count(client, manager, due_light):
    client.force_login(manager)
    links = parse(client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en"))

    asset_links = counted(links, "/manage/inspections/assets/?")
    found = {
        url: (client.get(url).context["page"].paginator.count, shown) for url, shown in asset_links
    }

    overdue = "/manage/inspections/assets/?type=security-light&due=overdue&days=30"
    assert found[overdue] == (1, 1)
    assert found["/manage/inspections/assets/?due=overdue"] == (1, 1)  # the card
    assert {url: pair for url, pair in found.items() if pair[0] != pair[1]} == {}


def test_the_japanese_page_shows_names_not_codes(client, manager, faults, due_light, city):
    client.force_login(manager)

    response = client.get("/manage/", HTTP_ACCEPT_LANGUAGE="ja")

    text = " ".join(parse(response).text)
    assert response.status_code == 200 and 'lang="ja"' in response.content.decode()
    for name in ("道路河川維持課", "公園緑地課", "夜間に点灯しない", "防犯灯"):
        assert name in text
    codes = ("pothole", "lamp-out", "izumo-doro", "izumo-koen", "security-light", "in_progress")
    assert [code for code in codes if code in text] == []


def test_an_empty_dashboard_still_renders(client, manager, catalogue):
    client.force_login(manager)

    response = client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["board"].open_now == 0
    assert 'id="dash-map"' not in response.content.decode()
