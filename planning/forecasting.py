"""Fitting and storing each asset type's deterioration model (and its strata's), and each
asset's forecast from it: the chance of reaching the type's action grade within 1, 5 and 10
years from where it last stood, and within two years from the day of the fit (the "likely
to need work" filter of the queue and the inspection planning).

A type is split into strata by the first of STRATUM_KEYS among its choice attributes (road
class for roads, material for park facilities, lamp type for lights): a stratum with enough
history gets its own model and its assets' forecasts use it; the others use the type's.
Run by `manage.py fit_deterioration` (nightly) and after the demo is seeded.
"""

import math

import numpy as np
from django.db import transaction
from django.utils import timezone

from assets.models import Asset, AssetType
from planning import deterioration
from planning.deterioration import DAYS_PER_YEAR
from planning.history import AssetHistory, histories_of_type
from planning.models import DeteriorationModel, Forecast

STRATUM_KEYS = ("road_class", "material", "lamp_type")
HORIZONS = (1, 5, 10)
SOON_YEARS = 2
LIKELY = 0.5  # "likely to need work": at least this chance within SOON_YEARS


def action_index(asset_type: AssetType) -> int:
    """The first grade that calls for action (III, C, III-1), as an index from the best."""
    grades = asset_type.grading_scale.grades
    return next((i for i, g in enumerate(grades) if g.calls_for_action), len(grades) - 1)


def stratum_key(asset_type: AssetType) -> str | None:
    choices = {s.get("key") for s in asset_type.attribute_schema or () if s.get("kind") == "choice"}
    return next((key for key in STRATUM_KEYS if key in choices), None)


def as_model(stored: DeteriorationModel) -> deterioration.Model:
    grades = len(stored.pairs_per_grade) or len(stored.asset_type.grading_scale.grades)
    nan = [math.nan] * (grades - 1)
    return deterioration.Model(
        grades=grades,
        hazards=np.array(stored.hazards or nan, dtype=float),
        low=np.array(stored.low or nan, dtype=float),
        high=np.array(stored.high or nan, dtype=float),
        misread=stored.misread,
        pairs=stored.pairs,
        pairs_per_grade=list(stored.pairs_per_grade),
        improvements=stored.improvements,
        method=stored.method,
        enough=stored.enough,
        why_not=stored.why_not,
    )


@transaction.atomic
def models_fit(asset_type: AssetType, *, today=None) -> list[DeteriorationModel]:
    """Fit the type's model and its strata's from the history, store them (replacing the
    last fit) and rewrite the forecasts of the type's assets. Returns the stored models,
    the type's first."""
    today = today or timezone.localdate()
    grades = len(asset_type.grading_scale.grades)
    histories = list(histories_of_type(asset_type))
    key = stratum_key(asset_type)
    strata: dict[str, list[AssetHistory]] = {}
    if key:
        values = dict(
            Asset.objects.filter(asset_type=asset_type).values_list("pk", f"attributes__{key}")
        )
        for history in histories:
            value = values.get(history.asset_id)
            if isinstance(value, str) and value:
                strata.setdefault(value, []).append(history)
    DeteriorationModel.objects.filter(asset_type=asset_type).delete()  # forecasts go too
    fitted_at = timezone.now()
    whole = _store(asset_type, "", "", histories, grades, fitted_at)
    stored, chosen = [whole], {}
    for value, members in sorted(strata.items()):
        model = _store(asset_type, key, value, members, grades, fitted_at)
        stored.append(model)
        if model.enough:
            chosen.update((h.asset_id, model) for h in members)
    if whole.enough or chosen:
        _forecasts_write(asset_type, histories, whole, chosen, today)
    return stored


def _store(asset_type, key, value, histories, grades, fitted_at) -> DeteriorationModel:
    model = deterioration.fit_joint([run for h in histories for run in h.runs], grades)

    def listed(values):
        return [float(v) for v in values] if model.enough else []

    return DeteriorationModel.objects.create(
        asset_type=asset_type,
        stratum_key=key,
        stratum_value=value,
        method=model.method,
        enough=model.enough,
        why_not=model.why_not,
        pairs=model.pairs,
        pairs_per_grade=list(model.pairs_per_grade),
        improvements=model.improvements,
        assets=len(histories),
        hazards=listed(model.hazards),
        low=listed(model.low),
        high=listed(model.high),
        misread=float(model.misread),
        fitted_at=fitted_at,
    )


def _forecasts_write(asset_type, histories, whole, chosen, today) -> int:
    action = action_index(asset_type)
    codes = asset_type.grading_scale.codes()
    models, cache = {}, {}

    def reach(stored, grade, days) -> float:
        if (stored.pk, days) not in cache:
            model = models.setdefault(stored.pk, as_model(stored))
            cache[stored.pk, days] = model.matrix(days / DAYS_PER_YEAR)[:, action:].sum(axis=1)
        return float(cache[stored.pk, days][grade])

    rows = []
    for history in histories:
        stored = chosen.get(history.asset_id) or (whole if whole.enough else None)
        if stored is None or history.since is None:
            continue
        grade, elapsed = history.grade, max((today - history.since).days, 0)
        within = [reach(stored, grade, round(h * DAYS_PER_YEAR)) for h in HORIZONS]
        rows.append(
            Forecast(
                asset_id=history.asset_id,
                model=stored,
                grade=codes[grade],
                since=history.since,
                within_1=within[0],
                within_5=within[1],
                within_10=within[2],
                next_2=reach(stored, grade, elapsed + round(SOON_YEARS * DAYS_PER_YEAR)),
                computed_on=today,
            )
        )
    Forecast.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def fit_all(*, today=None) -> dict[str, list[DeteriorationModel]]:
    """Every asset type's models, in the catalogue's order."""
    return {
        asset_type.code: models_fit(asset_type, today=today)
        for asset_type in AssetType.objects.order_by("sort_order", "code")
    }
