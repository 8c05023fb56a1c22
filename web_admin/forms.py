"""Forms of the managers' screens. They check input; the services decide.

Why it is long: the queue's filter and the forms of a report's page live together and share
their helpers (the element ids, the day field); a screen with a family of forms of its own
has its own module (inspection_forms.py, plan_forms.py, privacy_forms.py, bulk_forms.py)."""

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.models import Organization
from assets.models import AssetType, FaultCategory, Town
from planning import selectors as planning_selectors
from planning.models import Work
from reports import standard_notes
from reports.forms import MultipleFileInput, PhotosField
from reports.models import Report
from reports.selectors import QUEUE_ORDERS, QueueFilter

PAGE_SIZES = (25, 50, 100, 200)


def caller_languages() -> list[tuple[str, str]]:
    """The residents' languages, named in the language of the staff member taking the call
    (日本語, 英語, ポルトガル語(ブラジル)…)."""
    return [(code, get_language_info(code)["name_translated"]) for code, _n in settings.LANGUAGES]


def _bbox(text: str) -> tuple[float, float, float, float] | None:
    """'west,south,east,north' in degrees, or None when it is not one."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        return None
    if -180 <= west < east <= 180 and -90 <= south < north <= 90:
        return (west, south, east, north)
    return None


# Days a date filter takes: far outside the system's life a day is a typing slip (and the
# year 1 or 9999 would overflow on its way to a time in the database).
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


class DayField(forms.DateField):
    """A day, picked or typed as YYYY-MM-DD, within FIRST_DAY..LAST_DAY."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(
                _("Give a day from %(first)s to %(last)s."),
                code="out_of_range",
                params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            )


