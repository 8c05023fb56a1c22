"""The inspection overviews' numbers: what falls due per type and town, the spread of grades,
and the spread at each year's end. Exact counts, worked out from tests/inspections/district.py
(the dates there are fixed; "today" is TODAY)."""

import datetime

import pytest
from django.contrib.gis.geos import Polygon

from assets.models import AssetType, Town
from inspections import areas, stats
from inspections.selectors import AssetSelection, assets_to_inspect
from tests import factories
from tests.inspections import district
from tests.inspections.district import TODAY

EVERYTHING = AssetSelection(days=30)


@pytest.fixture
def place(catalogue, city, other_city):
    return district.build(city, other_city)


def _due(groups) -> dict:
    return {
        (group.asset_type.code, count.area.name if count.area else None): (
            count.overdue,
            count.upcoming,
            count.never,
            count.total,
        )
        for group in groups
        for count in [*group.areas]
    } | {
        (group.asset_type.code, "total"): (
            group.total.overdue,
            group.total.upcoming,
            group.total.never,
            group.total.total,
        )
        for group in groups
    }


def test_each_asset_lies_in_the_town_its_address_names_else_the_nearest_circle(place, manager):
    qs = assets_to_inspect(manager, EVERYTHING, today=TODAY, annotate_area=True)

    found = dict(qs.values_list("ledger_id", "area_id"))

    assert found == {
        "PS-1": place.imaichi.pk,
        "PS-2": place.imaichi.pk,  # 出雲市今市町…
        "PS-3": place.otsu.pk,  # no address: within 大津町's circle
        "PS-4": place.otsu.pk,
        "PS-5": None,  # a route name, far from every centre
        "PS-7": place.imaichi_kita.pk,  # 今市町北 is longer than 今市町; the address wins
        "BH-1": place.imaichi.pk,
    }


def test_where_circles_overlap_the_nearest_centre_wins_and_a_park_counts_by_its_centre(
    catalogue, city, manager
):
    west = Town.objects.create(name="西町", centre=factories.point(132.700, 35.300), radius_m=900)
    east = Town.objects.create(name="東町", centre=factories.point(132.708, 35.300), radius_m=900)
    nearer_east = factories.asset("swing", owner=city["parks"], lon=132.7045, lat=35.3001)
    nearer_west = factories.asset("swing", owner=city["parks"], lon=132.7035, lat=35.2999)
    park = factories.asset(  # a 50 m square: its centre is nearer 東町's
        "park",
        owner=city["parks"],
        geom=Polygon.from_bbox((132.7095, 35.3000, 132.7100, 35.3005)),
    )
    beyond = factories.asset("swing", owner=city["parks"], lon=132.720, lat=35.300)

    found = dict(
        assets_to_inspect(manager, EVERYTHING, today=TODAY, annotate_area=True).values_list(
            "pk", "area_id"
        )
    )

    assert found == {
        nearer_east.pk: east.pk,
        nearer_west.pk: west.pk,
        park.pk: east.pk,
        beyond.pk: None,
    }


def test_due_counts_per_type_and_town(place, manager):
    groups = stats.due_counts(manager, EVERYTHING, today=TODAY)

    assert _due(groups) == {
        # (overdue, due within 30 days, never inspected, in service)
        ("security-light", "今市町"): (0, 1, 0, 1),  # due on TODAY itself: not yet overdue
        ("security-light", "total"): (0, 1, 0, 1),
        ("swing", "今市町"): (1, 0, 0, 2),
        ("swing", "今市町北"): (0, 0, 1, 1),
        ("swing", "大津町"): (0, 1, 1, 2),
        ("swing", None): (0, 0, 0, 1),
        ("swing", "total"): (1, 1, 2, 6),
    }
    assert [c.area.name if c.area else None for c in groups[1].areas] == [
        "今市町",
        "今市町北",
        "大津町",
        None,
    ]


