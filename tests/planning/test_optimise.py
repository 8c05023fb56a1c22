"""The budgeted plan: within 1 % of the exact program on 300-asset instances, never over a
year's budget, levelled, cheaper over its life than reacting to failures, and clear about
budgets it cannot meet. The numerics need no database; the suite runs them on both."""

import numpy as np
import pytest

from planning import optimise, simulation
from planning.optimise import Inputs, Item, KindModel

KINDS = {
    "light": KindModel(
        simulation.TRUE, 2, {"preventive": 30_000, "repair": 90_000, "renewal": 300_000}
    ),
    "slide": KindModel(
        (0.10, 0.25, 0.5), 2, {"preventive": 50_000, "repair": 200_000, "renewal": 900_000}
    ),
}


def network(n: int, seed: int) -> list[Item]:
    """Assets of two kinds in every grade, inspected up to four years ago."""
    rng = np.random.default_rng(seed)
    return [
        Item(
            asset_id=i,
            kind="light" if i % 3 else "slide",
            grade=int(rng.choice(4, p=[0.45, 0.3, 0.18, 0.07])),
            years_since=float(rng.uniform(0, 4)),
            criticality=int(rng.integers(1, 6)),
        )
        for i in range(n)
    ]


def _urgent(items) -> float:
    return optimise.scenario(items, KINDS, 10, renew=True).planned[0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_on_300_assets_the_plan_is_within_one_percent_of_the_exact_program(seed):
    items = network(300, seed)
    urgent = _urgent(items)
    inputs = Inputs(budgets=(urgent + 2e6,) + (1.5e6,) * 9, levelling=1e6)

    grouped = optimise.plan(items, KINDS, inputs)
    exact = optimise.plan(items, KINDS, inputs, exact=True)

    assert grouped.feasible and exact.feasible
    assert grouped.groups < len(items) == exact.groups
    risk = optimise.evaluate(items, KINDS, 10, grouped.works).risk
    assert abs(risk - exact.objective) <= 0.01 * exact.objective
    # Doing something beats doing nothing, by a lot.
    assert risk < 0.5 * optimise.scenario(items, KINDS, 10, renew=False).risk
    for plan in (grouped, exact):
        spend = plan.spend()
        assert np.all(spend <= np.asarray(inputs.budgets) + 1e-6)
        levelled = spend - np.array([plan.urgent_cost] + [0] * 9)
        assert np.all(np.abs(np.diff(levelled)) <= inputs.levelling + 1e-6)
        assert len({w.asset_id for w in plan.works}) == len(plan.works)  # one work each


def test_works_follow_the_grade_the_asset_will_be_in():
    items = network(300, 4)
    plan = optimise.plan(items, KINDS, Inputs(budgets=(1e9,) * 10))
    by_id = {item.asset_id: item for item in items}
    for work in plan.works:
        model = KINDS[by_id[work.asset_id].kind]
        assert work.action == model.action_for(work.grade)
        assert work.cost == model.costs[work.action]
        if work.grade == 3:
            assert work.action == "renewal"
    urgent = [w for w in plan.works if by_id[w.asset_id].grade == 3 and w.year == 0]
    assert urgent and all(w.action == "renewal" for w in urgent)


def test_preventive_costs_less_over_its_life_than_reacting_to_failures():
    items = network(2_000, 5)
    urgent = _urgent(items)
    reactive = optimise.scenario(items, KINDS, 10, renew=True)
    for budget in (3e6, 8e6):  # two budget levels
        plan = optimise.plan(items, KINDS, Inputs(budgets=(urgent + budget,) + (budget,) * 9))
        assert plan.feasible
        assert plan.outcome.life_cycle_cost <= reactive.life_cycle_cost
        assert plan.outcome.backlog[-1] < reactive.backlog[-1]


def test_the_reactive_policy_plans_only_the_urgent_renewals():
    items = network(300, 6)
    plan = optimise.plan(items, KINDS, Inputs(budgets=(1e9,) * 10, policy="reactive"))
    assert plan.works and all(w.year == 0 and w.action == "renewal" for w in plan.works)
    # At the worst grade when inspected, or most likely by now: urgent either way.
    assert len(plan.works) == plan.urgent_assets >= sum(i.grade == 3 for i in items) > 0


def test_a_first_year_budget_below_the_urgent_work_is_explained():
    items = network(300, 7)
    urgent = _urgent(items)
    plan = optimise.plan(items, KINDS, Inputs(budgets=(urgent - 1,) + (1e6,) * 9))
    assert not plan.feasible and plan.works == []
    assert "urgent" in plan.why_not and f"¥{urgent:,.0f}" in plan.why_not


def test_budgets_and_a_levelling_limit_that_cannot_both_hold_are_explained():
    items = network(300, 8)
    urgent = _urgent(items)
    # Every year must spend within ¥1 of the year before, yet the budgets leave no room for
    # the same spend twice… except spending nothing: that is a plan (of no works).
    none = optimise.plan(items, KINDS, Inputs(budgets=(urgent,) + (0,) * 9, levelling=0))
    assert none.feasible and all(w.action == "renewal" for w in none.works)
    # A levelling limit below zero is no limit at all: refused with its reason.
    bad = optimise.plan(items, KINDS, Inputs(budgets=(urgent,) * 10, levelling=-1))
    assert not bad.feasible and "levelling" in bad.why_not
