"""Forms of the inspection screens: the asset filter (GET) and a new assignment (POST)."""

import math

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from assets.models import AssetType
from inspections import areas
from inspections.selectors import AssetSelection
from inspections.stats import MAX_YEARS
from planning import selectors as planning_selectors
from planning.models import Work

DUE_CHOICES = [
    ("all", _("All")),
    ("overdue", _("Overdue")),
    ("upcoming", _("Due soon (within the days below)")),
    ("never", _("Never inspected")),
]
MAX_DAYS = 366

# The assignment service's refusals, by their stable code, in the user's language.
ASSIGNMENT_ERRORS = {
    "forbidden": _("Only managers and section staff assign inspections."),
    "name_required": _("Give the assignment a name."),
    "name_too_long": _("The name is too long."),
    "not_an_inspector": _("Only an inspector can be assigned."),
    "inspector_out_of_scope": _("The inspector is not of your organisations."),
    "due_required": _("Give a due date."),
    "due_in_past": _("The due date is in the past."),
    "no_assets": _("Choose at least one asset: tick them, or take every asset of the filter."),
    "too_many_assets": _("Too many assets for one assignment: narrow the filter."),
    "asset_out_of_scope": _("Some of the chosen assets are not of your organisations."),
    "asset_not_in_service": _("Some of the chosen assets are not in service."),
    "asset_out_of_inspector_scope": _(
        "Some of the chosen assets belong to organisations the inspector cannot see."
    ),
}


def parse_bbox(text: str) -> tuple[float, float, float, float] | None:
    """ "min lon,min lat,max lon,max lat" → a tuple, or None when it is not a sane box."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        return None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        return None
    min_x, min_y, max_x, max_y = values
    if not (-180 <= min_x < max_x <= 180 and -90 <= min_y < max_y <= 90):
        return None
    return min_x, min_y, max_x, max_y


class AssetFilterForm(forms.Form):
    """What the overview, the asset list and the charts show. A field with a bad value is
    reported beside it and ignored; the others still apply."""

    type = forms.ModelChoiceField(
        queryset=AssetType.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Asset type"),
        empty_label=_("All types"),
    )
    area = forms.ChoiceField(required=False, label=_("Area (town)"))
    owner = forms.ModelChoiceField(
        queryset=None,
        to_field_name="code",
        required=False,
        label=_("Owner section"),
        empty_label=_("All my organisations"),
    )
    due = forms.ChoiceField(choices=DUE_CHOICES, required=False, label=_("Due state"))
    days = forms.IntegerField(
        min_value=1, max_value=MAX_DAYS, required=False, label=_("Days ahead for “due soon”")
    )
    years = forms.IntegerField(
        min_value=1, max_value=MAX_YEARS, required=False, label=_("Years to compare")
    )
    likely = forms.BooleanField(required=False, label=_("Likely to need work within 2 years"))
    bbox = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, data, *, organisations, towns, fields=None):
        super().__init__(data)
        self.fields["owner"].queryset = organisations
        self.fields["area"].choices = [
            ("", _("All areas")),
            *[(str(town.pk), str(town)) for town in towns],
            (areas.NO_AREA, _("Area unknown")),
        ]
        self.fields["days"].widget.attrs["placeholder"] = str(settings.INSPECTION_UPCOMING_DAYS)
        if fields is not None:
            for name in list(self.fields):
                if name not in fields:
                    del self.fields[name]
        self.is_valid()

    def clean_area(self):
        value = self.cleaned_data.get("area") or ""
        if value in ("", areas.NO_AREA):
            return value or None
        return int(value)  # one of the choices, so digits

    def clean_bbox(self):
        text = (self.cleaned_data.get("bbox") or "").strip()
        if not text:
            return None
        box = parse_bbox(text)
        if box is None:
            raise forms.ValidationError(_("The map area is not a valid box."), code="bad_bbox")
        return box

    def value(self, name, default=None):
        """The cleaned value of a field that validated, else the default."""
        if name in self.errors or name not in self.fields:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    @property
    def days_ahead(self) -> int:
        return self.value("days", settings.INSPECTION_UPCOMING_DAYS)

    @property
    def years_back(self) -> int:
        return self.value("years", 5)

    def selection(self, *, default_due="all") -> AssetSelection:
        return AssetSelection(
            asset_type=self.value("type"),
            area=self.value("area"),
            owner=self.value("owner"),
            due=self.value("due", default_due),
            days=self.days_ahead,
            bbox=self.value("bbox"),
            also=planning_selectors.likely_to_need_work() if self.value("likely") else None,
        )

    def has_filters(self) -> bool:
        names = ("type", "area", "owner", "bbox", "likely")
        return any(self.value(name) not in (None, False) for name in names)


class AssetIdsField(forms.Field):
    """The ticked assets: a list of ids from checkboxes of one name."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Choose assets from the list.")}

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class AssignmentForm(forms.Form):
    CHOSEN, ALL = "chosen", "all"

    name = forms.CharField(max_length=200, label=_("Name of the assignment"))
    inspector = forms.ModelChoiceField(
        queryset=None, label=_("Inspector"), empty_label=_("Choose an inspector")
    )
    due_on = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    take = forms.ChoiceField(
        choices=[(CHOSEN, _("The assets I ticked")), (ALL, _("Every asset of the filter"))],
        initial=CHOSEN,
        widget=forms.RadioSelect,
        label=_("Which assets"),
    )
    assets = AssetIdsField(required=False, label=_("Assets"))

    def __init__(self, *args, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors
        self.fields["inspector"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.get_username()} ({user.organization})"
        )

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(ASSIGNMENT_ERRORS["due_in_past"], code="due_in_past")
        return due_on

    def add_refusal(self, exc) -> None:
        """Show the service's refusal beside the field it names."""
        message = ASSIGNMENT_ERRORS.get(exc.code, str(exc))
        field = next(iter(exc.errors), None)
        self.add_error(field if field in self.fields else None, message)


class WorkForm(forms.Form):
    """A repair, renewal or preventive treatment done on the asset (planning.services)."""

    kind = forms.ChoiceField(label=_("Work"), choices=Work.Kind.choices)
    done_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    cost_yen = forms.IntegerField(label=_("Cost (yen)"), required=False, min_value=0)
    contractor = forms.ModelChoiceField(
        label=_("Contractor"), queryset=Organization.objects.none(), required=False
    )
    grade_after = forms.ChoiceField(label=_("Grade after the work"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, asset, **kwargs):
        kwargs.setdefault("auto_id", "work_%s")
        super().__init__(*args, **kwargs)
        # Contractors of the asset's city only (Organization.city; null: the one city).
        self.fields["contractor"].queryset = Organization.objects.filter(
            kind=Organization.Kind.CONTRACTOR, is_active=True, city_id=asset.owner.city_id
        ).order_by("code")
        codes = asset.asset_type.grading_scale.codes()
        self.fields["grade_after"].choices = [("", _("not known")), *((c, c) for c in codes)]