def test_the_days_ahead_widen_what_is_due_soon(place, manager):
    groups = stats.due_counts(manager, AssetSelection(days=100), today=TODAY)

    assert _due(groups)[("swing", "total")] == (1, 2, 2, 6)  # PS-1 falls due on 2026-06-01


def test_due_counts_narrow_to_a_town_an_owner_and_a_type(place, manager, city):
    swing = AssetType.objects.get(code="swing")

    unknown = stats.due_counts(manager, AssetSelection(area=areas.NO_AREA), today=TODAY)
    road = stats.due_counts(manager, AssetSelection(owner=city["road"]), today=TODAY)
    otsu_swings = stats.due_counts(
        manager, AssetSelection(asset_type=swing, area=place.otsu.pk), today=TODAY
    )

    assert _due(unknown) == {("swing", None): (0, 0, 0, 1), ("swing", "total"): (0, 0, 0, 1)}
    assert list(_due(road)) == [("security-light", "今市町"), ("security-light", "total")]
    assert _due(otsu_swings) == {
        ("swing", "大津町"): (0, 1, 1, 2),
        ("swing", "total"): (0, 1, 1, 2),
    }


def test_another_citys_manager_counts_none_of_these_assets(place, other_city_manager):
    groups = stats.due_counts(other_city_manager, EVERYTHING, today=TODAY)

    assert _due(groups) == {
        ("swing", "今市町"): (0, 0, 1, 1),  # their own swing only
        ("swing", "total"): (0, 0, 1, 1),
    }


def test_the_current_spread_of_grades_per_type(place, manager):
    spread = {
        d.asset_type.code: d.counts
        for d in stats.condition_distribution(manager, EVERYTHING, today=TODAY)
    }

    assert spread == {
        "security-light": {"II": 1},
        "swing": {"A": 1, "B": 2, "C": 1, stats.NOT_INSPECTED: 2},
    }


def test_the_current_spread_narrows_to_a_town(place, manager):
    spread = stats.condition_distribution(manager, AssetSelection(area=place.otsu.pk), today=TODAY)

    assert [(d.asset_type.code, d.counts) for d in spread] == [
        ("swing", {"B": 1, stats.NOT_INSPECTED: 1})
    ]


def test_the_spread_at_each_years_end_and_its_change(place, manager):
    by_type = {
        t.asset_type.code: t
        for t in stats.condition_by_year(manager, EVERYTHING, years=3, today=TODAY)
    }
    swings = by_type["swing"]

    assert [(y.year, y.as_of, y.counts) for y in swings.years] == [
        # PS-7 was installed in 2025; PS-3's D of 2023 was corrected to B; PS-1's B of
        # 2024-12-31 23:30 and PS-2's B of 2025-01-01 00:30 fall on the Izumo side of midnight.
        (2024, datetime.date(2024, 12, 31), {"A": 1, "B": 3, "": 1}),
        (2025, datetime.date(2025, 12, 31), {"A": 1, "B": 2, "C": 1, "": 2}),
        (2026, TODAY, {"A": 1, "B": 2, "C": 1, "": 2}),
    ]
    assert [{k: v for k, v in y.changes.items() if v} for y in swings.years] == [
        {"B": 1, "": -1},  # against the end of 2023: A 1, B 2, not inspected 2
        {"B": -1, "C": 1, "": 1},
        {},
    ]
    assert [y.to_date for y in swings.years] == [False, False, True]
    assert swings.ordered_keys() == ["A", "B", "C", "D", ""]
    assert [y.counts for y in by_type["security-light"].years] == [{"II": 1}] * 3


def test_the_years_cost_one_query_each(place, manager, django_assert_max_num_queries):
    manager = type(manager).objects.get(pk=manager.pk)  # no cached scope

    with django_assert_max_num_queries(5 + 2 + 2):  # 5 years and the one before, scope, types
        stats.condition_by_year(manager, EVERYTHING, years=5, today=TODAY)
