"""Sign-in forms that say so when the guard refused the attempt (accounts/guard.py)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import guard


class GuardedAuthenticationForm(AuthenticationForm):
    """After a few failures for a username or from an address, sign-in is refused for a
    while, even with the right password; the form tells the person so."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-ins. Please wait %(minutes)s minutes, or reset your password."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if self.request is not None and guard.refused(self.request):
                raise forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": guard.cool_off_minutes()},
                ) from None
            raise
