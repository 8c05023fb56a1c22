"""Making an assignment: who may send whom where, and nothing half-saved when refused."""

import datetime

import pytest
from django.utils import timezone

from assets.models import Asset
from inspections.assignments import AssignmentError, assignment_create
from inspections.models import Assignment, AssignmentAsset
from tests import factories


@pytest.fixture
def swings(catalogue, city):
    return [
        factories.asset("swing", owner=city["parks"], ledger_id=f"PS-{i}", lon=132.75 + i / 1000)
        for i in range(3)
    ]


@pytest.fixture
def next_week():
    return timezone.localdate() + datetime.timedelta(days=7)


def test_an_assignment_keeps_its_assets_in_the_order_given(manager, inspector, swings, next_week):
    assignment = assignment_create(
        name="  公園遊具 春の点検 ",
        inspector=inspector,
        assets=[swings[2], swings[0], swings[2].pk],
        due_on=next_week,
        acting_user=manager,
    )

    assignment.refresh_from_db()
    assert (assignment.title, assignment.due_date, assignment.status) == (
        "公園遊具 春の点検",
        next_week,
        "open",
    )
    assert (assignment.inspector, assignment.organization, assignment.created_by) == (
        inspector,
        inspector.organization,
        manager,
    )
    assert list(assignment.stops.values_list("asset__ledger_id", "position")) == [
        ("PS-2", 1),
        ("PS-0", 2),
    ]


def test_an_assignment_takes_a_queryset_as_it_is(manager, inspector, swings, next_week):
    assignment = assignment_create(
        name="全部",
        inspector=inspector,
        assets=Asset.objects.filter(ledger_id__startswith="PS-").order_by("-ledger_id"),
        due_on=next_week,
        acting_user=manager,
    )

    assert list(assignment.stops.values_list("asset__ledger_id", flat=True)) == [
        "PS-2",
        "PS-1",
        "PS-0",
    ]


def _refusal(**overrides):
    try:
        assignment_create(**overrides)
    except AssignmentError as exc:
        return exc.code, list(exc.errors)
    return None


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ("past_due", "due_in_past", "due_on"),
        ("viewer_as_inspector", "not_an_inspector", "inspector"),
        ("inactive_inspector", "not_an_inspector", "inspector"),
        ("other_city_inspector", "inspector_out_of_scope", "inspector"),
        ("other_city_asset", "asset_out_of_scope", "assets"),
        ("retired_asset", "asset_not_in_service", "assets"),
        ("road_asset_for_parks_inspector", "asset_out_of_inspector_scope", "assets"),
        ("no_assets", "no_assets", "assets"),
        ("too_many", "too_many_assets", "assets"),
        ("blank_name", "name_required", "name"),
        ("viewer_acting", "forbidden", "__all__"),
        ("section_staff_for_parks", "inspector_out_of_scope", "inspector"),
    ],
)
def test_each_refusal_has_its_code_and_saves_nothing(
    change, code, field, manager, inspector, viewer, section_staff, swings, other_city, city
):
    arguments = {
        "name": "点検",
        "inspector": inspector,
        "assets": swings,
        "due_on": timezone.localdate(),
        "acting_user": manager,
    }
    if change == "past_due":
        arguments["due_on"] = timezone.localdate() - datetime.timedelta(days=1)
    elif change == "viewer_as_inspector":
        arguments["inspector"] = viewer
    elif change == "inactive_inspector":
        inspector.is_active = False
        inspector.save()
    elif change == "other_city_inspector":
        arguments["inspector"] = factories.user(other_city, "inspector")
    elif change == "other_city_asset":
        arguments["assets"] = [*swings, factories.asset("swing", owner=other_city)]
    elif change == "retired_asset":
        Asset.objects.filter(pk=swings[1].pk).update(status=Asset.Status.RETIRED)
    elif change == "road_asset_for_parks_inspector":
        arguments["assets"] = [*swings, factories.asset("security-light", owner=city["road"])]
    elif change == "no_assets":
        arguments["assets"] = []
    elif change == "too_many":
        arguments["max_assets"] = 2
    elif change == "blank_name":
        arguments["name"] = "   "
    elif change == "viewer_acting":
        arguments["acting_user"] = viewer
    elif change == "section_staff_for_parks":
        arguments["acting_user"] = section_staff  # road section: the parks inspector is not theirs

    assert _refusal(**arguments) == (code, [field])
    assert not Assignment.objects.exists() and not AssignmentAsset.objects.exists()
