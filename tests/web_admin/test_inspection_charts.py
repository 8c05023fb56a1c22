"""The trend chart of the conditions page: one 100 % column a year drawn from the condition
history, and the words of the grades; and, on the page, this year's column next to the current
bar with the same numbers."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from assets.models import AssetType
from assets.services import asset_update
from inspections import stats
from tests import factories
from tests.inspections.district import inspect
from web_admin import inspection_charts as charts


@pytest.fixture
def light_type(catalogue):
    return AssetType.objects.get(code="security-light")


def _year(year, counts, *, to_date=False) -> stats.YearDistribution:
    as_of = datetime.date(year, 6, 30) if to_date else datetime.date(year, 12, 31)
    return stats.YearDistribution(year=year, as_of=as_of, counts=counts, changes={})


def test_each_column_stacks_its_shares_best_grade_at_the_bottom(light_type):
    grades = [charts.grade_info(light_type, k) for k in ("I", "II", "III", "IV", "")]
    years = [_year(2025, {"I": 2, "II": 1, "": 1}), _year(2026, {"IV": 4}, to_date=True)]

    chart = charts.trend_chart(grades, years)

    inner = charts.TREND_HEIGHT - charts.TREND_TOP - charts.TREND_BOTTOM
    first, second = chart.columns
    assert [(s.grade.key, s.count, s.share) for s in first.segments] == [
        ("I", 2, 50.0),
        ("II", 1, 25.0),
        ("", 1, 25.0),
    ]
    assert [s.height for s in first.segments] == [inner / 2, inner / 4, inner / 4]
    assert first.segments[0].y + first.segments[0].height == chart.plot_bottom  # I at the bottom
    assert first.segments[-1].y == pytest.approx(charts.TREND_TOP)  # the whole column is 100 %
    assert [(s.grade.key, s.share, s.height) for s in second.segments] == [("IV", 100.0, inner)]
    assert (first.year, first.to_date, second.year, second.to_date) == (2025, False, 2026, True)
    assert first.x < second.x and first.width == second.width
    assert [label for _y, label in chart.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]


def test_a_type_without_years_draws_no_column(light_type):
    distribution = stats.Distribution(asset_type=light_type, counts={"I": 3})

    figures = charts.type_conditions(distribution, None)

    assert figures.years == [] and figures.trend.columns == []
    assert [(g.count, g.share) for g in figures.current][:2] == [(3, 100.0), (0, 0.0)]


def test_grades_read_as_words(light_type):
    with translation.override("ja"):
        words = [charts.grade_info(light_type, k).label for k in ("II", "", "Z")]

    assert words == ["II 予防保全段階", "未点検", "Z 現行の区分にない値"]


@pytest.mark.django_db
def test_the_current_years_column_is_the_current_bar_on_the_page(catalogue, city, manager):
    road = city["road"]
    inspector = factories.user(road, "inspector", username="road_inspector")
    tz = timezone.get_current_timezone()
    this_year = timezone.localdate().year
    inspected = [factories.asset("security-light", owner=road) for _ in range(3)]
    for light, grade in zip(inspected, ("I", "II", "IV"), strict=True):
        inspect(inspector, light, grade, datetime.datetime(this_year - 1, 5, 1, 10, tzinfo=tz))
    by_hand = factories.asset("security-light", owner=road)  # a grade from the paper ledger
    asset_update(asset=by_hand, condition_grade="III", last_inspected_on=datetime.date(2020, 4, 1))
    factories.asset("security-light", owner=road)  # never inspected
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(manager)

    response = client.get("/manage/inspections/conditions/", {"type": "security-light"})

    section = response.context["section"]
    now = [(g.grade.key, g.count) for g in section.current]
    last = section.years[-1]
    assert now == [("I", 1), ("II", 1), ("III", 1), ("IV", 1), ("", 1)]
    assert last.year.year == this_year and last.year.to_date is (
        timezone.localdate() != datetime.date(this_year, 12, 31)
    )
    assert [cell.count for cell in last.cells] == [count for _key, count in now]
    assert [s.count for s in section.trend.columns[-1].segments] == [1, 1, 1, 1, 1]
    # The year before: the three inspected lights and the one graded by hand.
    assert [cell.count for cell in section.years[-2].cells] == [1, 1, 1, 1, 1]
    assert [cell.count for cell in section.years[0].cells] == [0, 0, 1, 0, 4]  # 4 years before
    html = response.content.decode()
    assert html.count('role="img"') == 2
    assert re.search(r'<svg class="trend"[^>]*role="img"', html)


def test_a_code_off_the_scale_gets_its_own_column_and_the_rows_name_their_year(light_type):
    years = [_year(2025, {"II": 1, "V": 1}), _year(2026, {"II": 2}, to_date=True)]

    figures = charts.type_conditions(
        stats.Distribution(asset_type=light_type, counts={"II": 2}),
        stats.TypeYears(asset_type=light_type, years=years),
    )

    assert [g.key for g in figures.grades] == ["I", "II", "III", "IV", "V", ""]
    assert [(row.label, [c.count for c in row.cells]) for row in figures.years] == [
        ("2025", [0, 1, 0, 0, 1, 0]),
        ("2026 (to date)", [0, 2, 0, 0, 0, 0]),
    ]
    assert [c.share for c in figures.years[0].cells][1] == 50.0
