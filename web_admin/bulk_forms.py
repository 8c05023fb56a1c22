"""The queue's bulk bar: one action for the ticked reports. It checks input; reports/bulk.py
decides who may change what."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from reports.bulk import MAX_SELECTION, Action

PRINT = "print"  # no change: the ticked reports' work orders, on paper


class ReportNumbers(forms.Field):
    """The ticked report numbers (the checkboxes in the queue's rows, all named `r`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Tick at least one report.")}

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        return list(dict.fromkeys(str(v).strip().upper()[:20] for v in values if str(v).strip()))

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_SELECTION:
            raise forms.ValidationError(
                _("At most %(count)s reports at once.") % {"count": MAX_SELECTION},
                code="too_many",
            )


class BulkForm(forms.Form):
    r = ReportNumbers(label=_("Reports"))
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("", "—"),
            (Action.ASSIGN, _("Assign")),
            (Action.ACCEPT, _("Accept")),
            (Action.MERGE, _("Close as duplicates of one report")),
            (Action.FORWARD, _("Pass on to the owner")),
            (PRINT, _("Print work orders")),
        ],
        error_messages={"required": _("Choose what to do.")},
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=Organization.objects.none(), required=False
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    into = forms.CharField(label=_("Report that stays"), required=False, max_length=20)
    to = forms.ModelChoiceField(
        label=_("Pass on to"), queryset=Organization.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note for the residents"), required=False, max_length=2000)
    # The queue's filter to go back to, hidden: the view cuts it to 2,000 characters; a
    # length limit here would be an error the user cannot see to correct.
    back = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, assignees, owners, **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["to"].queryset = owners
        self.fields["assignee"].empty_label = "—"
        self.fields["to"].empty_label = "—"

    def clean_due_on(self):
        due = self.cleaned_data.get("due_on")
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed."), code="past")
        return due

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == Action.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose whom to assign them to."))
        if action == Action.MERGE and not (data.get("into") or "").strip():
            self.add_error("into", _("Give the number of the report that stays."))
        if action == Action.FORWARD and not data.get("to"):
            self.add_error("to", _("Choose whom to pass them on to."))
        return data
