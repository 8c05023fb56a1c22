"""Sign-in forms that say so when the guard refused the attempt (accounts/guard.py)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts import city_staff, guard


class GuardedAuthenticationForm(AuthenticationForm):
    """After a few failures for a username or from an address, sign-in is refused for a
    while, even with the right password; the form tells the person so."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-ins. Please wait %(minutes)s minutes, or reset your password."
        ),
        "other_city": _(
            "This account belongs to the staff of %(city)s. Sign in on its own address: %(url)s"
        ),
    }

    def confirm_login_allowed(self, user):
        """Staff of another city sign in on their own city's address, not this one."""
        super().confirm_login_allowed(user)
        here = getattr(self.request, "city", None)
        if not city_staff.belongs_here(user, here):
            home = city_staff.other_city_message(user)
            self.other_city = home
            raise forms.ValidationError(
                self.error_messages["other_city"],
                code="other_city",
                params={"city": home["city_name"], "url": home["url"]},
            )

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


class CityPasswordResetForm(PasswordResetForm):
    """The reset mail names the account's own city and links to its address, whichever
    city's host it was asked at (several cities; the settings' city without them)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        home = city_staff.home_city(context["user"])
        scheme, _sep, domain = home.public_base_url.partition("://")
        context = {
            **context,
            "protocol": scheme or "https",
            "domain": domain or home.public_base_url,
            "city_name": home.name,
        }
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
