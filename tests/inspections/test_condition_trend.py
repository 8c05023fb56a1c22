"""The yearly trend of grades read from the condition history: each asset's latest grade at
the end of each year, from its effective inspections and from a grade recorded on the asset by
hand (the paper ledger); this year's column is the current spread, always. Worked out by hand
from the history built below; "today" is TODAY."""

import datetime

import pytest
from django.db.models import Q

from assets.models import AssetType
from assets.services import asset_update
from inspections import stats
from inspections.selectors import AssetSelection
from tests import factories
from tests.inspections.district import TODAY, at, inspect

EVERYTHING = AssetSelection()
NOT_INSPECTED = stats.NOT_INSPECTED


class Street:
    """Eight security lights of the road section and their history, 2022 to TODAY."""

    def __init__(self, city):
        road = city["road"]
        self.inspector = factories.user(road, "inspector", username="road_inspector")
        light = [
            factories.asset("security-light", owner=road, ledger_id=f"L-{n}") for n in range(1, 9)
        ]
        self.lights = light
        # L-1 wears out year by year.
        inspect(self.inspector, light[0], "I", at(2023, 5, 1))
        inspect(self.inspector, light[0], "II", at(2024, 6, 1))
        inspect(self.inspector, light[0], "III", at(2025, 7, 1))
        # L-2: II half an hour before 2024 began in Izumo, IV half an hour after 2025 began.
        inspect(self.inspector, light[1], "II", at(2023, 12, 31, 23, 30))
        inspect(self.inspector, light[1], "IV", at(2025, 1, 1, 0, 30))
        # L-3 is never inspected.
        # L-4 is inspected only in 2025: not inspected at the ends of 2023 and 2024.
        inspect(self.inspector, light[3], "I", at(2025, 9, 1))
        # L-5's grade was recorded by hand from the paper ledger, dated 2024-03-01; no
        # inspection record behind it.
        asset_update(
            asset=light[4], condition_grade="II", last_inspected_on=datetime.date(2024, 3, 1)
        )
        # L-6: an inspection of 2022, then a grade recorded by hand dated 2024-08-01.
        inspect(self.inspector, light[5], "I", at(2022, 2, 1))
        light[5].refresh_from_db()
        asset_update(
            asset=light[5], condition_grade="III", last_inspected_on=datetime.date(2024, 8, 1)
        )
        # L-7: a IV corrected to II the next day.
        wrong = inspect(self.inspector, light[6], "IV", at(2024, 4, 10))
        inspect(self.inspector, light[6], "II", at(2024, 4, 11), supersedes=wrong)
        # L-8 is never inspected either.


@pytest.fixture
def street(catalogue, city):
    return Street(city)


def _only(asset) -> Q:
    return Q(pk=asset.pk)


def _years(user, **selection) -> list:
    [lights] = stats.condition_by_year(user, AssetSelection(**selection), years=3, today=TODAY)
    return lights.years


def test_each_years_end_counts_each_assets_latest_grade_from_the_history(street, manager):
    years = _years(manager)

    assert [(y.year, y.as_of, y.counts) for y in years] == [
        (2024, datetime.date(2024, 12, 31), {"II": 4, "III": 1, NOT_INSPECTED: 3}),
        (2025, datetime.date(2025, 12, 31), {"I": 1, "II": 2, "III": 2, "IV": 1, "": 2}),
        (2026, TODAY, {"I": 1, "II": 2, "III": 2, "IV": 1, "": 2}),
    ]


def test_each_years_shares_are_exact(street, manager):
    years = _years(manager)
    keys = ["I", "II", "III", "IV", NOT_INSPECTED]

    assert [[y.share(k) for k in keys] for y in years] == [
        [0.0, 50.0, 12.5, 0.0, 37.5],
        [12.5, 25.0, 25.0, 12.5, 25.0],
        [12.5, 25.0, 25.0, 12.5, 25.0],
    ]
    assert [sum(y.share(k) for k in keys) for y in years] == [100.0] * 3


