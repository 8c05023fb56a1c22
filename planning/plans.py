"""An organisation's long-life repair plan (長寿命化修繕計画): the inputs its managers own
(unit costs per asset type and action, budgets, horizon, policy, levelling limit; every
change audited) and plans made from them over the assets' forecasts (planning/optimise.py),
saved with their inputs and their scenarios: do nothing, reactive, and preventive at the
budget and at a second budget level.

Plans are made when a manager asks (the plan screens then only read what was saved, however
many assets there are) and cover the assets in service of the organisation and those under
it that have a forecast; the others are counted as not planned.
"""

import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone

from accounts import policy
from accounts.errors import DomainError
from accounts.policy import Right
from assets.models import Asset, AssetType
from planning import forecasting, optimise, selectors
from planning.models import (
    Action,
    DeteriorationModel,
    Forecast,
    InputChange,
    PlannedWork,
    PlanSettings,
    Policy,
    SavedPlan,
    UnitCost,
)

MAX_HORIZON = 30
# Example unit costs in yen (preventive, repair, renewal) by grading scale: placeholders a
# city replaces with its own prices; the screens say so while they are unchanged.
EXAMPLE_COSTS = {
    "mlit": (30_000, 90_000, 300_000),
    "park": (50_000, 200_000, 900_000),
    "pavement": (150_000, 600_000, 3_000_000),
}
SCENARIOS = ("nothing", "reactive", "plan", "second")


class PlanError(DomainError):
    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message, code=code)
        self.field = field


def fiscal_year_now() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


def settings_of(organisation) -> PlanSettings:
    """The organisation's plan settings, made with defaults (from the next fiscal year, ten
    years, no budget yet) and example unit costs the first time."""
    found, _ = PlanSettings.objects.get_or_create(
        organisation=organisation, defaults={"first_year": fiscal_year_now() + 1}
    )
    have = set(
        UnitCost.objects.filter(organisation=organisation).values_list("asset_type_id", "action")
    )
    missing = []
    for asset_type in AssetType.objects.all():
        examples = EXAMPLE_COSTS.get(asset_type.scale, EXAMPLE_COSTS["mlit"])
        for action, yen in zip(Action.values, examples, strict=True):
            if (asset_type.pk, action) not in have:
                missing.append(
                    UnitCost(
                        organisation=organisation, asset_type=asset_type, action=action, yen=yen
                    )
                )
    UnitCost.objects.bulk_create(missing, ignore_conflicts=True)
    return found


def _require(acting_user, organisation) -> None:
    if not policy.may(acting_user, Right.PLAN_MAINTENANCE, owner_id=organisation.pk):
        raise PlanError("Only managers of the organisation may change its plan.", code="forbidden")


@transaction.atomic
def inputs_update(
    *,
    organisation,
    acting_user,
    first_year: int,
    horizon: int,
    budget: int,
    budgets: list[int] | None = None,
    second_budget: int | None = None,
    plan_policy: str = Policy.PREVENTIVE_II,
    levelling: int | None = None,
    costs: dict[tuple[str, str], int] | None = None,
) -> PlanSettings:
    """Change the plan's inputs; each changed value is audited with who and when."""
    _require(acting_user, organisation)
    if not 1 <= horizon <= MAX_HORIZON:
        raise PlanError(
            f"The horizon is 1 to {MAX_HORIZON} years.", code="bad_horizon", field="horizon"
        )
    if not 2000 <= first_year <= 2200:
        raise PlanError("That is not a fiscal year.", code="bad_year", field="first_year")
    budgets = [int(b) for b in budgets or []]
    if len(budgets) > horizon:
        raise PlanError(
            "More yearly budgets than years in the horizon.", code="bad_budget", field="budgets"
        )
    if any(b < 0 for b in [budget, *budgets, second_budget or 0, levelling or 0]):
        raise PlanError("Budgets and limits cannot be negative.", code="bad_budget")
    if plan_policy not in Policy.values:
        raise PlanError("Choose a policy.", code="bad_policy", field="policy")
    found = settings_of(organisation)
    changes = []
    for name, value in (
        ("first_year", first_year),
        ("horizon", horizon),
        ("budget", budget),
        ("budgets", budgets),
        ("second_budget", second_budget),
        ("policy", plan_policy),
        ("levelling", levelling),
    ):
        before = getattr(found, name)
        if before != value:
            changes.append((name, before, value))
            setattr(found, name, value)
    found.save()
    for (code, action), yen in (costs or {}).items():
        if yen is None or yen < 0:
            raise PlanError("A unit cost is a number of yen.", code="bad_cost", field="costs")
        cost = UnitCost.objects.filter(
            organisation=organisation, asset_type__code=code, action=action
        ).first()
        if cost is None:
            raise PlanError(f"No such asset type: {code}.", code="bad_cost", field="costs")
        if cost.yen != yen:
            changes.append((f"unit cost {code} {action}", cost.yen, yen))
            cost.yen, cost.example = yen, False
            cost.save(update_fields=["yen", "example"])
    author = policy.author(acting_user)
    InputChange.objects.bulk_create(
        InputChange(
            organisation=organisation,
            changed_by=author,
            field=name,
            before="" if before is None else str(before),
            after="" if after is None else str(after),
        )
        for name, before, after in changes
    )
    return found


# --- Making a plan ---------------------------------------------------------------------------


