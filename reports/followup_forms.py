"""Forms for what follows a report: the page an owner or contractor opens through its link
(reports/owner_views.py) and a resident's "still broken" on their receipt. They check
input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports import standard_notes
from reports.forms import MultipleFileInput, PhotosField
from reports.models import Report

MAX_AFTER_PHOTOS = 3


class OwnerUpdateForm(forms.Form):
    """Progress: a new status (or none, for a note alone), a standard note for the resident,
    words for the city, photos of the repair."""

    to = forms.ChoiceField(
        label=_("Progress"),
        required=False,
        choices=[
            ("", _("no change, only a note")),
            (Report.Status.IN_PROGRESS, _("Work has started")),
            (Report.Status.FIXED, _("Fixed")),
        ],
        widget=forms.RadioSelect,
    )
    note_code = forms.ChoiceField(
        label=_("Message for the resident"),
        required=False,
        choices=standard_notes.choices,
        help_text=_("Shown to the resident in their own language."),
    )
    note = forms.CharField(
        label=_("Note for the city"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public_note = forms.BooleanField(
        label=_("The resident may read this note too (it is shown in Japanese)"), required=False
    )
    photos = PhotosField(
        label=_("Photos after the repair (up to 3)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "update_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        photos = data.get("photos") or []
        if photos and data.get("to") != Report.Status.FIXED:
            self.add_error("photos", _("Photos of the repair go with “Fixed”."))
        elif len(photos) > MAX_AFTER_PHOTOS:
            self.add_error("photos", _("Up to 3 photos."))
        if (
            not data.get("to")
            and not data.get("note_code")
            and not (data.get("note") or "").strip()
        ):
            raise forms.ValidationError(
                _("Choose the progress, a message for the resident or write a note."),
                code="nothing_to_say",
            )
        return data


class HandBackForm(forms.Form):
    """Not ours after all, or we cannot do it: back to the city, with the reason."""

    reason = forms.CharField(
        label=_("Why the city should take it back"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tell the city why.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "back_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class StillBrokenForm(forms.Form):
    """まだ直っていない: what the resident still sees, and a photo if they like."""

    text = forms.CharField(
        label=_("What is still wrong (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField(
        label=_("A photo (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "broken_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > 1:
            raise forms.ValidationError(_("One photo, please."), code="too_many_photos")
        return photos