def test_the_change_is_against_the_end_of_the_year_before(street, manager):
    years = _years(manager)

    # The end of 2023: L-1 I, L-2 II, L-6 I; the other five not inspected.
    assert [{k: v for k, v in y.changes.items() if v} for y in years] == [
        {"I": -2, "II": 3, "III": 1, "": -2},
        {"I": 1, "II": -2, "III": 1, "IV": 1, "": -1},
        {},
    ]


def test_the_current_years_column_is_the_current_bar(street, manager):
    current = {
        d.asset_type.code: d.counts
        for d in stats.condition_distribution(manager, EVERYTHING, today=TODAY)
    }

    assert _years(manager)[-1].counts == current["security-light"]
    # L-5's grade has no inspection behind it: it counts now as it does in the bar.
    assert current["security-light"]["II"] == 2


def test_the_current_years_column_is_the_current_bar_whatever_the_filter(street, manager, city):
    light_type = AssetType.objects.get(code="security-light")
    for selection in (
        {"owner": city["road"]},
        {"asset_type": light_type},
        {"owner": city["parks"]},
    ):
        current = stats.condition_distribution(manager, AssetSelection(**selection), today=TODAY)
        by_year = stats.condition_by_year(
            manager, AssetSelection(**selection), years=2, today=TODAY
        )

        assert [(d.asset_type.code, d.counts) for d in current] == [
            (t.asset_type.code, t.years[-1].counts) for t in by_year
        ]


def test_an_asset_never_inspected_stays_not_inspected_every_year(street, manager):
    never = street.lights[2]

    [lights] = stats.condition_by_year(
        manager, AssetSelection(also=_only(never)), years=5, today=TODAY
    )

    assert [y.counts for y in lights.years] == [{NOT_INSPECTED: 1}] * 5


def test_an_asset_inspected_only_after_a_year_is_not_inspected_in_it(street, manager):
    late = street.lights[3]  # inspected first on 2025-09-01

    [lights] = stats.condition_by_year(
        manager, AssetSelection(also=_only(late)), years=3, today=TODAY
    )

    assert [(y.year, y.counts) for y in lights.years] == [
        (2024, {NOT_INSPECTED: 1}),
        (2025, {"I": 1}),
        (2026, {"I": 1}),
    ]


def test_a_grade_recorded_by_hand_counts_from_its_date_on(street, manager):
    by_hand = street.lights[4]  # II, dated 2024-03-01, no inspection
    after_inspection = street.lights[5]  # inspected I in 2022, then III by hand in 2024

    [alone] = stats.condition_by_year(
        manager, AssetSelection(also=_only(by_hand)), years=4, today=TODAY
    )
    [mixed] = stats.condition_by_year(
        manager, AssetSelection(also=_only(after_inspection)), years=4, today=TODAY
    )

    assert [(y.year, y.counts) for y in alone.years] == [
        (2023, {NOT_INSPECTED: 1}),
        (2024, {"II": 1}),
        (2025, {"II": 1}),
        (2026, {"II": 1}),
    ]
    assert [(y.year, y.counts) for y in mixed.years] == [
        (2023, {"I": 1}),
        (2024, {"III": 1}),
        (2025, {"III": 1}),
        (2026, {"III": 1}),
    ]


def test_a_corrected_inspection_counts_as_its_correction(street, manager):
    corrected = street.lights[6]

    [lights] = stats.condition_by_year(
        manager, AssetSelection(also=_only(corrected)), years=3, today=TODAY
    )

    assert [y.counts for y in lights.years] == [{"II": 1}] * 3


def test_another_citys_manager_sees_no_trend_of_these_lights(street, other_city_manager):
    assert stats.condition_by_year(other_city_manager, EVERYTHING, years=3, today=TODAY) == []
