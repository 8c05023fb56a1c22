"""The long-life plan as managers use it, on both databases: inputs with example costs,
every change audited, refused for who may not; a plan made from the forecasts within its
budgets, saved with its inputs and compared with the one before; an infeasible budget
explained; the plan as CSV, Excel and GeoJSON matching the screen."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from planning import forecasting, optimise, plans, simulation
from planning.models import InputChange, PlannedWork, SavedPlan, UnitCost
from planning.selectors import plan_years
from tests import factories


@pytest.fixture
def network(load, light_type, city):
    """Security lights of the road section with a fitted model and forecasts."""
    load(simulation.simulate(assets=300, seed=5))
    forecasting.models_fit(light_type)
    return city["road"]


@pytest.fixture
def road_manager(city):
    return factories.user(city["road"], "manager", username="road-manager")


def _urgent(organisation) -> int:
    """What the first year's urgent renewals of the organisation's assets cost."""
    items, kinds = plans._items_and_kinds(organisation, datetime.date(2027, 4, 1))
    return round(optimise.scenario(items, kinds, 10, renew=True).planned[0])


def _inputs(organisation, user, **changes):
    fields = {
        "first_year": 2027,
        "horizon": 10,
        "budget": 3_000_000,
        "budgets": [_urgent(organisation) + 3_000_000],
        "levelling": 1_500_000,
        **changes,
    }
    return plans.inputs_update(organisation=organisation, acting_user=user, **fields)


def test_inputs_start_from_example_costs_and_every_change_is_audited(catalogue, city, road_manager):
    found = plans.settings_of(city["road"])
    assert found.first_year == plans.fiscal_year_now() + 1 and found.horizon == 10
    costs = UnitCost.objects.filter(organisation=city["road"])
    assert costs.exists() and all(c.example for c in costs)

    _inputs(city["road"], road_manager, costs={("security-light", "repair"): 95_000})

    repair = costs.get(asset_type__code="security-light", action="repair")
    assert (repair.yen, repair.example) == (95_000, False)
    changed = {c.field: (c.before, c.after, c.changed_by) for c in InputChange.objects.all()}
    assert changed["budget"] == ("0", "3000000", road_manager)
    assert changed["unit cost security-light repair"][:2] == ("90000", "95000")
    _inputs(city["road"], road_manager, costs={("security-light", "repair"): 95_000})
    assert InputChange.objects.count() == len(changed)  # nothing changed, nothing audited


@pytest.mark.parametrize("who", ["section_staff", "viewer", "inspector", "parks_manager"])
def test_who_may_not_change_the_inputs_or_make_a_plan(request, who, city):
    if who == "parks_manager":
        user = factories.user(city["parks"], "manager", username="parks-manager")
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(plans.PlanError) as refused:
        _inputs(city["road"], user)
    assert refused.value.code == "forbidden"
    with pytest.raises(plans.PlanError):
        plans.plan_make(organisation=city["road"], acting_user=user)
    assert not InputChange.objects.exists() and not SavedPlan.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"horizon": 0}, "bad_horizon"), ({"budget": -1}, "bad_budget"),
     ({"plan_policy": "hope"}, "bad_policy"), ({"budgets": [1] * 11}, "bad_budget")],
)  # fmt: skip
def test_bad_inputs_are_refused_and_nothing_is_saved(city, road_manager, fields, code):
    with pytest.raises(plans.PlanError) as refused:
        _inputs(city["road"], road_manager, **fields)
    assert refused.value.code == code
    assert not InputChange.objects.exists()


def test_a_plan_keeps_to_its_budgets_and_is_kept_with_its_inputs(network, road_manager):
    _inputs(network, road_manager)
    saved = plans.plan_make(organisation=network, acting_user=road_manager)

    assert saved.feasible and saved.assets > 0
    assert saved.inputs["budgets"][1:] == [3_000_000] * 9 and saved.made_by == road_manager
    assert "security-light repair" in saved.inputs["unit_costs"]
    years = {row["year"]: row["cost"] for row in plan_years(saved)}
    budgets = dict(zip(range(2027, 2037), saved.inputs["budgets"], strict=True))
    assert all(cost <= budgets[year] for year, cost in years.items())
    assert PlannedWork.objects.filter(plan=saved).count() == saved.scenarios["plan"]["works"]
    scenarios = saved.scenarios
    assert scenarios["plan"]["life_cycle_cost"] <= scenarios["reactive"]["life_cycle_cost"]
    assert scenarios["nothing"]["backlog"][-1] > scenarios["plan"]["backlog"][-1]


def test_a_budget_below_the_urgent_work_is_explained(network, road_manager, client):
    _inputs(network, road_manager, budget=0, budgets=[], levelling=None)
    saved = plans.plan_make(organisation=network, acting_user=road_manager)
    assert not saved.feasible and "urgent" in saved.why_not
    assert not PlannedWork.objects.filter(plan=saved).exists()
    client.force_login(road_manager)
    page = client.get(reverse("manage-plan-detail", args=[saved.pk])).text
    assert 'class="error-summary"' in page and "urgent" in page


def test_the_screens_make_the_plan_and_its_files_match_it(network, road_manager, client):
    client.force_login(road_manager)
    home = client.get(reverse("manage-plan"))
    assert home.status_code == 200 and 'class="tag"' in home.text  # example costs
    form = {
        "first_year": "2027",
        "horizon": "10",
        "budget": "3000000",
        "budgets": f"{_urgent(network) + 3_000_000}",
        "second_budget": "6000000",
        "policy": "preventive-ii",
        "levelling": "1500000",
    }
    unit_costs = UnitCost.objects.filter(organisation=network).select_related("asset_type")
    costs = {f"cost_{c.asset_type.code}_{c.action}": str(c.yen) for c in unit_costs}
    bad = client.post(reverse("manage-plan"), {**form, **costs, "budgets": "1000, lots"})
    assert bad.status_code == 400 and "lots" in bad.text
    assert client.post(reverse("manage-plan"), {**form, **costs}).status_code == 302
    first = client.post(reverse("manage-plan-make"))
    saved = SavedPlan.objects.get()
    assert first.url == reverse("manage-plan-detail", args=[saved.pk])

    page = client.get(first.url).text
    years = plan_years(saved)
    for row in years:
        assert f"{row['cost']:,}" in page or str(row["cost"]) in page
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("manage-plan-download", args=[saved.pk, "xlsx"])).content)
    )
    assert book.sheetnames == ["入力条件", "長寿命化修繕計画", "年度別集計"]
    sheet = book["長寿命化修繕計画"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    works = [r for r in rows if isinstance(r[0], int)]
    totals = {r[0]: r[-1] for r in rows if isinstance(r[0], str) and r[0].endswith("年度 計")}
    assert len(works) == saved.works.count()
    for row in years:
        if row["count"]:
            assert totals[f"{row['year']}年度 計"] == row["cost"]
    assert book["入力条件"]["B1"].value == network.name
    text = client.get(reverse("manage-plan-download", args=[saved.pk, "csv"])).getvalue()
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[0][0] == "年度" and len(lines) == saved.works.count() + 1
    mapped = client.get(reverse("manage-plan-download", args=[saved.pk, "geojson"])).json()
    assert len(mapped["features"]) == saved.works.count()

    client.post(reverse("manage-plan-make"))  # this year's plan beside last year's
    latest = SavedPlan.objects.order_by("-pk").first()
    assert "前回の計画" in client.get(reverse("manage-plan-detail", args=[latest.pk])).text


def test_staff_of_other_organisations_do_not_see_a_plan(network, road_manager, client, city):
    _inputs(network, road_manager)
    saved = plans.plan_make(organisation=network, acting_user=road_manager)
    parks = factories.user(city["parks"], "manager", username="parks-manager")
    client.force_login(parks)
    assert client.get(reverse("manage-plan-detail", args=[saved.pk])).status_code == 404
    assert client.get(reverse("manage-plan-download", args=[saved.pk, "csv"])).status_code == 404
    viewer = factories.user(city["road"], "viewer", username="road-viewer")
    client.force_login(viewer)
    home = client.get(reverse("manage-plan"))
    assert home.status_code == 200 and 'name="budget"' not in home.text  # read only
    assert client.post(reverse("manage-plan"), {"budget": "1"}).status_code == 403
    assert client.post(reverse("manage-plan-make")).status_code == 403