class _OwnIds:
    """Several forms share the report page: each keeps its element ids apart."""

    ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.ids)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class QueueFilterForm(_OwnIds, forms.Form):
    """The queue's filters, read from the query string; anything unreadable is ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    asset_type = forms.ChoiceField(label=_("Asset type"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    town = forms.ChoiceField(label=_("Area"), required=False)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=Report.Status.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    owner = forms.ChoiceField(label=_("Responsible section"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("any")), *Report.Source.choices]
    )
    overdue = forms.BooleanField(label=_("Past the response target"), required=False)
    likely = forms.BooleanField(label=_("Asset likely to need work within 2 years"), required=False)
    since = DayField(label=_("Reported from"), required=False)
    until = DayField(label=_("Reported until"), required=False)
    fixed_since = DayField(label=_("Fixed from"), required=False)
    fixed_until = DayField(label=_("Fixed until"), required=False)
    bbox = forms.CharField(required=False, widget=forms.HiddenInput)
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("priority", _("priority")),
            ("respond_by", _("response target")),
            ("newest", _("newest first")),
            ("oldest", _("oldest first")),
        ],
    )
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        empty_value=50,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, data, *, organisations, where=None, **kwargs):
        super().__init__(data, **kwargs)
        any_ = [("", _("any"))]
        self.fields["asset_type"].choices = any_ + [
            (t.code, t.name) for t in AssetType.objects.order_by("sort_order", "code")
        ]
        self.fields["category"].choices = any_ + [
            (c.code, c.name) for c in FaultCategory.objects.order_by("group", "sort_order")
        ]
        self.fields["town"].choices = any_ + [
            (t.name, t.name) for t in Town.of(where).order_by("name_kana", "name")
        ]
        orgs = [(str(o.pk), str(o)) for o in organisations]
        self.fields["owner"].choices = any_ + orgs
        self.fields["assignee"].choices = [*any_, ("none", _("nobody yet")), *orgs]

    def clean(self):
        data = super().clean()
        for first, last in (("since", "until"), ("fixed_since", "fixed_until")):
            if data.get(first) and data.get(last) and data[first] > data[last]:
                self.add_error(last, _("The last day comes before the first."))
        return data

    def queue_filter(self) -> QueueFilter:
        data = self.cleaned_data if self.is_valid() else self._valid_part()
        assignee = data.get("assignee") or ""
        return QueueFilter(
            asset_type=data.get("asset_type") or "",
            category=data.get("category") or "",
            town=data.get("town") or "",
            bbox=_bbox(data.get("bbox") or ""),
            statuses=tuple(data.get("status") or ()),
            owner=int(data["owner"]) if data.get("owner") else None,
            assignee=int(assignee) if assignee.isdecimal() else None,
            unassigned=assignee == "none",
            overdue=bool(data.get("overdue")),
            source=data.get("source") or "",
            text=(data.get("q") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            fixed_since=data.get("fixed_since"),
            fixed_until=data.get("fixed_until"),
            also=planning_selectors.likely_to_need_work("asset__") if data.get("likely") else None,
        )

    def _valid_part(self) -> dict:
        """What can be read of a form with some bad fields (a stale bookmark)."""
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}

    @property
    def order_key(self) -> str:
        order = self.cleaned_data.get("order") if hasattr(self, "cleaned_data") else ""
        return order if order in QUEUE_ORDERS else "priority"

    @property
    def page_size(self) -> int:
        if hasattr(self, "cleaned_data") and "per_page" not in self.errors:
            return self.cleaned_data.get("per_page") or 50
        return 50


def _standard_note_field():
    return forms.ChoiceField(
        label=_("Standard note for the resident"),
        required=False,
        choices=standard_notes.choices,
        help_text=_("Shown to residents in their own language."),
    )


class StatusForm(_OwnIds, forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Report.Status.choices)
    reason = forms.ChoiceField(
        label=_("Reason (when closing)"),
        choices=[("", "—"), *Report.CloseReason.choices],
        required=False,
    )
    note_code = _standard_note_field()
    note = forms.CharField(
        label=_("Note (in Japanese)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Private by default: a note typed for colleagues must not reach a resident by accident.
    public_note = forms.BooleanField(
        label=_("The resident also sees this note, labelled as Japanese"),
        required=False,
        initial=False,
    )
    photos = PhotosField(
        label=_("Photos after the repair (with “fixed”, up to 3)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
    )
    # With "fixed": the work that fixed it goes into the asset's condition history.
    work_kind = forms.ChoiceField(
        label=_("Work done (with “fixed”, for the asset's history)"),
        choices=[("", _("— not recorded")), *Work.Kind.choices],
        required=False,
    )
    work_cost_yen = forms.IntegerField(
        label=_("Cost of the work (yen, optional)"), required=False, min_value=0
    )

    def clean(self):
        data = super().clean()
        fixed = data.get("to") == Report.Status.FIXED
        if data.get("work_kind") and not fixed:
            self.add_error("work_kind", _("A work is recorded with “fixed”."))
        elif data.get("work_cost_yen") is not None and not data.get("work_kind"):
            self.add_error("work_kind", _("Say which work the cost is for."))
        if data.get("photos") and not fixed:
            self.add_error("photos", _("Photos of the repair go with “fixed”."))
        elif len(data.get("photos") or []) > 3:
            self.add_error("photos", _("Up to 3 photos."))
        return data


class NoteForm(_OwnIds, forms.Form):
    ids = "note_%s"

    note_code = _standard_note_field()
    text = forms.CharField(
        label=_("Note (in Japanese)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public = forms.BooleanField(
        required=False, label=_("The resident also sees this note, labelled as Japanese")
    )

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("note_code"):
            raise forms.ValidationError(
                _("Choose a standard note or write one."), code="empty_note"
            )
        return data


class AssignForm(_OwnIds, forms.Form):
    ids = "assign_%s"

    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=Organization.objects.none(), empty_label="—"
    )
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        help_text=_("Empty: the category's response target."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = organisations

    def clean_due_on(self):
        due = self.cleaned_data.get("due_on")
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed."), code="past")
        return due


class MergeForm(_OwnIds, forms.Form):
    ids = "merge_%s"

    duplicate = forms.CharField(
        label=_("Report number of the duplicate"),
        max_length=20,
        help_text=_("Its photos, “me too”s and people come to this report; it is closed."),
    )

    def clean_duplicate(self):
        return self.cleaned_data["duplicate"].strip().upper()


class ForwardForm(_OwnIds, forms.Form):
    ids = "forward_%s"

    to = forms.ModelChoiceField(
        label=_("Pass on to"), queryset=Organization.objects.none(), empty_label="—"
    )
    note = forms.CharField(
        label=_("Note for the resident"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The user's city's organisations only: another city's is refused as unknown.
        active = Organization.objects.filter(is_active=True).exclude(pk=report.owner_id)
        self.fields["to"].queryset = policy.city_organisations(user, active)


class PriorityForm(_OwnIds, forms.Form):
    ids = "priority_%s"

    points = forms.IntegerField(
        label=_("Points added to the score"),
        min_value=-100,
        max_value=100,
        help_text=_("Between -100 and +100; 0 removes a change."),
    )
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)


class IntakeForm(_OwnIds, forms.Form):
    """A report taken on the phone or at the counter: staff fill it in for the caller."""

    category = forms.ChoiceField(label=_("What is wrong"))
    label_code = forms.CharField(
        label=_("Sticker code"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    ledger_id = forms.CharField(label=_("Ledger number"), required=False, max_length=60)
    asset_type = forms.ChoiceField(
        label=_("Asset type (when the ledger number is not enough)"), required=False
    )
    town = forms.ModelChoiceField(
        label=_("Town"), queryset=Town.objects.all(), required=False, empty_label="—"
    )
    address_text = forms.CharField(label=_("Address or landmark"), required=False, max_length=300)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    description = forms.CharField(
        label=_("What the caller says"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = PhotosField(
        label=_("Photos the caller sent (optional, up to 5)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
    )
    name = forms.CharField(label=_("Caller's name"), required=False, max_length=200)
    phone = forms.CharField(label=_("Caller's phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("Caller's email"), required=False, max_length=254)
    consent = forms.BooleanField(label=_("The caller agrees to be contacted"), required=False)
    share = forms.BooleanField(
        label=_(
            "The caller agrees that the description and photos go to the owner or contractor "
            "outside the city"
        ),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Caller's language"), choices=caller_languages, initial="ja"
    )

    def __init__(self, *args, where=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Town.of(where)  # the city of the host (a request)
        groups: dict[str, list] = {}
        for category in FaultCategory.objects.filter(is_active=True).order_by(
            "group", "sort_order", "code"
        ):
            groups.setdefault(category.get_group_display(), []).append(
                (category.code, category.name)
            )
        self.fields["category"].choices = [("", "—"), *groups.items()]
        self.fields["asset_type"].choices = [("", "—")] + [
            (t.code, t.name) for t in AssetType.objects.order_by("sort_order", "code")
        ]

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if (
            (lat is None) != (lon is None)
            and not self.errors.get("lat")
            and not self.errors.get("lon")
        ):
            raise forms.ValidationError(
                _("Give both latitude and longitude, or neither."), code="half_point"
            )
        if len(data.get("photos") or []) > 5:
            self.add_error("photos", _("Up to 5 photos."))
        return data


def default_due(report) -> datetime.date | None:
    return timezone.localdate(report.respond_by) if report.respond_by else None


class _GroupedCategories(forms.ModelMultipleChoiceField):
    """Categories named with their group: three groups each have an "other"."""

    def label_from_instance(self, obj):
        return f"{obj.get_group_display()} · {obj.name}"


class ApiClientForm(_OwnIds, forms.Form):
    """A key for another system that posts reports over Open311."""

    name = forms.CharField(label=_("System"), max_length=100)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    rate_limit = forms.CharField(
        label=_("Rate limit"),
        required=False,
        max_length=20,
        help_text=_("Posts per period in seconds, e.g. 600/3600. Empty: the default."),
    )
    services = _GroupedCategories(
        label=_("Services it may post to"),
        queryset=FaultCategory.objects.filter(is_active=True).order_by("group", "sort_order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all services."),
    )
