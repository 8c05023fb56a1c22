"""Reads of maintenance planning."""

import datetime

from django.db.models import Count, Max, Q, QuerySet, Sum

from accounts import policy
from assets import fieldspecs
from assets.models import Asset, AssetType
from planning.forecasting import LIKELY
from planning.models import (
    Action,
    DeteriorationModel,
    Forecast,
    InputChange,
    PlannedWork,
    SavedPlan,
    UnitCost,
    Work,
)


def work_rows(assets: QuerySet, *, type_code: str | None = None):
    """(asset id, ledger id, type, kind, done on, grade after, cost) of every work on
    `assets`, in (asset, day) order: the condition history's repairs, beside its inspections."""
    works = Work.objects.filter(asset__in=assets)
    if type_code:
        works = works.filter(asset__asset_type__code=type_code)
    return works.order_by("asset_id", "done_on", "id").values_list(
        "asset_id",
        "asset__ledger_id",
        "asset__asset_type__code",
        "kind",
        "done_on",
        "grade_after",
        "cost_yen",
    )


def works_of(asset) -> list[Work]:
    """The asset's works, the newest first, with their contractor and the reports closed."""
    return list(
        Work.objects.filter(asset=asset)
        .select_related("contractor")
        .prefetch_related("reports")
        .order_by("-done_on", "-id")
    )


def fiscal_year(day: datetime.date) -> int:
    """The fiscal year (年度) of a day: April to March, named by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def owned_types(actor) -> QuerySet[AssetType]:
    """The asset types of which the actor's organisations own assets: whose models they see."""
    scope = policy.scope_ids(actor)
    owned = Asset.objects.all() if scope is None else Asset.objects.filter(owner_id__in=scope)
    return AssetType.objects.filter(pk__in=owned.values("asset_type_id")).order_by(
        "sort_order", "code"
    )


def models_by_type(types) -> dict[int, list[DeteriorationModel]]:
    """Each type's stored models, the whole type's first, then its strata by value."""
    result: dict[int, list[DeteriorationModel]] = {}
    for stored in DeteriorationModel.objects.filter(asset_type__in=types).order_by(
        "asset_type_id", "stratum_key", "stratum_value"
    ):
        result.setdefault(stored.asset_type_id, []).append(stored)
    return result


def works_by_fiscal_year(asset_type: AssetType, actor) -> list[dict]:
    """Works on the type's assets of the actor's organisations per fiscal year: the count and
    cost of each kind, newest year first."""
    scope = policy.scope_ids(actor)
    works = Work.objects.filter(asset__asset_type=asset_type)
    if scope is not None:
        works = works.filter(asset__owner_id__in=scope)
    years: dict[int, dict] = {}
    for done_on, kind, cost in works.values_list("done_on", "kind", "cost_yen"):
        year = years.setdefault(
            fiscal_year(done_on), {k: {"count": 0, "cost": 0} for k in Work.Kind.values}
        )
        year[kind]["count"] += 1
        year[kind]["cost"] += cost or 0
    return [
        {
            "year": year,
            "kinds": [kinds[k] for k in Work.Kind.values],
            "count": sum(v["count"] for v in kinds.values()),
            "cost": sum(v["cost"] for v in kinds.values()),
        }
        for year, kinds in sorted(years.items(), reverse=True)
    ]


def forecast_summary(asset_type: AssetType, actor, *, likely: float) -> dict:
    """How many of the type's assets (of the actor's organisations) have a forecast, and how
    many of them are likely to need work within two years."""
    scope = policy.scope_ids(actor)
    forecasts = Forecast.objects.filter(asset__asset_type=asset_type)
    if scope is not None:
        forecasts = forecasts.filter(asset__owner_id__in=scope)
    return forecasts.aggregate(total=Count("pk"), likely=Count("pk", filter=Q(next_2__gte=likely)))


def likely_to_need_work(path: str = "") -> Q:
    """Assets (or, with `path` such as "asset__", what points at them) likely to reach their
    action grade within two years of the last fit, by their forecast."""
    return Q(**{f"{path}forecast__next_2__gte": LIKELY})


def forecast_of(asset: Asset) -> dict | None:
    """The asset's forecast as the asset page and the API give it, or None."""
    forecast = Forecast.objects.filter(asset=asset).select_related("model__asset_type").first()
    if forecast is None:
        return None
    grades = asset.asset_type.grading_scale.grades
    action = next((g for g in grades if g.calls_for_action), grades[-1])
    model = forecast.model
    return {
        "action_grade": action.code,
        "from_grade": forecast.grade,
        "from_date": forecast.since.isoformat(),
        "within_1_year": round(forecast.within_1, 4),
        "within_5_years": round(forecast.within_5, 4),
        "within_10_years": round(forecast.within_10, 4),
        "next_2_years": round(forecast.next_2, 4),
        "likely_within_2_years": forecast.next_2 >= LIKELY,
        "computed_on": forecast.computed_on.isoformat(),
        "model": {
            "stratum": f"{model.stratum_key}={model.stratum_value}" if model.stratum_key else None,
            "stratum_label": stratum_label(model),
            "method": model.method,
            "pairs": model.pairs,
        },
    }


