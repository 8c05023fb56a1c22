"""The deterioration models under /manage/plan/models/: per asset type the curve, the
one-year matrix, the hazards with their intervals and what they rest on, the strata, the
forecasts and the works per fiscal year.

Staff of the organisations that own assets of a type see its model; staff whose
organisations own none of any type (contractors, for one) are refused, and a type they do
not own is 404, as if it did not exist.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from planning import forecasting, selectors
from planning.models import Work
from web_admin import plan_charts
from web_admin.access import staff_required
from web_admin.inspection_charts import grade_info


def _summary(asset_type, stored) -> dict:
    """One stored model as the screens show it."""
    model = forecasting.as_model(stored)
    codes = asset_type.grading_scale.codes()
    action = forecasting.action_index(asset_type)
    row = {
        "stored": stored,
        "model": model,
        "action_code": codes[action],
        "misread_percent": 100 * stored.misread,
        "label": selectors.stratum_label(stored),
    }
    if stored.enough:
        row["years_to_action"] = model.expected_years(0, action)
        row["hazards"] = [
            {
                "from": codes[g],
                "to": codes[g + 1],
                "rate": model.hazards[g],
                "low": model.low[g],
                "high": model.high[g],
                "years": 1 / model.hazards[g],
                "pairs": stored.pairs_per_grade[g] if g < len(stored.pairs_per_grade) else 0,
            }
            for g in range(len(codes) - 1)
        ]
    return row


@require_safe
@staff_required
def model_list(request):
    types = list(selectors.owned_types(request.user))
    if not types:
        raise PermissionDenied
    stored = selectors.models_by_type(types)
    rows = []
    for asset_type in types:
        models = stored.get(asset_type.pk, [])
        rows.append(
            {
                "type": asset_type,
                "whole": _summary(asset_type, models[0]) if models else None,
                "strata": sum(m.enough for m in models[1:]),
            }
        )
    return render(
        request, "web_admin/plan/models.html", {"nav": "plan", "rows": rows, "types": types}
    )


@require_safe
@staff_required
def model_detail(request, code: str):
    asset_type = selectors.owned_types(request.user).filter(code=code).first()
    if asset_type is None:
        raise Http404
    models = selectors.models_by_type([asset_type]).get(asset_type.pk, [])
    codes = asset_type.grading_scale.codes()
    action = forecasting.action_index(asset_type)
    context = {
        "nav": "plan",
        "type": asset_type,
        "scale": asset_type.grading_scale,
        "grades": [grade_info(asset_type, c) for c in codes],
        "action_code": codes[action],
        "whole": _summary(asset_type, models[0]) if models else None,
        "strata": [_summary(asset_type, m) for m in models[1:]],
        "works": selectors.works_by_fiscal_year(asset_type, request.user),
        "work_kinds": Work.Kind.choices,
        "forecasts": selectors.forecast_summary(
            asset_type, request.user, likely=forecasting.LIKELY
        ),
        "likely_percent": round(forecasting.LIKELY * 100),
        "soon_years": forecasting.SOON_YEARS,
        "today": timezone.localdate(),
    }
    whole = context["whole"]
    if whole and whole["stored"].enough:
        model = whole["model"]
        chart = plan_charts.curve_chart(asset_type, model, action)
        context.update(
            chart=chart,
            curve=plan_charts.curve_table(model, action, until=chart.years),
            matrix=[
                {"from": codes[i], "cells": [100 * p for p in row]}
                for i, row in enumerate(model.matrix(1.0))
            ],
            to_action=[
                {"from": codes[g], "years": model.expected_years(g, action)} for g in range(action)
            ],
        )
    return render(request, "web_admin/plan/model_detail.html", context)
