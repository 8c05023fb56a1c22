"""The dashboard's figures, worked out by hand from reports with known times (tests/reports/
timed.py), as of a fixed Wednesday: the weeks run from Monday 7 September to Monday 23
November 2026 (index 0 to 11)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import FaultCategory, Town
from reports import dashboard
from reports.dashboard import CELL_LAT, CELL_LON
from reports.models import Report
from reports.selectors import reports_for_user
from tests import factories
from tests.reports.timed import at, fault

NOW = at(11, 25, 15)  # a Wednesday afternoon in Tokyo
H = datetime.timedelta(hours=1)


@pytest.fixture
def world(catalogue, city, other_city, submit):
    FaultCategory.objects.update(default_owner=city["road"])
    pothole = FaultCategory.objects.get(code="pothole")
    lamp_out = FaultCategory.objects.get(code="lamp-out")
    here, east, west = (132.7551, 35.3671), (132.7701, 35.3855), (132.7401, 35.3551)
    Town.objects.create(name="今市町", centre=factories.point(132.755, 35.367))
    Town.objects.create(name="大津町", centre=factories.point(132.77, 35.386))

    def f(category, created, lost_end=False, **kwargs):
        report = fault(submit, category, created, **kwargs)
        if lost_end:
            Report.objects.filter(pk=report.pk).update(ended_at=None)
        return report

    return {
        # open, this week, its target three days ahead: not overdue
        "A": f(pothole, at(11, 24, 10), lonlat=here),
        # fixed after 48 hours, within its target
        "B": f(pothole, at(11, 16, 9), fixed=at(11, 18, 9)),
        # fixed this week after 14 days, past its target
        "C": f(pothole, at(11, 10, 9), fixed=at(11, 24, 9)),
        # open and overdue: the road section, potholes
        "D": f(pothole, at(11, 2), lonlat=here),
        # open and overdue: the parks section, lamp out
        "E": f(lamp_out, at(10, 20), owner=city["parks"], lonlat=east),
        # open and overdue: the road section, lamp out
        "F": f(lamp_out, at(10, 21), lonlat=east),
        # came in before the twelve weeks, fixed in the first after 7 days; no target
        "G": f(pothole, at(9, 1), fixed=at(9, 8), target=None),
        # fixed after 6 hours, then closed: the fix still counts, at its own time
        "H": f(pothole, at(11, 17, 10), fixed=at(11, 17, 16), closed=at(11, 20)),
        # closed as a duplicate two hours in: never fixed, not open
        "I": f(pothole, at(11, 18, 10), closed=at(11, 18, 12)),
        # came in and was fixed before the twelve weeks
        "J": f(pothole, at(8, 1), fixed=at(8, 3)),
        # fixed, then reopened: open (and overdue) again, not a fix
        "L": f(pothole, at(10, 5, 10), fixed=at(10, 7, 10), reopened=at(10, 9), lonlat=west),
        # closed as a duplicate, its end lost (kept from before ends were kept): not open
        "M": f(pothole, at(10, 12), closed=at(10, 13), lost_end=True),
        # another city's, open and overdue: counts nowhere
        "K": f(pothole, at(10, 1), owner=other_city, lonlat=here),
        # another city's fix in the window: counts nowhere
        "K2": f(pothole, at(11, 16), owner=other_city, fixed=at(11, 17)),
    }


def test_the_weeks_run_monday_to_sunday_in_tokyo_the_current_week_last():
    days = dashboard.week_days(NOW)

    assert days[0] == datetime.date(2026, 9, 7) and days[-1] == datetime.date(2026, 11, 23)
    assert all(day.weekday() == 0 for day in days) and len(days) == 12
    # Monday 00:30 in Tokyo is still Sunday in UTC: the week is Tokyo's.
    assert dashboard.week_days(at(11, 30, 0, 30))[-1] == datetime.date(2026, 11, 30)


def test_new_fixed_and_still_open_per_week(world, manager):
    weeks = dashboard.weekly(reports_for_user(manager), now=NOW)

    assert [w.new for w in weeks] == [0, 0, 0, 0, 1, 1, 2, 0, 1, 1, 3, 1]
    assert [w.fixed for w in weeks] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1]
    assert [w.still_open for w in weeks] == [0, 0, 0, 0, 1, 1, 3, 3, 4, 5, 5, 5]
    assert [w.current for w in weeks] == [False] * 11 + [True]


def test_median_and_90th_percentile_interpolate_between_fixes(world, manager):
    fixes = dashboard.fix_times(reports_for_user(manager), now=NOW)

    # B 48 h, C 336 h, G 168 h, H 6 h: sorted 6, 48, 168, 336.
    assert fixes.count == 4
    assert fixes.median == 108 * H  # halfway between 48 and 168
    assert fixes.p90 == datetime.timedelta(hours=285, minutes=36)  # 168 + 0.7 × 168


def test_the_share_within_target_counts_only_fixes_that_had_one(world, manager):
    fixes = dashboard.fix_times(reports_for_user(manager), now=NOW)

    # G had no target; of B, C and H, B and H were fixed in time.
    assert (fixes.within_target, fixes.with_target) == (2, 3)
    assert round(fixes.share_within_target, 1) == 66.7


def test_one_fix_is_its_own_median_and_none_leave_them_blank(world, manager, city):
    section = factories.user(city["parks"], "section_staff")

    assert dashboard.fix_times(reports_for_user(section), now=NOW).median is None
    assert dashboard.fix_times(reports_for_user(section), now=NOW).share_within_target is None
    # As of 7 September, before G's fix: J's alone.
    only_j = dashboard.fix_times(reports_for_user(manager), now=at(9, 7, 1))
    assert only_j.count == 1 and only_j.median == only_j.p90 == 48 * H


def test_overdue_per_section_and_per_category(world, manager, city):
    late = dashboard.overdue(manager, now=NOW)

    assert late.total == 4  # D, E, F, L
    assert [(o.code, n) for o, n in late.by_owner] == [("izumo-doro", 3), ("izumo-koen", 1)]
    assert sorted((c.code, n) for c, n in late.by_category) == [("lamp-out", 2), ("pothole", 2)]


def test_another_organisation_sees_only_its_own(world, city, other_city):
    parks = factories.user(city["parks"], "section_staff")
    matsue = factories.user(other_city, "manager")

    assert dashboard.overdue(parks, now=NOW).total == 1
    assert [w.still_open for w in dashboard.weekly(reports_for_user(parks), now=NOW)][-1] == 1
    assert dashboard.overdue(matsue, now=NOW).total == 1  # K
    assert sum(w.fixed for w in dashboard.weekly(reports_for_user(matsue), now=NOW)) == 1  # K2


def test_open_faults_are_counted_per_square_and_named_by_the_nearest_town(world, manager):
    cells = dashboard.open_cells(reports_for_user(manager))

    assert [(c.count, c.town, c.side) for c in cells] == [
        (2, "今市町", ""),  # the town's centre lies in the square
        (2, "大津町", ""),
        (1, "今市町", "sw"),  # south-west of it
    ]
    west, south, east, north = cells[0].bbox
    assert west <= 132.7551 < east and south <= 35.3671 < north
    assert (east - west, north - south) == pytest.approx((CELL_LON, CELL_LAT))


def test_the_figures_cost_a_handful_of_queries_whatever_the_number_of_reports(
    world, manager, submit, city
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            board = dashboard.dashboard(manager, now=NOW)
        return len(captured), board

    queries()  # the user's organisations, read once and kept on the user
    before, board = queries()
    lamp_out = FaultCategory.objects.get(code="lamp-out")
    for index in range(6):
        fault(submit, lamp_out, at(10, 1 + index), lonlat=(132.70 + index / 50, 35.33),
              owner=city["parks"] if index % 2 else None, fixed=at(11, 1 + index))  # fmt: skip
    after, more = queries()

    assert before == after <= 15
    assert board.open_now == 5 and more.this_week.still_open == 5
    assert sum(w.fixed for w in more.weeks) == sum(w.fixed for w in board.weeks) + 6