def stratum_label(model: DeteriorationModel) -> str:
    """ "Lamp type: LED", in the current language, from the type's attribute schema."""
    if not model.stratum_key:
        return ""
    for spec in model.asset_type.attribute_schema or ():
        if spec.get("key") == model.stratum_key:
            value = next(
                (
                    fieldspecs.label(choice)
                    for choice in spec.get("choices", ())
                    if choice.get("value") == model.stratum_value
                ),
                model.stratum_value,
            )
            return f"{fieldspecs.label(spec)}: {value}"
    return f"{model.stratum_key}: {model.stratum_value}"


# --- The long-life plan ----------------------------------------------------------------------


def plans_of(organisation) -> QuerySet[SavedPlan]:
    return SavedPlan.objects.filter(organisation=organisation).select_related("made_by")


def plan_before(saved: SavedPlan) -> SavedPlan | None:
    """The organisation's plan made before this one: last year's, to compare with."""
    return (
        SavedPlan.objects.filter(organisation_id=saved.organisation_id, made_at__lt=saved.made_at)
        .order_by("-made_at", "-id")
        .first()
    )


def unit_costs(organisation) -> dict:
    return {
        (cost.asset_type_id, cost.action): cost
        for cost in UnitCost.objects.filter(organisation=organisation)
    }


def input_changes(organisation) -> QuerySet[InputChange]:
    return InputChange.objects.filter(organisation=organisation).select_related("changed_by")


def planned_works(saved: SavedPlan) -> QuerySet[PlannedWork]:
    """The plan's works in its table's order (fiscal year, asset type, ledger id): the order
    they were written in, so an index gives it without sorting."""
    return (
        PlannedWork.objects.filter(plan=saved)
        .select_related("asset", "asset__asset_type")
        .order_by("fiscal_year", "id")
    )


def plan_years(saved: SavedPlan) -> list[dict]:
    """Per fiscal year of the plan: the number and cost of its works, per action and in all
    (saved with the plan when it was made; else the database adds them up)."""
    if "years" in saved.scenarios:
        return saved.scenarios["years"]
    rows = (
        PlannedWork.objects.filter(plan=saved)
        .values("fiscal_year", "action")
        .annotate(count=Count("pk"), cost=Sum("cost_yen"))
    )
    years = {
        saved.first_year + i: {a: {"count": 0, "cost": 0} for a in Action.values}
        for i in range(saved.inputs.get("horizon", 10))
    }
    for row in rows:
        years.setdefault(row["fiscal_year"], {a: {"count": 0, "cost": 0} for a in Action.values})
        years[row["fiscal_year"]][row["action"]] = {"count": row["count"], "cost": row["cost"]}
    budgets = saved.inputs.get("budgets", [])
    return [
        {
            "year": year,
            "actions": [actions[a] for a in Action.values],
            "count": sum(v["count"] for v in actions.values()),
            "cost": sum(v["cost"] for v in actions.values()),
            "budget": budgets[year - saved.first_year]
            if 0 <= year - saved.first_year < len(budgets)
            else None,
        }
        for year, actions in sorted(years.items())
    ]


def forecasts_of(assets: QuerySet[Asset]) -> dict[int, dict]:
    """The forecasts of many assets in one query, as a field app shows them beside each
    asset: the chance of the action grade within one and five years from the last grade,
    and whether work is likely within two years."""
    rows = Forecast.objects.filter(asset__in=assets.order_by().values("pk")).values_list(
        "asset_id", "grade", "since", "within_1", "within_5", "next_2"
    )
    return {
        asset_id: {
            "from_grade": grade,
            "from_date": since.isoformat(),
            "within_1_year": round(within_1, 4),
            "within_5_years": round(within_5, 4),
            "next_2_years": round(next_2, 4),
            "likely_within_2_years": next_2 >= LIKELY,
        }
        for asset_id, grade, since, within_1, within_5, next_2 in rows
    }


def forecasts_stamp() -> tuple:
    """Changes whenever the forecasts are rewritten (a work pack's ETag)."""
    stamp = Forecast.objects.aggregate(n=Count("asset"), day=Max("computed_on"))
    fitted = DeteriorationModel.objects.aggregate(at=Max("fitted_at"))["at"]
    return (stamp["n"], stamp["day"], fitted)
