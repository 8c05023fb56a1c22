"""The forms of the long-life plan's inputs: the settings, and the unit cost of each asset
type and action (one number field each)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from planning.models import Action, Policy


class YenField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 10**13)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "step": "1000"})


class PlanSettingsForm(forms.Form):
    first_year = forms.IntegerField(label=_("First fiscal year"), min_value=2000, max_value=2200)
    horizon = forms.IntegerField(label=_("Horizon (years)"), min_value=1, max_value=30)
    budget = YenField(label=_("Annual budget for planned works (yen)"))
    budgets = forms.CharField(
        label=_("Or one budget per fiscal year (yen, separated by commas)"),
        required=False,
        max_length=1000,
    )
    second_budget = YenField(
        label=_("A second budget level to compare (yen a year; empty: 1.5 × the budget)"),
        required=False,
    )
    policy = forms.ChoiceField(label=_("Policy"), choices=Policy.choices)
    levelling = YenField(
        label=_("Levelling limit: the largest change of planned spend between years (yen)"),
        required=False,
    )

    def clean_budgets(self):
        text = (self.cleaned_data.get("budgets") or "").replace("、", ",").replace("，", ",")
        values = []
        for part in text.split(","):
            part = part.strip().replace("_", "").replace(" ", "")
            if not part:
                continue
            if not part.isdecimal():
                raise forms.ValidationError(
                    _("Write each budget as a whole number of yen: %(value)s is not one."),
                    params={"value": part},
                    code="bad_budget",
                )
            values.append(int(part))
        return values

    def clean(self):
        data = super().clean()
        horizon, budgets = data.get("horizon"), data.get("budgets") or []
        if horizon and len(budgets) > horizon:
            self.add_error("budgets", _("More budgets than years in the horizon."))
        return data


class UnitCostForm(forms.Form):
    """One field per (asset type, action): `cost_<type>_<action>`."""

    def __init__(self, data=None, *, costs, types):
        super().__init__(data)
        self.rows = []
        for asset_type in types:
            cells = []
            for action, label in Action.choices:
                name = f"cost_{asset_type.code}_{action}"
                cost = costs.get((asset_type.pk, action))
                self.fields[name] = YenField(
                    label=f"{asset_type.name} · {label}",
                    initial=cost.yen if cost else 0,
                )
                cells.append((self[name], cost))
            self.rows.append((asset_type, cells))

    def costs(self) -> dict:
        return {
            tuple(name.removeprefix("cost_").rsplit("_", 1)): value
            for name, value in self.cleaned_data.items()
        }
