"""Forms of the personal-data screen (APPI requests): whose data, and the confirmation
before erasing it."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PersonalDataForm(forms.Form):
    """Whose data: the e-mail address or the phone number the person gave."""

    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=40)

    def clean(self):
        data = super().clean()
        digits = "".join(ch for ch in data.get("phone", "") if ch.isdigit())
        if not data.get("email") and len(digits) < 6 and not self.errors:
            raise forms.ValidationError(
                _("Give the e-mail address or the phone number the person used."),
                code="nothing_to_search",
            )
        return data


class PersonalDataEraseForm(PersonalDataForm):
    confirm = forms.BooleanField(
        label=_(
            "I have checked who is asking, and their contact details, words and photos "
            "are to be erased"
        ),
        required=True,
    )