def _items_and_kinds(organisation, start: datetime.date):
    """The assets with a forecast as the optimiser sees them, and a kind per model."""
    scope = policy.organisation_scope_ids(organisation)
    rows = Forecast.objects.filter(
        asset__owner_id__in=scope, asset__status=Asset.Status.IN_SERVICE
    ).values_list("asset_id", "asset__criticality", "grade", "since", "model_id")
    costs: dict[int, dict] = {}
    for type_id, action, yen in UnitCost.objects.filter(organisation=organisation).values_list(
        "asset_type_id", "action", "yen"
    ):
        costs.setdefault(type_id, {})[action] = float(yen)
    items, rows = [], list(rows)
    model_ids = {row[4] for row in rows}
    stored = {
        m.pk: m
        for m in DeteriorationModel.objects.filter(pk__in=model_ids).select_related("asset_type")
    }
    kinds = {
        str(pk): optimise.KindModel(
            tuple(model.hazards),
            forecasting.action_index(model.asset_type),
            costs.get(model.asset_type_id)
            or dict(zip(Action.values, EXAMPLE_COSTS["mlit"], strict=True)),
            tuple(model.asset_type.grading_scale.codes()),
        )
        for pk, model in stored.items()
    }
    codes = {pk: kinds[str(pk)].codes for pk in stored}
    for asset_id, criticality, grade, since, model_id in rows:
        if grade not in codes[model_id]:
            continue
        items.append(
            optimise.Item(
                asset_id=asset_id,
                kind=str(model_id),
                grade=codes[model_id].index(grade),
                years_since=max((start - since).days, 0) / 365.25,
                criticality=criticality,
            )
        )
    return items, kinds


def _summary(outcome: optimise.Outcome | None, *, feasible=True, why_not="", works=0) -> dict:
    if outcome is None:
        return {"feasible": False, "why_not": why_not}
    grades = None
    for counts in outcome.grades.values():
        width = counts.shape[1]
        padded = np.zeros((counts.shape[0], 4))
        padded[:, : min(width, 4)] = counts[:, :4]
        grades = padded if grades is None else grades + padded
    return {
        "feasible": feasible,
        "why_not": why_not,
        "works": works,
        "planned": [round(float(v)) for v in outcome.planned],
        "reactive": [round(float(v)) for v in outcome.reactive],
        "backlog": [round(float(v), 1) for v in outcome.backlog],
        "grades": [] if grades is None else [[round(float(v), 1) for v in row] for row in grades],
        "life_cycle_cost": round(outcome.life_cycle_cost),
        "risk": round(outcome.risk, 1),
    }


@transaction.atomic
def plan_make(*, organisation, acting_user) -> SavedPlan:
    """Make the organisation's plan from its inputs and its assets' forecasts, with the
    scenarios beside it, and save it."""
    _require(acting_user, organisation)
    found = settings_of(organisation)
    start = datetime.date(found.first_year, 4, 1)
    items, kinds = _items_and_kinds(organisation, start)
    horizon = found.horizon
    budgets = tuple(float(b) for b in found.yearly_budgets())
    second = float(found.second_budget if found.second_budget is not None else found.budget * 1.5)
    levelling = None if found.levelling is None else float(found.levelling)
    main = optimise.plan(items, kinds, optimise.Inputs(budgets, found.policy, levelling))
    other = optimise.plan(
        items, kinds, optimise.Inputs((second,) * horizon, Policy.PREVENTIVE_II, levelling)
    )
    scenarios = {
        "nothing": _summary(optimise.scenario(items, kinds, horizon, renew=False)),
        "reactive": _summary(optimise.scenario(items, kinds, horizon, renew=True)),
        "plan": _summary(main.outcome, why_not=main.why_not, works=len(main.works)),
        "second": _summary(other.outcome, why_not=other.why_not, works=len(other.works)),
    }
    scenarios["plan"]["urgent_cost"] = round(main.urgent_cost)
    scenarios["plan"]["urgent_assets"] = main.urgent_assets
    scope = policy.organisation_scope_ids(organisation)
    in_service = Asset.objects.filter(owner_id__in=scope, status=Asset.Status.IN_SERVICE).count()
    saved = SavedPlan.objects.create(
        organisation=organisation,
        made_by=policy.author(acting_user),
        first_year=found.first_year,
        inputs={
            "first_year": found.first_year,
            "horizon": horizon,
            "budgets": [round(b) for b in budgets],
            "second_budget": round(second),
            "policy": found.policy,
            "levelling": found.levelling,
            "unit_costs": {
                f"{code} {action}": yen
                for code, action, yen in UnitCost.objects.filter(
                    organisation=organisation
                ).values_list("asset_type__code", "action", "yen")
            },
        },
        feasible=main.feasible,
        why_not=main.why_not,
        scenarios=scenarios,
        assets=len(items),
        unplanned=max(in_service - len(items), 0),
    )
    by_id = {item.asset_id: item for item in items}
    codes = {kind: model.codes for kind, model in kinds.items()}
    # Written in the table's order (fiscal year, asset type, ledger id), so that reading
    # them back in id order needs no sort.
    order = {
        pk: (sort_order, ledger_id)
        for pk, sort_order, ledger_id in Asset.objects.filter(
            pk__in=[w.asset_id for w in main.works]
        ).values_list("pk", "asset_type__sort_order", "ledger_id")
    }
    works = sorted(main.works, key=lambda w: (w.year, *order[w.asset_id]))
    PlannedWork.objects.bulk_create(
        (
            PlannedWork(
                plan=saved,
                asset_id=work.asset_id,
                fiscal_year=found.first_year + work.year,
                action=work.action,
                cost_yen=round(work.cost),
                grade_now=codes[by_id[work.asset_id].kind][by_id[work.asset_id].grade],
                grade_then=codes[by_id[work.asset_id].kind][work.grade],
            )
            for work in works
        ),
        batch_size=2000,
    )
    # The yearly totals, once, so the plan's page reads them however many works it has.
    saved.scenarios["years"] = selectors.plan_years(saved)
    saved.save(update_fields=["scenarios"])
    return saved
